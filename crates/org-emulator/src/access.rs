//! Objects the running user may not see: a real org answers a query on them as on an object
//! that does not exist (`INVALID_TYPE`, "sObject type 'X' is not supported"), and a path to them
//! with `404 NOT_FOUND`.
//!
//! - `UserLogin`: Object Reference, `UserLogin`
//!   (`https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userlogin.htm`):
//!   "To access this object, you need the UserPermissions.ManageUsers permission."
//! - `PermissionSetAssignment`: Object Reference, `PermissionSetAssignment`
//!   (`https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm`),
//!   Special Access Rules: "As of Summer '20 and later, only users who have one of these
//!   permissions can access this object: View Setup and Configuration, Assign Permission Sets,
//!   Manage User".
//!
//! A user's permissions are those of every permission set assigned to them (their profile's
//! own one included, see `permsets.rs`).

use crate::state::{ObjectStore, OrgState, text};

/// Whether the running user is granted `permission` (`PermissionsManageUsers`, ...) by their
/// profile or a permission set assigned to them.
pub(crate) fn running_user_has(state: &OrgState, permission: &str) -> bool {
    let (Some(sets), Some(assignments)) = (
        state.data.table("PermissionSet"),
        state.data.table("PermissionSetAssignment"),
    ) else {
        return true;
    };
    let user = state.user_id.as_str();
    assignments
        .records
        .iter()
        .filter(|a| text(a, "AssigneeId") == user && crate::permsets::in_force(state, a))
        .filter_map(|a| {
            let set = text(a, "PermissionSetId");
            sets.records.iter().find(|s| text(s, "Id") == set)
        })
        .any(|s| s.get(permission) == Some(&serde_json::Value::Bool(true)))
}

/// The Data API objects the running user may not read.
pub(crate) fn hidden_objects(state: &OrgState) -> Vec<&'static str> {
    let mut hidden = Vec::new();
    if !running_user_has(state, "PermissionsManageUsers") {
        hidden.push("UserLogin");
    }
    let reads_permission_sets = [
        "PermissionsViewSetup",
        "PermissionsAssignPermissionSets",
        "PermissionsManageUsers",
    ]
    .iter()
    .any(|p| running_user_has(state, p));
    if !reads_permission_sets {
        hidden.push("PermissionSetAssignment");
    }
    hidden
}

/// `store` without the objects in `hidden` (borrowed when there are none).
pub(crate) fn visible<'a>(
    store: std::borrow::Cow<'a, ObjectStore>,
    hidden: &[&str],
) -> std::borrow::Cow<'a, ObjectStore> {
    if hidden.is_empty() {
        return store;
    }
    let mut store = store.into_owned();
    for name in hidden {
        store.remove(name);
    }
    std::borrow::Cow::Owned(store)
}

#[cfg(test)]
mod tests {
    use crate::Seed;
    use crate::tests::{Http, start};

    async fn code(http: &Http, soql: &str) -> (u16, String) {
        let (status, body) = http.query(soql).await;
        (status, body[0]["errorCode"].as_str().unwrap_or("").into())
    }

    /// `UserLogin` takes Manage Users; `PermissionSetAssignment` View Setup, Assign Permission
    /// Sets or Manage Users: without them, both are answered as unknown objects, in a
    /// semi-join too. Inactive and expired assignments grant nothing.
    #[tokio::test]
    async fn objects_hidden_without_their_permissions() {
        let emu = start(Seed::RefreshedSandbox);
        let http = Http::new(&emu);
        let logins = "SELECT UserId, IsFrozen FROM UserLogin";
        let semi =
            "SELECT Id FROM User WHERE Id IN (SELECT UserId FROM UserLogin WHERE IsFrozen = true)";
        let assignments = "SELECT Id FROM PermissionSetAssignment";
        for soql in [logins, semi, assignments] {
            assert_eq!(http.query(soql).await.0, 200, "{soql}");
        }
        let revoke = |permissions: &'static [&'static str]| {
            emu.with_state(|s| {
                for profile in &mut s.data.table_mut("Profile").unwrap().records {
                    for p in permissions {
                        profile.insert((*p).into(), false.into());
                    }
                }
            })
        };
        revoke(&["PermissionsManageUsers"]);
        for soql in [logins, semi] {
            assert_eq!(
                code(&http, soql).await,
                (400, "INVALID_TYPE".into()),
                "{soql}"
            );
        }
        assert_eq!(http.query(assignments).await.0, 200, "View Setup is enough");
        revoke(&["PermissionsViewSetup", "PermissionsAssignPermissionSets"]);
        assert_eq!(code(&http, assignments).await, (400, "INVALID_TYPE".into()));
        // A permission set grants them back, only while its assignment is in force.
        let grant = |active: bool, expires: Option<&'static str>| {
            emu.with_state(|s| {
                let me = s.user_id.clone();
                s.grant_permission_set_as(
                    &me,
                    "Users",
                    &["PermissionsManageUsers"],
                    active,
                    expires,
                )
            })
        };
        grant(false, None);
        grant(true, Some("2020-01-01T00:00:00.000+0000"));
        assert_eq!(code(&http, logins).await.1, "INVALID_TYPE");
        grant(true, Some("2099-01-01T00:00:00.000+0000"));
        assert_eq!(http.query(logins).await.0, 200);
        assert_eq!(http.query(assignments).await.0, 200);
    }
}
