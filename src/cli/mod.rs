//! clap definitions only: the command tree, flags, help text. Logic lives in `commands/`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

pub mod case;
pub mod org;
pub mod step;

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

#[derive(Debug, Parser)]
#[command(name = "logik-refresh", version, about = ABOUT, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Format output as JSON: the sf envelope on stdout (also SF_CONTENT_TYPE=JSON).
    #[arg(long, global = true)]
    pub json: bool,

    /// Never ask questions; a missing value is an error instead (always so with --json or
    /// when stdin is not a terminal).
    #[arg(long, global = true)]
    pub no_prompt: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Facts about the org: IDs, My Domain, sandbox, packages, Logik tenant setting.
    #[command(subcommand)]
    Org(OrgCommand),
    /// The support case for the CPQ side of the refresh: build, validate, render, follow up.
    #[command(subcommand)]
    Case(CaseCommand),
    /// The post-refresh steps, one at a time (each with --dry-run).
    #[command(subcommand)]
    Step(StepCommand),
    /// Undo a step's last change, from the values the journal recorded before it.
    #[command(after_help = "\
Examples:
  See what would be restored:
    logik-refresh rollback --step tenant-urls -o uat --dry-run

  Restore the tenant URLs from before the last `step tenant-urls`:
    logik-refresh rollback --step tenant-urls -o uat")]
    Rollback(RollbackArgs),
    /// Print the JSON Schemas of this tool's outputs.
    Schema(SchemaArgs),
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
pub struct SchemaArgs {
    /// Which schema (default: all of them, keyed by name).
    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    /// Write every schema as <DIR>/<name>.schema.json instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}
