//! `run` over several sandboxes at once (`-o uat -o qa`, `--all`): each org runs on its own (its
//! journal, its steps), none stops another, and one summary says how each ended.

use super::procedure::{PendingStep, RunEvent, RunOutcome, RunSummary};
use crate::protocol::ExitStatus;
use crate::protocol::output::{escape_controls, escape_inline};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How one org of the run ended.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FleetOrg {
    /// The org as named (`-o`, or the config's sandbox).
    pub target: String,
    pub outcome: RunOutcome,
    /// This org's own exit status (0, 1, 2, 68).
    pub status: u8,
    /// Guided steps still to do.
    pub pending: Vec<PendingStep>,
    /// Steps that failed.
    pub failed: Vec<String>,
    /// When the org could not be run at all: the error's name and message.
    pub error: Option<FleetError>,
    /// The org's whole summary, when it ran.
    pub summary: Option<Box<RunSummary>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FleetError {
    pub name: String,
    pub message: String,
}

/// The result of `run` over several orgs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FleetSummary {
    /// The worst of the orgs' outcomes.
    pub outcome: RunOutcome,
    /// Each org, in the order named.
    pub orgs: Vec<FleetOrg>,
    /// HTTP requests sent to all the orgs.
    pub requests: u64,
}

impl FleetOrg {
    pub fn from_summary(target: &str, summary: RunSummary) -> FleetOrg {
        FleetOrg {
            target: target.to_string(),
            outcome: summary.outcome,
            status: summary.exit_status().code(),
            pending: summary.pending.clone(),
            failed: summary.failed.clone(),
            error: None,
            summary: Some(Box::new(summary)),
        }
    }

    pub fn from_error(target: &str, err: &crate::protocol::Error) -> FleetOrg {
        FleetOrg {
            target: target.to_string(),
            outcome: RunOutcome::Failed,
            status: err.exit.code(),
            pending: Vec::new(),
            failed: Vec::new(),
            error: Some(FleetError {
                name: err.name.clone(),
                message: err.message.clone(),
            }),
            summary: None,
        }
    }
}

impl FleetSummary {
    pub fn new(orgs: Vec<FleetOrg>) -> FleetSummary {
        let any = |o: RunOutcome| orgs.iter().any(|org| org.outcome == o);
        let outcome = if any(RunOutcome::Failed) {
            RunOutcome::Failed
        } else if any(RunOutcome::Pending) {
            RunOutcome::Pending
        } else if any(RunOutcome::Planned) {
            RunOutcome::Planned
        } else {
            RunOutcome::Done
        };
        let requests = orgs
            .iter()
            .filter_map(|o| o.summary.as_ref())
            .map(|s| s.requests)
            .sum();
        FleetSummary {
            outcome,
            orgs,
            requests,
        }
    }

    /// The worst: 1 when an org failed, else 68 while guided steps remain, else 0.
    pub fn exit_status(&self) -> ExitStatus {
        match self.outcome {
            RunOutcome::Failed => ExitStatus::Failure,
            RunOutcome::Pending => ExitStatus::Partial,
            RunOutcome::Done | RunOutcome::Planned => ExitStatus::Success,
        }
    }

    /// One block per org: how it ended, what is left, what failed.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for org in &self.orgs {
            let outcome = serde_json::to_value(org.outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            // The target comes from the command line or the project config: one line, its
            // controls shown escaped, so it cannot forge another org's line.
            out.push_str(&format!("{}: {outcome}\n", escape_inline(&org.target)));
            if let Some(err) = &org.error {
                // A message may span lines: each stays inside the org's block.
                let message = escape_controls(&err.message).replace('\n', "\n      ");
                out.push_str(&format!("    {}: {message}\n", escape_inline(&err.name)));
            }
            for step in &org.failed {
                out.push_str(&format!("    failed: {step}\n"));
            }
            for pending in &org.pending {
                match &pending.confirm_command {
                    Some(command) => {
                        out.push_str(&format!("    to do: {}: {command}\n", pending.step))
                    }
                    None => out.push_str(&format!("    to do: {}\n", pending.step)),
                }
            }
        }
        let failed = self
            .orgs
            .iter()
            .filter(|o| o.outcome == RunOutcome::Failed)
            .count();
        out.push_str(&format!(
            "\n{} org(s): {failed} failed, {} with guided steps left.\n",
            self.orgs.len(),
            self.orgs
                .iter()
                .filter(|o| o.outcome == RunOutcome::Pending)
                .count()
        ));
        out
    }
}

/// A line of `run --jsonl` over several orgs: the org's event, tagged with the org.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct OrgEvent {
    /// The org as named (`-o`, or the config's sandbox); `run-started` says which org it is.
    pub target: String,
    #[serde(flatten)]
    pub event: RunEvent,
}

/// The last line of `run --jsonl` over several orgs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum FleetEvent {
    /// Every org has ended: the worst exit status and the combined summary.
    FleetSummary {
        status: u8,
        summary: Box<FleetSummary>,
    },
}

/// Any line `run --jsonl` prints: an event of the one org, an org's event tagged with it, or the
/// combined summary last.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RunLine {
    Tagged(OrgEvent),
    Event(RunEvent),
    Fleet(FleetEvent),
}
