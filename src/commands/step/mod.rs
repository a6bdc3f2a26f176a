//! `step` topic: one file per step command; the steps themselves live in `crate::steps`.

pub mod tenant_urls;

use crate::cli::StepCommand;
use crate::commands::{Globals, OpenOrg};
use crate::journal::Journal;
use crate::protocol::{CommandOutput, Error, Result};
use crate::steps::StepResult;

pub fn context(command: &StepCommand) -> &'static str {
    match command {
        StepCommand::TenantUrls(_) => "step tenant-urls",
    }
}

pub async fn run(command: StepCommand, _globals: &Globals) -> Result<CommandOutput> {
    match command {
        StepCommand::TenantUrls(args) => tenant_urls::run(args).await,
    }
}

/// The journal of the open org.
pub fn journal_for(open: &OpenOrg) -> Result<Journal> {
    let org_id = open.facts.org_id.as_deref().ok_or_else(|| {
        Error::new(
            "OrgIdUnknownError",
            "The org did not report its ID; no journal can be kept.",
        )
    })?;
    Journal::open(org_id)
}

/// A step's result as the command's output: exit 68 while a person still has work to do.
pub fn step_output(open: &OpenOrg, result: StepResult) -> CommandOutput {
    let text = result.to_text();
    let exit = result.exit_status();
    let mut output = CommandOutput::new(&result, text).with_warnings(open.warnings.clone());
    output.warnings.extend(open.client.take_warnings());
    output.exit = exit;
    output
}
