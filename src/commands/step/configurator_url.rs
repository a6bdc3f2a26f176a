//! `step configurator-url`.

use crate::cli::step::ConfiguratorUrlArgs;
use crate::commands::shared::open_org;
use crate::commands::shared::{journal_for, resolve_tenant, step_output};
use crate::protocol::{CommandOutput, Result};
use crate::steps::configurator_url::{ConfiguratorUrlOptions, run as run_step};

pub async fn run(args: ConfiguratorUrlArgs) -> Result<CommandOutput> {
    let mut open = open_org(&args.step.org).await?;
    let tenant = resolve_tenant(&open, &args.tenant)?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let options = ConfiguratorUrlOptions {
        runtime_url: tenant.runtime,
        confirm: args.confirm,
        dry_run: args.step.dry_run,
        confirm_args: tenant.confirm_args,
    };
    let result = run_step(&open, &mut journal, &options).await?;
    Ok(step_output(&open, result))
}
