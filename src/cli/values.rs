//! The value enums the flags take, on clap's side: `cli` imports no domain module, so each has
//! its domain twin, and `commands::shared` converts one into the other.

/// The permissions a Runtime Client can have, as CPQ Admin names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClientPermissions {
    /// "Config"
    Config,
    /// "Config and Flightpath"
    ConfigAndFlightpath,
}

/// Which keystore to use: `--keystore` or `LOGIK_REFRESH_KEYSTORE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
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

/// How a case or follow-up is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RenderFormat {
    /// Plain text, for the portal's description field.
    Text,
    /// Markdown, for places that render it (a ticket comment, a pull request, a wiki).
    Markdown,
}
