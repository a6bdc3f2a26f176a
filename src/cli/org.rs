//! `org` topic flags, and the flags every org-reading command shares.

use clap::{Args, Subcommand};
use std::path::PathBuf;

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
