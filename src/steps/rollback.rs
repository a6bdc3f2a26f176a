//! `rollback --step NAME`: restore the values the journal recorded before a step's last change.
//! Each field is restored only while it still holds the value that step wrote: a value someone
//! changed since is left alone and reported. Records the change created are deleted.

use super::{Change, ChangedRecord, Outcome, StepResult, guard_production};
use crate::org::session::OpenOrg;
use crate::protocol::{Error, Result};
use crate::salesforce::{record_ref, soql_quote, tooling_write};
use crate::steps::journal::{Journal, JournalEntry, JournalEvent};
use serde_json::{Map, Value};

pub const STEP: &str = "rollback";

/// How one journaled change is undone.
enum Undo {
    /// Set these fields of the record back.
    Restore {
        object: String,
        id: String,
        fields: Map<String, Value>,
    },
    /// Delete the record the change created.
    Delete { object: String, id: String },
}

pub async fn roll_back_changes(
    open: &OpenOrg,
    journal: &mut Journal,
    step: &str,
    dry_run: bool,
    allow_production: bool,
) -> Result<StepResult> {
    let mut result = StepResult::new(STEP, &open.facts);
    result.dry_run = dry_run;
    let last = journal
        .last(
            step,
            &[
                JournalEvent::Applied,
                JournalEvent::ApplyStarted,
                JournalEvent::RolledBack,
            ],
        )
        .cloned();
    let entry = match last {
        Some(entry) if entry.event != JournalEvent::RolledBack => entry,
        Some(_) => {
            result.outcome = Outcome::Skipped;
            result.reason = Some(format!(
                "The last change of {step} was already rolled back."
            ));
            return Ok(result);
        }
        None => {
            return Err(Error::input(
                "NothingToRollBackError",
                format!("The journal of this org has no change made by step {step}."),
            )
            .with_action(format!("See the journal: {}", journal.path().display())));
        }
    };
    result.reason = Some(format!(
        "Rolling back the change step {step} made at {}.",
        entry.time
    ));

    let mut undos: Vec<Undo> = Vec::new();
    for change in &entry.changes {
        let Some(record) = &change.record else {
            result.warnings.push(format!(
                "{} cannot be rolled back (not a field value).",
                change.target
            ));
            continue;
        };
        match plan_undo(open, record, change, &mut result).await? {
            Some(Undo::Restore { object, id, fields }) => {
                match undos
                    .iter_mut()
                    .find(|u| matches!(u, Undo::Restore { id: i, .. } if *i == id))
                {
                    Some(Undo::Restore {
                        fields: existing, ..
                    }) => existing.extend(fields),
                    _ => undos.push(Undo::Restore { object, id, fields }),
                }
            }
            Some(undo) => undos.push(undo),
            None => {}
        }
    }
    if undos.is_empty() {
        result.outcome = Outcome::Unchanged;
        result.requests = open.client.request_count();
        return Ok(result);
    }
    guard_production(&open.facts, allow_production, STEP)?;
    if dry_run {
        result.outcome = Outcome::Planned;
        result.requests = open.client.request_count();
        return Ok(result);
    }
    let mut started = JournalEntry::new(step, JournalEvent::ApplyStarted);
    started.changes = result.changes.clone();
    started.note = Some("rollback".into());
    journal.append(started)?;
    for undo in &undos {
        let written = match undo {
            Undo::Restore { object, id, fields } => match object.strip_prefix("tooling:") {
                // Setup objects take their writes their own way (Remote Sites: whole Metadata).
                Some(name) => tooling_write::update(&open.client, name, id, fields).await,
                None => {
                    open.client
                        .patch(&path(object, Some(id))?, &Value::Object(fields.clone()))
                        .await
                }
            },
            // A DELETE is retried when its answer is lost; a retry of one that had landed
            // answers 404: the record is gone, which is what was asked.
            Undo::Delete { object, id } => {
                match open.client.delete(&path(object, Some(id))?).await {
                    Err(err) if err.code() == "NOT_FOUND" => Ok(()),
                    other => other,
                }
            }
        };
        if let Err(err) = written {
            let mut failed = JournalEntry::new(step, JournalEvent::ApplyFailed);
            failed.changes = result.changes.clone();
            failed.note = Some(format!("rollback: {}", err.message));
            journal.append(failed)?;
            return Err(err.with_action(format!(
                "Run `logik-refresh rollback --step {step}` again to finish."
            )));
        }
    }
    let mut done = JournalEntry::new(step, JournalEvent::RolledBack);
    done.changes = result.changes.clone();
    done.outcome = Some(Outcome::Changed);
    journal.append(done)?;
    result.outcome = Outcome::Changed;
    result.requests = open.client.request_count();
    Ok(result)
}

/// Where journal values come from, for messages.
const FROM_JOURNAL: &str = "The journal";

/// `sobjects/<object>/<id>` (or the Tooling API's), from journal values checked first.
fn path(object: &str, id: Option<&str>) -> Result<String> {
    record_ref::sobject_path(object, id, FROM_JOURNAL)
}

async fn plan_undo(
    open: &OpenOrg,
    record: &ChangedRecord,
    change: &Change,
    result: &mut StepResult,
) -> Result<Option<Undo>> {
    let client = &open.client;
    match (&record.id, &record.field) {
        (Some(id), Some(field)) => {
            let field = record_ref::checked_api_name(field, FROM_JOURNAL)?;
            let now = client
                .get(&format!(
                    "{}?fields={field}",
                    path(&record.object, Some(id))?
                ))
                .await?;
            let current = now.get(field).cloned().unwrap_or(Value::Null);
            if current == change.before {
                result.check(&change.target, true, "already has its value from before");
                return Ok(None);
            }
            if current != change.after {
                result.warnings.push(format!(
                    "{} was changed since ({}); left as it is.",
                    change.target, current
                ));
                return Ok(None);
            }
            result.changes.push(Change {
                target: change.target.clone(),
                before: change.after.clone(),
                after: change.before.clone(),
                record: Some(record.clone()),
            });
            let mut fields = Map::new();
            fields.insert(field.to_string(), change.before.clone());
            Ok(Some(Undo::Restore {
                object: record.object.clone(),
                id: id.clone(),
                fields,
            }))
        }
        (None, None) => {
            // A created record: find it by its setup owner (custom settings) to delete it.
            let Some(owner) = change.after.get("SetupOwnerId").and_then(Value::as_str) else {
                result.warnings.push(format!(
                    "{} was created and cannot be found again; delete it by hand.",
                    change.target
                ));
                return Ok(None);
            };
            let object = record.object.trim_start_matches("tooling:");
            let object = record_ref::checked_api_name(object, FROM_JOURNAL)?;
            let owner = record_ref::checked_id(owner, FROM_JOURNAL)?;
            let rows = client
                .query(&format!(
                    "SELECT Id FROM {object} WHERE SetupOwnerId = {}",
                    soql_quote(owner)
                ))
                .await?;
            let Some(id) = rows
                .first()
                .and_then(|r| r.get("Id"))
                .and_then(Value::as_str)
            else {
                result.check(&change.target, true, "the created record is already gone");
                return Ok(None);
            };
            let id = record_ref::checked_id(id, "The org's answer")?;
            result.changes.push(Change {
                target: change.target.clone(),
                before: change.after.clone(),
                after: Value::Null,
                record: Some(ChangedRecord {
                    object: record.object.clone(),
                    id: Some(id.to_string()),
                    field: None,
                }),
            });
            Ok(Some(Undo::Delete {
                object: record.object.clone(),
                id: id.to_string(),
            }))
        }
        _ => {
            result
                .warnings
                .push(format!("{} cannot be rolled back.", change.target));
            Ok(None)
        }
    }
}
