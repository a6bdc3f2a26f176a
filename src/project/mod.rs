//! The project's settings for this tool: the `plugins.logik-refresh` section of the sf project's
//! `sfdx-project.json` (sf's place for plugin settings; its schema allows any object under
//! `plugins`), found as sf finds its project (the working directory, then each parent, up to the
//! filesystem root), or read from `--config FILE`. What a sandbox needs for `run` is written
//! once, by sandbox name, with usernames as they are in production: the tool adds the sandbox
//! suffix (`jane@acme.com` becomes `jane@acme.com.uat` in sandbox `uat`), as a refresh does.

pub mod init;

use crate::case::payload::{CPQ_URL_PATTERN, USERNAME_PATTERN};
use crate::case::validate::{Violation, invalid_document_error, read_json_file, schema_violations};
use crate::org::tenant::parse_tenant_url;
use crate::protocol::{Error, Result};
use schemars::{JsonSchema, schema_for};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// sf's project file.
pub const PROJECT_FILE: &str = "sfdx-project.json";
/// The key of this tool's section under `plugins`.
pub const SECTION: &str = "logik-refresh";
/// A sandbox name as Salesforce allows it: a letter, then letters and digits, 10 at most.
pub const SANDBOX_NAME_PATTERN: &str = "^[A-Za-z][A-Za-z0-9]{0,9}$";

/// `plugins.logik-refresh` in `sfdx-project.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectConfig {
    /// The production CPQ tenant, for the support case (`case build --cpq-url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = CPQ_URL_PATTERN), example = &"https://acme.test.logik.io")]
    pub cpq_url: Option<String>,
    /// Each sandbox, by its name as Setup > Sandboxes shows it (`uat`).
    #[serde(default)]
    #[schemars(extend("propertyNames" = {"pattern": SANDBOX_NAME_PATTERN}))]
    pub sandboxes: BTreeMap<String, SandboxConfig>,
}

/// What one sandbox's `run` needs; every field is optional (a flag wins over it, and it over the
/// sandbox's snapshot).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SandboxConfig {
    /// The sf alias or username of the sandbox, for `run --all` (default: the sandbox's name as
    /// the alias).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 255), example = &"acme-uat")]
    pub target_org: Option<String>,
    /// The sandbox's CPQ tenant runtime site (`run --runtime-url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = CPQ_URL_PATTERN), example = &"https://acme-uat.test.logik.io")]
    pub runtime_url: Option<String>,
    /// The tenant's administration site, when not the runtime site (`run --admin-url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = CPQ_URL_PATTERN))]
    pub admin_url: Option<String>,
    /// CPQ Admins for the support case, as production usernames (`case build --cpq-admin`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(regex(pattern = USERNAME_PATTERN)), extend("uniqueItems" = true))]
    pub cpq_admins: Vec<String>,
    /// CPQ Admin's Refresh Token Username, as a production username (`run --refresh-token-user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = USERNAME_PATTERN), example = &"integration@acme.com")]
    pub refresh_token_user: Option<String>,
    /// The Runtime Clients to re-create (`run --client NAME=USERNAME`); `[]` when the org calls
    /// no Runtime API (`run --no-runtime-clients`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_clients: Option<Vec<RuntimeClientConfig>>,
    /// Also check and fix the tenant in Trusted URLs and Remote Site Settings (`run --trusted-urls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_urls: Option<bool>,
    /// Also touch the configurable products (`run --touch-products`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touch_products: Option<bool>,
}

/// One Runtime Client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuntimeClientConfig {
    /// The client's name in CPQ Admin.
    #[schemars(length(min = 1, max = 80), example = &"web-store")]
    pub name: String,
    /// The Salesforce user it calls as, as a production username.
    #[schemars(regex(pattern = USERNAME_PATTERN), example = &"integration@acme.com")]
    pub username: String,
}

/// The section as read, and where from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub config: ProjectConfig,
}

impl LoadedConfig {
    /// The entry of a sandbox (names compare without case, as Salesforce's do).
    pub fn sandbox(&self, name: &str) -> Option<&SandboxConfig> {
        self.config
            .sandboxes
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, entry)| entry)
    }
}

/// A production username as it is in the sandbox: the sandbox name appended, as a refresh does
/// (already suffixed names are left alone).
pub fn sandbox_username(username: &str, sandbox: &str) -> String {
    let suffix = format!(".{}", sandbox.to_ascii_lowercase());
    if username.to_ascii_lowercase().ends_with(&suffix) {
        username.to_string()
    } else {
        format!("{username}{suffix}")
    }
}

/// The project file sf would use from `cwd`.
pub fn find_project_file(cwd: &Path) -> Option<PathBuf> {
    crate::sf::config::project_dir(cwd).map(|dir| dir.join(PROJECT_FILE))
}

/// The config: `--config FILE` when given (it must exist and hold the section), else the sf
/// project's, when there is one with the section. Invalid content is an error listing every
/// problem (exit 2).
pub fn load(explicit: Option<&Path>) -> Result<Option<LoadedConfig>> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => {
            let cwd = std::env::current_dir().map_err(|e| {
                Error::new(
                    "WorkingDirectoryError",
                    format!("No working directory: {e}"),
                )
            })?;
            match find_project_file(&cwd) {
                Some(path) => path,
                None => return Ok(None),
            }
        }
    };
    let document = read_project_file(&path)?;
    let Some(section) = section_of(&document, &path)? else {
        if explicit.is_some() {
            return Err(Error::input(
                "NoConfigSectionError",
                format!("{} has no plugins.{SECTION} section.", path.display()),
            )
            .with_action("Write one for a sandbox with: logik-refresh config init -o <alias>"));
        }
        return Ok(None);
    };
    let config = check(section, &path)?;
    Ok(Some(LoadedConfig { path, config }))
}

/// This tool's section of a project file, if it has one. A file of the wrong shape (not an
/// object, or `plugins` not an object) is an error, not a file without the section: it may
/// hold settings meant for this tool that would otherwise be silently ignored.
pub fn section_of<'a>(document: &'a Value, path: &Path) -> Result<Option<&'a Value>> {
    let shape = |what: &str| {
        Error::input(
            "InvalidConfigError",
            format!("{}: {what} is not a JSON object.", path.display()),
        )
        .with_action(format!(
            "Make it one, as sf expects ({{\"plugins\": {{\"{SECTION}\": {{\"sandboxes\": {{}}}}}}}}); nothing was changed."
        ))
        .with_action("Or write a sandbox's entry with: logik-refresh config init -o <alias>")
    };
    let Value::Object(root) = document else {
        return Err(shape("the file"));
    };
    match root.get("plugins") {
        None => Ok(None),
        Some(Value::Object(plugins)) => Ok(plugins.get(SECTION)),
        Some(_) => Err(shape("plugins")),
    }
}

/// Reads a project file: a regular file, bounded, JSON.
pub fn read_project_file(path: &Path) -> Result<Value> {
    read_json_file(path, "ConfigFileError")
}

/// Validates the section and deserializes it, or fails with the problems (the first hundred
/// listed, the rest counted).
pub fn check(section: &Value, path: &Path) -> Result<ProjectConfig> {
    let violations = validate(section);
    if !violations.is_empty() {
        return Err(invalid_document_error(
            "InvalidConfigError",
            &path.display().to_string(),
            &format!("plugins.{SECTION} section"),
            "project-config",
            &violations,
            format!(
                "Fix the fields listed in {} (data.errors has them as JSON paths); nothing was changed.",
                path.display()
            ),
        ));
    }
    serde_json::from_value(section.clone()).map_err(|e| {
        Error::input(
            "InvalidConfigError",
            format!("{}: plugins.{SECTION} is not valid: {e}", path.display()),
        )
        .with_action(format!(
            "Fix the section in {}; nothing was changed.",
            path.display()
        ))
    })
}

/// Every problem of the section, with paths from the project file's root. Linear in the size
/// of the section: every check looks things up by key, never by scanning what was found.
pub fn validate(section: &Value) -> Vec<Violation> {
    let mut out: Vec<Violation> = schema_violations(&schema(), section)
        .into_iter()
        .map(rooted)
        .collect();
    // What a schema cannot say: the URLs are CPQ tenant sites.
    let flagged: HashSet<String> = out.iter().map(|v| v.pointer.clone()).collect();
    let mut extra = Vec::new();
    let mut url_at = |pointer: String, path: String| {
        let rooted_pointer = format!("/plugins/{SECTION}{pointer}");
        let Some(text) = section
            .pointer(&pointer)
            .and_then(Value::as_str)
            .filter(|_| !flagged.contains(&rooted_pointer))
        else {
            return;
        };
        if let Err(err) = parse_tenant_url(text, "the URL", false) {
            extra.push(Violation {
                path: format!("$.plugins['{SECTION}']{path}"),
                pointer: rooted_pointer,
                message: err.message,
            });
        }
    };
    url_at("/cpqUrl".into(), ".cpqUrl".into());
    if let Some(sandboxes) = section.get("sandboxes").and_then(Value::as_object) {
        // The schema's propertyNames says so at the object; say it at each bad name instead.
        let bad: Vec<&String> = sandboxes.keys().filter(|k| !is_sandbox_name(k)).collect();
        if !bad.is_empty() {
            let at = format!("/plugins/{SECTION}/sandboxes");
            out.retain(|v| v.pointer != at);
        }
        for name in bad {
            out.push(Violation {
                path: format!("$.plugins['{SECTION}'].sandboxes{}", key_path(name)),
                pointer: sandbox_pointer(name),
                message: "is not a sandbox name (a letter, then letters and digits, 10 at most)"
                    .into(),
            });
        }
        // Salesforce's sandbox names do not differ by case (the name is the lower-case label
        // of the sandbox's My Domain host and username suffix): `UAT` after `uat` is the same
        // sandbox, and which entry would win is not for the file's key order to decide.
        let mut first_by_name: HashMap<String, &String> = HashMap::new();
        for name in sandboxes.keys() {
            match first_by_name.get(&name.to_ascii_lowercase()) {
                Some(first) => out.push(Violation {
                    path: format!("$.plugins['{SECTION}'].sandboxes{}", key_path(name)),
                    pointer: sandbox_pointer(name),
                    message: format!(
                        "is the same sandbox as \"{first}\" (sandbox names do not differ by case): keep one entry"
                    ),
                }),
                None => {
                    first_by_name.insert(name.to_ascii_lowercase(), name);
                }
            }
        }
        for name in sandboxes.keys() {
            for field in ["runtimeUrl", "adminUrl"] {
                let key = name.replace('~', "~0").replace('/', "~1");
                url_at(
                    format!("/sandboxes/{key}/{field}"),
                    format!(".sandboxes{}.{field}", key_path(name)),
                );
            }
        }
    }
    out.extend(extra);
    out
}

/// A sandbox's entry as a JSON Pointer from the project file's root.
fn sandbox_pointer(name: &str) -> String {
    format!(
        "/plugins/{SECTION}/sandboxes/{}",
        name.replace('~', "~0").replace('/', "~1")
    )
}

/// A sandbox name as Salesforce allows it ([`SANDBOX_NAME_PATTERN`]).
pub fn is_sandbox_name(name: &str) -> bool {
    crate::path_part::is_sandbox_name(name)
}

/// An object key in a JSONPath, as `case validate` writes them: `.uat`, else `['a-b']`.
fn key_path(key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        format!(".{key}")
    } else {
        format!("['{}']", key.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

/// A violation of the section, with its path from the project file's root.
fn rooted(v: Violation) -> Violation {
    Violation {
        path: format!("$.plugins['{SECTION}']{}", &v.path[1..]),
        pointer: format!("/plugins/{SECTION}{}", v.pointer),
        message: v.message,
    }
}

/// The section's JSON Schema.
pub fn schema() -> Value {
    schema_for!(ProjectConfig).to_value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn usernames_get_the_sandbox_suffix_once() {
        assert_eq!(
            sandbox_username("jane@acme.com", "UAT"),
            "jane@acme.com.uat"
        );
        assert_eq!(
            sandbox_username("jane@acme.com.uat", "uat"),
            "jane@acme.com.uat"
        );
    }

    #[test]
    fn every_problem_with_its_path() {
        let section = json!({
            "cpqUrl": "http://acme.test.logik.io",
            "sandboxes": {
                "uat": {"runtimeUrl": "https://acme-uat.example.com", "cpqAdmins": ["jane"],
                        "trustedUrls": "yes", "colour": 1},
                "not-a-name": {}
            }
        });
        let paths: Vec<String> = validate(&section).into_iter().map(|v| v.path).collect();
        for expected in [
            "$.plugins['logik-refresh'].cpqUrl",
            "$.plugins['logik-refresh'].sandboxes.uat.cpqAdmins[0]",
            "$.plugins['logik-refresh'].sandboxes.uat.trustedUrls",
            "$.plugins['logik-refresh'].sandboxes.uat.colour",
            "$.plugins['logik-refresh'].sandboxes.uat.runtimeUrl",
        ] {
            assert!(
                paths.iter().any(|p| p == expected),
                "{expected} in {paths:#?}"
            );
        }
        assert!(
            paths
                .iter()
                .any(|p| p.starts_with("$.plugins['logik-refresh'].sandboxes")
                    && p.contains("not-a-name")),
            "{paths:#?}"
        );
    }

    #[test]
    fn a_good_section_reads() {
        let section = json!({"sandboxes": {"uat": {"runtimeUrl": "https://acme-uat.test.logik.io",
            "runtimeClients": [{"name": "web", "username": "api@acme.com"}]}}});
        assert!(validate(&section).is_empty());
        let config = check(&section, Path::new("sfdx-project.json")).unwrap();
        assert_eq!(
            config.sandboxes["uat"].runtime_clients.as_ref().unwrap()[0].name,
            "web"
        );
    }
}
