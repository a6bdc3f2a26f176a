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

mod index;
mod names;
mod probing;
mod store;
#[cfg(test)]
mod tests;

pub use index::{IndexEntry, index_path};
pub use names::{SecretName, read_value};
pub use probing::{KeystoreChoice, KeystoreStatus, StoreKind, StoreProbe, probe};
pub use store::{
    DeleteOutcome, EnvLookup, Keystore, ListedSecret, SecretSource, Secrets, SetOutcome, lookup,
};

/// The keystore service every secret of this tool is filed under.
pub const SERVICE: &str = "logik-refresh";
/// The prefix of the variables that carry secrets where no keystore is usable.
pub const ENV_PREFIX: &str = "LOGIK_REFRESH_SECRET_";
/// The variable that chooses the keystore (`auto` when unset).
pub const KEYSTORE_ENV: &str = "LOGIK_REFRESH_KEYSTORE";
/// The most a secret value may be (tokens and keys are far smaller).
pub const MAX_VALUE_BYTES: usize = 16 * 1024;
