//! `run`: the whole procedure against a freshly seeded emulator.

use crate::common::*;
use logik_org_emulator::{Emulator, Fault, FaultKind};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TENANT: &str = "https://acme-uat.test.logik.io";

fn setup() -> (Emulator, Sandbox) {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

fn run_cmd(sandbox: &Sandbox, extra: &[&str]) -> Command {
    let mut args = vec!["run", "-o", "uat", "--runtime-url", TENANT];
    args.extend_from_slice(extra);
    sandbox.cmd(&args)
}

/// Runs a confirm command the tool printed, as the user would paste it.
fn confirm(sandbox: &Sandbox, command: &str) {
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words[0], "logik-refresh");
    let mut args = words[1..].to_vec();
    args.push("--json");
    let out = run(sandbox.cmd(&args));
    assert_eq!(out.code, 0, "{command}: {}\n{}", out.stdout, out.stderr);
    assert_eq!(out.json()["result"]["outcome"], "confirmed", "{command}");
}

#[test]
fn first_run_leaves_the_three_guided_steps_then_confirming_them_finishes_without_writes() {
    let (emulator, sandbox) = setup();
    let first = run(run_cmd(&sandbox, &["--json"]));
    assert_eq!(first.code, 68, "{}\n{}", first.stdout, first.stderr);
    let out = first.json();
    assert_valid("run", &out);
    assert_eq!(out["status"], 68);
    let summary = &out["result"];
    assert_eq!(summary["outcome"], "pending");
    let pending: Vec<&str> = summary["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        pending,
        ["configurator-url", "refresh-token-user", "runtime-clients"]
    );
    let outcome = |name: &str| {
        summary["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == name)
            .unwrap()["outcome"]
            .clone()
    };
    assert_eq!(outcome("tenant-urls"), "changed");
    assert_eq!(outcome("org-id"), "skipped");
    let row = emulator
        .records("LGK__ConfigurationTenant__c")
        .into_iter()
        .find(|r| r["SetupOwnerId"].as_str().unwrap().starts_with("00D"))
        .unwrap();
    assert_eq!(row["LGK__RuntimeUrl__c"], TENANT);

    for pending in summary["pending"].as_array().unwrap() {
        confirm(&sandbox, pending["confirmCommand"].as_str().unwrap());
    }
    emulator.clear_log();
    let second = run(run_cmd(&sandbox, &["--json"]));
    assert_eq!(second.code, 0, "{}\n{}", second.stdout, second.stderr);
    assert_eq!(second.json()["result"]["outcome"], "done");
    assert_eq!(
        writes(&emulator),
        0,
        "a finished procedure sends no write: {:#?}",
        emulator.requests()
    );
}

#[test]
fn text_output_lists_what_is_left_with_the_commands() {
    let (_emulator, sandbox) = setup();
    let out = run(run_cmd(&sandbox, &[]));
    assert_eq!(out.code, 68);
    assert!(
        out.stdout.contains("3 guided step(s) left"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("logik-refresh step refresh-token-user -o uat"),
        "{}",
        out.stdout
    );
}

#[test]
fn jsonl_streams_events_that_match_their_schema() {
    let (_emulator, sandbox) = setup();
    let out = run(run_cmd(&sandbox, &["--jsonl"]));
    assert_eq!(out.code, 68, "{}", out.stderr);
    let events: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    for event in &events {
        assert_valid("run-event", event);
    }
    assert_eq!(events.first().unwrap()["event"], "run-started");
    let last = events.last().unwrap();
    assert_eq!(last["event"], "summary");
    assert_eq!(last["status"], 68);
    let finished = events
        .iter()
        .filter(|e| e["event"] == "step-finished")
        .count();
    assert_eq!(finished, events[0]["steps"].as_array().unwrap().len());
}

#[test]
fn jsonl_through_jq() {
    let (_emulator, sandbox) = setup();
    let mut tool = run_cmd(&sandbox, &["--jsonl"]);
    tool.stdin(Stdio::null()).stdout(Stdio::piped());
    let mut child = tool.spawn().unwrap();
    let jq = Command::new("jq")
        .args([
            "-r",
            "select(.event == \"step-finished\") | \"\\(.step) \\(.result.outcome)\"",
        ])
        .stdin(child.stdout.take().unwrap())
        .output()
        .expect("jq is installed");
    assert_eq!(child.wait().unwrap().code(), Some(68));
    let lines = String::from_utf8(jq.stdout).unwrap();
    assert!(lines.contains("tenant-urls changed"), "{lines}");
    assert!(lines.contains("runtime-clients manual"), "{lines}");
}

#[test]
fn dry_run_writes_nothing() {
    let (emulator, sandbox) = setup();
    let out = run(run_cmd(&sandbox, &["--dry-run", "--json"]));
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(out.json()["result"]["outcome"], "planned");
    assert_eq!(writes(&emulator), 0);
    assert!(
        sandbox
            .journal()
            .iter()
            .all(|e| e["event"] != "apply-started")
    );
}

#[test]
fn a_run_killed_after_the_write_resumes_without_writing_twice() {
    let (emulator, sandbox) = setup();
    // The org applies the PATCH but answers slowly: the run is killed in that window, after
    // the write and before the journal says it was applied.
    emulator.inject(Fault {
        method: Some("PATCH".into()),
        path_contains: Some("LGK__ConfigurationTenant__c".into()),
        times: 1,
        kind: FaultKind::SlowAnswer { ms: 10_000 },
    });
    let mut child = run_cmd(&sandbox, &["--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let applied = |e: &Emulator| {
        e.records("LGK__ConfigurationTenant__c").iter().any(|r| {
            r["SetupOwnerId"].as_str().unwrap().starts_with("00D")
                && r["LGK__RuntimeUrl__c"] == TENANT
        })
    };
    let start = Instant::now();
    while !applied(&emulator) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the write never reached the org"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let events: Vec<String> = sandbox
        .journal()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        events.last().map(String::as_str),
        Some("apply-started"),
        "killed before the journal update: {events:?}"
    );

    emulator.clear_log();
    let resumed = run(run_cmd(&sandbox, &["--json"]));
    assert_eq!(resumed.code, 68, "{}\n{}", resumed.stdout, resumed.stderr);
    let tenant_writes = emulator
        .requests()
        .iter()
        .filter(|r| r.write && r.path.contains("LGK__ConfigurationTenant__c"))
        .count();
    assert_eq!(
        tenant_writes, 0,
        "the org already has the tenant URLs: they are not written twice"
    );
    let summary = &resumed.json()["result"];
    let tenant = summary["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "tenant-urls")
        .unwrap();
    assert_eq!(tenant["outcome"], "unchanged");
    let journal = sandbox.journal();
    assert_eq!(
        journal.last().unwrap()["event"],
        "applied",
        "the journal is reconciled with the org"
    );
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let (emulator, sandbox) = setup();
    let missing = run(sandbox.cmd(&["run", "-o", "uat", "--json"]));
    assert_eq!(missing.code, 2, "{}", missing.stdout);
    assert_eq!(missing.json()["name"], "MissingRuntimeUrlError");
    let bad_client = run(run_cmd(&sandbox, &["--client", "web store", "--json"]));
    assert_eq!(bad_client.code, 2, "{}", bad_client.stdout);
    assert_eq!(bad_client.json()["name"], "InvalidClientError");
    let bad_url = run(sandbox.cmd(&[
        "run",
        "-o",
        "uat",
        "--runtime-url",
        "http://acme.test.logik.io",
        "--json",
    ]));
    assert_eq!(bad_url.code, 2);
    assert_eq!(bad_url.json()["name"], "InvalidTenantUrlError");
    assert!(emulator.requests().is_empty(), "nothing reached the org");
    assert!(sandbox.journal().is_empty());
}

/// `run --dry-run` on a production org refused with 2 before any step, as `step --dry-run` does
/// (it used to exit 1 with every step failed).
#[test]
fn run_dry_run_on_production_agrees_with_step_dry_run() {
    let emulator = logik_org_emulator::Emulator::start(logik_org_emulator::EmulatorOptions {
        seed: logik_org_emulator::Seed::Production,
        ..logik_org_emulator::EmulatorOptions::default()
    })
    .unwrap();
    let sandbox = Sandbox::new();
    let url = "https://acme-uat.test.logik.io";
    for args in [
        vec![
            "run",
            "--runtime-url",
            url,
            "--dry-run",
            "--jsonl",
            "--json",
        ],
        vec![
            "step",
            "tenant-urls",
            "--runtime-url",
            url,
            "--dry-run",
            "--json",
        ],
    ] {
        let mut cmd = sandbox.cmd(&args);
        cmd.env("SF_ACCESS_TOKEN", emulator.access_token())
            .env("SF_ORG_INSTANCE_URL", emulator.base_url())
            .env("SF_TARGET_ORG", "admin@acme.com");
        let out = run(cmd);
        assert_eq!(out.code, 2, "{args:?}: {}\n{}", out.stdout, out.stderr);
        assert!(
            !out.stdout.contains("step-started") && !out.stdout.contains("run-started"),
            "refused before any step: {}",
            out.stdout
        );
        assert!(
            out.stdout.contains("\"name\": \"ProductionOrgError\""),
            "{args:?}: {}",
            out.stdout
        );
    }
    assert_eq!(writes(&emulator), 0);
}

/// Issue 12's speed goal: a first run reads everything its steps need in one round trip (the
/// Data and the Tooling API composites, sent together), then each write carries the read that
/// checks it (one composite each: the tenant rows, the provisioning user): 3 round trips; a
/// second run, with nothing to change, only reads, in one round trip.
#[test]
fn a_run_reads_once_writes_with_its_check_and_a_second_run_only_reads() {
    let (emulator, sandbox) = setup();
    let first = run(run_cmd(&sandbox, &["--json"]));
    assert_eq!(first.code, 68, "{}\n{}", first.stdout, first.stderr);
    let mut sent: Vec<(String, bool)> = emulator
        .requests()
        .iter()
        .map(|r| (format!("{} {}", r.method, api_path(&r.path)), r.write))
        .collect();
    // The Data and Tooling reads go out together: either may reach the org first.
    sent[..2].sort();
    let expected = [
        ("POST composite", false),
        ("POST tooling/composite", false),
        ("POST composite", true),
        ("POST composite", true),
    ];
    assert_eq!(
        sent,
        expected.map(|(what, write)| (what.to_string(), write)),
        "read once, then each step's write with its re-read"
    );
    let summary = first.json();
    assert_eq!(summary["result"]["requests"], 4);
    let step = |name: &str| {
        summary["result"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == name)
            .unwrap()
            .clone()
    };
    for name in ["tenant-urls", "provisioning-user"] {
        assert_eq!(step(name)["outcome"], "changed", "{:#}", step(name));
        assert_eq!(step(name)["requests"], 1, "{:#}", step(name));
    }
    assert_eq!(
        org_default(&emulator)["LGK__RuntimeUrl__c"],
        TENANT,
        "the write landed"
    );

    emulator.clear_log();
    let second = run(run_cmd(&sandbox, &["--json"]));
    assert_eq!(second.code, 68, "{}\n{}", second.stdout, second.stderr);
    let mut sent: Vec<String> = emulator
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, api_path(&r.path)))
        .collect();
    sent.sort();
    assert_eq!(sent, ["POST composite", "POST tooling/composite"]);
    assert_eq!(second.json()["result"]["requests"], 2);
}

/// A request's path after `/services/data/vNN.N/`.
fn api_path(path: &str) -> &str {
    path.strip_prefix("/services/data/")
        .and_then(|rest| rest.split_once('/'))
        .map_or(path, |(_, tail)| tail)
}
