//! Taking a snapshot: two composite reads (Data and Tooling API, at the same time) on top of
//! the org's facts; the Tooling one also reads the name and `FullName` of each profile that has
//! a row.
//! The users' profiles not among those are read by `FullName` after the users (one more
//! Tooling round trip, only then). Nothing is written to the org.

use super::profiles::{full_name_reads, full_names_of, id15, read_full_names};
use super::{
    ClientSnapshot, PackageSnapshot, RowLevel, SCHEMA_VERSION, SiteSnapshot, Snapshot,
    SnapshotKind, SnapshotOrg, TenantRowSnapshot, UserSnapshot, rows_of, text,
};
use crate::org::session::OpenOrg;
use crate::project::{SandboxConfig, sandbox_username};
use crate::protocol::Result;
use crate::salesforce::client::BatchRead;
use crate::salesforce::soql_quote;
use crate::steps::provisioning_user::PROVISIONING_EMAIL;
use serde_json::Value;

/// The users the org cannot name itself (CPQ Admin's Refresh Token User, the Runtime Clients'
/// users), as usernames of the sandbox.
#[derive(Debug, Clone, Default)]
pub struct TenantUsers {
    pub refresh_token_user: Option<String>,
    /// (client name, username)
    pub clients: Vec<(String, String)>,
}

impl TenantUsers {
    /// From the project config's entry (production usernames, suffixed here).
    pub fn from_entry(entry: Option<&SandboxConfig>, sandbox: &str) -> TenantUsers {
        TenantUsers {
            refresh_token_user: entry
                .and_then(|e| e.refresh_token_user.as_deref())
                .map(|u| sandbox_username(u, sandbox)),
            clients: entry
                .and_then(|e| e.runtime_clients.as_ref())
                .map(|list| {
                    list.iter()
                        .map(|c| (c.name.clone(), sandbox_username(&c.username, sandbox)))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The ones a snapshot recorded, to compare the same users.
    pub fn from_snapshot(snapshot: &Snapshot) -> TenantUsers {
        TenantUsers {
            refresh_token_user: snapshot
                .refresh_token_user
                .as_ref()
                .map(|u| u.username.clone()),
            clients: snapshot
                .runtime_clients
                .iter()
                .map(|c| (c.name.clone(), c.user.username.clone()))
                .collect(),
        }
    }
}

/// Reads the snapshot of the open org (a sandbox named `sandbox`).
pub async fn take(open: &OpenOrg, sandbox: &str, wanted: &TenantUsers) -> Result<Snapshot> {
    let facts = &open.facts;
    let rows = facts
        .tenant_setting
        .as_ref()
        .map(|s| s.rows.clone())
        .unwrap_or_default();
    let profile_ids: Vec<String> = rows
        .iter()
        .filter(|r| r.level == "profile")
        .map(|r| r.setup_owner_id.clone())
        .collect();
    let user_ids: Vec<String> = rows
        .iter()
        .filter(|r| r.level == "user")
        .map(|r| r.setup_owner_id.clone())
        .collect();
    let refresh_user = wanted.refresh_token_user.clone();
    let clients = wanted.clients.clone();
    let mut usernames: Vec<String> = refresh_user.iter().cloned().collect();
    usernames.extend(clients.iter().map(|(_, u)| u.clone()));

    let quoted = |values: &[String]| -> String {
        values
            .iter()
            .map(|v| soql_quote(v))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut user_filter = vec![format!(
        "Email IN ({}, {})",
        soql_quote(PROVISIONING_EMAIL),
        soql_quote(&format!("{PROVISIONING_EMAIL}.invalid"))
    )];
    if !user_ids.is_empty() {
        user_filter.push(format!("Id IN ({})", quoted(&user_ids)));
    }
    if !usernames.is_empty() {
        user_filter.push(format!("Username IN ({})", quoted(&usernames)));
    }
    let data_reads = [BatchRead::Query(format!(
        "SELECT Id, Username, Email, IsActive, ProfileId, Profile.Name FROM User WHERE {}",
        user_filter.join(" OR ")
    ))];
    // The rows' profiles (FullName and name, one query each) ride with the sites (the client splits beyond five
    // queries a composite and sends the composites at once).
    let mut tooling_reads = vec![
        BatchRead::Query("SELECT DeveloperName, EndpointUrl, IsActive FROM CspTrustedSite".into()),
        BatchRead::Query("SELECT SiteName, EndpointUrl, IsActive FROM RemoteProxy".into()),
    ];
    tooling_reads.extend(full_name_reads(&profile_ids));
    let (data, tooling) = tokio::join!(
        open.client.get_batch(false, &data_reads),
        open.client.get_batch(true, &tooling_reads)
    );
    let mut data = data?.into_iter();
    let users = rows_of(data.next())?;
    let mut tooling = tooling?.into_iter();
    let trusted = rows_of(tooling.next())?;
    let remote = rows_of(tooling.next())?;
    let mut full_names = full_names_of(tooling.collect())?;
    // The users' profiles that no row named: read once the users are known.
    let user_profiles: Vec<String> = users
        .iter()
        .filter_map(|u| text(u, "ProfileId"))
        .filter(|id| !full_names.contains_key(&id15(id)))
        .collect();
    full_names.extend(read_full_names(&open.client, &user_profiles).await?);
    let full_name_of = |id: &str| full_names.get(&id15(id)).map(|p| p.full_name.clone());

    let user_by_id = |id: &str| {
        users
            .iter()
            .find(|u| text(u, "Id").is_some_and(|uid| id15(&uid) == id15(id)))
    };
    let user_by_name = |name: &str| {
        users
            .iter()
            .find(|u| text(u, "Username").is_some_and(|n| n.eq_ignore_ascii_case(name)))
    };
    let tenant_setting = facts.tenant_setting.as_ref().map(|_| {
        rows.iter()
            .map(|row| {
                let (level, owner) = match row.level.as_str() {
                    "profile" => (
                        RowLevel::Profile,
                        full_names
                            .get(&id15(&row.setup_owner_id))
                            .and_then(|p| p.name.clone()),
                    ),
                    "user" => (
                        RowLevel::User,
                        user_by_id(&row.setup_owner_id).and_then(|u| text(u, "Username")),
                    ),
                    _ => (RowLevel::Org, None),
                };
                TenantRowSnapshot {
                    level,
                    owner_id: (level != RowLevel::Org && owner.is_none())
                        .then(|| row.setup_owner_id.clone()),
                    owner_full_name: (level == RowLevel::Profile)
                        .then(|| full_name_of(&row.setup_owner_id))
                        .flatten(),
                    owner,
                    runtime_url: row.runtime_url.clone(),
                    admin_url: row.admin_url.clone(),
                }
            })
            .collect()
    });
    let user_from = |u: &Value| user_of(u, &full_name_of);
    let user_snapshot = |username: &str| match user_by_name(username) {
        Some(u) => user_from(u),
        None => UserSnapshot {
            username: username.to_string(),
            found: false,
            active: None,
            email: None,
            profile: None,
            profile_full_name: None,
        },
    };
    let provisioning_user = users
        .iter()
        .find(|u| text(u, "Email").is_some_and(|e| e.eq_ignore_ascii_case(PROVISIONING_EMAIL)))
        .or_else(|| {
            users.iter().find(|u| {
                text(u, "Email")
                    .is_some_and(|e| e.to_ascii_lowercase().starts_with(PROVISIONING_EMAIL))
            })
        })
        .map(user_from);
    let packages = facts
        .packages
        .as_ref()
        .map(|p| {
            [&p.logik, &p.cpq]
                .into_iter()
                .map(|info| PackageSnapshot {
                    namespace: info.namespace.clone(),
                    installed: info.installed,
                    version: info.version.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Snapshot {
        kind: SnapshotKind::SandboxSnapshot,
        schema_version: SCHEMA_VERSION,
        sandbox_name: sandbox.to_ascii_lowercase(),
        taken_at: jiff::Timestamp::now().to_string(),
        org: SnapshotOrg {
            org_id: facts.org_id.clone(),
            username: facts.username.clone(),
            instance_url: facts.instance_url.clone(),
        },
        tenant_setting,
        trusted_urls: logik_sites(&trusted, "DeveloperName"),
        remote_sites: logik_sites(&remote, "SiteName"),
        refresh_token_user: refresh_user.as_deref().map(user_snapshot),
        runtime_clients: clients
            .iter()
            .map(|(name, username)| ClientSnapshot {
                name: name.clone(),
                user: user_snapshot(username),
            })
            .collect(),
        provisioning_user,
        packages,
        checksum: None,
    })
}

/// A user as the snapshot records it: the profile's name as the org showed it (display text,
/// in the running user's language) and its `FullName` (what `compare` compares).
fn user_of(u: &Value, full_name_of: &impl Fn(&str) -> Option<String>) -> UserSnapshot {
    UserSnapshot {
        username: text(u, "Username").unwrap_or_default(),
        found: true,
        active: u.get("IsActive").and_then(Value::as_bool),
        email: text(u, "Email"),
        profile: u
            .pointer("/Profile/Name")
            .and_then(Value::as_str)
            .map(str::to_string),
        profile_full_name: text(u, "ProfileId").and_then(|id| full_name_of(&id)),
    }
}

/// The sites whose host is a logik.io host.
fn logik_sites(rows: &[Value], name_field: &str) -> Vec<SiteSnapshot> {
    rows.iter()
        .filter_map(|row| {
            let url = text(row, "EndpointUrl")?;
            let host = url::Url::parse(&url).ok()?.host_str()?.to_ascii_lowercase();
            (host == "logik.io" || host.ends_with(".logik.io")).then(|| SiteSnapshot {
                name: text(row, name_field).unwrap_or_default(),
                url,
                active: row
                    .get("IsActive")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            })
        })
        .collect()
}
