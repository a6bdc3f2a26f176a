//! Where sf keeps the key of its auth files, and reading it (never writing it).
//!
//! As `@salesforce/core` (`crypto/keyChain.ts`, `crypto/keyChainImpl.ts`) decides:
//! - Windows: the generic keychain file `~/.sfdx/key.json`;
//! - macOS: the login keychain via `/usr/bin/security find-generic-password -a local -s sfdx -g`
//!   (the password is on stderr as `password: "<key>"`; exit 128 = the user cancelled), or
//!   `key.json` when `SF_USE_GENERIC_UNIX_KEYCHAIN` is true;
//! - Linux: Secret Service via `secret-tool lookup user local domain sfdx` (program from
//!   `SFDX_SECRET_TOOL_PATH`, default `/usr/bin/secret-tool`; exit 1 = not found), or `key.json`
//!   when `SF_USE_GENERIC_UNIX_KEYCHAIN` is true or the program is not there / not executable.
//!
//! `SFDX_USE_GENERIC_UNIX_KEYCHAIN` counts when the `SF_` name is unset (see [`SfEnv`]).
//! `key.json` is `{"account":"local","key":"<hex>","service":"sfdx"}`; on unix sf refuses it
//! unless its mode is exactly 600, and so does this module. When sf finds no key it makes one;
//! this tool never does: it reports `KeyNotFoundError`.

use crate::sf::crypto::{KeyFormatError, SfKey};
use crate::sf::home::{SfEnv, sfdx_dir};
use crate::sf::key_file::read_key_file;
use crate::sf::keychain_programs::{
    ProgramRunner, SystemRunner, read_mac_keychain, read_secret_tool,
};
use crate::{Error, Result};
use std::fmt;
use std::path::{Path, PathBuf};

const DEFAULT_SECRET_TOOL: &str = "/usr/bin/secret-tool";

/// Where the key came from (for `doctor` and messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// sf's generic keychain file (`~/.sfdx/key.json`).
    KeyFile(PathBuf),
    /// Linux Secret Service through `secret-tool` (the program's path).
    SecretTool(PathBuf),
    /// The macOS login keychain through `/usr/bin/security`.
    MacKeychain,
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::KeyFile(path) => write!(f, "key file {}", path.display()),
            KeySource::SecretTool(program) => {
                write!(
                    f,
                    "Secret Service via {} (user local, domain sfdx)",
                    program.display()
                )
            }
            KeySource::MacKeychain => {
                f.write_str("macOS login keychain (account local, service sfdx)")
            }
        }
    }
}

/// sf's key and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedKey {
    pub key: SfKey,
    pub source: KeySource,
}

/// The operating system, as far as sf's choice of keychain goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Linux,
    MacOs,
    Windows,
    /// Other unix systems: sf does not support them; this tool uses `key.json`.
    OtherUnix,
}

impl Platform {
    pub fn current() -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else if cfg!(target_os = "macos") {
            Platform::MacOs
        } else if cfg!(target_os = "linux") {
            Platform::Linux
        } else {
            Platform::OtherUnix
        }
    }
}

/// Everything the key lookup depends on besides the home directory.
pub struct KeychainContext<'a> {
    pub platform: Platform,
    pub env: &'a SfEnv,
    pub runner: &'a dyn ProgramRunner,
}

/// sf's key, from where sf keeps it on this machine.
pub fn sf_key(home: &Path) -> Result<LoadedKey> {
    let env = SfEnv::from_process();
    sf_key_with(
        home,
        &KeychainContext {
            platform: Platform::current(),
            env: &env,
            runner: &SystemRunner,
        },
    )
}

/// Where sf would look for its key, without reading it (for `doctor`).
pub fn key_source(home: &Path, ctx: &KeychainContext) -> KeySource {
    let key_file = || KeySource::KeyFile(sfdx_dir(home).join("key.json"));
    let generic = ctx.env.flag("SF_USE_GENERIC_UNIX_KEYCHAIN");
    match ctx.platform {
        Platform::Windows | Platform::OtherUnix => key_file(),
        Platform::MacOs if generic => key_file(),
        Platform::MacOs => KeySource::MacKeychain,
        Platform::Linux if generic => key_file(),
        Platform::Linux => {
            let program = secret_tool_path(ctx.env);
            if ctx.runner.is_executable(&program) {
                KeySource::SecretTool(program)
            } else {
                key_file()
            }
        }
    }
}

/// [`sf_key`] with the platform, environment and program runner given.
pub fn sf_key_with(home: &Path, ctx: &KeychainContext) -> Result<LoadedKey> {
    let source = key_source(home, ctx);
    let text = match &source {
        KeySource::KeyFile(path) => read_key_file(path, ctx.platform != Platform::Windows)?,
        KeySource::SecretTool(program) => read_secret_tool(program, ctx.runner, home)?,
        KeySource::MacKeychain => read_mac_keychain(ctx.runner, home)?,
    };
    let key = SfKey::from_hex(&text).map_err(|reason| key_format_error(&source, &reason))?;
    Ok(LoadedKey { key, source })
}

/// `SFDX_SECRET_TOOL_PATH` (sf uses it even when empty, as `??` does; an empty path is then
/// simply not executable), else `/usr/bin/secret-tool`.
fn secret_tool_path(env: &SfEnv) -> PathBuf {
    PathBuf::from(
        env.raw("SFDX_SECRET_TOOL_PATH")
            .unwrap_or(DEFAULT_SECRET_TOOL),
    )
}

fn key_format_error(source: &KeySource, reason: &KeyFormatError) -> Error {
    Error::new(
        "KeyFormatError",
        format!("The key sf stored in the {source} is not usable: {reason}."),
    )
    .with_action(
        "If the key was edited or replaced, restore it; otherwise log out and in again with sf \
         (sf org logout --all, then sf org login web) so that it makes a new key.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sf::key_file::parse_key_file;
    use crate::sf::keychain_programs::ProgramOutput;
    use std::cell::RefCell;

    const V1_KEY_JSON: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sf-cli-2.146.3/v1-key.json"
    ));
    const V2_KEY_JSON: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sf-cli-2.146.3/v2-key.json"
    ));
    const V1_KEY: &str = "0de6bfdf43c69135b8aa04c35092b21e";

    /// A fake runner: which programs exist, and the answers they give in turn.
    struct Fake {
        executable: Vec<PathBuf>,
        answers: RefCell<Vec<ProgramOutput>>,
        calls: RefCell<Vec<(PathBuf, Vec<String>)>>,
    }

    impl Fake {
        fn new(executable: &[&str], answers: Vec<ProgramOutput>) -> Fake {
            Fake {
                executable: executable.iter().map(PathBuf::from).collect(),
                answers: RefCell::new(answers),
                calls: RefCell::new(Vec::new()),
            }
        }
    }

    impl ProgramRunner for Fake {
        fn is_executable(&self, program: &Path) -> bool {
            self.executable.iter().any(|p| p == program)
        }
        fn run(&self, program: &Path, args: &[&str]) -> std::io::Result<ProgramOutput> {
            self.calls.borrow_mut().push((
                program.to_path_buf(),
                args.iter().map(|s| s.to_string()).collect(),
            ));
            let mut answers = self.answers.borrow_mut();
            if answers.is_empty() {
                return Err(std::io::Error::other("no answer"));
            }
            Ok(answers.remove(0))
        }
    }

    fn out(code: i32, stdout: &str, stderr: &str) -> ProgramOutput {
        ProgramOutput {
            code: Some(code),
            stdout: stdout.into(),
            stderr: stderr.into(),
        }
    }

    fn home_with_key(json: &str, mode: u32) -> tempfile::TempDir {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join(".sfdx");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("key.json");
        std::fs::write(&file, json).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        let _ = mode;
        home
    }

    fn ctx<'a>(
        platform: Platform,
        env: &'a SfEnv,
        runner: &'a dyn ProgramRunner,
    ) -> KeychainContext<'a> {
        KeychainContext {
            platform,
            env,
            runner,
        }
    }

    #[test]
    fn key_file_v1_and_v2() {
        let env = SfEnv::from_pairs([("SF_USE_GENERIC_UNIX_KEYCHAIN", "true")]);
        let fake = Fake::new(&[], vec![]);
        for (json, version) in [(V1_KEY_JSON, "v1"), (V2_KEY_JSON, "v2")] {
            let home = home_with_key(json, 0o600);
            let loaded = sf_key_with(home.path(), &ctx(Platform::Linux, &env, &fake)).unwrap();
            assert_eq!(loaded.key.version(), version);
            assert_eq!(
                loaded.source,
                KeySource::KeyFile(home.path().join(".sfdx").join("key.json"))
            );
            assert!(loaded.source.to_string().starts_with("key file "));
        }
        assert!(
            fake.calls.borrow().is_empty(),
            "no program runs for key.json"
        );
    }

    #[cfg(unix)]
    #[test]
    fn key_file_with_mode_644_is_refused() {
        let home = home_with_key(V1_KEY_JSON, 0o644);
        let env = SfEnv::from_pairs([("SFDX_USE_GENERIC_UNIX_KEYCHAIN", "true")]);
        let fake = Fake::new(&[], vec![]);
        let err = sf_key_with(home.path(), &ctx(Platform::MacOs, &env, &fake)).unwrap_err();
        let file = home.path().join(".sfdx").join("key.json");
        assert_eq!(err.name, "KeyFileModeError");
        assert!(err.message.contains("mode 644"), "{}", err.message);
        assert!(err.message.contains(&file.display().to_string()));
        assert_eq!(err.actions, vec![format!("chmod 600 {}", file.display())]);
        assert!(!err.message.contains(V1_KEY));
        // 400 is refused too: sf wants exactly 600.
        let home = home_with_key(V1_KEY_JSON, 0o400);
        let err = sf_key_with(home.path(), &ctx(Platform::Linux, &env, &fake)).unwrap_err();
        assert_eq!(err.name, "KeyFileModeError");
    }

    #[test]
    fn windows_uses_key_file_without_mode_check() {
        let home = home_with_key(V2_KEY_JSON, 0o644);
        let env = SfEnv::default();
        let fake = Fake::new(&[], vec![]);
        let loaded = sf_key_with(home.path(), &ctx(Platform::Windows, &env, &fake)).unwrap();
        assert_eq!(loaded.key.version(), "v2");
    }

    #[test]
    fn missing_key_everywhere() {
        let home = tempfile::tempdir().unwrap();
        let env = SfEnv::default();
        let fake = Fake::new(&[], vec![]);
        let err = sf_key_with(home.path(), &ctx(Platform::Linux, &env, &fake)).unwrap_err();
        assert_eq!(err.name, "KeyNotFoundError");
        assert!(err.actions[0].contains("sf org login"));
    }

    #[test]
    fn key_file_contents_checked() {
        assert_eq!(parse_key_file(V1_KEY_JSON).unwrap(), V1_KEY);
        assert!(parse_key_file("{").is_err());
        assert!(parse_key_file(r#"{"account":"local","key":"ab","service":"other"}"#).is_err());
        assert!(parse_key_file(r#"{"account":"local","service":"sfdx"}"#).is_err());
        let home = home_with_key(r#"{"account":"local","key":"xyz","service":"sfdx"}"#, 0o600);
        let env = SfEnv::from_pairs([("SF_USE_GENERIC_UNIX_KEYCHAIN", "1")]);
        let fake = Fake::new(&[], vec![]);
        let err = sf_key_with(home.path(), &ctx(Platform::Linux, &env, &fake)).unwrap_err();
        assert_eq!(err.name, "KeyFormatError");
        assert!(!err.message.contains("xyz"), "{}", err.message);
    }

    #[test]
    fn linux_secret_tool() {
        let home = tempfile::tempdir().unwrap();
        let env = SfEnv::default();
        let fake = Fake::new(
            &["/usr/bin/secret-tool"],
            vec![out(0, &format!("{V1_KEY}\n"), "")],
        );
        let loaded = sf_key_with(home.path(), &ctx(Platform::Linux, &env, &fake)).unwrap();
        assert_eq!(loaded.key.version(), "v1");
        assert_eq!(
            loaded.source,
            KeySource::SecretTool("/usr/bin/secret-tool".into())
        );
        assert_eq!(
            fake.calls.borrow()[0].1,
            vec!["lookup", "user", "local", "domain", "sfdx"]
        );
    }

    #[test]
    fn secret_tool_path_from_env_and_retries() {
        let home = tempfile::tempdir().unwrap();
        let env = SfEnv::from_pairs([("SFDX_SECRET_TOOL_PATH", "/opt/st")]);
        let flaky = out(1, "", "invalid or unencryptable secret");
        let fake = Fake::new(&["/opt/st"], vec![flaky.clone(), flaky, out(0, V1_KEY, "")]);
        let loaded = sf_key_with(home.path(), &ctx(Platform::Linux, &env, &fake)).unwrap();
        assert_eq!(loaded.source, KeySource::SecretTool("/opt/st".into()));
        assert_eq!(fake.calls.borrow().len(), 3);
    }

    #[test]
    fn secret_tool_not_found_suggests_generic_keychain() {
        let home = tempfile::tempdir().unwrap();
        let env = SfEnv::default();
        let fake = Fake::new(&["/usr/bin/secret-tool"], vec![out(1, "", "")]);
        let err = sf_key_with(home.path(), &ctx(Platform::Linux, &env, &fake)).unwrap_err();
        assert_eq!(err.name, "KeyNotFoundError");
        assert!(
            err.actions
                .iter()
                .any(|a| a.contains("SF_USE_GENERIC_UNIX_KEYCHAIN=true"))
        );
    }

    #[test]
    fn linux_without_secret_tool_uses_key_file() {
        let home = home_with_key(V1_KEY_JSON, 0o600);
        let env = SfEnv::default();
        let fake = Fake::new(&[], vec![]);
        let loaded = sf_key_with(home.path(), &ctx(Platform::Linux, &env, &fake)).unwrap();
        assert!(matches!(loaded.source, KeySource::KeyFile(_)));
    }

    #[test]
    fn mac_keychain() {
        let home = tempfile::tempdir().unwrap();
        let env = SfEnv::default();
        let stderr = format!("password: \"{V1_KEY}\"\n");
        let fake = Fake::new(
            &[],
            vec![out(0, "keychain: \"login.keychain-db\"\n", &stderr)],
        );
        let loaded = sf_key_with(home.path(), &ctx(Platform::MacOs, &env, &fake)).unwrap();
        assert_eq!(loaded.source, KeySource::MacKeychain);
        assert_eq!(
            fake.calls.borrow()[0],
            (
                PathBuf::from("/usr/bin/security"),
                ["find-generic-password", "-a", "local", "-s", "sfdx", "-g"]
                    .map(String::from)
                    .to_vec()
            )
        );
        let fake = Fake::new(&[], vec![out(128, "", "")]);
        let err = sf_key_with(home.path(), &ctx(Platform::MacOs, &env, &fake)).unwrap_err();
        assert_eq!(err.name, "KeychainAccessDeniedError");
        let fake = Fake::new(
            &[],
            vec![out(
                44,
                "",
                "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.",
            )],
        );
        let err = sf_key_with(home.path(), &ctx(Platform::MacOs, &env, &fake)).unwrap_err();
        assert_eq!(err.name, "KeyNotFoundError");
        assert!(
            err.message.contains("could not be found"),
            "{}",
            err.message
        );
    }

    #[test]
    fn program_answers_never_leak_the_key() {
        let home = tempfile::tempdir().unwrap();
        let env = SfEnv::default();
        // a key of the wrong shape from secret-tool: the error does not repeat it
        let fake = Fake::new(
            &["/usr/bin/secret-tool"],
            vec![out(0, "not-a-key-at-all", "")],
        );
        let err = sf_key_with(home.path(), &ctx(Platform::Linux, &env, &fake)).unwrap_err();
        assert_eq!(err.name, "KeyFormatError");
        assert!(!err.message.contains("not-a-key"), "{}", err.message);
    }
}
