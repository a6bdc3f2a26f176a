//! `run`: the whole after-refresh procedure in the seed's order, one journal, resumable. Each
//! step decides afresh from the org and the journal, so a second run skips what is done (API
//! steps find nothing to change, guided steps find their confirmation) and sends no write.

use crate::org::session::OpenOrg;
use crate::protocol::{Error, ExitStatus, Result};
use crate::steps::call::{Common, StepCall, Tenant};
use crate::steps::journal::Journal;
use crate::steps::runtime_clients::ClientPermissions;
use crate::steps::{Outcome, StepOrg, StepResult};
use crate::steps::{
    configurator_url, org_id, provisioning_user, refresh_token_user, runtime_clients, tenant_urls,
    touch_products, trusted_urls,
};

pub struct RunOptions {
    /// The tenant, and the flags to repeat in guided steps' confirm commands.
    pub tenant: Tenant,
    pub include_overrides: bool,
    /// The tenant setting's URL fields, when named (`--runtime-url-field`, `--admin-url-field`).
    pub tenant_fields: tenant_urls::FieldNames,
    /// Profile and user rows to restore from the sandbox's snapshot, and what could not be
    /// remapped (reported in the tenant-urls step).
    pub restore: Vec<crate::steps::tenant_urls::OverrideRow>,
    pub unmapped: Vec<String>,
    /// The snapshot used, and what differed from it before the steps ran.
    pub snapshot: Option<SnapshotReport>,
    pub case_number: Option<String>,
    pub refresh_token_user: Option<String>,
    /// `--client` as typed, and parsed.
    pub client_texts: Vec<String>,
    pub clients: Vec<(String, String)>,
    pub permissions: ClientPermissions,
    pub no_runtime_clients: bool,
    /// Also check and fix the tenant's Trusted URLs and Remote Site Settings.
    pub trusted_urls: bool,
    /// Also touch the configurable products so Logik's next sync picks them up.
    pub touch_products: bool,
    pub dry_run: bool,
    pub allow_production: bool,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum RunOutcome {
    /// Every step is done (changed, unchanged, confirmed or skipped).
    Done,
    /// Guided steps remain: see `pending` (exit 68).
    Pending,
    /// `--dry-run`: the plan.
    Planned,
    /// At least one step failed (exit 1).
    Failed,
}

/// A guided step still to do, and the command that records it as done.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingStep {
    pub step: String,
    pub confirm_command: Option<String>,
}

/// The result of `run`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub outcome: RunOutcome,
    pub org: StepOrg,
    /// Every step's result, in order.
    pub steps: Vec<StepResult>,
    /// Guided steps still to do.
    pub pending: Vec<PendingStep>,
    /// Steps that failed.
    pub failed: Vec<String>,
    pub dry_run: bool,
    /// HTTP requests sent to the org in this run.
    pub requests: u64,
    /// The journal file.
    pub journal: String,
    /// The snapshot used (none found: null).
    pub snapshot: Option<SnapshotReport>,
}

/// The sandbox's snapshot, as `run` used it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotReport {
    /// The snapshot file.
    pub file: String,
    /// What differed between the snapshot and the org before the steps ran, step by step.
    pub differences: Vec<Difference>,
}

/// One thing the snapshot had that the org now has otherwise (or not at all).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    /// The step that restores or checks it (`tenant-urls`, `trusted-urls`, ...; `packages` for
    /// what only a person can change).
    pub step: String,
    /// What differs, e.g. `CPQ Tenant row for profile Standard User`.
    pub what: String,
    /// The value in the snapshot.
    pub snapshot: serde_json::Value,
    /// The value in the org now (null: missing).
    pub org: serde_json::Value,
}

/// One line of `run --jsonl`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum RunEvent {
    /// The run began; `steps` lists what will run, in order.
    RunStarted { org: StepOrg, steps: Vec<String> },
    /// A step began (`index` counts from 1).
    StepStarted {
        step: String,
        index: usize,
        total: usize,
    },
    /// A step ended, with its result.
    StepFinished {
        step: String,
        index: usize,
        total: usize,
        result: Box<StepResult>,
    },
    /// The last line: the exit status and the summary.
    Summary {
        status: u8,
        summary: Box<RunSummary>,
    },
}

impl RunSummary {
    pub fn exit_status(&self) -> ExitStatus {
        match self.outcome {
            RunOutcome::Done | RunOutcome::Planned => ExitStatus::Success,
            RunOutcome::Pending => ExitStatus::Partial,
            RunOutcome::Failed => ExitStatus::Failure,
        }
    }

    /// The run as a checklist, then what is left.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            out.push_str(&step.to_text());
            let differences = self.snapshot.iter().flat_map(|s| &s.differences);
            for d in differences.filter(|d| d.step == step.step) {
                out.push_str(&format!(
                    "    before: {} was {} in the snapshot, {} in the org\n",
                    crate::protocol::output::escape_inline(&d.what),
                    d.snapshot,
                    d.org
                ));
            }
        }
        out.push('\n');
        match self.outcome {
            RunOutcome::Done => out.push_str("All steps are done.\n"),
            RunOutcome::Planned => out.push_str("Dry run: nothing was changed.\n"),
            RunOutcome::Failed => out.push_str(&format!(
                "Failed: {}. Fix the cause and run again; finished steps are not repeated.\n",
                self.failed.join(", ")
            )),
            RunOutcome::Pending => {
                out.push_str(&format!(
                    "{} guided step(s) left. When each is done, record it:\n",
                    self.pending.len()
                ));
                for pending in &self.pending {
                    if let Some(command) = &pending.confirm_command {
                        out.push_str(&format!("  {command}\n"));
                    }
                }
            }
        }
        out
    }
}

/// The queries `run`'s steps send first, whatever its flags: asked ahead, with the org's facts
/// (see `OpenOrg::query`).
pub fn reads_ahead() -> Vec<String> {
    vec![provisioning_user::users_query(None)]
}

/// The steps `run` takes, in the seed's order, then the provisioning user; the opt-in steps
/// follow when asked for.
pub fn steps(opts: &RunOptions) -> Vec<&'static str> {
    let mut steps = vec![
        org_id::STEP,
        tenant_urls::STEP,
        configurator_url::STEP,
        refresh_token_user::STEP,
        runtime_clients::STEP,
        provisioning_user::STEP,
    ];
    if opts.trusted_urls {
        steps.push(trusted_urls::STEP);
    }
    if opts.touch_products {
        steps.push(touch_products::STEP);
    }
    steps
}

pub async fn run_steps(
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &RunOptions,
    mut on_event: impl FnMut(&RunEvent),
) -> Result<RunSummary> {
    let facts = &open.facts;
    if facts.is_sandbox == Some(false) && !opts.allow_production {
        // Refuse before the first step rather than in the middle of the run; a dry run too,
        // as `step --dry-run` does, so the plan and the run agree.
        crate::steps::guard_production(facts, false, "run")?;
    }
    if facts.tenant_setting.is_none() {
        return Err(Error::new(
            "LogikPackageNotInstalledError",
            "The Logik.ai package is not installed in this org (no LGK__ConfigurationTenant__c custom setting): there is nothing to reconnect.",
        )
        .with_action("Check that -o names the refreshed sandbox: logik-refresh org inspect"));
    }
    let names: Vec<String> = steps(opts).iter().map(|s| s.to_string()).collect();
    let total = names.len();
    on_event(&RunEvent::RunStarted {
        org: StepOrg::from(facts),
        steps: names.clone(),
    });
    let mut results = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let index = i + 1;
        on_event(&RunEvent::StepStarted {
            step: name.clone(),
            index,
            total,
        });
        let before = open.client.request_count();
        let mut result = match run_step(name, open, journal, opts).await {
            Ok(result) => result,
            Err(err) => {
                let mut result = StepResult::new(name, facts);
                result.outcome = Outcome::Failed;
                result.reason = Some(err.message.clone());
                result
                    .warnings
                    .extend(err.actions.iter().map(|a| format!("next: {a}")));
                result.dry_run = opts.dry_run;
                result
            }
        };
        // In a run, each step counts its own requests (a lone step counts the whole command's).
        result.requests = open.client.request_count() - before;
        on_event(&RunEvent::StepFinished {
            step: name.clone(),
            index,
            total,
            result: Box::new(result.clone()),
        });
        results.push(result);
    }
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r.outcome == Outcome::Failed)
        .map(|r| r.step.clone())
        .collect();
    let pending: Vec<PendingStep> = results
        .iter()
        .filter(|r| r.outcome == Outcome::Manual)
        .map(|r| PendingStep {
            step: r.step.clone(),
            confirm_command: r.manual.as_ref().and_then(|m| m.confirm_command.clone()),
        })
        .collect();
    let outcome = if !failed.is_empty() {
        RunOutcome::Failed
    } else if opts.dry_run {
        RunOutcome::Planned
    } else if !pending.is_empty() {
        RunOutcome::Pending
    } else {
        RunOutcome::Done
    };
    Ok(RunSummary {
        outcome,
        org: StepOrg::from(facts),
        steps: results,
        pending,
        failed,
        dry_run: opts.dry_run,
        requests: open.client.request_count(),
        journal: journal.path().display().to_string(),
        snapshot: opts.snapshot.clone(),
    })
}

/// The step called `name`, built from `run`'s flags as `step NAME` would build it.
fn step_call(name: &str, opts: &RunOptions) -> Result<StepCall> {
    let common = Common {
        dry_run: opts.dry_run,
        allow_production: opts.allow_production,
        confirm: false,
    };
    let tenant = &opts.tenant;
    Ok(match name {
        org_id::STEP => StepCall::org_id(common, opts.case_number.clone()),
        tenant_urls::STEP => StepCall::tenant_urls(
            common,
            tenant,
            opts.include_overrides,
            opts.restore.clone(),
            opts.tenant_fields.clone(),
        ),
        configurator_url::STEP => StepCall::configurator_url(common, tenant),
        refresh_token_user::STEP => {
            StepCall::refresh_token_user(common, tenant, opts.refresh_token_user.clone())
        }
        runtime_clients::STEP => StepCall::runtime_clients(
            common,
            tenant,
            &opts.client_texts,
            opts.clients.clone(),
            opts.permissions,
            opts.no_runtime_clients,
        ),
        provisioning_user::STEP => StepCall::provisioning_user(common, true, false, None),
        trusted_urls::STEP => StepCall::trusted_urls(common, tenant, true),
        touch_products::STEP => StepCall::touch_products(common, false),
        other => return Err(Error::new("UnknownStepError", format!("No step {other}."))),
    })
}

async fn run_step(
    name: &str,
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &RunOptions,
) -> Result<StepResult> {
    let mut result = step_call(name, opts)?.execute(open, journal).await?;
    if name == tenant_urls::STEP {
        for note in &opts.unmapped {
            result.check("snapshot rows", false, note.clone());
        }
    }
    Ok(result)
}
