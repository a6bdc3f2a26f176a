//! `secret set NAME`: the value from stdin (never a flag, never a prompt that echoes) into the
//! keystore.

use crate::cli::secret::SecretSetArgs;
use crate::commands::shared::Globals;
use crate::keystore::{SecretName, Secrets, StoreKind, read_value};
use crate::protocol::{CommandOutput, Error, Result};
use schemars::JsonSchema;
use serde::Serialize;
use std::io::IsTerminal;

/// What `secret set` did (never the value).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretSetResult {
    #[schemars(example = &"runtime-client/web-store")]
    pub name: String,
    /// The keystore that holds it now.
    pub store: StoreKind,
    /// True when a value was there before and was replaced.
    pub replaced: bool,
    /// The variable that, when set, is used instead of the stored value.
    pub env_var: String,
}

pub fn cmd_secret_set(args: SecretSetArgs, _globals: &Globals) -> Result<CommandOutput> {
    let name = SecretName::parse(&args.name)?;
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(Error::input(
            "SecretNotPipedError",
            format!(
                "secret set reads the value of {name} from a pipe or a file, so that it never \
                 shows on screen or in your shell history; stdin is a terminal."
            ),
        )
        .with_action(format!("macOS: pbpaste | logik-refresh secret set {name}"))
        .with_action(format!(
            "PowerShell: Get-Clipboard | logik-refresh secret set {name}"
        ))
        .with_action(format!(
            "Linux: xclip -o -selection clipboard | logik-refresh secret set {name}"
        ))
        .with_action(format!(
            "From a file: logik-refresh secret set {name} < token.txt"
        )));
    }
    let (value, mut warnings) = read_value(stdin.lock(), &name)?;
    let secrets = Secrets::open(args.keystore.keystore.into())?;
    let outcome = secrets.set(&name, &value)?;
    warnings.extend(outcome.warnings);
    let result = SecretSetResult {
        name: name.to_string(),
        store: outcome.store,
        replaced: outcome.replaced,
        env_var: name.env_var(),
    };
    let text = format!(
        "{} {name} in the {}.",
        if outcome.replaced {
            "Replaced"
        } else {
            "Stored"
        },
        outcome.store.label()
    );
    Ok(CommandOutput::new(&result, text).with_warnings(warnings))
}
