//! Finding the keystore to use here, by real calls.

use super::*;
use crate::protocol::{Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// How long a Secret Service has to answer the probe.
pub(super) const SECRET_SERVICE_PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// The account the probes look up (never stored).
pub(super) const PROBE_ACCOUNT: &str = "probe (never stored)";

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
pub(super) fn platform_stores() -> Vec<StoreKind> {
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
pub(super) fn persistence(store: StoreKind) -> String {
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

pub(super) fn human_duration(secs: u64) -> String {
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s >= 3_600 => format!("{} hours", s / 3_600),
        s => format!("{s} seconds"),
    }
}

/// A real call to the store: look up an entry that does not exist. "No entry" means it
/// answered. The error text never holds a secret (there is none to hold).
pub(super) fn probe_store(store: StoreKind) -> std::result::Result<(), String> {
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

pub(super) fn probe_secret_service() -> std::result::Result<(), String> {
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
pub(super) fn entry_for(store: StoreKind, account: &str) -> keyring::Result<keyring::Entry> {
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
pub(super) fn describe(err: &keyring::Error) -> String {
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
