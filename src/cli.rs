//! clap definitions only: the command tree, flags, help text. Logic lives in `commands/`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Facts about the org: IDs, My Domain, sandbox, packages, Logik tenant setting.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Print the JSON Schemas of this tool's outputs.
    Schema(SchemaArgs),
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Show the refreshed org's facts, as sf and the org itself report them.
    #[command(after_help = "\
Examples:
  From sf's output, without calling the org:
    sf org display --json -o uat | logik-refresh org inspect --offline

  Through sf's auth store; only the tenant setting rows:
    logik-refresh org inspect -o uat --json | jq .result.tenantSetting.rows

  Right after a sandbox refresh finishes:
    sf org resume sandbox --name uat -o prod --json | logik-refresh org inspect --offline")]
    Inspect(InspectArgs),
}

/// How a command finds its org. With none of these, sf JSON is read from stdin, else sf's
/// default org is used.
#[derive(Debug, Args, Clone, Default)]
pub struct OrgFlags {
    /// Username or alias of the org (default: sf's target-org).
    #[arg(short = 'o', long = "target-org", value_name = "ALIAS|USERNAME")]
    pub target_org: Option<String>,

    /// Read the org from this file of sf JSON instead of stdin ("-" for stdin).
    #[arg(long, value_name = "FILE")]
    pub org_json: Option<PathBuf>,

    /// API version to use, e.g. 62.0 (default: SF_ORG_API_VERSION, sf's org-api-version, then the org's).
    #[arg(long, value_name = "NN.0")]
    pub api_version: Option<String>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub org: OrgFlags,

    /// Use only what the piped JSON says; do not call the org.
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
