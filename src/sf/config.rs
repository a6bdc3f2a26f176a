//! sf's config files, read the way `@salesforce/core` reads them (never written): a key's value
//! from the project's config, then the global one, and the API version sf is told to use.
//!
//! - **Project config** (`ConfigAggregator`, `resolveProjectPath`): only inside an sf project, i.e.
//!   when `sfdx-project.json` is found in the working directory or a parent (up to the filesystem
//!   root). Its config is `<project>/.sf/config.json`; a `.sf/config.json` outside a project is
//!   ignored. **Global config**: `<home>/.sf/config.json`.
//! - **sfdx interoperability** (on unless `SF_SFDX_INTEROPERABILITY` is set and not true): each
//!   location's `.sfdx/sfdx-config.json` (old key names: `defaultusername`, `apiVersion`) is merged
//!   in; per key, the file written last (modification time) wins, `config.json` on a tie.
//!
//! Which org a command means is in `target_org`, sf's aliases in `aliases`.

use crate::sf::home::{SfEnv, sf_dir, sfdx_dir};
use crate::{Error, Result};
use serde_json::{Map, Value};
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

const PROJECT_FILE: &str = "sfdx-project.json";

/// The API version sf is configured to use: `SF_ORG_API_VERSION` (old name `SFDX_API_VERSION`),
/// `SF_API_VERSION`, else `org-api-version` in the project's then the global config. Unreadable
/// config files count as unset here.
pub fn configured_api_version(cwd: &Path, home: &Path) -> Option<String> {
    configured_api_version_with(cwd, home, &SfEnv::from_process())
}

/// [`configured_api_version`] with the environment given.
pub fn configured_api_version_with(cwd: &Path, home: &Path, env: &SfEnv) -> Option<String> {
    for var in ["SF_ORG_API_VERSION", "SF_API_VERSION"] {
        if let Some(value) = env.get(var) {
            return Some(value.trim().to_string());
        }
    }
    let found = config_value(&ORG_API_VERSION, cwd, home, env).ok()??;
    match found.value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// A config key under its sf name and its old sfdx name.
pub struct ConfigKey {
    pub sf: &'static str,
    pub sfdx: &'static str,
}

pub const TARGET_ORG: ConfigKey = ConfigKey {
    sf: "target-org",
    sfdx: "defaultusername",
};
pub const ORG_API_VERSION: ConfigKey = ConfigKey {
    sf: "org-api-version",
    sfdx: "apiVersion",
};
pub const ORG_INSTANCE_URL: ConfigKey = ConfigKey {
    sf: "org-instance-url",
    sfdx: "instanceUrl",
};

/// A value found in a config file.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigValue {
    pub value: Value,
    /// The file it came from.
    pub path: PathBuf,
    /// From the project's config (else the global one).
    pub local: bool,
}

/// The project folder sf would use: the nearest of `cwd` and its parents that holds
/// `sfdx-project.json` (sf stops at the filesystem root, and at any error other than "not
/// found").
pub fn project_dir(cwd: &Path) -> Option<PathBuf> {
    let mut dir = normalize(cwd);
    loop {
        match std::fs::metadata(dir.join(PROJECT_FILE)) {
            Ok(_) => return Some(dir),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => return None,
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// An absolute path with `.` and `..` worked out by name, like Node's `path.resolve`.
fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A config key's value from the project's config, else the global config (environment
/// variables are the caller's business).
pub fn config_value(
    key: &ConfigKey,
    cwd: &Path,
    home: &Path,
    env: &SfEnv,
) -> Result<Option<ConfigValue>> {
    let interop = env
        .raw("SF_SFDX_INTEROPERABILITY")
        .is_none_or(|v| v.eq_ignore_ascii_case("true") || v == "1");
    if let Some(project) = project_dir(cwd)
        && let Some((value, path)) = location_value(key, &project, interop)?
    {
        return Ok(Some(ConfigValue {
            value,
            path,
            local: true,
        }));
    }
    Ok(
        location_value(key, home, interop)?.map(|(value, path)| ConfigValue {
            value,
            path,
            local: false,
        }),
    )
}

/// The key's value in one location (`<root>/.sf/config.json`, merged with
/// `<root>/.sfdx/sfdx-config.json` when `interop`).
fn location_value(key: &ConfigKey, root: &Path, interop: bool) -> Result<Option<(Value, PathBuf)>> {
    let sf_path = sf_dir(root).join("config.json");
    let sf = read_json_object(&sf_path)?;
    let from_sf = sf
        .as_ref()
        .and_then(|(map, mtime)| map.get(key.sf).map(|v| (v.clone(), *mtime)));
    if !interop {
        return Ok(from_sf.map(|(v, _)| (v, sf_path)));
    }
    let sfdx_path = sfdx_dir(root).join("sfdx-config.json");
    let sfdx = read_json_object(&sfdx_path)?;
    let from_sfdx = sfdx
        .as_ref()
        .and_then(|(map, mtime)| map.get(key.sfdx).map(|v| (v.clone(), *mtime)));
    Ok(match (from_sf, from_sfdx) {
        (Some((a, ta)), Some((b, tb))) => {
            if tb > ta {
                Some((b, sfdx_path))
            } else {
                Some((a, sf_path))
            }
        }
        (Some((a, _)), None) => Some((a, sf_path)),
        (None, Some((b, _))) => Some((b, sfdx_path)),
        (None, None) => None,
    })
}

/// A config file's object and its modification time.
type JsonFile = (Map<String, Value>, Option<SystemTime>);

/// A JSON object file and its modification time; `None` when the file does not exist.
fn read_json_object(path: &Path) -> Result<Option<JsonFile>> {
    let text = match crate::fsutil::read_bounded_text_if_present(path) {
        Ok(Some(text)) => text,
        Ok(None) => return Ok(None),
        Err(e) => {
            return Err(Error::new(
                "ConfigFileReadError",
                format!("Cannot read sf's config file {}: {e}.", path.display()),
            )
            .with_action(format!("Make {} readable, or remove it.", path.display())));
        }
    };
    let mtime = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(Some((map, mtime))),
        _ => Err(Error::new(
            "ConfigFileParseError",
            format!("sf's config file {} is not a JSON object.", path.display()),
        )
        .with_action(format!(
            "Fix the file (sf writes it as {{\"target-org\": \"<alias>\"}}), or remove it and run \"sf config set\" again: {}",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn no_env() -> SfEnv {
        SfEnv::default()
    }

    #[test]
    fn api_version() {
        let home = tempfile::tempdir().unwrap();
        let project = tempfile::tempdir().unwrap();
        write(&project.path().join("sfdx-project.json"), "{}");
        assert_eq!(
            configured_api_version_with(project.path(), home.path(), &no_env()),
            None
        );
        write(
            &home.path().join(".sf/config.json"),
            r#"{"org-api-version":"60.0"}"#,
        );
        assert_eq!(
            configured_api_version_with(project.path(), home.path(), &no_env()).as_deref(),
            Some("60.0")
        );
        write(
            &project.path().join(".sf/config.json"),
            r#"{"org-api-version":"61.0"}"#,
        );
        assert_eq!(
            configured_api_version_with(project.path(), home.path(), &no_env()).as_deref(),
            Some("61.0")
        );
        for var in ["SF_ORG_API_VERSION", "SFDX_API_VERSION", "SF_API_VERSION"] {
            let env = SfEnv::from_pairs([(var, "62.0")]);
            assert_eq!(
                configured_api_version_with(project.path(), home.path(), &env).as_deref(),
                Some("62.0"),
                "{var}"
            );
        }
    }
}
