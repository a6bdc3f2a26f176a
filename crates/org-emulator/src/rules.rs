//! Rules a real org enforces that a client written against a lenient fake would break, each
//! with the Salesforce page (or the real client's issue) it comes from. The README lists them
//! all; the request handlers in `api` call these.

use serde_json::{Map, Value, json};

use super::api::{ApiResponse, sf_error};
use super::state::{OrgState, Record};

/// The oldest API version served. Versions 21.0 through 30.0 were retired in Summer '25 and a
/// request to them answers `410 GONE` (API End-of-Life Policy,
/// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/api_rest_eol.htm).
pub const OLDEST_API_VERSION: u32 = 31;

/// `tooling/composite` exists from API 40.0 (Tooling API, "Improve Performance with the
/// Composite Resource"); below it the path is unknown: 404 NOT_FOUND.
pub const TOOLING_COMPOSITE_SINCE: u32 = 40;

/// sObject Collections (`composite/sobjects`) exist from API 42.0 (REST API, "sObject
/// Collections"); below it the path is unknown: 404 NOT_FOUND.
pub const COLLECTIONS_SINCE: u32 = 42;

/// A composite request carries at most 25 subrequests, and at most 5 of them may be queries
/// (Query, QueryAll) or sObject Collections (REST API, "Composite",
/// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm).
pub const MAX_SUBREQUESTS: usize = 25;
pub const MAX_QUERY_SUBREQUESTS: usize = 5;

/// `410 GONE` for a retired version. The page gives the status only; the body is the
/// emulator's own, in Salesforce's error-array shape.
pub fn retired_version(version: &str) -> ApiResponse {
    sf_error(
        410,
        "GONE",
        &format!("API version {version} is retired and no longer available"),
        &[],
    )
}

/// Whether a composite subrequest's path (after `/services/data/vNN.N/`) is a query or an
/// sObject Collections request (the ones the 5-subrequest limit counts).
pub fn counts_as_query(tail: &str) -> bool {
    let tail = tail.strip_prefix("tooling/").unwrap_or(tail);
    let first = tail.split(['/', '?']).next().unwrap_or("");
    matches!(first, "query" | "queryAll") || tail.starts_with("composite/sobjects")
}

pub fn too_many_queries() -> ApiResponse {
    sf_error(
        400,
        "LIMIT_EXCEEDED",
        &format!(
            "Limit Exceeded, a composite request allows at most {MAX_QUERY_SUBREQUESTS} query or sObject Collections subrequests"
        ),
        &[],
    )
}

/// `Sforce-Limit-Info`: `api-usage=USED/LIMIT`, then, when the connected app has a quota,
/// `; per-app-api-usage=USED/LIMIT(appName=NAME)` (REST API, "Limit Info Header",
/// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm).
pub fn limit_info(state: &OrgState) -> String {
    let mut info = format!("api-usage={}/{}", state.api_usage(), state.api_limit);
    if let Some((app, limit)) = &state.per_app_api_limit {
        info.push_str(&format!(
            "; per-app-api-usage={}/{limit}(appName={app})",
            state.api_calls
        ));
    }
    info
}

/// `/services/oauth2/userinfo` gives `preferred_username` in lower case, whatever the
/// username's case (sf's own bug: forcedotcom/cli#1025, fixed in sfdx-core#411 by reading
/// `User.Username`).
pub fn preferred_username(username: &str) -> String {
    username.to_lowercase()
}

// ---------------------------------------------------------------------------------------------
// Metadata-backed Tooling objects.

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

pub fn is_metadata_backed(object: &str) -> bool {
    metadata_shape(object).is_some()
}

/// Fills `Metadata` and `FullName` of a metadata-backed record from its top-level fields.
pub fn sync_metadata(object: &str, record: &mut Record) {
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

/// A Tooling query may return `Metadata` or `FullName` only when it returns at most one row
/// (Tooling API object reference, `FullName`: "Query this field only if the query result
/// contains no more than one record. Otherwise, an error is returned").
pub fn metadata_query_too_wide(object: &str, rows: &[Value]) -> Option<ApiResponse> {
    if !is_metadata_backed(object) || rows.len() <= 1 {
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

// ---------------------------------------------------------------------------------------------
// Managed-package rows.

/// A row installed by a managed package (`NamespacePrefix` set) cannot be edited or deleted by
/// the subscriber (ISVforce guide, "Editing Components and Attributes After Installation";
/// the API answers CANNOT_MODIFY_MANAGED_OBJECT, a status code of the SOAP API's StatusCode
/// list).
pub fn managed_row(object: &str, record: &Record) -> Option<ApiResponse> {
    let ns = record
        .get("NamespacePrefix")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())?;
    Some(ApiResponse::json(
        400,
        &json!([{"message": format!("Cannot modify managed object: entity={object}, namespace={ns}"),
                 "errorCode": "CANNOT_MODIFY_MANAGED_OBJECT", "fields": []}]),
    ))
}
