//! Where sf keeps its files, and the environment variables it reads.
//!
//! sf (Node.js `os.homedir()`) takes the home directory from `HOME` on unix and `USERPROFILE` on
//! Windows, and falls back to the account database (the passwd entry, the Windows profile
//! directory) when the variable is unset. Its state lives in `<home>/.sfdx` (auth files,
//! `alias.json`, `key.json`) and `<home>/.sf` (`config.json`).
//!
//! [`SfEnv`] is a snapshot of the variables sf reads, so that the resolution code can be tested
//! without touching the process environment (tests run in parallel). It applies sf's legacy
//! synonyms the way `@salesforce/core`'s `EnvVars` does: `SFDX_DEFAULTUSERNAME` counts as
//! `SF_TARGET_ORG` when that is unset or empty, and so on.

use crate::{Error, Result};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The folder of sf's auth files, aliases and generic keychain file: `<home>/.sfdx`.
pub fn sfdx_dir(home: &Path) -> PathBuf {
    home.join(".sfdx")
}

/// The folder of sf's global config: `<home>/.sf`.
pub fn sf_dir(home: &Path) -> PathBuf {
    home.join(".sf")
}

/// The user's home directory, found the way sf finds it.
pub fn home_dir() -> Result<PathBuf> {
    home_dir_from(&SfEnv::from_process(), cfg!(windows), std::env::home_dir)
}

/// [`home_dir`] with the environment, the platform and the account-database fallback given.
pub fn home_dir_from(
    env: &SfEnv,
    windows: bool,
    fallback: impl FnOnce() -> Option<PathBuf>,
) -> Result<PathBuf> {
    let var = if windows { "USERPROFILE" } else { "HOME" };
    if let Some(value) = env.raw(var).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(value));
    }
    match fallback() {
        Some(path) if !path.as_os_str().is_empty() => Ok(path),
        _ => Err(Error::new(
            "NoHomeDirError",
            format!(
                "Cannot find your home directory: {var} is not set, and the system has no home \
                 directory for this user. sf keeps its logins under <home>/.sfdx."
            ),
        )
        .with_action(format!(
            "Set {var} to your home directory (the one where sf keeps .sfdx and .sf), then run \
             the command again."
        ))),
    }
}

/// `@salesforce/core` renamed these variables; the old name still counts when the new one is
/// unset or empty (its `EnvVars.resolve`). (new name, old name)
const SYNONYMS: &[(&str, &str)] = &[
    ("SF_ACCESS_TOKEN", "SFDX_ACCESS_TOKEN"),
    ("SF_ORG_API_VERSION", "SFDX_API_VERSION"),
    ("SF_AUDIENCE_URL", "SFDX_AUDIENCE_URL"),
    ("SF_CONTENT_TYPE", "SFDX_CONTENT_TYPE"),
    ("SF_TARGET_DEV_HUB", "SFDX_DEFAULTDEVHUBUSERNAME"),
    ("SF_TARGET_ORG", "SFDX_DEFAULTUSERNAME"),
    ("SF_DISABLE_AUTOUPDATE", "SFDX_DISABLE_AUTOUPDATE"),
    ("SF_AUTOUPDATE_DISABLE", "SFDX_AUTOUPDATE_DISABLE"),
    ("SF_DISABLE_TELEMETRY", "SFDX_DISABLE_TELEMETRY"),
    ("SF_DOMAIN_RETRY", "SFDX_DOMAIN_RETRY"),
    ("SF_ORG_INSTANCE_URL", "SFDX_INSTANCE_URL"),
    ("SF_JSON_TO_STDOUT", "SFDX_JSON_TO_STDOUT"),
    ("SF_LOG_LEVEL", "SFDX_LOG_LEVEL"),
    ("SF_ORG_MAX_QUERY_LIMIT", "SFDX_MAX_QUERY_LIMIT"),
    (
        "SF_USE_GENERIC_UNIX_KEYCHAIN",
        "SFDX_USE_GENERIC_UNIX_KEYCHAIN",
    ),
];

/// A snapshot of the environment variables sf reads (`SF_*`, `SFDX_*`, the home variables and
/// `SFDX_SECRET_TOOL_PATH`). Its `Debug` shows names only: values may be tokens.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SfEnv {
    vars: BTreeMap<String, String>,
}

fn sf_reads(name: &str) -> bool {
    name.starts_with("SF_")
        || name.starts_with("SFDX_")
        || matches!(name, "HOME" | "USERPROFILE" | "USE_GENERIC_UNIX_KEYCHAIN")
}

impl SfEnv {
    /// The variables of this process that sf reads (values that are not UTF-8 are skipped).
    /// Read once: the process never changes its environment, and going through all of it
    /// each time an org is opened was a good part of what `run --all` spends per org.
    pub fn from_process() -> SfEnv {
        static READ: std::sync::OnceLock<SfEnv> = std::sync::OnceLock::new();
        READ.get_or_init(|| SfEnv {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .filter(|(k, _)| sf_reads(k))
                .collect(),
        })
        .clone()
    }

    /// An environment made of exactly these pairs (for tests, or a caller that has its own).
    pub fn from_pairs<I, K, V>(pairs: I) -> SfEnv
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        SfEnv {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The variable as set, possibly empty, without synonyms.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The variable's value as sf sees it: set and not empty, else (for a renamed variable) the
    /// old name's value when that is set and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        let nonempty = |n: &str| self.raw(n).filter(|v| !v.is_empty());
        nonempty(name).or_else(|| {
            SYNONYMS
                .iter()
                .find(|(new, _)| *new == name)
                .and_then(|(_, old)| nonempty(old))
        })
    }

    /// Which name the value of [`SfEnv::get`] came from (for messages: "from $SFDX_DEFAULTUSERNAME").
    pub fn source_of(&self, name: &str) -> Option<&'static str> {
        let nonempty = |n: &str| self.raw(n).is_some_and(|v| !v.is_empty());
        SYNONYMS
            .iter()
            .find(|(new, _)| *new == name)
            .and_then(|(new, old)| {
                if nonempty(new) {
                    Some(*new)
                } else if nonempty(old) {
                    Some(*old)
                } else {
                    None
                }
            })
    }

    /// A boolean variable the way sf reads one (`@salesforce/kit` `env.getBoolean`): `true` in
    /// any case, or `1`; anything else, or unset, is false.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }
}

impl fmt::Debug for SfEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_from_home_or_userprofile() {
        let env = SfEnv::from_pairs([("HOME", "/home/ann"), ("USERPROFILE", r"C:\Users\ann")]);
        assert_eq!(
            home_dir_from(&env, false, || None).unwrap(),
            PathBuf::from("/home/ann")
        );
        assert_eq!(
            home_dir_from(&env, true, || None).unwrap(),
            PathBuf::from(r"C:\Users\ann")
        );
    }

    #[test]
    fn home_falls_back_to_the_account_database() {
        let env = SfEnv::from_pairs([("HOME", "")]);
        assert_eq!(
            home_dir_from(&env, false, || Some(PathBuf::from("/var/lib/ci"))).unwrap(),
            PathBuf::from("/var/lib/ci")
        );
    }

    #[test]
    fn no_home_is_a_clear_error() {
        let err = home_dir_from(&SfEnv::default(), false, || None).unwrap_err();
        assert_eq!(err.name, "NoHomeDirError");
        assert!(err.message.contains("HOME is not set"), "{}", err.message);
        assert!(err.actions[0].contains("Set HOME"));
        let err = home_dir_from(&SfEnv::default(), true, || Some(PathBuf::new())).unwrap_err();
        assert!(err.message.contains("USERPROFILE"), "{}", err.message);
    }

    #[test]
    fn synonyms_like_sf() {
        let env = SfEnv::from_pairs([("SFDX_DEFAULTUSERNAME", "old@x.com"), ("SF_TARGET_ORG", "")]);
        assert_eq!(env.get("SF_TARGET_ORG"), Some("old@x.com"));
        assert_eq!(env.source_of("SF_TARGET_ORG"), Some("SFDX_DEFAULTUSERNAME"));
        let env = SfEnv::from_pairs([
            ("SFDX_DEFAULTUSERNAME", "old@x.com"),
            ("SF_TARGET_ORG", "new@x.com"),
        ]);
        assert_eq!(env.get("SF_TARGET_ORG"), Some("new@x.com"));
        assert_eq!(env.source_of("SF_TARGET_ORG"), Some("SF_TARGET_ORG"));
        assert_eq!(env.get("SF_NOT_SET"), None);
    }

    #[test]
    fn booleans_like_sf() {
        for (value, expected) in [
            ("true", true),
            ("TRUE", true),
            ("1", true),
            ("yes", false),
            ("", false),
        ] {
            let env = SfEnv::from_pairs([("SF_USE_GENERIC_UNIX_KEYCHAIN", value)]);
            assert_eq!(
                env.flag("SF_USE_GENERIC_UNIX_KEYCHAIN"),
                expected,
                "{value:?}"
            );
        }
        let env = SfEnv::from_pairs([("SFDX_USE_GENERIC_UNIX_KEYCHAIN", "true")]);
        assert!(env.flag("SF_USE_GENERIC_UNIX_KEYCHAIN"));
    }

    #[test]
    fn debug_shows_names_not_values() {
        let env = SfEnv::from_pairs([("SF_ACCESS_TOKEN", "00D5e000000AbCd!secret")]);
        let shown = format!("{env:?}");
        assert!(
            shown.contains("SF_ACCESS_TOKEN") && !shown.contains("secret"),
            "{shown}"
        );
    }
}
