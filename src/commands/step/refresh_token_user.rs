//! `step refresh-token-user`.

use crate::cli::step::RefreshTokenUserArgs;
use crate::commands::shared::{
    common, execute_step, journal_for, open_org_with_users, resolve_tenant,
};
use crate::protocol::{CommandOutput, Result};
use crate::steps::call::StepCall;

pub async fn cmd_step_refresh_token_user(args: RefreshTokenUserArgs) -> Result<CommandOutput> {
    let mut open = open_org_with_users(&args.step.org).await?;
    let tenant = resolve_tenant(&open, &args.tenant)?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let call =
        StepCall::refresh_token_user(common(&args.step, args.confirm), &tenant, args.username);
    execute_step(&open, &mut journal, call).await
}
