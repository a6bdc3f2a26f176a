//! `step org-id`: the seed's "Send the new SFDC org ID". When the support case was filed before
//! the refresh with the org ID `TBD`, support needs the refreshed org's ID on that case. There
//! is no customer API for Now Support, so this is a guided step: the exact text to post.

use super::guided::{confirm_command, finish};
use super::{Manual, ManualValue, Outcome, StepResult};
use crate::org::session::OpenOrg;
use crate::protocol::Result;
use crate::steps::journal::Journal;

pub const STEP: &str = "org-id";

pub struct OrgIdOptions {
    /// The Now Support case number; without one there is nothing to send (the step is skipped).
    pub case_number: Option<String>,
    pub confirm: bool,
    pub dry_run: bool,
}

pub async fn record_org_id(
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &OrgIdOptions,
) -> Result<StepResult> {
    let facts = &open.facts;
    let mut result = StepResult::new(STEP, facts);
    result.dry_run = opts.dry_run;
    let (Some(org_id), Some(org_id15)) = (facts.org_id.clone(), facts.org_id15.clone()) else {
        result.outcome = Outcome::Failed;
        result.reason = Some("The org did not report its ID.".into());
        return Ok(result);
    };
    result.check(
        "org ID",
        true,
        format!("{org_id} (15 characters: {org_id15})"),
    );
    let Some(case) = opts.case_number.clone() else {
        result.outcome = Outcome::Skipped;
        result.reason = Some(
            "No --case-number: if the support case gave the new org ID as TBD, run again with --case-number to get the follow-up."
                .into(),
        );
        return Ok(result);
    };
    let org = facts
        .alias
        .clone()
        .or(facts.username.clone())
        .unwrap_or_else(|| "<alias>".into());
    let sandbox = facts
        .sandbox_name
        .clone()
        .unwrap_or_else(|| "the sandbox".into());
    let manual = Manual {
        location: format!("Now Support > case {case}"),
        url: None,
        actions: vec![
            format!("Open case {case} on Now Support."),
            format!(
                "Post: \"The refresh of {sandbox} is complete. New Salesforce org ID: {org_id} (15 characters: {org_id15}).\""
            ),
            "Or attach the follow-up payload: logik-refresh case org-id --case-number ... --json"
                .into(),
        ],
        values: vec![
            ManualValue {
                label: "Case number".into(),
                value: case.clone(),
            },
            ManualValue {
                label: "New org ID".into(),
                value: org_id,
            },
            ManualValue {
                label: "New org ID (15)".into(),
                value: org_id15,
            },
        ],
        confirm_command: Some(confirm_command(STEP, &org, &["--case-number".into(), case])),
    };
    finish(&mut result, manual, journal, opts.confirm)?;
    Ok(result)
}
