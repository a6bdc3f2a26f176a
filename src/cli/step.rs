//! `step` topic: one subcommand per post-refresh step.

use super::OrgFlags;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum StepCommand {
    /// Point the CPQ Tenant setting at the tenant (Runtime Configuration and Administration URL).
    #[command(after_help = "\
Examples:
  See what would change, without changing anything:
    logik-refresh step tenant-urls -o uat --runtime-url https://acme-uat.test.logik.io --dry-run

  Apply it, profile and user rows that shadow the default included:
    logik-refresh step tenant-urls -o uat --runtime-url https://acme-uat.test.logik.io --include-overrides

  Only the changes, for a script:
    logik-refresh step tenant-urls -o uat --runtime-url https://acme-uat.test.logik.io --dry-run --json | jq .result.changes")]
    TenantUrls(TenantUrlsArgs),
}

/// Flags every step shares.
#[derive(Debug, Args, Clone, Default)]
pub struct StepFlags {
    #[command(flatten)]
    pub org: OrgFlags,

    /// Show the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Allow changes to an org whose IsSandbox is false.
    #[arg(long)]
    pub allow_production: bool,
}

#[derive(Debug, Args)]
pub struct TenantUrlsArgs {
    #[command(flatten)]
    pub step: StepFlags,

    /// The tenant's runtime site, https://<tenant>.<sector>.logik.io.
    #[arg(long, value_name = "URL")]
    pub runtime_url: String,

    /// The tenant's administration site (default: the runtime URL).
    #[arg(long, value_name = "URL")]
    pub admin_url: Option<String>,

    /// Also update profile and user rows that shadow the org default.
    #[arg(long)]
    pub include_overrides: bool,

    /// Accept a tenant host outside logik.io (a custom domain).
    #[arg(long)]
    pub allow_other_host: bool,
}
