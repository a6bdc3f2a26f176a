//! What the three guided steps share. They have no API (CPQ Admin screens, the Salesforce CPQ
//! settings page), so the tool computes the exact values and says where to enter them; the
//! outcome stays `manual` until the admin runs the step again with `--confirm`, which journals
//! the confirmation together with the values confirmed. When the values change later (another
//! tenant, another user), the old confirmation no longer counts.

use super::{Manual, Outcome, StepResult};
use crate::protocol::Result;
use crate::steps::journal::{Journal, JournalEntry, JournalEvent};

/// A fingerprint of what the admin was asked to enter.
pub fn values_note(manual: &Manual) -> String {
    let values: Vec<String> = manual
        .values
        .iter()
        .map(|v| format!("{}={}", v.label, v.value))
        .collect();
    format!("values: {}", values.join("; "))
}

/// Sets the outcome of a guided step: records the confirmation when `confirm`, else reads it
/// from the journal.
pub fn finish(
    result: &mut StepResult,
    manual: Manual,
    journal: &mut Journal,
    confirm: bool,
) -> Result<()> {
    let note = values_note(&manual);
    if confirm && !result.dry_run {
        let mut entry = JournalEntry::new(&result.step, JournalEvent::Confirmed);
        entry.outcome = Some(Outcome::Confirmed);
        entry.note = Some(note);
        journal.append(entry)?;
        result.outcome = Outcome::Confirmed;
        result.check("confirmation", true, "recorded in the journal");
    } else if let Some(entry) = journal.last(&result.step, &[JournalEvent::Confirmed]) {
        if entry.note.as_deref() == Some(note.as_str()) {
            result.outcome = Outcome::Confirmed;
            result.check("confirmation", true, format!("confirmed at {}", entry.time));
        } else {
            result.outcome = Outcome::Manual;
            result.warnings.push(format!(
                "An earlier confirmation ({}) was for other values; do it again with the values below.",
                entry.time
            ));
        }
    } else {
        result.outcome = Outcome::Manual;
    }
    result.manual = Some(manual);
    Ok(())
}

/// The command that confirms a step, as the user would type it.
pub fn confirm_command(step: &str, org: &str, args: &[String]) -> String {
    let mut parts = vec![
        "logik-refresh".to_string(),
        "step".into(),
        step.into(),
        "-o".into(),
        org.into(),
    ];
    parts.extend(args.iter().cloned());
    parts.push("--confirm".into());
    parts.join(" ")
}
