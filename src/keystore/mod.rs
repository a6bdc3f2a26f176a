//! The tool's own secrets (Runtime Client tokens, Admin API keys): kept in the OS keystore
//! through the `keyring` crate, never in a file of ours and never on a command line.
//!
//! - **Names**: `runtime-client/<client>`, `admin-api-key`, `admin-api-key/<name>`; `<client>`
//!   and `<name>` hold letters, digits, `-`, `_` and `.` (the client names `step runtime-clients`
//!   takes). Names are the user's, one per machine account: they are not scoped by org, because
//!   a Runtime Client belongs to a CPQ tenant and the user knows best which one; keep clients of
//!   several sandboxes apart by name (`runtime-client/uat-web-store`).
//! - **Where**: service `logik-refresh`, account = the name, in the first usable of: the macOS
//!   login keychain; the Windows Credential Manager; on Linux the Secret Service (GNOME Keyring,
//!   KWallet) when one answers on the D-Bus session bus, else the kernel keyring (keyutils:
//!   memory only, gone at reboot) when the process may use it (containers often forbid it; a
//!   real call decides). `LOGIK_REFRESH_KEYSTORE` forces one (`none` forces none).
//! - **No keystore**: `secret set` fails and names the variable that can carry the secret
//!   instead, `LOGIK_REFRESH_SECRET_<NAME>` (`runtime-client/web-store` ->
//!   `LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE`). That variable, when set, is what every
//!   reader uses first, keystore or not.
//! - **Index**: keystores cannot list their entries portably, so `<state dir>/secrets.json`
//!   (mode 600) records the names stored, where and when: names only, never values.

use crate::protocol::{Error, Result};
use crate::redacted::Secret;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The keystore service every secret of this tool is filed under.
pub const SERVICE: &str = "logik-refresh";
/// The prefix of the variables that carry secrets where no keystore is usable.
pub const ENV_PREFIX: &str = "LOGIK_REFRESH_SECRET_";
/// The variable that chooses the keystore (`auto` when unset).
pub const KEYSTORE_ENV: &str = "LOGIK_REFRESH_KEYSTORE";
/// The most a secret value may be (tokens and keys are far smaller).
pub const MAX_VALUE_BYTES: usize = 16 * 1024;
/// How long a Secret Service has to answer the probe.
const SECRET_SERVICE_PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// The account the probes look up (never stored).
const PROBE_ACCOUNT: &str = "probe (never stored)";
const MAX_SEGMENT: usize = 64;

/// The kinds of secret, and whether the part after `/` is required.
const KINDS: &[(&str, bool)] = &[("runtime-client", true), ("admin-api-key", false)];

const NAME_FORMS: &str = "runtime-client/<client>, admin-api-key or admin-api-key/<name>";

/// A valid secret name, e.g. `runtime-client/web-store`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretName(String);

impl SecretName {
    /// Checks a name against the allowed forms; the error says which form to use, without
    /// repeating what was given (a token pasted where the name goes must not be echoed).
    pub fn parse(text: &str) -> Result<SecretName> {
        let text = text.trim();
        let bad = |message: String| {
            Error::input("InvalidSecretNameError", message)
                .with_action(format!("Use one of: {NAME_FORMS}."))
                .with_action("For example: logik-refresh secret set runtime-client/web-store")
        };
        let (kind, rest) = match text.split_once('/') {
            Some((kind, rest)) => (kind, Some(rest)),
            None => (text, None),
        };
        let Some(&(kind, required)) = KINDS.iter().find(|(k, _)| *k == kind) else {
            let hint = KINDS
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(kind))
                .map(|(k, _)| format!(" (kinds are lower case: {k})"))
                .unwrap_or_default();
            return Err(bad(format!(
                "That is not a secret name{hint}: names are {NAME_FORMS}."
            )));
        };
        match rest {
            None if required => Err(bad(format!(
                "{kind} needs the client's name after a slash, e.g. {kind}/web-store."
            ))),
            None => Ok(SecretName(kind.to_string())),
            Some(segment) => {
                check_segment(segment).map_err(|why| bad(format!("In the {kind} name, {why}.")))?;
                Ok(SecretName(format!("{kind}/{segment}")))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The variable that carries this secret where no keystore is: `LOGIK_REFRESH_SECRET_`
    /// then the name in upper case with `/`, `-` and `.` as `_`. Names that differ only in
    /// case or in those characters share a variable.
    pub fn env_var(&self) -> String {
        let tail: String = self
            .0
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        format!("{ENV_PREFIX}{tail}")
    }
}

fn check_segment(segment: &str) -> std::result::Result<(), String> {
    if segment.is_empty() {
        return Err("the part after the slash is empty".into());
    }
    if segment.len() > MAX_SEGMENT {
        return Err(format!(
            "the part after the slash is longer than {MAX_SEGMENT} characters"
        ));
    }
    if !segment.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("the part after the slash must start with a letter or digit".into());
    }
    if let Some(c) = segment
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
    {
        return Err(format!(
            "{c:?} is not allowed: use letters, digits, '-', '_' and '.'"
        ));
    }
    Ok(())
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A keystore the tool can keep secrets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StoreKind {
    /// The macOS login keychain.
    MacosKeychain,
    /// The Windows Credential Manager.
    WindowsCredentialManager,
    /// The freedesktop Secret Service (GNOME Keyring, KWallet) on the D-Bus session bus.
    SecretService,
    /// The Linux kernel keyring (keyutils): in memory only, gone at reboot.
    KernelKeyring,
    /// The keyring crate's in-process mock (unit tests only; never chosen by the binary).
    #[schemars(skip)]
    Mock,
}

impl StoreKind {
    pub fn id(self) -> &'static str {
        match self {
            StoreKind::MacosKeychain => "macos-keychain",
            StoreKind::WindowsCredentialManager => "windows-credential-manager",
            StoreKind::SecretService => "secret-service",
            StoreKind::KernelKeyring => "kernel-keyring",
            StoreKind::Mock => "mock",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StoreKind::MacosKeychain => "macOS login keychain",
            StoreKind::WindowsCredentialManager => "Windows Credential Manager",
            StoreKind::SecretService => "Secret Service",
            StoreKind::KernelKeyring => "kernel keyring (keyutils)",
            StoreKind::Mock => "mock keystore (in-process, tests only)",
        }
    }
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Which keystore to use: `--keystore` or `LOGIK_REFRESH_KEYSTORE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, JsonSchema, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum KeystoreChoice {
    /// The first usable: macOS keychain, Windows Credential Manager, Secret Service, kernel
    /// keyring.
    #[default]
    Auto,
    /// The freedesktop Secret Service (Linux).
    SecretService,
    /// The Linux kernel keyring, even where a Secret Service answers (headless servers).
    KernelKeyring,
    /// The macOS login keychain.
    MacosKeychain,
    /// The Windows Credential Manager.
    WindowsCredentialManager,
    /// No keystore: secrets come only from LOGIK_REFRESH_SECRET_<NAME> variables.
    None,
}

impl KeystoreChoice {
    /// `LOGIK_REFRESH_KEYSTORE`, else `auto`.
    pub fn from_env() -> Result<KeystoreChoice> {
        match std::env::var(KEYSTORE_ENV) {
            Ok(value) if !value.trim().is_empty() => {
                <KeystoreChoice as clap::ValueEnum>::from_str(value.trim(), true).map_err(|_| {
                    Error::input(
                        "InvalidKeystoreError",
                        format!("{KEYSTORE_ENV}={value:?} is not a keystore."),
                    )
                    .with_action(format!(
                        "Set {KEYSTORE_ENV} to one of: auto, secret-service, kernel-keyring, \
                         macos-keychain, windows-credential-manager, none (or unset it)."
                    ))
                })
            }
            _ => Ok(KeystoreChoice::Auto),
        }
    }
}

/// One keystore considered, and whether it can be used here.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoreProbe {
    pub store: StoreKind,
    pub usable: bool,
    /// Why it can or cannot be used, and how long it keeps secrets.
    pub detail: String,
}

/// The keystore in use here, and why (for `doctor`, `secret list` and error messages).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeystoreStatus {
    /// The keystore `secret set` writes to; null when none is usable.
    pub store: Option<StoreKind>,
    /// How it was chosen: `auto`, or the `--keystore` / LOGIK_REFRESH_KEYSTORE value.
    pub choice: KeystoreChoice,
    /// The chosen keystore and how long it keeps secrets, or why there is none.
    pub detail: String,
    /// Every keystore considered, in order.
    pub candidates: Vec<StoreProbe>,
    /// What carries secrets without a keystore; `secret get` and every reader honour it first.
    #[schemars(example = &"LOGIK_REFRESH_SECRET_<NAME>")]
    pub env_fallback: String,
}

/// Finds the keystore to use, by real calls (a lookup of an entry that does not exist).
pub fn probe(choice: KeystoreChoice) -> KeystoreStatus {
    let candidates: Vec<StoreKind> = match choice {
        KeystoreChoice::Auto => platform_stores(),
        KeystoreChoice::SecretService => vec![StoreKind::SecretService],
        KeystoreChoice::KernelKeyring => vec![StoreKind::KernelKeyring],
        KeystoreChoice::MacosKeychain => vec![StoreKind::MacosKeychain],
        KeystoreChoice::WindowsCredentialManager => vec![StoreKind::WindowsCredentialManager],
        KeystoreChoice::None => Vec::new(),
    };
    let mut probes = Vec::new();
    let mut chosen = None;
    for store in candidates {
        let result = probe_store(store);
        let usable = result.is_ok();
        let detail = match result {
            Ok(()) => persistence(store),
            Err(why) => why,
        };
        probes.push(StoreProbe {
            store,
            usable,
            detail,
        });
        if usable {
            chosen = Some(store);
            break;
        }
    }
    let detail = match chosen {
        Some(store) => format!(
            "{}: {}",
            store.label(),
            probes.last().map(|p| p.detail.as_str()).unwrap_or("")
        ),
        None if choice == KeystoreChoice::None => format!(
            "none, as chosen (--keystore none or {KEYSTORE_ENV}=none): secrets come only from \
             {ENV_PREFIX}<NAME> variables"
        ),
        None if probes.is_empty() => format!(
            "none: this platform has no keystore the tool supports; secrets come only from \
             {ENV_PREFIX}<NAME> variables"
        ),
        None => format!(
            "none usable ({}); secrets come only from {ENV_PREFIX}<NAME> variables",
            probes
                .iter()
                .map(|p| format!("{}: {}", p.store.label(), p.detail))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    KeystoreStatus {
        store: chosen,
        choice,
        detail,
        candidates: probes,
        env_fallback: format!("{ENV_PREFIX}<NAME>"),
    }
}

/// The keystores `auto` tries on this platform, in order.
fn platform_stores() -> Vec<StoreKind> {
    if cfg!(target_os = "macos") {
        vec![StoreKind::MacosKeychain]
    } else if cfg!(windows) {
        vec![StoreKind::WindowsCredentialManager]
    } else if cfg!(target_os = "linux") {
        vec![StoreKind::SecretService, StoreKind::KernelKeyring]
    } else if cfg!(any(target_os = "freebsd", target_os = "openbsd")) {
        vec![StoreKind::SecretService]
    } else {
        Vec::new()
    }
}

/// How long the store keeps what it is given.
fn persistence(store: StoreKind) -> String {
    match store {
        StoreKind::MacosKeychain => "kept across reboots".into(),
        StoreKind::WindowsCredentialManager => "kept across reboots, for your Windows user".into(),
        StoreKind::SecretService => "kept across reboots in your default keyring collection".into(),
        StoreKind::KernelKeyring => {
            let expiry = crate::fsutil::read_bounded_text(std::path::Path::new(
                "/proc/sys/kernel/keys/persistent_keyring_expiry",
            ))
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(|secs| format!(" or after {} unused", human_duration(secs)))
            .unwrap_or_default();
            format!(
                "memory only: gone at reboot{expiry}; readable by every process of this user \
                 on this machine"
            )
        }
        StoreKind::Mock => "this process only".into(),
    }
}

fn human_duration(secs: u64) -> String {
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s >= 3_600 => format!("{} hours", s / 3_600),
        s => format!("{s} seconds"),
    }
}

/// A real call to the store: look up an entry that does not exist. "No entry" means it
/// answered. The error text never holds a secret (there is none to hold).
fn probe_store(store: StoreKind) -> std::result::Result<(), String> {
    match store {
        StoreKind::SecretService => probe_secret_service(),
        StoreKind::Mock => Ok(()),
        _ => {
            let entry = entry_for(store, PROBE_ACCOUNT).map_err(|e| describe(&e))?;
            match entry.get_password() {
                Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(describe(&e)),
            }
        }
    }
}

fn probe_secret_service() -> std::result::Result<(), String> {
    if !cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd"
    )) {
        return Err("not on this platform".into());
    }
    let address = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").filter(|v| !v.is_empty());
    let runtime_bus = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|v| !v.is_empty())
        .map(|dir| PathBuf::from(dir).join("bus"))
        .filter(|path| path.exists());
    if address.is_none() && runtime_bus.is_none() {
        return Err(
            "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and there is no \
             $XDG_RUNTIME_DIR/bus)"
                .into(),
        );
    }
    // A bus that does not answer must not hang the command: the probe runs on its own thread
    // and is given up on after the timeout (the thread ends with the process).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let answer = entry_for(StoreKind::SecretService, PROBE_ACCOUNT)
            .and_then(|entry| entry.get_password().map(|_| ()));
        let _ = tx.send(match answer {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(keyring::Error::NoStorageAccess(e)) => Err(format!(
                "the Secret Service is locked or has no default collection: {e}"
            )),
            Err(keyring::Error::PlatformFailure(e)) => {
                Err(format!("no Secret Service answers: {e}"))
            }
            Err(e) => Err(format!("the Secret Service failed: {}", describe(&e))),
        });
    });
    rx.recv_timeout(SECRET_SERVICE_PROBE_TIMEOUT)
        .unwrap_or_else(|_| {
            Err(format!(
                "no Secret Service answered on the D-Bus session bus within {} s",
                SECRET_SERVICE_PROBE_TIMEOUT.as_secs()
            ))
        })
}

/// The keyring entry of `account` in `store`.
fn entry_for(store: StoreKind, account: &str) -> keyring::Result<keyring::Entry> {
    match store {
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
        StoreKind::SecretService => {
            let mut credential =
                keyring::secret_service::SsCredential::new_with_target(None, SERVICE, account)?;
            // What keyring managers (Seahorse, KWallet) show for the item.
            credential.label = format!("{SERVICE}: {account}");
            Ok(keyring::Entry::new_with_credential(Box::new(credential)))
        }
        #[cfg(target_os = "linux")]
        StoreKind::KernelKeyring => {
            let description = format!("{SERVICE}:{account}");
            let credential = keyring::keyutils::KeyutilsCredential::new_with_target(
                Some(&description),
                SERVICE,
                account,
            )?;
            Ok(keyring::Entry::new_with_credential(Box::new(credential)))
        }
        #[cfg(target_os = "macos")]
        StoreKind::MacosKeychain => keyring::Entry::new(SERVICE, account),
        #[cfg(windows)]
        StoreKind::WindowsCredentialManager => keyring::Entry::new(SERVICE, account),
        StoreKind::Mock => {
            let builder = keyring::mock::default_credential_builder();
            Ok(keyring::Entry::new_with_credential(
                builder.build(None, SERVICE, account)?,
            ))
        }
        #[allow(unreachable_patterns)]
        other => Err(keyring::Error::PlatformFailure(
            format!("the {} is not available on this platform", other.label()).into(),
        )),
    }
}

/// A keyring error in words that hold no secret (a `BadEncoding` error carries the stored
/// bytes: they are never shown).
fn describe(err: &keyring::Error) -> String {
    match err {
        keyring::Error::PlatformFailure(e) => format!("the keystore failed: {e}"),
        keyring::Error::NoStorageAccess(e) => {
            format!("the keystore is locked or refused access: {e}")
        }
        keyring::Error::NoEntry => "no such entry".into(),
        keyring::Error::BadEncoding(_) => "the stored value is not UTF-8 text".into(),
        keyring::Error::TooLong(what, limit) => {
            format!("{what} is longer than the keystore allows ({limit})")
        }
        keyring::Error::Invalid(what, why) => format!("{what} is invalid: {why}"),
        keyring::Error::Ambiguous(found) => format!(
            "{} entries match this name (another program stored one too)",
            found.len()
        ),
        other => format!("the keystore failed: {other}"),
    }
}

/// A keystore ready for use.
pub struct Keystore {
    kind: StoreKind,
    /// The mock store keeps nothing between entries, so the mock keystore keeps its entries.
    mock: Mutex<BTreeMap<String, keyring::Entry>>,
}

impl Keystore {
    pub fn new(kind: StoreKind) -> Keystore {
        Keystore {
            kind,
            mock: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn kind(&self) -> StoreKind {
        self.kind
    }

    fn with_entry<T>(
        &self,
        name: &SecretName,
        f: impl FnOnce(&keyring::Entry) -> keyring::Result<T>,
    ) -> keyring::Result<T> {
        if self.kind == StoreKind::Mock {
            let mut entries = self.mock.lock().expect("mock keystore lock");
            if !entries.contains_key(name.as_str()) {
                let entry = entry_for(StoreKind::Mock, name.as_str())?;
                entries.insert(name.as_str().to_string(), entry);
            }
            return f(&entries[name.as_str()]);
        }
        f(&entry_for(self.kind, name.as_str())?)
    }

    fn failure(&self, doing: &str, name: &SecretName, err: &keyring::Error) -> Error {
        Error::new(
            "KeystoreError",
            format!(
                "Could not {doing} {name} in the {}: {}.",
                self.kind.label(),
                describe(err)
            ),
        )
        .with_action(
            "Run logik-refresh doctor to see which keystore is usable here; unlock it if it is locked.",
        )
        .with_action(format!(
            "Or give the secret through {} instead.",
            name.env_var()
        ))
    }

    pub fn set(&self, name: &SecretName, value: &Secret) -> Result<()> {
        self.with_entry(name, |entry| entry.set_password(value.expose()))
            .map_err(|e| self.failure("store", name, &e))
            .map_err(|mut e| {
                e.message = value.scrub(&e.message);
                e
            })
    }

    /// The stored value, or `None` when the store has no entry.
    pub fn get(&self, name: &SecretName) -> Result<Option<Secret>> {
        match self.with_entry(name, |entry| entry.get_password()) {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.failure("read", name, &e)),
        }
    }

    /// True when an entry was removed, false when there was none.
    pub fn delete(&self, name: &SecretName) -> Result<bool> {
        match self.with_entry(name, |entry| entry.delete_credential()) {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(self.failure("delete", name, &e)),
        }
    }

    /// Whether the store still has the entry, where that can be told without reading the value
    /// or asking the user to unlock anything (kernel keyring, mock); `None` elsewhere.
    pub fn presence(&self, name: &SecretName) -> Option<bool> {
        match self.kind {
            #[cfg(target_os = "linux")]
            StoreKind::KernelKeyring => {
                let description = format!("{SERVICE}:{}", name.as_str());
                let credential = keyring::keyutils::KeyutilsCredential::new_with_target(
                    Some(&description),
                    SERVICE,
                    name.as_str(),
                )
                .ok()?;
                match credential.get_credential() {
                    Ok(_) => Some(true),
                    Err(keyring::Error::NoEntry) => Some(false),
                    Err(_) => None,
                }
            }
            StoreKind::Mock => self
                .with_entry(name, |entry| entry.get_password().map(|_| ()))
                .map(|()| true)
                .or_else(|e| match e {
                    keyring::Error::NoEntry => Ok(false),
                    e => Err(e),
                })
                .ok(),
            _ => None,
        }
    }
}

/// One line of the index: a stored name, where, and when. Never a value.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndexEntry {
    pub name: String,
    pub store: StoreKind,
    /// RFC 3339 time of the last `secret set`.
    pub set_at: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct IndexFile {
    version: u32,
    secrets: Vec<IndexEntry>,
}

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "store")]
pub enum SecretSource {
    /// The LOGIK_REFRESH_SECRET_<NAME> variable.
    Environment,
    /// A keystore.
    Keystore(StoreKind),
}

/// What `set` did.
#[derive(Debug, Clone)]
pub struct SetOutcome {
    pub store: StoreKind,
    /// True when a value was there before and was replaced.
    pub replaced: bool,
    pub warnings: Vec<String>,
}

/// What `delete` did.
#[derive(Debug, Clone)]
pub struct DeleteOutcome {
    /// The stores an entry was removed from.
    pub deleted_from: Vec<StoreKind>,
    pub warnings: Vec<String>,
}

/// One name as `secret list` shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedSecret {
    #[schemars(example = &"runtime-client/web-store")]
    pub name: String,
    /// The keystore it was stored in.
    pub store: StoreKind,
    /// RFC 3339 time of the last `secret set`.
    pub set_at: String,
    /// Whether the keystore still has it, where that can be told without reading it or asking
    /// to unlock (kernel keyring); null elsewhere.
    pub present: Option<bool>,
    /// The variable that overrides it, and whether that variable is set now.
    pub env_var: String,
    pub env_set: bool,
}

/// The variables of this process (or a test's) that secrets may come from.
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

fn process_env() -> EnvLookup {
    Box::new(|name| std::env::var(name).ok())
}

/// The tool's secrets: the keystore in use (if any), the index, and the environment.
pub struct Secrets {
    status: KeystoreStatus,
    keystore: Option<Keystore>,
    index_path: PathBuf,
    env: EnvLookup,
    env_names: Vec<String>,
}

impl Secrets {
    /// Probes for the keystore (see [`probe`]); the index lives in the state dir.
    pub fn open(choice: KeystoreChoice) -> Result<Secrets> {
        let index_path = index_path()?;
        let status = probe(choice);
        let env_names = std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .filter(|k| k.starts_with(ENV_PREFIX))
            .collect();
        Ok(Secrets::with_parts(
            status,
            index_path,
            process_env(),
            env_names,
        ))
    }

    /// Assembled from parts (tests: the mock store, a temporary index, a fake environment).
    pub fn with_parts(
        status: KeystoreStatus,
        index_path: PathBuf,
        env: EnvLookup,
        env_names: Vec<String>,
    ) -> Secrets {
        let keystore = status.store.map(Keystore::new);
        Secrets {
            status,
            keystore,
            index_path,
            env,
            env_names,
        }
    }

    /// A mock keystore and an index at `index_path`, with the variables given.
    pub fn mock(index_path: PathBuf, vars: &[(&str, &str)]) -> Secrets {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env_names = vars.keys().cloned().collect();
        let status = KeystoreStatus {
            store: Some(StoreKind::Mock),
            choice: KeystoreChoice::Auto,
            detail: format!(
                "{}: {}",
                StoreKind::Mock.label(),
                persistence(StoreKind::Mock)
            ),
            candidates: vec![StoreProbe {
                store: StoreKind::Mock,
                usable: true,
                detail: persistence(StoreKind::Mock),
            }],
            env_fallback: format!("{ENV_PREFIX}<NAME>"),
        };
        Secrets::with_parts(
            status,
            index_path,
            Box::new(move |name| vars.get(name).cloned()),
            env_names,
        )
    }

    pub fn status(&self) -> &KeystoreStatus {
        &self.status
    }

    pub fn index_path(&self) -> &Path {
        &self.index_path
    }

    fn env_value(&self, name: &SecretName) -> Option<Secret> {
        (self.env)(&name.env_var())
            .filter(|v| !v.is_empty())
            .map(Secret::new)
    }

    /// The keystore for a store kind: the one in use, or another one named by the index.
    fn store_of(&self, kind: StoreKind) -> Option<Keystore> {
        match &self.keystore {
            Some(k) if k.kind == kind => None,
            _ if kind == StoreKind::Mock => None,
            _ => Some(Keystore::new(kind)),
        }
    }

    /// Stores `value` under `name` in the keystore in use, and records the name in the index.
    pub fn set(&self, name: &SecretName, value: &Secret) -> Result<SetOutcome> {
        let Some(keystore) = &self.keystore else {
            return Err(self.no_keystore_error(name));
        };
        let mut index = self.read_index()?;
        let earlier = index
            .secrets
            .iter()
            .find(|e| e.name == name.as_str())
            .cloned();
        let replaced = match keystore.get(name) {
            Ok(found) => found.is_some(),
            Err(_) => earlier.as_ref().is_some_and(|e| e.store == keystore.kind),
        };
        keystore.set(name, value)?;
        let mut warnings = Vec::new();
        // A copy left in another keystore (stored before the machine offered a better one)
        // would be stale: remove it.
        if let Some(earlier) = &earlier
            && earlier.store != keystore.kind
            && let Some(other) = self.store_of(earlier.store)
            && other.delete(name).is_err()
        {
            warnings.push(format!(
                "An older copy of {name} may remain in the {}; remove it there if it is.",
                earlier.store.label()
            ));
        }
        index.secrets.retain(|e| e.name != name.as_str());
        index.secrets.push(IndexEntry {
            name: name.as_str().to_string(),
            store: keystore.kind,
            set_at: jiff::Timestamp::now()
                .round(jiff::Unit::Second)
                .unwrap_or_else(|_| jiff::Timestamp::now())
                .to_string(),
        });
        self.write_index(&mut index)?;
        if self.env_value(name).is_some() {
            warnings.push(format!(
                "{} is set in this environment and takes precedence over the stored value; \
                 unset it to use the stored one.",
                name.env_var()
            ));
        }
        if keystore.kind == StoreKind::KernelKeyring {
            warnings.push(
                "The kernel keyring keeps secrets in memory only: after a reboot, set it again."
                    .into(),
            );
        }
        Ok(SetOutcome {
            store: keystore.kind,
            replaced,
            warnings,
        })
    }

    /// The value of `name`: its variable when set, else the keystore in use, else the keystore
    /// the index names. `None` when none of them has it.
    pub fn get(&self, name: &SecretName) -> Result<Option<(Secret, SecretSource)>> {
        if let Some(value) = self.env_value(name) {
            return Ok(Some((value, SecretSource::Environment)));
        }
        if let Some(keystore) = &self.keystore
            && let Some(value) = keystore.get(name)?
        {
            return Ok(Some((value, SecretSource::Keystore(keystore.kind))));
        }
        let recorded = self
            .read_index()?
            .secrets
            .into_iter()
            .find(|e| e.name == name.as_str());
        if let Some(entry) = recorded
            && let Some(other) = self.store_of(entry.store)
            && let Ok(Some(value)) = other.get(name)
        {
            return Ok(Some((value, SecretSource::Keystore(entry.store))));
        }
        Ok(None)
    }

    /// [`Secrets::get`], with a clear error when the secret is nowhere.
    pub fn require(&self, name: &SecretName) -> Result<(Secret, SecretSource)> {
        self.get(name)?.ok_or_else(|| self.not_found_error(name))
    }

    /// Removes `name` from the keystore(s) and the index.
    pub fn delete(&self, name: &SecretName) -> Result<DeleteOutcome> {
        let mut index = self.read_index()?;
        let recorded = index
            .secrets
            .iter()
            .find(|e| e.name == name.as_str())
            .map(|e| e.store);
        let mut deleted_from = Vec::new();
        if let Some(keystore) = &self.keystore
            && keystore.delete(name)?
        {
            deleted_from.push(keystore.kind);
        }
        if let Some(store) = recorded
            && let Some(other) = self.store_of(store)
            && other.delete(name).unwrap_or(false)
        {
            deleted_from.push(store);
        }
        if recorded.is_some() {
            index.secrets.retain(|e| e.name != name.as_str());
            self.write_index(&mut index)?;
        }
        let mut warnings = Vec::new();
        if self.env_value(name).is_some() {
            warnings.push(format!(
                "{} is still set in this environment, so readers still get a value from it.",
                name.env_var()
            ));
        }
        Ok(DeleteOutcome {
            deleted_from,
            warnings,
        })
    }

    /// The names stored (from the index), sorted; never values.
    pub fn list(&self) -> Result<Vec<ListedSecret>> {
        let index = self.read_index()?;
        let mut listed: Vec<ListedSecret> = index
            .secrets
            .iter()
            .map(|entry| {
                let parsed = SecretName::parse(&entry.name).ok();
                let present = parsed.as_ref().and_then(|name| match &self.keystore {
                    Some(k) if k.kind == entry.store => k.presence(name),
                    _ => self.store_of(entry.store)?.presence(name),
                });
                let env_var = parsed.as_ref().map(SecretName::env_var).unwrap_or_default();
                ListedSecret {
                    name: entry.name.clone(),
                    store: entry.store,
                    set_at: entry.set_at.clone(),
                    present,
                    env_set: !env_var.is_empty()
                        && (self.env)(&env_var).is_some_and(|v| !v.is_empty()),
                    env_var,
                }
            })
            .collect();
        listed.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(listed)
    }

    /// The LOGIK_REFRESH_SECRET_* variables set now that no stored name accounts for (names
    /// of variables only).
    pub fn env_only(&self, listed: &[ListedSecret]) -> Vec<String> {
        let mut names: Vec<String> = self
            .env_names
            .iter()
            .filter(|var| (self.env)(var).is_some_and(|v| !v.is_empty()))
            .filter(|var| !listed.iter().any(|l| &l.env_var == *var))
            .cloned()
            .collect();
        names.sort();
        names
    }

    pub fn no_keystore_error(&self, name: &SecretName) -> Error {
        let var = name.env_var();
        Error::new(
            "NoKeystoreError",
            format!(
                "No keystore is usable here, so {name} was not stored. {}.",
                capitalise(&self.status.detail)
            ),
        )
        .with_action(format!(
            "Give the secret to the commands that need it in the environment variable {var} \
             instead (from your CI's secret store, for example)."
        ))
        .with_action(
            "Or start a keystore: on Linux, a Secret Service (gnome-keyring under \
             dbus-run-session) or the kernel keyring (run the tool inside `keyctl session`).",
        )
        .with_action("Run logik-refresh doctor to see what this machine offers.")
        .with_data(serde_json::json!({ "name": name.as_str(), "envVar": var }))
    }

    pub fn not_found_error(&self, name: &SecretName) -> Error {
        let var = name.env_var();
        let place = match &self.keystore {
            Some(k) => format!("in the {}", k.kind.label()),
            None => "anywhere (no keystore is usable here)".into(),
        };
        let mut err = Error::new(
            "SecretNotFoundError",
            format!("No secret {name} {place}, and {var} is not set."),
        );
        if self.keystore.as_ref().map(Keystore::kind) == Some(StoreKind::KernelKeyring) {
            err = err.with_action(
                "The kernel keyring forgets its secrets at reboot: if it was stored before one, \
                 set it again.",
            );
        }
        err.with_action(format!(
            "Store it: pbpaste | logik-refresh secret set {name}"
        ))
        .with_action(format!("Or set {var}."))
        .with_action("logik-refresh secret list shows the names stored.")
        .with_data(serde_json::json!({ "name": name.as_str(), "envVar": var }))
    }

    fn read_index(&self) -> Result<IndexFile> {
        match crate::fsutil::read_bounded_text(&self.index_path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                Error::new(
                    "SecretIndexError",
                    format!(
                        "The list of stored secret names {} is damaged: {e}.",
                        self.index_path.display()
                    ),
                )
                .with_action(format!(
                    "Delete {} (it holds names only; the secrets stay in the keystore) and \
                     set them again to list them.",
                    self.index_path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(IndexFile::default()),
            Err(e) => Err(Error::new(
                "SecretIndexError",
                format!("Could not read {}: {e}.", self.index_path.display()),
            )),
        }
    }

    fn write_index(&self, index: &mut IndexFile) -> Result<()> {
        index.version = 1;
        index.secrets.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(dir) = self.index_path.parent() {
            crate::fsutil::create_private_dir(dir).map_err(|e| {
                Error::new(
                    "WriteError",
                    format!("Could not create {}: {e}", dir.display()),
                )
                .with_action("Set LOGIK_REFRESH_STATE_DIR to a private folder you can write.")
            })?;
        }
        let mut text = serde_json::to_string_pretty(index).expect("the index serializes");
        text.push('\n');
        crate::fsutil::write_atomic(&self.index_path, text.as_bytes(), true)
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `<state dir>/secrets.json`.
pub fn index_path() -> Result<PathBuf> {
    Ok(crate::steps::journal::state_dir()?.join("secrets.json"))
}

/// Reads a secret value from a pipe: at most [`MAX_VALUE_BYTES`], UTF-8, one line (one trailing
/// newline is dropped). Returns warnings about the value's shape; errors never quote it.
pub fn read_value(reader: impl Read, name: &SecretName) -> Result<(Secret, Vec<String>)> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_VALUE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::input("InputReadError", format!("Could not read stdin: {e}")))?;
    let pipe_actions = |err: Error| {
        err.with_action(format!("macOS: pbpaste | logik-refresh secret set {name}"))
            .with_action(format!(
                "PowerShell: Get-Clipboard | logik-refresh secret set {name}"
            ))
            .with_action(format!(
                "From a file: logik-refresh secret set {name} < token.txt"
            ))
    };
    if bytes.len() > MAX_VALUE_BYTES {
        return Err(pipe_actions(Error::input(
            "SecretTooLargeError",
            format!(
                "The value on stdin is larger than {} KiB; tokens and API keys are far smaller.",
                MAX_VALUE_BYTES / 1024
            ),
        )));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::input(
            "InputEncodingError",
            "The value on stdin is not UTF-8 text.",
        )
    })?;
    let mut value = text.as_str();
    if let Some(rest) = value.strip_suffix('\n') {
        value = rest.strip_suffix('\r').unwrap_or(rest);
    }
    if value.is_empty() {
        return Err(pipe_actions(Error::input(
            "EmptySecretError",
            format!("Nothing came in on stdin, so {name} was not stored."),
        )));
    }
    if value.contains(['\n', '\r']) {
        let lines = value.lines().count();
        return Err(pipe_actions(Error::input(
            "MultilineSecretError",
            format!(
                "The value on stdin has {lines} lines; a token or key is one line. Nothing was \
                 stored."
            ),
        ))
        .with_action("Copy only the token, then pipe it in again."));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::input(
            "InvalidSecretError",
            "The value on stdin holds control characters; a token or key is printable text. \
             Nothing was stored.",
        )
        .with_action("Copy only the token, then pipe it in again."));
    }
    let mut warnings = Vec::new();
    if value.trim() != value {
        warnings.push(
            "The value starts or ends with spaces; it was stored as given. If they came with \
             the copy, set it again without them."
                .to_string(),
        );
    }
    Ok((Secret::new(value), warnings))
}

/// The value of `name` for a command that needs it: the variable, else the keystore chosen by
/// LOGIK_REFRESH_KEYSTORE (probed only when the variable is not set).
pub fn lookup(name: &SecretName) -> Result<Option<(Secret, SecretSource)>> {
    if let Some(value) = std::env::var(name.env_var()).ok().filter(|v| !v.is_empty()) {
        return Ok(Some((Secret::new(value), SecretSource::Environment)));
    }
    Secrets::open(KeystoreChoice::from_env()?)?.get(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "rt_9f8e7d6c5b4a39281706f5e4d3c2b1a0";

    fn name(text: &str) -> SecretName {
        SecretName::parse(text).unwrap()
    }

    fn mock(vars: &[(&str, &str)]) -> (tempfile::TempDir, Secrets) {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Secrets::mock(dir.path().join("state/secrets.json"), vars);
        (dir, secrets)
    }

    #[test]
    fn names_and_their_variables() {
        assert_eq!(
            name("runtime-client/web-store").env_var(),
            "LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE"
        );
        assert_eq!(
            name("admin-api-key").env_var(),
            "LOGIK_REFRESH_SECRET_ADMIN_API_KEY"
        );
        assert_eq!(
            name("admin-api-key/acme.uat").env_var(),
            "LOGIK_REFRESH_SECRET_ADMIN_API_KEY_ACME_UAT"
        );
        assert_eq!(
            name(" runtime-client/Web_Store ").as_str(),
            "runtime-client/Web_Store"
        );
        for bad in [
            "runtime-client",
            "runtime-client/",
            "runtime-client/-x",
            "runtime-client/a b",
            "runtime-client/a/b",
            "Runtime-Client/x",
            "token",
            "",
            &format!("runtime-client/{}", "x".repeat(65)),
        ] {
            let err = SecretName::parse(bad).unwrap_err();
            assert_eq!(err.name, "InvalidSecretNameError", "{bad:?}");
            assert_eq!(err.exit.code(), 2);
            assert!(!err.actions.is_empty());
        }
        let err = SecretName::parse("runtime-client").unwrap_err();
        assert!(
            err.message.contains("runtime-client/web-store"),
            "{}",
            err.message
        );
        let err = SecretName::parse("Runtime-Client/x").unwrap_err();
        assert!(err.message.contains("lower case"), "{}", err.message);
        // A token pasted where the name goes is not echoed back.
        for pasted in [TOKEN.to_string(), format!("runtime-client/{TOKEN}!x")] {
            let err = SecretName::parse(&pasted).unwrap_err();
            assert!(!format!("{err:?}").contains(TOKEN), "{err:?}");
        }
    }

    #[test]
    fn set_get_list_delete_with_the_mock_store() {
        let (_dir, secrets) = mock(&[]);
        let web = name("runtime-client/web-store");
        let outcome = secrets.set(&web, &Secret::new(TOKEN)).unwrap();
        assert_eq!(outcome.store, StoreKind::Mock);
        assert!(!outcome.replaced);
        let (value, source) = secrets.require(&web).unwrap();
        assert_eq!(value.expose(), TOKEN);
        assert_eq!(source, SecretSource::Keystore(StoreKind::Mock));
        assert!(secrets.set(&web, &Secret::new("second")).unwrap().replaced);
        assert_eq!(secrets.require(&web).unwrap().0.expose(), "second");

        secrets
            .set(&name("admin-api-key"), &Secret::new(TOKEN))
            .unwrap();
        let listed = secrets.list().unwrap();
        let names: Vec<&str> = listed.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["admin-api-key", "runtime-client/web-store"]);
        assert_eq!(listed[1].present, Some(true));
        assert_eq!(
            listed[1].env_var,
            "LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE"
        );
        let shown = serde_json::to_string(&listed).unwrap();
        assert!(
            !shown.contains(TOKEN) && !shown.contains("second"),
            "{shown}"
        );
        let index = std::fs::read_to_string(secrets.index_path()).unwrap();
        assert!(
            !index.contains(TOKEN) && !index.contains("second"),
            "{index}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(secrets.index_path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let deleted = secrets.delete(&web).unwrap();
        assert_eq!(deleted.deleted_from, [StoreKind::Mock]);
        assert!(secrets.get(&web).unwrap().is_none());
        assert_eq!(secrets.list().unwrap().len(), 1);
        let again = secrets.delete(&web).unwrap();
        assert!(again.deleted_from.is_empty());
        let err = secrets.require(&web).unwrap_err();
        assert_eq!(err.name, "SecretNotFoundError");
        assert!(
            err.message
                .contains("LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE")
        );
    }

    #[test]
    fn the_variable_comes_first() {
        let (_dir, secrets) = mock(&[("LOGIK_REFRESH_SECRET_ADMIN_API_KEY", "from-env")]);
        let key = name("admin-api-key");
        let (value, source) = secrets.require(&key).unwrap();
        assert_eq!(
            (value.expose(), source),
            ("from-env", SecretSource::Environment)
        );
        let outcome = secrets.set(&key, &Secret::new(TOKEN)).unwrap();
        assert!(
            outcome
                .warnings
                .iter()
                .any(|w| w.contains("LOGIK_REFRESH_SECRET_ADMIN_API_KEY"))
        );
        assert_eq!(secrets.require(&key).unwrap().0.expose(), "from-env");
        let listed = secrets.list().unwrap();
        assert!(listed[0].env_set);
        assert!(secrets.env_only(&listed).is_empty());
    }

    #[test]
    fn without_a_keystore_set_names_the_variable() {
        let dir = tempfile::tempdir().unwrap();
        let status = KeystoreStatus {
            store: None,
            choice: KeystoreChoice::None,
            detail: "none (LOGIK_REFRESH_KEYSTORE=none)".into(),
            candidates: Vec::new(),
            env_fallback: format!("{ENV_PREFIX}<NAME>"),
        };
        let secrets = Secrets::with_parts(
            status,
            dir.path().join("secrets.json"),
            Box::new(|var| {
                (var == "LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_CI").then(|| "ci-token".to_string())
            }),
            vec!["LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_CI".into()],
        );
        let web = name("runtime-client/web-store");
        let err = secrets.set(&web, &Secret::new(TOKEN)).unwrap_err();
        assert_eq!(err.name, "NoKeystoreError");
        assert!(
            err.actions
                .iter()
                .any(|a| a.contains("LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE")),
            "{:?}",
            err.actions
        );
        assert!(!format!("{err:?}").contains(TOKEN));
        assert!(secrets.get(&web).unwrap().is_none());
        let (value, _) = secrets.require(&name("runtime-client/ci")).unwrap();
        assert_eq!(value.expose(), "ci-token");
        assert_eq!(
            secrets.env_only(&[]),
            ["LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_CI"]
        );
    }

    #[test]
    fn keystore_errors_never_show_the_value() {
        let keystore = Keystore::new(StoreKind::Mock);
        let web = name("runtime-client/web-store");
        keystore.set(&web, &Secret::new(TOKEN)).unwrap();
        {
            let entries = keystore.mock.lock().unwrap();
            let mock: &keyring::mock::MockCredential = entries[web.as_str()]
                .get_credential()
                .downcast_ref()
                .unwrap();
            mock.set_error(keyring::Error::BadEncoding(TOKEN.as_bytes().to_vec()));
        }
        let err = keystore.get(&web).unwrap_err();
        assert_eq!(err.name, "KeystoreError");
        let shown = format!("{} {:?} {:?}", err.message, err.actions, err.data);
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(shown.contains("not UTF-8"), "{shown}");
        {
            let entries = keystore.mock.lock().unwrap();
            let mock: &keyring::mock::MockCredential = entries[web.as_str()]
                .get_credential()
                .downcast_ref()
                .unwrap();
            mock.set_error(keyring::Error::PlatformFailure(
                format!("backend echoed {TOKEN}").into(),
            ));
        }
        let err = keystore.set(&web, &Secret::new(TOKEN)).unwrap_err();
        assert!(!err.message.contains(TOKEN), "{}", err.message);
    }

    #[test]
    fn values_from_stdin() {
        let web = name("runtime-client/web-store");
        let read = |text: &str| read_value(text.as_bytes(), &web);
        assert_eq!(read(&format!("{TOKEN}\n")).unwrap().0.expose(), TOKEN);
        assert_eq!(read(&format!("{TOKEN}\r\n")).unwrap().0.expose(), TOKEN);
        assert_eq!(read(TOKEN).unwrap().0.expose(), TOKEN);
        let (value, warnings) = read(&format!(" {TOKEN}\n")).unwrap();
        assert_eq!(value.expose(), format!(" {TOKEN}"));
        assert_eq!(warnings.len(), 1);
        for (text, error) in [
            ("", "EmptySecretError"),
            ("\n", "EmptySecretError"),
            (&format!("{TOKEN}\n\n"), "MultilineSecretError"),
            (&format!("{TOKEN}\nsecond\n"), "MultilineSecretError"),
            (&format!("{TOKEN}\u{7}"), "InvalidSecretError"),
            (&"x".repeat(MAX_VALUE_BYTES + 1), "SecretTooLargeError"),
        ] {
            let err = read(text).unwrap_err();
            assert_eq!(err.name, error, "{text:?}");
            assert_eq!(err.exit.code(), 2);
            assert!(!format!("{err:?}").contains(TOKEN));
        }
        let err = read_value(&[0xff, 0xfe][..], &web).unwrap_err();
        assert_eq!(err.name, "InputEncodingError");
    }

    #[test]
    fn probing_none_and_the_platform_stores() {
        let status = probe(KeystoreChoice::None);
        assert_eq!(status.store, None);
        assert!(status.candidates.is_empty());
        assert!(
            status.detail.contains("LOGIK_REFRESH_SECRET_<NAME>"),
            "{}",
            status.detail
        );
        #[cfg(target_os = "linux")]
        {
            let status = probe(KeystoreChoice::MacosKeychain);
            assert_eq!(status.store, None);
            assert!(!status.candidates[0].usable);
            assert_eq!(
                platform_stores(),
                [StoreKind::SecretService, StoreKind::KernelKeyring]
            );
        }
    }

    #[test]
    fn a_missing_session_bus_is_said_plainly() {
        // Only the shape of the reason is checked: whether a bus exists depends on the machine.
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
            && std::env::var_os("XDG_RUNTIME_DIR").is_none()
        {
            let why = probe_secret_service().unwrap_err();
            assert!(why.contains("no D-Bus session bus"), "{why}");
        }
    }
}
