//! A profile's language-free name. The Data API's `Profile.Name` of a standard profile comes in
//! the running user's language (`System Administrator`, `Systemadministrator`, `システム管理者`),
//! and after a refresh that user (production's copy) may read another language than the one who
//! took the snapshot. The Tooling API's `Profile.FullName` is the Metadata API name (`Admin`,
//! `Standard`; a custom profile's name), the same in every language (Tooling API object
//! reference, `Profile`: FullName "The unique profile name"). It can be read only one row per
//! query ("Query this field only if the query result contains no more than one record") and
//! not filtered on (its properties are "Create, Group, Nillable"), so each profile is read by
//! its ID, `SELECT Id, FullName FROM Profile WHERE Id = '...'`: five such queries go in one
//! Tooling composite (REST API, "Composite": at most 5 queries), several composites at once.

use crate::protocol::Result;
use crate::salesforce::Client;
use crate::salesforce::client::BatchRead;
use crate::salesforce::ids::is_valid_id;
use crate::salesforce::soql_quote;
use serde_json::Value;
use std::collections::HashMap;

/// The first 15 characters of an ID: the same record whichever length the org answered.
pub fn id15(id: &str) -> String {
    id.get(..15).unwrap_or(id).to_string()
}

/// A profile's ID as the org answers it: a well-formed ID (15 or 18 characters) whose key prefix
/// is `Profile`'s, `00e`. The IDs read here come from the org's answers; one that is not is
/// never put into a query (it could not be a profile, and would only make the read fail).
pub fn is_profile_id(id: &str) -> bool {
    id.starts_with("00e") && is_valid_id(id)
}

/// A profile as a `FullName` read answers it.
#[derive(Debug, Clone)]
pub struct ProfileNames {
    /// The language-free name (`Admin`).
    pub full_name: String,
    /// The name as the org shows it, in the running user's language: display text only.
    pub name: Option<String>,
}

/// The Tooling query that reads one profile's `FullName` (and, in the same row, its name).
pub fn full_name_read(id: &str) -> BatchRead {
    BatchRead::Query(format!(
        "SELECT Id, Name, FullName FROM Profile WHERE Id = {}",
        soql_quote(id)
    ))
}

/// The reads for `ids` (each once, in order); an ID that is not a profile's ([`is_profile_id`])
/// is not read.
pub fn full_name_reads(ids: &[String]) -> Vec<BatchRead> {
    let mut seen: Vec<String> = Vec::new();
    ids.iter()
        .filter(|id| is_profile_id(id))
        .filter(|id| {
            let key = id15(id);
            let new = !seen.contains(&key);
            seen.push(key);
            new
        })
        .map(|id| full_name_read(id))
        .collect()
}

/// The answers of [`full_name_reads`]: profile ID (15 characters) to its names. A profile the
/// org does not have (no row) is left out; a failed read is the error.
pub fn full_names_of(answers: Vec<Result<Value>>) -> Result<HashMap<String, ProfileNames>> {
    let mut out = HashMap::new();
    for answer in answers {
        if let Value::Array(rows) = answer? {
            for row in rows {
                if let (Some(id), Some(full_name)) = (
                    row.get("Id").and_then(Value::as_str),
                    row.get("FullName").and_then(Value::as_str),
                ) {
                    let name = row.get("Name").and_then(Value::as_str).map(str::to_string);
                    let full_name = full_name.to_string();
                    out.insert(id15(id), ProfileNames { full_name, name });
                }
            }
        }
    }
    Ok(out)
}

/// The `FullName`s of the profiles `ids`, in one round trip (composites sent at once).
pub async fn read_full_names(
    client: &Client,
    ids: &[String],
) -> Result<HashMap<String, ProfileNames>> {
    let reads = full_name_reads(ids);
    if reads.is_empty() {
        return Ok(HashMap::new());
    }
    full_names_of(client.get_batch(true, &reads).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// IDs from the org's answers go into a query only when they are profile IDs.
    #[test]
    fn only_profile_ids_are_read() {
        let ids: Vec<String> = [
            "00e000000000001",
            "00e000000000001AAA",
            "005000000000001",
            "00e0000000000' OR Name != '",
            "",
        ]
        .map(str::to_string)
        .to_vec();
        assert_eq!(
            full_name_reads(&ids),
            [BatchRead::Query(
                "SELECT Id, Name, FullName FROM Profile WHERE Id = '00e000000000001'".into()
            )]
        );
    }
}
