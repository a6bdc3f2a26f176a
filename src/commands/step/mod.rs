//! `step` topic: one file per step command; the steps themselves live in `crate::steps`.

pub mod configurator_url;
pub mod org_id;
pub mod provisioning_user;
pub mod refresh_token_user;
pub mod runtime_clients;
pub mod tenant_urls;
pub mod touch_products;
pub mod trusted_urls;

use crate::cli::StepCommand;
use crate::cli::step::TenantFlags;
use crate::commands::{Globals, OpenOrg};
use crate::journal::Journal;
use crate::logik::{TenantUrl, parse_tenant_url};
use crate::protocol::{CommandOutput, Error, Result};
use crate::steps::StepResult;

pub fn context(command: &StepCommand) -> &'static str {
    match command {
        StepCommand::TenantUrls(_) => "step tenant-urls",
        StepCommand::ConfiguratorUrl(_) => "step configurator-url",
        StepCommand::RefreshTokenUser(_) => "step refresh-token-user",
        StepCommand::RuntimeClients(_) => "step runtime-clients",
        StepCommand::OrgId(_) => "step org-id",
        StepCommand::ProvisioningUser(_) => "step provisioning-user",
        StepCommand::TrustedUrls(_) => "step trusted-urls",
        StepCommand::TouchProducts(_) => "step touch-products",
    }
}

pub async fn run(command: StepCommand, _globals: &Globals) -> Result<CommandOutput> {
    match command {
        StepCommand::TenantUrls(args) => tenant_urls::run(args).await,
        StepCommand::ConfiguratorUrl(args) => configurator_url::run(args).await,
        StepCommand::RefreshTokenUser(args) => refresh_token_user::run(args).await,
        StepCommand::RuntimeClients(args) => runtime_clients::run(args).await,
        StepCommand::OrgId(args) => org_id::run(args).await,
        StepCommand::ProvisioningUser(args) => provisioning_user::run(args).await,
        StepCommand::TrustedUrls(args) => trusted_urls::run(args).await,
        StepCommand::TouchProducts(args) => touch_products::run(args).await,
    }
}

/// The journal of the open org.
pub fn journal_for(open: &OpenOrg) -> Result<Journal> {
    let org_id = open.facts.org_id.as_deref().ok_or_else(|| {
        Error::new(
            "OrgIdUnknownError",
            "The org did not report its ID; no journal can be kept.",
        )
    })?;
    Journal::open(org_id)
}

/// A step's result as the command's output: exit 68 while a person still has work to do.
pub fn step_output(open: &OpenOrg, result: StepResult) -> CommandOutput {
    let text = result.to_text();
    let exit = result.exit_status();
    let mut output = CommandOutput::new(&result, text).with_warnings(open.warnings.clone());
    output.warnings.extend(open.client.take_warnings());
    output.exit = exit;
    output
}

/// The tenant for a guided step: the flags, else the org-default row of the org's CPQ Tenant
/// setting. Also returns the flags to repeat in the step's `--confirm` command.
pub fn resolve_tenant(open: &OpenOrg, flags: &TenantFlags) -> Result<ResolvedTenant> {
    let mut confirm_args = Vec::new();
    let org_row = open.facts.tenant_setting.as_ref().and_then(|setting| {
        let org_id = open.facts.org_id.as_deref()?;
        setting
            .rows
            .iter()
            .find(|r| r.level == "org" && r.setup_owner_id.get(..15) == org_id.get(..15))
    });
    let runtime_text = match &flags.runtime_url {
        Some(url) => {
            confirm_args.extend(["--runtime-url".to_string(), url.clone()]);
            url.clone()
        }
        None => org_row.and_then(|r| r.runtime_url.clone()).ok_or_else(|| {
            Error::input("NoTenantUrlError", "No tenant URL: the org's CPQ Tenant setting has none and --runtime-url was not given.")
                .with_action("Pass --runtime-url https://<tenant>.<sector>.logik.io, or run `logik-refresh step tenant-urls` first.")
        })?,
    };
    let runtime = parse_tenant_url(&runtime_text, "--runtime-url", flags.allow_other_host)?;
    let admin = match (&flags.admin_url, &flags.runtime_url) {
        (Some(url), _) => {
            confirm_args.extend(["--admin-url".to_string(), url.clone()]);
            parse_tenant_url(url, "--admin-url", flags.allow_other_host)?
        }
        // A runtime URL given by flag means "this tenant"; the org's row may be stale.
        (None, Some(_)) => runtime.clone(),
        (None, None) => match org_row.and_then(|r| r.admin_url.clone()) {
            Some(url) => {
                parse_tenant_url(&url, "the org's Administration URL", flags.allow_other_host)?
            }
            None => runtime.clone(),
        },
    };
    if flags.allow_other_host {
        confirm_args.push("--allow-other-host".to_string());
    }
    Ok(ResolvedTenant {
        runtime,
        admin,
        confirm_args,
    })
}

pub struct ResolvedTenant {
    pub runtime: TenantUrl,
    pub admin: TenantUrl,
    pub confirm_args: Vec<String>,
}
