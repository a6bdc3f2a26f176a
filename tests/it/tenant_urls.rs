//! `step tenant-urls` against the emulator: plan, apply, idempotence, the journal, faults.

use crate::common::*;
use logik_org_emulator::{Emulator, EmulatorOptions, Fault, FaultKind, Seed};
use serde_json::Value;

const NEW: &str = "https://acme-uat.test.logik.io";
const OLD: &str = "https://acme.test.logik.io";
const ADMIN_FIELD: &str = "LGK__TenantAdminEndpoint__c";

fn step(sandbox: &Sandbox, extra: &[&str]) -> Run {
    let mut args = vec![
        "step",
        "tenant-urls",
        "-o",
        "uat",
        "--runtime-url",
        NEW,
        "--json",
    ];
    args.extend_from_slice(extra);
    run(sandbox.cmd(&args))
}

fn setup() -> (Emulator, Sandbox) {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

#[test]
fn first_run_changes_second_run_changes_nothing() {
    let (emulator, sandbox) = setup();
    let first = step(&sandbox, &[]);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    let out = first.json();
    assert_valid("step-result", &out);
    assert_eq!(out["result"]["outcome"], "changed");
    assert_eq!(
        out["result"]["changes"].as_array().unwrap().len(),
        2,
        "runtime and admin URL"
    );
    assert_eq!(out["result"]["changes"][0]["before"], OLD);
    let row = org_default(&emulator);
    assert_eq!(row["LGK__RuntimeUrl__c"], NEW);
    assert_eq!(
        row[ADMIN_FIELD], NEW,
        "the admin URL defaults to the runtime URL"
    );
    assert_eq!(writes(&emulator), 1);
    // The shadowing profile row is reported, not touched.
    let checks = out["result"]["checks"].as_array().unwrap();
    assert!(
        checks
            .iter()
            .any(|c| c["name"] == "overrides" && c["ok"] == false),
        "{checks:#?}"
    );
    let journal = sandbox.journal();
    let events: Vec<&str> = journal
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["apply-started", "applied"]);
    assert_eq!(journal[0]["changes"][0]["before"], OLD);
    for entry in &journal {
        assert_valid("journal-entry", entry);
    }

    emulator.clear_log();
    let second = step(&sandbox, &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(second.json()["result"]["outcome"], "unchanged");
    assert_eq!(writes(&emulator), 0, "a second run sends no write");
}

#[test]
fn dry_run_plans_and_writes_nothing() {
    let (emulator, sandbox) = setup();
    let run = step(&sandbox, &["--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let result = &run.json()["result"];
    assert_eq!(result["outcome"], "planned");
    assert_eq!(result["dryRun"], true);
    assert_eq!(result["changes"][0]["after"], NEW);
    assert_eq!(writes(&emulator), 0);
    assert_eq!(org_default(&emulator)["LGK__RuntimeUrl__c"], OLD);
    assert!(sandbox.journal().is_empty(), "a plan is not journaled");
}

#[test]
fn overrides_are_updated_together_all_or_none() {
    let (emulator, sandbox) = setup();
    let run = step(
        &sandbox,
        &[
            "--include-overrides",
            "--admin-url",
            "https://acme-uat-admin.test.logik.io",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["result"]["changes"].as_array().unwrap().len(), 4);
    for row in emulator.records("LGK__ConfigurationTenant__c") {
        assert_eq!(row["LGK__RuntimeUrl__c"], NEW, "{row}");
        assert_eq!(row[ADMIN_FIELD], "https://acme-uat-admin.test.logik.io");
    }
    let log = emulator.requests();
    assert!(
        log.iter().any(|r| r.path.ends_with("/composite")),
        "one composite request"
    );
}

#[test]
fn a_missing_org_default_row_is_created() {
    let (emulator, sandbox) = setup();
    emulator.with_state(|state| {
        let table = state
            .store_mut(false)
            .table_mut("LGK__ConfigurationTenant__c")
            .unwrap();
        table
            .records
            .retain(|r| !r["SetupOwnerId"].as_str().unwrap().starts_with("00D"));
    });
    let run = step(&sandbox, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["result"]["changes"][0]["before"], Value::Null);
    assert_eq!(org_default(&emulator)["LGK__RuntimeUrl__c"], NEW);
}

#[test]
fn survives_503_twice_on_a_read() {
    let (emulator, sandbox) = setup();
    // The step's reads go in composites of GETs only, which are safe to send again.
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
    let run = step(&sandbox, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(org_default(&emulator)["LGK__RuntimeUrl__c"], NEW);
    assert_eq!(
        emulator
            .requests()
            .iter()
            .filter(|r| r.status == 503)
            .count(),
        2
    );
}

#[test]
fn a_dropped_connection_after_the_write_is_not_written_twice() {
    let (emulator, sandbox) = setup();
    emulator.inject(Fault {
        method: Some("PATCH".into()),
        path_contains: Some("LGK__ConfigurationTenant__c".into()),
        times: 1,
        kind: FaultKind::DropConnection { after_apply: true },
    });
    let run = step(&sandbox, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["result"]["outcome"], "changed");
    assert_eq!(org_default(&emulator)["LGK__RuntimeUrl__c"], NEW);
    assert_eq!(writes(&emulator), 1, "re-read, not re-sent");
    let events: Vec<String> = sandbox
        .journal()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(events, ["apply-started", "applied"]);
}

#[test]
fn a_dropped_connection_before_the_write_is_sent_again_once_the_org_shows_it_did_not_land() {
    let (emulator, sandbox) = setup();
    emulator.inject(Fault {
        method: Some("PATCH".into()),
        path_contains: Some("LGK__ConfigurationTenant__c".into()),
        times: 1,
        kind: FaultKind::DropConnection { after_apply: false },
    });
    let run = step(&sandbox, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(org_default(&emulator)["LGK__RuntimeUrl__c"], NEW);
    let patches: Vec<u16> = emulator
        .requests()
        .iter()
        .filter(|r| r.write)
        .map(|r| r.status)
        .collect();
    // The write goes in a composite with its re-read: 200 when it answers.
    assert_eq!(patches, [0, 200], "dropped, re-read, sent again once");
    let events: Vec<String> = sandbox
        .journal()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(events, ["apply-started", "applied"]);
}

#[test]
fn a_refused_write_fails_cleanly_and_a_rerun_completes() {
    let (emulator, sandbox) = setup();
    emulator.inject(Fault {
        method: Some("PATCH".into()),
        path_contains: Some("LGK__ConfigurationTenant__c".into()),
        times: 1,
        kind: FaultKind::Status {
            status: 400,
            retry_after: None,
            error_code: Some("FIELD_CUSTOM_VALIDATION_EXCEPTION".into()),
        },
    });
    let run = step(&sandbox, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        org_default(&emulator)["LGK__RuntimeUrl__c"],
        OLD,
        "nothing half-applied"
    );
    assert_eq!(writes(&emulator), 1, "a refused write is not sent again");
    let events: Vec<String> = sandbox
        .journal()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(events, ["apply-started", "apply-failed"]);
    let rerun = step(&sandbox, &[]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert_eq!(org_default(&emulator)["LGK__RuntimeUrl__c"], NEW);
}

#[test]
fn a_401_once_renews_the_token_with_the_refresh_token() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&format!("{}/", emulator.base_url()));
    emulator.inject(Fault {
        method: None,
        path_contains: Some("tooling/composite".into()),
        times: 1,
        kind: FaultKind::ExpireToken,
    });
    let run = step(&sandbox, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(org_default(&emulator)["LGK__RuntimeUrl__c"], NEW);
    let log = emulator.requests();
    assert_eq!(
        log.iter()
            .filter(|r| r.path.ends_with("/services/oauth2/token"))
            .count(),
        1,
        "renewed once"
    );
    assert!(!run.stdout.contains(logik_org_emulator::SEED_REFRESH_TOKEN));
}

#[test]
fn an_expired_token_without_a_refresh_token_is_a_clear_error() {
    let (emulator, sandbox) = setup();
    emulator.inject(Fault {
        method: None,
        path_contains: None,
        times: 1,
        kind: FaultKind::ExpireToken,
    });
    let run = step(&sandbox, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let envelope = run.json();
    assert_eq!(envelope["name"], "ExpiredAccessTokenError");
    assert!(
        envelope["actions"]
            .to_string()
            .contains("sf org login web -o uat"),
        "{envelope:#}"
    );
    assert_eq!(writes(&emulator), 0);
}

#[test]
fn bad_urls_are_refused_before_any_request() {
    let (emulator, sandbox) = setup();
    for url in [
        "http://acme-uat.test.logik.io",
        "https://acme-uat.example.com",
        "https://acme-uat.test.logik.io/ui/configure",
    ] {
        let run = run(sandbox.cmd(&[
            "step",
            "tenant-urls",
            "-o",
            "uat",
            "--runtime-url",
            url,
            "--json",
        ]));
        assert_eq!(run.code, 2, "{url}: {}", run.stdout);
        assert_eq!(run.json()["name"], "InvalidTenantUrlError");
    }
    assert!(emulator.requests().is_empty());
}

#[test]
fn an_org_without_the_logik_package_says_so() {
    let emulator = Emulator::start(EmulatorOptions {
        seed: Seed::NoLogik,
        ..EmulatorOptions::default()
    })
    .unwrap();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let run = step(&sandbox, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.json()["name"], "LogikPackageNotInstalledError");
    assert_eq!(writes(&emulator), 0);
}

#[test]
fn production_is_refused_without_allow_production() {
    let emulator = Emulator::start(EmulatorOptions {
        seed: Seed::Production,
        ..EmulatorOptions::default()
    })
    .unwrap();
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cmd(&["step", "tenant-urls", "--runtime-url", NEW, "--json"]);
    cmd.env("SF_ACCESS_TOKEN", emulator.access_token())
        .env("SF_ORG_INSTANCE_URL", emulator.base_url())
        .env("SF_TARGET_ORG", "admin@acme.com");
    let run = run(cmd);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["name"], "ProductionOrgError");
    assert_eq!(writes(&emulator), 0);
}

#[test]
fn rollback_restores_the_values_from_before() {
    let (emulator, sandbox) = setup();
    assert_eq!(step(&sandbox, &[]).code, 0);
    let plan = run(sandbox.cmd(&[
        "rollback",
        "--step",
        "tenant-urls",
        "-o",
        "uat",
        "--dry-run",
        "--json",
    ]));
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    assert_eq!(plan.json()["result"]["outcome"], "planned");
    assert_eq!(
        org_default(&emulator)["LGK__RuntimeUrl__c"],
        NEW,
        "a planned rollback changes nothing"
    );

    let rollback = run(sandbox.cmd(&["rollback", "--step", "tenant-urls", "-o", "uat", "--json"]));
    assert_eq!(rollback.code, 0, "{}\n{}", rollback.stdout, rollback.stderr);
    let out = rollback.json();
    assert_valid("step-result", &out);
    assert_eq!(out["result"]["outcome"], "changed");
    let row = org_default(&emulator);
    assert_eq!(row["LGK__RuntimeUrl__c"], OLD);
    assert_eq!(row[ADMIN_FIELD], OLD);
    assert_eq!(sandbox.journal().last().unwrap()["event"], "rolled-back");

    let again = run(sandbox.cmd(&["rollback", "--step", "tenant-urls", "-o", "uat", "--json"]));
    assert_eq!(again.code, 0);
    assert_eq!(again.json()["result"]["outcome"], "skipped");
}

#[test]
fn rollback_leaves_values_someone_changed_since() {
    let (emulator, sandbox) = setup();
    assert_eq!(step(&sandbox, &[]).code, 0);
    let id = org_default(&emulator)["Id"].as_str().unwrap().to_string();
    emulator.with_state(|state| {
        let table = state
            .store_mut(false)
            .table_mut("LGK__ConfigurationTenant__c")
            .unwrap();
        let row = table
            .records
            .iter_mut()
            .find(|r| r["Id"] == id.as_str())
            .unwrap();
        row.insert(
            "LGK__RuntimeUrl__c".into(),
            "https://someone-else.test.logik.io".into(),
        );
    });
    let rollback = run(sandbox.cmd(&["rollback", "--step", "tenant-urls", "-o", "uat", "--json"]));
    assert_eq!(rollback.code, 0, "{}", rollback.stdout);
    let result = &rollback.json()["result"];
    assert!(
        result["warnings"].to_string().contains("changed since"),
        "{result:#}"
    );
    let row = org_default(&emulator);
    assert_eq!(
        row["LGK__RuntimeUrl__c"],
        "https://someone-else.test.logik.io"
    );
    assert_eq!(row[ADMIN_FIELD], OLD, "the untouched field is restored");
}

#[test]
fn rollback_without_a_journal_says_so() {
    let (_emulator, sandbox) = setup();
    let run = run(sandbox.cmd(&["rollback", "--step", "tenant-urls", "-o", "uat", "--json"]));
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.json()["name"], "NothingToRollBackError");
}

/// From API 49.0 a composite's subrequests are collated and may run out of order unless
/// `collateSubrequests` is false (REST API, "Composite"); the emulator then runs the reads
/// first. The write's re-read must see the write: the tool says so, and the step succeeds.
#[test]
fn the_reread_runs_after_the_write_when_the_org_collates_subrequests() {
    let (emulator, sandbox) = setup();
    let first = step(&sandbox, &[]);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    assert_eq!(first.json()["result"]["outcome"], "changed");
    assert_eq!(org_default(&emulator)["LGK__RuntimeUrl__c"], NEW);
    let trace = std::fs::read_to_string(sandbox.trace()).unwrap();
    let write = trace
        .lines()
        .find(|l| l.contains("compositeRequest") && l.contains("PATCH"))
        .expect("the write composite is traced");
    assert!(
        write.contains(r#"\"collateSubrequests\":false"#)
            || write.contains(r#""collateSubrequests":false"#),
        "{write}"
    );
}
