//! The post-refresh steps. Every step returns the one [`StepResult`] shape
//! (`schemas/step-result.schema.json`) and follows the same plan/apply split: it reads the org,
//! plans only what differs, shows the plan with `--dry-run`, and otherwise applies it, writing
//! the org's journal before and after each write so that an interrupted run can be resumed and
//! a change rolled back.

pub mod call;
pub mod configurator_url;
pub mod fleet;
pub mod guided;
pub mod journal;
pub mod lock;
pub mod org_id;
pub mod procedure;
pub mod provisioning_user;
pub mod refresh_token_user;
pub mod rollback;
pub mod runtime_clients;
pub mod tenant_urls;
pub mod touch_products;
pub mod trusted_urls;

use crate::org::facts::OrgFacts;
use crate::protocol::{Error, ExitStatus, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt::Write;

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The org was changed.
    Changed,
    /// Everything was already right; nothing was written.
    Unchanged,
    /// `--dry-run`: these changes would be made.
    Planned,
    /// A person must do this (no API exists); `manual` says exactly what.
    Manual,
    /// A manual step the admin confirmed as done.
    Confirmed,
    /// Not needed here (`reason` says why).
    Skipped,
    /// The step could not finish (`reason` says why).
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Changed => "changed",
            Outcome::Unchanged => "unchanged",
            Outcome::Planned => "planned",
            Outcome::Manual => "manual",
            Outcome::Confirmed => "confirmed",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
        }
    }
}

/// The org a step worked on, enough to chain commands and to find the journal.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StepOrg {
    /// The org ID, 18 characters.
    pub org_id: Option<String>,
    pub username: Option<String>,
    pub alias: Option<String>,
    pub instance_url: Option<String>,
    pub sandbox_name: Option<String>,
    pub is_sandbox: Option<bool>,
}

impl From<&OrgFacts> for StepOrg {
    fn from(facts: &OrgFacts) -> Self {
        StepOrg {
            org_id: facts.org_id.clone(),
            username: facts.username.clone(),
            alias: facts.alias.clone(),
            instance_url: facts.instance_url.clone(),
            sandbox_name: facts.sandbox_name.clone(),
            is_sandbox: facts.is_sandbox,
        }
    }
}

/// One value the step changed, or would change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// What is changed, e.g. `LGK__ConfigurationTenant__c a0X...(org default).LGK__RuntimeUrl__c`.
    pub target: String,
    /// The value before (null when the record did not exist).
    pub before: Value,
    /// The value after.
    pub after: Value,
    /// The record changed, for `rollback`: its sObject (Tooling objects are prefixed
    /// `tooling:`), its ID (null for a record created by this change) and the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<ChangedRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangedRecord {
    pub object: String,
    pub id: Option<String>,
    /// The field changed; null when the change created the whole record.
    pub field: Option<String>,
}

/// What a person must do for a step that has no API.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Manual {
    /// Where to go, as the screens name it (`Setup > Installed Packages > ...`).
    #[serde(rename = "where")]
    pub location: String,
    /// A link that opens the right page, when one exists.
    pub url: Option<String>,
    /// What to do there, in order.
    #[serde(rename = "do")]
    pub actions: Vec<String>,
    /// The exact values to enter.
    pub values: Vec<ManualValue>,
    /// The command that records the step as done.
    pub confirm_command: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManualValue {
    /// The field's label on the screen.
    pub label: String,
    pub value: String,
}

/// Something the step verified.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// The one result shape of every step.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    /// The step's name, as in `logik-refresh step <name>`.
    pub step: String,
    pub outcome: Outcome,
    /// Why the step was skipped or failed.
    pub reason: Option<String>,
    pub org: StepOrg,
    /// What was (or, with `--dry-run`, would be) changed.
    pub changes: Vec<Change>,
    /// For guided steps: what to do by hand.
    pub manual: Option<Manual>,
    pub checks: Vec<Check>,
    pub warnings: Vec<String>,
    /// True when run with `--dry-run`.
    pub dry_run: bool,
    /// HTTP requests sent to the org: by this step within `run`; by the whole command (the org's
    /// facts included) for a lone `step`.
    pub requests: u64,
}

impl StepResult {
    pub fn new(step: &str, facts: &OrgFacts) -> StepResult {
        StepResult {
            step: step.to_string(),
            outcome: Outcome::Unchanged,
            reason: None,
            org: StepOrg::from(facts),
            changes: Vec::new(),
            manual: None,
            checks: Vec::new(),
            warnings: Vec::new(),
            dry_run: false,
            requests: 0,
        }
    }

    pub fn check(&mut self, name: &str, ok: bool, detail: impl Into<String>) {
        self.checks.push(Check {
            name: name.to_string(),
            ok,
            detail: detail.into(),
        });
    }

    /// The exit status a lone step ends with: 68 while a person still has something to do.
    pub fn exit_status(&self) -> ExitStatus {
        match self.outcome {
            Outcome::Manual => ExitStatus::Partial,
            Outcome::Failed => ExitStatus::Failure,
            _ => ExitStatus::Success,
        }
    }

    /// A checklist for people: what was done, what was already right, what is left to do.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mark = match self.outcome {
            Outcome::Changed | Outcome::Confirmed => "[done]",
            Outcome::Unchanged => "[ok]",
            Outcome::Planned => "[plan]",
            Outcome::Manual => "[to do]",
            Outcome::Skipped => "[skip]",
            Outcome::Failed => "[FAILED]",
        };
        let _ = writeln!(out, "{mark} {}: {}", self.step, self.outcome.as_str());
        if let Some(reason) = &self.reason {
            let _ = writeln!(out, "    {reason}");
        }
        for change in &self.changes {
            let verb = if self.outcome == Outcome::Planned {
                "would change"
            } else {
                "changed"
            };
            let _ = writeln!(
                out,
                "    {verb} {}\n      from {}\n      to   {}",
                change.target,
                show(&change.before),
                show(&change.after)
            );
        }
        if let Some(manual) = self
            .manual
            .as_ref()
            .filter(|_| self.outcome != Outcome::Manual)
        {
            for value in &manual.values {
                let _ = writeln!(out, "    {}: {}", value.label, value.value);
            }
        }
        if let Some(manual) = self
            .manual
            .as_ref()
            .filter(|_| self.outcome == Outcome::Manual)
        {
            let _ = writeln!(out, "    Go to: {}", manual.location);
            if let Some(url) = &manual.url {
                let _ = writeln!(out, "    Link:  {url}");
            }
            for (i, action) in manual.actions.iter().enumerate() {
                let _ = writeln!(out, "    {}. {action}", i + 1);
            }
            for value in &manual.values {
                let _ = writeln!(out, "       {}: {}", value.label, value.value);
            }
            if let Some(confirm) = &manual.confirm_command {
                let _ = writeln!(out, "    When done: {confirm}");
            }
        }
        for check in &self.checks {
            let _ = writeln!(
                out,
                "    {} {}: {}",
                if check.ok { "ok  " } else { "FAIL" },
                check.name,
                check.detail
            );
        }
        for warning in &self.warnings {
            let _ = writeln!(out, "    warning: {warning}");
        }
        out
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "(none)".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Refuses to change a production org unless the user said so. Checked only when a step has
/// something to write, so reading a production org is always fine.
pub fn guard_production(facts: &OrgFacts, allow_production: bool, step: &str) -> Result<()> {
    if facts.is_sandbox == Some(false) && !allow_production {
        let who = facts
            .alias
            .clone()
            .or(facts.username.clone())
            .unwrap_or_else(|| "the org".into());
        return Err(Error::new(
            "ProductionOrgError",
            format!("{who} is a production org (IsSandbox = false); step {step} changes orgs only when you add --allow-production."),
        )
        .with_exit(ExitStatus::Usage)
        .with_action(format!("Check the target: logik-refresh org inspect -o {who}"))
        .with_action("If you really mean production, run again with --allow-production."));
    }
    Ok(())
}
