//! The one HTTP client for Salesforce: REST and Tooling queries with paging, sobject reads and
//! writes, describe (composites are in `composite.rs`). It retries only what is safe to retry (idempotent methods, on
//! 420/429/5xx and network errors, with exponential backoff, jitter and `Retry-After`), renews
//! the access token once on a 401 when a refresh token is at hand, warns when the org's API
//! usage passes 90%, refuses plain `http` except on loopback, and counts its requests.

pub use super::composite::BatchRead;
use super::error::{is_permanent, network_error};
use super::https::http_client;
pub use super::https::prepare_https;
pub use super::instance_url::{check_no_credentials, check_url_is_safe, parse_instance_url};
use super::limits::{MAX_BODY_BYTES, too_large_error, within_deadline};
use super::origin::{check_same_origin, redirect_error};
use super::response::{Answer, api_usage_warnings, newest_version, read_answer};
pub use super::retry::RetryPolicy;
use super::trace::{self, Exchange};
use crate::protocol::{Error, Result};
use crate::redacted::Secret;
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Instant;

/// Newest API version the tool knows it works with; used when neither the user, sf config, nor
/// the org says otherwise.
pub const DEFAULT_API_VERSION: &str = "62.0";

/// The oldest API version every request of the tool works with: `CspTrustedSite.Context`
/// exists from 44.0 (Tooling API object reference), sObject Collections from 42.0, the Tooling
/// API's composite from 40.0.
pub const MIN_API_VERSION: &str = "44.0";

/// Refuses an API version older than [`MIN_API_VERSION`] (or not a version at all), saying
/// where to change it, before any request is sent.
pub fn check_api_version(version: &str) -> Result<()> {
    let number = version.trim().parse::<f64>().ok().filter(|n| n.is_finite());
    let min: f64 = MIN_API_VERSION.parse().unwrap_or(44.0);
    if number.is_some_and(|n| n >= min) {
        return Ok(());
    }
    Err(Error::input(
        "UnsupportedApiVersionError",
        format!(
            "API version {version:?} is older than {MIN_API_VERSION}, the oldest this tool's requests work with (Trusted URLs' Context needs 44.0, sObject Collections 42.0, the Tooling API's composite 40.0)."
        ),
    )
    .with_action(format!(
        "Pass --api-version {MIN_API_VERSION} or later, or unset SF_ORG_API_VERSION and sf's org-api-version so the org's newest is used."
    )))
}

mod renewal;
pub use renewal::{RefreshGrant, Renewal, RenewalSink, TokenFallback};

/// Where and as whom to talk to an org.
#[derive(Debug, Clone)]
pub struct Connection {
    pub instance_url: Url,
    /// `None`: nobody said (no flag, sf config, or sf JSON): the org's newest is used.
    pub api_version: Option<String>,
    pub access_token: Secret,
    pub refresh: Option<RefreshGrant>,
    /// Asked for a fresh token when there is no refresh token or the org refuses the renewal.
    pub fallback: Option<TokenFallback>,
    /// For messages: which org this is (`admin@acme.com.uat`).
    pub username: Option<String>,
}

pub struct Client {
    http: reqwest::Client,
    instance_url: Url,
    api_version: std::sync::OnceLock<String>,
    username: Option<String>,
    token: RwLock<(u64, Secret)>,
    refresh: Option<RefreshGrant>,
    fallback: Option<TokenFallback>,
    /// Held while renewing (see `renewal`).
    refresh_lock: tokio::sync::Mutex<renewal::RenewalState>,
    retry: RetryPolicy,
    requests: AtomicU64,
    warnings: Mutex<Vec<String>>,
}

/// The answer to a request that succeeded.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub body: Value,
}

impl Client {
    pub fn new(conn: Connection) -> Result<Client> {
        check_url_is_safe(&conn.instance_url, "instance URL")?;
        if let Some(version) = &conn.api_version {
            check_api_version(version)?;
        }
        conn.access_token.hold();
        if let Some(refresh) = &conn.refresh {
            check_url_is_safe(&refresh.token_url, "login URL")?;
            refresh.refresh_token.hold();
            if let Some(secret) = &refresh.client_secret {
                secret.hold();
            }
        }
        Ok(Client {
            http: http_client()?,
            instance_url: conn.instance_url,
            api_version: match conn.api_version {
                Some(version) => std::sync::OnceLock::from(version),
                None => std::sync::OnceLock::new(),
            },
            username: conn.username,
            token: RwLock::new((0, conn.access_token)),
            refresh: conn.refresh,
            fallback: conn.fallback,
            refresh_lock: tokio::sync::Mutex::new(Default::default()),
            retry: RetryPolicy::from_env(),
            requests: AtomicU64::new(0),
            warnings: Mutex::new(Vec::new()),
        })
    }

    pub fn instance_url(&self) -> &Url {
        &self.instance_url
    }

    pub fn api_version(&self) -> &str {
        self.api_version
            .get()
            .map(String::as_str)
            .unwrap_or(DEFAULT_API_VERSION)
    }

    /// When no API version was given, asks the org for its newest (`GET /services/data`, which
    /// needs no session), as sf does; the tool's default stays when the org does not say.
    pub async fn settle_api_version(&self) -> Result<()> {
        if self.api_version.get().is_some() {
            return Ok(());
        }
        let versions = self.get("/services/data").await?;
        let newest = newest_version(&versions);
        if let Some(newest) = &newest {
            check_api_version(newest).map_err(|e| {
                e.with_action("The org itself serves nothing newer: it cannot run this tool.")
            })?;
        }
        let _ = self
            .api_version
            .set(newest.unwrap_or_else(|| DEFAULT_API_VERSION.to_string()));
        Ok(())
    }

    /// HTTP requests sent so far (retries and token renewals included).
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Warnings gathered so far (API usage), drained.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().unwrap())
    }

    /// `/services/data/vNN.N/<rest>`.
    pub fn data_path(&self, rest: &str) -> String {
        format!(
            "/services/data/v{}/{}",
            self.api_version(),
            rest.trim_start_matches('/')
        )
    }

    /// Runs a SOQL query and follows `nextRecordsUrl` to the last page.
    pub async fn query(&self, soql: &str) -> Result<Vec<Value>> {
        self.query_at("query", soql).await
    }

    /// Runs a Tooling API query, all pages.
    pub async fn tooling_query(&self, soql: &str) -> Result<Vec<Value>> {
        self.query_at("tooling/query", soql).await
    }

    async fn query_at(&self, endpoint: &str, soql: &str) -> Result<Vec<Value>> {
        let mut url = self.url(&self.data_path(endpoint))?;
        url.query_pairs_mut().append_pair("q", soql);
        let page = self.send(Method::GET, url, None, true).await?.body;
        self.rest_of_pages(page).await
    }

    /// GET a path (absolute `/services/...` or relative to `/services/data/vNN.N/`).
    pub async fn get(&self, path: &str) -> Result<Value> {
        let url = self.url(&self.resolve(path))?;
        Ok(self.send(Method::GET, url, None, true).await?.body)
    }

    /// Describes an sObject (`sobjects/<name>/describe`).
    pub async fn describe(&self, sobject: &str) -> Result<Value> {
        self.get(&format!("sobjects/{sobject}/describe")).await
    }

    /// Describe global: every sObject's name, label, key prefix, custom-setting flag.
    pub async fn describe_global(&self) -> Result<Value> {
        self.get("sobjects").await
    }

    /// PATCH (update). Not retried: the caller re-reads and decides.
    pub async fn patch(&self, path: &str, body: &Value) -> Result<()> {
        let url = self.url(&self.resolve(path))?;
        self.send(Method::PATCH, url, Some(body), false).await?;
        Ok(())
    }

    /// POST (create, composite). Not retried: the caller re-reads and decides.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let url = self.url(&self.resolve(path))?;
        Ok(self.send(Method::POST, url, Some(body), false).await?.body)
    }

    /// DELETE. Idempotent (a second delete is a 404), so retried like a GET.
    pub async fn delete(&self, path: &str) -> Result<()> {
        let url = self.url(&self.resolve(path))?;
        self.send(Method::DELETE, url, None, true).await?;
        Ok(())
    }

    pub(super) fn resolve(&self, path: &str) -> String {
        if path.starts_with("/services/") {
            path.to_string()
        } else {
            self.data_path(path)
        }
    }

    /// The URL of a path on the org. A path with `.` or `..` segments (an ID from outside
    /// such as `../../x`) is refused rather than resolved to some other resource.
    pub(super) fn url(&self, path: &str) -> Result<Url> {
        let route = path.split(['?', '#']).next().unwrap_or_default();
        let dot = |segment: &str| {
            let folded = segment.to_ascii_lowercase().replace("%2e", ".");
            folded == "." || folded == ".."
        };
        if route.split(['/', '\\']).any(dot) {
            return Err(Error::new(
                "InvalidUrlError",
                format!(
                    "The request path {:?} has a `.` or `..` segment; it was not sent.",
                    crate::protocol::output::escape_controls(route)
                ),
            ));
        }
        self.instance_url
            .join(path)
            .map_err(|e| Error::new("InvalidUrlError", format!("Bad request path {path}: {e}")))
    }

    /// Sends one logical request within the deadline: retries, token renewal, error mapping.
    pub(super) async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<Response> {
        let what = format!("{method} {}", describe_path(&url));
        within_deadline(
            &what,
            self.send_retrying(method, url, body, idempotent, &what),
        )
        .await
    }

    async fn send_retrying(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        idempotent: bool,
        what: &str,
    ) -> Result<Response> {
        let body = body.map(|b| serde_json::to_vec(b).expect("requests serialize"));
        let mut attempt: u32 = 0;
        let mut renewed = false;
        loop {
            let may_retry = idempotent && attempt < self.retry.max_retries;
            let (generation, token) = self.token.read().unwrap().clone();
            let request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose())
                .header("Accept", "application/json");
            let request = match &body {
                Some(bytes) => request
                    .header("Content-Type", "application/json")
                    .body(bytes.clone()),
                None => request,
            };
            let answer = match self.exchange(request, Home::Org, what).await {
                Ok(answer) => answer,
                Err(Failure::Refused(err)) => return Err(err),
                Err(Failure::TooLarge) => return Err(too_large_error(what)),
                // A refused certificate or proxy is not transient: no retry.
                Err(Failure::Network(err)) if may_retry && !is_permanent(&err) => {
                    tokio::time::sleep(self.retry.delay(attempt, None)).await;
                    attempt += 1;
                    continue;
                }
                Err(Failure::Network(err)) => return Err(network_error(&err, what, attempt + 1)),
            };
            if answer.status == 401 && !renewed {
                renewed = true;
                self.renew_token(generation).await?;
                continue;
            }
            let retry_after = answer.retry_after.as_deref();
            match read_answer(answer.status, retry_after, &answer.body, what) {
                Answer::Done(body) => {
                    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
                    return Ok(Response { status, body });
                }
                Answer::NotJson(_) if may_retry => {
                    tokio::time::sleep(self.retry.delay(attempt, None)).await;
                    attempt += 1;
                }
                Answer::NotJson(err) => return Err(err),
                Answer::Retryable { retry_after, .. } if may_retry => {
                    tokio::time::sleep(self.retry.delay(attempt, retry_after)).await;
                    attempt += 1;
                }
                Answer::Retryable { mut error, .. } => {
                    if idempotent {
                        error
                            .message
                            .push_str(&format!(" (gave up after {} attempts)", attempt + 1));
                    }
                    return Err(error);
                }
                Answer::Failed(err) if answer.status == 401 => return Err(self.session_error(err)),
                Answer::Failed(err) => return Err(err),
            }
        }
    }

    /// One HTTP round trip: the answer's status, `Retry-After` and body (read up to
    /// [`MAX_BODY_BYTES`]), traced when `--trace` asks. Every request of the client passes
    /// here: one going anywhere but `home`'s origin is refused before it is sent, and a
    /// redirect is an error (none is followed).
    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
        home: Home<'_>,
        what: &str,
    ) -> Result<Answered, Failure> {
        let request = request.build().map_err(Failure::Network)?;
        let (home_url, renewal) = match home {
            Home::Org => (&self.instance_url, false),
            Home::Login(url) => (url, true),
        };
        check_same_origin(request.url(), home_url, request.method().as_str())
            .map_err(Failure::Refused)?;
        let started = Instant::now();
        // What the trace shows of the request, copied only when there is a trace.
        let sent = trace::enabled().then(|| {
            let body = request
                .body()
                .and_then(|b| b.as_bytes())
                .map(<[u8]>::to_vec);
            let head = (request.method().to_string(), request.url().clone());
            (head, request.headers().clone(), body)
        });
        let sent_url = request.url().clone();
        self.requests.fetch_add(1, Ordering::Relaxed);
        let (status, response_headers, body) = match self.http.execute(request).await {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let response_headers = response.headers().clone();
                let body = read_bounded(&mut response).await;
                if renewal && let Ok(body) = &body {
                    // The new token is a secret before anything (the trace first) is written.
                    crate::redacted::hold_secret_fields(body);
                }
                (Some(status), Some(response_headers), body)
            }
            Err(err) => (None, None, Err(Failure::Network(err))),
        };
        if let Some(((method, url), headers, sent_body)) = &sent {
            trace::record(&Exchange {
                method,
                url,
                request_headers: headers,
                request_body: sent_body.as_deref(),
                status,
                response_headers: response_headers.as_ref(),
                response_body: body.as_ref().ok().map(Vec::as_slice),
                elapsed: started.elapsed(),
                error: body.as_ref().err().map(Failure::describe),
            });
        }
        let body = body?;
        let response_headers = response_headers.unwrap_or_default();
        let status = status.unwrap_or(0);
        if (300..400).contains(&status) {
            let location = response_headers
                .get("location")
                .and_then(|v| v.to_str().ok());
            let url = sent_url;
            return Err(Failure::Refused(redirect_error(
                status, location, &url, what,
            )));
        }
        self.note_api_usage(&response_headers);
        Ok(Answered {
            status,
            retry_after: response_headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body,
        })
    }

    fn note_api_usage(&self, headers: &reqwest::header::HeaderMap) {
        let Some(header) = headers
            .get("sforce-limit-info")
            .and_then(|v| v.to_str().ok())
        else {
            return;
        };
        let mut warnings = self.warnings.lock().unwrap();
        for warning in api_usage_warnings(header) {
            // One warning per limit: the text up to " is at".
            let what = warning
                .split(" is at")
                .next()
                .unwrap_or_default()
                .to_string();
            if !warnings
                .iter()
                .any(|w| w.split(" is at").next() == Some(what.as_str()))
            {
                warnings.push(warning);
            }
        }
    }
}

/// Where a request belongs: the org's instance URL, or (renewing a token) the login URL.
#[derive(Clone, Copy)]
enum Home<'a> {
    Org,
    Login(&'a Url),
}

/// An answer as received.
struct Answered {
    status: u16,
    retry_after: Option<String>,
    body: Vec<u8>,
}

/// Why no answer came: the network, an answer past [`MAX_BODY_BYTES`], or the client's own
/// rules (a foreign origin, a redirect).
enum Failure {
    Network(reqwest::Error),
    TooLarge,
    Refused(Error),
}

impl Failure {
    fn describe(&self) -> String {
        match self {
            Failure::Network(e) => e.to_string(),
            Failure::TooLarge => format!("answer larger than {MAX_BODY_BYTES} bytes, not read"),
            Failure::Refused(err) => err.message.clone(),
        }
    }
}

/// Reads a body chunk by chunk, counting, and stops at [`MAX_BODY_BYTES`]: a server cannot
/// make the tool hold more than that, however much it sends or announces.
async fn read_bounded(response: &mut reqwest::Response) -> Result<Vec<u8>, Failure> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(Failure::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Failure::Network)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(Failure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The path of a request for messages: the SOQL of a query is kept out (it can be long), the
/// host too (the user knows which org).
fn describe_path(url: &Url) -> String {
    url.path().to_string()
}
