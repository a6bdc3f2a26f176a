//! Checking in the org that the users a case names exist and are active, and finding the
//! closest username when one does not (after a refresh usernames gain the sandbox suffix:
//! `jane@acme.com` becomes `jane@acme.com.uat`).

use super::payload::{CaseCheck, PROVISIONING_EMAIL, SYSTEM_ADMINISTRATOR};
use crate::org::users::{
    ADMIN_PERMISSIONS_TEXT, OrgUser, standard_usernames, users_named, users_where,
};
use crate::protocol::Result;
use crate::salesforce::Client;
use crate::salesforce::soql_quote;

/// The most users read to find a closest match (SOQL's own LIMIT ceiling).
const MAX_CANDIDATES: usize = 50_000;

/// The users whose email is the provisioning mailbox (a refresh may have appended `.invalid`).
pub async fn provisioning_candidates(client: &Client) -> Result<Vec<OrgUser>> {
    let pattern = soql_quote(&format!("{PROVISIONING_EMAIL}%"));
    users_where(client, &format!("WHERE Email LIKE {pattern}")).await
}

/// The one provisioning user to propose: the only candidate, else the only active
/// administrator among them (by the profile's permissions).
pub fn pick_provisioning_user(candidates: &[OrgUser]) -> Option<&OrgUser> {
    if let [one] = candidates {
        return Some(one);
    }
    let admins: Vec<&OrgUser> = candidates
        .iter()
        .filter(|u| u.is_active && u.is_admin())
        .collect();
    match admins.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// What the user checks found: a check per user and a warning per problem.
#[derive(Debug, Default)]
pub struct UserChecks {
    pub checks: Vec<CaseCheck>,
    pub warnings: Vec<String>,
}

/// Checks each CPQ Admin and the provisioning user in the org.
pub async fn check_users(
    client: &Client,
    cpq_admins: &[String],
    provisioning_username: &str,
    sandbox_name: Option<&str>,
) -> Result<UserChecks> {
    let mut wanted: Vec<String> = cpq_admins.to_vec();
    wanted.push(provisioning_username.to_string());
    let found = users_named(client, &wanted).await?;
    let lookup = |username: &str| {
        found
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    };
    let missing = wanted.iter().any(|u| lookup(u).is_none());
    let candidates = if missing {
        standard_usernames(client, MAX_CANDIDATES).await?
    } else {
        Vec::new()
    };

    let mut out = UserChecks::default();
    for admin in cpq_admins {
        let name = format!("CPQ Admin {admin}");
        match lookup(admin) {
            Some(user) if user.is_active => out.checks.push(CaseCheck {
                name,
                ok: true,
                detail: format!("an active user{}", profile_note(user)),
            }),
            Some(user) => {
                let detail = format!(
                    "the user is inactive{}: activate it in Setup > Users, or name another user",
                    profile_note(user)
                );
                out.warnings.push(format!("CPQ Admin {admin}: {detail}."));
                out.checks.push(CaseCheck {
                    name,
                    ok: false,
                    detail,
                });
            }
            None => {
                let detail = not_found(admin, &candidates, sandbox_name, "--cpq-admin");
                out.warnings.push(format!("CPQ Admin {admin}: {detail}."));
                out.checks.push(CaseCheck {
                    name,
                    ok: false,
                    detail,
                });
            }
        }
    }

    let name = format!("Provisioning user {provisioning_username}");
    match lookup(provisioning_username) {
        None => {
            let detail = not_found(
                provisioning_username,
                &candidates,
                sandbox_name,
                "--provisioning-username",
            );
            out.warnings.push(format!(
                "Provisioning user {provisioning_username}: {detail}."
            ));
            out.checks.push(CaseCheck {
                name,
                ok: false,
                detail,
            });
        }
        Some(user) => {
            let mut problems = Vec::new();
            if !user.is_active {
                problems.push("it is inactive: activate it in Setup > Users".to_string());
            }
            if !user.is_admin() {
                problems.push(format!(
                    "its profile ({}) is not an administrator's: it lacks {ADMIN_PERMISSIONS_TEXT}; give it the {SYSTEM_ADMINISTRATOR} profile",
                    user.profile_name().unwrap_or("unknown")
                ));
            }
            let email = user.email.as_deref().unwrap_or_default();
            if !email.eq_ignore_ascii_case(PROVISIONING_EMAIL) {
                let why = if email
                    .to_ascii_lowercase()
                    .starts_with(&format!("{PROVISIONING_EMAIL}."))
                {
                    " (a refresh appends .invalid to emails)"
                } else {
                    ""
                };
                problems.push(format!(
                    "its email is {email}, not {PROVISIONING_EMAIL}{why}: set it back in Setup > Users"
                ));
            }
            if problems.is_empty() {
                out.checks.push(CaseCheck {
                    name,
                    ok: true,
                    detail: format!(
                        "an active user, email {PROVISIONING_EMAIL}, profile {} ({ADMIN_PERMISSIONS_TEXT})",
                        user.profile_name().unwrap_or("unknown")
                    ),
                });
            } else {
                let detail = problems.join("; ");
                out.warnings.push(format!(
                    "Provisioning user {provisioning_username}: {detail}."
                ));
                out.checks.push(CaseCheck {
                    name,
                    ok: false,
                    detail,
                });
            }
        }
    }
    Ok(out)
}

fn profile_note(user: &OrgUser) -> String {
    user.profile_name()
        .map(|p| format!(" (profile {p})"))
        .unwrap_or_default()
}

/// The detail for a username the org does not have, with the closest match.
fn not_found(
    username: &str,
    candidates: &[OrgUser],
    sandbox_name: Option<&str>,
    flag: &str,
) -> String {
    match closest_match(username, candidates, sandbox_name) {
        Some((user, Closeness::SandboxSuffix)) => format!(
            "no such user in this org; the closest is {}{} (after a refresh usernames gain the sandbox suffix: {username} -> {}): pass {flag} {}",
            user.username,
            if user.is_active { "" } else { ", inactive" },
            user.username,
            user.username
        ),
        Some((user, _)) => format!(
            "no such user in this org; the closest is {}{}: if that is the user, pass {flag} {}",
            user.username,
            if user.is_active { "" } else { ", inactive" },
            user.username
        ),
        None => "no such user in this org, and no similar username".to_string(),
    }
}

/// How a candidate resembles the username asked for, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Closeness {
    /// The username plus the sandbox suffix a refresh appends (`jane@acme.com.uat`).
    SandboxSuffix,
    /// The username with a sandbox suffix removed (named as in the sandbox, checked elsewhere).
    WithoutSuffix,
    /// A few characters apart (a typo).
    Edits(usize),
}

/// The candidate closest to `username`, if any is close enough.
pub fn closest_match<'a>(
    username: &str,
    candidates: &'a [OrgUser],
    sandbox_name: Option<&str>,
) -> Option<(&'a OrgUser, Closeness)> {
    let wanted = username.to_ascii_lowercase();
    let limit = (wanted.chars().count() / 5).max(2);
    candidates
        .iter()
        .filter_map(|user| {
            let candidate = user.username.to_ascii_lowercase();
            let closeness = match candidate.strip_prefix(&format!("{wanted}.")) {
                Some(suffix)
                    if sandbox_name.is_none_or(|s| s.eq_ignore_ascii_case(suffix))
                        && !suffix.contains('.') =>
                {
                    Closeness::SandboxSuffix
                }
                _ if wanted
                    .strip_prefix(&format!("{candidate}."))
                    .is_some_and(|suffix| !suffix.contains('.')) =>
                {
                    Closeness::WithoutSuffix
                }
                _ => {
                    let distance = crate::text::edit_distance(&wanted, &candidate);
                    if distance == 0 || distance > limit {
                        return None;
                    }
                    Closeness::Edits(distance)
                }
            };
            Some((user, closeness))
        })
        .min_by(|a, b| a.1.cmp(&b.1).then(b.0.is_active.cmp(&a.0.is_active)))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::org::users::Profile;

    fn user(username: &str, active: bool) -> OrgUser {
        OrgUser {
            username: username.into(),
            is_active: active,
            ..OrgUser::default()
        }
    }

    #[test]
    fn the_sandbox_suffix_wins() {
        let users = [
            user("jane@acme.com.uat", true),
            user("jane@acme.co", true),
            user("janet@acme.com", true),
        ];
        let (found, how) = closest_match("jane@acme.com", &users, Some("uat")).unwrap();
        assert_eq!(found.username, "jane@acme.com.uat");
        assert_eq!(how, Closeness::SandboxSuffix);
        // another sandbox's suffix is only a near miss
        let (found, how) = closest_match("jane@acme.com", &users[1..], Some("uat")).unwrap();
        assert_eq!(found.username, "jane@acme.co");
        assert_eq!(how, Closeness::Edits(1));
    }

    #[test]
    fn typos_and_far_names() {
        let users = [
            user("jane@acme.com.uat", true),
            user("bob@acme.com.uat", false),
        ];
        let (found, _) = closest_match("jnae@acme.com.uat", &users, Some("uat")).unwrap();
        assert_eq!(found.username, "jane@acme.com.uat");
        assert!(closest_match("someone.else@other.org", &users, Some("uat")).is_none());
        let (found, how) = closest_match("jane@acme.com.uat.uat", &users, Some("uat")).unwrap();
        assert_eq!(
            (found.username.as_str(), how),
            ("jane@acme.com.uat", Closeness::WithoutSuffix)
        );
    }

    #[test]
    fn provisioning_pick() {
        let mut a = user("provisioning@logik.io.acme.uat", true);
        a.profile = Some(Profile {
            name: "Systemadministrator".into(),
            is_admin: true,
            ..Profile::default()
        });
        let b = user("provisioning@logik.io.old", false);
        let both = [a.clone(), b.clone()];
        assert_eq!(pick_provisioning_user(&both), Some(&a));
        assert_eq!(pick_provisioning_user(std::slice::from_ref(&b)), Some(&b));
        assert_eq!(pick_provisioning_user(&[]), None);
    }
}
