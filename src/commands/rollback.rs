//! `rollback --step NAME`.

use crate::cli::RollbackArgs;
use crate::commands::shared::open_org;
use crate::commands::shared::{journal_for, step_output};
use crate::protocol::{CommandOutput, Result};
use crate::steps::rollback::roll_back_changes;

pub async fn cmd_rollback(args: RollbackArgs) -> Result<CommandOutput> {
    let mut open = open_org(&args.step_flags.org).await?;
    let mut journal = journal_for(&mut open, &args.step_flags).await?;
    let result = roll_back_changes(
        &open,
        &mut journal,
        &args.step,
        args.step_flags.write.dry_run,
        args.step_flags.write.allow_production,
    )
    .await?;
    Ok(step_output(&open, result))
}
