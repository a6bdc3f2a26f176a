//! Every JSON Schema the tool publishes, generated from the Rust types (draft 2020-12). They are
//! committed under `schemas/`; `cargo run -- schema --out-dir schemas` regenerates them.

use crate::journal::JournalEntry;
use crate::org::OrgFacts;
use crate::protocol::envelope::{ErrorEnvelope, SuccessEnvelope};
use crate::steps::StepResult;
use schemars::{JsonSchema, schema_for};
use serde_json::Value;

/// (name, schema) for each published output.
pub fn all() -> Vec<(&'static str, Value)> {
    vec![
        ("org-inspect", envelope::<OrgFacts>("org inspect")),
        ("step-result", envelope::<StepResult>("step <name>")),
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
