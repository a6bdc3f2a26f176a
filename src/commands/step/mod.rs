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
use crate::commands::shared::Globals;
use crate::protocol::{CommandOutput, Result};

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

pub async fn cmd_step(command: StepCommand, _globals: &Globals) -> Result<CommandOutput> {
    match command {
        StepCommand::TenantUrls(args) => tenant_urls::cmd_step_tenant_urls(args).await,
        StepCommand::ConfiguratorUrl(args) => {
            configurator_url::cmd_step_configurator_url(args).await
        }
        StepCommand::RefreshTokenUser(args) => {
            refresh_token_user::cmd_step_refresh_token_user(args).await
        }
        StepCommand::RuntimeClients(args) => runtime_clients::cmd_step_runtime_clients(args).await,
        StepCommand::OrgId(args) => org_id::cmd_step_org_id(args).await,
        StepCommand::ProvisioningUser(args) => {
            provisioning_user::cmd_step_provisioning_user(args).await
        }
        StepCommand::TrustedUrls(args) => trusted_urls::cmd_step_trusted_urls(args).await,
        StepCommand::TouchProducts(args) => touch_products::cmd_step_touch_products(args).await,
    }
}
