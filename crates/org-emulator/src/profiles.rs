//! The Tooling API's `Profile`: the same profiles as the Data API's `Profile` (same IDs, the
//! same `Name` in the running user's language), with the language-free `FullName` of the
//! Metadata API (`Admin` for System Administrator, `Standard` for Standard User; a custom
//! profile's is its name). Tooling API object reference, `Profile`
//! (`tooling_api_objects_profile.htm`): `FullName` "The unique profile name", properties
//! "Create, Group, Nillable" (no Filter, no Sort), and "Query this field only if the query
//! result contains no more than one record" (as `Metadata`); `Name` "Filter, Group, idLookup,
//! Sort"; REST methods GET and HEAD only.

use serde_json::{Value, json};

use super::state::{FieldSchema as F, FieldType as T, ObjectSchema, OrgState, Record, text};

/// The Tooling API `Profile` object.
pub fn tooling_schema() -> ObjectSchema {
    ObjectSchema::new(
        "Profile",
        "Profile",
        "Profiles",
        "00e",
        vec![
            F::new("Name", "Name", T::String).read_only(),
            F::new("Description", "Description", T::String).read_only(),
            F::new("FullName", "Full Name", T::String)
                .read_only()
                .unfilterable(),
            F::new("Metadata", "Metadata", T::ComplexValue)
                .read_only()
                .unfilterable(),
        ],
    )
    .since(32)
    .read_only()
}

/// Gives the Data profile `id` its `FullName` in the Tooling API (a standard profile's).
pub fn seed_full_name(state: &mut OrgState, id: &str, full_name: &str) {
    sync_tooling_profiles(state);
    let row = state
        .tooling
        .table_mut("Profile")
        .and_then(|t| t.records.iter_mut().find(|r| r["Id"] == id));
    match row {
        Some(row) => {
            row.insert("FullName".into(), full_name.into());
        }
        None => panic!("no seeded profile {id}"),
    }
    sync_tooling_profiles(state);
}

/// Keeps the Tooling `Profile` rows in step with the Data ones: one per Data profile, same ID,
/// the same `Name` and `Description`; a profile new to the Data API gets its name as its
/// `FullName` (a custom profile's), a Tooling row whose Data profile is gone goes too.
pub fn sync_tooling_profiles(state: &mut OrgState) {
    let Some(data) = state.data.table("Profile") else {
        return;
    };
    let profiles: Vec<Record> = data.records.clone();
    let Some(tooling) = state.tooling.table("Profile") else {
        return;
    };
    let known: Vec<String> = tooling
        .records
        .iter()
        .filter_map(|r| r.get("Id").and_then(Value::as_str).map(str::to_string))
        .collect();
    for profile in &profiles {
        let id = text(profile, "Id");
        if !known.contains(&id) {
            let name = text(profile, "Name");
            let _ = state.insert_raw(true, "Profile", json!({"Id": id, "FullName": name}));
        }
    }
    let Some(tooling) = state.tooling.table_mut("Profile") else {
        return;
    };
    tooling
        .records
        .retain(|r| profiles.iter().any(|p| p.get("Id") == r.get("Id")));
    for row in &mut tooling.records {
        let Some(profile) = profiles.iter().find(|p| p.get("Id") == row.get("Id")) else {
            continue;
        };
        for field in ["Name", "Description"] {
            row.insert(
                field.into(),
                profile.get(field).cloned().unwrap_or(Value::Null),
            );
        }
        let full_name = row.get("FullName").cloned().unwrap_or(Value::Null);
        let custom = !matches!(full_name.as_str(), Some("Admin" | "Standard"));
        row.insert(
            "Metadata".into(),
            json!({
                "custom": custom,
                "description": profile.get("Description").cloned().unwrap_or(Value::Null),
                "userLicense": "Salesforce",
            }),
        );
    }
}
