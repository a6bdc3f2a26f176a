//! `org wait` against the production emulator, whose `SandboxProcess` moves 0 -> 40 -> 80 ->
//! 100/Completed as it is polled.

use crate::common::*;
use logik_org_emulator::{
    Emulator, EmulatorOptions, Fault, FaultKind, PRODUCTION_ORG_ID, PRODUCTION_USERNAME,
    SEED_ORG_ID, Seed,
};
use serde_json::Value;

fn production() -> Emulator {
    Emulator::start(EmulatorOptions {
        seed: Seed::Production,
        ..EmulatorOptions::default()
    })
    .unwrap()
}

/// sf's auth store with the production user (`prod`) next to the sandbox user (`uat`), each
/// pointing at its own org. Both files carry the same (encrypted) tokens.
fn auth_store(sandbox: &Sandbox, production_url: &str, sandbox_url: &str) {
    sandbox.sf_auth_store_with_refresh(sandbox_url);
    let sfdx = sandbox.home().join(".sfdx");
    let mut auth: Value = serde_json::from_str(
        &std::fs::read_to_string(sfdx.join("admin@acme.com.uat.json")).unwrap(),
    )
    .unwrap();
    auth["username"] = PRODUCTION_USERNAME.into();
    auth["orgId"] = PRODUCTION_ORG_ID.into();
    auth["instanceUrl"] = production_url.into();
    auth["loginUrl"] = production_url.into();
    auth["isSandbox"] = false.into();
    std::fs::write(
        sfdx.join(format!("{PRODUCTION_USERNAME}.json")),
        serde_json::to_string_pretty(&auth).unwrap(),
    )
    .unwrap();
    std::fs::write(
        sfdx.join("alias.json"),
        format!(r#"{{"orgs":{{"uat":"admin@acme.com.uat","prod":"{PRODUCTION_USERNAME}"}}}}"#),
    )
    .unwrap();
}

pub fn setup() -> (Emulator, Sandbox) {
    let emulator = production();
    let sandbox = Sandbox::new();
    let url = format!("{}/", emulator.base_url());
    auth_store(&sandbox, &url, "http://127.0.0.1:9/");
    (emulator, sandbox)
}

pub fn wait(sandbox: &Sandbox, extra: &[&str]) -> Run {
    let mut args = vec![
        "org",
        "wait",
        "--sandbox-name",
        "uat",
        "-o",
        "prod",
        "--poll-interval",
        "20ms",
    ];
    args.extend_from_slice(extra);
    run(sandbox.cmd(&args))
}

#[test]
fn waits_for_completed_and_prints_the_new_org() {
    let (emulator, sandbox) = setup();
    let run = wait(&sandbox, &["--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    assert_valid("org-wait", &out);
    let result = &out["result"];
    assert_eq!(result["org"]["orgId"], SEED_ORG_ID, "18 characters");
    assert_eq!(result["orgId15"], &SEED_ORG_ID[..15]);
    assert_eq!(result["org"]["username"], "admin@acme.com.uat");
    assert_eq!(result["org"]["sandboxName"], "uat");
    assert_eq!(result["org"]["isSandbox"], true);
    assert_eq!(result["production"]["orgId"], PRODUCTION_ORG_ID);
    assert_eq!(result["sandboxProcess"]["status"], "Completed");
    assert_eq!(result["sandboxProcess"]["copyProgress"], 100);
    assert_eq!(result["polls"], 4, "0, 40, 80, then Completed");
    // Not a terminal: one quiet line per change, no bar.
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{}", run.stderr);
    for (line, want) in lines.iter().zip([
        "Processing 0%",
        "Processing 40%",
        "Activating 80%",
        "Completed 100%",
    ]) {
        assert!(line.contains(want), "{line:?} lacks {want:?}");
    }
    assert!(!run.stderr.contains('\r'));
    assert!(emulator.requests().iter().all(|r| !r.write), "only reads");
}

#[test]
fn text_output_says_what_to_do_next() {
    let (_emulator, sandbox) = setup();
    let run = wait(&sandbox, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("Sandbox uat is ready"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(SEED_ORG_ID));
    assert!(run.stdout.contains("Username: admin@acme.com.uat"));
    assert!(run.stdout.contains("sf org login web"));
}

#[test]
fn the_result_chains_into_a_step_on_the_sandbox() {
    let prod = production();
    let uat = Emulator::start(EmulatorOptions::default()).unwrap();
    let sandbox = Sandbox::new();
    auth_store(
        &sandbox,
        &format!("{}/", prod.base_url()),
        &format!("{}/", uat.base_url()),
    );
    let waited = wait(&sandbox, &["--json"]);
    assert_eq!(waited.code, 0, "{}", waited.stderr);
    let before = prod.requests().len();
    let step = run_with_stdin(
        sandbox.cmd(&["step", "provisioning-user", "--json"]),
        &waited.stdout,
    );
    let out = step.json();
    assert_valid("step-result", &out);
    assert_eq!(
        step.code, 1,
        "the refreshed provisioning user needs --fix: {}",
        step.stdout
    );
    assert_eq!(out["result"]["org"]["orgId"], SEED_ORG_ID);
    assert_eq!(out["result"]["org"]["username"], "admin@acme.com.uat");
    assert_eq!(
        prod.requests().len(),
        before,
        "the step went to the sandbox"
    );
    assert!(!uat.requests().is_empty());
}

#[test]
fn the_result_chains_into_case_org_id() {
    let (_emulator, sandbox) = setup();
    let waited = wait(&sandbox, &["--json"]);
    assert_eq!(waited.code, 0, "{}", waited.stderr);
    let follow_up = run_with_stdin(sandbox.cmd(&["case", "org-id", "--json"]), &waited.stdout);
    assert_eq!(
        follow_up.code, 0,
        "{}\n{}",
        follow_up.stdout, follow_up.stderr
    );
    assert_eq!(
        follow_up.json()["result"]["followUp"]["newOrgId"],
        SEED_ORG_ID
    );
}

#[test]
fn a_timeout_ends_with_69_and_the_last_status() {
    let (emulator, sandbox) = setup();
    emulator.with_state(|s| s.advance_sandbox_on_query = false);
    let run = wait(&sandbox, &["--timeout", "150ms", "--json"]);
    assert_eq!(run.code, 69, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    assert_valid("error", &out);
    assert_eq!(out["name"], "SandboxWaitTimeoutError");
    assert_eq!(out["status"], 69);
    assert_eq!(out["data"]["sandboxProcess"]["status"], "Processing");
    assert!(
        out["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().contains("--timeout"))
    );
}

#[test]
fn bad_input_exits_2_before_any_request() {
    let (emulator, sandbox) = setup();
    let run = run(sandbox.cmd(&[
        "org",
        "wait",
        "--sandbox-name",
        "no way",
        "-o",
        "prod",
        "--json",
    ]));
    assert_eq!(run.code, 2);
    let out = run.json();
    assert_valid("error", &out);
    assert_eq!(out["name"], "InvalidSandboxNameError");
    let interval = wait(&sandbox, &["--poll-interval", "5 weeks", "--json"]);
    assert_eq!(interval.code, 2, "{}", interval.stdout);
    assert_eq!(interval.json()["name"], "UsageError");
    assert!(emulator.requests().is_empty(), "nothing was sent");
}

#[test]
fn an_unknown_sandbox_names_the_known_ones() {
    let (emulator, sandbox) = setup();
    let run = run(sandbox.cmd(&[
        "org",
        "wait",
        "--sandbox-name",
        "dev",
        "-o",
        "prod",
        "--json",
    ]));
    assert_eq!(run.code, 2, "{}", run.stdout);
    let out = run.json();
    assert_eq!(out["name"], "SandboxNotFoundError");
    assert!(
        out["actions"][0].as_str().unwrap().contains("uat"),
        "{out:#}"
    );
    assert!(emulator.requests().iter().all(|r| !r.write));
}

#[test]
fn a_sandbox_is_not_where_refreshes_are_tracked() {
    let emulator = Emulator::start(EmulatorOptions::default()).unwrap();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let run = run(sandbox.cmd(&[
        "org",
        "wait",
        "--sandbox-name",
        "uat",
        "-o",
        "uat",
        "--json",
    ]));
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.json()["name"], "NotProductionOrgError");
}

#[test]
fn polling_survives_503_twice_a_401_and_a_dropped_connection() {
    let (emulator, sandbox) = setup();
    emulator.inject(Fault {
        method: Some("GET".into()),
        path_contains: Some("FROM SandboxProcess".into()),
        times: 2,
        kind: FaultKind::Status {
            status: 503,
            retry_after: None,
            error_code: None,
        },
    });
    emulator.inject(Fault {
        method: Some("GET".into()),
        path_contains: Some("FROM SandboxProcess".into()),
        times: 1,
        kind: FaultKind::Unauthorized,
    });
    emulator.inject(Fault {
        method: Some("GET".into()),
        path_contains: Some("FROM SandboxProcess".into()),
        times: 1,
        kind: FaultKind::DropConnection { after_apply: false },
    });
    let run = wait(&sandbox, &["--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["result"]["org"]["orgId"], SEED_ORG_ID);
    assert!(emulator.pending_faults().is_empty(), "every fault was hit");
    let log = emulator.requests();
    assert_eq!(log.iter().filter(|r| r.status == 503).count(), 2);
    assert!(log.iter().any(|r| r.path == "/services/oauth2/token"));
}

#[test]
fn a_stopped_refresh_fails() {
    let (emulator, sandbox) = setup();
    emulator.with_state(|s| {
        s.advance_sandbox_on_query = false;
        let t = s.store_mut(true).table_mut("SandboxProcess").unwrap();
        for r in &mut t.records {
            if r["Status"] == "Processing" {
                r.insert("Status".into(), "Stopped".into());
            }
        }
    });
    let run = wait(&sandbox, &["--json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["name"], "SandboxRefreshEndedError");
}

#[test]
fn several_sandboxes_are_waited_for_at_once_each_with_its_result() {
    let (emulator, sandbox) = setup();
    emulator.with_state(|state| {
        let info = state
            .insert_raw(true, "SandboxInfo", serde_json::json!({"SandboxName": "qa", "LicenseType": "PARTIAL"}))
            .unwrap();
        state
            .insert_raw(
                true,
                "SandboxProcess",
                serde_json::json!({"SandboxName": "qa", "SandboxInfoId": info, "Status": "Processing",
                    "LicenseType": "PARTIAL", "CopyProgress": 0, "CreatedDate": "2026-11-28T09:00:00.000+0000"}),
            )
            .unwrap();
    });
    let out = run(sandbox.cmd(&[
        "org",
        "wait",
        "--sandbox-name",
        "uat",
        "--sandbox-name",
        "qa",
        "-o",
        "prod",
        "--poll-interval",
        "10ms",
        "--json",
    ]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let json = out.json();
    assert_valid("org-wait-many", &json);
    let names: Vec<&str> = json["result"]["sandboxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sandboxName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["uat", "qa"]);
    for entry in json["result"]["sandboxes"].as_array().unwrap() {
        assert_eq!(
            entry["result"]["sandboxProcess"]["status"], "Completed",
            "{entry:#}"
        );
    }

    let unknown = run(sandbox.cmd(&[
        "org",
        "wait",
        "--sandbox-name",
        "uat,nosuch",
        "-o",
        "prod",
        "--poll-interval",
        "10ms",
        "--json",
    ]));
    assert_eq!(unknown.code, 2, "{}\n{}", unknown.stdout, unknown.stderr);
    let json = unknown.json();
    assert_eq!(
        json["result"]["sandboxes"][0]["result"]["sandboxProcess"]["status"],
        "Completed"
    );
    assert!(
        json["result"]["sandboxes"][1]["error"]["name"].is_string(),
        "{json:#}"
    );
}

/// A deleted `SandboxProcess` (status `D`) newer than the finished refresh is left out, as sf
/// does (`Status != 'D'`): `org wait` reports the finished refresh instead of polling the
/// deleted one until its timeout.
#[test]
fn a_deleted_sandbox_process_newer_than_the_refresh_is_left_out() {
    let (emulator, sandbox) = setup();
    emulator.with_state(|s| {
        let info = s.tooling.table("SandboxInfo").unwrap().records[0]["Id"].clone();
        let t = s.store_mut(true).table_mut("SandboxProcess").unwrap();
        for r in &mut t.records {
            if r["Status"] == "Processing" {
                r.insert("Status".into(), "Completed".into());
                r.insert("CopyProgress".into(), 100.into());
                r.insert("SandboxOrganization".into(), SEED_ORG_ID[..15].into());
                r.insert("EndDate".into(), "2026-11-28T14:00:00.000+0000".into());
            }
        }
        s.insert_raw(
            true,
            "SandboxProcess",
            serde_json::json!({"SandboxName": "uat", "SandboxInfoId": info, "Status": "D",
                   "LicenseType": "FULL", "CopyProgress": 0, "SandboxOrganization": null,
                   "CreatedDate": "2026-11-29T08:00:00.000+0000", "EndDate": null}),
        )
        .unwrap();
    });
    let run = wait(&sandbox, &["--timeout", "2s", "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let result = &run.json()["result"];
    assert_eq!(result["sandboxProcess"]["status"], "Completed");
    assert_eq!(result["org"]["orgId"], SEED_ORG_ID);
}
