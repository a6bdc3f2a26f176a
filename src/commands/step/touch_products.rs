//! `step touch-products`.

use crate::cli::step::TouchProductsArgs;
use crate::commands::shared::open_org;
use crate::commands::shared::{journal_for, step_output};
use crate::protocol::{CommandOutput, Result};
use crate::steps::touch_products::{TouchProductsOptions, run as run_step};

pub async fn run(args: TouchProductsArgs) -> Result<CommandOutput> {
    let mut open = open_org(&args.step.org).await?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let options = TouchProductsOptions {
        force: args.force,
        dry_run: args.step.dry_run,
        allow_production: args.step.allow_production,
    };
    let result = run_step(&open, &mut journal, &options).await?;
    Ok(step_output(&open, result))
}
