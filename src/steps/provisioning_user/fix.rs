//! The provisioning user exists: check it, and with `--fix` restore its email, activity and
//! profile in one write, read back.

use super::report::{pending_verification, user_checks, verification_manual};
use super::{
    PROVISIONING_EMAIL, ProvisioningUserOptions, STEP, VERIFICATION_NOTE, email_ok, field, label,
    no_profile, read_user, user_query,
};
use crate::org::session::OpenOrg;
use crate::org::users::{ADMIN_PERMISSIONS_TEXT, OrgUser, admin_profile, users_from};
use crate::protocol::{Error, Result};
use crate::salesforce::checked_write::{Written, write_checked};
use crate::salesforce::client::BatchRead;
use crate::salesforce::record_ref;
use crate::steps::journal::{Journal, JournalEntry, JournalEvent};
use crate::steps::{Change, ChangedRecord, Outcome, StepResult, guard_production};
use jiff::Timestamp;
use serde_json::{Map, Value, json};

/// The user exists: check it, and with `--fix` repair it.
pub(super) async fn check_and_fix(
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &ProvisioningUserOptions,
    user: &OrgUser,
    result: &mut StepResult,
) -> Result<bool> {
    let client = &open.client;
    let pending = pending_verification(journal, &user.id);
    result.checks = user_checks(user, pending);
    let needs_email = !email_ok(user) && pending.is_none();
    let needs_active = !user.is_active;
    let needs_profile = !user.is_admin();

    if !needs_email && !needs_active && !needs_profile {
        match pending {
            Some(sent) if !email_ok(user) => {
                result.outcome = Outcome::Manual;
                result.manual = Some(verification_manual(open, user, sent));
            }
            _ => result.outcome = Outcome::Unchanged,
        }
        return Ok(false);
    }
    if !opts.fix && !opts.dry_run {
        let mut needs = Vec::new();
        if needs_email {
            needs.push(format!("its email restored to {PROVISIONING_EMAIL}"));
        }
        if needs_active {
            needs.push("activation".to_string());
        }
        if needs_profile {
            needs.push(format!(
                "an administrator's profile ({ADMIN_PERMISSIONS_TEXT})"
            ));
        }
        result.outcome = Outcome::Failed;
        result.reason = Some(format!(
            "The provisioning user {} needs {}. Run the step again with --fix.",
            user.username,
            needs.join(", ")
        ));
        return Ok(false);
    }

    let mut fields = Map::new();
    if needs_email {
        fields.insert("Email".into(), PROVISIONING_EMAIL.into());
    }
    if needs_active {
        fields.insert("IsActive".into(), true.into());
    }
    if needs_profile {
        match admin_profile(client).await? {
            Some(profile) => {
                fields.insert("ProfileId".into(), profile.id.into());
            }
            None => {
                no_profile(result);
                return Ok(false);
            }
        }
    }
    let changes: Vec<Change> = fields
        .iter()
        .map(|(name, after)| Change {
            target: format!("{}.{name}", label(user)),
            before: field(user, name),
            after: after.clone(),
            record: Some(ChangedRecord {
                object: "User".into(),
                id: Some(user.id.clone()),
                field: Some(name.clone()),
            }),
        })
        .collect();
    result.changes = changes.clone();
    guard_production(&open.facts, opts.allow_production, STEP)?;
    if opts.dry_run {
        result.outcome = Outcome::Planned;
        return Ok(false);
    }

    let mut started = JournalEntry::new(STEP, JournalEvent::ApplyStarted);
    started.changes = changes.clone();
    journal.append(started)?;
    // The write carries its re-read (one composite, all or none): one round trip.
    let patch = json!({
        "method": "PATCH",
        "url": client.data_path(&record_ref::sobject_path("User", Some(&user.id), "The org's answer")?),
        "referenceId": "user",
        "body": Value::Object(fields.clone()),
    });
    let reread = BatchRead::Query(user_query("Id", &user.id));
    let written = write_checked(
        async || {
            client
                .write_then_read(vec![patch.clone()], &reread, "PATCH User")
                .await
        },
        async || {
            Ok(read_user(client, "Id", &user.id)
                .await?
                .is_some_and(|now| fields.iter().all(|(f, v)| field(&now, f) == *v)))
        },
    )
    .await;
    let after = match &written {
        Ok(Written::Answered(Value::Array(rows))) => Ok(users_from(rows).into_iter().next()),
        _ => read_user(client, "Id", &user.id).await,
    };
    let after = match after {
        Ok(Some(after)) => after,
        other => {
            let why = match other {
                Err(err) => err,
                _ => Error::new(
                    "UserNotFoundError",
                    format!("{} is gone: it was deleted while being fixed?", label(user)),
                ),
            };
            let mut failed = JournalEntry::new(STEP, JournalEvent::ApplyFailed);
            failed.changes = changes;
            failed.note = Some(format!(
                "could not read the user back ({}); the change may or may not be applied",
                why.message
            ));
            journal.append(failed)?;
            return Err(why.with_action(format!(
                "Run `logik-refresh step {STEP} --fix` again: it reads the user and finishes what is left."
            )));
        }
    };
    let (applied, missing): (Vec<Change>, Vec<Change>) = changes.into_iter().partition(|c| {
        c.record
            .as_ref()
            .and_then(|r| r.field.as_deref())
            .is_some_and(|f| field(&after, f) == c.after)
    });
    // An email change Salesforce accepted but holds for its owner to confirm by mail.
    let held = written.is_ok()
        && missing.len() == 1
        && missing[0].record.as_ref().and_then(|r| r.field.as_deref()) == Some("Email");
    if !applied.is_empty() || held {
        let mut done = JournalEntry::new(STEP, JournalEvent::Applied);
        done.changes = applied.clone();
        done.outcome = Some(if held {
            Outcome::Manual
        } else {
            Outcome::Changed
        });
        if held {
            done.note = Some(format!(
                "{VERIFICATION_NOTE} {}: Salesforce holds the Email change to {PROVISIONING_EMAIL} until its owner confirms it",
                user.id
            ));
        }
        journal.append(done)?;
    }
    result.changes = applied;
    if held {
        let sent = Timestamp::now();
        result.outcome = Outcome::Manual;
        result.checks = user_checks(&after, Some(sent));
        result.manual = Some(verification_manual(open, &after, sent));
        return Ok(true);
    }
    result.checks = user_checks(&after, None);
    if missing.is_empty() {
        result.outcome = Outcome::Changed;
        return Ok(true);
    }
    let why = match written {
        Err(err) => err.message,
        Ok(_) => "Salesforce accepted the change but the user reads back otherwise (a trigger or flow may be changing it back).".to_string(),
    };
    let mut failed = JournalEntry::new(STEP, JournalEvent::ApplyFailed);
    failed.changes = missing;
    failed.note = Some(why.clone());
    journal.append(failed)?;
    result.outcome = Outcome::Failed;
    result.reason = Some(format!(
        "Fixing {} failed: {why} Run the step again with --fix to finish.",
        user.username
    ));
    Ok(true)
}
