//! Every JSON Schema the tool publishes, generated from the Rust types (draft 2020-12). They are
//! committed under `schemas/`; `cargo run -- schema --out-dir schemas` regenerates them.

use crate::org::facts::OrgFacts;
use crate::protocol::envelope::{ErrorEnvelope, SuccessEnvelope};
use crate::steps::StepResult;
use crate::steps::journal::JournalEntry;
use crate::steps::procedure::RunSummary;
use schemars::{JsonSchema, schema_for};
use serde_json::Value;

/// (name, schema) for each published output.
pub fn all() -> Vec<(&'static str, Value)> {
    vec![
        ("org-inspect", envelope::<OrgFacts>("org inspect")),
        ("step-result", envelope::<StepResult>("step <name>")),
        ("doctor", envelope::<crate::doctor::DoctorReport>("doctor")),
        (
            "secret-set",
            envelope::<crate::commands::secret::set::SecretSetResult>("secret set"),
        ),
        (
            "secret-get",
            envelope::<crate::commands::secret::get::SecretGetResult>("secret get"),
        ),
        (
            "secret-delete",
            envelope::<crate::commands::secret::delete::SecretDeleteResult>("secret delete"),
        ),
        (
            "secret-list",
            envelope::<crate::commands::secret::list::SecretList>("secret list"),
        ),
        ("run", envelope::<RunSummary>("run")),
        (
            "run-many",
            envelope::<crate::steps::fleet::FleetSummary>("run -o A -o B (or --all)"),
        ),
        (
            "run-event",
            titled(
                schema_for!(crate::steps::fleet::RunLine).to_value(),
                "logik-refresh run --jsonl (one event a line)",
            ),
        ),
        (
            "journal-entry",
            titled(
                schema_for!(JournalEntry).to_value(),
                "logik-refresh journal entry (one line of <state dir>/journal/<org ID>.jsonl)",
            ),
        ),
        (
            "error",
            titled(
                schema_for!(ErrorEnvelope).to_value(),
                "logik-refresh error envelope",
            ),
        ),
        (
            "org-wait",
            envelope::<crate::commands::org::wait::OrgWaitResult>("org wait"),
        ),
        (
            "org-wait-many",
            envelope::<crate::commands::org::wait::OrgWaitManyResult>(
                "org wait --sandbox-name A --sandbox-name B",
            ),
        ),
        (
            "support-case",
            titled(
                schema_for!(crate::case::SupportCase).to_value(),
                "Support case payload (logik-refresh case build --output FILE)",
            ),
        ),
        (
            "case-follow-up",
            titled(
                schema_for!(crate::case::OrgIdFollowUp).to_value(),
                "Org-ID follow-up payload (logik-refresh case org-id --output FILE)",
            ),
        ),
        (
            "case-answers",
            titled(
                schema_for!(crate::case::answers::CaseAnswers).to_value(),
                "logik-refresh case build --answers FILE",
            ),
        ),
        (
            "case-build",
            envelope::<crate::case::SupportCase>("case build"),
        ),
        (
            "case-validate",
            envelope::<crate::case::validate::ValidateResult>("case validate"),
        ),
        (
            "case-render",
            envelope::<crate::case::render::Rendered>("case render"),
        ),
        (
            "project-config",
            titled(
                crate::project::schema(),
                "plugins.logik-refresh in sfdx-project.json (logik-refresh's project config)",
            ),
        ),
        (
            "snapshot",
            titled(
                schema_for!(crate::snapshot::Snapshot).to_value(),
                "A sandbox's snapshot (logik-refresh snapshot; <state dir>/snapshots/<sandbox>/<org ID>.json)",
            ),
        ),
        (
            "snapshot-take",
            envelope::<crate::commands::snapshot::SnapshotResult>("snapshot"),
        ),
        (
            "snapshot-diff",
            envelope::<crate::commands::snapshot::SnapshotDiffResult>("snapshot diff"),
        ),
        (
            "snapshot-list",
            envelope::<crate::commands::snapshot_list::SnapshotListResult>("snapshot list"),
        ),
        (
            "config-init",
            envelope::<crate::commands::config::ConfigInitResult>("config init"),
        ),
        (
            "config-validate",
            envelope::<crate::commands::config::ConfigValidateResult>("config validate"),
        ),
        (
            "case-org-id",
            envelope::<crate::case::followup::OrgIdResult>("case org-id"),
        ),
    ]
}

fn envelope<T: JsonSchema>(command: &str) -> Value {
    titled(
        schema_for!(SuccessEnvelope<T>).to_value(),
        &format!("logik-refresh {command} --json"),
    )
}

fn titled(mut schema: Value, title: &str) -> Value {
    if let Value::Object(map) = &mut schema {
        map.insert("title".into(), Value::String(title.to_string()));
    }
    schema
}

/// The committed form: pretty, with a final newline.
pub fn to_text(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).expect("schemas serialize");
    text.push('\n');
    text
}
