//! What differs between a snapshot and the org now, step by step; and the snapshot's override
//! rows remapped to the refreshed org's IDs, by profile name and username.

use super::{RowLevel, SiteSnapshot, Snapshot, TenantRowSnapshot, UserSnapshot};
use crate::org::session::OpenOrg;
use crate::protocol::Result;
use crate::salesforce::client::BatchRead;
use crate::salesforce::soql_quote;
pub use crate::steps::procedure::Difference;
use crate::steps::tenant_urls::OverrideRow;
use serde_json::{Value, json};

fn diff(step: &str, what: String, snapshot: Value, org: Value) -> Difference {
    Difference {
        step: step.to_string(),
        what,
        snapshot,
        org,
    }
}

fn row_label(row: &TenantRowSnapshot) -> String {
    match (row.level, &row.owner) {
        (RowLevel::Org, _) => "CPQ Tenant org default".to_string(),
        (RowLevel::Profile, Some(name)) => format!("CPQ Tenant row for profile {name}"),
        (RowLevel::User, Some(name)) => format!("CPQ Tenant row for user {name}"),
        (level, None) => format!(
            "CPQ Tenant {} row of {} (owner unknown)",
            serde_json::to_value(level)
                .unwrap_or_default()
                .as_str()
                .unwrap_or(""),
            row.owner_id.as_deref().unwrap_or("?")
        ),
    }
}

fn same_row(a: &TenantRowSnapshot, b: &TenantRowSnapshot) -> bool {
    a.level == b.level
        && match (&a.owner, &b.owner) {
            (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
            (None, None) => a.level == RowLevel::Org,
            _ => false,
        }
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// Everything the snapshot recorded that the org does not show now. What the org has beyond the
/// snapshot (production's own rows and sites, copied by the refresh) is not a difference.
pub fn differences(old: &Snapshot, now: &Snapshot) -> Vec<Difference> {
    let mut out = Vec::new();
    let rows_now = now.tenant_setting.clone().unwrap_or_default();
    for row in old.tenant_setting.iter().flatten() {
        let found = rows_now.iter().find(|r| same_row(r, row));
        let urls =
            |r: &TenantRowSnapshot| json!({"runtimeUrl": r.runtime_url, "adminUrl": r.admin_url});
        let differs = match found {
            Some(f) => f.runtime_url != row.runtime_url || f.admin_url != row.admin_url,
            None => true,
        };
        if differs {
            out.push(diff(
                "tenant-urls",
                row_label(row),
                urls(row),
                found.map(urls).unwrap_or(Value::Null),
            ));
        }
    }
    let sites = |step: &str,
                 kind: &str,
                 old: &[SiteSnapshot],
                 now: &[SiteSnapshot],
                 out: &mut Vec<Difference>| {
        for site in old.iter().filter(|s| s.active) {
            let found = now.iter().find(|s| s.active && same_url(&s.url, &site.url));
            if found.is_none() {
                out.push(diff(
                    step,
                    format!("{kind} {}", site.url),
                    json!(site.url),
                    Value::Null,
                ));
            }
        }
    };
    sites(
        "trusted-urls",
        "Trusted URL",
        &old.trusted_urls,
        &now.trusted_urls,
        &mut out,
    );
    sites(
        "trusted-urls",
        "Remote Site",
        &old.remote_sites,
        &now.remote_sites,
        &mut out,
    );
    let users = |step: &str,
                 what: String,
                 old: &UserSnapshot,
                 now: Option<&UserSnapshot>,
                 out: &mut Vec<Difference>| {
        let shown = |u: &UserSnapshot| json!({"username": u.username, "found": u.found, "active": u.active, "email": u.email, "profile": u.profile});
        let differs = match now {
            Some(n) => {
                n.found != old.found
                    || n.active != old.active
                    || n.profile != old.profile
                    || !n.username.eq_ignore_ascii_case(&old.username)
                    || n.email.as_deref().map(str::to_ascii_lowercase)
                        != old.email.as_deref().map(str::to_ascii_lowercase)
            }
            None => true,
        };
        if differs {
            out.push(diff(
                step,
                what,
                shown(old),
                now.map(shown).unwrap_or(Value::Null),
            ));
        }
    };
    if let Some(user) = &old.refresh_token_user {
        let now_user = now
            .refresh_token_user
            .as_ref()
            .filter(|u| u.username.eq_ignore_ascii_case(&user.username));
        users(
            "refresh-token-user",
            format!("Refresh Token User {}", user.username),
            user,
            now_user,
            &mut out,
        );
    }
    for client in &old.runtime_clients {
        let now_user = now
            .runtime_clients
            .iter()
            .find(|c| c.name == client.name)
            .map(|c| &c.user);
        users(
            "runtime-clients",
            format!(
                "Runtime Client {} user {}",
                client.name, client.user.username
            ),
            &client.user,
            now_user,
            &mut out,
        );
    }
    if let Some(user) = &old.provisioning_user {
        users(
            "provisioning-user",
            "provisioning user".to_string(),
            user,
            now.provisioning_user.as_ref(),
            &mut out,
        );
    }
    for package in &old.packages {
        let found = now
            .packages
            .iter()
            .find(|p| p.namespace == package.namespace);
        let shown =
            |p: &super::PackageSnapshot| json!({"installed": p.installed, "version": p.version});
        if found.is_none_or(|f| f.installed != package.installed || f.version != package.version) {
            out.push(diff(
                "packages",
                format!("package {}", package.namespace),
                shown(package),
                found.map(shown).unwrap_or(Value::Null),
            ));
        }
    }
    out
}

/// The snapshot's profile and user rows with the refreshed org's IDs, found by profile name
/// and username (one round trip); rows whose owner is not in the org are returned as messages,
/// not guessed.
pub async fn remap_overrides(
    open: &OpenOrg,
    snapshot: &Snapshot,
) -> Result<(Vec<OverrideRow>, Vec<String>)> {
    let rows: Vec<&TenantRowSnapshot> = snapshot
        .tenant_setting
        .iter()
        .flatten()
        .filter(|r| r.level != RowLevel::Org)
        .collect();
    let mut unmapped = Vec::new();
    let names = |level: RowLevel| -> Vec<String> {
        rows.iter()
            .filter(|r| r.level == level)
            .filter_map(|r| r.owner.as_deref().map(soql_quote))
            .collect()
    };
    let (profiles, users) = (names(RowLevel::Profile), names(RowLevel::User));
    let mut reads = Vec::new();
    if !profiles.is_empty() {
        reads.push(BatchRead::Query(format!(
            "SELECT Id, Name FROM Profile WHERE Name IN ({})",
            profiles.join(", ")
        )));
    }
    if !users.is_empty() {
        reads.push(BatchRead::Query(format!(
            "SELECT Id, Username FROM User WHERE Username IN ({})",
            users.join(", ")
        )));
    }
    let mut found: Vec<Value> = Vec::new();
    if !reads.is_empty() {
        for answer in open.client.get_batch(false, &reads).await? {
            if let Value::Array(records) = answer? {
                found.extend(records);
            }
        }
    }
    let id_of = |level: RowLevel, owner: &str| {
        let field = if level == RowLevel::Profile {
            "Name"
        } else {
            "Username"
        };
        let prefix = if level == RowLevel::Profile {
            "00e"
        } else {
            "005"
        };
        found
            .iter()
            .filter(|r| {
                r.get("Id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| id.starts_with(prefix))
            })
            .find(|r| {
                r.get(field)
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case(owner))
            })
            .and_then(|r| r.get("Id").and_then(Value::as_str))
            .map(str::to_string)
    };
    let mut out = Vec::new();
    for row in rows {
        let label = row_label(row);
        match row
            .owner
            .as_deref()
            .and_then(|owner| id_of(row.level, owner))
        {
            Some(id) => out.push(OverrideRow {
                setup_owner_id: id,
                label,
                runtime_url: row.runtime_url.clone(),
                admin_url: row.admin_url.clone(),
            }),
            None => unmapped.push(format!(
                "{label}: not restored, the refreshed org has no {} of that name",
                if row.level == RowLevel::Profile {
                    "profile"
                } else {
                    "user"
                }
            )),
        }
    }
    Ok((out, unmapped))
}
