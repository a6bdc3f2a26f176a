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

pub fn cmd_completions(args: CompletionsArgs) -> Result<CommandOutput> {
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
    clap_complete::generate(shell, &mut command, BIN, &mut out);
    let script = String::from_utf8_lossy(&out).into_owned();
    match shell {
        clap_complete::Shell::Bash => fix_bash_states(&script),
        _ => script,
    }
}

const BIN: &str = "logik-refresh";

/// clap_complete's bash script names the state after a subcommand two ways when the binary's
/// name has a hyphen (`logik__refresh__subcmd__step` in the loop that finds it,
/// `logik__subcmd__refresh__subcmd__step` in the arm that completes it: clap issue #6421), so
/// nothing after the first word completes. Spell the arms the way the loop does.
fn fix_bash_states(script: &str) -> String {
    let arm = format!("{}__subcmd__", BIN.replace('-', "__subcmd__"));
    let state = format!("{}__subcmd__", BIN.replace('-', "__"));
    script.replace(&arm, &state)
}
