//! Issue 19, the network items: a hostile org answer (a `nextRecordsUrl` pointing elsewhere or
//! back at itself, a redirect, a big token renewal) must not take the token, the memory, the
//! time or a second write. Each test is named after the finding it holds the line on.

use crate::common::*;
use logik_org_emulator::{
    Emulator, Fault, FaultKind, LATEST_API_VERSION, SEED_ACCESS_TOKEN, SEED_REFRESH_TOKEN,
};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const NEW: &str = "https://acme-uat.test.logik.io";

/// Another origin on this machine that answers every request with one body (by default an
/// empty last query page, so a client that goes there carries on happily) and counts what it
/// receives.
struct Elsewhere {
    url: String,
    port: u16,
    connections: Arc<AtomicUsize>,
    last_peer: Arc<AtomicUsize>,
}

impl Elsewhere {
    fn start() -> Elsewhere {
        Elsewhere::answering(r#"{"totalSize":0,"done":true,"records":[]}"#.to_string())
    }

    fn answering(body: String) -> Elsewhere {
        let body: &'static str = Box::leak(body.into_boxed_str());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let last_peer = Arc::new(AtomicUsize::new(0));
        let (count, last) = (connections.clone(), last_peer.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                let peer = stream.peer_addr().map(|a| a.port()).unwrap_or(0);
                last.store(usize::from(peer), Ordering::SeqCst);
                std::thread::spawn(move || answer(stream, body));
            }
        });
        Elsewhere {
            url: format!("http://127.0.0.1:{port}"),
            port,
            connections,
            last_peer,
        }
    }

    /// Connections received so far. A marker connection of our own goes last: once it is
    /// accepted, every earlier one was (the listener accepts in order).
    fn connections(&self) -> usize {
        let marker = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let port = usize::from(marker.local_addr().unwrap().port());
        while self.last_peer.load(Ordering::SeqCst) != port {
            std::thread::yield_now();
        }
        self.connections.load(Ordering::SeqCst) - 1
    }
}

fn answer(mut stream: TcpStream, body: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = [0u8; 65536];
    let _ = stream.read(&mut buf);
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn setup() -> (Emulator, Sandbox) {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

/// The first read of every command: the Data API composite (queries among its subrequests).
fn first_composite(kind: FaultKind) -> Fault {
    Fault {
        method: Some("POST".into()),
        path_contains: Some(".0/composite".into()),
        times: 1,
        kind,
    }
}

/// Query pages that say there is more at `url`.
fn more_at(url: &str) -> FaultKind {
    let set = serde_json::json!({"done": false, "nextRecordsUrl": url});
    FaultKind::PageFields {
        set: set.as_object().unwrap().clone(),
    }
}

fn inspect(sandbox: &Sandbox) -> Run {
    run_within(
        sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]),
        Duration::from_secs(60),
    )
}

#[test]
fn issue19_1_token_never_follows_a_foreign_next_records_url() {
    let (emulator, sandbox) = setup();
    let elsewhere = Elsewhere::start();
    let foreign = format!(
        "{}/services/data/v{LATEST_API_VERSION}/query/01gFOREIGN-2000",
        elsewhere.url
    );
    // In a composite's query answer.
    emulator.inject(first_composite(more_at(&foreign)));
    let out = inspect(&sandbox);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let envelope = out.json();
    assert_eq!(envelope["name"], "ForeignUrlError", "{envelope:#}");
    let message = envelope["message"].as_str().unwrap();
    assert!(message.contains(&elsewhere.url), "{message}");
    assert!(message.contains(&emulator.base_url()), "{message}");
    assert!(
        !message.contains("01gFOREIGN"),
        "only the origin: {message}"
    );

    // In a plain query's answer (a token from the environment: the username is queried).
    emulator.inject(Fault {
        method: Some("GET".into()),
        path_contains: Some("SELECT Username FROM User".into()),
        times: 1,
        kind: more_at(&foreign),
    });
    let mut cmd = sandbox.cmd(&["org", "inspect", "--json"]);
    cmd.env("SF_ACCESS_TOKEN", SEED_ACCESS_TOKEN)
        .env("SF_ORG_INSTANCE_URL", emulator.base_url());
    let out = run_within(cmd, Duration::from_secs(60));
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.json()["name"], "ForeignUrlError");

    assert_eq!(
        elsewhere.connections(),
        0,
        "nothing went to the other origin"
    );
}

#[test]
fn issue19_2_pages_pointing_back_at_themselves_end_with_an_error() {
    let (emulator, sandbox) = setup();
    // A page that says there is more at a URL whose answer says there is more at that URL.
    let again = format!(
        "/services/data/v{LATEST_API_VERSION}/query?q=SELECT+Username+FROM+User+WHERE+IsActive+%3D+true"
    );
    emulator.inject(first_composite(more_at(&again)));
    emulator.inject(Fault {
        method: Some("GET".into()),
        path_contains: Some("SELECT Username FROM User WHERE IsActive".into()),
        times: 100_000,
        kind: more_at(&again),
    });
    let out = inspect(&sandbox);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let envelope = out.json();
    assert_eq!(envelope["name"], "QueryPagingError", "{envelope:#}");
    assert!(
        envelope["message"]
            .as_str()
            .unwrap()
            .contains("one it already served"),
        "{envelope:#}"
    );
    let pages = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/query"))
        .count();
    assert!(pages <= 2, "the loop was seen at once: {pages} pages read");
}

#[test]
fn issue19_13_redirects_are_never_followed_and_writes_never_resent() {
    let (emulator, sandbox) = setup();
    let elsewhere = Elsewhere::start();
    let composite = format!("/services/data/v{LATEST_API_VERSION}/composite");
    let before = org_default(&emulator);
    for (sent, (status, location)) in [
        (307, format!("{}{composite}", elsewhere.url)),
        (308, format!("{}{composite}", emulator.base_url())),
        (307, composite.clone()),
    ]
    .into_iter()
    .enumerate()
    {
        emulator.inject(Fault {
            method: Some("PATCH".into()),
            path_contains: Some("LGK__ConfigurationTenant__c".into()),
            times: 1,
            kind: FaultKind::Redirect { status, location },
        });
        let out = run_within(
            sandbox.cmd(&[
                "step",
                "tenant-urls",
                "-o",
                "uat",
                "--runtime-url",
                NEW,
                "--json",
            ]),
            Duration::from_secs(60),
        );
        assert_eq!(out.code, 1, "{status}: {}\n{}", out.stdout, out.stderr);
        let envelope = out.json();
        assert_eq!(envelope["name"], "RedirectRefusedError", "{envelope:#}");
        assert!(
            envelope["message"]
                .as_str()
                .unwrap()
                .contains(&format!("HTTP {status}")),
            "{envelope:#}"
        );
        // Each write was sent once, answered by the redirect, and not sent again.
        let written: Vec<u16> = emulator
            .requests()
            .iter()
            .filter(|r| r.write)
            .map(|r| r.status)
            .collect();
        assert_eq!(written.len(), sent + 1, "{status}: {written:?}");
        assert!(
            written.iter().all(|s| matches!(s, 307 | 308)),
            "{written:?}"
        );
        assert_eq!(org_default(&emulator), before);
    }
    assert_eq!(
        elsewhere.connections(),
        0,
        "nothing went to the other origin"
    );
}

#[test]
fn issue19_10_traced_renewal_answers_over_1_mib_keep_the_new_token_out() {
    let (emulator, sandbox) = setup();
    // The login URL (where renewals go) answers a renewal bigger than the trace's cut, with a
    // token that does not look like a session ID.
    let new_token = "NewOpaqueAccessToken0123456789abcdef";
    let padding = " ".repeat(1024 * 1024 + 4096);
    let login = Elsewhere::answering(format!(
        r#"{{"access_token":"{new_token}",{padding}"token_type":"Bearer"}}"#
    ));
    let auth = sandbox.home().join(".sfdx/admin@acme.com.uat.json");
    let mut stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&auth).unwrap()).unwrap();
    stored["loginUrl"] = login.url.clone().into();
    std::fs::write(&auth, stored.to_string()).unwrap();
    emulator.inject(Fault {
        method: None,
        path_contains: Some("/services/data/v".into()),
        times: 1,
        kind: FaultKind::ExpireToken,
    });
    // The org does not know the new token: the run ends in an error, after the renewal.
    let out = inspect(&sandbox);
    assert_ne!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(login.connections(), 1, "one renewal");
    let trace = std::fs::read_to_string(sandbox.trace()).unwrap();
    assert!(
        trace.contains("/services/oauth2/token"),
        "the renewal is traced"
    );
    for secret in [new_token, SEED_ACCESS_TOKEN, SEED_REFRESH_TOKEN] {
        assert!(!trace.contains(secret), "a token is in the trace");
    }
    assert!(!out.stdout.contains(new_token) && !out.stderr.contains(new_token));
}

/// The tenant-urls step's journal lines, each change's record rewritten by `edit`.
fn edit_journal(sandbox: &Sandbox, edit: impl Fn(&mut serde_json::Value)) {
    let path = sandbox
        .state()
        .join("journal")
        .join(format!("{}.jsonl", logik_org_emulator::SEED_ORG_ID));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = Vec::new();
    for line in text.lines() {
        let mut entry: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(changes) = entry["changes"].as_array_mut() {
            changes.iter_mut().for_each(&edit);
        }
        lines.push(entry.to_string());
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn issue19_16_rollback_never_puts_journal_values_unchecked_into_queries_or_paths() {
    let (emulator, sandbox) = setup();
    let step = |args: &[&str]| run(sandbox.cmd(args));
    let applied = step(&[
        "step",
        "tenant-urls",
        "-o",
        "uat",
        "--runtime-url",
        NEW,
        "--json",
    ]);
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    let rows_before = emulator.records("LGK__ConfigurationTenant__c").len();
    let rollback_is_refused = || {
        emulator.clear_log();
        let out = step(&["rollback", "--step", "tenant-urls", "-o", "uat", "--json"]);
        assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
        let name = &out.json()["name"];
        assert_eq!(name, "InvalidRecordReferenceError", "{}", out.stdout);
    };

    // A record ID that climbs out of its object's path.
    edit_journal(&sandbox, |change| {
        change["record"]["id"] = "../User/0055e000000AbCdAAK".into();
    });
    rollback_is_refused();
    assert!(
        emulator
            .requests()
            .iter()
            .all(|r| !r.path.contains("/User")),
        "no request left the tenant object: {:?}",
        emulator.requests()
    );

    // A created record whose owner closes the SOQL string and widens the query.
    edit_journal(&sandbox, |change| {
        change["record"]["id"] = serde_json::Value::Null;
        change["record"]["field"] = serde_json::Value::Null;
        change["after"] = serde_json::json!({"SetupOwnerId": "x' OR Name != 'y"});
    });
    rollback_is_refused();
    assert_eq!(writes(&emulator), 0, "nothing deleted");
    assert_eq!(
        emulator.records("LGK__ConfigurationTenant__c").len(),
        rows_before
    );
}

fn doctor_steps(out: &Run) -> Vec<serde_json::Value> {
    out.json()["result"]["org"]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no steps: {}", out.stdout))
        .clone()
}

#[test]
fn issue19_19_doctor_checks_permissions_with_an_environment_token() {
    let emulator = emulator();
    emulator.with_state(|s| {
        for profile in &mut s.data.table_mut("Profile").unwrap().records {
            profile.insert("PermissionsCustomizeApplication".into(), false.into());
        }
    });
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cmd(&["doctor", "--json"]);
    cmd.env("SF_ACCESS_TOKEN", SEED_ACCESS_TOKEN)
        .env("SF_ORG_INSTANCE_URL", emulator.base_url());
    let out = run(cmd);
    let steps = doctor_steps(&out);
    let tenant = steps.iter().find(|s| s["step"] == "tenant-urls").unwrap();
    assert_eq!(tenant["ready"], false, "{tenant:#}");
    assert_eq!(
        tenant["missing"][0], "the permission Customize Application",
        "{tenant:#}"
    );
    let org_id = steps.iter().find(|s| s["step"] == "org-id").unwrap();
    assert_eq!(org_id["ready"], true, "API Enabled is read: {org_id:#}");
}

/// The doctor's own Data API composite (describes and the user's permissions): the second one
/// it sends, after the one that reads the org.
fn readiness_composite(then: FaultKind) -> Fault {
    first_composite(FaultKind::Later {
        skip: 1,
        then: Box::new(then),
    })
}

#[test]
fn issue19_19_doctor_says_a_long_org_error_once() {
    let (emulator, sandbox) = setup();
    let long = format!("LONG_{}", "E".repeat(5000));
    emulator.inject(readiness_composite(FaultKind::Status {
        status: 400,
        retry_after: None,
        error_code: Some(long.clone()),
    }));
    let out = run(sandbox.cmd(&["doctor", "-o", "uat", "--json"]));
    let steps = doctor_steps(&out);
    let quoted: usize = steps
        .iter()
        .map(|s| s["missing"].to_string().matches("LONG_").count())
        .sum();
    assert_eq!(quoted, 1, "said once: {steps:#?}");
    assert!(
        !out.stdout.contains(&"E".repeat(400)),
        "bounded: {} bytes of output",
        out.stdout.len()
    );
    let later = steps
        .iter()
        .find(|s| s["step"] == "touch-products")
        .unwrap();
    assert!(
        later["missing"]
            .to_string()
            .contains("the same error as an earlier step"),
        "{later:#}"
    );
}

#[test]
fn issue19_19_doctor_names_a_malformed_permission_set_assignment_answer() {
    let (emulator, sandbox) = setup();
    let set = serde_json::json!({"records": [{"PermissionSet": null}]});
    emulator.inject(readiness_composite(FaultKind::PageFields {
        set: set.as_object().unwrap().clone(),
    }));
    let out = run(sandbox.cmd(&["doctor", "-o", "uat", "--json"]));
    let steps = doctor_steps(&out);
    let missing = steps[0]["missing"].to_string();
    assert!(
        missing.contains("PermissionSetAssignment answer is malformed"),
        "{missing}"
    );
    assert!(!missing.contains("not found"), "{missing}");

    // A page whose records are no list at all.
    let set = serde_json::json!({"records": "damaged"});
    emulator.inject(readiness_composite(FaultKind::PageFields {
        set: set.as_object().unwrap().clone(),
    }));
    let out = run(sandbox.cmd(&["doctor", "-o", "uat", "--json"]));
    let missing = doctor_steps(&out)[0]["missing"].to_string();
    assert!(missing.contains("no list of records"), "{missing}");
    assert!(!missing.contains("not found"), "{missing}");
}
