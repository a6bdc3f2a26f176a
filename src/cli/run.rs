//! `run`: the whole after-refresh procedure.

use super::OrgFlags;
use super::step::TenantFlags;
use clap::{ArgAction, Args};
use std::path::PathBuf;

#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// Username or alias of the org (default: sf JSON piped in, else SF_TARGET_ORG or sf's
    /// target-org). Repeat it to run several sandboxes at once, in one process.
    #[arg(short = 'o', long = "target-org", value_name = "ALIAS|USERNAME", action = ArgAction::Append)]
    pub target_orgs: Vec<String>,

    /// Every sandbox of the project config, at once (each by its targetOrg, else its name as
    /// the alias).
    #[arg(long, conflicts_with_all = ["target_orgs", "org_json"])]
    pub all: bool,

    /// With several orgs (-o repeated, --all): how many run at the same time; the others wait
    /// for a free place, so open files and memory stay bounded however many orgs there are
    /// (default: twice the CPU cores, at most 16).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,

    /// Read the org from this file of sf JSON instead of stdin ("-" for stdin).
    #[arg(long, value_name = "FILE")]
    pub org_json: Option<PathBuf>,

    /// API version to use, e.g. 62.0 (default: SF_ORG_API_VERSION, sf's org-api-version, then the org's).
    #[arg(long, value_name = "NN.0")]
    pub api_version: Option<String>,

    #[command(flatten)]
    pub write: super::step::WriteFlags,

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

    #[command(flatten)]
    pub tenant_fields: super::step::TenantFieldFlags,

    /// The System Administrator for CPQ Admin's Refresh Token Username (default: the user the tool runs as).
    #[arg(long, value_name = "USERNAME")]
    pub refresh_token_user: Option<String>,

    /// A Runtime Client to re-create, as NAME=USERNAME (repeatable; default: one for the user the tool runs as).
    #[arg(long = "client", value_name = "NAME=USERNAME")]
    pub clients: Vec<String>,

    /// The Runtime Clients' permissions.
    #[arg(long, value_enum, default_value = "config")]
    pub permissions: crate::cli::values::ClientPermissions,

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

impl RunArgs {
    /// The flags every step shares, for one org of the run.
    pub fn step_flags(&self, target: Option<String>) -> super::step::StepFlags {
        super::step::StepFlags {
            org: self.org_flags(target),
            write: self.write.clone(),
        }
    }

    /// The org flags of one org of the run (`target`: one of `-o`, or none for the default).
    pub fn org_flags(&self, target: Option<String>) -> OrgFlags {
        OrgFlags {
            target_org: target,
            org_json: self.org_json.clone(),
            api_version: self.api_version.clone(),
        }
    }
}
