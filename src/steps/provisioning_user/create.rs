//! `--create`: the provisioning user when no user carries its email.

use super::report::user_checks;
use super::{
    PROVISIONING_EMAIL, ProvisioningUserOptions, REFRESHED_EMAIL, STEP, no_profile, read_user,
};
use crate::org::session::OpenOrg;
use crate::org::users::admin_profile;
use crate::protocol::Result;
use crate::salesforce::checked_write::write_checked;
use crate::steps::journal::{Journal, JournalEntry, JournalEvent};
use crate::steps::{Change, ChangedRecord, Outcome, StepResult, guard_production};
use serde_json::{Value, json};

/// No user carries the provisioning email: fail, or with `--create` make one.
pub(super) async fn create_missing(
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &ProvisioningUserOptions,
    result: &mut StepResult,
) -> Result<bool> {
    let client = &open.client;
    result.check(
        "found",
        false,
        format!("no user has the email {PROVISIONING_EMAIL} (or {REFRESHED_EMAIL})"),
    );
    let username = match (&opts.username, opts.create) {
        (Some(username), true) => username.clone(),
        _ => {
            result.outcome = Outcome::Failed;
            result.reason = Some(format!(
                "No provisioning user: no user has the email {PROVISIONING_EMAIL} (or {REFRESHED_EMAIL}, as a refresh leaves it). Create it with --create --username <username>."
            ));
            return Ok(false);
        }
    };
    let Some(profile) = admin_profile(client).await? else {
        no_profile(result);
        return Ok(false);
    };
    let org = client
        .query("SELECT TimeZoneSidKey, DefaultLocaleSidKey, LanguageLocaleKey FROM Organization LIMIT 1")
        .await?;
    let org_field = |field: &str, default: &str| {
        org.first()
            .and_then(|o| o.get(field))
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    let fields = json!({
        "Username": username,
        "Email": PROVISIONING_EMAIL,
        "FirstName": "Logik",
        "LastName": "Provisioning",
        "Alias": "logikprv",
        "ProfileId": profile.id,
        "IsActive": true,
        "TimeZoneSidKey": org_field("TimeZoneSidKey", "America/Los_Angeles"),
        "LocaleSidKey": org_field("DefaultLocaleSidKey", "en_US"),
        "LanguageLocaleKey": org_field("LanguageLocaleKey", "en_US"),
        "EmailEncodingKey": "UTF-8",
    });
    let change = Change {
        target: format!("User {username} (new)"),
        before: Value::Null,
        after: fields.clone(),
        record: Some(ChangedRecord {
            object: "User".into(),
            id: None,
            field: None,
        }),
    };
    result.changes = vec![change];
    guard_production(&open.facts, opts.allow_production, STEP)?;
    if opts.dry_run {
        result.outcome = Outcome::Planned;
        return Ok(false);
    }

    let mut started = JournalEntry::new(STEP, JournalEvent::ApplyStarted);
    started.changes = result.changes.clone();
    journal.append(started)?;
    let written = write_checked(
        async || client.post("sobjects/User", &fields).await,
        async || Ok(read_user(client, "Username", &username).await?.is_some()),
    )
    .await;
    let after = read_user(client, "Username", &username).await;
    match (written, after) {
        (_, Ok(Some(user))) => {
            let mut done = JournalEntry::new(STEP, JournalEvent::Applied);
            done.changes = result.changes.clone();
            done.outcome = Some(Outcome::Changed);
            done.note = Some(format!("created {} ({})", user.username, user.id));
            journal.append(done)?;
            result.outcome = Outcome::Changed;
            result.checks = user_checks(&user, None);
        }
        (written, after) => {
            let why = match (written, after) {
                (Err(err), _) => err.message,
                (Ok(_), Err(err)) => format!(
                    "Salesforce accepted the new user, but reading it back failed: {}",
                    err.message
                ),
                (Ok(_), Ok(_)) => {
                    "Salesforce accepted the new user, but no user reads back with that username."
                        .to_string()
                }
            };
            let mut failed = JournalEntry::new(STEP, JournalEvent::ApplyFailed);
            failed.changes = result.changes.clone();
            failed.note = Some(why.clone());
            journal.append(failed)?;
            result.outcome = Outcome::Failed;
            result.reason = Some(format!(
                "Creating {username} failed: {why} Nothing was created; run the step again, or pick another username if it is taken."
            ));
            result.changes.clear();
        }
    }
    Ok(true)
}
