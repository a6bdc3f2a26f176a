//! `secret` topic: the tool's own secrets in the OS keystore (see `crate::keystore`). Keystore
//! calls block (a keystore may wait for the user to unlock it), so they run on tokio's blocking
//! pool, which leaves Ctrl-C working.

pub mod delete;
pub mod get;
pub mod list;
pub mod set;

use crate::cli::secret::SecretCommand;
use crate::commands::shared::Globals;
use crate::protocol::{CommandOutput, Error, Result};

pub fn context(command: &SecretCommand) -> &'static str {
    match command {
        SecretCommand::Set(_) => "secret set",
        SecretCommand::Get(_) => "secret get",
        SecretCommand::Delete(_) => "secret delete",
        SecretCommand::List(_) => "secret list",
    }
}

pub async fn cmd_secret(command: SecretCommand, globals: &Globals) -> Result<CommandOutput> {
    let globals = *globals;
    let work = move || match command {
        SecretCommand::Set(args) => set::cmd_secret_set(args, &globals),
        SecretCommand::Get(args) => get::cmd_secret_get(args, &globals),
        SecretCommand::Delete(args) => delete::cmd_secret_delete(args),
        SecretCommand::List(args) => list::cmd_secret_list(args),
    };
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::new("InternalError", format!("The keystore call failed: {e}")))?
}
