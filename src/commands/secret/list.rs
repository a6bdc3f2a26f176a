//! `secret list`: the names stored, where and when; never a value.

use crate::cli::secret::SecretListArgs;
use crate::keystore::{KeystoreStatus, ListedSecret, Secrets};
use crate::protocol::{CommandOutput, Result};
use schemars::JsonSchema;
use serde::Serialize;
use std::fmt::Write;

/// The stored secrets' names and the keystore in use.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretList {
    /// The keystore `secret set` uses here (or none, and why).
    pub keystore: KeystoreStatus,
    /// The file that records the names (names only, mode 600).
    pub index_path: String,
    /// Every stored name, sorted.
    pub secrets: Vec<ListedSecret>,
    /// LOGIK_REFRESH_SECRET_* variables set now that no stored name accounts for.
    pub environment_only: Vec<String>,
}

pub fn cmd_secret_list(args: SecretListArgs) -> Result<CommandOutput> {
    let secrets = Secrets::open(args.keystore.keystore.into())?;
    let listed = secrets.list()?;
    let result = SecretList {
        keystore: secrets.status().clone(),
        index_path: secrets.index_path().display().to_string(),
        environment_only: secrets.env_only(&listed),
        secrets: listed,
    };
    let text = render_text(&result);
    Ok(CommandOutput::new(&result, text))
}

fn render_text(list: &SecretList) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Keystore: {}", list.keystore.detail);
    let _ = writeln!(out);
    if list.secrets.is_empty() {
        let _ = writeln!(
            out,
            "No secrets stored. Store one: pbpaste | logik-refresh secret set runtime-client/<client>"
        );
    } else {
        let width = list
            .secrets
            .iter()
            .map(|s| s.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let _ = writeln!(
            out,
            "{:<width$}  {:<26}  {:<20}  PRESENT",
            "NAME", "KEYSTORE", "SET AT"
        );
        for secret in &list.secrets {
            let present = match secret.present {
                Some(true) => "yes",
                Some(false) => "no (gone: set it again)",
                None => "-",
            };
            let mut line = format!(
                "{:<width$}  {:<26}  {:<20}  {present}",
                secret.name,
                secret.store.id(),
                secret.set_at
            );
            if secret.env_set {
                let _ = write!(line, "  (overridden by {})", secret.env_var);
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    if !list.environment_only.is_empty() {
        let _ = writeln!(
            out,
            "\nSet in the environment: {}",
            list.environment_only.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\nValues are never listed; logik-refresh secret get NAME prints one."
    );
    out
}
