//! `step org-id`.

use crate::cli::step::OrgIdArgs;
use crate::commands::shared::open_org;
use crate::commands::shared::{journal_for, step_output};
use crate::protocol::{CommandOutput, Result};
use crate::steps::org_id::{OrgIdOptions, run as run_step};

pub async fn run(args: OrgIdArgs) -> Result<CommandOutput> {
    let mut open = open_org(&args.step.org).await?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let options = OrgIdOptions {
        case_number: args.case_number,
        confirm: args.confirm,
        dry_run: args.step.dry_run,
    };
    let result = run_step(&open, &mut journal, &options).await?;
    Ok(step_output(&open, result))
}
