//! A stateful fake Salesforce org on loopback, for tests, the demo and benchmarks.
//!
//! It speaks the REST shapes of REFERENCE.md section 5 (query with paging, sobject
//! get/patch/post/delete, describe, Tooling API, composite, sObject Collections updates, limits,
//! OAuth refresh, userinfo, and optionally Salesforce's verification of `User.Email` changes),
//! keeps a request log, and injects faults (latency, error statuses, 401s, token expiry, dropped
//! connections, malformed or slow bodies). [`Emulator::start`] runs it on its own thread with its
//! own tokio runtime, so synchronous tests can use it; other processes drive it through the
//! control plane under `/__emulator/` (see the `server` module).

mod access;
mod api;
mod apps;
mod auth;
mod http;
pub mod language;
mod metadata;
mod permsets;
mod profiles;
pub mod proxy;
mod refresh;
mod rules;
mod seed;
mod server;
pub mod soql;
pub mod state;
pub mod tls;
mod util;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_auth;
#[cfg(test)]
mod tests_strict;

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use apps::{
    ConnectedApp, JWT_APP_CONSUMER_KEY, JWT_TEST_PRIVATE_KEY_PEM, SECRET_APP_CONSUMER_KEY,
    SECRET_APP_CONSUMER_SECRET,
};
pub use seed::{OLD_TENANT_URL, PRODUCTION_TENANT_URL, SHADOW_TENANT_URL};
pub use state::{
    FieldSchema, FieldType, ObjectSchema, ObjectStore, OrgState, Record, SObjectTable,
};
pub use util::{id_checksum, is_valid_id18, to_id18};

/// The access token the seeds start with.
pub const SEED_ACCESS_TOKEN: &str = "00D5e000000AbCd!AQ4AQKnownTokenValue.For_Tests";
/// The refresh token `/services/oauth2/token` accepts.
pub const SEED_REFRESH_TOKEN: &str = "5Aep861KnownRefreshToken.For_Tests";
/// The refreshed sandbox's org id (18 characters, valid checksum).
pub const SEED_ORG_ID: &str = "00D5e000000AbCdEAK";
/// The running user of the refreshed sandbox.
pub const SEED_USERNAME: &str = "admin@acme.com.uat";
/// The production org's id (seed `Production`).
pub const PRODUCTION_ORG_ID: &str = "00D3t000000PrOdEAK";
/// The running user of the production org.
pub const PRODUCTION_USERNAME: &str = "admin@acme.com";
/// The highest API version `GET /services/data` lists (versions 20.0 up to it are served).
pub const LATEST_API_VERSION: &str = "66.0";

/// Which org the emulator starts as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Seed {
    /// Sandbox `uat` just refreshed from production, still pointing at the old Logik tenant.
    #[default]
    RefreshedSandbox,
    /// The production org, with `SandboxProcess` rows (a refresh of `uat` under way).
    Production,
    /// The sandbox without the LGK package.
    NoLogik,
    /// The sandbox without Salesforce CPQ (SBQQ).
    NoCpq,
}

impl Seed {
    pub fn as_str(self) -> &'static str {
        match self {
            Seed::RefreshedSandbox => "refreshed-sandbox",
            Seed::Production => "production",
            Seed::NoLogik => "no-logik",
            Seed::NoCpq => "no-cpq",
        }
    }
}

impl FromStr for Seed {
    type Err = String;

    fn from_str(s: &str) -> Result<Seed, String> {
        [
            Seed::RefreshedSandbox,
            Seed::Production,
            Seed::NoLogik,
            Seed::NoCpq,
        ]
        .into_iter()
        .find(|seed| seed.as_str() == s)
        .ok_or_else(|| {
            format!(
                "unknown seed {s:?}: expected refreshed-sandbox, production, no-logik or no-cpq"
            )
        })
    }
}

/// How to start the emulator.
#[derive(Clone, Debug)]
pub struct EmulatorOptions {
    /// 0 picks a free port.
    pub port: u16,
    pub seed: Seed,
    /// Added to every response (control plane excepted).
    pub latency: Duration,
    /// Query page size (Salesforce: 2000).
    pub page_size: usize,
    /// The running user's language (statuses, profile names and labels shown in it).
    pub language: language::Language,
    /// Serve HTTPS under a DNS name instead of plain HTTP on 127.0.0.1 (see the `tls` module).
    pub tls: Option<TlsOptions>,
}

/// HTTPS as an org serves it: under `host` (which the client must resolve to 127.0.0.1), with
/// `identity`'s certificate.
#[derive(Clone, Debug)]
pub struct TlsOptions {
    pub host: String,
    pub identity: tls::ServerIdentity,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            port: 0,
            seed: Seed::default(),
            latency: Duration::ZERO,
            page_size: 2000,
            language: language::Language::English,
            tls: None,
        }
    }
}

/// One request the org served (control-plane requests are not logged).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RequestRecord {
    pub seq: u64,
    pub method: String,
    pub path: String,
    /// The raw (still encoded) query string.
    pub query: Option<String>,
    /// 0 when the connection was dropped without an answer.
    pub status: u16,
    /// Whether the request carried the current, unexpired access token.
    pub authorized: bool,
    /// POST/PATCH/PUT/DELETE on the data APIs; a composite request counts as a write when one of
    /// its subrequests does.
    pub write: bool,
    /// The token presented (`Authorization: Bearer ...`).
    pub bearer: Option<String>,
}

/// A fault to inject into the next `times` matching requests.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Fault {
    /// Only requests with this method (any when absent).
    #[serde(default)]
    pub method: Option<String>,
    /// Only requests whose path, or decoded query string, contains this. A fault naming a write
    /// method (PATCH, POST, DELETE) also hits a composite request that carries a matching write.
    #[serde(default)]
    pub path_contains: Option<String>,
    /// How many matching requests it hits before it is removed.
    #[serde(default = "one")]
    pub times: u32,
    pub kind: FaultKind,
}

fn one() -> u32 {
    1
}

/// What a fault does.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FaultKind {
    /// Delays the answer (adds up with other latency faults).
    Latency { ms: u64 },
    /// Answers this status with a Salesforce error array, without doing the request.
    Status {
        status: u16,
        #[serde(default)]
        retry_after: Option<u64>,
        #[serde(default)]
        error_code: Option<String>,
    },
    /// 401 INVALID_SESSION_ID, the token staying valid.
    Unauthorized,
    /// Answers `status` with an error array whose message quotes the request's `Authorization`
    /// header, as a misbehaving proxy or debug endpoint does (no Salesforce behaviour: a hostile
    /// server, for the client's secret hygiene).
    EchoAuthorization { status: u16 },
    /// The current access token stops working until `/services/oauth2/token` issues a new one.
    ExpireToken,
    /// Closes the socket without answering (after doing the request when `after_apply`).
    DropConnection {
        #[serde(default)]
        after_apply: bool,
    },
    /// Does the request, then answers 200 with a truncated JSON body.
    MalformedJson,
    /// Does the request, sends the headers, then the body after `ms`.
    SlowBody { ms: u64 },
    /// Does the request at once, then waits `ms` before answering at all: the window in which
    /// a client has written but not yet heard back (to test a process killed right there).
    SlowAnswer { ms: u64 },
    /// Answers `status` (a 3xx) with `Location: location`, without doing the request (no
    /// Salesforce behaviour: a hostile server or proxy, for the client's redirect rules).
    Redirect { status: u16, location: String },
    /// Does the request, then sets these fields in every query page of the answer (the answer
    /// itself, or a composite's subrequest answers): `done: false` with a `nextRecordsUrl`
    /// elsewhere or back at itself, `records` that are not rows (no Salesforce behaviour: a
    /// hostile server, for the client's paging and reading rules).
    PageFields {
        set: serde_json::Map<String, serde_json::Value>,
    },
    /// Lets the first `skip` matching requests pass, then acts as `then` (a fault for a later
    /// request that looks like an earlier one, such as a command's second composite).
    Later { skip: u32, then: Box<FaultKind> },
}

pub(crate) struct Shared {
    pub state: OrgState,
    pub log: Vec<RequestRecord>,
    pub faults: Vec<Fault>,
    pub seq: u64,
    /// TCP connections accepted (a client that retries connects again).
    pub connections: u64,
    pub opts: EmulatorOptions,
}

impl Shared {
    /// Back to the seed: state, log and faults.
    pub fn reset(&mut self) {
        let url = self.state.instance_url.clone();
        self.state = OrgState::new(self.opts.seed);
        seed::localize(&mut self.state, self.opts.language);
        self.state.instance_url = url;
        self.log.clear();
        self.faults.clear();
    }
}

pub(crate) fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running fake org. Dropping it stops the server.
pub struct Emulator {
    shared: Arc<Mutex<Shared>>,
    addr: SocketAddr,
    base_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds `127.0.0.1:port` and serves on a thread of its own; returns once listening.
    pub fn start(opts: EmulatorOptions) -> std::io::Result<Emulator> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", opts.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let mut state = OrgState::new(opts.seed);
        seed::localize(&mut state, opts.language);
        state.instance_url = match &opts.tls {
            Some(tls) => format!("https://{}:{}", tls.host, addr.port()),
            None => format!("http://{addr}"),
        };
        let acceptor = opts
            .tls
            .as_ref()
            .map(|t| tls::acceptor(&t.identity))
            .transpose()?;
        let base_url = state.instance_url.clone();
        let shared = Arc::new(Mutex::new(Shared {
            state,
            log: Vec::new(),
            faults: Vec::new(),
            seq: 0,
            connections: 0,
            opts: EmulatorOptions {
                page_size: opts.page_size.max(1),
                ..opts
            },
        }));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        let for_thread = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("org-emulator-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(server::serve(listener, acceptor, for_thread, rx));
            })?;
        Ok(Emulator {
            shared,
            addr,
            base_url,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, or `https://HOST:PORT` when serving TLS.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The address it listens on (127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// TCP connections accepted so far (each TLS handshake tried is one).
    pub fn connections(&self) -> u64 {
        lock(&self.shared).connections
    }

    /// The request log, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared).log.clone()
    }

    pub fn clear_log(&self) {
        lock(&self.shared).log.clear();
    }

    pub fn inject(&self, fault: Fault) {
        lock(&self.shared).faults.push(fault);
    }

    /// Faults not yet used up.
    pub fn pending_faults(&self) -> Vec<Fault> {
        lock(&self.shared).faults.clone()
    }

    /// The current records of an object (Data API first, then Tooling), without `attributes`.
    pub fn records(&self, object: &str) -> Vec<serde_json::Value> {
        lock(&self.shared).state.records(object)
    }

    /// Runs `f` on the org's state (to tweak the seed or inspect anything). The Tooling API's
    /// profiles follow the Data API's afterwards (a profile added here is in both), and so do
    /// the profiles' own permission sets and the users' assignments of them.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut OrgState) -> R) -> R {
        let mut shared = lock(&self.shared);
        let out = f(&mut shared.state);
        profiles::sync_tooling_profiles(&mut shared.state);
        permsets::sync(&mut shared.state);
        out
    }

    /// The running user's language from now on: profile names, labels and statuses are shown
    /// in it (as when a refresh brings production's copy of the user, with its language).
    pub fn set_language(&self, language: language::Language) {
        seed::localize(&mut lock(&self.shared).state, language);
    }

    /// The access token currently accepted.
    pub fn access_token(&self) -> String {
        lock(&self.shared).state.access_token.clone()
    }

    /// Back to the seed: state, log and faults.
    pub fn reset(&self) {
        lock(&self.shared).reset();
    }

    /// Refreshes the sandbox `sandbox` from production (see the `refresh` module); returns the
    /// new org ID.
    pub fn refresh(&self, sandbox: &str) -> String {
        let mut shared = lock(&self.shared);
        shared.state.refresh_from_production(sandbox);
        shared.state.org_id.clone()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
