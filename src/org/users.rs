//! Looking up users in the refreshed org, shared by the steps that name users.

use crate::protocol::Result;
use crate::salesforce::client::BatchRead;
use crate::salesforce::{Client, soql_quote};
use serde_json::Value;

pub const SYSTEM_ADMINISTRATOR: &str = "System Administrator";

#[derive(Debug, Clone)]
pub struct OrgUser {
    /// 18 characters.
    pub id: String,
    pub username: String,
    pub email: Option<String>,
    pub is_active: bool,
    pub profile_name: Option<String>,
    pub api_enabled: Option<bool>,
    /// `UserLogin.IsFrozen`; `None` when the org has no login record for the user.
    pub is_frozen: Option<bool>,
}

impl OrgUser {
    pub fn is_admin(&self) -> bool {
        self.profile_name.as_deref() == Some(SYSTEM_ADMINISTRATOR)
    }
}

fn user_from(record: &Value) -> OrgUser {
    let text = |field: &str| {
        record
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    OrgUser {
        id: text("Id").unwrap_or_default(),
        username: text("Username").unwrap_or_default(),
        email: text("Email"),
        is_active: record
            .get("IsActive")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        profile_name: record
            .pointer("/Profile/Name")
            .and_then(Value::as_str)
            .map(str::to_string),
        api_enabled: record
            .pointer("/Profile/PermissionsApiEnabled")
            .and_then(Value::as_bool),
        is_frozen: None,
    }
}

const USER_FIELDS: &str =
    "Id, Username, Email, IsActive, Profile.Name, Profile.PermissionsApiEnabled";

/// Users already read in this process, so that steps asking about the same users (the
/// refresh-token user and the runtime clients are often the same admin) ask the org once.
#[derive(Debug, Default)]
pub struct UserCache {
    /// (username lowercased, the user or None when the org has no such user)
    known: std::sync::Mutex<Vec<(String, Option<OrgUser>)>>,
}

/// The users with these usernames: one query for those not read before.
pub async fn find_users(
    client: &Client,
    cache: &UserCache,
    usernames: &[String],
) -> Result<Vec<OrgUser>> {
    let wanted: Vec<String> = usernames.iter().map(|u| u.to_ascii_lowercase()).collect();
    let missing: Vec<String> = {
        let known = cache.known.lock().unwrap();
        wanted
            .iter()
            .filter(|u| !known.iter().any(|(k, _)| k == *u))
            .cloned()
            .collect()
    };
    if !missing.is_empty() {
        let found = query_users(client, &missing).await?;
        cache.remember(&missing, &found);
    }
    let known = cache.known.lock().unwrap();
    Ok(wanted
        .iter()
        .filter_map(|u| {
            known
                .iter()
                .find(|(k, _)| k == u)
                .and_then(|(_, user)| user.clone())
        })
        .collect())
}

/// The users and their login records (frozen or not), in one round trip.
async fn query_users(client: &Client, usernames: &[String]) -> Result<Vec<OrgUser>> {
    if usernames.is_empty() {
        return Ok(Vec::new());
    }
    let answers = client.get_batch(false, &user_reads(usernames)).await?;
    users_from_answers(answers)
}

/// The two reads that describe these users: their records, and their login records (frozen or
/// not) through a semi-join. Other batches may carry them (see `commands::open_org_with_users`).
pub fn user_reads(usernames: &[String]) -> [BatchRead; 2] {
    let list: Vec<String> = usernames.iter().map(|u| soql_quote(u)).collect();
    let list = list.join(", ");
    [
        BatchRead::Query(format!(
            "SELECT {USER_FIELDS} FROM User WHERE Username IN ({list})"
        )),
        BatchRead::Query(format!(
            "SELECT UserId, IsFrozen FROM UserLogin WHERE UserId IN (SELECT Id FROM User WHERE Username IN ({list}))"
        )),
    ]
}

/// The users from the answers to [`user_reads`], in that order.
pub fn users_from_answers(answers: Vec<Result<Value>>) -> Result<Vec<OrgUser>> {
    let mut answers = answers.into_iter();
    let mut rows = || -> Result<Vec<Value>> {
        match answers.next().unwrap_or(Ok(Value::Null))? {
            Value::Array(rows) => Ok(rows),
            _ => Ok(Vec::new()),
        }
    };
    let users = rows()?;
    let logins = rows()?;
    Ok(users
        .iter()
        .map(|record| {
            let mut user = user_from(record);
            user.is_frozen = logins
                .iter()
                .find(|l| l.get("UserId").and_then(Value::as_str) == Some(user.id.as_str()))
                .and_then(|l| l.get("IsFrozen").and_then(Value::as_bool));
            user
        })
        .collect())
}

impl UserCache {
    /// Records what a read found for these usernames (a name not found is remembered too).
    pub fn remember(&self, usernames: &[String], found: &[OrgUser]) {
        let mut known = self.known.lock().unwrap();
        for name in usernames {
            let name = name.to_ascii_lowercase();
            if known.iter().any(|(k, _)| *k == name) {
                continue;
            }
            let user = found
                .iter()
                .find(|u| u.username.eq_ignore_ascii_case(&name))
                .cloned();
            known.push((name, user));
        }
    }
}

/// A few active System Administrators, to suggest when a chosen user will not do.
pub async fn active_admins(client: &Client) -> Result<Vec<String>> {
    let rows = client
        .query(&format!(
            "SELECT Username FROM User WHERE IsActive = true AND Profile.Name = {} ORDER BY Username LIMIT 5",
            soql_quote(SYSTEM_ADMINISTRATOR)
        ))
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            r.get("Username")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect())
}
