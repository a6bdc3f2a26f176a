//! `step configurator-url`.

use crate::cli::step::ConfiguratorUrlArgs;
use crate::commands::shared::{common, execute_step, journal_for, open_org, resolve_tenant};
use crate::protocol::{CommandOutput, Result};
use crate::steps::call::StepCall;

pub async fn cmd_step_configurator_url(args: ConfiguratorUrlArgs) -> Result<CommandOutput> {
    let mut open = open_org(&args.step.org).await?;
    let tenant = resolve_tenant(&open, &args.tenant)?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let call = StepCall::configurator_url(common(&args.step, args.confirm), &tenant);
    execute_step(&open, &mut journal, call).await
}
