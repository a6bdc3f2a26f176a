//! The one place where a name from outside (a sandbox name, an org ID, a username) becomes part
//! of a path. Such names come from piped JSON, sf's files, the org's answers and snapshot files,
//! all hostile until checked: `"../../../victim/package"` as a sandbox name must never reach a
//! `join`. A [`PathPart`] is built only by checking a name against what Salesforce allows for
//! it, so every path builder of the state folder (snapshots, journal, locks) and of sf's folder
//! (auth files) takes one and joins nothing else from outside.

use crate::salesforce::ids::OrgId;
use crate::{Error, Result};
use std::fmt;

/// Salesforce's rule for sandbox names: a letter, then letters and digits, 10 characters at
/// most. Salesforce Help, "Create a Sandbox" (platform.data_sandbox_create.htm): "Enter a name
/// (10 characters or fewer)"; the name is alphanumeric and begins with a letter (sf's
/// `org create sandbox --name`, REFERENCE.md, "SandboxProcess"). The name also becomes a
/// username suffix and part of the My Domain host, which allow nothing else.
pub fn is_sandbox_name(name: &str) -> bool {
    (1..=10).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// One checked path component: no separator, no `.`/`..`, no control character, never empty.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathPart(String);

impl PathPart {
    /// A sandbox's name (`uat`), lowercased: Salesforce compares sandbox names without case, so
    /// `UAT` and `uat` are one folder. `what` says where the name came from, for the error.
    pub fn sandbox(name: &str, what: &str) -> Result<PathPart> {
        if is_sandbox_name(name) {
            return Ok(PathPart(name.to_ascii_lowercase()));
        }
        Err(Error::input(
            "InvalidSandboxNameError",
            format!(
                "{what} {:?} is not a sandbox name: Salesforce allows a letter, then letters and digits, 10 characters at most. Nothing was written.",
                crate::protocol::output::escape_inline(&name.chars().take(60).collect::<String>())
            ),
        )
        .with_action("Use the name Setup > Sandboxes shows in the production org (e.g. uat), or name the org with -o <alias>."))
    }

    /// An org ID, always its 18-character form (a parsed [`OrgId`] holds only letters and
    /// digits).
    pub fn org_id(id: &OrgId) -> PathPart {
        PathPart(id.as_18().to_string())
    }

    /// An org ID given as text (from the org's facts): parsed first.
    pub fn parse_org_id(text: &str) -> Result<PathPart> {
        OrgId::parse(text).map(|id| PathPart::org_id(&id))
    }

    /// A username as sf names its auth file (`<username>.json`), or `None` when it cannot be
    /// one: empty, longer than Salesforce's 80 characters (Field Reference Guide: `Username`,
    /// string, length 80), starting with a dot (`.`, `..`, a hidden file), or holding a path
    /// separator or control character.
    pub fn username(name: &str) -> Option<PathPart> {
        let bad = name.is_empty()
            || name.chars().count() > 80
            || name.starts_with('.')
            || name.contains(['/', '\\'])
            || name.chars().any(char::is_control);
        (!bad).then(|| PathPart(name.to_string()))
    }

    /// The component with an extension: `<name>.<ext>`.
    pub fn file(&self, ext: &str) -> String {
        format!("{}.{ext}", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PathPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PathPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PathPart({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_salesforce_sandbox_names_become_folders() {
        for good in ["uat", "UAT", "qa2", "abcdefghij"] {
            assert_eq!(
                PathPart::sandbox(good, "x").unwrap().as_str(),
                good.to_ascii_lowercase()
            );
        }
        for bad in [
            "",
            "..",
            "../../../victim/package",
            "a/b",
            "a\\b",
            "2uat",
            "abcdefghijk",
            "u-at",
            "uat\u{1b}",
            "üat",
        ] {
            assert!(PathPart::sandbox(bad, "x").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn usernames_never_leave_their_folder() {
        assert!(PathPart::username("admin@acme.com.uat").is_some());
        for bad in [
            "", ".", "..", "../x", "a/b", "a\\b", ".hidden", "a\u{0}b", "a\nb",
        ] {
            assert!(PathPart::username(bad).is_none(), "{bad:?}");
        }
        assert!(PathPart::username(&format!("{}@x.com", "a".repeat(80))).is_none());
    }
}
