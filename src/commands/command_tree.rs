//! `command-tree` (hidden): every command with its about, examples, flags and arguments, as
//! JSON, from the clap definitions. scripts/package-npm.sh turns it into the sf plugin's oclif
//! manifest, so `sf commands`, `sf which` and `sf help` know each command the binary has. Run
//! by the packaging under the sf plugin's name, its examples say `sf logik ...` (the printer's
//! doing, as for every hint).

use crate::cli::Cli;
use crate::protocol::{CommandOutput, Result};
use clap::{ArgAction, CommandFactory};
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandTree {
    pub program: &'static str,
    pub version: &'static str,
    /// Every visible command, depth first, the root (an empty path) first.
    pub commands: Vec<TreeCommand>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TreeCommand {
    /// The words after the program name: `["org", "inspect"]`.
    pub path: Vec<String>,
    pub summary: String,
    /// More than the summary says (empty when nothing more).
    pub description: String,
    /// Each example as its description, then its command lines (`$ logik-refresh ...`).
    pub examples: Vec<String>,
    /// Has commands under it (a topic for sf).
    pub has_subcommands: bool,
    /// Can be run as it is (a command with subcommands may need one).
    pub runnable: bool,
    pub flags: Vec<TreeFlag>,
    pub args: Vec<TreeArg>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TreeFlag {
    pub name: String,
    pub char: Option<char>,
    /// `boolean` (takes no value) or `option`.
    pub r#type: &'static str,
    pub multiple: bool,
    pub required: bool,
    pub default: Option<String>,
    pub options: Vec<String>,
    pub value_name: Option<String>,
    pub summary: String,
    pub description: String,
    /// Given to every command (`--json`, `--flags-dir`, ...).
    pub global: bool,
    pub hidden: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TreeArg {
    pub name: String,
    pub required: bool,
    pub multiple: bool,
    pub options: Vec<String>,
    pub description: String,
}

pub fn cmd_command_tree() -> Result<CommandOutput> {
    let tree = tree();
    let mut text = serde_json::to_string_pretty(&tree).expect("the tree serializes");
    text.push('\n');
    Ok(CommandOutput::new(&tree, text))
}

pub fn tree() -> CommandTree {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut commands = Vec::new();
    collect(&root, Vec::new(), &mut commands);
    CommandTree {
        program: crate::protocol::program::NAME,
        version: env!("CARGO_PKG_VERSION"),
        commands,
    }
}

fn collect(command: &clap::Command, path: Vec<String>, out: &mut Vec<TreeCommand>) {
    let text = |s: Option<&clap::builder::StyledStr>| s.map(|s| s.to_string()).unwrap_or_default();
    let summary = text(command.get_about());
    let (examples, notes) = examples(&text(command.get_after_help()));
    let long = text(command.get_long_about());
    // What help shows under the summary: the long about and the notes, never the summary again.
    let description = [&long, &notes]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.trim().to_string())
        .collect::<Vec<_>>()
        .join("\n\n");
    let has_subcommands = command.get_subcommands().any(|s| !s.is_hide_set());
    let runnable = !has_subcommands || !command.is_subcommand_required_set();
    let args: Vec<&clap::Arg> = command
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .collect();
    out.push(TreeCommand {
        path: path.clone(),
        summary,
        description,
        examples,
        has_subcommands,
        runnable,
        flags: args
            .iter()
            .filter(|a| !a.is_positional())
            .filter_map(|a| flag(a))
            .collect(),
        args: args
            .iter()
            .filter(|a| a.is_positional())
            .map(|a| arg(a))
            .collect(),
    });
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let mut sub_path = path.clone();
        sub_path.push(sub.get_name().to_string());
        collect(sub, sub_path, out);
    }
}

fn flag(arg: &clap::Arg) -> Option<TreeFlag> {
    let boolean = match arg.get_action() {
        ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version => {
            return None;
        }
        ArgAction::SetTrue | ArgAction::SetFalse | ArgAction::Count => true,
        _ => false,
    };
    let (summary, description) = helps(arg);
    Some(TreeFlag {
        name: arg.get_long()?.to_string(),
        char: arg.get_short(),
        r#type: if boolean { "boolean" } else { "option" },
        multiple: matches!(arg.get_action(), ArgAction::Append | ArgAction::Count),
        required: arg.is_required_set(),
        default: (!boolean)
            .then(|| arg.get_default_values())
            .filter(|d| !d.is_empty())
            .map(|d| {
                d.iter()
                    .map(|v| v.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join(",")
            }),
        options: if boolean { Vec::new() } else { options(arg) },
        value_name: (!boolean)
            .then(|| arg.get_value_names())
            .flatten()
            .and_then(|n| n.first())
            .map(|n| n.to_string()),
        summary,
        description,
        global: arg.is_global_set(),
        hidden: arg.is_hide_set(),
    })
}

fn arg(arg: &clap::Arg) -> TreeArg {
    let (summary, description) = helps(arg);
    TreeArg {
        name: arg.get_id().to_string(),
        required: arg.is_required_set(),
        multiple: matches!(arg.get_action(), ArgAction::Append)
            || arg.get_num_args().is_some_and(|n| n.max_values() > 1),
        options: options(arg),
        description: if description.is_empty() {
            summary
        } else {
            description
        },
    }
}

fn options(arg: &clap::Arg) -> Vec<String> {
    arg.get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect()
}

/// (first sentence-line of the help, the whole help when it says more).
fn helps(arg: &clap::Arg) -> (String, String) {
    let help = arg
        .get_long_help()
        .or(arg.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default();
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let summary = arg
        .get_help()
        .map(|h| {
            h.to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let description = if flat == summary { String::new() } else { flat };
    (summary, description)
}

/// An `after_help` as (examples, the rest): under `Examples:`, a line indented two spaces
/// describes the example, the lines under it indented four are its commands (a trailing `\`
/// continues one); text after a blank line at the left margin is the rest.
fn examples(after_help: &str) -> (Vec<String>, String) {
    let mut examples: Vec<String> = Vec::new();
    let mut notes = Vec::new();
    let mut in_examples = false;
    let mut continued = false;
    for line in after_help.lines() {
        if line.trim() == "Examples:" {
            in_examples = true;
            continue;
        }
        if in_examples && line.starts_with("    ") && !examples.is_empty() {
            let command = line.trim().trim_end_matches('\\').trim_end();
            let last = examples.last_mut().expect("not empty");
            if continued {
                last.push(' ');
                last.push_str(command);
            } else {
                last.push_str("\n$ ");
                last.push_str(command);
            }
            continued = line.trim_end().ends_with('\\');
        } else if in_examples && line.starts_with("  ") {
            examples.push(line.trim().to_string());
            continued = false;
        } else if line.trim().is_empty() {
            continue;
        } else {
            in_examples = false;
            notes.push(line.trim_end());
        }
    }
    (examples, notes.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::examples;

    #[test]
    fn examples_are_split_from_after_help() {
        let (ex, notes) = examples(
            "Examples:\n  One:\n    logik-refresh a \\\n        --b c\n\n  Two:\n    x\n    y\n\nMore text\nhere.",
        );
        assert_eq!(ex, ["One:\n$ logik-refresh a --b c", "Two:\n$ x\n$ y"]);
        assert_eq!(notes, "More text\nhere.");
    }
}
