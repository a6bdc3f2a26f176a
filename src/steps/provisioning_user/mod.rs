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

mod create;
mod fix;
mod report;

use super::{Outcome, StepResult};
use crate::org::session::OpenOrg;
use crate::org::users::{ADMIN_PERMISSIONS_TEXT, OrgUser, users_from, users_where_query};
use crate::protocol::{Error, Result};
use crate::salesforce::Client;
use crate::salesforce::soql_quote;
use crate::steps::journal::Journal;
use create::create_missing;
use fix::check_and_fix;
use serde_json::Value;

pub const STEP: &str = "provisioning-user";
pub use crate::org::users::PROVISIONING_EMAIL;
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

    let users = read_users(open, opts.username.as_deref()).await?;
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
        journal.record_finished(&result)?;
    }
    result.requests = client.request_count();
    Ok(result)
}

/// The query for the users that carry the provisioning email (either form), and the one named
/// `username`; `run` sends it ahead with the org's facts.
pub fn users_query(username: Option<&str>) -> String {
    let mut filter = format!(
        "Email IN ({}, {})",
        soql_quote(PROVISIONING_EMAIL),
        soql_quote(REFRESHED_EMAIL)
    );
    if let Some(username) = username {
        filter.push_str(&format!(" OR Username = {}", soql_quote(username)));
    }
    users_where_query(&format!("WHERE {filter} ORDER BY CreatedDate"))
}

async fn read_users(open: &OpenOrg, username: Option<&str>) -> Result<Vec<OrgUser>> {
    Ok(users_from(&open.query(&users_query(username)).await?))
}

async fn read_user(client: &Client, field: &str, value: &str) -> Result<Option<OrgUser>> {
    let rows = client.query(&user_query(field, value)).await?;
    Ok(users_from(&rows).into_iter().next())
}

/// The query for the one user whose `field` is `value`.
fn user_query(field: &str, value: &str) -> String {
    users_where_query(&format!("WHERE {field} = {} LIMIT 1", soql_quote(value)))
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
            frozen_unknown: None,
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
