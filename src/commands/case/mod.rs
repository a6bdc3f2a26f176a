//! `case` topic: the support case payload, its validation, rendering and the org-ID follow-up.

use crate::cli::CaseCommand;
use crate::commands::Globals;
use crate::protocol::{CommandOutput, Result};

/// The command's name for the error envelope's `context`.
pub fn context(command: &CaseCommand) -> &'static str {
    match *command {}
}

pub async fn run(command: CaseCommand, _globals: &Globals) -> Result<CommandOutput> {
    match command {}
}
