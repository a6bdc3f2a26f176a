//! What differs between a snapshot and the org now, step by step. Profiles are compared by
//! `FullName`, the same in every language; their names (in the running user's language) are
//! compared only for snapshots that lack it (see `legacy_warning`).

use super::{RowLevel, SiteSnapshot, Snapshot, TenantRowSnapshot, UserSnapshot};
pub use crate::steps::procedure::Difference;
use serde_json::{Value, json};

fn diff(step: &str, what: String, snapshot: Value, org: Value) -> Difference {
    Difference {
        step: step.to_string(),
        what,
        snapshot,
        org,
    }
}

pub(super) fn row_label(row: &TenantRowSnapshot) -> String {
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
        && match (&a.owner_full_name, &b.owner_full_name) {
            // A profile by its FullName: `Admin` whichever language showed its name.
            (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
            // A user by username; a profile of a snapshot without FullName by its name.
            _ => match (&a.owner, &b.owner) {
                (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
                (None, None) => a.level == RowLevel::Org,
                _ => false,
            },
        }
}

/// The same profile: by `FullName` when both have it, else by the name shown (older snapshots).
fn same_profile(a: &UserSnapshot, b: &UserSnapshot) -> bool {
    match (&a.profile_full_name, &b.profile_full_name) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => a.profile == b.profile,
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
        let shown = |u: &UserSnapshot| json!({"username": u.username, "found": u.found, "active": u.active, "email": u.email, "profile": u.profile, "profileFullName": u.profile_full_name});
        let differs = match now {
            Some(n) => {
                n.found != old.found
                    || n.active != old.active
                    || !same_profile(n, old)
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
