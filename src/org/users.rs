//! The one user model: users of the org, their profiles, and the queries that read them, for
//! the steps and the support case alike.
//!
//! Standard profile names come translated for the running user (`Systemadministrator`,
//! `システム管理者`), so an administrator is told by what the profile lets it do
//! ([`ADMIN_PERMISSIONS`]), profiles are compared by ID, and the name is only shown.

use crate::protocol::Result;
use crate::salesforce::client::BatchRead;
use crate::salesforce::{Client, soql_quote};
use serde_json::Value;

/// The email the provisioning user must have (the vendor procedure's words), for the step and
/// the support case alike.
pub const PROVISIONING_EMAIL: &str = "provisioning@logik.io";

/// The profile permissions (all filterable, Object Reference "Profile") that make an
/// administrator: what the System Administrator profile has, whatever the org calls it.
pub const ADMIN_PERMISSIONS: [&str; 3] = [
    "PermissionsModifyAllData",
    "PermissionsCustomizeApplication",
    "PermissionsApiEnabled",
];

/// How the permissions read in text: "Modify All Data, Customize Application and API Enabled".
pub const ADMIN_PERMISSIONS_TEXT: &str = "Modify All Data, Customize Application and API Enabled";

/// A SOQL condition that holds for administrators' profiles. `path` is `""` on Profile and
/// `"Profile."` on User.
pub fn admin_filter(path: &str) -> String {
    let mut parts: Vec<String> = ADMIN_PERMISSIONS
        .iter()
        .map(|p| format!("{path}{p} = true"))
        .collect();
    parts.push(format!("{path}UserType = 'Standard'"));
    parts.join(" AND ")
}

/// A profile as the checks need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// 18 characters.
    pub id: String,
    /// As the org shows it to the running user (translated for standard profiles).
    pub name: String,
    pub api_enabled: bool,
    /// Every one of [`ADMIN_PERMISSIONS`], for standard (not portal) users.
    pub is_admin: bool,
}

const PROFILE_FIELDS: [&str; 5] = [
    "Name",
    "UserType",
    "PermissionsModifyAllData",
    "PermissionsCustomizeApplication",
    "PermissionsApiEnabled",
];

impl Profile {
    /// From a Profile row (or a User row's `Profile`), with its ID.
    fn from_record(id: String, record: &Value) -> Profile {
        let flag = |field: &str| record.get(field).and_then(Value::as_bool) == Some(true);
        Profile {
            id,
            name: record
                .get("Name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            api_enabled: flag("PermissionsApiEnabled"),
            is_admin: ADMIN_PERMISSIONS.iter().all(|p| flag(p))
                && record.get("UserType").and_then(Value::as_str) == Some("Standard"),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgUser {
    /// 18 characters.
    pub id: String,
    pub username: String,
    pub email: Option<String>,
    pub is_active: bool,
    /// `None` when the running user may not read the user's profile.
    pub profile: Option<Profile>,
    /// `UserLogin.IsFrozen`; `None` when the org has no login record for the user (or it was
    /// not read).
    pub is_frozen: Option<bool>,
    /// Why `is_frozen` is not known, when the org refused the `UserLogin` read (it takes
    /// Manage Users).
    pub frozen_unknown: Option<String>,
}

impl OrgUser {
    /// An administrator, by what the profile lets the user do (never by its name).
    pub fn is_admin(&self) -> bool {
        self.profile.as_ref().is_some_and(|p| p.is_admin)
    }

    pub fn api_enabled(&self) -> bool {
        self.profile.as_ref().is_some_and(|p| p.api_enabled)
    }

    /// The profile's name as the org shows it.
    pub fn profile_name(&self) -> Option<&str> {
        self.profile.as_ref().map(|p| p.name.as_str())
    }

    pub fn profile_id(&self) -> Option<&str> {
        self.profile.as_ref().map(|p| p.id.as_str())
    }

    fn from_record(record: &Value) -> OrgUser {
        let text = |field: &str| {
            record
                .get(field)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let profile = match (text("ProfileId"), record.get("Profile")) {
            (Some(id), Some(profile)) if profile.is_object() => {
                Some(Profile::from_record(id, profile))
            }
            (Some(id), _) => Some(Profile {
                id,
                ..Profile::default()
            }),
            _ => None,
        };
        OrgUser {
            id: text("Id").unwrap_or_default(),
            username: text("Username").unwrap_or_default(),
            email: text("Email"),
            is_active: record
                .get("IsActive")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            profile,
            is_frozen: None,
            frozen_unknown: None,
        }
    }
}

/// The User fields every read of users selects.
fn user_fields() -> String {
    let mut fields = vec![
        "Id".to_string(),
        "Username".into(),
        "Email".into(),
        "IsActive".into(),
        "ProfileId".into(),
    ];
    fields.extend(PROFILE_FIELDS.iter().map(|f| format!("Profile.{f}")));
    fields.join(", ")
}

/// The users a SOQL tail selects (`WHERE ... ORDER BY ... LIMIT ...`), as [`OrgUser`]s.
pub async fn users_where(client: &Client, tail: &str) -> Result<Vec<OrgUser>> {
    Ok(users_from(&client.query(&users_where_query(tail)).await?))
}

/// The query [`users_where`] sends (to send it ahead, see `OpenOrg::query`).
pub fn users_where_query(tail: &str) -> String {
    format!("SELECT {} FROM User {tail}", user_fields())
}

/// The users of an answer to [`users_where_query`].
pub fn users_from(records: &[Value]) -> Vec<OrgUser> {
    records.iter().map(OrgUser::from_record).collect()
}

/// The users with these usernames (any case), in one query.
pub async fn users_named(client: &Client, usernames: &[String]) -> Result<Vec<OrgUser>> {
    if usernames.is_empty() {
        return Ok(Vec::new());
    }
    users_where(
        client,
        &format!("WHERE Username IN ({})", quoted_list(usernames)),
    )
    .await
}

fn quoted_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| soql_quote(v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The usernames and activity of the org's standard users (no profile), ordered by username:
/// what a closest-username search compares against.
pub async fn standard_usernames(client: &Client, limit: usize) -> Result<Vec<OrgUser>> {
    let rows = client
        .query(&format!(
            "SELECT Username, IsActive FROM User WHERE UserType = 'Standard' ORDER BY Username LIMIT {limit}"
        ))
        .await?;
    Ok(rows.iter().map(OrgUser::from_record).collect())
}

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
/// not) through a semi-join. Other batches may carry them (see `org::session`).
pub fn user_reads(usernames: &[String]) -> [BatchRead; 2] {
    let list = quoted_list(usernames);
    [
        BatchRead::Query(format!(
            "SELECT {} FROM User WHERE Username IN ({list})",
            user_fields()
        )),
        BatchRead::Query(format!(
            "SELECT UserId, IsFrozen FROM UserLogin WHERE UserId IN (SELECT Id FROM User WHERE Username IN ({list}))"
        )),
    ]
}

/// The users from the answers to [`user_reads`], in that order. A `UserLogin` read the org
/// refuses leaves the frozen state not known, and says why: "To access this object, you need
/// the UserPermissions.ManageUsers permission" (Object Reference, `UserLogin`), and an object
/// the user may not see is answered as one that does not exist.
pub fn users_from_answers(answers: Vec<Result<Value>>) -> Result<Vec<OrgUser>> {
    let mut answers = answers.into_iter();
    let mut rows = || -> Result<Vec<Value>> {
        match answers.next().unwrap_or(Ok(Value::Null))? {
            Value::Array(rows) => Ok(rows),
            _ => Ok(Vec::new()),
        }
    };
    let users = rows()?;
    let (logins, unknown) = match rows() {
        Ok(logins) => (logins, None),
        Err(err) if is_no_access(&err) => (
            Vec::new(),
            Some(format!(
                "reading UserLogin takes the Manage Users permission, which the running user lacks (the org answered {})",
                err.code()
            )),
        ),
        Err(err) => return Err(err),
    };
    Ok(users
        .iter()
        .map(|record| {
            let mut user = OrgUser::from_record(record);
            user.is_frozen = logins
                .iter()
                .find(|l| l.get("UserId").and_then(Value::as_str) == Some(user.id.as_str()))
                .and_then(|l| l.get("IsFrozen").and_then(Value::as_bool));
            user.frozen_unknown = unknown.clone();
            user
        })
        .collect())
}

/// The org's answers to a read of an object the running user may not see.
pub fn is_no_access(err: &crate::protocol::Error) -> bool {
    matches!(
        err.code(),
        "INVALID_TYPE" | "NOT_FOUND" | "INSUFFICIENT_ACCESS" | "INSUFFICIENT_ACCESS_OR_READONLY"
    )
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

/// A few active administrators (by their profile's permissions), to suggest when a chosen user
/// will not do.
pub async fn active_admins(client: &Client) -> Result<Vec<String>> {
    let rows = client
        .query(&format!(
            "SELECT Username FROM User WHERE IsActive = true AND {} ORDER BY Username LIMIT 5",
            admin_filter("Profile.")
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

/// The administrators' profile to give a user: of the profiles with [`ADMIN_PERMISSIONS`], the
/// oldest (the standard System Administrator profile comes with the org; copies made from it
/// come later). `None` when the org has none the running user can read.
pub async fn admin_profile(client: &Client) -> Result<Option<Profile>> {
    let mut fields = vec!["Id"];
    fields.extend(PROFILE_FIELDS);
    let rows = client
        .query(&format!(
            "SELECT {} FROM Profile WHERE {} ORDER BY CreatedDate, Id LIMIT 1",
            fields.join(", "),
            admin_filter("")
        ))
        .await?;
    Ok(rows.first().map(|row| {
        let id = row
            .get("Id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Profile::from_record(id, row)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn administrators_are_told_by_permissions_not_by_name() {
        let row = |name: &str, modify_all: bool, user_type: &str| {
            json!({"Id": "005A", "Username": "a@x.io", "IsActive": true, "ProfileId": "00eA",
                   "Profile": {"Name": name, "UserType": user_type,
                               "PermissionsModifyAllData": modify_all,
                               "PermissionsCustomizeApplication": true,
                               "PermissionsApiEnabled": true}})
        };
        let admin = OrgUser::from_record(&row("システム管理者", true, "Standard"));
        assert!(admin.is_admin());
        assert_eq!(admin.profile_name(), Some("システム管理者"));
        assert_eq!(admin.profile_id(), Some("00eA"));
        let named_so = OrgUser::from_record(&row("System Administrator", false, "Standard"));
        assert!(
            !named_so.is_admin(),
            "the name alone makes no administrator"
        );
        assert!(named_so.api_enabled());
        let portal = OrgUser::from_record(&row("Admin", true, "PowerPartner"));
        assert!(!portal.is_admin());
        let unread = OrgUser::from_record(&json!({"Id": "005B", "ProfileId": "00eB"}));
        assert!(!unread.is_admin());
        assert_eq!(unread.profile_id(), Some("00eB"));
    }

    #[test]
    fn the_admin_filter_names_every_permission() {
        assert_eq!(
            admin_filter("Profile."),
            "Profile.PermissionsModifyAllData = true AND Profile.PermissionsCustomizeApplication = true AND Profile.PermissionsApiEnabled = true AND Profile.UserType = 'Standard'"
        );
    }
}
