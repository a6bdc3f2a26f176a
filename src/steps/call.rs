//! [`StepCall`]: the one place a step's options are built and the step is executed, for
//! `step X` and `run` alike, so that both give the same result for the same flags. A command
//! checks its flags, opens the org, builds the call with one of the constructors below and
//! hands it to [`StepCall::execute`]; `run` builds the same calls from its own flags.

use super::StepResult;
use super::configurator_url::{self, ConfiguratorUrlOptions};
use super::journal::Journal;
use super::org_id::{self, OrgIdOptions};
use super::provisioning_user::{self, ProvisioningUserOptions};
use super::refresh_token_user::{self, RefreshTokenUserOptions};
use super::runtime_clients::{self, ClientPermissions, RuntimeClientsOptions};
use super::tenant_urls::{self, FieldNames, OverrideRow, TenantUrlsOptions};
use super::touch_products::{self, TouchProductsOptions};
use super::trusted_urls::{self, TrustedUrlsOptions};
use crate::org::session::OpenOrg;
use crate::org::tenant::TenantUrl;
use crate::protocol::Result;

/// What every step call shares: `--dry-run`, `--allow-production`, `--confirm`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Common {
    pub dry_run: bool,
    pub allow_production: bool,
    /// A guided step's `--confirm` (the admin did it); `run` never confirms.
    pub confirm: bool,
}

/// The tenant a step points the org at, and the flags that named it (repeated in guided
/// steps' confirm commands).
#[derive(Debug, Clone)]
pub struct Tenant {
    pub runtime: TenantUrl,
    pub admin: TenantUrl,
    pub confirm_args: Vec<String>,
}

/// One step, ready to execute.
pub enum StepCall {
    OrgId(OrgIdOptions),
    TenantUrls(TenantUrlsOptions),
    ConfiguratorUrl(ConfiguratorUrlOptions),
    RefreshTokenUser(RefreshTokenUserOptions),
    RuntimeClients(RuntimeClientsOptions),
    ProvisioningUser(ProvisioningUserOptions),
    TrustedUrls(TrustedUrlsOptions),
    TouchProducts(TouchProductsOptions),
}

impl StepCall {
    pub fn org_id(common: Common, case_number: Option<String>) -> StepCall {
        StepCall::OrgId(OrgIdOptions {
            case_number,
            confirm: common.confirm,
            dry_run: common.dry_run,
        })
    }

    pub fn tenant_urls(
        common: Common,
        tenant: &Tenant,
        include_overrides: bool,
        restore: Vec<OverrideRow>,
        fields: FieldNames,
    ) -> StepCall {
        StepCall::TenantUrls(TenantUrlsOptions {
            runtime_url: tenant.runtime.clone(),
            admin_url: tenant.admin.clone(),
            fields,
            include_overrides,
            restore,
            dry_run: common.dry_run,
            allow_production: common.allow_production,
        })
    }

    pub fn configurator_url(common: Common, tenant: &Tenant) -> StepCall {
        StepCall::ConfiguratorUrl(ConfiguratorUrlOptions {
            runtime_url: tenant.runtime.clone(),
            confirm: common.confirm,
            dry_run: common.dry_run,
            confirm_args: tenant.confirm_args.clone(),
        })
    }

    pub fn refresh_token_user(
        common: Common,
        tenant: &Tenant,
        username: Option<String>,
    ) -> StepCall {
        let mut confirm_args = tenant.confirm_args.clone();
        if let Some(user) = &username {
            confirm_args.extend(["--username".to_string(), user.clone()]);
        }
        StepCall::RefreshTokenUser(RefreshTokenUserOptions {
            username,
            admin_url: tenant.admin.clone(),
            confirm: common.confirm,
            dry_run: common.dry_run,
            confirm_args,
        })
    }

    /// `client_texts` as typed (`NAME=USERNAME`), already checked with
    /// [`runtime_clients::parse_client`] into `clients`.
    pub fn runtime_clients(
        common: Common,
        tenant: &Tenant,
        client_texts: &[String],
        clients: Vec<(String, String)>,
        permissions: ClientPermissions,
        not_used: bool,
    ) -> StepCall {
        let mut confirm_args = tenant.confirm_args.clone();
        for client in client_texts {
            confirm_args.extend(["--client".to_string(), client.clone()]);
        }
        if permissions != ClientPermissions::Config {
            confirm_args.extend([
                "--permissions".to_string(),
                "config-and-flightpath".to_string(),
            ]);
        }
        StepCall::RuntimeClients(RuntimeClientsOptions {
            clients,
            permissions,
            admin_url: tenant.admin.clone(),
            not_used,
            confirm: common.confirm,
            dry_run: common.dry_run,
            confirm_args,
        })
    }

    pub fn provisioning_user(
        common: Common,
        fix: bool,
        create: bool,
        username: Option<String>,
    ) -> StepCall {
        StepCall::ProvisioningUser(ProvisioningUserOptions {
            fix,
            create,
            username: username.map(|u| u.trim().to_string()),
            dry_run: common.dry_run,
            allow_production: common.allow_production,
        })
    }

    pub fn trusted_urls(common: Common, tenant: &Tenant, fix: bool) -> StepCall {
        StepCall::TrustedUrls(TrustedUrlsOptions {
            origins: vec![tenant.runtime.clone(), tenant.admin.clone()],
            fix,
            dry_run: common.dry_run,
            allow_production: common.allow_production,
        })
    }

    pub fn touch_products(common: Common, force: bool) -> StepCall {
        StepCall::TouchProducts(TouchProductsOptions {
            force,
            dry_run: common.dry_run,
            allow_production: common.allow_production,
        })
    }

    /// The step's name, as its result and `run`'s events name it.
    pub fn name(&self) -> &'static str {
        match self {
            StepCall::OrgId(_) => org_id::STEP,
            StepCall::TenantUrls(_) => tenant_urls::STEP,
            StepCall::ConfiguratorUrl(_) => configurator_url::STEP,
            StepCall::RefreshTokenUser(_) => refresh_token_user::STEP,
            StepCall::RuntimeClients(_) => runtime_clients::STEP,
            StepCall::ProvisioningUser(_) => provisioning_user::STEP,
            StepCall::TrustedUrls(_) => trusted_urls::STEP,
            StepCall::TouchProducts(_) => touch_products::STEP,
        }
    }

    /// Runs the step on the open org, journalled. A step that writes tenant URLs to the org
    /// warns about each one that is not a logik.io host (`--allow-other-host`).
    pub async fn execute(&self, open: &OpenOrg, journal: &mut Journal) -> Result<StepResult> {
        let (mut result, urls) = match self {
            StepCall::OrgId(o) => (org_id::record_org_id(open, journal, o).await?, vec![]),
            StepCall::TenantUrls(o) => (
                tenant_urls::ensure_tenant_urls(open, journal, o).await?,
                vec![&o.runtime_url, &o.admin_url],
            ),
            StepCall::ConfiguratorUrl(o) => (
                configurator_url::ensure_configurator_url(open, journal, o).await?,
                vec![],
            ),
            StepCall::RefreshTokenUser(o) => (
                refresh_token_user::ensure_refresh_token_user(open, journal, o).await?,
                vec![],
            ),
            StepCall::RuntimeClients(o) => (
                runtime_clients::ensure_runtime_clients(open, journal, o).await?,
                vec![],
            ),
            StepCall::ProvisioningUser(o) => (
                provisioning_user::ensure_provisioning_user(open, journal, o).await?,
                vec![],
            ),
            StepCall::TrustedUrls(o) => (
                trusted_urls::ensure_trusted_urls(open, journal, o).await?,
                o.origins.iter().collect(),
            ),
            StepCall::TouchProducts(o) => (
                touch_products::touch_products(open, journal, o).await?,
                vec![],
            ),
        };
        for url in urls {
            if url.other_host {
                result.warnings.push(format!(
                    "{} is not a logik.io host; make sure it is your tenant.",
                    url.origin
                ));
            }
        }
        result.warnings.dedup();
        Ok(result)
    }
}
