//! `step provisioning-user`.

use crate::cli::step::ProvisioningUserArgs;
use crate::commands::shared::{common, execute_step, journal_for, open_org};
use crate::protocol::{CommandOutput, Result};
use crate::steps::call::StepCall;
use crate::steps::provisioning_user::check_username;

pub async fn cmd_step_provisioning_user(args: ProvisioningUserArgs) -> Result<CommandOutput> {
    // Check the input before touching the network: bad input changes nothing and costs nothing.
    if let Some(username) = &args.username {
        check_username(username.trim())?;
    }
    let mut open = open_org(&args.step.org).await?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let call = StepCall::provisioning_user(
        common(&args.step, false),
        args.fix,
        args.create,
        args.username,
    );
    execute_step(&open, &mut journal, call).await
}
