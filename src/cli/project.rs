//! The project config (`plugins.logik-refresh` in sfdx-project.json) and the snapshot a sandbox
//! is saved in before its refresh: `config`, `snapshot`, and the flags `run` shares with them.

use super::OrgFlags;
use clap::{Args, Subcommand};
use std::path::PathBuf;

// Where the project config comes from.
#[derive(Debug, Args, Clone, Default)]
pub struct ConfigFlags {
    /// The project file holding plugins.logik-refresh (default: sfdx-project.json in the
    /// working directory or the nearest parent that has one, as sf finds its project).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

// Which snapshot `run` and `snapshot diff` compare with.
#[derive(Debug, Args, Clone, Default)]
pub struct SnapshotFlags {
    /// The snapshot file (default: the newest one kept for the sandbox that was taken before
    /// its refresh, of another org ID; see `snapshot list`).
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,

    /// The sandbox the --snapshot file was taken of, when it is not the org's own (a snapshot
    /// of another sandbox is refused unless named here).
    #[arg(long, value_name = "NAME", requires = "snapshot")]
    pub snapshot_of: Option<String>,

    /// Use a snapshot file that was changed since it was taken (its checksum no longer
    /// matches). Its values are still checked like --runtime-url's.
    #[arg(long)]
    pub accept_edited_snapshot: bool,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum ConfigCommand {
    /// Write a sandbox's entry in plugins.logik-refresh from what the org holds today.
    #[command(after_help = "\
Examples:
  Before the refresh, record sandbox uat's tenant in the project's sfdx-project.json:
    logik-refresh config init -o uat

  See the entry without writing it:
    logik-refresh config init -o uat --dry-run")]
    Init(ConfigInitArgs),
    /// Check plugins.logik-refresh against its schema: every problem at once, with its JSON path.
    #[command(after_help = "\
Examples:
  The project's config, found as sf finds its project:
    logik-refresh config validate

  Another file, the problems as JSON:
    logik-refresh config validate --config ci/sfdx-project.json --json | jq .data.errors")]
    Validate(ConfigFlags),
}

#[derive(Debug, Args)]
pub struct ConfigInitArgs {
    #[command(flatten)]
    pub org: OrgFlags,
    #[command(flatten)]
    pub config: ConfigFlags,
    /// Show the entry without writing it.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SnapshotArgs {
    #[command(subcommand)]
    pub command: Option<SnapshotCommand>,
    #[command(flatten)]
    pub org: OrgFlags,
    #[command(flatten)]
    pub config: ConfigFlags,
    /// Write the snapshot here instead of <state dir>/snapshots/<sandbox name>/<org ID>.json: a
    /// new file or a regular file you may write (never one holding another org's snapshot); "-"
    /// for stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum SnapshotCommand {
    /// What differs between the sandbox's snapshot and the org now (reads only).
    #[command(after_help = "\
Examples:
  After the refresh, before fixing anything:
    logik-refresh snapshot diff -o uat

  After `run`, nothing should be left:
    logik-refresh snapshot diff -o uat --json | jq '.result.differences | length'")]
    Diff(SnapshotDiffArgs),
    /// The snapshots kept in the state folder, per sandbox and org ID (reads no org).
    #[command(after_help = "\
Examples:
  Every snapshot kept:
    logik-refresh snapshot list

  Sandbox uat's, as JSON:
    logik-refresh snapshot list --sandbox uat --json | jq '.result.snapshots[].orgId'")]
    List(SnapshotListArgs),
}

#[derive(Debug, Args)]
pub struct SnapshotListArgs {
    /// Only this sandbox's snapshots.
    #[arg(long, value_name = "NAME")]
    pub sandbox: Option<String>,
}

#[derive(Debug, Args)]
pub struct SnapshotDiffArgs {
    #[command(flatten)]
    pub org: OrgFlags,
    #[command(flatten)]
    pub snapshot: SnapshotFlags,
}
