//! clap definitions only: the command tree, flags, help text. Logic lives in `commands/`.
//!
//! Every subcommand enum, the top-level one included, is `defer = true`: a command's flags are
//! built only when it is the one parsed (or for help, completions and man pages). For the
//! offline intake that is 1.84M -> 1.37M instructions (callgrind), the top-level enum's `run`,
//! `doctor` and `snapshot` flags alone being a quarter of the process's work. The
//! price: a doc comment on an `Args` struct would replace the about of every command that takes
//! it, so those structs carry plain comments (the help snapshots catch a `///` that slips in).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

pub mod case;
pub mod flags_dir;
pub mod org;
pub mod project;
pub mod run;
pub mod secret;
pub mod step;
pub mod values;

pub use case::CaseCommand;
pub use org::{InspectArgs, OrgCommand, OrgFlags};
pub use step::{StepCommand, StepFlags};

const ABOUT: &str =
    "Reconnect a refreshed Salesforce sandbox to its ServiceNow CPQ (Logik.ai) tenant.";

const EXAMPLES: &str = "\
Examples:
  Read the org sf is logged in to and show what the tool sees:
    sf org display --json -o uat | logik-refresh org inspect

  The same by alias, through sf's own auth store, as JSON:
    logik-refresh org inspect -o uat --json

  Print the JSON Schema of a command's output:
    logik-refresh schema org-inspect";

/// `Cli::try_parse_from`, except that the command tree is not freed afterwards: the process ends
/// soon after, and freeing the tree's thousands of allocations is an eighth of a short command's
/// work (the offline intake).
pub fn parse(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let mut command = std::mem::ManuallyDrop::new(Cli::command());
    let mut matches = command.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches_mut(&mut matches).map_err(|err| err.format(&mut command))
}

#[derive(Debug, Parser)]
#[command(name = "logik-refresh", version, about = ABOUT, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Format output as JSON: the sf envelope on stdout (also SF_CONTENT_TYPE=JSON).
    #[arg(long, global = true, help_heading = "Global Flags")]
    pub json: bool,

    /// Never ask questions; a missing value is an error instead (always so with --json or
    /// when stdin is not a terminal).
    #[arg(long, global = true, help_heading = "Global Flags")]
    pub no_prompt: bool,

    /// Read flags from files in DIR, one per flag, named after it (e.g. target-org holding
    /// uat); flags typed on the command line win.
    #[arg(long, global = true, value_name = "DIR", help_heading = "Global Flags")]
    pub flags_dir: Option<PathBuf>,

    /// Give up on a request to the org (retries included), or on sf, after this long: 90s, 5m;
    /// a bare number is seconds. Default 2m.
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        env = "LOGIK_REFRESH_NET_TIMEOUT",
        hide_env_values = true,
        value_parser = org::parse_seconds,
        help_heading = "Global Flags"
    )]
    pub net_timeout: Option<std::time::Duration>,

    /// Write every request to the org and its answer to FILE as JSON lines (mode 600), tokens
    /// and secrets removed, to attach to a bug report.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "LOGIK_REFRESH_TRACE",
        hide_env_values = true,
        help_heading = "Global Flags"
    )]
    pub trace: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Facts about the org: IDs, My Domain, sandbox, packages, Logik tenant setting.
    #[command(
        subcommand,
        after_help = "\
Examples:
  What the tool sees in the org sf calls uat:
    logik-refresh org inspect -o uat

  Wait for the refresh of sandbox uat, watching the production org prod:
    logik-refresh org wait --sandbox-name uat -o prod --timeout 6h"
    )]
    Org(OrgCommand),
    /// The support case for the CPQ side of the refresh: build, validate, render, follow up.
    #[command(
        subcommand,
        after_help = "\
Examples:
  Build the case before the refresh and check it:
    logik-refresh case build -o uat --cpq-url https://acme.test.logik.io --refresh-date tomorrow \\
        --retain-data --cpq-admin jane@acme.com.uat --output case.json
    logik-refresh case validate case.json

  The text to paste into the Now Support form:
    logik-refresh case render case.json

  After the refresh, the follow-up with the new org ID:
    logik-refresh case org-id -o uat --case-number CS0123456"
    )]
    Case(CaseCommand),
    /// The post-refresh steps, one at a time (each with --dry-run).
    #[command(
        subcommand,
        after_help = "\
Examples:
  See what the tenant URLs step would change:
    logik-refresh step tenant-urls -o uat --runtime-url https://acme-uat.test.logik.io --dry-run

  Show a guided step's values, then record that it is done:
    logik-refresh step configurator-url -o uat
    logik-refresh step configurator-url -o uat --confirm

Every step in order, with a journal: logik-refresh run."
    )]
    Step(StepCommand),
    /// Every after-refresh step in order, resumable: exit 0 when all is done, 68 while guided steps remain.
    #[command(after_help = "\
Examples:
  The whole procedure; guided steps are listed with the command that confirms each:
    logik-refresh run -o uat --runtime-url https://acme-uat.test.logik.io

  The plan only:
    logik-refresh run -o uat --runtime-url https://acme-uat.test.logik.io --dry-run --json \\
        | jq .result.steps

  Stream events into jq while it runs:
    logik-refresh run -o uat --runtime-url https://acme-uat.test.logik.io --jsonl \\
        | jq -c 'select(.event == \"step-finished\") | [.step, .result.outcome]'

  Every sandbox of the project config, four at a time:
    logik-refresh run --all --jobs 4")]
    Run(run::RunArgs),
    /// Undo a step's last change, from the values the journal recorded before it.
    #[command(after_help = "\
Examples:
  See what would be restored:
    logik-refresh rollback --step tenant-urls -o uat --dry-run

  Restore the tenant URLs from before the last `step tenant-urls`:
    logik-refresh rollback --step tenant-urls -o uat")]
    Rollback(RollbackArgs),
    /// The project's settings for each sandbox: plugins.logik-refresh in sfdx-project.json.
    #[command(
        subcommand,
        after_help = "\
Examples:
  Record sandbox uat's tenant in the sf project's sfdx-project.json:
    logik-refresh config init -o uat

  Check the section, every problem at once with its JSON path:
    logik-refresh config validate"
    )]
    Config(project::ConfigCommand),
    /// Save what a refresh will overwrite (tenant rows, trusted sites, users, packages) before it.
    #[command(after_help = "\
Examples:
  Before refreshing sandbox uat (reads only; <state dir>/snapshots/uat.json, mode 600):
    logik-refresh snapshot -o uat

  After the refresh, what differs; then run restores it:
    logik-refresh snapshot diff -o uat
    logik-refresh run -o uat")]
    Snapshot(project::SnapshotArgs),
    /// Print the JSON Schemas of this tool's outputs.
    #[command(after_help = "\
Examples:
  The shape of org inspect --json:
    logik-refresh schema org-inspect

  The names of all schemas:
    logik-refresh schema --json | jq -r '.result | keys[]'

  Write them all, one file each:
    logik-refresh schema --out-dir schemas")]
    Schema(SchemaArgs),
    /// The tool's own secrets (Runtime Client tokens, Admin API keys) in the OS keystore.
    #[command(
        subcommand,
        after_help = "\
Examples:
  Keep a Runtime Client's token as you create it in CPQ Admin (macOS; PowerShell: Get-Clipboard):
    pbpaste | logik-refresh secret set runtime-client/web-store

  What is stored, and where (never the values):
    logik-refresh secret list

  In CI, without a keystore: the variable stands in for the stored secret:
    LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE=$TOKEN \\
        logik-refresh secret get runtime-client/web-store --json"
    )]
    Secret(secret::SecretCommand),
    /// What the tool can see and use here: sf, its key, the org, packages, keystore, state.
    #[command(after_help = "\
Examples:
  Everything, with sf's default org:
    logik-refresh doctor

  One org, as JSON; only the checks that are not ok:
    logik-refresh doctor -o uat --json | jq '.result.checks[] | select(.status != \"ok\")'

  As a CI preflight (exit 1 when the org named cannot be used):
    sf org display --json -o uat | logik-refresh doctor --json > doctor.json

doctor reports and exits 0 whatever is missing, except that it exits 1 when an org named with
-o, --org-json or sf JSON on stdin cannot be read or reached (the report is printed either way).")]
    Doctor(DoctorArgs),
    /// Print the shell completion script for bash, zsh, fish, PowerShell or elvish.
    #[command(after_help = "\
Examples:
  bash, for this shell only:
    source <(logik-refresh completions bash)

  zsh, for every new shell (a folder in $fpath):
    logik-refresh completions zsh > ~/.zfunc/_logik-refresh

  PowerShell, in your profile:
    logik-refresh completions powershell | Out-String | Invoke-Expression")]
    Completions(CompletionsArgs),
    /// Print the manual pages (roff) of every command, or write one file per command.
    #[command(after_help = "\
Examples:
  Read the manual now:
    logik-refresh man | man -l -

  Install one page per command:
    logik-refresh man --out-dir ~/.local/share/man/man1 && man logik-refresh-run")]
    Man(ManArgs),
    /// Every command, flag and example as JSON: what the sf plugin's manifest is made from.
    #[command(hide = true)]
    CommandTree,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command, as <DIR>/logik-refresh-<command>.1, instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    #[command(flatten)]
    pub step_flags: StepFlags,

    /// The step whose last change to undo, e.g. tenant-urls.
    #[arg(long, value_name = "STEP")]
    pub step: String,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub org: OrgFlags,

    #[command(flatten)]
    pub keystore: secret::KeystoreFlags,

    /// Do not call the org (sf, its key and auth file, the keystore and the state are still
    /// checked).
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema (default: all of them, keyed by name).
    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    /// Write every schema as <DIR>/<name>.schema.json instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// The deferred commands are built, and clap's consistency checks run, only when a command
    /// is parsed: this builds and checks every one of them.
    #[test]
    fn every_command_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Each command's about as its variant's doc comment sets it, and as it reads once the
    /// deferred flags are built: an `Args` struct with a `///` comment would replace it there.
    #[test]
    fn no_flags_struct_replaces_a_commands_about() {
        fn abouts(command: &clap::Command, path: &str, out: &mut Vec<(String, String)>) {
            let text = |s: Option<&clap::builder::StyledStr>| s.map(|s| s.to_string());
            let about = format!(
                "{:?} {:?}",
                text(command.get_about()),
                text(command.get_long_about())
            );
            out.push((path.to_string(), about));
            for sub in command.get_subcommands() {
                abouts(sub, &format!("{path} {}", sub.get_name()), out);
            }
        }
        let mut declared = Vec::new();
        abouts(&Cli::command(), "logik-refresh", &mut declared);
        let mut built = Cli::command();
        built.build();
        let mut shown = Vec::new();
        abouts(&built, "logik-refresh", &mut shown);
        for (path, about) in declared {
            let (_, after) = shown.iter().find(|(p, _)| *p == path).unwrap();
            assert_eq!(
                *after, about,
                "{path}: a flags struct's doc comment replaced the command's about (write it with //)"
            );
        }
    }
}
