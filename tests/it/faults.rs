//! The fault matrix, for a read and for a write: what the org does wrong, and what the user
//! sees and the org ends up with. (Dropped connections around a write, 401 with a refresh
//! token, and refused writes are in tenant_urls.rs.)

use crate::common::*;
use logik_org_emulator::{Emulator, Fault, FaultKind};

const NEW: &str = "https://acme-uat.test.logik.io";
const OLD: &str = "https://acme.test.logik.io";

fn setup() -> (Emulator, Sandbox) {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

/// The first read of every command: the Data API composite that reads the Organization and
/// the tenant setting's describe.
const DATA_READS: &str = ".0/composite";

fn read_fault(kind: FaultKind, times: u32) -> Fault {
    Fault {
        method: Some("POST".into()),
        path_contains: Some(DATA_READS.into()),
        times,
        kind,
    }
}

fn write_fault(kind: FaultKind, times: u32) -> Fault {
    Fault {
        method: Some("PATCH".into()),
        path_contains: Some("LGK__ConfigurationTenant__c".into()),
        times,
        kind,
    }
}

fn inspect(sandbox: &Sandbox) -> Run {
    run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]))
}

fn tenant_urls(sandbox: &Sandbox) -> Run {
    run(sandbox.cmd(&[
        "step",
        "tenant-urls",
        "-o",
        "uat",
        "--runtime-url",
        NEW,
        "--json",
    ]))
}

fn runtime_url(emulator: &Emulator) -> String {
    org_default(emulator)["LGK__RuntimeUrl__c"]
        .as_str()
        .unwrap()
        .to_string()
}

fn hits(emulator: &Emulator, needle: &str) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| {
            r.path.contains(needle) || r.query.as_deref().is_some_and(|q| q.contains(needle))
        })
        .count()
}

#[test]
fn read_latency_beyond_the_timeout_is_retried_then_reported() {
    let (emulator, sandbox) = setup();
    emulator.inject(read_fault(FaultKind::Latency { ms: 1500 }, 1));
    let mut cmd = sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]);
    cmd.env("LOGIK_REFRESH_HTTP_TIMEOUT_MS", "500");
    let once = run(cmd);
    assert_eq!(once.code, 0, "one slow answer is retried: {}", once.stdout);

    emulator.inject(read_fault(FaultKind::Latency { ms: 1500 }, 20));
    let mut cmd = sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]);
    cmd.env("LOGIK_REFRESH_HTTP_TIMEOUT_MS", "300")
        .env("LOGIK_REFRESH_MAX_RETRIES", "2");
    let always = run(cmd);
    assert_eq!(always.code, 1, "{}", always.stdout);
    let envelope = always.json();
    assert_eq!(envelope["name"], "RequestTimeoutError");
    assert!(
        envelope["message"].as_str().unwrap().contains("3 attempts"),
        "{envelope:#}"
    );
}

#[test]
fn write_latency_beyond_the_timeout_is_not_written_twice() {
    let (emulator, sandbox) = setup();
    emulator.inject(write_fault(FaultKind::SlowAnswer { ms: 1500 }, 1));
    let mut cmd = sandbox.cmd(&[
        "step",
        "tenant-urls",
        "-o",
        "uat",
        "--runtime-url",
        NEW,
        "--json",
    ]);
    cmd.env("LOGIK_REFRESH_HTTP_TIMEOUT_MS", "500");
    let out = run(cmd);
    assert_eq!(
        out.code, 0,
        "the re-read finds the write landed: {}",
        out.stdout
    );
    assert_eq!(runtime_url(&emulator), NEW);
    assert_eq!(emulator.requests().iter().filter(|r| r.write).count(), 1);
    let events: Vec<String> = sandbox
        .journal()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(events, ["apply-started", "applied"]);
}

#[test]
fn a_401_twice_is_a_clear_error_after_one_renewal() {
    let (emulator, sandbox) = setup();
    emulator.inject(read_fault(FaultKind::Unauthorized, 2));
    let out = inspect(&sandbox);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let envelope = out.json();
    assert_eq!(envelope["name"], "InvalidSessionError");
    assert!(
        envelope["actions"]
            .to_string()
            .contains("sf org login web -o uat"),
        "{envelope:#}"
    );
    assert_eq!(
        hits(&emulator, "/services/oauth2/token"),
        1,
        "renewed once, not in a loop"
    );

    emulator.inject(write_fault(FaultKind::Unauthorized, 2));
    let out = tenant_urls(&sandbox);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(runtime_url(&emulator), OLD);
}

#[test]
fn a_401_once_on_the_write_renews_and_writes_once() {
    let (emulator, sandbox) = setup();
    emulator.inject(write_fault(FaultKind::ExpireToken, 1));
    let out = tenant_urls(&sandbox);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(runtime_url(&emulator), NEW);
    let applied = emulator
        .requests()
        .iter()
        .filter(|r| r.write && r.status < 300)
        .count();
    assert_eq!(applied, 1);
}

#[test]
fn busy_answers_are_retried_with_and_without_retry_after() {
    let (emulator, sandbox) = setup();
    emulator.inject(read_fault(
        FaultKind::Status {
            status: 429,
            retry_after: Some(1),
            error_code: None,
        },
        1,
    ));
    emulator.inject(Fault {
        method: Some("POST".into()),
        path_contains: Some("tooling/composite".into()),
        times: 2,
        kind: FaultKind::Status {
            status: 503,
            retry_after: None,
            error_code: None,
        },
    });
    let started = std::time::Instant::now();
    let out = inspect(&sandbox);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let busy = emulator
        .requests()
        .iter()
        .filter(|r| r.status == 503 || r.status == 429)
        .count();
    assert_eq!(busy, 3, "one 429 and two 503s, each retried");
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(900),
        "Retry-After: 1 was honoured"
    );

    emulator.inject(write_fault(
        FaultKind::Status {
            status: 503,
            retry_after: None,
            error_code: None,
        },
        2,
    ));
    let out = tenant_urls(&sandbox);
    assert_eq!(
        out.code, 0,
        "a write refused with 503 did not land, so it is sent again: {}",
        out.stdout
    );
    assert_eq!(runtime_url(&emulator), NEW);
}

#[test]
fn past_the_retry_budget_is_a_clear_error_and_nothing_is_written() {
    let (emulator, sandbox) = setup();
    emulator.inject(read_fault(
        FaultKind::Status {
            status: 503,
            retry_after: None,
            error_code: None,
        },
        50,
    ));
    let out = tenant_urls(&sandbox);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let envelope = out.json();
    assert_eq!(envelope["name"], "ServerUnavailableError");
    assert!(
        envelope["message"]
            .as_str()
            .unwrap()
            .contains("gave up after 6 attempts"),
        "{envelope:#}"
    );
    assert_eq!(hits(&emulator, DATA_READS), 6, "5 retries, then stop");
    assert_eq!(emulator.requests().iter().filter(|r| r.write).count(), 0);
    assert_eq!(runtime_url(&emulator), OLD);
}

#[test]
fn request_limit_exceeded_is_not_retried() {
    let (emulator, sandbox) = setup();
    let limit = FaultKind::Status {
        status: 403,
        retry_after: None,
        error_code: Some("REQUEST_LIMIT_EXCEEDED".into()),
    };
    emulator.inject(read_fault(limit.clone(), 50));
    let out = inspect(&sandbox);
    assert_eq!(out.code, 1);
    assert_eq!(out.json()["name"], "RequestLimitExceededError");
    assert_eq!(hits(&emulator, DATA_READS), 1, "no retry storm");

    let (emulator, sandbox) = setup();
    emulator.inject(write_fault(limit, 50));
    let out = tenant_urls(&sandbox);
    assert_eq!(out.code, 1);
    assert_eq!(
        emulator.requests().iter().filter(|r| r.write).count(),
        1,
        "one write, not retried"
    );
    assert_eq!(runtime_url(&emulator), OLD);
}

#[test]
fn malformed_json_is_retried_on_a_read_and_re_read_after_a_write() {
    let (emulator, sandbox) = setup();
    emulator.inject(read_fault(FaultKind::MalformedJson, 1));
    let out = inspect(&sandbox);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(hits(&emulator, DATA_READS), 2);

    emulator.inject(write_fault(FaultKind::MalformedJson, 1));
    let out = tenant_urls(&sandbox);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(runtime_url(&emulator), NEW);
    assert_eq!(
        emulator.requests().iter().filter(|r| r.write).count(),
        1,
        "not written twice"
    );
}
