//! `secret get NAME`: the one command that prints a secret, because the user asked for it.

use crate::cli::secret::SecretGetArgs;
use crate::commands::shared::Globals;
use crate::keystore::{SecretName, SecretSource, Secrets};
use crate::protocol::{CommandOutput, Format, Result};
use crate::redacted::Secret;
use schemars::JsonSchema;
use serde::Serialize;
use std::io::IsTerminal;

/// The secret and where it came from.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretGetResult {
    pub name: String,
    /// The secret itself.
    pub value: String,
    pub source: SecretSource,
}

pub fn cmd_secret_get(args: SecretGetArgs, globals: &Globals) -> Result<CommandOutput> {
    let name = SecretName::parse(&args.name)?;
    // The variable comes first, so with it set no keystore is asked (nor probed).
    let found = match std::env::var(name.env_var()).ok().filter(|v| !v.is_empty()) {
        Some(value) => (Secret::new(value), SecretSource::Environment),
        None => Secrets::open(args.keystore.keystore.into())?.require(&name)?,
    };
    let (value, source) = found;
    let mut warnings = Vec::new();
    if globals.format == Format::Text && std::io::stdout().is_terminal() {
        warnings.push(format!(
            "The value of {name} is on your screen; pipe it where it is needed instead \
             (… | pbcopy, … | Set-Clipboard)."
        ));
    }
    let text = value.expose().to_string();
    let result = SecretGetResult {
        name: name.to_string(),
        value: value.expose().to_string(),
        source,
    };
    Ok(CommandOutput::new(&result, text).with_warnings(warnings))
}
