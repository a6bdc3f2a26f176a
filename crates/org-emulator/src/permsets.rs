//! The Data API's `PermissionSet` and `PermissionSetAssignment`, with the permission set every
//! profile owns. Salesforce documents:
//!
//! - Object Reference, `PermissionSet`
//!   (`https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionset.htm`):
//!   `IsOwnedByProfile` "If true, the permission set is owned by a profile" (boolean, "Defaulted
//!   on create, Filter, Group, Sort", API 25.0); `ProfileId` the owning profile's ID, null
//!   otherwise ("Filter, Group, Nillable, Sort"); `Name`, `Label` "Create, Filter, Group, Sort,
//!   Update"; the `PermissionsPermissionName` booleans "Create, Filter, Update" (no Sort, as
//!   on `Profile`). "PermissionSet has a read-only child relationship with PermissionSetGroup.
//!   PermissionSet contains the aggregated permissions for the group."
//! - Object Reference, `PermissionSetAssignment`
//!   (`https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm`):
//!   "a user's assignment to a permission set or permission set group"; `AssigneeId`
//!   (relationship `Assignee`, User) and `PermissionSetId` "Create, Filter, Group, Sort".
//! - Knowledge articles 000230980 and 000387815 (Salesforce Help): "every profile is
//!   associated with a permission set that stores the profile's user, object, and field
//!   permissions"; "by default, all users have at least one permission set assignment to
//!   their profile", whose permission set is named `X` and the profile's ID.
//!
//! So here: one owned permission set per profile (`Name` `X<profile ID>`, its permissions the
//! profile's, kept in step whenever the profile changes), and one assignment of it per user
//! (it follows the user's `ProfileId`). Other permission sets and their assignments are added
//! by the tests (`OrgState::grant_permission_set`). Both objects are read-only through the
//! API here (the tool never writes them; a real org lets an admin create assignments).
//! Permission set groups are not modelled.

use serde_json::{Value, json};

use super::state::{FieldSchema as F, FieldType as T, ObjectSchema, OrgState, Record, text};
use super::util::make_id;

/// The permission fields `Profile` and `PermissionSet` share here: (API name, label).
pub const PERMISSIONS: [(&str, &str); 6] = [
    ("PermissionsApiEnabled", "API Enabled"),
    ("PermissionsModifyAllData", "Modify All Data"),
    ("PermissionsViewSetup", "View Setup and Configuration"),
    ("PermissionsCustomizeApplication", "Customize Application"),
    ("PermissionsManageUsers", "Manage Users"),
    ("PermissionsAssignPermissionSets", "Assign Permission Sets"),
];

const SET: &str = "PermissionSet";
const ASSIGNMENT: &str = "PermissionSetAssignment";

/// The Data API objects `PermissionSet` (`0PS`) and `PermissionSetAssignment` (`0Pa`).
pub fn schemas() -> Vec<ObjectSchema> {
    let mut set_fields = vec![
        F::new("Name", "Name", T::String).len(80).read_only(),
        F::new("Label", "Label", T::String).len(80).read_only(),
        F::new("IsOwnedByProfile", "Is Owned By Profile", T::Boolean).read_only(),
        F::new("ProfileId", "Profile ID", T::Reference)
            .read_only()
            .refs(&["Profile"]),
    ];
    for (name, label) in PERMISSIONS {
        set_fields.push(F::new(name, label, T::Boolean).read_only().unsortable());
    }
    vec![
        ObjectSchema::new(SET, "Permission Set", "Permission Sets", "0PS", set_fields).read_only(),
        ObjectSchema::new(
            ASSIGNMENT,
            "Permission Set Assignment",
            "Permission Set Assignments",
            "0Pa",
            vec![
                F::new("AssigneeId", "Assignee ID", T::Reference)
                    .read_only()
                    .refs(&["User"]),
                F::new("PermissionSetId", "Permission Set ID", T::Reference)
                    .read_only()
                    .refs(&[SET]),
                F::new("IsActive", "Is Active", T::Boolean)
                    .read_only()
                    .since(52),
                F::new("ExpirationDate", "Expires On", T::DateTime)
                    .read_only()
                    .since(52),
            ],
        )
        .read_only(),
    ]
}

/// A new ID for `table`: numbered apart from `OrgState::new_id`, so that adding these rows
/// leaves every other record's ID as it was.
fn fresh_id(state: &OrgState, object: &str, prefix: &str) -> String {
    let taken: Vec<String> = state
        .data
        .table(object)
        .map(|t| t.records.iter().map(|r| text(r, "Id")).collect())
        .unwrap_or_default();
    (1u64..)
        .map(|n| make_id(prefix, &state.id_pod, n))
        .find(|id| !taken.contains(id))
        .unwrap_or_default()
}

impl OrgState {
    /// Gives `user_id` a permission set (not a profile's) named `name` that grants each of
    /// `permissions` (API names such as `PermissionsCustomizeApplication`); returns its ID.
    pub fn grant_permission_set(
        &mut self,
        user_id: &str,
        name: &str,
        permissions: &[&str],
    ) -> String {
        self.grant_permission_set_as(user_id, name, permissions, true, None)
    }

    /// [`OrgState::grant_permission_set`] with the assignment's `IsActive` and
    /// `ExpirationDate` (Salesforce's `YYYY-MM-DDThh:mm:ss.000+0000`): an inactive or expired
    /// assignment grants nothing.
    pub fn grant_permission_set_as(
        &mut self,
        user_id: &str,
        name: &str,
        permissions: &[&str],
        active: bool,
        expires: Option<&str>,
    ) -> String {
        let id = fresh_id(self, SET, "0PS");
        let mut set = json!({"Id": id, "Name": name, "Label": name, "IsOwnedByProfile": false});
        for permission in permissions {
            set[*permission] = true.into();
        }
        if let Err(e) = self.insert_raw(false, SET, set) {
            panic!("bad permission set: {e}");
        }
        let assignment = fresh_id(self, ASSIGNMENT, "0Pa");
        if let Err(e) = self.insert_raw(
            false,
            ASSIGNMENT,
            json!({"Id": assignment, "AssigneeId": user_id, "PermissionSetId": id,
                   "IsActive": active, "ExpirationDate": expires}),
        ) {
            panic!("bad permission set assignment: {e}");
        }
        id
    }
}

/// Whether an assignment grants its permissions now: active (`IsActive`, "Indicates whether
/// the assignment is active") and not past its `ExpirationDate` ("The date that the assignment
/// ... expires for the specified user").
pub(crate) fn in_force(state: &OrgState, assignment: &Record) -> bool {
    let expires = text(assignment, "ExpirationDate");
    assignment.get("IsActive") == Some(&Value::Bool(true))
        && (expires.is_empty() || expires > state.now())
}

/// Keeps the profiles' permission sets in step with the profiles (one each, the same
/// permissions, named `X<profile ID>`) and each user's assignment with the user's profile;
/// rows that point at a profile, user or permission set that is gone go too.
pub fn sync(state: &mut OrgState) {
    if state.data.table(SET).is_none() || state.data.table(ASSIGNMENT).is_none() {
        return;
    }
    let profiles: Vec<Record> = state
        .data
        .table("Profile")
        .map(|t| t.records.clone())
        .unwrap_or_default();
    let users: Vec<(String, String)> = state
        .data
        .table("User")
        .map(|t| {
            t.records
                .iter()
                .map(|u| (text(u, "Id"), text(u, "ProfileId")))
                .collect()
        })
        .unwrap_or_default();
    // A profile's own permission set.
    for profile in &profiles {
        let profile_id = text(profile, "Id");
        let owned = state.data.table(SET).is_some_and(|t| {
            t.records
                .iter()
                .any(|s| s["IsOwnedByProfile"] == true && text(s, "ProfileId") == profile_id)
        });
        if !owned {
            let id = fresh_id(state, SET, "0PS");
            let row = json!({"Id": id, "IsOwnedByProfile": true, "ProfileId": profile_id});
            if let Err(e) = state.insert_raw(false, SET, row) {
                panic!("bad permission set: {e}");
            }
        }
    }
    let Some(sets) = state.data.table_mut(SET) else {
        return;
    };
    sets.records.retain(|s| {
        s["IsOwnedByProfile"] != true
            || profiles
                .iter()
                .any(|p| text(p, "Id") == text(s, "ProfileId"))
    });
    for set in sets
        .records
        .iter_mut()
        .filter(|s| s["IsOwnedByProfile"] == true)
    {
        let profile_id = text(set, "ProfileId");
        let Some(profile) = profiles.iter().find(|p| text(p, "Id") == profile_id) else {
            continue;
        };
        let name = format!("X{profile_id}");
        set.insert("Name".into(), name.clone().into());
        set.insert("Label".into(), name.into());
        for (permission, _) in PERMISSIONS {
            let granted = profile.get(permission) == Some(&Value::Bool(true));
            set.insert(permission.into(), granted.into());
        }
    }
    let sets: Vec<(String, Option<String>)> = sets
        .records
        .iter()
        .map(|s| {
            let owner = (s["IsOwnedByProfile"] == true).then(|| text(s, "ProfileId"));
            (text(s, "Id"), owner)
        })
        .collect();
    // Each user's assignment of their profile's permission set.
    let Some(assignments) = state.data.table_mut(ASSIGNMENT) else {
        return;
    };
    assignments.records.retain(|a| {
        let assignee = text(a, "AssigneeId");
        let set = text(a, "PermissionSetId");
        let Some(user) = users.iter().find(|(id, _)| *id == assignee) else {
            return false;
        };
        match sets.iter().find(|(id, _)| *id == set) {
            None => false,
            // A profile's permission set is assigned to that profile's users only.
            Some((_, Some(profile))) => *profile == user.1,
            Some((_, None)) => true,
        }
    });
    for (user, profile) in &users {
        let Some((set, _)) = sets.iter().find(|(_, p)| p.as_ref() == Some(profile)) else {
            continue;
        };
        let assigned = state.data.table(ASSIGNMENT).is_some_and(|t| {
            t.records
                .iter()
                .any(|a| text(a, "AssigneeId") == *user && text(a, "PermissionSetId") == *set)
        });
        if !assigned {
            let id = fresh_id(state, ASSIGNMENT, "0Pa");
            let row =
                json!({"Id": id, "AssigneeId": user, "PermissionSetId": set, "IsActive": true});
            if let Err(e) = state.insert_raw(false, ASSIGNMENT, row) {
                panic!("bad permission set assignment: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::soql::{Env, query};
    use crate::tests::{Http, start};
    use crate::{OrgState, Seed, language::Language};

    fn run(state: &OrgState, src: &str) -> Result<Vec<Value>, String> {
        let env = Env {
            store: &state.data,
            sobjects_url: "/services/data/v62.0/sobjects".into(),
            fallback: None,
        };
        query(&env, src)
            .map(|out| out.records)
            .map_err(|e| format!("{e:?}"))
    }

    /// The permissions the user's assignments grant, as the tool reads them: one query.
    fn granted(state: &OrgState, username: &str) -> Vec<(bool, bool)> {
        let rows = run(
            state,
            &format!(
                "SELECT PermissionSet.PermissionsCustomizeApplication, PermissionSet.IsOwnedByProfile FROM PermissionSetAssignment WHERE Assignee.Username = '{username}'"
            ),
        )
        .unwrap();
        rows.iter()
            .map(|r| {
                let set = &r["PermissionSet"];
                assert_eq!(set["attributes"]["type"], "PermissionSet");
                (
                    set["PermissionsCustomizeApplication"] == true,
                    set["IsOwnedByProfile"] == true,
                )
            })
            .collect()
    }

    #[test]
    fn every_profile_owns_a_permission_set_every_user_is_assigned_their_profiles() {
        let state = OrgState::new(Seed::RefreshedSandbox);
        let profiles = state.records("Profile");
        let sets = state.records("PermissionSet");
        assert_eq!(sets.len(), profiles.len());
        for profile in &profiles {
            let id = profile["Id"].as_str().unwrap();
            let set = sets.iter().find(|s| s["ProfileId"] == id).unwrap();
            assert_eq!(set["IsOwnedByProfile"], true);
            assert_eq!(set["Name"], format!("X{id}"));
            assert_eq!(&set["Id"].as_str().unwrap()[..3], "0PS");
            for (permission, _) in super::PERMISSIONS {
                assert_eq!(set[permission], profile[permission], "{permission}");
            }
        }
        let users = state.records("User");
        let assignments = state.records("PermissionSetAssignment");
        assert_eq!(assignments.len(), users.len());
        for user in &users {
            let mine: Vec<&Value> = assignments
                .iter()
                .filter(|a| a["AssigneeId"] == user["Id"])
                .collect();
            assert_eq!(mine.len(), 1);
            assert_eq!(&mine[0]["Id"].as_str().unwrap()[..3], "0Pa");
            let set = sets
                .iter()
                .find(|s| s["Id"] == mine[0]["PermissionSetId"])
                .unwrap();
            assert_eq!(set["ProfileId"], user["ProfileId"]);
        }
        // The admin's profile grants Customize Application, Bob's does not.
        assert_eq!(granted(&state, "admin@acme.com.uat"), [(true, true)]);
        assert_eq!(granted(&state, "bob@acme.com.uat"), [(false, true)]);
    }

    /// A permission set's permission filters (`PermissionSet.PermissionsX = true` through the
    /// assignment), but does not sort ("Create, Filter, Update").
    #[test]
    fn a_granted_permission_set_is_in_the_users_assignments() {
        let mut state = OrgState::new(Seed::RefreshedSandbox);
        let bob = state
            .find_id("User", "Username", "bob@acme.com.uat")
            .unwrap();
        state.grant_permission_set(&bob, "Logik_Admin", &["PermissionsCustomizeApplication"]);
        let mut rows = granted(&state, "bob@acme.com.uat");
        rows.sort();
        assert_eq!(rows, [(false, true), (true, false)]);
        let through = run(&state, "SELECT Assignee.Username FROM PermissionSetAssignment WHERE PermissionSet.PermissionsCustomizeApplication = true AND PermissionSet.IsOwnedByProfile = false").unwrap();
        assert_eq!(through.len(), 1);
        assert_eq!(through[0]["Assignee"]["Username"], "bob@acme.com.uat");
        let err = run(
            &state,
            "SELECT Id FROM PermissionSet ORDER BY PermissionsApiEnabled",
        )
        .unwrap_err();
        assert!(err.contains("INVALID_FIELD"), "{err}");
        // A change to the profile is one to its permission set.
        let standard = state.find_id("Profile", "Name", "Standard User").unwrap();
        let profiles = state.data.table_mut("Profile").unwrap();
        let i = profiles.position(&standard).unwrap();
        profiles.records[i].insert("PermissionsCustomizeApplication".into(), true.into());
        crate::permsets::sync(&mut state);
        let mut rows = granted(&state, "bob@acme.com.uat");
        rows.sort();
        assert_eq!(rows, [(true, false), (true, true)]);
    }

    #[test]
    fn a_refresh_and_a_language_keep_them_in_step_with_new_ids() {
        let mut state = OrgState::new(Seed::RefreshedSandbox);
        let old: Vec<Value> = state.records("PermissionSetAssignment");
        state.refresh_from_production("uat");
        crate::seed::localize(&mut state, Language::German);
        let sets = state.records("PermissionSet");
        for profile in state.records("Profile") {
            let id = profile["Id"].as_str().unwrap();
            let set = sets.iter().find(|s| s["ProfileId"] == id).unwrap();
            assert_eq!(set["Name"], format!("X{id}"), "named by the new profile ID");
        }
        let assignments = state.records("PermissionSetAssignment");
        assert_eq!(assignments.len(), state.records("User").len());
        for a in &assignments {
            assert!(old.iter().all(|o| o["Id"] != a["Id"]), "a new ID: {a}");
            assert!(old.iter().all(|o| o["AssigneeId"] != a["AssigneeId"]));
        }
        assert_eq!(granted(&state, "admin@acme.com.uat"), [(true, true)]);
    }

    /// A user whose `ProfileId` the API changes is assigned the new profile's permission set,
    /// no longer the old one's.
    #[tokio::test]
    async fn the_assignment_follows_a_new_profile_id() {
        let emu = start(Seed::RefreshedSandbox);
        let http = Http::new(&emu);
        let (bob, standard, admin) = emu.with_state(|s| {
            let bob = s.find_id("User", "Username", "bob@acme.com.uat").unwrap();
            let user = s
                .records("User")
                .into_iter()
                .find(|u| u["Id"] == bob)
                .unwrap();
            let standard = user["ProfileId"].as_str().unwrap().to_string();
            let admin = s
                .find_id("Profile", "Name", "System Administrator")
                .unwrap();
            (bob, standard, admin)
        });
        let soql = "SELECT PermissionSet.ProfileId FROM PermissionSetAssignment WHERE Assignee.Username = 'bob@acme.com.uat'";
        let (status, body) = http.query(soql).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["records"][0]["PermissionSet"]["ProfileId"],
            standard.as_str()
        );
        let (status, _, body) = http
            .send(
                "PATCH",
                &format!("/services/data/v62.0/sobjects/User/{bob}"),
                Some(json!({"ProfileId": admin})),
            )
            .await;
        assert_eq!(status, 204, "{body}");
        let (_, body) = http.query(soql).await;
        assert_eq!(body["totalSize"], 1, "{body}");
        assert_eq!(
            body["records"][0]["PermissionSet"]["ProfileId"],
            admin.as_str()
        );
        // Read-only here: the tool never writes them.
        let (status, _, _) = http
            .send(
                "POST",
                "/services/data/v62.0/sobjects/PermissionSetAssignment",
                Some(json!({"AssigneeId": bob, "PermissionSetId": "0PS000000000001AAA"})),
            )
            .await;
        assert_eq!(status, 400);
    }
}
