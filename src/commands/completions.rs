//! `completions SHELL`: the shell's completion script for the whole command tree, from the clap
//! definitions (so it never drifts from the flags).

use crate::cli::{Cli, CompletionsArgs};
use crate::protocol::{CommandOutput, Result};
use clap::CommandFactory;
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionsResult {
    pub shell: String,
    pub script: String,
}

pub fn run(args: CompletionsArgs) -> Result<CommandOutput> {
    let script = script(args.shell);
    let result = CompletionsResult {
        shell: args.shell.to_string(),
        script: script.clone(),
    };
    Ok(CommandOutput::new(&result, script))
}

/// The completion script for `shell`.
pub fn script(shell: clap_complete::Shell) -> String {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "logik-refresh", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}
