//! `step provisioning-user`: the user Logik provisions the org through (REFERENCE.md section 1,
//! item 8): email `provisioning@logik.io`, an administrator's profile (told by its permissions,
//! never by its translated name), active. A refresh
//! appends `.invalid` to every email but the refresher's, so the user is found by either
//! address. `--fix` restores the email, re-activates the user and gives it the System
//! Administrator profile; `--create` makes the user when none exists.
//!
//! Salesforce may not apply an email change at once: it mails a verification link to the new
//! address and changes `Email` only when its owner clicks it (within 72 hours). The step then
//! says so (outcome `manual`), journals that the verification was sent, and does not send
//! another one while the link is valid.

use super::{
    Change, ChangedRecord, Check, Manual, ManualValue, Outcome, StepResult, guard_production,
};
use crate::org::session::OpenOrg;
use crate::org::users::{ADMIN_PERMISSIONS_TEXT, OrgUser, admin_profile, users_where};
use crate::protocol::{Error, Result};
use crate::salesforce::Client;
use crate::salesforce::checked_write::write_checked;
use crate::salesforce::soql_quote;
use crate::steps::journal::{Journal, JournalEntry, JournalEvent};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

pub const STEP: &str = "provisioning-user";
/// The provisioning user's email, as the vendor procedure asks for it.
pub const PROVISIONING_EMAIL: &str = "provisioning@logik.io";
/// The same after a refresh.
const REFRESHED_EMAIL: &str = "provisioning@logik.io.invalid";
/// How long Salesforce's email verification link stays valid.
const VERIFICATION_HOURS: i64 = 72;
/// How a journal note marks an email change Salesforce holds for verification.
const VERIFICATION_NOTE: &str = "verification-sent";

pub struct ProvisioningUserOptions {
    /// Repair what is wrong (email, active, profile). `dry_run` shows what it would do.
    pub fix: bool,
    /// Create the user when no user carries the provisioning email (needs `username`).
    pub create: bool,
    /// The provisioning user's username: picks it, and names the user `create` makes.
    pub username: Option<String>,
    pub dry_run: bool,
    pub allow_production: bool,
}

fn email(user: &OrgUser) -> &str {
    user.email.as_deref().unwrap_or_default()
}

fn email_ok(user: &OrgUser) -> bool {
    email(user).eq_ignore_ascii_case(PROVISIONING_EMAIL)
}

/// How the user is named in targets: `User provisioning@logik.io.acme.uat (005...)`.
fn label(user: &OrgUser) -> String {
    format!("User {} ({})", user.username, user.id)
}

/// The value of a field this step writes, as the org has it.
fn field(user: &OrgUser, field: &str) -> Value {
    match field {
        "Email" => Value::String(email(user).to_string()),
        "IsActive" => Value::Bool(user.is_active),
        "ProfileId" => user
            .profile_id()
            .map_or(Value::Null, |id| Value::String(id.to_string())),
        _ => Value::Null,
    }
}

pub async fn ensure_provisioning_user(
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &ProvisioningUserOptions,
) -> Result<StepResult> {
    let client = &open.client;
    let mut result = StepResult::new(STEP, &open.facts);
    result.dry_run = opts.dry_run;

    let users = read_users(client, opts.username.as_deref()).await?;
    let chosen = choose(&users, opts.username.as_deref());
    if let (Some(user), Some(wanted)) = (&chosen, &opts.username)
        && !user.username.eq_ignore_ascii_case(wanted)
    {
        result.warnings.push(format!(
            "No user has the username {wanted}; the provisioning user found by its email is {}.",
            user.username
        ));
    }
    for other in users
        .iter()
        .filter(|u| chosen.as_ref().is_some_and(|c| c.id != u.id))
    {
        result.warnings.push(format!(
            "{} ({}) also carries the provisioning email ({}); only {} is checked (pick another with --username).",
            other.username,
            other.id,
            email(other),
            chosen.as_ref().map_or("", |c| c.username.as_str())
        ));
    }

    let wrote = match &chosen {
        None => create_missing(open, journal, opts, &mut result).await?,
        Some(user) => check_and_fix(open, journal, opts, user, &mut result).await?,
    };
    if !wrote && !opts.dry_run {
        let mut entry = JournalEntry::new(STEP, JournalEvent::Finished);
        entry.outcome = Some(result.outcome);
        entry.note = result.reason.clone();
        journal.append(entry)?;
    }
    result.requests = client.request_count();
    Ok(result)
}

/// The users that carry the provisioning email (either form), and the one named `username`.
async fn read_users(client: &Client, username: Option<&str>) -> Result<Vec<OrgUser>> {
    let mut filter = format!(
        "Email IN ({}, {})",
        soql_quote(PROVISIONING_EMAIL),
        soql_quote(REFRESHED_EMAIL)
    );
    if let Some(username) = username {
        filter.push_str(&format!(" OR Username = {}", soql_quote(username)));
    }
    users_where(client, &format!("WHERE {filter} ORDER BY CreatedDate")).await
}

async fn read_user(client: &Client, field: &str, value: &str) -> Result<Option<OrgUser>> {
    let tail = format!("WHERE {field} = {} LIMIT 1", soql_quote(value));
    Ok(users_where(client, &tail).await?.into_iter().next())
}

/// The user named by `--username`, else the best of those with the email: the right email
/// first, then active, then an administrator.
fn choose(users: &[OrgUser], username: Option<&str>) -> Option<OrgUser> {
    if let Some(wanted) = username
        && let Some(user) = users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(wanted))
    {
        return Some(user.clone());
    }
    users
        .iter()
        .filter(|u| {
            email(u).eq_ignore_ascii_case(PROVISIONING_EMAIL)
                || email(u).eq_ignore_ascii_case(REFRESHED_EMAIL)
        })
        .enumerate()
        .max_by_key(|(i, u)| (email_ok(u), u.is_active, u.is_admin(), usize::MAX - i))
        .map(|(_, u)| u.clone())
}

fn no_profile(result: &mut StepResult) {
    result.outcome = Outcome::Failed;
    result.reason = Some(format!(
        "The org has no administrator profile ({ADMIN_PERMISSIONS_TEXT}) the running user can read; give the provisioning user the System Administrator profile in Setup > Users."
    ));
}

/// No user carries the provisioning email: fail, or with `--create` make one.
async fn create_missing(
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

/// The user exists: check it, and with `--fix` repair it.
async fn check_and_fix(
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
    let body = Value::Object(fields.clone());
    let path = format!("sobjects/User/{}", user.id);
    let written = write_checked(
        async || client.patch(&path, &body).await,
        async || {
            Ok(read_user(client, "Id", &user.id)
                .await?
                .is_some_and(|now| fields.iter().all(|(f, v)| field(&now, f) == *v)))
        },
    )
    .await;
    let after = match read_user(client, "Id", &user.id).await {
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

/// The checks that describe the user as read.
fn user_checks(user: &OrgUser, verification_sent: Option<Timestamp>) -> Vec<Check> {
    let shown = email(user);
    let email = if email_ok(user) {
        Check {
            name: "email".into(),
            ok: true,
            detail: shown.to_string(),
        }
    } else if let Some(sent) = verification_sent {
        Check {
            name: "email".into(),
            ok: false,
            detail: format!(
                "still {}: Salesforce mailed a verification link to {PROVISIONING_EMAIL} at {}; the email changes when its owner clicks it (before {})",
                shown,
                sent.strftime("%Y-%m-%d %H:%M UTC"),
                expiry(sent).strftime("%Y-%m-%d %H:%M UTC")
            ),
        }
    } else if shown.eq_ignore_ascii_case(REFRESHED_EMAIL) {
        Check {
            name: "email".into(),
            ok: false,
            detail: format!(
                "{shown}: the refresh appended .invalid (--fix restores {PROVISIONING_EMAIL})"
            ),
        }
    } else {
        Check {
            name: "email".into(),
            ok: false,
            detail: format!("{shown}: not {PROVISIONING_EMAIL} (--fix sets it)"),
        }
    };
    vec![
        Check {
            name: "found".into(),
            ok: true,
            detail: format!("{} ({})", user.username, user.id),
        },
        email,
        Check {
            name: "active".into(),
            ok: user.is_active,
            detail: if user.is_active {
                "active".into()
            } else {
                "inactive (--fix activates it; it takes a Salesforce license)".into()
            },
        },
        Check {
            name: "profile".into(),
            ok: user.is_admin(),
            detail: match (user.profile_name(), user.is_admin()) {
                (Some(name), true) => name.to_string(),
                (name, false) => format!(
                    "{}: not an administrator's profile, it lacks {ADMIN_PERMISSIONS_TEXT} (--fix changes it)",
                    name.unwrap_or("unknown")
                ),
                (None, true) => "unknown".into(),
            },
        },
    ]
}

fn expiry(sent: Timestamp) -> Timestamp {
    sent.checked_add(SignedDuration::from_hours(VERIFICATION_HOURS))
        .unwrap_or(sent)
}

/// When the journal says Salesforce was asked to change this user's email, and the link it
/// mailed is still valid: the time it was sent.
fn pending_verification(journal: &Journal, user_id: &str) -> Option<Timestamp> {
    let sent = journal
        .entries()
        .iter()
        .rev()
        .filter(|e| e.step == STEP && e.event == JournalEvent::Applied)
        .find(|e| {
            e.note
                .as_deref()
                .is_some_and(|n| n.starts_with(VERIFICATION_NOTE) && n.contains(user_id))
        })
        .and_then(|e| e.time.parse::<Timestamp>().ok())?;
    (Timestamp::now() < expiry(sent)).then_some(sent)
}

fn verification_manual(open: &OpenOrg, user: &OrgUser, sent: Timestamp) -> Manual {
    let who = open
        .facts
        .alias
        .clone()
        .or(open.facts.username.clone())
        .unwrap_or_else(|| "<alias>".into());
    Manual {
        location: format!("The {PROVISIONING_EMAIL} mailbox (Logik's team)"),
        url: None,
        actions: vec![
            format!(
                "Ask Logik, in the support case, to click the link in the email Salesforce sent to {PROVISIONING_EMAIL} at {}; it expires at {}.",
                sent.strftime("%Y-%m-%d %H:%M UTC"),
                expiry(sent).strftime("%Y-%m-%d %H:%M UTC")
            ),
            "Salesforce changes the user's email only then; run this step again to check.".into(),
            "If the link expired, run this step again with --fix to send a new one.".into(),
        ],
        values: vec![
            ManualValue {
                label: "Username".into(),
                value: user.username.clone(),
            },
            ManualValue {
                label: "Email".into(),
                value: PROVISIONING_EMAIL.into(),
            },
        ],
        confirm_command: Some(format!("logik-refresh step {STEP} -o {who}")),
    }
}

/// Checks a username before any call: Salesforce wants the shape of an email address.
pub fn check_username(username: &str) -> Result<()> {
    let bad = |why: &str| {
        Error::input(
            "InvalidUsernameError",
            format!("--username {username:?} {why}"),
        )
        .with_action("Give a username in the form of an email address, unique across all Salesforce orgs, e.g. provisioning@logik.io.acme.uat")
    };
    if username.len() > 80 {
        return Err(bad("is longer than Salesforce's 80 characters."));
    }
    let Some((local, domain)) = username.rsplit_once('@') else {
        return Err(bad("is not in the form of an email address."));
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if local.is_empty() || !domain_ok || username.chars().any(char::is_whitespace) {
        return Err(bad("is not in the form of an email address."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::users::Profile;

    fn user(username: &str, email: &str, active: bool, admin: bool) -> OrgUser {
        OrgUser {
            id: format!("005{username}"),
            username: username.into(),
            email: Some(email.into()),
            is_active: active,
            profile: Some(Profile {
                is_admin: admin,
                ..Profile::default()
            }),
            is_frozen: None,
        }
    }

    #[test]
    fn picks_the_best_candidate_or_the_named_one() {
        let users = vec![
            user("a@x.io", REFRESHED_EMAIL, false, true),
            user("b@x.io", REFRESHED_EMAIL, true, true),
            user("c@x.io", REFRESHED_EMAIL, true, true),
            user("d@x.io", "someone@x.io", true, false),
        ];
        assert_eq!(choose(&users, None).unwrap().username, "b@x.io");
        assert_eq!(choose(&users, Some("D@x.io")).unwrap().username, "d@x.io");
        assert_eq!(
            choose(&users, Some("nobody@x.io")).unwrap().username,
            "b@x.io"
        );
        assert!(choose(&users[3..], None).is_none());
    }

    #[test]
    fn usernames_must_look_like_email_addresses() {
        assert!(check_username("provisioning@logik.io.acme.uat").is_ok());
        for bad in ["provisioning", "@logik.io", "a@io", "a b@logik.io", "a@.io"] {
            let err = check_username(bad).unwrap_err();
            assert_eq!(
                (err.name.as_str(), err.exit.code()),
                ("InvalidUsernameError", 2)
            );
        }
        assert!(check_username(&format!("{}@logik.io", "a".repeat(80))).is_err());
    }

    #[test]
    fn soql_literals_are_escaped() {
        assert_eq!(soql_quote("o'brien\\x"), "'o\\'brien\\\\x'");
    }
}
