//! `run`: the whole after-refresh procedure.

use super::step::{StepFlags, TenantFlags};
use clap::Args;

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub step: StepFlags,

    #[command(flatten)]
    pub tenant: TenantFlags,

    #[command(flatten)]
    pub config: super::project::ConfigFlags,

    #[command(flatten)]
    pub snapshot: super::project::SnapshotFlags,

    /// Use no snapshot, even when one exists for the sandbox.
    #[arg(long, conflicts_with = "snapshot")]
    pub no_snapshot: bool,

    /// The Now Support case waiting for the new org ID (adds the org-id follow-up).
    #[arg(long, value_name = "NUMBER")]
    pub case_number: Option<String>,

    /// Also update profile and user rows of the CPQ Tenant setting that shadow the org default.
    #[arg(long)]
    pub include_overrides: bool,

    /// The System Administrator for CPQ Admin's Refresh Token Username (default: the user the tool runs as).
    #[arg(long, value_name = "USERNAME")]
    pub refresh_token_user: Option<String>,

    /// A Runtime Client to re-create, as NAME=USERNAME (repeatable; default: one for the user the tool runs as).
    #[arg(long = "client", value_name = "NAME=USERNAME")]
    pub clients: Vec<String>,

    /// The Runtime Clients' permissions.
    #[arg(long, value_enum, default_value = "config")]
    pub permissions: crate::steps::runtime_clients::ClientPermissions,

    /// The org calls no CPQ Runtime API: skip the Runtime Clients step.
    #[arg(long, conflicts_with = "clients")]
    pub no_runtime_clients: bool,

    /// Also check the tenant host in Trusted URLs and Remote Site Settings, and fix them.
    #[arg(long)]
    pub trusted_urls: bool,

    /// Also touch the configurable products (Product2) so Logik's next sync picks them up.
    #[arg(long)]
    pub touch_products: bool,

    /// Stream one JSON event per line (step started, step finished, summary last).
    #[arg(long)]
    pub jsonl: bool,
}
