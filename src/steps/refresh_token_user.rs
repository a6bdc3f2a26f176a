//! `step refresh-token-user`: Logik syncs products, pricebooks and configuration data as the
//! Refresh Token Username. After a refresh that user's username changed, so CPQ Admin must be
//! given an administrator of the refreshed org
//! (a System Administrator, told by its profile's permissions: the name is translated). The user is checked here; the reset
//! itself happens in CPQ Admin > Settings (no API), then `<tenant>/refreshToken`.

use super::guided::{confirm_command, finish};
use super::{Manual, ManualValue, Outcome, StepResult};
use crate::org::session::OpenOrg;
use crate::org::tenant::TenantUrl;
use crate::org::users::{ADMIN_PERMISSIONS_TEXT, active_admins, find_users};
use crate::protocol::Result;
use crate::steps::journal::Journal;

pub const STEP: &str = "refresh-token-user";

pub struct RefreshTokenUserOptions {
    /// The user to set; default: the user the tool runs as.
    pub username: Option<String>,
    /// The tenant's administration site (CPQ Admin).
    pub admin_url: TenantUrl,
    pub confirm: bool,
    pub dry_run: bool,
    pub confirm_args: Vec<String>,
}

pub async fn ensure_refresh_token_user(
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &RefreshTokenUserOptions,
) -> Result<StepResult> {
    let facts = &open.facts;
    let mut result = StepResult::new(STEP, facts);
    result.dry_run = opts.dry_run;
    let username = opts
        .username
        .clone()
        .or(facts.username.clone())
        .unwrap_or_default();
    let users = find_users(&open.client, &open.users, std::slice::from_ref(&username)).await?;
    let Some(user) = users.into_iter().next() else {
        return failed(
            open,
            result,
            format!("No user {username} in this org."),
            true,
        )
        .await;
    };
    result.check(
        "user exists",
        true,
        format!("{} ({})", user.username, user.id),
    );
    if !user.is_active {
        result.check("active", false, "the user is inactive");
        return failed(open, result, format!("{username} is inactive."), true).await;
    }
    result.check("active", true, "IsActive = true");
    if user.is_frozen == Some(true) {
        result.check("not frozen", false, "UserLogin.IsFrozen = true");
        return failed(
            open,
            result,
            format!("{username} is frozen (Setup > Users > Unfreeze)."),
            true,
        )
        .await;
    }
    if let Some(why) = &user.frozen_unknown {
        result.warnings.push(format!(
            "Whether {username} is frozen is not known: {why}. Look in Setup > Users > {username} (a frozen user has an Unfreeze button), or run as a user with Manage Users."
        ));
    } else {
        result.check("not frozen", true, "UserLogin.IsFrozen = false");
    }
    let profile = user.profile_name().unwrap_or("unknown").to_string();
    if user.is_admin() {
        result.check(
            "permissions",
            true,
            format!("profile {profile}: {ADMIN_PERMISSIONS_TEXT}"),
        );
    } else if user.api_enabled() {
        result.check(
            "permissions",
            true,
            format!("profile {profile} has API Enabled"),
        );
        result.warnings.push(format!(
            "Not an administrator (profile {profile} lacks {ADMIN_PERMISSIONS_TEXT}): make sure the profile can read Product2, Pricebook2 and PricebookEntry and create the LGK configuration objects."
        ));
    } else {
        result.check(
            "permissions",
            false,
            format!("profile {profile}: not an administrator, and API Enabled is off"),
        );
        return failed(
            open,
            result,
            format!("{username} cannot use the API (profile {profile} without API Enabled)."),
            true,
        )
        .await;
    }

    let admin = &opts.admin_url.origin;
    let org = facts
        .alias
        .clone()
        .or(facts.username.clone())
        .unwrap_or_else(|| "<alias>".into());
    let manual = Manual {
        location: "CPQ Admin > Settings".into(),
        url: Some(admin.clone()),
        actions: vec![
            format!("Sign in to CPQ Admin at {admin} and open Settings."),
            "Clear Refresh Token Username and save (this drops the token of the old org's user).".into(),
            format!("Set Refresh Token Username to {} and save.", user.username),
            format!("Open {admin}/refreshToken and sign in to Salesforce as {} to issue a new refresh token.", user.username),
            "Check: within 30 minutes (15 in production) the product sync runs again; CPQ Admin shows the last sync time.".into(),
        ],
        values: vec![ManualValue { label: "Refresh Token Username".into(), value: user.username.clone() }],
        confirm_command: Some(confirm_command(STEP, &org, &opts.confirm_args)),
    };
    finish(&mut result, manual, journal, opts.confirm)?;
    result.requests = open.client.request_count();
    Ok(result)
}

/// A user that will not do: the outcome is `failed`, with administrators to choose from.
async fn failed(
    open: &OpenOrg,
    mut result: StepResult,
    reason: String,
    suggest: bool,
) -> Result<StepResult> {
    result.outcome = Outcome::Failed;
    let mut reason = reason;
    if suggest {
        let admins = active_admins(&open.client).await?;
        if !admins.is_empty() {
            reason.push_str(&format!(
                " Active administrators ({ADMIN_PERMISSIONS_TEXT}): {}; pick one with --username.",
                admins.join(", ")
            ));
        }
    }
    result.reason = Some(reason);
    result.requests = open.client.request_count();
    Ok(result)
}
