//! Rules a real org enforces that a client written against a lenient fake would break, each
//! with the Salesforce page (or the real client's issue) it comes from. The README lists them
//! all; the request handlers in `api` call these.

use serde_json::{Value, json};

use super::http::{ApiResponse, sf_error};
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

/// `collateSubrequests` defaults to true from API 49.0 ("Controls whether the API collates
/// unrelated subrequests to bulkify them (true) or not (false). When subrequests are collated,
/// the processing speed may be faster, but the order of execution is not guaranteed (unless
/// there is an explicit dependency between the subrequests)", REST API, "Composite", request
/// body). Collated here: the reads that refer to no other subrequest run first, then the rest
/// in the order given; a subrequest that refers to another (`@{ref...}`) still runs after it.
/// Not collated (or before 49.0): the order given. The indexes of `subs`, in the order run.
pub fn execution_order(body: &Value, subs: &[Value], major: u32) -> Vec<usize> {
    let collated = body
        .get("collateSubrequests")
        .and_then(Value::as_bool)
        .unwrap_or(major >= 49);
    let mut order: Vec<usize> = (0..subs.len()).collect();
    if collated {
        let independent_read = |i: &usize| {
            let sub = &subs[*i];
            sub.get("method").and_then(Value::as_str) == Some("GET")
                && !sub.to_string().contains("@{")
        };
        order.sort_by_key(|i| !independent_read(i));
    }
    order
}

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

#[cfg(test)]
mod collation_tests {
    use super::execution_order;
    use serde_json::json;

    #[test]
    fn collated_reads_run_first_unless_told_or_before_49() {
        let subs = vec![
            json!({"method": "PATCH", "url": "/x/1", "referenceId": "w"}),
            json!({"method": "GET", "url": "/q?q=1", "referenceId": "r"}),
            json!({"method": "GET", "url": "/x/@{w.id}", "referenceId": "d"}),
        ];
        let body = |collate: Option<bool>| match collate {
            Some(c) => json!({"collateSubrequests": c}),
            None => json!({}),
        };
        assert_eq!(execution_order(&body(None), &subs, 62), [1, 0, 2]);
        assert_eq!(execution_order(&body(Some(true)), &subs, 62), [1, 0, 2]);
        assert_eq!(execution_order(&body(Some(false)), &subs, 62), [0, 1, 2]);
        assert_eq!(execution_order(&body(None), &subs, 48), [0, 1, 2]);
    }
}
