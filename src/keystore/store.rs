//! A keystore, and the tool's secrets in front of it: the variable first, then the keystore
//! in use, then the keystore the index names.

use super::probing::{describe, entry_for, persistence};
use super::*;
use crate::protocol::{Error, Result};
use crate::redacted::Secret;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A keystore ready for use.
pub struct Keystore {
    kind: StoreKind,
    /// The mock store keeps nothing between entries, so the mock keystore keeps its entries.
    pub(super) mock: Mutex<BTreeMap<String, keyring::Entry>>,
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

pub(super) fn process_env() -> EnvLookup {
    Box::new(|name| std::env::var(name).ok())
}

/// The tool's secrets: the keystore in use (if any), the index, and the environment.
pub struct Secrets {
    status: KeystoreStatus,
    keystore: Option<Keystore>,
    pub(super) index_path: PathBuf,
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
}

pub(super) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The value of `name` for a command that needs it: the variable, else the keystore chosen by
/// LOGIK_REFRESH_KEYSTORE (probed only when the variable is not set).
pub fn lookup(name: &SecretName) -> Result<Option<(Secret, SecretSource)>> {
    if let Some(value) = std::env::var(name.env_var()).ok().filter(|v| !v.is_empty()) {
        return Ok(Some((Secret::new(value), SecretSource::Environment)));
    }
    Secrets::open(KeystoreChoice::from_env()?)?.get(name)
}
