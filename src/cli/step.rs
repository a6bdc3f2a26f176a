//! `step` topic: one subcommand per post-refresh step.

use super::OrgFlags;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum StepCommand {
    /// Point the CPQ Tenant setting at the tenant (Runtime Configuration and Administration URL).
    #[command(after_help = "\
Examples:
  See what would change, without changing anything:
    logik-refresh step tenant-urls -o uat --runtime-url https://acme-uat.test.logik.io --dry-run

  Apply it, profile and user rows that shadow the default included:
    logik-refresh step tenant-urls -o uat --runtime-url https://acme-uat.test.logik.io \\
        --include-overrides

  Only the changes, for a script:
    logik-refresh step tenant-urls -o uat --runtime-url https://acme-uat.test.logik.io \\
        --dry-run --json | jq .result.changes

  Name the URL field when the org's setting has several candidates (the error lists them):
    logik-refresh step tenant-urls -o uat --runtime-url https://acme-uat.test.logik.io \\
        --runtime-url-field LGK__RuntimeUrl__c")]
    TenantUrls(TenantUrlsArgs),

    /// Guided: set Salesforce CPQ's External Configurator URL to the tenant's /ui/configure.
    #[command(after_help = "\
Examples:
  Show the value and where to enter it:
    logik-refresh step configurator-url -o uat --runtime-url https://acme-uat.test.logik.io

  Record that it is done:
    logik-refresh step configurator-url -o uat --runtime-url https://acme-uat.test.logik.io \\
        --confirm")]
    ConfiguratorUrl(ConfiguratorUrlArgs),

    /// Guided: check a System Administrator and reset CPQ Admin's Refresh Token Username to it.
    #[command(after_help = "\
Examples:
  Check the user you are logged in as and show what to do:
    logik-refresh step refresh-token-user -o uat

  Use another admin, then record that it is done:
    logik-refresh step refresh-token-user -o uat --username jane@acme.com.uat --confirm")]
    RefreshTokenUser(RefreshTokenUserArgs),

    /// Guided: the values for new Runtime Clients (new user IDs, permissions, origins).
    #[command(after_help = "\
Examples:
  One client for the user you are logged in as:
    logik-refresh step runtime-clients -o uat

  Named clients for integration users, with Flightpath:
    logik-refresh step runtime-clients -o uat --client web-store=integration@acme.com.uat \\
        --permissions config-and-flightpath

  This org calls no Runtime API:
    logik-refresh step runtime-clients -o uat --not-used")]
    RuntimeClients(RuntimeClientsArgs),

    /// Guided: send the refreshed org's new ID on the support case.
    #[command(after_help = "\
Examples:
  What to post on the case:
    logik-refresh step org-id -o uat --case-number CS0123456

  Record that it is sent:
    logik-refresh step org-id -o uat --case-number CS0123456 --confirm")]
    OrgId(OrgIdArgs),

    /// Check the provisioning@logik.io user (active, System Administrator); --fix repairs it.
    #[command(after_help = "\
Examples:
  Check it (exit 1 with the reason when something is wrong):
    logik-refresh step provisioning-user -o uat

  Restore its email, activate it, give it the System Administrator profile:
    logik-refresh step provisioning-user -o uat --fix

  Create it when the org has none:
    logik-refresh step provisioning-user -o uat --create --username provisioning@logik.io.acme.uat")]
    ProvisioningUser(ProvisioningUserArgs),

    /// Check that Trusted URLs and Remote Sites allow the tenant; --fix adds or updates them.
    #[command(after_help = "\
Examples:
  Check against the tenant the org's CPQ Tenant setting points at:
    logik-refresh step trusted-urls -o uat

  See what --fix would change, then do it:
    logik-refresh step trusted-urls -o uat --runtime-url https://acme-uat.test.logik.io --dry-run
    logik-refresh step trusted-urls -o uat --runtime-url https://acme-uat.test.logik.io --fix")]
    TrustedUrls(TrustedUrlsArgs),

    /// Opt-in: touch every configurable Product2 so Logik's product sync picks it up again.
    #[command(after_help = "\
Examples:
  How many products it would touch, in how many requests:
    logik-refresh step touch-products -o uat --dry-run

  Touch them (a second run touches only what was not touched since):
    logik-refresh step touch-products -o uat

  Touch them all again, say after Logik asks for a full resync:
    logik-refresh step touch-products -o uat --force")]
    TouchProducts(TouchProductsArgs),
}

// The tenant, for the guided steps. Default: the org-default row of the org's CPQ Tenant
// setting (as `step tenant-urls` left it).
#[derive(Debug, Args, Clone, Default)]
pub struct TenantFlags {
    /// The tenant's runtime site, https://<tenant>.<sector>.logik.io (run needs it; guided steps default to the org's CPQ Tenant setting).
    #[arg(long, value_name = "URL")]
    pub runtime_url: Option<String>,

    /// The tenant's administration site, CPQ Admin (default: the setting's, else the runtime URL).
    #[arg(long, value_name = "URL")]
    pub admin_url: Option<String>,

    /// Accept a tenant host outside logik.io (a custom domain).
    #[arg(long)]
    pub allow_other_host: bool,
}

// The CPQ Tenant setting's URL fields, named when the org's field labels and API names leave
// more than one candidate.
#[derive(Debug, Args, Clone, Default)]
pub struct TenantFieldFlags {
    /// The API name of the CPQ Tenant setting's Runtime Configuration URL field, when the tool cannot tell it (e.g. LGK__RuntimeUrl__c).
    #[arg(long, value_name = "API_NAME")]
    pub runtime_url_field: Option<String>,

    /// The API name of the CPQ Tenant setting's Administration URL field, when the tool cannot tell it.
    #[arg(long, value_name = "API_NAME")]
    pub admin_url_field: Option<String>,
}

#[derive(Debug, Args)]
pub struct ConfiguratorUrlArgs {
    #[command(flatten)]
    pub step: StepFlags,
    #[command(flatten)]
    pub tenant: TenantFlags,
    /// Record that you made the change by hand.
    #[arg(long)]
    pub confirm: bool,
}

#[derive(Debug, Args)]
pub struct RefreshTokenUserArgs {
    #[command(flatten)]
    pub step: StepFlags,
    #[command(flatten)]
    pub tenant: TenantFlags,
    /// The System Administrator to set (default: the user the tool runs as).
    #[arg(long, value_name = "USERNAME")]
    pub username: Option<String>,
    /// Record that you made the change by hand.
    #[arg(long)]
    pub confirm: bool,
}

#[derive(Debug, Args)]
pub struct RuntimeClientsArgs {
    #[command(flatten)]
    pub step: StepFlags,
    #[command(flatten)]
    pub tenant: TenantFlags,
    /// A client to create, as NAME=USERNAME (repeatable; default: one for the user the tool runs as).
    #[arg(long = "client", value_name = "NAME=USERNAME")]
    pub clients: Vec<String>,
    /// The clients' permissions.
    #[arg(long, value_enum, default_value = "config")]
    pub permissions: crate::cli::values::ClientPermissions,
    /// The org calls no CPQ Runtime API: record that, and skip this step from now on.
    #[arg(long, conflicts_with_all = ["clients", "confirm"])]
    pub not_used: bool,
    /// Record that you created the clients by hand.
    #[arg(long)]
    pub confirm: bool,
}

// Flags every step shares.
#[derive(Debug, Args, Clone, Default)]
pub struct StepFlags {
    #[command(flatten)]
    pub org: OrgFlags,

    #[command(flatten)]
    pub write: WriteFlags,
}

// Flags of every command that may write to an org (each step, `run`, `rollback`).
#[derive(Debug, Args, Clone, Default)]
pub struct WriteFlags {
    /// Show the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Allow changes to an org whose IsSandbox is false.
    #[arg(long)]
    pub allow_production: bool,

    /// When another logik-refresh is working on the org, wait for it (at most SECONDS, default
    /// 300) instead of stopping at once.
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "300")]
    pub wait_lock: Option<u64>,
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

    #[command(flatten)]
    pub fields: TenantFieldFlags,

    /// Accept a tenant host outside logik.io (a custom domain).
    #[arg(long)]
    pub allow_other_host: bool,
}

#[derive(Debug, Args)]
pub struct OrgIdArgs {
    #[command(flatten)]
    pub step: StepFlags,
    /// The Now Support case that is waiting for the new org ID.
    #[arg(long, value_name = "NUMBER")]
    pub case_number: Option<String>,
    /// Record that you posted it.
    #[arg(long)]
    pub confirm: bool,
}

#[derive(Debug, Args)]
pub struct ProvisioningUserArgs {
    #[command(flatten)]
    pub step: StepFlags,

    /// Repair what the check finds: restore the email, activate the user, give it the System
    /// Administrator profile (see what it would do with --dry-run).
    #[arg(long)]
    pub fix: bool,

    /// Create the user when no user has the provisioning email.
    #[arg(long, requires = "username")]
    pub create: bool,

    /// The provisioning user's username: picks it when several users have the email, and names
    /// the user --create makes (unique across all Salesforce orgs).
    #[arg(long, value_name = "USERNAME")]
    pub username: Option<String>,
}

#[derive(Debug, Args)]
pub struct TrustedUrlsArgs {
    #[command(flatten)]
    pub step: StepFlags,

    #[command(flatten)]
    pub tenant: TenantFlags,

    /// Add or update the Trusted URLs and Remote Sites the tenant needs, through the Tooling
    /// API (see what it would do with --dry-run).
    #[arg(long)]
    pub fix: bool,
}

#[derive(Debug, Args)]
pub struct TouchProductsArgs {
    #[command(flatten)]
    pub step: StepFlags,

    /// Touch every configurable product again, also those touched since the last repoint
    /// (e.g. after a repoint not made with `step tenant-urls`).
    #[arg(long)]
    pub force: bool,
}
