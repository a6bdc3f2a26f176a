//! The follow-up for "Send the new SFDC org ID": built from the refreshed org as sf printed it
//! (`org display`, `org resume sandbox`) or as this tool's own output carries it.

use super::org::case_org;
use super::payload::{FollowUpKind, Generator, OrgIdFollowUp, SCHEMA_VERSION};
use super::render::Rendered;
use crate::org::facts::OrgFacts;
use crate::protocol::{Error, Result};
use crate::salesforce::ids::OrgId;
use crate::sf::intake::InputShape;
use schemars::JsonSchema;
use serde::Serialize;

/// The result of `case org-id`: the follow-up payload and its text.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgIdResult {
    /// The follow-up payload (what `--output` writes).
    pub follow_up: OrgIdFollowUp,
    /// Its text for the case.
    #[serde(flatten)]
    pub rendered: Rendered,
}

/// The follow-up payload for the refreshed org in `facts`.
pub fn follow_up(
    facts: &OrgFacts,
    sandbox_status: Option<&str>,
    case_number: Option<String>,
    generated_at: String,
) -> Result<OrgIdFollowUp> {
    let Some(new_org_id) = facts.org_id.as_deref().and_then(|id| OrgId::parse(id).ok()) else {
        if facts.source.input == Some(InputShape::SandboxProcess) {
            let status = sandbox_status.unwrap_or("not completed");
            return Err(Error::input(
                "RefreshNotCompleteError",
                format!(
                    "The sandbox refresh has no new org yet (status {status}): the new org ID exists once it completes."
                ),
            )
            .with_action("Wait for it: sf org resume sandbox --name <sandbox> -o <production> --json | logik-refresh case org-id"));
        }
        return Err(Error::input(
            "NoOrgIdError",
            "The org given carries no org ID.",
        )
        .with_action("Pipe the refreshed org: sf org display --json -o <alias> | logik-refresh case org-id"));
    };
    Ok(OrgIdFollowUp {
        kind: FollowUpKind::OrgIdFollowUp,
        schema_version: SCHEMA_VERSION,
        generator: Generator::this(),
        generated_at,
        case_number,
        new_org_id,
        org: case_org(facts, true),
    })
}
