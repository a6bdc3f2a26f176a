//! `secret` topic: the tool's own secrets (Runtime Client tokens, Admin API keys) in the OS
//! keystore.

use crate::cli::values::KeystoreChoice;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum SecretCommand {
    /// Store a secret in the OS keystore; the value is read from stdin, never from a flag.
    #[command(after_help = "\
Examples:
  Right after creating a Runtime Client in CPQ Admin, with its token on the clipboard (macOS):
    pbpaste | logik-refresh secret set runtime-client/web-store

  The same in PowerShell:
    Get-Clipboard | logik-refresh secret set runtime-client/web-store

  From a file (Linux: xclip -o -selection clipboard | ... works too):
    logik-refresh secret set admin-api-key < admin-key.txt

One trailing newline is dropped; the value must be one line. The keystore: the macOS login
keychain, the Windows Credential Manager, on Linux the Secret Service, else the kernel keyring
(memory only, gone at reboot); logik-refresh doctor shows which one is used here.

Names: runtime-client/<client>, admin-api-key or admin-api-key/<name>; <client> and <name> hold
letters, digits, '-', '_' and '.'. Where no keystore is usable, the variable
LOGIK_REFRESH_SECRET_<NAME> carries the secret instead (runtime-client/web-store ->
LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE), and every reader uses it first.")]
    Set(SecretSetArgs),
    /// Print a secret's value (the one command that shows a secret: you asked for it).
    #[command(after_help = "\
Examples:
  Put a token on the clipboard without showing it (macOS):
    logik-refresh secret get runtime-client/web-store | pbcopy

  In a script, as JSON:
    logik-refresh secret get runtime-client/web-store --json | jq -r .result.value

  PowerShell:
    logik-refresh secret get runtime-client/web-store | Set-Clipboard

LOGIK_REFRESH_SECRET_<NAME>, when set, is used before the keystore.")]
    Get(SecretGetArgs),
    /// Remove a secret from the keystore (succeeds, saying so, when it was not there).
    #[command(after_help = "\
Examples:
  After deleting the Runtime Client in CPQ Admin:
    logik-refresh secret delete runtime-client/web-store

  Every stored name, in a script:
    logik-refresh secret list --json | jq -r '.result.secrets[].name' \\
        | xargs -n1 logik-refresh secret delete")]
    Delete(SecretDeleteArgs),
    /// List the stored secrets: names, keystore and when they were set, never values.
    #[command(after_help = "\
Examples:
  What is stored, and where:
    logik-refresh secret list

  Only the names:
    logik-refresh secret list --json | jq -r '.result.secrets[].name'

The names come from <state dir>/secrets.json (mode 600, names only), as keystores cannot list
their entries everywhere; LOGIK_REFRESH_SECRET_* variables set now are listed by name too.")]
    List(SecretListArgs),
}

// How the secret commands find their keystore.
#[derive(Debug, Args, Clone, Copy)]
pub struct KeystoreFlags {
    /// The keystore: auto takes the first usable of the macOS keychain, the Windows Credential
    /// Manager, the Secret Service, the kernel keyring; secret-service, kernel-keyring,
    /// macos-keychain or windows-credential-manager forces one; none uses only
    /// LOGIK_REFRESH_SECRET_<NAME> variables.
    #[arg(
        long,
        value_enum,
        hide_possible_values = true,
        env = "LOGIK_REFRESH_KEYSTORE",
        default_value = "auto",
        value_name = "KEYSTORE"
    )]
    pub keystore: KeystoreChoice,
}

#[derive(Debug, Args)]
pub struct SecretSetArgs {
    /// The secret's name, e.g. runtime-client/web-store.
    #[arg(value_name = "NAME")]
    pub name: String,

    #[command(flatten)]
    pub keystore: KeystoreFlags,
}

#[derive(Debug, Args)]
pub struct SecretGetArgs {
    /// The secret's name, e.g. runtime-client/web-store.
    #[arg(value_name = "NAME")]
    pub name: String,

    #[command(flatten)]
    pub keystore: KeystoreFlags,
}

#[derive(Debug, Args)]
pub struct SecretDeleteArgs {
    /// The secret's name, e.g. runtime-client/web-store.
    #[arg(value_name = "NAME")]
    pub name: String,

    #[command(flatten)]
    pub keystore: KeystoreFlags,
}

#[derive(Debug, Args)]
pub struct SecretListArgs {
    #[command(flatten)]
    pub keystore: KeystoreFlags,
}
