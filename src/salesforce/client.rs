//! The one HTTP client for Salesforce: REST and Tooling queries with paging, sobject reads and
//! writes, describe, composite. It retries only what is safe to retry (idempotent methods, on
//! 420/429/5xx and network errors, with exponential backoff, jitter and `Retry-After`), renews
//! the access token once on a 401 when a refresh token is at hand, warns when the org's API
//! usage passes 90%, refuses plain `http` except on loopback, and counts its requests.

use super::error::{api_error, network_error};
use crate::protocol::{Error, Result};
use crate::redacted::Secret;
use reqwest::{Method, StatusCode, Url};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

/// Newest API version the tool knows it works with; used when neither the user, sf config, nor
/// the org says otherwise.
pub const DEFAULT_API_VERSION: &str = "62.0";

/// What it takes to renew an access token (`POST {login}/services/oauth2/token`).
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub token_url: Url,
    pub client_id: String,
    pub refresh_token: Secret,
}

/// Where and as whom to talk to an org.
#[derive(Debug, Clone)]
pub struct Connection {
    pub instance_url: Url,
    /// `None`: nobody said (no flag, sf config, or sf JSON): the org's newest is used.
    pub api_version: Option<String>,
    pub access_token: Secret,
    pub refresh: Option<RefreshGrant>,
    /// For messages: which org this is (`admin@acme.com.uat`).
    pub username: Option<String>,
}

/// Retry budget. Defaults follow the sf CLI (5 retries, 500 ms doubling); tests shorten the
/// base delay through `LOGIK_REFRESH_RETRY_BASE_MS` so a fault matrix runs in seconds.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl RetryPolicy {
    pub fn from_env() -> Self {
        let base_ms = env_u64("LOGIK_REFRESH_RETRY_BASE_MS").unwrap_or(500);
        RetryPolicy {
            max_retries: env_u64("LOGIK_REFRESH_MAX_RETRIES")
                .map(|n| n as u32)
                .unwrap_or(5),
            base_delay: Duration::from_millis(base_ms),
            max_delay: Duration::from_secs(30),
        }
    }

    fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_delay);
        }
        let exp = self.base_delay.saturating_mul(1u32 << attempt.min(16));
        // Full jitter in [50%, 100%] so parallel runs against one org do not retry in lockstep.
        let jittered = exp.mul_f64(0.5 + fastrand::f64() * 0.5);
        jittered.min(self.max_delay)
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}

pub struct Client {
    http: reqwest::Client,
    instance_url: Url,
    api_version: std::sync::OnceLock<String>,
    username: Option<String>,
    token: RwLock<(u64, Secret)>,
    refresh: Option<RefreshGrant>,
    refresh_lock: tokio::sync::Mutex<()>,
    retry: RetryPolicy,
    requests: AtomicU64,
    warnings: Mutex<Vec<String>>,
}

/// One read of a [`Client::get_batch`].
#[derive(Debug, Clone)]
pub enum BatchRead {
    /// A SOQL query (on the batch's API).
    Query(String),
    /// A GET of a path (absolute `/services/...` or relative to `/services/data/vNN.N/`).
    Get(String),
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
        if let Some(refresh) = &conn.refresh {
            check_url_is_safe(&refresh.token_url, "login URL")?;
        }
        // reqwest is built without a bundled crypto provider so that we choose ring (small,
        // fast to build); it must be installed before the first client exists.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let timeout = env_u64("LOGIK_REFRESH_HTTP_TIMEOUT_MS").unwrap_or(60_000);
        let http = reqwest::Client::builder()
            .user_agent(concat!("logik-refresh/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_millis(timeout.min(10_000)))
            .timeout(Duration::from_millis(timeout))
            .build()
            .map_err(|e| Error::new("HttpClientError", format!("Could not set up HTTPS: {e}")))?;
        Ok(Client {
            http,
            instance_url: conn.instance_url,
            api_version: match conn.api_version {
                Some(version) => std::sync::OnceLock::from(version),
                None => std::sync::OnceLock::new(),
            },
            username: conn.username,
            token: RwLock::new((0, conn.access_token)),
            refresh: conn.refresh,
            refresh_lock: tokio::sync::Mutex::new(()),
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
        let newest = versions
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.get("version").and_then(Value::as_str))
            .filter_map(|v| v.parse::<f64>().ok().map(|n| (n, v.to_string())))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, v)| v);
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

    /// Several GETs (queries, describes) in one round trip and one API call: a composite of
    /// reads, on the Data API or, with `tooling`, the Tooling API. Each answer comes back on
    /// its own, as its body or its error; a query's further pages are followed.
    pub async fn get_batch(
        &self,
        tooling: bool,
        reads: &[BatchRead],
    ) -> Result<Vec<Result<Value>>> {
        let subrequests: Vec<Value> = reads
            .iter()
            .enumerate()
            .map(|(i, read)| {
                let url = match read {
                    BatchRead::Query(soql) => {
                        let endpoint = if tooling { "tooling/query" } else { "query" };
                        let mut url = Url::parse("http://x/").expect("static URL");
                        url.set_path(&self.data_path(endpoint));
                        url.query_pairs_mut().append_pair("q", soql);
                        format!("{}?{}", url.path(), url.query().unwrap_or_default())
                    }
                    BatchRead::Get(path) => self.resolve(path),
                };
                json!({"method": "GET", "url": url, "referenceId": format!("read{i}")})
            })
            .collect();
        let endpoint = if tooling {
            "tooling/composite"
        } else {
            "composite"
        };
        let answers = self.composite_at(endpoint, false, subrequests).await?;
        let mut results = Vec::with_capacity(reads.len());
        for (i, read) in reads.iter().enumerate() {
            let reference = format!("read{i}");
            let answer = answers
                .iter()
                .find(|a| a.get("referenceId").and_then(Value::as_str) == Some(reference.as_str()));
            let status = answer
                .and_then(|a| a.get("httpStatusCode"))
                .and_then(Value::as_u64)
                .unwrap_or(500) as u16;
            let body = answer
                .and_then(|a| a.get("body"))
                .cloned()
                .unwrap_or(Value::Null);
            if !(200..300).contains(&status) {
                let what = match read {
                    BatchRead::Query(_) => format!("GET {endpoint} (query)"),
                    BatchRead::Get(path) => format!("GET {endpoint} ({path})"),
                };
                results.push(Err(api_error(status, &body.to_string(), &what)));
                continue;
            }
            results.push(match read {
                BatchRead::Query(_) => self.rest_of_pages(body).await.map(Value::Array),
                BatchRead::Get(_) => Ok(body),
            });
        }
        Ok(results)
    }

    /// The records of a query answer, following `nextRecordsUrl` to the last page.
    async fn rest_of_pages(&self, mut page: Value) -> Result<Vec<Value>> {
        let mut records = Vec::new();
        loop {
            if let Some(Value::Array(rows)) = page.get_mut("records") {
                records.append(rows);
            }
            let done = page.get("done").and_then(Value::as_bool).unwrap_or(true);
            let next = page
                .get("nextRecordsUrl")
                .and_then(Value::as_str)
                .map(str::to_string);
            match next {
                Some(next) if !done => {
                    let url = self.url(&next)?;
                    page = self.send(Method::GET, url, None, true).await?.body;
                }
                _ => return Ok(records),
            }
        }
    }

    /// `POST composite`: several subrequests in one round trip. A composite of GETs only is
    /// safe to retry; one that writes is not.
    pub async fn composite(
        &self,
        all_or_none: bool,
        subrequests: Vec<Value>,
    ) -> Result<Vec<Value>> {
        self.composite_at("composite", all_or_none, subrequests)
            .await
    }

    async fn composite_at(
        &self,
        endpoint: &str,
        all_or_none: bool,
        subrequests: Vec<Value>,
    ) -> Result<Vec<Value>> {
        let read_only = subrequests
            .iter()
            .all(|r| r.get("method").and_then(Value::as_str) == Some("GET"));
        let body = json!({ "allOrNone": all_or_none, "compositeRequest": subrequests });
        let url = self.url(&self.data_path(endpoint))?;
        let answer = self
            .send(Method::POST, url, Some(&body), read_only)
            .await?
            .body;
        match answer.get("compositeResponse") {
            Some(Value::Array(items)) => Ok(items.clone()),
            _ => Err(Error::new(
                "UnexpectedResponseError",
                "Salesforce's composite answer has no `compositeResponse` list.",
            )),
        }
    }

    fn resolve(&self, path: &str) -> String {
        if path.starts_with("/services/") {
            path.to_string()
        } else {
            self.data_path(path)
        }
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.instance_url
            .join(path)
            .map_err(|e| Error::new("InvalidUrlError", format!("Bad request path {path}: {e}")))
    }

    /// Sends one logical request: retries, token renewal, error mapping.
    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<Response> {
        let what = format!("{method} {}", describe_path(&url));
        let mut attempt: u32 = 0;
        let mut renewed = false;
        loop {
            let (generation, token) = self.token.read().unwrap().clone();
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose())
                .header("Accept", "application/json");
            if let Some(body) = body {
                request = request.json(body);
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let result = request.send().await;
            let response = match result {
                Ok(response) => response,
                Err(err) => {
                    if idempotent && attempt < self.retry.max_retries {
                        tokio::time::sleep(self.retry.delay(attempt, None)).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(network_error(&err, &what, attempt + 1));
                }
            };
            let status = response.status();
            self.note_api_usage(response.headers());
            if status == StatusCode::UNAUTHORIZED && !renewed {
                renewed = true;
                self.renew_token(generation).await?;
                continue;
            }
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let text = match response.text().await {
                Ok(text) => text,
                Err(err) => {
                    if idempotent && attempt < self.retry.max_retries {
                        tokio::time::sleep(self.retry.delay(attempt, None)).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(network_error(&err, &what, attempt + 1));
                }
            };
            if status.is_success() {
                let body = if text.trim().is_empty() {
                    Value::Null
                } else {
                    match serde_json::from_str(&text) {
                        Ok(value) => value,
                        Err(_) if idempotent && attempt < self.retry.max_retries => {
                            tokio::time::sleep(self.retry.delay(attempt, None)).await;
                            attempt += 1;
                            continue;
                        }
                        Err(e) => {
                            return Err(Error::new(
                                "UnexpectedResponseError",
                                format!("Salesforce's answer to {what} is not valid JSON ({e})."),
                            )
                            .with_action("Try again; if it persists, the org or a proxy in between is misbehaving."));
                        }
                    }
                };
                return Ok(Response { status, body });
            }
            if is_retryable(status) && idempotent && attempt < self.retry.max_retries {
                tokio::time::sleep(self.retry.delay(attempt, retry_after)).await;
                attempt += 1;
                continue;
            }
            let mut err = api_error(status.as_u16(), &text, &what);
            if status == StatusCode::UNAUTHORIZED {
                err = self.session_error(err);
            }
            if is_retryable(status) && idempotent {
                err.message
                    .push_str(&format!(" (gave up after {} attempts)", attempt + 1));
            }
            return Err(err);
        }
    }

    /// Renews the access token once. `seen` is the token generation the failed request used:
    /// when another request already renewed it, the new token is simply used.
    async fn renew_token(&self, seen: u64) -> Result<()> {
        let _guard = self.refresh_lock.lock().await;
        if self.token.read().unwrap().0 != seen {
            return Ok(());
        }
        let Some(grant) = &self.refresh else {
            return Err(self.session_error(Error::new(
                "ExpiredAccessTokenError",
                "The org refused the access token (401 INVALID_SESSION_ID) and there is no refresh token to renew it.",
            )));
        };
        self.requests.fetch_add(1, Ordering::Relaxed);
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", grant.client_id.as_str()),
            ("refresh_token", grant.refresh_token.expose()),
        ];
        let response = self
            .http
            .post(grant.token_url.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| network_error(&e, "POST /services/oauth2/token", 1))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let token = serde_json::from_str::<Value>(&text).ok().and_then(|v| {
            v.get("access_token")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        match token {
            Some(token) if status.is_success() => {
                let mut slot = self.token.write().unwrap();
                *slot = (slot.0 + 1, Secret::new(token));
                Ok(())
            }
            _ => {
                let scrubbed = grant.refresh_token.scrub(&text);
                let reason = serde_json::from_str::<Value>(&scrubbed)
                    .ok()
                    .and_then(|v| {
                        v.get("error_description")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
                    .unwrap_or_else(|| format!("HTTP {status}"));
                Err(self.session_error(Error::new(
                    "TokenRefreshError",
                    format!("The access token expired and renewing it failed: {reason}."),
                )))
            }
        }
    }

    fn session_error(&self, mut err: Error) -> Error {
        let who = self.username.as_deref().unwrap_or("<alias>");
        err.actions.clear();
        err.actions
            .push(format!("Log in again: sf org login web -o {who}"));
        err.actions.push(format!(
            "Or let sf renew the session, then retry: sf org display -o {who}"
        ));
        err
    }

    fn note_api_usage(&self, headers: &reqwest::header::HeaderMap) {
        let Some(info) = headers
            .get("sforce-limit-info")
            .and_then(|v| v.to_str().ok())
        else {
            return;
        };
        let Some((used, limit)) = parse_api_usage(info) else {
            return;
        };
        if limit > 0 && used * 10 >= limit * 9 {
            let mut warnings = self.warnings.lock().unwrap();
            if !warnings.iter().any(|w| w.starts_with("API usage")) {
                warnings.push(format!(
                    "API usage is at {used} of {limit} daily requests ({}%): the org is close to its limit.",
                    used * 100 / limit
                ));
            }
        }
    }
}

fn is_retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 420 | 429 | 500 | 502 | 503 | 504)
}

/// `api-usage=18/5000` -> (18, 5000).
pub fn parse_api_usage(header: &str) -> Option<(u64, u64)> {
    let usage = header
        .split(',')
        .find_map(|part| part.trim().strip_prefix("api-usage="))?;
    let (used, limit) = usage.split_once('/')?;
    Some((used.trim().parse().ok()?, limit.trim().parse().ok()?))
}

/// The path of a request for messages: the SOQL of a query is kept out (it can be long), the
/// host too (the user knows which org).
fn describe_path(url: &Url) -> String {
    url.path().to_string()
}

/// `https` always; plain `http` only to this machine (the org emulator, a local proxy).
pub fn check_url_is_safe(url: &Url, what: &str) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        scheme => Err(Error::input(
            "InsecureInstanceUrlError",
            format!(
                "The org's {what} {url} uses {scheme}://; tokens are only sent over https (plain http is allowed only to loopback addresses)."
            ),
        )
        .with_action("Use the https:// My Domain URL of the org (`sf org display -o <alias>` shows it).")),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(host)) => host.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Parses an instance URL as sf prints it (it may end in `/`) and checks it is safe to use.
pub fn parse_instance_url(text: &str) -> Result<Url> {
    let url = Url::parse(text.trim()).map_err(|e| {
        Error::input(
            "InvalidInstanceUrlError",
            format!("The instance URL {text:?} is not a URL: {e}."),
        )
        .with_action("Pass the org as sf prints it: sf org display --json -o <alias>")
    })?;
    check_url_is_safe(&url, "instance URL")?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_usage_header() {
        assert_eq!(parse_api_usage("api-usage=18/5000"), Some((18, 5000)));
        assert_eq!(
            parse_api_usage("per-app-api-usage=1/2, api-usage=4600/5000"),
            Some((4600, 5000))
        );
        assert_eq!(parse_api_usage("nonsense"), None);
    }

    #[test]
    fn only_loopback_may_use_http() {
        assert!(parse_instance_url("http://127.0.0.1:8765/").is_ok());
        assert!(parse_instance_url("http://localhost:1/").is_ok());
        assert!(parse_instance_url("http://[::1]:1/").is_ok());
        assert!(parse_instance_url("https://acme--uat.sandbox.my.salesforce.com").is_ok());
        let err = parse_instance_url("http://acme.my.salesforce.com").unwrap_err();
        assert_eq!(err.name, "InsecureInstanceUrlError");
        assert_eq!(err.exit.code(), 2);
        assert!(parse_instance_url("not a url").is_err());
    }

    #[test]
    fn backoff_grows_and_honours_retry_after() {
        let policy = RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
        };
        let first = policy.delay(0, None);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let third = policy.delay(2, None);
        assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(99))),
            Duration::from_secs(5)
        );
    }
}
