//! `step touch-products`.

use crate::cli::step::TouchProductsArgs;
use crate::commands::shared::{common, execute_step, journal_for, open_org};
use crate::protocol::{CommandOutput, Result};
use crate::steps::call::StepCall;

pub async fn cmd_step_touch_products(args: TouchProductsArgs) -> Result<CommandOutput> {
    let mut open = open_org(&args.step.org).await?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let call = StepCall::touch_products(common(&args.step, false), args.force);
    execute_step(&open, &mut journal, call).await
}
