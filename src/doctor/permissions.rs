//! The running user's permissions, for doctor's step readiness: the union of the profile and
//! the permission sets, read language-free.
//!
//! `SELECT PermissionSet.Permissions* FROM PermissionSetAssignment WHERE Assignee.Username = ...`
//! gives profile and permission sets together: every profile owns a permission set holding its
//! permissions and every user is assigned their profile's one (Object Reference,
//! `PermissionSet`; Knowledge articles 000230980 and 000387815); a permission set group's
//! assignment points at the group's aggregate permission set. Only assignments in force count:
//! `IsActive` ("Indicates whether the assignment is active") and not past `ExpirationDate`
//! ("The date that the assignment ... expires"), both from API 52.0 (Object Reference,
//! `PermissionSetAssignment`).
//!
//! Reading `PermissionSetAssignment` takes View Setup and Configuration, Assign Permission Sets
//! or Manage Users (its Special Access Rules); a user without them gets the object refused as
//! unknown. The profile's permissions, read through `User` in the same round trip, stand in
//! then: what permission sets add is not known, and the answer says so.

use crate::org::users::is_no_access;
use crate::protocol::Error;
use crate::salesforce::client::BatchRead;
use crate::salesforce::soql_quote;
use serde_json::Value;

/// A user permission a step needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Permission {
    ApiEnabled,
    ModifyAllData,
    CustomizeApplication,
    ManageUsers,
}

const PERMISSIONS: [Permission; 4] = [
    Permission::ApiEnabled,
    Permission::ModifyAllData,
    Permission::CustomizeApplication,
    Permission::ManageUsers,
];

impl Permission {
    fn field(self) -> &'static str {
        match self {
            Permission::ApiEnabled => "PermissionsApiEnabled",
            Permission::ModifyAllData => "PermissionsModifyAllData",
            Permission::CustomizeApplication => "PermissionsCustomizeApplication",
            Permission::ManageUsers => "PermissionsManageUsers",
        }
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            Permission::ApiEnabled => "API Enabled",
            Permission::ModifyAllData => "Modify All Data",
            Permission::CustomizeApplication => "Customize Application",
            Permission::ManageUsers => "Manage Users",
        }
    }
}

/// The running user's permissions, or why they are not known.
pub(super) type Permissions = Result<Vec<(Permission, bool)>, String>;

/// The two reads, in this order: the user's permission set assignments (one row each, with
/// the set's permissions and, from API 52.0, whether it is in force), and the user's profile.
pub(super) fn permission_reads(username: &str, api_version: &str) -> [BatchRead; 2] {
    let mut fields: Vec<String> = PERMISSIONS
        .iter()
        .map(|p| format!("PermissionSet.{}", p.field()))
        .collect();
    if has_assignment_state(api_version) {
        fields.extend(["IsActive".into(), "ExpirationDate".into()]);
    }
    let profile: Vec<String> = PERMISSIONS
        .iter()
        .map(|p| format!("Profile.{}", p.field()))
        .collect();
    [
        BatchRead::Query(format!(
            "SELECT {} FROM PermissionSetAssignment WHERE Assignee.Username = {}",
            fields.join(", "),
            soql_quote(username)
        )),
        BatchRead::Query(format!(
            "SELECT {} FROM User WHERE Username = {}",
            profile.join(", "),
            soql_quote(username)
        )),
    ]
}

/// `IsActive` and `ExpirationDate` exist from API 52.0.
fn has_assignment_state(api_version: &str) -> bool {
    api_version.parse::<f64>().is_ok_and(|v| v >= 52.0)
}

/// The permissions from the answers to [`permission_reads`]: the assignments in force when the
/// org lets the user read them, else the profile's.
pub(super) fn read_permissions(
    assignments: Option<Result<Value, Error>>,
    profile: Option<Result<Value, Error>>,
) -> Permissions {
    match assignments {
        Some(Err(err)) if is_no_access(&err) => read_profile(profile).map_err(|why| {
            format!("reading PermissionSetAssignment takes View Setup and Configuration, Assign Permission Sets or Manage Users, and the profile could not be read either: {why}")
        }),
        answer => read_assignments(answer),
    }
}

/// A permission is granted when any of the user's assignments in force grants it.
fn read_assignments(answer: Option<Result<Value, Error>>) -> Permissions {
    let rows = rows_of(answer, "PermissionSetAssignment")?;
    // Every user has their profile's assignment: none means no such user.
    if rows.is_empty() {
        return Err("the running user was not found".into());
    }
    let now = jiff::Timestamp::now();
    let in_force: Vec<&Value> = rows.iter().filter(|row| in_force(row, now)).collect();
    granted(&in_force, "PermissionSet", "PermissionSetAssignment")
}

/// Active (or from before API 52.0, which has no such field) and not expired.
fn in_force(row: &Value, now: jiff::Timestamp) -> bool {
    let active = row.get("IsActive").and_then(Value::as_bool).unwrap_or(true);
    let expired = row
        .get("ExpirationDate")
        .and_then(Value::as_str)
        .and_then(|text| {
            jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", text)
                .and_then(|t| t.to_timestamp())
                .ok()
        })
        .is_some_and(|expires| expires <= now);
    active && !expired
}

fn read_profile(answer: Option<Result<Value, Error>>) -> Permissions {
    let rows = rows_of(answer, "User")?;
    if rows.is_empty() {
        return Err("the running user was not found".into());
    }
    granted(&rows.iter().collect::<Vec<_>>(), "Profile", "User")
}

fn rows_of(answer: Option<Result<Value, Error>>, object: &str) -> Result<Vec<Value>, String> {
    match answer {
        Some(Ok(Value::Array(rows))) => Ok(rows),
        Some(Err(err)) => Err(err.message),
        Some(Ok(_)) => Err(format!("the org's {object} answer is not a list of rows")),
        None => Err("the org gave no answer".into()),
    }
}

/// Each permission, granted when any row's `parent` has it. Salesforce answers every asked
/// permission as true or false: anything else is a damaged answer, said as such (not read as
/// "not granted").
fn granted(rows: &[&Value], parent: &str, object: &str) -> Permissions {
    let mut granted = Vec::new();
    for p in PERMISSIONS {
        let mut any = false;
        for (i, row) in rows.iter().enumerate() {
            match row.pointer(&format!("/{parent}/{}", p.field())) {
                Some(Value::Bool(yes)) => any |= yes,
                _ => {
                    return Err(format!(
                        "the org's {object} answer is malformed: row {} has no true or false {parent}.{}",
                        i + 1,
                        p.field()
                    ));
                }
            }
        }
        granted.push((p, any));
    }
    Ok(granted)
}
