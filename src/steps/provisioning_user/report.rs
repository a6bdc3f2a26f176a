//! What the step tells about the user: its checks, and the email verification Salesforce holds
//! (when it was sent, until when the link is valid, what to ask Logik).

use super::{
    PROVISIONING_EMAIL, REFRESHED_EMAIL, STEP, VERIFICATION_HOURS, VERIFICATION_NOTE, email,
    email_ok,
};
use crate::org::session::OpenOrg;
use crate::org::users::{ADMIN_PERMISSIONS_TEXT, OrgUser};
use crate::steps::journal::{Journal, JournalEvent};
use crate::steps::{Check, Manual, ManualValue};
use jiff::{SignedDuration, Timestamp};

/// The checks that describe the user as read.
pub(super) fn user_checks(user: &OrgUser, verification_sent: Option<Timestamp>) -> Vec<Check> {
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
pub(super) fn pending_verification(journal: &Journal, user_id: &str) -> Option<Timestamp> {
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

pub(super) fn verification_manual(open: &OpenOrg, user: &OrgUser, sent: Timestamp) -> Manual {
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
