//! `secret delete NAME`: remove it from the keystore and the list of names.

use crate::cli::secret::SecretDeleteArgs;
use crate::keystore::{SecretName, Secrets, StoreKind};
use crate::protocol::{CommandOutput, Result};
use schemars::JsonSchema;
use serde::Serialize;

/// What `secret delete` did.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretDeleteResult {
    pub name: String,
    /// False when nothing was stored under the name (not an error: the end state is the same).
    pub deleted: bool,
    /// The keystores an entry was removed from.
    pub deleted_from: Vec<StoreKind>,
}

pub fn cmd_secret_delete(args: SecretDeleteArgs) -> Result<CommandOutput> {
    let name = SecretName::parse(&args.name)?;
    let secrets = Secrets::open(args.keystore.keystore.into())?;
    let outcome = secrets.delete(&name)?;
    let text = if outcome.deleted_from.is_empty() {
        format!("{name} was not stored; nothing to delete.")
    } else {
        let stores: Vec<&str> = outcome.deleted_from.iter().map(|s| s.label()).collect();
        format!("Deleted {name} from the {}.", stores.join(" and the "))
    };
    let result = SecretDeleteResult {
        name: name.to_string(),
        deleted: !outcome.deleted_from.is_empty(),
        deleted_from: outcome.deleted_from,
    };
    Ok(CommandOutput::new(&result, text).with_warnings(outcome.warnings))
}
