//! Which org a command means, decided the way `@salesforce/core` decides it (never written):
//!
//! - **Which org** (`-o/--target-org`, else the default): the flag's value; else the environment
//!   (`SF_TARGET_ORG`, or its old name `SFDX_DEFAULTUSERNAME`, or `SF_DEFAULTUSERNAME`); else
//!   `target-org` in the project's config; else in the global config (see `config`).
//! - A name that is an alias (see `aliases`) stands for its username; any other is a username.
//! - **The org must exist**: sf looks for the auth file `<home>/.sfdx/<username>.json`; without it
//!   the error is `NamedOrgNotFoundError` with the closest username or alias as a suggestion.

use crate::sf::aliases::{Aliases, read_aliases};
use crate::sf::authfile::{auth_file_path, list_auth_usernames};
use crate::sf::config::{TARGET_ORG, config_value};
use crate::sf::home::SfEnv;
use crate::{Error, Result};
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

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

/// What makes two `-o` values the same org, so an org named twice (`-o s20` and
/// `-o admin@acme.com.s20`, or two users of one org) is seen as one: the org ID in sf's auth
/// file, else the username the value stands for (usernames do not differ by case), else the
/// value itself, when sf knows no such org (its run then says so).
pub fn org_key(flag: &str, cwd: &Path, home: &Path) -> String {
    let Ok(Some(target)) = resolve_target_org(Some(flag), cwd, home) else {
        return format!("name:{}", flag.trim().to_ascii_lowercase());
    };
    let org_id = crate::sf::authfile::read_auth_file(home, &target.username)
        .ok()
        .and_then(|auth| {
            auth.text("orgId")
                .and_then(|id| crate::salesforce::ids::OrgId::parse(id).ok())
        });
    match org_id {
        Some(id) => format!("org:{}", id.as_18()),
        None => format!("user:{}", target.username.to_ascii_lowercase()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sf::config::{configured_api_version_with, project_dir};
    use std::fs;
    use std::time::SystemTime;

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
