//! Record IDs and API names that come from outside (an org's answer, the journal on disk) are
//! checked before they enter a SOQL query or a URL path: a value like `../../x` or
//! `' OR Name != '` never becomes part of a request.

use super::ids::is_valid_id;
use crate::protocol::output::escape_controls;
use crate::protocol::{Error, Result};

/// A record ID (15 or 18 letters and digits, checksum right), or an error naming `source`.
pub(crate) fn checked_id<'a>(id: &'a str, source: &str) -> Result<&'a str> {
    if is_valid_id(id) {
        return Ok(id);
    }
    Err(refused("record ID", id, source))
}

/// An object or field API name (`Account`, `LGK__ConfigurationTenant__c`): a letter, then
/// letters, digits and underscores, at most 80 characters in all.
pub(crate) fn checked_api_name<'a>(name: &'a str, source: &str) -> Result<&'a str> {
    let shaped = name.len() <= 80
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if shaped {
        return Ok(name);
    }
    Err(refused("API name", name, source))
}

/// `sobjects/<object>/<id>`, or the Tooling API's for `tooling:` objects, from checked parts.
pub(crate) fn sobject_path(object: &str, id: Option<&str>, source: &str) -> Result<String> {
    let (api, name) = match object.strip_prefix("tooling:") {
        Some(name) => ("tooling/sobjects", name),
        None => ("sobjects", object),
    };
    let name = checked_api_name(name, source)?;
    match id {
        Some(id) => Ok(format!("{api}/{name}/{}", checked_id(id, source)?)),
        None => Ok(format!("{api}/{name}")),
    }
}

fn refused(kind: &str, value: &str, source: &str) -> Error {
    let shown: String = value.chars().take(60).collect();
    Error::new(
        "InvalidRecordReferenceError",
        format!(
            "{source} holds {:?}, which is not a Salesforce {kind}; it is not used in any request.",
            escape_controls(&shown)
        ),
    )
    .with_action("Check where it came from (the journal file, or the org and any proxy in between); nothing was changed.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_salesforce_shapes_pass() {
        assert!(checked_id("0055e000001AbCd", "x").is_ok());
        for bad in ["../../x", "0055e000001AbC'", "", "0055e000001AbCdXYZ"] {
            assert!(checked_id(bad, "x").is_err(), "{bad}");
        }
        assert!(checked_api_name("LGK__ConfigurationTenant__c", "x").is_ok());
        for bad in ["..", "User/../x", "1Abc", "A B", "A'"] {
            assert!(checked_api_name(bad, "x").is_err(), "{bad}");
        }
        assert_eq!(
            sobject_path("tooling:RemoteProxy", Some("0rp5e000000AbCd"), "x").unwrap(),
            "tooling/sobjects/RemoteProxy/0rp5e000000AbCd"
        );
        assert!(sobject_path("User", Some(".."), "x").is_err());
    }
}
