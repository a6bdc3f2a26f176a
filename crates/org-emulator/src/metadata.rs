//! Metadata-backed Tooling objects (`RemoteProxy`): written through `Metadata` and `FullName`
//! only, read with both filled in from the top-level fields.

use serde_json::{Map, Value};

use super::http::{ApiResponse, sf_error};

/// The Tooling objects whose writes go through `Metadata` and `FullName` only, with the
/// `Metadata` keys and the read-only top-level fields they set. `RemoteProxy` (Tooling API
/// object reference: `EndpointUrl`, `IsActive`... are Filter/Group/Sort only, `FullName` is
/// Create; a write naming them answers FIELD_INTEGRITY_EXCEPTION "Only the Metadata and
/// FullName fields may be specified on RemoteProxy", a create without `Metadata`
/// REQUIRED_FIELD_MISSING; the Metadata type is `RemoteSiteSetting` of the Metadata API).
fn metadata_shape(object: &str) -> Option<(&'static str, &'static [(&'static str, &'static str)])> {
    object.eq_ignore_ascii_case("RemoteProxy").then_some((
        "SiteName",
        &[
            ("url", "EndpointUrl"),
            ("isActive", "IsActive"),
            ("disableProtocolSecurity", "DisableProtocolSecurity"),
            ("description", "Description"),
        ][..],
    ))
}

/// Fills `Metadata` and `FullName` of a metadata-backed record from its top-level fields.
pub fn sync_metadata(object: &str, record: &mut Map<String, Value>) {
    let Some((name_field, keys)) = metadata_shape(object) else {
        return;
    };
    let mut meta = Map::new();
    for (key, field) in keys {
        meta.insert(
            (*key).into(),
            record.get(*field).cloned().unwrap_or(Value::Null),
        );
    }
    meta.insert("urls".into(), Value::Null);
    let name = record.get(name_field).cloned().unwrap_or(Value::Null);
    record.insert("FullName".into(), name);
    record.insert("Metadata".into(), Value::Object(meta));
}

/// A write to a metadata-backed object, turned into its top-level fields (the whole
/// `Metadata` replaces the old one: a key left out is cleared). `None` for other objects.
pub fn metadata_write(
    object: &str,
    body: &[u8],
    creating: bool,
) -> Option<Result<Vec<u8>, ApiResponse>> {
    let (name_field, keys) = metadata_shape(object)?;
    let given: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(m)) => m,
        _ => return None, // check_write answers the parse error
    };
    let others: Vec<&str> = given
        .keys()
        .map(String::as_str)
        .filter(|k| !matches!(*k, "Metadata" | "FullName" | "attributes"))
        .collect();
    if !others.is_empty() {
        return Some(Err(sf_error(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            &format!(
                "Only the Metadata and FullName fields may be specified on {object}, or else Metadata must be excluded. Invalid field(s): [{}]",
                others.join(", ")
            ),
            &others,
        )));
    }
    let Some(Value::Object(meta)) = given.get("Metadata") else {
        return Some(Err(sf_error(
            400,
            "REQUIRED_FIELD_MISSING",
            &format!("You must provide a valid Metadata field for {object}"),
            &[],
        )));
    };
    if let Some(bad) = meta
        .keys()
        .find(|k| *k != "urls" && !keys.iter().any(|(key, _)| key == k))
    {
        return Some(Err(sf_error(
            400,
            "JSON_PARSER_ERROR",
            &format!("Unrecognized field \"{bad}\" in Metadata of {object}"),
            &[],
        )));
    }
    let mut fields = Map::new();
    if creating {
        fields.insert(
            name_field.into(),
            given.get("FullName").cloned().unwrap_or(Value::Null),
        );
    } else if given.contains_key("FullName") {
        return Some(Err(sf_error(
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "Unable to create/update fields: FullName. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
            &["FullName"],
        )));
    }
    for (key, field) in keys {
        let v = meta.get(*key).cloned().unwrap_or(Value::Null);
        // A boolean left out of the new Metadata is false.
        let v = match (v, *key) {
            (Value::Null, "isActive" | "disableProtocolSecurity") => Value::Bool(false),
            (v, _) => v,
        };
        fields.insert((*field).into(), v);
    }
    Some(Ok(
        serde_json::to_vec(&Value::Object(fields)).unwrap_or_default()
    ))
}

/// A Tooling query may return `Metadata` or `FullName` only when it returns at most one row,
/// on every Tooling object that has them (`RemoteProxy`, `Profile`: Tooling API object
/// reference, `FullName`: "Query this field only if the query result contains no more than one
/// record. Otherwise, an error is returned. If more than one record exists, use multiple
/// queries to retrieve the records"); the wording is real orgs' (salesforce.stackexchange.com,
/// question 156802).
pub fn metadata_query_too_wide(rows: &[Value]) -> Option<ApiResponse> {
    if rows.len() <= 1 {
        return None;
    }
    let selects = rows
        .first()
        .and_then(Value::as_object)
        .is_some_and(|r| r.contains_key("Metadata") || r.contains_key("FullName"));
    selects.then(|| {
        sf_error(
            400,
            "MALFORMED_QUERY",
            &format!(
                "When retrieving results with Metadata or FullName fields, the query qualifications must specify no more than one row for retrieval. Result size: {}",
                rows.len()
            ),
            &[],
        )
    })
}
