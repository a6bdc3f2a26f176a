//! sf's aliases (`AliasAccessor`): `<home>/.sfdx/alias.json`,
//! `{"orgs":{"<alias>":"<username>"}}` (sf reads no other alias file), read, never written.

use crate::sf::home::sfdx_dir;
use crate::{Error, Result};
use serde_json::Value;
use std::path::Path;

/// sf's aliases (`~/.sfdx/alias.json`, group `orgs`), in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aliases {
    pub entries: Vec<(String, String)>,
}

impl Aliases {
    /// The username an alias stands for.
    pub fn username_of(&self, alias: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(a, _)| a == alias)
            .map(|(_, u)| u.as_str())
    }

    /// The first alias of a username (what sf shows as the org's alias).
    pub fn alias_of(&self, username: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(_, u)| u == username)
            .map(|(a, _)| a.as_str())
    }
}

/// Reads `~/.sfdx/alias.json`; no file is no aliases.
pub fn read_aliases(home: &Path) -> Result<Aliases> {
    let path = sfdx_dir(home).join("alias.json");
    let text = match crate::fsutil::read_bounded_text_if_present(&path) {
        Ok(Some(text)) => text,
        Ok(None) => return Ok(Aliases::default()),
        Err(e) => {
            return Err(Error::new(
                "AliasFileReadError",
                format!("Cannot read sf's alias file {}: {e}.", path.display()),
            )
            .with_action(format!("Make {} readable by this user.", path.display())));
        }
    };
    parse_aliases(&text).ok_or_else(|| {
        Error::new(
            "AliasFileParseError",
            format!("sf's alias file {} is not valid JSON.", path.display()),
        )
        .with_action(format!(
            "Fix it (its shape is {{\"orgs\": {{\"<alias>\": \"<username>\"}}}}) or check \"sf alias list\": {}",
            path.display()
        ))
    })
}

/// `{"orgs":{"<alias>":"<username>"}}` to aliases; `None` when the text is not JSON. Entries
/// whose value is not text are skipped.
pub fn parse_aliases(text: &str) -> Option<Aliases> {
    let value: Value = serde_json::from_str(text).ok()?;
    let entries = value
        .get("orgs")
        .and_then(Value::as_object)
        .map(|orgs| {
            orgs.iter()
                .filter_map(|(alias, username)| {
                    Some((alias.clone(), username.as_str()?.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Aliases { entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn aliases_file() {
        let parsed = parse_aliases(r#"{"orgs":{"b":"b@x.com","a":"a@x.com","n":1}}"#).unwrap();
        assert_eq!(
            parsed.entries,
            vec![
                ("b".into(), "b@x.com".into()),
                ("a".into(), "a@x.com".into())
            ]
        );
        assert_eq!(parse_aliases("{}").unwrap(), Aliases::default());
        assert!(parse_aliases("{").is_none());
        let home = tempfile::tempdir().unwrap();
        assert_eq!(read_aliases(home.path()).unwrap(), Aliases::default());
        write(&home.path().join(".sfdx/alias.json"), "{");
        assert_eq!(
            read_aliases(home.path()).unwrap_err().name,
            "AliasFileParseError"
        );
    }
}
