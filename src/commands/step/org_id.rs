//! `step org-id`.

use crate::cli::step::OrgIdArgs;
use crate::commands::shared::{common, execute_step, journal_for, open_org};
use crate::protocol::{CommandOutput, Result};
use crate::steps::call::StepCall;

pub async fn cmd_step_org_id(args: OrgIdArgs) -> Result<CommandOutput> {
    let mut open = open_org(&args.step.org).await?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let call = StepCall::org_id(common(&args.step, args.confirm), args.case_number);
    execute_step(&open, &mut journal, call).await
}
