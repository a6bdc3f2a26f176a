//! `step provisioning-user`.

use crate::cli::step::ProvisioningUserArgs;
use crate::commands::shared::open_org;
use crate::commands::shared::{journal_for, step_output};
use crate::protocol::{CommandOutput, Result};
use crate::steps::provisioning_user::{ProvisioningUserOptions, check_username, run as run_step};

pub async fn run(args: ProvisioningUserArgs) -> Result<CommandOutput> {
    // Check the input before touching the network: bad input changes nothing and costs nothing.
    if let Some(username) = &args.username {
        check_username(username.trim())?;
    }
    let mut open = open_org(&args.step.org).await?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let options = ProvisioningUserOptions {
        fix: args.fix,
        create: args.create,
        username: args.username.map(|u| u.trim().to_string()),
        dry_run: args.step.dry_run,
        allow_production: args.step.allow_production,
    };
    let result = run_step(&open, &mut journal, &options).await?;
    Ok(step_output(&open, result))
}
