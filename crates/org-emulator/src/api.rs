//! The Salesforce side: routes a request against the org state and builds the answer. No I/O
//! here: the server applies faults and latency around it.

use serde_json::{Map, Value, json};

use super::rules;
use super::seed::advance_sandboxes;
use super::soql::{self, Env};
use super::state::{FieldSchema, FieldType, ObjectSchema, OrgState, Record};
use super::{LATEST_API_VERSION, util};

pub(crate) use crate::http::{ApiRequest, ApiResponse, invalid_session, not_found, sf_error};

/// Whether a request writes: POST/PATCH/PUT/DELETE under `/services/data/v..`, a composite
/// request when one of its subrequests does.
pub(crate) fn is_write(method: &str, path: &str, body: &[u8]) -> bool {
    if !path.starts_with("/services/data/v") {
        return false;
    }
    let writes = |m: &str| {
        ["POST", "PATCH", "PUT", "DELETE"]
            .iter()
            .any(|w| w.eq_ignore_ascii_case(m))
    };
    if method.eq_ignore_ascii_case("POST") && path.trim_end_matches('/').ends_with("/composite") {
        let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        return v["compositeRequest"].as_array().is_some_and(|subs| {
            subs.iter()
                .any(|s| s["method"].as_str().is_some_and(writes))
        });
    }
    writes(method)
}

/// API versions served: [`rules::OLDEST_API_VERSION`] ..= LATEST_API_VERSION.
fn latest_major() -> u32 {
    LATEST_API_VERSION
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(66)
}

fn release_label(major: u32) -> String {
    let k = major - 20;
    let season = ["Winter", "Spring", "Summer"][(k % 3) as usize];
    format!("{season} '{:02}", 11 + k / 3)
}

fn versions() -> ApiResponse {
    let list: Vec<Value> = (rules::OLDEST_API_VERSION..=latest_major())
        .map(|m| {
            json!({"label": release_label(m), "url": format!("/services/data/v{m}.0"), "version": format!("{m}.0")})
        })
        .collect();
    ApiResponse::json(200, &Value::Array(list))
}

/// A `vNN.N` path segment.
#[derive(Debug, PartialEq)]
enum Version {
    /// Served: `NN.N` and its major.
    Served(String, u32),
    /// A real version retired before the oldest served (410 GONE).
    Retired(String),
    Unknown,
}

fn parse_version(seg: &str) -> Version {
    let parsed = seg.strip_prefix('v').and_then(|v| {
        let (major, minor) = v.split_once('.')?;
        Some((v, major.parse::<u32>().ok()?, minor))
    });
    match parsed {
        Some((v, m, "0")) if (rules::OLDEST_API_VERSION..=latest_major()).contains(&m) => {
            Version::Served(v.to_string(), m)
        }
        Some((v, m, "0")) if (7..rules::OLDEST_API_VERSION).contains(&m) => {
            Version::Retired(v.to_string())
        }
        _ => Version::Unknown,
    }
}

/// Routes one HTTP request.
pub(crate) fn handle(state: &mut OrgState, page_size: usize, req: &ApiRequest) -> ApiResponse {
    let path = match req.path.trim_end_matches('/') {
        "" => "/",
        p => p,
    };
    let method = req.method.to_ascii_uppercase();
    if path == "/services/data" {
        return if method == "GET" {
            versions()
        } else {
            method_not_allowed(&method, "GET")
        };
    }
    if path == "/services/oauth2/token" {
        return if method == "POST" {
            crate::auth::token(state, req)
        } else {
            method_not_allowed(&method, "POST")
        };
    }
    if path == "/services/oauth2/userinfo" || path.starts_with("/id/") {
        return userinfo(state, req);
    }
    let Some(rest) = path.strip_prefix("/services/data/") else {
        return not_found();
    };
    let (ver, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let (version, major) = match parse_version(ver) {
        Version::Served(v, m) => (v, m),
        Version::Retired(v) => return rules::retired_version(&v),
        Version::Unknown => return not_found(),
    };
    if !req.bearer.is_some_and(|b| state.token_is_current(b)) {
        return invalid_session();
    }
    state.api_calls += 1;
    let query = util::parse_form(req.query.unwrap_or(""));
    let ctx = Ctx {
        version,
        major,
        page_size,
    };
    let mut resp = data_api(state, &ctx, &method, tail, &query, req.body, true);
    resp.headers
        .push(("Sforce-Limit-Info".into(), rules::limit_info(state)));
    resp
}

fn method_not_allowed(method: &str, allowed: &str) -> ApiResponse {
    sf_error(
        405,
        "METHOD_NOT_ALLOWED",
        &format!("HTTP Method '{method}' not allowed. Allowed are {allowed}"),
        &[],
    )
}

// ---------------------------------------------------------------------------------------------
// OAuth (the token endpoint is in `auth`).

fn userinfo(state: &mut OrgState, req: &ApiRequest) -> ApiResponse {
    if !req.bearer.is_some_and(|b| state.token_is_current(b)) {
        return ApiResponse {
            status: 403,
            headers: vec![("Content-Type".into(), "text/plain;charset=UTF-8".into())],
            body: b"Bad_OAuth_Token".to_vec(),
        };
    }
    let base = state.instance_url.clone();
    let user = state
        .data
        .table("User")
        .and_then(|t| t.get(&state.user_id))
        .cloned()
        .unwrap_or_default();
    let s = |k: &str| user.get(k).cloned().unwrap_or(Value::Null);
    let (org, uid) = (state.org_id.clone(), state.user_id.clone());
    let v = LATEST_API_VERSION;
    ApiResponse::json(
        200,
        &json!({
            "sub": format!("{base}/id/{org}/{uid}"),
            "user_id": uid,
            "organization_id": org,
            "preferred_username": rules::preferred_username(user.get("Username").and_then(Value::as_str).unwrap_or_default()),
            "nickname": s("Alias"),
            "name": s("Name"),
            "email": s("Email"),
            "email_verified": true,
            "given_name": s("FirstName"),
            "family_name": s("LastName"),
            "zoneinfo": s("TimeZoneSidKey"),
            "photos": {"picture": format!("{base}/profilephoto/005/F"), "thumbnail": format!("{base}/profilephoto/005/T")},
            "profile": format!("{base}/{uid}"),
            "picture": format!("{base}/profilephoto/005/F"),
            "address": {"country": "US"},
            "is_salesforce_integration_user": false,
            "urls": {
                "enterprise": format!("{base}/services/Soap/c/{{version}}/{org}"),
                "metadata": format!("{base}/services/Soap/m/{{version}}/{org}"),
                "partner": format!("{base}/services/Soap/u/{{version}}/{org}"),
                "rest": format!("{base}/services/data/v{{version}}/"),
                "sobjects": format!("{base}/services/data/v{{version}}/sobjects/"),
                "search": format!("{base}/services/data/v{{version}}/search/"),
                "query": format!("{base}/services/data/v{{version}}/query/"),
                "recent": format!("{base}/services/data/v{{version}}/recent/"),
                "tooling_soap": format!("{base}/services/Soap/T/{{version}}/{org}"),
                "tooling_rest": format!("{base}/services/data/v{{version}}/tooling/"),
                "profile": format!("{base}/{uid}"),
                "custom_domain": base,
            },
            "active": s("IsActive"),
            "user_type": "STANDARD",
            "language": s("LanguageLocaleKey"),
            "locale": s("LocaleSidKey"),
            "utcOffset": -28_800_000,
            "updated_at": s("LastModifiedDate"),
            "is_app_installed": true,
            "api_version": v,
        }),
    )
}

// ---------------------------------------------------------------------------------------------
// Data and Tooling APIs.

struct Ctx {
    version: String,
    /// The version's major number (what `since` rules compare).
    major: u32,
    page_size: usize,
}

impl Ctx {
    fn base(&self) -> String {
        format!("/services/data/v{}", self.version)
    }

    fn sobjects_url(&self, tooling: bool) -> String {
        if tooling {
            format!("{}/tooling/sobjects", self.base())
        } else {
            format!("{}/sobjects", self.base())
        }
    }

    fn query_url(&self, tooling: bool) -> String {
        if tooling {
            format!("{}/tooling/query", self.base())
        } else {
            format!("{}/query", self.base())
        }
    }
}

/// Everything under `/services/data/vNN.N/` (`tail` is what follows). `top` is false inside a
/// composite request.
fn data_api(
    state: &mut OrgState,
    ctx: &Ctx,
    method: &str,
    tail: &str,
    query: &[(String, String)],
    body: &[u8],
    top: bool,
) -> ApiResponse {
    let segs: Vec<&str> = tail.split('/').filter(|s| !s.is_empty()).collect();
    let (tooling, segs) = match segs.split_first() {
        Some((&"tooling", rest)) => (true, rest),
        _ => (false, segs.as_slice()),
    };
    let param = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let only = |allowed: &str, f: &mut dyn FnMut() -> ApiResponse| {
        if allowed.split(',').any(|m| m == method) {
            f()
        } else {
            method_not_allowed(method, allowed)
        }
    };
    // An object added in a later version does not exist in this one.
    if let ["sobjects", object, ..] = segs
        && state
            .store(tooling)
            .table(object)
            .is_some_and(|t| t.schema.since > ctx.major)
    {
        return not_found();
    }
    match segs {
        [] if !tooling => only("GET", &mut || resources(state, ctx)),
        [] => only("GET", &mut || {
            ApiResponse::json(
                200,
                &json!({"sobjects": ctx.sobjects_url(true), "query": ctx.query_url(true)}),
            )
        }),
        ["limits"] if !tooling => only("GET", &mut || limits(state)),
        ["composite"] if tooling && ctx.major < rules::TOOLING_COMPOSITE_SINCE => not_found(),
        ["composite"] if top => only("POST", &mut || composite(state, ctx, body, tooling)),
        ["composite", "sobjects"] if ctx.major < rules::COLLECTIONS_SINCE => not_found(),
        ["composite", "sobjects"] if !tooling && top => {
            only("PATCH", &mut || collection_update(state, ctx, body))
        }
        ["sobjects"] => only("GET", &mut || describe_global(state, ctx, tooling)),
        ["sobjects", object] => match method {
            "GET" => match state.store(tooling).table(object) {
                Some(t) => ApiResponse::json(
                    200,
                    &json!({"objectDescribe": t.schema.at_version(ctx.major).global_describe(&ctx.sobjects_url(tooling)), "recentItems": []}),
                ),
                None => not_found(),
            },
            "POST" => create(state, ctx, tooling, object, body),
            _ => method_not_allowed(method, "GET,POST"),
        },
        ["sobjects", object, "describe"] => {
            only("GET", &mut || match state.store(tooling).table(object) {
                Some(t) => ApiResponse::json(
                    200,
                    &t.schema
                        .at_version(ctx.major)
                        .describe(&ctx.sobjects_url(tooling)),
                ),
                None => not_found(),
            })
        }
        ["sobjects", object, id] => match method {
            "GET" => get_record(state, ctx, tooling, object, id, param("fields")),
            "PATCH" => update(state, ctx.major, tooling, object, id, body),
            "DELETE" => delete(state, tooling, object, id),
            _ => method_not_allowed(method, "GET,PATCH,DELETE"),
        },
        ["query"] | ["queryAll"] => only("GET", &mut || match param("q") {
            Some(q) if !q.trim().is_empty() => run_query(state, ctx, tooling, q),
            _ => sf_error(
                400,
                "MALFORMED_QUERY",
                "A query string has to be specified",
                &[],
            ),
        }),
        ["query", locator] | ["queryAll", locator] => {
            only("GET", &mut || next_page(state, ctx, tooling, locator))
        }
        _ => not_found(),
    }
}

fn resources(state: &OrgState, ctx: &Ctx) -> ApiResponse {
    let b = ctx.base();
    let mut m = Map::new();
    for name in [
        "tooling",
        "metadata",
        "eclair",
        "folders",
        "tabs",
        "query",
        "queryAll",
        "search",
        "composite",
        "sobjects",
        "limits",
        "recent",
        "connect",
        "chatter",
        "analytics",
        "actions",
        "process",
        "theme",
        "support",
        "quickActions",
        "appMenu",
    ] {
        m.insert(name.into(), format!("{b}/{name}").into());
    }
    m.insert(
        "identity".into(),
        format!(
            "{}/id/{}/{}",
            state.instance_url, state.org_id, state.user_id
        )
        .into(),
    );
    ApiResponse::json(200, &Value::Object(m))
}

fn limits(state: &OrgState) -> ApiResponse {
    let max = state.api_limit;
    let remaining = max.saturating_sub(state.api_usage());
    ApiResponse::json(
        200,
        &json!({
            "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
            "DailyApiRequests": {"Max": max, "Remaining": remaining},
            "DailyAsyncApexExecutions": {"Max": 250_000, "Remaining": 250_000},
            "DailyBulkApiBatches": {"Max": 15_000, "Remaining": 15_000},
            "DataStorageMB": {"Max": 1024, "Remaining": 1000},
            "FileStorageMB": {"Max": 1024, "Remaining": 1020},
            "SingleEmail": {"Max": 15, "Remaining": 15},
        }),
    )
}

fn describe_global(state: &OrgState, ctx: &Ctx, tooling: bool) -> ApiResponse {
    let url = ctx.sobjects_url(tooling);
    let list: Vec<Value> = state
        .store(tooling)
        .at_version(ctx.major)
        .tables
        .iter()
        .map(|t| t.schema.global_describe(&url))
        .collect();
    ApiResponse::json(
        200,
        &json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list}),
    )
}

fn with_attributes(
    object: &str,
    url: &str,
    rec: &Record,
    fields: Option<&[&FieldSchema]>,
) -> Value {
    let id = rec.get("Id").and_then(Value::as_str).unwrap_or_default();
    let mut m = Map::new();
    m.insert(
        "attributes".into(),
        json!({"type": object, "url": format!("{url}/{object}/{id}")}),
    );
    match fields {
        Some(fs) => {
            for f in fs {
                m.insert(
                    f.name.clone(),
                    rec.get(&f.name).cloned().unwrap_or(Value::Null),
                );
            }
        }
        None => {
            for (k, v) in rec {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(m)
}

fn get_record(
    state: &OrgState,
    ctx: &Ctx,
    tooling: bool,
    object: &str,
    id: &str,
    fields: Option<&str>,
) -> ApiResponse {
    let Some(t) = state.store(tooling).table(object) else {
        return not_found();
    };
    let schema = t.schema.at_version(ctx.major);
    let selected: Option<Vec<&FieldSchema>> = match fields {
        Some(list) => {
            let mut out = Vec::new();
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                match schema.field(name) {
                    Some(f) => out.push(f),
                    None => {
                        return sf_error(
                            400,
                            "INVALID_FIELD",
                            &format!(
                                "No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                                schema.name
                            ),
                            &[],
                        );
                    }
                }
            }
            Some(out)
        }
        // Without `fields`, every field the version has.
        None => Some(schema.fields.iter().collect()),
    };
    match t.get(id) {
        Some(rec) => ApiResponse::json(
            200,
            &with_attributes(
                &schema.name,
                &ctx.sobjects_url(tooling),
                rec,
                selected.as_deref(),
            ),
        ),
        None => not_found(),
    }
}

fn json_parser_error(ft: FieldType, v: &Value) -> ApiResponse {
    let kind = match v {
        Value::String(_) => "VALUE_STRING",
        Value::Bool(true) => "VALUE_TRUE",
        Value::Bool(false) => "VALUE_FALSE",
        Value::Number(_) => "VALUE_NUMBER_INT",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
        Value::Null => "VALUE_NULL",
    };
    let ty = match ft {
        FieldType::Boolean => "boolean",
        FieldType::Int => "int",
        t if t.is_number() => "double",
        FieldType::Date => "date",
        FieldType::DateTime => "datetime",
        _ => "string",
    };
    sf_error(
        400,
        "JSON_PARSER_ERROR",
        &format!(
            "Cannot deserialize instance of {ty} from {kind} value {v} or request may be missing a required field"
        ),
        &[],
    )
}

fn valid_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    (scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http"))
        && !host.is_empty()
        && !host.contains(' ')
}

fn valid_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !s.contains(' ')
        }
        None => false,
    }
}

/// Checks one field value of a write and returns it as stored.
fn check_value(
    state: &OrgState,
    tooling: bool,
    f: &FieldSchema,
    v: &Value,
) -> Result<Value, ApiResponse> {
    let name = f.name.as_str();
    if v.is_null() {
        if f.field_type == FieldType::Boolean {
            return Ok(Value::Bool(false));
        }
        if !f.nillable {
            return Err(sf_error(
                400,
                "REQUIRED_FIELD_MISSING",
                &format!("Required fields are missing: [{name}]"),
                &[name],
            ));
        }
        return Ok(Value::Null);
    }
    let ft = f.field_type;
    match ft {
        FieldType::Boolean => v
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| json_parser_error(ft, v)),
        FieldType::Int => match v.as_i64() {
            Some(n) => Ok(n.into()),
            None => Err(json_parser_error(ft, v)),
        },
        t if t.is_number() => match v {
            Value::Number(_) => Ok(v.clone()),
            _ => Err(json_parser_error(ft, v)),
        },
        FieldType::Date => match v.as_str() {
            Some(s) if util::parse_date(s).is_some() => Ok(v.clone()),
            _ => Err(json_parser_error(ft, v)),
        },
        FieldType::DateTime => match v.as_str().and_then(util::parse_datetime) {
            Some(ms) => Ok(util::format_datetime(ms).into()),
            None => Err(json_parser_error(ft, v)),
        },
        FieldType::Id | FieldType::Reference => {
            let Some(s) = v.as_str() else {
                return Err(json_parser_error(ft, v));
            };
            let Some(id) = util::to_id18(s) else {
                return Err(sf_error(
                    400,
                    "MALFORMED_ID",
                    &format!("{}: id value of incorrect type: {s}", f.label),
                    &[name],
                ));
            };
            let exists = state.store(tooling).find(&f.reference_to, &id).is_some()
                || state.store(!tooling).find(&f.reference_to, &id).is_some();
            if !exists {
                return Err(sf_error(
                    400,
                    "FIELD_INTEGRITY_EXCEPTION",
                    &format!("{}: id value of incorrect type: {s}", f.label),
                    &[name],
                ));
            }
            Ok(id.into())
        }
        _ => {
            let Some(s) = v.as_str() else {
                return Err(json_parser_error(ft, v));
            };
            if f.length > 0 && s.chars().count() > f.length as usize {
                return Err(sf_error(
                    400,
                    "STRING_TOO_LONG",
                    &format!(
                        "{}: data value too large: {s} (max length={})",
                        f.label, f.length
                    ),
                    &[name],
                ));
            }
            if ft == FieldType::Email && !valid_email(s) {
                return Err(sf_error(
                    400,
                    "INVALID_EMAIL_ADDRESS",
                    &format!("{}: invalid email address: {s}", f.label),
                    &[name],
                ));
            }
            if ft == FieldType::Url && tooling && !valid_url(s) {
                return Err(sf_error(
                    400,
                    "FIELD_INTEGRITY_EXCEPTION",
                    &format!("{}: invalid URL: {s}", f.label),
                    &[name],
                ));
            }
            Ok(v.clone())
        }
    }
}

/// The checked fields of a POST or PATCH body, as (API name, stored value).
fn check_write(
    state: &OrgState,
    tooling: bool,
    schema: &ObjectSchema,
    body: &[u8],
    existing: Option<&str>,
    // Fields set through a metadata-backed object's `Metadata` (read-only at the top level).
    through_metadata: bool,
) -> Result<Vec<(String, Value)>, ApiResponse> {
    let parsed: Value = serde_json::from_slice(body).map_err(|e| {
        sf_error(
            400,
            "JSON_PARSER_ERROR",
            &format!("Unexpected character in the request body: {e}"),
            &[],
        )
    })?;
    let Value::Object(given) = parsed else {
        return Err(sf_error(
            400,
            "JSON_PARSER_ERROR",
            &format!(
                "Cannot deserialize instance of {} from a non-object value",
                schema.name
            ),
            &[],
        ));
    };
    let creating = existing.is_none();
    let mut out: Vec<(String, Value)> = Vec::new();
    for (k, v) in &given {
        if k == "attributes" {
            continue;
        }
        let Some(f) = schema.field(k) else {
            return Err(sf_error(
                400,
                "INVALID_FIELD",
                &format!("No such column '{k}' on sobject of type {}", schema.name),
                &[k.as_str()],
            ));
        };
        let allowed = through_metadata || if creating { f.createable } else { f.updateable };
        if !allowed {
            return Err(sf_error(
                400,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                &format!(
                    "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                    f.name
                ),
                &[f.name.as_str()],
            ));
        }
        let value = check_value(state, tooling, f, v)?;
        out.push((f.name.clone(), value));
    }
    if creating {
        let missing: Vec<&str> = schema
            .fields
            .iter()
            .filter(|f| f.createable && !f.nillable && f.field_type != FieldType::Boolean)
            .filter(|f| !out.iter().any(|(n, _)| *n == f.name))
            .map(|f| f.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(sf_error(
                400,
                "REQUIRED_FIELD_MISSING",
                &format!("Required fields are missing: [{}]", missing.join(", ")),
                &missing,
            ));
        }
    }
    // Unique fields.
    let table = state.store(tooling).table(&schema.name);
    for (name, value) in &out {
        let Some(f) = schema.field(name) else {
            continue;
        };
        if !f.unique || value.is_null() {
            continue;
        }
        let clash = table.and_then(|t| {
            t.records.iter().find(|r| {
                let same = match (r.get(name), value) {
                    (Some(Value::String(a)), Value::String(b)) => {
                        if f.field_type.is_id() {
                            a == b
                        } else {
                            a.eq_ignore_ascii_case(b)
                        }
                    }
                    (Some(a), b) => a == b,
                    _ => false,
                };
                same && r.get("Id").and_then(Value::as_str) != existing
            })
        });
        if let Some(other) = clash {
            let other_id = other.get("Id").and_then(Value::as_str).unwrap_or_default();
            return Err(match (schema.name.as_str(), name.as_str()) {
                ("User", "Username") => sf_error(
                    400,
                    "DUPLICATE_USERNAME",
                    "Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address).",
                    &["Username"],
                ),
                (_, "DeveloperName") => sf_error(
                    400,
                    "DUPLICATE_DEVELOPER_NAME",
                    &format!(
                        "This {} already exists or has been previously used. Please choose a different name.",
                        f.label
                    ),
                    &["DeveloperName"],
                ),
                _ => sf_error(
                    400,
                    "DUPLICATE_VALUE",
                    &format!(
                        "duplicate value found: {name} duplicates value on record with id: {other_id}"
                    ),
                    &[name.as_str()],
                ),
            });
        }
    }
    Ok(out)
}

fn full_name(rec: &Record) -> Value {
    let first = rec.get("FirstName").and_then(Value::as_str).unwrap_or("");
    let last = rec.get("LastName").and_then(Value::as_str).unwrap_or("");
    format!("{first} {last}").trim().to_string().into()
}

fn create(
    state: &mut OrgState,
    ctx: &Ctx,
    tooling: bool,
    object: &str,
    body: &[u8],
) -> ApiResponse {
    let Some(t) = state.store(tooling).table(object) else {
        return not_found();
    };
    let schema = t.schema.at_version(ctx.major);
    if !schema.createable {
        return sf_error(
            400,
            "INVALID_TYPE_FOR_OPERATION",
            &format!("entity type cannot be inserted: {}", schema.label),
            &[],
        );
    }
    let (body, through_metadata) = match crate::metadata::metadata_write(&schema.name, body, true) {
        Some(Ok(converted)) => (converted, true),
        Some(Err(e)) => return e,
        None => (body.to_vec(), false),
    };
    let fields = match check_write(state, tooling, &schema, &body, None, through_metadata) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let given: Map<String, Value> = fields.into_iter().collect();
    let id = match state.insert_raw(tooling, &schema.name, Value::Object(given)) {
        Ok(id) => id,
        Err(e) => return sf_error(400, "UNKNOWN_EXCEPTION", &e, &[]),
    };
    if schema.name == "User"
        && let Some(rec) = state
            .store_mut(tooling)
            .table_mut("User")
            .and_then(|t| t.records.last_mut())
    {
        let name = full_name(rec);
        rec.insert("Name".into(), name);
        rec.insert("UserType".into(), "Standard".into());
    }
    if schema.name == "User" {
        // The new user's assignment of their profile's permission set.
        crate::permsets::sync(state);
    }
    let mut resp = ApiResponse::json(201, &json!({"id": id, "success": true, "errors": []}));
    resp.headers.push((
        "Location".into(),
        format!("{}/{}/{id}", ctx.sobjects_url(tooling), schema.name),
    ));
    resp
}

fn update(
    state: &mut OrgState,
    major: u32,
    tooling: bool,
    object: &str,
    id: &str,
    body: &[u8],
) -> ApiResponse {
    let Some(t) = state.store(tooling).table(object) else {
        return not_found();
    };
    let schema = t.schema.at_version(major);
    if let Some(refused) = t.get(id).and_then(|r| rules::managed_row(&schema.name, r)) {
        return refused;
    }
    let Some(existing) = t
        .get(id)
        .and_then(|r| r.get("Id"))
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return not_found();
    };
    if !schema.updateable {
        return sf_error(
            400,
            "INVALID_TYPE_FOR_OPERATION",
            &format!("entity type cannot be updated: {}", schema.label),
            &[],
        );
    }
    if let Some((_, message)) = state
        .validation_errors
        .iter()
        .find(|(id, _)| *id == existing)
    {
        return sf_error(400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", message, &[]);
    }
    let (body, through_metadata) = match crate::metadata::metadata_write(&schema.name, body, false)
    {
        Some(Ok(converted)) => (converted, true),
        Some(Err(e)) => return e,
        None => (body.to_vec(), false),
    };
    let mut fields = match check_write(
        state,
        tooling,
        &schema,
        &body,
        Some(&existing),
        through_metadata,
    ) {
        Ok(f) => f,
        Err(e) => return e,
    };
    if schema.name == "User" && !tooling && state.verify_email_changes {
        hold_email_change(state, &existing, &mut fields);
    }
    let now = state.now();
    let user = state.user_id.clone();
    let table = state
        .store_mut(tooling)
        .table_mut(&schema.name)
        .expect("table");
    let pos = table.position(&existing).expect("record");
    let rec = &mut table.records[pos];
    for (k, v) in fields {
        rec.insert(k, v);
    }
    if schema.name == "User" {
        let name = full_name(rec);
        rec.insert("Name".into(), name);
    }
    crate::metadata::sync_metadata(&schema.name, rec);
    for audit in ["LastModifiedDate", "SystemModstamp"] {
        if rec.contains_key(audit) {
            rec.insert(audit.into(), now.clone().into());
        }
    }
    if rec.contains_key("LastModifiedById") && !user.is_empty() {
        rec.insert("LastModifiedById".into(), user.into());
    }
    if schema.name == "User" {
        // A new ProfileId: the assignment of the profile's permission set follows.
        crate::permsets::sync(state);
    }
    ApiResponse::no_content()
}

fn delete(state: &mut OrgState, tooling: bool, object: &str, id: &str) -> ApiResponse {
    let Some(t) = state.store_mut(tooling).table_mut(object) else {
        return not_found();
    };
    let Some(pos) = t.position(id) else {
        return not_found();
    };
    if let Some(refused) = rules::managed_row(&t.schema.name, &t.records[pos]) {
        return refused;
    }
    if !t.schema.deletable {
        return sf_error(
            400,
            "INVALID_TYPE_FOR_OPERATION",
            &format!("entity type cannot be deleted: {}", t.schema.label),
            &[],
        );
    }
    t.records.remove(pos);
    ApiResponse::no_content()
}

/// Salesforce's email verification: a new `User.Email` is not applied but held until its owner
/// clicks the link Salesforce mails to the new address (`OrgState::confirm_email_change`).
fn hold_email_change(state: &mut OrgState, user_id: &str, fields: &mut Vec<(String, Value)>) {
    let current = state
        .data
        .table("User")
        .and_then(|t| t.get(user_id))
        .and_then(|r| r.get("Email"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let Some(pos) = fields.iter().position(|(k, _)| k == "Email") else {
        return;
    };
    let Some(new) = fields[pos].1.as_str().map(str::to_string) else {
        return;
    };
    if new.eq_ignore_ascii_case(&current) {
        return;
    }
    fields.remove(pos);
    state.pending_email_changes.retain(|(id, _)| id != user_id);
    state.pending_email_changes.push((user_id.to_string(), new));
}

/// Most records an sObject Collections request takes.
const COLLECTION_LIMIT: usize = 200;

const ROLLED_BACK: &str = "Record rolled back because not all records were valid and the request was using AllOrNone header";

/// `PATCH /composite/sobjects`: updates up to 200 records, each `{"attributes":{"type"},"id",
/// fields...}`; answers one `{id, success, errors}` per record, in order.
fn collection_update(state: &mut OrgState, ctx: &Ctx, body: &[u8]) -> ApiResponse {
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return sf_error(
                400,
                "JSON_PARSER_ERROR",
                &format!("Unexpected character: {e}"),
                &[],
            );
        }
    };
    let Some(records) = parsed.get("records").and_then(Value::as_array) else {
        return sf_error(400, "INVALID_INPUT", "records is required", &[]);
    };
    if records.len() > COLLECTION_LIMIT {
        return sf_error(
            400,
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
            &[],
        );
    }
    let all_or_none = parsed
        .get("allOrNone")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let snapshot = all_or_none.then(|| state.data.clone());
    let mut answers = Vec::new();
    let mut failed = false;
    for record in records {
        let id = record
            .get("id")
            .or_else(|| record.get("Id"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let object = record
            .pointer("/attributes/type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let error = |code: &str, message: &str| {
            json!({"id": Value::Null, "success": false,
                   "errors": [{"statusCode": code, "message": message, "fields": []}]})
        };
        if object.is_empty() {
            failed = true;
            answers.push(error(
                "INVALID_TYPE",
                "When using the sObject Collections, the attributes.type must be set for each record",
            ));
            continue;
        }
        if id.is_empty() {
            failed = true;
            answers.push(error(
                "MISSING_ARGUMENT",
                "Id not specified in an update call",
            ));
            continue;
        }
        let mut fields = record.as_object().cloned().unwrap_or_default();
        fields.retain(|k, _| !matches!(k.as_str(), "attributes" | "id" | "Id"));
        let bytes = serde_json::to_vec(&Value::Object(fields)).unwrap_or_default();
        let resp = update(state, ctx.major, false, &object, &id, &bytes);
        let id18 = util::to_id18(&id).unwrap_or(id);
        if resp.status < 300 {
            answers.push(json!({"id": id18, "success": true, "errors": []}));
        } else {
            failed = true;
            let errors: Vec<Value> = match resp.body_json() {
                Value::Array(items) => items
                    .iter()
                    .map(|e| {
                        json!({"statusCode": e["errorCode"], "message": e["message"],
                               "fields": e.get("fields").cloned().unwrap_or(json!([]))})
                    })
                    .collect(),
                _ => vec![
                    json!({"statusCode": "UNKNOWN_EXCEPTION", "message": "update failed", "fields": []}),
                ],
            };
            answers.push(json!({"id": id18, "success": false, "errors": errors}));
        }
    }
    if let (true, Some(data)) = (failed, snapshot) {
        state.data = data;
        for answer in &mut answers {
            if answer["success"] == true {
                answer["success"] = false.into();
                answer["errors"] = json!([{"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                                            "message": ROLLED_BACK, "fields": []}]);
            }
        }
    }
    ApiResponse::json(200, &Value::Array(answers))
}

// ---------------------------------------------------------------------------------------------
// Queries and paging.

fn run_query(state: &mut OrgState, ctx: &Ctx, tooling: bool, q: &str) -> ApiResponse {
    let parsed = match soql::parse(q) {
        Ok(p) => p,
        Err(e) => return sf_error(400, e.code, &e.message, &[]),
    };
    let out = {
        let hidden = crate::access::hidden_objects(state);
        let store = crate::access::visible(state.store(tooling).at_version(ctx.major), &hidden);
        let data = crate::access::visible(state.store(false).at_version(ctx.major), &hidden);
        let env = Env {
            store: &store,
            sobjects_url: ctx.sobjects_url(tooling),
            fallback: tooling.then(|| (data.as_ref(), ctx.sobjects_url(false))),
        };
        match soql::execute(&env, &parsed) {
            Ok(o) => o,
            Err(e) => return sf_error(400, e.code, &e.message, &[]),
        }
    };
    if tooling && let Some(refused) = crate::metadata::metadata_query_too_wide(&out.records) {
        return refused;
    }
    if tooling && out.object == "SandboxProcess" && state.advance_sandbox_on_query {
        // Only the processes the query returned move on (sf's own login query finds none).
        let ids: Vec<String> = out
            .records
            .iter()
            .filter_map(|r| r["attributes"]["url"].as_str())
            .filter_map(|u| u.rsplit('/').next())
            .map(str::to_string)
            .collect();
        advance_sandboxes(state, &ids);
    }
    let total = out.total_size;
    let object = out.object.clone();
    let rows = out.records;
    if rows.len() <= ctx.page_size {
        return query_page(ctx, tooling, &object, total, rows, None);
    }
    let locator = state.new_cursor_id();
    let first: Vec<Value> = rows[..ctx.page_size].to_vec();
    state.cursors.insert(
        locator.clone(),
        super::state::Cursor {
            rows,
            tooling,
            object: object.clone(),
        },
    );
    let next = format!("{}/{locator}-{}", ctx.query_url(tooling), ctx.page_size);
    query_page(ctx, tooling, &object, total, first, Some(next))
}

fn query_page(
    _ctx: &Ctx,
    tooling: bool,
    object: &str,
    total: usize,
    rows: Vec<Value>,
    next: Option<String>,
) -> ApiResponse {
    let mut m = Map::new();
    if tooling {
        m.insert("size".into(), total.into());
    }
    m.insert("totalSize".into(), total.into());
    m.insert("done".into(), next.is_none().into());
    if tooling {
        m.insert("queryLocator".into(), Value::Null);
        m.insert("entityTypeName".into(), object.into());
    }
    if let Some(n) = next {
        m.insert("nextRecordsUrl".into(), n.into());
    }
    m.insert("records".into(), Value::Array(rows));
    ApiResponse::json(200, &Value::Object(m))
}

fn next_page(state: &mut OrgState, ctx: &Ctx, tooling: bool, locator: &str) -> ApiResponse {
    let bad = || sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator", &[]);
    let Some((key, offset)) = locator.rsplit_once('-') else {
        return bad();
    };
    let Ok(offset) = offset.parse::<usize>() else {
        return bad();
    };
    let Some(cursor) = state.cursors.get(key) else {
        return bad();
    };
    if cursor.tooling != tooling || offset > cursor.rows.len() {
        return bad();
    }
    let end = (offset + ctx.page_size).min(cursor.rows.len());
    let rows = cursor.rows[offset..end].to_vec();
    let next = (end < cursor.rows.len()).then(|| format!("{}/{key}-{end}", ctx.query_url(tooling)));
    query_page(
        ctx,
        tooling,
        &cursor.object.clone(),
        cursor.rows.len(),
        rows,
        next,
    )
}

impl OrgState {
    pub(crate) fn new_cursor_id(&mut self) -> String {
        let id = util::make_id("01g", &self.id_pod, self.next_cursor);
        self.next_cursor += 1;
        id
    }
}

// ---------------------------------------------------------------------------------------------
// Composite.

const HALTED: &str =
    "The transaction was rolled back since another operation in the same transaction failed.";

/// Resolves `ref.path[0].x` against the earlier results.
fn resolve_reference(expr: &str, results: &[(String, u16, Value)]) -> Option<String> {
    let split = expr.find(['.', '[']).unwrap_or(expr.len());
    let (name, mut path) = expr.split_at(split);
    let (_, status, body) = results.iter().find(|(r, _, _)| r == name)?;
    if *status >= 400 {
        return None;
    }
    let mut cur = body;
    while !path.is_empty() {
        if let Some(rest) = path.strip_prefix('.') {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            cur = cur.get(&rest[..end])?;
            path = &rest[end..];
        } else if let Some(rest) = path.strip_prefix('[') {
            let end = rest.find(']')?;
            let i: usize = rest[..end].parse().ok()?;
            cur = cur.get(i)?;
            path = &rest[end + 1..];
        } else {
            return None;
        }
    }
    match cur {
        Value::String(s) => Some(s.clone()),
        Value::Null | Value::Object(_) | Value::Array(_) => None,
        other => Some(other.to_string()),
    }
}

/// Replaces every `@{...}` in `s`; the unresolved expression on failure.
fn substitute(s: &str, results: &[(String, u16, Value)]) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("@{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let expr = &after[..end];
        out.push_str(&resolve_reference(expr, results).ok_or_else(|| expr.to_string())?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn substitute_value(v: &Value, results: &[(String, u16, Value)]) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(substitute(s, results)?),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| substitute_value(x, results))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| substitute_value(x, results).map(|x| (k.clone(), x)))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

/// `POST composite` (Data API) or `POST tooling/composite` (Tooling API): each side runs only
/// its own API's subrequests, as Salesforce does.
fn composite(state: &mut OrgState, ctx: &Ctx, body: &[u8], tooling: bool) -> ApiResponse {
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return sf_error(
                400,
                "JSON_PARSER_ERROR",
                &format!("Unexpected character: {e}"),
                &[],
            );
        }
    };
    let Some(subs) = parsed.get("compositeRequest").and_then(Value::as_array) else {
        return sf_error(400, "INVALID_INPUT", "compositeRequest is required", &[]);
    };
    if subs.len() > rules::MAX_SUBREQUESTS {
        return sf_error(
            400,
            "LIMIT_EXCEEDED",
            "Limit Exceeded, Max Number of Sub Requests Allowed is 25",
            &[],
        );
    }
    let queries = subs
        .iter()
        .filter_map(|s| s.get("url").and_then(Value::as_str))
        .filter_map(|u| u.strip_prefix("/services/data/"))
        .filter_map(|rest| rest.split_once('/'))
        .filter(|(_, tail)| rules::counts_as_query(tail))
        .count();
    if queries > rules::MAX_QUERY_SUBREQUESTS {
        return rules::too_many_queries();
    }
    let all_or_none = parsed
        .get("allOrNone")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut seen = Vec::new();
    for s in subs {
        let (Some(_), Some(_), Some(r)) = (
            s.get("method").and_then(Value::as_str),
            s.get("url").and_then(Value::as_str),
            s.get("referenceId").and_then(Value::as_str),
        ) else {
            return sf_error(
                400,
                "INVALID_INPUT",
                "Each subrequest needs method, url and referenceId",
                &[],
            );
        };
        if seen.contains(&r)
            || r.is_empty()
            || !r.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return sf_error(
                400,
                "INVALID_INPUT",
                &format!("Invalid or duplicate referenceId: {r}"),
                &[],
            );
        }
        seen.push(r);
    }
    let snapshot = all_or_none.then(|| (state.data.clone(), state.tooling.clone()));
    let order = rules::execution_order(&parsed, subs, ctx.major);
    // (referenceId, status, body) of each subrequest, plus its headers, in the order run.
    let mut results: Vec<(String, u16, Value)> = Vec::new();
    let mut headers: Vec<Value> = Vec::new();
    let mut failed: Option<usize> = None;
    for (i, s) in order.iter().map(|&at| &subs[at]).enumerate() {
        let method = s["method"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reference = s["referenceId"].as_str().unwrap_or_default().to_string();
        if all_or_none && failed.is_some() {
            results.push((reference, 400, Value::Null));
            headers.push(json!({}));
            continue;
        }
        let url = s["url"].as_str().unwrap_or_default();
        let outcome = substitute(url, &results).and_then(|url| {
            let body = match s.get("body") {
                Some(b) if !b.is_null() => Some(substitute_value(b, &results)?),
                _ => None,
            };
            Ok((url, body))
        });
        let resp = match outcome {
            Err(expr) => sf_error(
                400,
                "PROCESSING_HALTED",
                &format!(
                    "Invalid reference specified. No value for {expr} found in {reference}. Provided referenceId ({reference}) must be a valid reference to a previous subrequest."
                ),
                &[],
            ),
            Ok((url, body)) => {
                let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
                let target = path.strip_prefix("/services/data/").and_then(|rest| {
                    let (ver, tail) = rest.split_once('/').unwrap_or((rest, ""));
                    match parse_version(ver) {
                        Version::Served(v, m) => Some((v, m, tail.to_string())),
                        _ => None,
                    }
                });
                match target {
                    None => not_found(),
                    Some((version, major, tail)) => {
                        let sub_ctx = Ctx {
                            version,
                            major,
                            page_size: ctx.page_size,
                        };
                        let bytes = body
                            .map(|b| serde_json::to_vec(&b).unwrap_or_default())
                            .unwrap_or_default();
                        let q = util::parse_form(query);
                        if tooling == tail.starts_with("tooling/") {
                            data_api(state, &sub_ctx, &method, &tail, &q, &bytes, false)
                        } else {
                            sf_error(
                                400,
                                "INVALID_INPUT",
                                "A composite request runs the subrequests of its own API only (Tooling API subrequests go to tooling/composite)",
                                &[],
                            )
                        }
                    }
                }
            }
        };
        if resp.status >= 400 && failed.is_none() {
            failed = Some(i);
        }
        let mut h = Map::new();
        for (k, v) in &resp.headers {
            if k == "Location" {
                h.insert(k.clone(), v.clone().into());
            }
        }
        headers.push(Value::Object(h));
        results.push((reference, resp.status, resp.body_json()));
    }
    if let (Some(bad), Some((data, tooling))) = (failed, snapshot) {
        state.data = data;
        state.tooling = tooling;
        for (i, r) in results.iter_mut().enumerate() {
            if i != bad {
                r.1 = 400;
                r.2 = json!([{"errorCode": "PROCESSING_HALTED", "message": HALTED}]);
                headers[i] = json!({});
            }
        }
    }
    // Answered in the order asked, whatever the order run.
    let mut list: Vec<(usize, Value)> = results
        .into_iter()
        .zip(headers)
        .zip(order)
        .map(|(((reference, status, body), h), at)| {
            (at, json!({"body": body, "httpHeaders": h, "httpStatusCode": status, "referenceId": reference}))
        })
        .collect();
    list.sort_by_key(|(at, _)| *at);
    let list: Vec<Value> = list.into_iter().map(|(_, answer)| answer).collect();
    ApiResponse::json(200, &json!({"compositeResponse": list}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_labels() {
        assert_eq!(release_label(20), "Winter '11");
        assert_eq!(release_label(62), "Winter '25");
        assert_eq!(release_label(66), "Spring '26");
        assert_eq!(parse_version("v62.0"), Version::Served("62.0".into(), 62));
        assert_eq!(parse_version("v30.0"), Version::Retired("30.0".into()));
        assert_eq!(parse_version("v99.0"), Version::Unknown);
        assert_eq!(parse_version("v62"), Version::Unknown);
    }

    #[test]
    fn references() {
        let results = vec![
            (
                "acct".to_string(),
                201,
                json!({"id": "001x", "success": true}),
            ),
            (
                "q".to_string(),
                200,
                json!({"records": [{"Id": "005y", "N": 3}]}),
            ),
            ("bad".to_string(), 400, json!([{"errorCode": "X"}])),
        ];
        assert_eq!(
            substitute(
                "/x/@{acct.id}/@{q.records[0].Id}?n=@{q.records[0].N}",
                &results
            )
            .unwrap(),
            "/x/001x/005y?n=3"
        );
        assert_eq!(substitute("@{bad.id}", &results).unwrap_err(), "bad.id");
        assert_eq!(substitute("@{nope.id}", &results).unwrap_err(), "nope.id");
        assert!(is_write(
            "POST",
            "/services/data/v62.0/composite",
            br#"{"compositeRequest":[{"method":"PATCH"}]}"#
        ));
        assert!(!is_write(
            "POST",
            "/services/data/v62.0/composite",
            br#"{"compositeRequest":[{"method":"GET"}]}"#
        ));
        assert!(!is_write("POST", "/services/oauth2/token", b""));
        assert!(is_write("DELETE", "/services/data/v62.0/sobjects/X/1", b""));
    }
}
