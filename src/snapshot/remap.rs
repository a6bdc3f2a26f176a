//! The snapshot's profile and user rows with the refreshed org's IDs: a user by username, a
//! profile by its `FullName` (never by its name, which the org shows in the running user's
//! language: production's copy of that user may read another language than the one who took
//! the snapshot). Rows whose owner is not in the org are reported, not guessed.
//!
//! `FullName` cannot be filtered on, nor read for more than one profile per query (Tooling API
//! object reference, `Profile`), so the profiles are read one by one, by ID, as few as it takes:
//! one Data query lists the org's profiles (with the users the rows name); the profiles whose
//! name equals a row's recorded name or `FullName` (the same language, or a custom profile,
//! whose name is never translated) are read first, all at once; only rows still not found then
//! read the other profiles, oldest first (the standard ones, created with the org), in waves
//! of [`WAVE`] (five composites of five queries, sent at once) until each is found or every
//! profile was read. The names only order the reads: the `FullName` read decides.

use super::compare::row_label;
use super::profiles::{id15, is_profile_id, read_full_names};
use super::{RowLevel, Snapshot, TenantRowSnapshot, rows_of, text};
use crate::org::session::OpenOrg;
use crate::protocol::Result;
use crate::salesforce::client::BatchRead;
use crate::salesforce::ids::same_record;
use crate::salesforce::soql_quote;
use crate::steps::tenant_urls::OverrideRow;
use serde_json::Value;
use std::collections::HashMap;

/// Profiles read by `FullName` in one round trip after the first guesses.
pub const WAVE: usize = 25;

/// The snapshot's profile and user rows with the refreshed org's IDs, and a message for each
/// row that could not be remapped.
pub async fn remap_overrides(
    open: &OpenOrg,
    snapshot: &Snapshot,
) -> Result<(Vec<OverrideRow>, Vec<String>)> {
    let rows: Vec<&TenantRowSnapshot> = snapshot
        .tenant_setting
        .iter()
        .flatten()
        .filter(|r| r.level != RowLevel::Org)
        .collect();
    let profile_rows: Vec<&TenantRowSnapshot> = rows
        .iter()
        .copied()
        .filter(|r| r.level == RowLevel::Profile && r.owner.is_some())
        .collect();
    let usernames: Vec<String> = rows
        .iter()
        .filter(|r| r.level == RowLevel::User)
        .filter_map(|r| r.owner.as_deref().map(soql_quote))
        .collect();
    let mut reads = Vec::new();
    if !usernames.is_empty() {
        reads.push(BatchRead::Query(format!(
            "SELECT Id, Username FROM User WHERE Username IN ({})",
            usernames.join(", ")
        )));
    }
    if !profile_rows.is_empty() {
        reads.push(BatchRead::Query(
            "SELECT Id, Name FROM Profile ORDER BY CreatedDate, Id".into(),
        ));
    }
    let mut answers = if reads.is_empty() {
        Vec::new()
    } else {
        open.client.get_batch(false, &reads).await?
    }
    .into_iter();
    let users = match usernames.is_empty() {
        true => Vec::new(),
        false => rows_of(answers.next())?,
    };
    let profiles = match profile_rows.is_empty() {
        true => Vec::new(),
        false => rows_of(answers.next())?,
    };
    let profile_ids = find_profiles(open, &profile_rows, &profiles).await?;

    let mut out: Vec<OverrideRow> = Vec::new();
    let mut unmapped = Vec::new();
    for row in rows {
        let label = row_label(row);
        let id = match (row.level, row.owner.as_deref()) {
            (RowLevel::Profile, Some(_)) => profile_ids.get(&key(row)).cloned(),
            (RowLevel::User, Some(name)) => users
                .iter()
                .filter(|u| text(u, "Id").is_some_and(|id| id.starts_with("005")))
                .find(|u| text(u, "Username").is_some_and(|n| n.eq_ignore_ascii_case(name)))
                .and_then(|u| text(u, "Id")),
            _ => None,
        };
        // Two rows for one owner (usernames differing only in case, a profile found by name and
        // by FullName): the org holds one row per owner, so the second would fail the whole
        // write (DUPLICATE_VALUE). The first is restored, the other reported once.
        if let Some(first) = id
            .as_deref()
            .and_then(|id| out.iter().find(|o| same_record(&o.setup_owner_id, id)))
        {
            unmapped.push(format!(
                "{label}: not restored, the same owner as {} (the snapshot has two rows for it; the first was kept)",
                first.label
            ));
            continue;
        }
        match id {
            Some(id) => out.push(OverrideRow {
                setup_owner_id: id,
                label,
                runtime_url: row.runtime_url.clone(),
                admin_url: row.admin_url.clone(),
            }),
            None => unmapped.push(match (&row.level, &row.owner_full_name) {
                (RowLevel::Profile, Some(full_name)) => format!(
                    "{label}: not restored, the refreshed org has no profile whose FullName is {full_name}"
                ),
                (RowLevel::Profile, None) => {
                    format!("{label}: not restored, the refreshed org has no profile of that name")
                }
                _ => format!("{label}: not restored, the refreshed org has no user of that name"),
            }),
        }
    }
    Ok((out, unmapped))
}

/// What a profile row is found by: its `FullName`, or (older snapshots) its name.
fn key(row: &TenantRowSnapshot) -> String {
    match (&row.owner_full_name, &row.owner) {
        (Some(full_name), _) => format!("full:{}", full_name.to_lowercase()),
        (None, Some(name)) => format!("name:{}", name.to_lowercase()),
        (None, None) => String::new(),
    }
}

/// Each profile row's key ([`key`]) to the refreshed org's profile ID, for those found.
async fn find_profiles(
    open: &OpenOrg,
    rows: &[&TenantRowSnapshot],
    profiles: &[Value],
) -> Result<HashMap<String, String>> {
    let mut found: HashMap<String, String> = HashMap::new();
    // Only rows whose ID is a profile's: the IDs come from the org's answer, and go into the
    // Tooling queries and the restored rows' SetupOwnerId.
    let profiles: Vec<&Value> = profiles
        .iter()
        .filter(|p| text(p, "Id").is_some_and(|id| is_profile_id(&id)))
        .collect();
    let named =
        |p: &Value, name: &str| text(p, "Name").is_some_and(|n| n.eq_ignore_ascii_case(name));
    // A snapshot without FullName: by name, as it was taken (see `legacy_warning`).
    for row in rows.iter().filter(|r| r.owner_full_name.is_none()) {
        let name = row.owner.as_deref().unwrap_or_default();
        if let Some(id) = profiles
            .iter()
            .find(|p| named(p, name))
            .and_then(|p| text(p, "Id"))
        {
            found.insert(key(row), id);
        }
    }
    let wanted: Vec<&TenantRowSnapshot> = rows
        .iter()
        .copied()
        .filter(|r| r.owner_full_name.is_some())
        .collect();
    if wanted.is_empty() {
        return Ok(found);
    }
    // The likely ones first, then the rest in the org's order (oldest first).
    let (mut order, rest): (Vec<&Value>, Vec<&Value>) = profiles.iter().copied().partition(|p| {
        wanted.iter().any(|r| {
            r.owner.as_deref().is_some_and(|n| named(p, n))
                || r.owner_full_name.as_deref().is_some_and(|n| named(p, n))
        })
    });
    let first_wave = if order.is_empty() { WAVE } else { order.len() };
    order.extend(rest);
    let ids: Vec<String> = order.iter().filter_map(|p| text(p, "Id")).collect();
    let mut start = 0;
    while start < ids.len() && wanted.iter().any(|r| !found.contains_key(&key(r))) {
        let size = if start == 0 { first_wave } else { WAVE };
        let end = (start + size).min(ids.len());
        let full_names = read_full_names(&open.client, &ids[start..end]).await?;
        for id in &ids[start..end] {
            let Some(full_name) = full_names.get(&id15(id)) else {
                continue;
            };
            for row in &wanted {
                if row
                    .owner_full_name
                    .as_deref()
                    .is_some_and(|f| f.eq_ignore_ascii_case(&full_name.full_name))
                {
                    found.entry(key(row)).or_insert_with(|| id.clone());
                }
            }
        }
        start = end;
    }
    Ok(found)
}
