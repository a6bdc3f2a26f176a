//! `config init`: a sandbox's entry written into the project file, everything else in the file
//! kept as it was (key order included).

use super::{ProjectConfig, SECTION, SandboxConfig, check};
use crate::protocol::{Error, Result};
use serde_json::{Map, Value};
use std::path::Path;

/// The document with `entry` merged into `plugins.logik-refresh.sandboxes.<sandbox>`: the
/// fields given replace those there, the others are kept. Returns the new document and the
/// merged entry, checked like any config.
pub fn merge_entry(
    document: Value,
    sandbox: &str,
    entry: &SandboxConfig,
    path: &Path,
) -> Result<(Value, SandboxConfig)> {
    let Value::Object(mut root) = document else {
        return Err(Error::input(
            "InvalidConfigError",
            format!("{} does not hold a JSON object.", path.display()),
        ));
    };
    let plugins = object_at(&mut root, "plugins", path)?;
    let section = object_at(plugins, SECTION, path)?;
    let sandboxes = object_at(section, "sandboxes", path)?;
    let key = sandboxes
        .keys()
        .find(|k| k.eq_ignore_ascii_case(sandbox))
        .cloned()
        .unwrap_or_else(|| sandbox.to_ascii_lowercase());
    let existing = object_at(sandboxes, &key, path)?;
    if let Value::Object(fields) = serde_json::to_value(entry).expect("config serializes") {
        for (name, value) in fields {
            existing.insert(name, value);
        }
    }
    let root = Value::Object(root);
    let section = root
        .pointer(&format!("/plugins/{SECTION}"))
        .cloned()
        .unwrap_or(Value::Null);
    let config: ProjectConfig = check(&section, path)?;
    let merged = config.sandboxes.get(&key).cloned().unwrap_or_default();
    Ok((root, merged))
}

fn object_at<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
    path: &Path,
) -> Result<&'a mut Map<String, Value>> {
    let value = map
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    match value {
        Value::Object(inner) => Ok(inner),
        _ => Err(Error::input(
            "InvalidConfigError",
            format!("{}: {key} is not a JSON object.", path.display()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_the_rest_of_the_file_and_the_entry() {
        let doc = json!({"packageDirectories": [{"path": "force-app", "default": true}],
            "plugins": {"other": {"x": 1}, "logik-refresh": {"sandboxes": {"UAT": {"cpqAdmins": ["jane@acme.com"]}}}}});
        let entry = SandboxConfig {
            runtime_url: Some("https://acme-uat.test.logik.io".into()),
            ..SandboxConfig::default()
        };
        let (doc, merged) = merge_entry(doc, "uat", &entry, Path::new("p.json")).unwrap();
        assert_eq!(doc["packageDirectories"][0]["path"], "force-app");
        assert_eq!(doc["plugins"]["other"]["x"], 1);
        assert_eq!(merged.cpq_admins, vec!["jane@acme.com".to_string()]);
        assert_eq!(
            doc["plugins"]["logik-refresh"]["sandboxes"]["UAT"]["runtimeUrl"],
            "https://acme-uat.test.logik.io"
        );
    }
}
