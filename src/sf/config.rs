//! sf's config and aliases, read the way `@salesforce/core` reads them (never written).
//!
//! - **Which org** (`-o/--target-org`, else the default): the flag's value; else the environment
//!   (`SF_TARGET_ORG`, or its old name `SFDX_DEFAULTUSERNAME`, or `SF_DEFAULTUSERNAME`); else
//!   `target-org` in the project's config; else in the global config.
//! - **Project config** (`ConfigAggregator`, `resolveProjectPath`): only inside an sf project, i.e.
//!   when `sfdx-project.json` is found in the working directory or a parent (up to the filesystem
//!   root). Its config is `<project>/.sf/config.json`; a `.sf/config.json` outside a project is
//!   ignored. **Global config**: `<home>/.sf/config.json`.
//! - **sfdx interoperability** (on unless `SF_SFDX_INTEROPERABILITY` is set and not true): each
//!   location's `.sfdx/sfdx-config.json` (old key names: `defaultusername`, `apiVersion`) is merged
//!   in; per key, the file written last (modification time) wins, `config.json` on a tie.
//! - **Aliases** (`AliasAccessor`): `<home>/.sfdx/alias.json`, `{"orgs":{"<alias>":"<username>"}}`
//!   (sf reads no other alias file). A name that is not an alias is a username.
//! - **The org must exist**: sf looks for the auth file `<home>/.sfdx/<username>.json`; without it
//!   the error is `NamedOrgNotFoundError` with the closest username or alias as a suggestion.

use crate::sf::authfile::{auth_file_path, list_auth_usernames};
use crate::sf::home::{SfEnv, sf_dir, sfdx_dir};
use crate::{Error, Result};
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

const PROJECT_FILE: &str = "sfdx-project.json";

/// Where the target org's name came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum TargetOrgSource {
    /// `-o/--target-org`.
    Flag,
    /// An environment variable (its name).
    Environment { variable: String },
    /// `target-org` in the project's config file.
    LocalConfig { path: PathBuf },
    /// `target-org` in the global config file.
    GlobalConfig { path: PathBuf },
}

impl fmt::Display for TargetOrgSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetOrgSource::Flag => f.write_str("--target-org"),
            TargetOrgSource::Environment { variable } => write!(f, "${variable}"),
            TargetOrgSource::LocalConfig { path } | TargetOrgSource::GlobalConfig { path } => {
                write!(f, "target-org in {}", path.display())
            }
        }
    }
}

/// The org a command runs against: its username, its alias (the one given, or the first alias
/// pointing at the username), and where the name came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetOrg {
    pub username: String,
    pub alias: Option<String>,
    pub source: TargetOrgSource,
}

/// Resolves `-o/--target-org` (or the default org) to a username, as sf does. `Ok(None)` when
/// neither the flag nor sf's environment or config names an org.
pub fn resolve_target_org(
    flag: Option<&str>,
    cwd: &Path,
    home: &Path,
) -> Result<Option<TargetOrg>> {
    resolve_target_org_with(flag, cwd, home, &SfEnv::from_process())
}

/// [`resolve_target_org`] with the environment given.
pub fn resolve_target_org_with(
    flag: Option<&str>,
    cwd: &Path,
    home: &Path,
    env: &SfEnv,
) -> Result<Option<TargetOrg>> {
    let (name, source) = match flag {
        Some(value) => {
            let value = value.trim();
            if value.is_empty() {
                return Err(Error::input(
                    "NoDefaultEnvError",
                    "--target-org was given an empty value.",
                )
                .with_action("Pass the alias or username of an org: -o <alias>."));
            }
            (value.to_string(), TargetOrgSource::Flag)
        }
        None => match default_target_org(cwd, home, env)? {
            Some(found) => found,
            None => return Ok(None),
        },
    };

    if looks_like_access_token(&name) {
        return Err(Error::input(
            "TargetOrgIsAccessTokenError",
            format!(
                "The target org given by {source} looks like an access token, not a username or \
                 alias; it is not shown here."
            ),
        )
        .with_action("Pass a username or alias with -o, or set SF_ACCESS_TOKEN and SF_ORG_INSTANCE_URL to use a token.")
        .with_action("Treat the token as exposed if it was typed into a shared shell history."));
    }

    let aliases = read_aliases(home)?;
    let (username, alias) = match aliases.username_of(&name) {
        Some(username) => (username.to_string(), Some(name.clone())),
        None => (name.clone(), aliases.alias_of(&name).map(str::to_string)),
    };

    let exists = auth_file_path(home, &username).is_some_and(|path| path.is_file());
    if !exists {
        return Err(named_org_not_found(
            &name, &username, &source, home, &aliases,
        ));
    }
    Ok(Some(TargetOrg {
        username,
        alias,
        source,
    }))
}

/// sf's `accessTokenRegex` (`00D` + 12 to 15 word characters + `!`): sf takes such a `-o`
/// value as a token.
fn looks_like_access_token(value: &str) -> bool {
    let bytes = value.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    bytes.windows(3).enumerate().any(|(i, w)| {
        if w != b"00D" {
            return false;
        }
        let rest = &bytes[i + 3..];
        let run = rest.iter().take_while(|b| word(b)).count();
        (12..=15).any(|n| n <= run && rest.get(n) == Some(&b'!'))
    })
}

fn named_org_not_found(
    name: &str,
    username: &str,
    source: &TargetOrgSource,
    home: &Path,
    aliases: &Aliases,
) -> Error {
    let what = if name == username {
        name.to_string()
    } else {
        format!("{name} (an alias of {username})")
    };
    let message = match source {
        TargetOrgSource::Flag => format!("No authorization information found for {what}."),
        other => {
            format!("No authorization information found for {what}, the default org from {other}.")
        }
    };
    // sf suggests among the auth files' usernames and the aliases.
    let mut candidates = list_auth_usernames(home);
    candidates.extend(aliases.entries.iter().map(|(alias, _)| alias.clone()));
    let mut err = Error::input("NamedOrgNotFoundError", message).with_data(serde_json::json!({
        "targetOrg": name,
        "username": username,
        "source": source,
    }));
    if let Some(guess) = closest(username, &candidates) {
        err = err.with_action(format!(
            "It looks like you mistyped the username or alias. Did you mean \"{guess}\"?"
        ));
    }
    err = err.with_action(format!(
        "Run \"sf org login web --alias {name}\" to log in to the org, then run the command again."
    ));
    match source {
        TargetOrgSource::Environment { variable } => err.with_action(format!(
            "Or change or unset {variable}, which names the default org."
        )),
        TargetOrgSource::LocalConfig { .. } | TargetOrgSource::GlobalConfig { .. } => {
            err.with_action("Or set another default org: sf config set target-org <alias>.")
        }
        TargetOrgSource::Flag => err,
    }
}

/// The candidate nearest to `needle` by edit distance, like sf's `findSuggestion` (which always
/// offers its best guess; on a tie, the later candidate).
fn closest(needle: &str, candidates: &[String]) -> Option<String> {
    let mut best: Option<(usize, &String)> = None;
    for candidate in candidates {
        let d = crate::text::edit_distance(needle, candidate);
        if best.is_none_or(|(bd, _)| d <= bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c.clone())
}

/// The default org's name and where it came from, or `None`.
fn default_target_org(
    cwd: &Path,
    home: &Path,
    env: &SfEnv,
) -> Result<Option<(String, TargetOrgSource)>> {
    // ConfigAggregator: SF_TARGET_ORG (SFDX_DEFAULTUSERNAME is its old name) beats
    // SF_DEFAULTUSERNAME (the env form of the deprecated `defaultusername` key).
    for var in ["SF_TARGET_ORG", "SF_DEFAULTUSERNAME"] {
        if let Some(value) = env.get(var) {
            let variable = env.source_of(var).unwrap_or(var).to_string();
            return Ok(Some((
                value.trim().to_string(),
                TargetOrgSource::Environment { variable },
            )));
        }
    }
    match config_value(&TARGET_ORG, cwd, home, env)? {
        Some(found) => {
            let Some(name) = found
                .value
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            else {
                // sf: an empty or non-text value is no default org.
                return Ok(None);
            };
            let source = if found.local {
                TargetOrgSource::LocalConfig { path: found.path }
            } else {
                TargetOrgSource::GlobalConfig { path: found.path }
            };
            Ok(Some((name.to_string(), source)))
        }
        None => Ok(None),
    }
}

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

/// A JSON object file and its modification time; `None` when the file does not exist.
/// A config file's object and its modification time.
type JsonFile = (Map<String, Value>, Option<SystemTime>);

fn read_json_object(path: &Path) -> Result<Option<JsonFile>> {
    let text = match crate::fsutil::read_bounded_text(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Ok(None),
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
    let text = match crate::fsutil::read_bounded_text(&path) {
        Ok(text) => text,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(Aliases::default());
        }
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
    use std::fs;

    const USER: &str = "admin@acme.com.uat";

    /// A home with one logged-in org (`admin@acme.com.uat`, alias `uat`).
    fn home() -> tempfile::TempDir {
        let home = tempfile::tempdir().unwrap();
        let sfdx = home.path().join(".sfdx");
        fs::create_dir_all(&sfdx).unwrap();
        fs::write(
            sfdx.join(format!("{USER}.json")),
            format!(r#"{{"username":"{USER}"}}"#),
        )
        .unwrap();
        fs::write(
            sfdx.join("prod@acme.com.json"),
            r#"{"username":"prod@acme.com"}"#,
        )
        .unwrap();
        fs::write(
            sfdx.join("alias.json"),
            format!(
                r#"{{"orgs":{{"uat":"{USER}","prod":"prod@acme.com","gone":"gone@acme.com"}}}}"#
            ),
        )
        .unwrap();
        home
    }

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn no_env() -> SfEnv {
        SfEnv::default()
    }

    #[test]
    fn flag_alias_resolves_to_username() {
        let home = home();
        let org = resolve_target_org_with(Some("uat"), home.path(), home.path(), &no_env())
            .unwrap()
            .unwrap();
        assert_eq!(org.username, USER);
        assert_eq!(org.alias.as_deref(), Some("uat"));
        assert_eq!(org.source, TargetOrgSource::Flag);
    }

    #[test]
    fn flag_username_gets_its_alias() {
        let home = home();
        let org = resolve_target_org_with(Some(USER), home.path(), home.path(), &no_env())
            .unwrap()
            .unwrap();
        assert_eq!(org.username, USER);
        assert_eq!(org.alias.as_deref(), Some("uat"));
    }

    #[test]
    fn nothing_configured_is_none() {
        let home = home();
        let cwd = tempfile::tempdir().unwrap();
        assert_eq!(
            resolve_target_org_with(None, cwd.path(), home.path(), &no_env()).unwrap(),
            None
        );
    }

    #[test]
    fn global_config() {
        let home = home();
        let cwd = tempfile::tempdir().unwrap();
        let global = home.path().join(".sf/config.json");
        write(&global, r#"{"target-org":"prod"}"#);
        let org = resolve_target_org_with(None, cwd.path(), home.path(), &no_env())
            .unwrap()
            .unwrap();
        assert_eq!(org.username, "prod@acme.com");
        assert_eq!(org.source, TargetOrgSource::GlobalConfig { path: global });
    }

    #[test]
    fn local_config_beats_global_inside_a_project_only() {
        let home = home();
        write(
            &home.path().join(".sf/config.json"),
            r#"{"target-org":"prod"}"#,
        );
        let project = tempfile::tempdir().unwrap();
        let local = project.path().join(".sf/config.json");
        write(&local, r#"{"target-org":"uat"}"#);
        let sub = project.path().join("force-app/main");
        fs::create_dir_all(&sub).unwrap();

        // no sfdx-project.json: sf ignores the folder's .sf/config.json
        let org = resolve_target_org_with(None, &sub, home.path(), &no_env())
            .unwrap()
            .unwrap();
        assert_eq!(org.username, "prod@acme.com");

        write(&project.path().join("sfdx-project.json"), "{}");
        let org = resolve_target_org_with(None, &sub, home.path(), &no_env())
            .unwrap()
            .unwrap();
        assert_eq!(org.username, USER);
        assert_eq!(org.source, TargetOrgSource::LocalConfig { path: local });
        assert_eq!(
            project_dir(&sub.join("..").join("main")).unwrap(),
            project.path()
        );
    }

    #[test]
    fn env_beats_config_and_flag_beats_env() {
        let home = home();
        write(
            &home.path().join(".sf/config.json"),
            r#"{"target-org":"prod"}"#,
        );
        let cwd = tempfile::tempdir().unwrap();
        let env = SfEnv::from_pairs([("SF_TARGET_ORG", "uat")]);
        let org = resolve_target_org_with(None, cwd.path(), home.path(), &env)
            .unwrap()
            .unwrap();
        assert_eq!(org.username, USER);
        assert_eq!(
            org.source,
            TargetOrgSource::Environment {
                variable: "SF_TARGET_ORG".into()
            }
        );
        let org = resolve_target_org_with(Some("prod"), cwd.path(), home.path(), &env)
            .unwrap()
            .unwrap();
        assert_eq!(org.username, "prod@acme.com");

        for var in ["SFDX_DEFAULTUSERNAME", "SF_DEFAULTUSERNAME"] {
            let env = SfEnv::from_pairs([(var, "uat")]);
            let org = resolve_target_org_with(None, cwd.path(), home.path(), &env)
                .unwrap()
                .unwrap();
            assert_eq!(org.username, USER);
            assert_eq!(org.source.to_string(), format!("${var}"));
        }
        // SF_TARGET_ORG wins over the deprecated SF_DEFAULTUSERNAME
        let env = SfEnv::from_pairs([("SF_DEFAULTUSERNAME", "uat"), ("SF_TARGET_ORG", "prod")]);
        let org = resolve_target_org_with(None, cwd.path(), home.path(), &env)
            .unwrap()
            .unwrap();
        assert_eq!(org.username, "prod@acme.com");
        // an empty variable is unset
        let env = SfEnv::from_pairs([("SF_TARGET_ORG", "")]);
        let org = resolve_target_org_with(None, cwd.path(), home.path(), &env)
            .unwrap()
            .unwrap();
        assert_eq!(org.username, "prod@acme.com");
    }

    #[test]
    fn sfdx_config_newer_wins() {
        let home = home();
        let cwd = tempfile::tempdir().unwrap();
        let sf_file = home.path().join(".sf/config.json");
        let sfdx_file = home.path().join(".sfdx/sfdx-config.json");
        write(&sf_file, r#"{"target-org":"prod"}"#);
        write(
            &sfdx_file,
            r#"{"defaultusername":"uat","apiVersion":"61.0"}"#,
        );
        let old = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        let new = old + std::time::Duration::from_secs(60);
        let set = |p: &Path, t| {
            fs::File::options()
                .write(true)
                .open(p)
                .unwrap()
                .set_modified(t)
                .unwrap()
        };

        set(&sf_file, new);
        set(&sfdx_file, old);
        let org = resolve_target_org_with(None, cwd.path(), home.path(), &no_env())
            .unwrap()
            .unwrap();
        assert_eq!(org.username, "prod@acme.com");
        // a key only the sfdx file has is used whatever its age
        assert_eq!(
            configured_api_version_with(cwd.path(), home.path(), &no_env()).as_deref(),
            Some("61.0")
        );

        set(&sfdx_file, new + std::time::Duration::from_secs(1));
        let org = resolve_target_org_with(None, cwd.path(), home.path(), &no_env())
            .unwrap()
            .unwrap();
        assert_eq!(org.username, USER);
        assert_eq!(
            org.source,
            TargetOrgSource::GlobalConfig { path: sfdx_file }
        );

        let env = SfEnv::from_pairs([("SF_SFDX_INTEROPERABILITY", "false")]);
        let org = resolve_target_org_with(None, cwd.path(), home.path(), &env)
            .unwrap()
            .unwrap();
        assert_eq!(org.username, "prod@acme.com");
    }

    #[test]
    fn unknown_alias_with_suggestion() {
        let home = home();
        let err =
            resolve_target_org_with(Some("uta"), home.path(), home.path(), &no_env()).unwrap_err();
        assert_eq!(err.name, "NamedOrgNotFoundError");
        assert_eq!(err.exit, crate::protocol::exit::ExitStatus::Usage);
        assert_eq!(err.message, "No authorization information found for uta.");
        assert_eq!(
            err.actions[0],
            "It looks like you mistyped the username or alias. Did you mean \"uat\"?"
        );
        assert!(err.actions[1].contains("sf org login web --alias uta"));
    }

    #[test]
    fn alias_without_auth_file() {
        let home = home();
        let err =
            resolve_target_org_with(Some("gone"), home.path(), home.path(), &no_env()).unwrap_err();
        assert_eq!(err.name, "NamedOrgNotFoundError");
        assert!(
            err.message.contains("gone (an alias of gone@acme.com)"),
            "{}",
            err.message
        );
    }

    #[test]
    fn default_org_without_auth_file_says_where_it_is_set() {
        let home = home();
        let cwd = tempfile::tempdir().unwrap();
        write(
            &home.path().join(".sf/config.json"),
            r#"{"target-org":"nosuch"}"#,
        );
        let err = resolve_target_org_with(None, cwd.path(), home.path(), &no_env()).unwrap_err();
        assert_eq!(err.name, "NamedOrgNotFoundError");
        assert!(err.message.contains("target-org in"), "{}", err.message);
        assert!(
            err.actions
                .iter()
                .any(|a| a.contains("sf config set target-org"))
        );
    }

    #[test]
    fn empty_or_odd_values() {
        let home = home();
        let cwd = tempfile::tempdir().unwrap();
        let err =
            resolve_target_org_with(Some("  "), cwd.path(), home.path(), &no_env()).unwrap_err();
        assert_eq!(err.exit, crate::protocol::exit::ExitStatus::Usage);
        write(&home.path().join(".sf/config.json"), r#"{"target-org":""}"#);
        assert_eq!(
            resolve_target_org_with(None, cwd.path(), home.path(), &no_env()).unwrap(),
            None
        );
        write(&home.path().join(".sf/config.json"), "not json");
        let err = resolve_target_org_with(None, cwd.path(), home.path(), &no_env()).unwrap_err();
        assert_eq!(err.name, "ConfigFileParseError");
        // a path is never a username
        let err =
            resolve_target_org_with(Some("../.sfdx/alias"), cwd.path(), home.path(), &no_env())
                .unwrap_err();
        assert_eq!(err.name, "NamedOrgNotFoundError");
    }

    #[test]
    fn access_token_as_target_org_is_refused_without_echo() {
        let home = home();
        let token = "00D5e000000AbCd!AQ4AQKnownTokenValue.For_Tests";
        let err =
            resolve_target_org_with(Some(token), home.path(), home.path(), &no_env()).unwrap_err();
        assert_eq!(err.name, "TargetOrgIsAccessTokenError");
        let all = format!("{} {:?} {:?}", err.message, err.actions, err.data);
        assert!(!all.contains("KnownToken"), "{all}");
        assert!(!looks_like_access_token(USER));
        assert!(!looks_like_access_token("00Dshort!x"));
    }

    #[test]
    fn api_version() {
        let home = home();
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

    #[test]
    fn suggestions_like_sf() {
        let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(closest("nosuch", &c(&["uat"])).as_deref(), Some("uat"));
        assert_eq!(
            closest("prdo", &c(&["uat", "prod", "dev"])).as_deref(),
            Some("prod")
        );
        assert_eq!(closest("x", &[]), None);
        assert_eq!(crate::text::edit_distance("kitten", "sitting"), 3);
        assert_eq!(crate::text::edit_distance("", "abc"), 3);
        assert_eq!(crate::text::edit_distance("é", "e"), 1);
    }
}
