//! `step runtime-clients`: Runtime Clients (CPQ Admin > Utilities > Runtime Clients) are tied to
//! Salesforce user IDs, and a refresh gives every user a new ID, so the old clients stop
//! working. No API creates them: the tool computes what to enter for each new client (the
//! user's new 18-character ID, the permissions, the origins) and where to keep its token.

use super::guided::{confirm_command, finish};
use super::{Manual, ManualValue, Outcome, StepResult};
use crate::org::facts::parse_my_domain;
use crate::org::session::OpenOrg;
use crate::org::tenant::TenantUrl;
use crate::org::users::find_users;
use crate::protocol::{Error, Result};
use crate::steps::journal::{Journal, JournalEntry, JournalEvent};

pub const STEP: &str = "runtime-clients";
const NOT_USED: &str = "not used";

/// The permissions a Runtime Client can have, as CPQ Admin names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientPermissions {
    /// "Config"
    Config,
    /// "Config and Flightpath"
    ConfigAndFlightpath,
}

impl ClientPermissions {
    pub fn label(self) -> &'static str {
        match self {
            ClientPermissions::Config => "Config",
            ClientPermissions::ConfigAndFlightpath => "Config and Flightpath",
        }
    }
}

pub struct RuntimeClientsOptions {
    /// (client name, username); empty = one client for the user the tool runs as.
    pub clients: Vec<(String, String)>,
    pub permissions: ClientPermissions,
    pub admin_url: TenantUrl,
    /// The org calls no Runtime API: record that and skip.
    pub not_used: bool,
    pub confirm: bool,
    pub dry_run: bool,
    pub confirm_args: Vec<String>,
}

pub async fn ensure_runtime_clients(
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &RuntimeClientsOptions,
) -> Result<StepResult> {
    let facts = &open.facts;
    let mut result = StepResult::new(STEP, facts);
    result.dry_run = opts.dry_run;
    let recorded_not_used = journal
        .last(STEP, &[JournalEvent::Confirmed])
        .is_some_and(|e| e.note.as_deref() == Some(NOT_USED));
    if opts.not_used || (recorded_not_used && opts.clients.is_empty() && !opts.confirm) {
        if opts.not_used && !opts.dry_run && !recorded_not_used {
            let mut entry = JournalEntry::new(STEP, JournalEvent::Confirmed);
            entry.outcome = Some(Outcome::Skipped);
            entry.note = Some(NOT_USED.into());
            journal.append(entry)?;
        }
        result.outcome = Outcome::Skipped;
        result.reason = Some("The org calls no CPQ Runtime API (recorded with --not-used): no Runtime Clients needed.".into());
        return Ok(result);
    }

    let clients = if opts.clients.is_empty() {
        let username = facts.username.clone().unwrap_or_default();
        let name = match &facts.sandbox_name {
            Some(sandbox) => format!("salesforce-{sandbox}"),
            None => "salesforce".to_string(),
        };
        vec![(name, username)]
    } else {
        opts.clients.clone()
    };
    let usernames: Vec<String> = clients.iter().map(|(_, u)| u.clone()).collect();
    let users = find_users(&open.client, &open.users, &usernames).await?;
    let origins = origins(
        facts.my_domain_url.as_deref(),
        facts.instance_url.as_deref(),
    );

    let mut values = Vec::new();
    let mut missing = Vec::new();
    for (name, username) in &clients {
        match users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
        {
            Some(user) if user.is_active => {
                result.check(
                    &format!("client {name}"),
                    true,
                    format!("{} is active, ID {}", user.username, user.id),
                );
                if let Some(why) = &user.frozen_unknown {
                    result.warnings.push(format!(
                        "Whether {} is frozen is not known: {why}. A frozen user's client is refused: look in Setup > Users > {}.",
                        user.username, user.username
                    ));
                }
                values.push(ManualValue {
                    label: format!("{name}: Name"),
                    value: name.clone(),
                });
                values.push(ManualValue {
                    label: format!("{name}: User ID"),
                    value: user.id.clone(),
                });
                values.push(ManualValue {
                    label: format!("{name}: Permissions"),
                    value: opts.permissions.label().into(),
                });
                values.push(ManualValue {
                    label: format!("{name}: Origins"),
                    value: origins.join(", "),
                });
            }
            Some(user) => {
                result.check(
                    &format!("client {name}"),
                    false,
                    format!("{} is inactive", user.username),
                );
                missing.push(username.clone());
            }
            None => {
                result.check(
                    &format!("client {name}"),
                    false,
                    format!("no user {username} in this org"),
                );
                missing.push(username.clone());
            }
        }
    }
    if !missing.is_empty() {
        result.outcome = Outcome::Failed;
        result.reason = Some(format!(
            "No active user for: {}. After a refresh usernames end in .{}; pass --client NAME=USERNAME.",
            missing.join(", "),
            facts
                .sandbox_name
                .clone()
                .unwrap_or_else(|| "<sandbox>".into())
        ));
        result.requests = open.client.request_count();
        return Ok(result);
    }

    let admin = &opts.admin_url.origin;
    let org = facts
        .alias
        .clone()
        .or(facts.username.clone())
        .unwrap_or_else(|| "<alias>".into());
    let first = &clients[0].0;
    let manual = Manual {
        location: "CPQ Admin > Utilities > Runtime Clients".into(),
        url: Some(admin.clone()),
        actions: vec![
            format!("Sign in to CPQ Admin at {admin} and open Utilities > Runtime Clients."),
            "Delete the clients of the old org's users (their user IDs no longer exist).".into(),
            "Create one client for each name below, with its User ID, Permissions and Origins (no expiry unless your policy wants one).".into(),
            format!("The token is shown once: keep it in the OS keyring, e.g. `pbpaste | logik-refresh secret set runtime-client/{first}`."),
            "Update whatever in Salesforce calls the Runtime API (Named Credential, custom setting) to use the new token.".into(),
        ],
        values,
        confirm_command: Some(confirm_command(STEP, &org, &opts.confirm_args)),
    };
    finish(&mut result, manual, journal, opts.confirm)?;
    result.requests = open.client.request_count();
    Ok(result)
}

/// The origins the org's pages call the Runtime API from: its My Domain hosts (Salesforce and
/// Lightning), each with and without a trailing slash; the instance URL when there is no My
/// Domain.
pub fn origins(my_domain_url: Option<&str>, instance_url: Option<&str>) -> Vec<String> {
    let mut hosts = Vec::new();
    match my_domain_url.and_then(parse_my_domain) {
        Some(domain) => {
            let host = domain.url.trim_start_matches("https://").to_string();
            let lightning = host.replace(".my.salesforce.com", ".lightning.force.com");
            hosts.push(format!("https://{host}"));
            hosts.push(format!("https://{lightning}"));
        }
        None => {
            if let Some(url) = instance_url.and_then(|u| url::Url::parse(u).ok()) {
                hosts.push(url.origin().ascii_serialization());
            }
        }
    }
    hosts
        .iter()
        .flat_map(|h| [h.clone(), format!("{h}/")])
        .collect()
}

/// Parses `NAME=USERNAME` for `--client`.
pub fn parse_client(text: &str) -> Result<(String, String)> {
    let (name, username) = text.split_once('=').ok_or_else(|| {
        Error::input(
            "InvalidClientError",
            format!("--client {text:?} is not NAME=USERNAME."),
        )
        .with_action("e.g. --client web-store=integration@acme.com.uat")
    })?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(Error::input(
            "InvalidClientError",
            format!("Client name {name:?}: use letters, digits, - _ and . only."),
        )
        .with_action("e.g. --client web-store=integration@acme.com.uat"));
    }
    if !username.contains('@') {
        return Err(Error::input(
            "InvalidClientError",
            format!("{username:?} is not a Salesforce username."),
        )
        .with_action("Usernames look like email addresses, e.g. integration@acme.com.uat"));
    }
    Ok((name.to_string(), username.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_from_my_domain_and_instance() {
        let o = origins(Some("https://acme--uat.sandbox.my.salesforce.com"), None);
        assert_eq!(
            o,
            [
                "https://acme--uat.sandbox.my.salesforce.com",
                "https://acme--uat.sandbox.my.salesforce.com/",
                "https://acme--uat.sandbox.lightning.force.com",
                "https://acme--uat.sandbox.lightning.force.com/",
            ]
        );
        assert_eq!(
            origins(None, Some("http://127.0.0.1:8765/")),
            ["http://127.0.0.1:8765", "http://127.0.0.1:8765/"]
        );
    }

    #[test]
    fn client_flags() {
        assert_eq!(
            parse_client("web=a@b.c.uat").unwrap(),
            ("web".into(), "a@b.c.uat".into())
        );
        assert!(parse_client("web").is_err());
        assert!(parse_client("w b=a@b.c").is_err());
        assert!(parse_client("web=nobody").is_err());
    }
}
