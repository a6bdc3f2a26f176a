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

pub async fn run(command: SecretCommand, globals: &Globals) -> Result<CommandOutput> {
    let globals = *globals;
    let work = move || match command {
        SecretCommand::Set(args) => set::run(args, &globals),
        SecretCommand::Get(args) => get::run(args, &globals),
        SecretCommand::Delete(args) => delete::run(args),
        SecretCommand::List(args) => list::run(args),
    };
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::new("InternalError", format!("The keystore call failed: {e}")))?
}
