//! HTTP plumbing: accept loop, faults and latency around the API, the request log, and the
//! control plane for other processes (unauthenticated, loopback only, never logged):
//!
//! | request | does |
//! | --- | --- |
//! | `GET /__emulator/log` | the request log (JSON array of `RequestRecord`) |
//! | `DELETE /__emulator/log` | clears it |
//! | `POST /__emulator/faults` | injects a `Fault` (JSON) |
//! | `GET /__emulator/faults`, `DELETE /__emulator/faults` | pending faults; clears them |
//! | `GET /__emulator/records/<Object>` | the object's records (JSON array) |
//! | `POST /__emulator/records/<Object>` | inserts a record as given (no validation) |
//! | `GET /__emulator/state` | tokens, ids, API usage |
//! | `PATCH /__emulator/state` | sets `apiUsageStart`, `apiLimit`, `tokenExpired`, `advanceSandboxOnQuery`, `fixedNow`, `verifyEmailChanges` |
//! | `POST /__emulator/confirm-email/<UserId>` | the owner clicks the email verification link: the held `Email` change is applied |
//! | `POST /__emulator/reset` | back to the seed (state, log, faults) |
//! | `POST /__emulator/refresh` | a sandbox refresh from production, `{"sandboxName": "uat"}`: new org ID and record IDs (see the `refresh` module) |

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use super::api;
use super::http::{ApiRequest, ApiResponse};
use super::{Fault, FaultKind, RequestRecord, Shared, lock};

/// A response body, maybe held back for a while (the slow-body fault).
pub(crate) struct EmuBody {
    delay: Option<Pin<Box<tokio::time::Sleep>>>,
    data: Option<Bytes>,
    len: u64,
}

impl EmuBody {
    fn new(data: Vec<u8>, delay: Option<Duration>) -> EmuBody {
        let len = data.len() as u64;
        EmuBody {
            delay: delay.map(|d| Box::pin(tokio::time::sleep(d))),
            data: (!data.is_empty()).then(|| Bytes::from(data)),
            len,
        }
    }
}

impl Body for EmuBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(d) = self.delay.as_mut() {
            if d.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.delay = None;
        }
        Poll::Ready(self.data.take().map(|b| Ok(Frame::data(b))))
    }

    fn is_end_stream(&self) -> bool {
        self.delay.is_none() && self.data.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len)
    }
}

use std::future::Future;

/// Returned by the service to make hyper close the connection without an answer.
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Mutex<Shared>>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                lock(&shared).connections += 1;
                let shared = shared.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(shared.clone(), req));
                    let http = hyper::server::conn::http1::Builder::new();
                    match tls {
                        // A client that refuses the certificate ends the handshake: nothing served.
                        Some(tls) => {
                            let Ok(Ok(stream)) =
                                tokio::time::timeout(Duration::from_secs(10), tls.accept(stream)).await
                            else {
                                return;
                            };
                            let _ = http.serve_connection(TokioIo::new(stream), service).await;
                        }
                        None => {
                            let _ = http.serve_connection(TokioIo::new(stream), service).await;
                        }
                    }
                });
            }
        }
    }
}

fn to_response(r: ApiResponse, delay: Option<Duration>) -> Response<EmuBody> {
    let mut b = Response::builder().status(r.status);
    for (k, v) in &r.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(EmuBody::new(r.body, delay))
        .unwrap_or_else(|_| Response::new(EmuBody::new(Vec::new(), None)))
}

fn fault_matches(f: &Fault, method: &str, path: &str, decoded_query: &str) -> bool {
    f.times > 0
        && f.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
        && f.path_contains
            .as_deref()
            .is_none_or(|p| path.contains(p) || decoded_query.contains(p))
}

/// The writes a composite request carries, as (method, path, decoded query): a fault that names
/// a write method hits the composite that carries such a write (the test device follows the
/// write, however the client sends it).
fn composite_writes(path: &str, body: &[u8]) -> Vec<(String, String, String)> {
    if !path.ends_with("/composite") {
        return Vec::new();
    }
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let subrequests = body.get("compositeRequest").and_then(|r| r.as_array());
    subrequests
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let method = r.get("method")?.as_str()?;
            let url = r.get("url")?.as_str()?;
            let (path, query) = url.split_once('?').unwrap_or((url, ""));
            (!method.eq_ignore_ascii_case("GET")).then(|| {
                let decoded = super::util::percent_decode(query, true);
                (method.to_string(), path.to_string(), decoded)
            })
        })
        .collect()
}

/// Uses up the faults matching this request: the total extra latency, and the first fault of
/// another kind.
fn take_faults(
    sh: &mut Shared,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> (Duration, Option<FaultKind>) {
    let decoded = super::util::percent_decode(query.unwrap_or(""), true);
    let writes = composite_writes(path, body);
    let mut latency = sh.opts.latency;
    let mut chosen = None;
    for f in sh.faults.iter_mut() {
        let names_write = f
            .method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case("GET"));
        let carried = names_write && writes.iter().any(|(m, p, q)| fault_matches(f, m, p, q));
        if !fault_matches(f, method, path, &decoded) && !carried {
            continue;
        }
        let kind = match &mut f.kind {
            FaultKind::Later { skip, .. } if *skip > 0 => {
                *skip -= 1;
                continue;
            }
            FaultKind::Later { then, .. } => (**then).clone(),
            other => other.clone(),
        };
        match kind {
            FaultKind::Latency { ms } => latency += Duration::from_millis(ms),
            other => {
                if chosen.is_some() {
                    continue;
                }
                chosen = Some(other);
            }
        }
        f.times -= 1;
    }
    sh.faults.retain(|f| f.times > 0);
    (latency, chosen)
}

/// `set` written into every query page of an answer (the answer, or a composite's subrequest
/// bodies).
fn set_page_fields(answer: &mut Value, set: &serde_json::Map<String, Value>) {
    if let Some(items) = answer
        .get_mut("compositeResponse")
        .and_then(Value::as_array_mut)
    {
        for item in items {
            if let Some(body) = item.get_mut("body") {
                set_page_fields(body, set);
            }
        }
    } else if let Some(page) = answer.as_object_mut()
        && page.get("records").is_some_and(Value::is_array)
    {
        for (name, value) in set {
            page.insert(name.clone(), value.clone());
        }
    }
}

fn collapse_slashes(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    out
}

fn push_log(sh: &mut Shared, mut rec: RequestRecord) {
    sh.seq += 1;
    rec.seq = sh.seq;
    sh.log.push(rec);
}

fn default_error(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("BAD_REQUEST", "Bad request"),
        401 => ("INVALID_SESSION_ID", "Session expired or invalid"),
        403 => ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
        404 => ("NOT_FOUND", "The requested resource does not exist"),
        409 => ("CONFLICT", "Conflict"),
        420 => (
            "REQUEST_RUNNING_TOO_LONG",
            "Your request was running for too long, and has been stopped.",
        ),
        429 => (
            "REQUEST_LIMIT_EXCEEDED",
            "ConcurrentPerOrgLongTxn Limit exceeded.",
        ),
        500 => (
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)",
        ),
        502 | 504 => (
            "SERVER_UNAVAILABLE",
            "The server is temporarily unavailable.",
        ),
        503 => (
            "SERVER_UNAVAILABLE",
            "Server temporarily unavailable, please retry later.",
        ),
        _ => ("UNKNOWN_EXCEPTION", "Injected fault"),
    }
}

async fn handle(
    shared: Arc<Mutex<Shared>>,
    req: Request<Incoming>,
) -> Result<Response<EmuBody>, Dropped> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let bearer = header("authorization").and_then(|a| {
        let (scheme, token) = a.trim().split_once(' ')?;
        (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
            .then(|| token.trim().to_string())
    });
    let body = match req.into_body().collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => return Err(Dropped),
    };
    if let Some(rest) = collapse_slashes(&path).strip_prefix("/__emulator/") {
        return Ok(to_response(control(&shared, &method, rest, &body), None));
    }

    let (latency, fault) = {
        let mut sh = lock(&shared);
        take_faults(&mut sh, &method, &path, query.as_deref(), &body)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    // Salesforce accepts `//services/...` (sf joins an instance URL ending in `/`).
    let route = collapse_slashes(&path);
    let write = api::is_write(&method, &route, &body);
    let record = |status: u16, authorized: bool| RequestRecord {
        seq: 0,
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        status,
        authorized,
        write,
        bearer: bearer.clone(),
    };
    let is_authorized = |sh: &Shared| {
        bearer
            .as_deref()
            .is_some_and(|b| sh.state.token_is_current(b))
    };

    // Faults answered without doing the request.
    match &fault {
        Some(FaultKind::Status {
            status,
            retry_after,
            error_code,
        }) => {
            let (code, message) = default_error(*status);
            let code = error_code.clone().unwrap_or_else(|| code.to_string());
            let mut resp = api::sf_error(*status, &code, message, &[]);
            if let Some(secs) = retry_after {
                resp.headers.push(("Retry-After".into(), secs.to_string()));
            }
            let mut sh = lock(&shared);
            let authorized = is_authorized(&sh);
            push_log(&mut sh, record(*status, authorized));
            return Ok(to_response(resp, None));
        }
        Some(FaultKind::EchoAuthorization { status }) => {
            let echoed = format!(
                "Bad request; you sent Authorization: Bearer {}",
                bearer.as_deref().unwrap_or("")
            );
            let resp = api::sf_error(*status, "BAD_REQUEST", &echoed, &[]);
            let mut sh = lock(&shared);
            let authorized = is_authorized(&sh);
            push_log(&mut sh, record(*status, authorized));
            return Ok(to_response(resp, None));
        }
        Some(FaultKind::Unauthorized) => {
            let mut sh = lock(&shared);
            let authorized = is_authorized(&sh);
            push_log(&mut sh, record(401, authorized));
            return Ok(to_response(api::invalid_session(), None));
        }
        Some(FaultKind::Redirect { status, location }) => {
            let mut resp = api::sf_error(*status, "MOVED", "Moved", &[]);
            resp.headers.push(("Location".into(), location.clone()));
            let mut sh = lock(&shared);
            let authorized = is_authorized(&sh);
            push_log(&mut sh, record(*status, authorized));
            return Ok(to_response(resp, None));
        }
        Some(FaultKind::DropConnection { after_apply: false }) => {
            let mut sh = lock(&shared);
            let authorized = is_authorized(&sh);
            push_log(&mut sh, record(0, authorized));
            return Err(Dropped);
        }
        _ => {}
    }

    let resp = {
        let mut sh = lock(&shared);
        if fault == Some(FaultKind::ExpireToken) {
            sh.state.token_expired = true;
        }
        let authorized = is_authorized(&sh);
        let page_size = sh.opts.page_size;
        let resp = api::handle(
            &mut sh.state,
            page_size,
            &ApiRequest {
                method: &method,
                path: &route,
                query: query.as_deref(),
                bearer: bearer.as_deref(),
                body: &body,
            },
        );
        let status = match fault {
            Some(FaultKind::DropConnection { .. }) => 0,
            Some(FaultKind::MalformedJson) => 200,
            _ => resp.status,
        };
        push_log(&mut sh, record(status, authorized));
        resp
    };
    match fault {
        Some(FaultKind::DropConnection { .. }) => Err(Dropped),
        Some(FaultKind::MalformedJson) => {
            let mut body = resp.body;
            if body.is_empty() {
                body = br#"{"records":[{"Id":"#.to_vec();
            } else {
                body.truncate((body.len() / 2).max(1));
            }
            let mut headers = resp.headers;
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
            headers.push((
                "Content-Type".into(),
                "application/json;charset=UTF-8".into(),
            ));
            Ok(to_response(
                ApiResponse {
                    status: 200,
                    headers,
                    body,
                },
                None,
            ))
        }
        Some(FaultKind::PageFields { set }) => {
            let mut resp = resp;
            if let Ok(mut answer) = serde_json::from_slice::<Value>(&resp.body) {
                set_page_fields(&mut answer, &set);
                resp.body = serde_json::to_vec(&answer).unwrap_or_default();
            }
            Ok(to_response(resp, None))
        }
        Some(FaultKind::SlowBody { ms }) => Ok(to_response(resp, Some(Duration::from_millis(ms)))),
        Some(FaultKind::SlowAnswer { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(to_response(resp, None))
        }
        _ => Ok(to_response(resp, None)),
    }
}

fn control(shared: &Mutex<Shared>, method: &str, rest: &str, body: &[u8]) -> ApiResponse {
    let mut sh = lock(shared);
    let bad = |m: String| ApiResponse::json(400, &json!({"error": m}));
    let parts: Vec<&str> = rest.trim_end_matches('/').splitn(2, '/').collect();
    match (method, parts.as_slice()) {
        ("GET", ["log"]) => {
            ApiResponse::json(200, &serde_json::to_value(&sh.log).unwrap_or_default())
        }
        ("DELETE", ["log"]) => {
            sh.log.clear();
            ApiResponse::no_content()
        }
        ("POST", ["refresh"]) => {
            let name = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
                v.get("sandboxName")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
            match name {
                Some(name)
                    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()) =>
                {
                    sh.state.refresh_from_production(&name);
                    ApiResponse::json(200, &json!({"orgId": sh.state.org_id}))
                }
                _ => bad("expected {\"sandboxName\": \"<letters and digits>\"}".into()),
            }
        }
        ("GET", ["faults"]) => {
            ApiResponse::json(200, &serde_json::to_value(&sh.faults).unwrap_or_default())
        }
        ("DELETE", ["faults"]) => {
            sh.faults.clear();
            ApiResponse::no_content()
        }
        ("POST", ["faults"]) => match serde_json::from_slice::<Fault>(body) {
            Ok(f) => {
                sh.faults.push(f);
                ApiResponse::json(201, &json!({"ok": true, "pending": sh.faults.len()}))
            }
            Err(e) => bad(format!("not a fault: {e}")),
        },
        ("GET", ["records", object]) => {
            if sh.state.data.table(object).is_none() && sh.state.tooling.table(object).is_none() {
                return ApiResponse::json(404, &json!({"error": format!("no object {object}")}));
            }
            ApiResponse::json(200, &Value::Array(sh.state.records(object)))
        }
        ("POST", ["records", object]) => {
            let v: Value = match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => return bad(format!("not JSON: {e}")),
            };
            let tooling = sh.state.data.table(object).is_none();
            match sh.state.insert_raw(tooling, object, v) {
                Ok(id) => ApiResponse::json(201, &json!({"id": id})),
                Err(e) => bad(e),
            }
        }
        ("GET", ["state"]) => {
            let s = &sh.state;
            ApiResponse::json(
                200,
                &json!({
                    "seed": s.seed, "instanceUrl": s.instance_url, "orgId": s.org_id,
                    "userId": s.user_id, "username": s.username, "accessToken": s.access_token,
                    "tokenExpired": s.token_expired, "refreshToken": s.refresh_token,
                    "apiUsage": s.api_usage(), "apiUsageStart": s.api_usage_start,
                    "apiLimit": s.api_limit, "advanceSandboxOnQuery": s.advance_sandbox_on_query,
                    "fixedNow": s.fixed_now, "verifyEmailChanges": s.verify_email_changes,
                    "pendingEmailChanges": s.pending_email_changes.iter()
                        .map(|(id, email)| json!({"userId": id, "email": email}))
                        .collect::<Vec<_>>(),
                }),
            )
        }
        ("PATCH", ["state"]) => {
            let v: Value = match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => return bad(format!("not JSON: {e}")),
            };
            let Value::Object(m) = v else {
                return bad("expected an object".into());
            };
            for (k, v) in m {
                let s = &mut sh.state;
                let ok = match (k.as_str(), &v) {
                    ("apiUsageStart", Value::Number(n)) => {
                        n.as_u64().map(|n| s.api_usage_start = n).is_some()
                    }
                    ("apiLimit", Value::Number(n)) => n.as_u64().map(|n| s.api_limit = n).is_some(),
                    ("tokenExpired", Value::Bool(b)) => {
                        s.token_expired = *b;
                        true
                    }
                    ("advanceSandboxOnQuery", Value::Bool(b)) => {
                        s.advance_sandbox_on_query = *b;
                        true
                    }
                    ("verifyEmailChanges", Value::Bool(b)) => {
                        s.verify_email_changes = *b;
                        true
                    }
                    ("fixedNow", Value::Null) => {
                        s.fixed_now = None;
                        true
                    }
                    ("fixedNow", Value::String(t)) => {
                        s.fixed_now = Some(t.clone());
                        true
                    }
                    _ => false,
                };
                if !ok {
                    return bad(format!("cannot set {k} to {v}"));
                }
            }
            ApiResponse::no_content()
        }
        ("POST", ["confirm-email", user_id]) => {
            if sh.state.confirm_email_change(user_id) {
                ApiResponse::no_content()
            } else {
                ApiResponse::json(
                    404,
                    &json!({"error": format!("no email change is held for user {user_id}")}),
                )
            }
        }
        ("POST", ["reset"]) => {
            sh.reset();
            ApiResponse::no_content()
        }
        _ => ApiResponse::json(
            404,
            &json!({"error": format!("no control endpoint {method} /__emulator/{rest}")}),
        ),
    }
}
