//! `--trace FILE` (issue 10): every request and answer of a full `run`, as JSON lines, mode
//! 600, and not one secret in it, even across a token renewal.

use crate::common::*;
use logik_org_emulator::{Fault, FaultKind, SEED_ACCESS_TOKEN, SEED_REFRESH_TOKEN};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;

const TENANT: &str = "https://acme-uat.test.logik.io";

#[test]
fn trace_of_a_full_run_holds_no_secret() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&format!("{}/", emulator.base_url()));
    // The token expires mid-run: the trace then holds a renewal (refresh token sent, new token
    // received) too.
    emulator.inject(Fault {
        method: None,
        path_contains: Some("tooling/composite".into()),
        times: 1,
        kind: FaultKind::ExpireToken,
    });
    let trace = sandbox.work().join("bug-report.jsonl");
    let mut cmd = sandbox.cmd(&["run", "-o", "uat", "--runtime-url", TENANT, "--json"]);
    cmd.arg("--trace").arg(&trace);
    let out = run(cmd);
    assert!(
        matches!(out.code, 0 | 68),
        "the run went through: {}",
        out.stdout
    );
    let renewed = emulator.access_token();
    assert_ne!(renewed, SEED_ACCESS_TOKEN, "the token was renewed");

    let mode = std::fs::metadata(&trace).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&trace).unwrap();
    for secret in [SEED_ACCESS_TOKEN, SEED_REFRESH_TOKEN, renewed.as_str()] {
        assert!(!text.contains(secret), "a secret is in the trace");
        assert!(
            !text.contains(&secret[secret.len() / 2..]),
            "part of a secret is in the trace"
        );
    }
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    // One line per request the org saw, the renewal included.
    assert_eq!(lines.len(), emulator.requests().len(), "{text}");
    for line in &lines {
        for key in ["time", "method", "path", "status", "ms", "requestHeaders"] {
            assert!(line.get(key).is_some(), "{key} missing in {line}");
        }
    }
    let renewal = lines
        .iter()
        .find(|l| l["path"] == "/services/oauth2/token")
        .expect("the renewal is traced");
    assert!(
        renewal["requestBody"]
            .as_str()
            .unwrap()
            .contains("refresh_token=[REDACTED]"),
        "{renewal}"
    );
    assert_eq!(renewal["responseBody"]["access_token"], "[REDACTED]");
    // A run's reads go in composites (POST); any answered request to the org shows the shape.
    let read = lines
        .iter()
        .find(|l| l["status"] == 200 && l["path"] != "/services/oauth2/token")
        .expect("a read");
    assert_eq!(read["requestHeaders"]["authorization"], "[REDACTED]");
    assert!(read["responseBody"].is_object() || read["responseBody"].is_array());
    let write = lines
        .iter()
        .find(|l| l["method"] == "PATCH" || l["path"].as_str().unwrap().ends_with("/composite"))
        .expect("a write or composite");
    assert!(!write["requestBody"].is_null(), "{write}");
}

#[test]
fn trace_is_refused_where_it_cannot_be_private() {
    let sandbox = Sandbox::new();
    let folder = sandbox.work().join("a-folder");
    std::fs::create_dir_all(&folder).unwrap();
    let mut cmd = sandbox.cmd(&["org", "inspect", "--offline", "--json"]);
    cmd.arg("--trace").arg(&folder);
    let out = run_with_stdin(
        cmd,
        &display_json("https://acme--uat.sandbox.my.salesforce.com"),
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert_eq!(out.json()["name"], "TraceFileError");
}
