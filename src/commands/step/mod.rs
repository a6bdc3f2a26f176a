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
