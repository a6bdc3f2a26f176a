//! Remembering a sandbox: the project config, a snapshot before the refresh restored after it.

use crate::common::*;
use logik_org_emulator::{Emulator, SHADOW_TENANT_URL};
use serde_json::{Value, json};

pub(crate) const TENANT: &str = "https://acme-uat.test.logik.io";
pub(crate) const BOB_TENANT: &str = "https://acme-bob.test.logik.io";

pub(crate) fn setup() -> (Emulator, Sandbox) {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

/// The CPQ Tenant rows as (owner's profile name or username, or "org"; runtime URL).
pub(crate) fn tenant_rows(emulator: &Emulator) -> Vec<(String, String)> {
    let profiles = emulator.records("Profile");
    let users = emulator.records("User");
    let name_of = |id: &str| -> String {
        if id.starts_with("00D") {
            return "org".into();
        }
        profiles
            .iter()
            .chain(users.iter())
            .find(|r| r["Id"] == id)
            .map(|r| {
                r.get("Username")
                    .or(r.get("Name"))
                    .and_then(Value::as_str)
                    .unwrap()
                    .to_string()
            })
            .unwrap_or_else(|| format!("unknown {id}"))
    };
    let mut rows: Vec<(String, String)> = emulator
        .records("LGK__ConfigurationTenant__c")
        .iter()
        .map(|r| {
            (
                name_of(r["SetupOwnerId"].as_str().unwrap()),
                r["LGK__RuntimeUrl__c"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// The sandbox as its admin left it: pointed at its tenant, and a user row for bob.
pub(crate) fn prepare_sandbox(emulator: &Emulator, sandbox: &Sandbox) {
    let out = run(sandbox.cmd(&[
        "run",
        "-o",
        "uat",
        "--runtime-url",
        TENANT,
        "--trusted-urls",
        "--no-runtime-clients",
        "--json",
    ]));
    assert_eq!(out.code, 68, "{}\n{}", out.stdout, out.stderr);
    emulator.with_state(|state| {
        let bob = state.find_id("User", "Username", "bob@acme.com.uat").unwrap();
        state
            .insert_raw(
                false,
                "LGK__ConfigurationTenant__c",
                json!({"SetupOwnerId": bob, "LGK__RuntimeUrl__c": BOB_TENANT, "LGK__TenantAdminEndpoint__c": BOB_TENANT}),
            )
            .unwrap();
    });
}

#[test]
fn a_snapshot_restores_every_tenant_row_after_the_refresh_with_no_tenant_flags() {
    let (emulator, sandbox) = setup();
    prepare_sandbox(&emulator, &sandbox);
    let before = tenant_rows(&emulator);
    assert_eq!(
        before,
        [
            ("Standard User".to_string(), SHADOW_TENANT_URL.to_string()),
            ("bob@acme.com.uat".to_string(), BOB_TENANT.to_string()),
            ("org".to_string(), TENANT.to_string()),
        ]
    );

    emulator.clear_log();
    let taken = run(sandbox.cmd(&["snapshot", "-o", "uat", "--json"]));
    assert_eq!(taken.code, 0, "{}\n{}", taken.stdout, taken.stderr);
    let out = taken.json();
    assert_valid("snapshot-take", &out);
    let file = snapshot_path(&sandbox, logik_org_emulator::SEED_ORG_ID);
    assert_eq!(out["result"]["file"], file.display().to_string());
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_valid("snapshot", &saved);
    let mut owners: Vec<&str> = saved["tenantSetting"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["owner"].as_str())
        .collect();
    owners.sort();
    assert_eq!(owners, ["Standard User", "bob@acme.com.uat"]);

    let old_org = logik_org_emulator::SEED_ORG_ID;
    let new_org = emulator.refresh("uat");
    assert_ne!(new_org, old_org);
    // Production's copy: its tenant only, no override rows; every ID is new.
    assert_eq!(
        tenant_rows(&emulator),
        [(
            "org".to_string(),
            logik_org_emulator::PRODUCTION_TENANT_URL.to_string()
        )]
    );

    let diff = run(sandbox.cmd(&["snapshot", "diff", "-o", "uat", "--json"]));
    assert_eq!(diff.code, 0, "{}\n{}", diff.stdout, diff.stderr);
    let diff = diff.json();
    assert_valid("snapshot-diff", &diff);
    let steps: Vec<&str> = diff["result"]["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["step"].as_str().unwrap())
        .collect();
    assert!(
        steps.iter().filter(|s| **s == "tenant-urls").count() == 3,
        "{diff:#}"
    );
    assert!(steps.contains(&"provisioning-user"), "{diff:#}");
    assert!(steps.contains(&"trusted-urls"), "{diff:#}");
    let writes_before = writes(&emulator);
    assert_eq!(writes_before, 0, "snapshot and diff only read");

    let fixed = run(sandbox.cmd(&["run", "-o", "uat", "--json"]));
    assert_eq!(fixed.code, 68, "{}\n{}", fixed.stdout, fixed.stderr);
    let summary = fixed.json();
    assert_valid("run", &summary);
    let summary = &summary["result"];
    assert_eq!(summary["org"]["orgId"], new_org);
    assert_eq!(summary["snapshot"]["file"], file.display().to_string());
    assert!(
        !summary["snapshot"]["differences"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        tenant_rows(&emulator),
        [
            ("Standard User".to_string(), SHADOW_TENANT_URL.to_string()),
            ("bob@acme.com.uat".to_string(), BOB_TENANT.to_string()),
            ("org".to_string(), TENANT.to_string()),
        ]
    );

    let after = run(sandbox.cmd(&["snapshot", "diff", "-o", "uat", "--json"]));
    assert_eq!(after.code, 0, "{}\n{}", after.stdout, after.stderr);
    assert_eq!(
        after.json()["result"]["differences"],
        json!([]),
        "{}",
        after.stdout
    );
}

#[test]
fn a_snapshot_of_another_sandbox_is_refused_unless_named() {
    let (_emulator, sandbox) = setup();
    let qa = sandbox.work().join("qa.json");
    let taken = run(sandbox.cmd(&[
        "snapshot",
        "-o",
        "uat",
        "--output",
        qa.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(taken.code, 0, "{}", taken.stderr);
    let mut snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&qa).unwrap()).unwrap();
    snapshot["sandboxName"] = json!("qa");
    write_sealed_snapshot(&qa, &snapshot);
    let refused = run(sandbox.cmd(&[
        "run",
        "-o",
        "uat",
        "--snapshot",
        qa.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert_eq!(refused.json()["name"], "SnapshotSandboxMismatchError");
    let named = run(sandbox.cmd(&[
        "snapshot",
        "diff",
        "-o",
        "uat",
        "--snapshot",
        qa.to_str().unwrap(),
        "--snapshot-of",
        "qa",
        "--json",
    ]));
    assert_eq!(named.code, 0, "{}\n{}", named.stdout, named.stderr);
}

fn write_project(sandbox: &Sandbox, section: Value) -> std::path::PathBuf {
    let path = sandbox.work().join("sfdx-project.json");
    let project = json!({
        "packageDirectories": [{"path": "force-app", "default": true}],
        "sourceApiVersion": "62.0",
        "plugins": {"logik-refresh": section}
    });
    std::fs::write(&path, serde_json::to_string_pretty(&project).unwrap()).unwrap();
    path
}

#[test]
fn a_config_with_errors_lists_them_all_with_paths_and_changes_nothing() {
    let (emulator, sandbox) = setup();
    write_project(
        &sandbox,
        json!({"cpqUrl": "https://acme.example.com",
               "sandboxes": {"uat": {"runtimeUrl": "http://acme-uat.test.logik.io", "cpqAdmins": ["jane"],
                                     "refreshTokenUser": 7, "colour": "blue"},
                             "Not_A_Name": {}}}),
    );
    std::fs::create_dir_all(sandbox.work().join("force-app/sub")).unwrap();
    let mut cmd = sandbox.cmd(&["run", "-o", "uat", "--json"]);
    cmd.current_dir(sandbox.work().join("force-app/sub"));
    let out = run(cmd);
    assert_eq!(out.code, 2, "{}", out.stdout);
    let err = out.json();
    assert_valid("error", &err);
    let paths: Vec<&str> = err["data"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    for expected in [
        "$.plugins['logik-refresh'].cpqUrl",
        "$.plugins['logik-refresh'].sandboxes.uat.runtimeUrl",
        "$.plugins['logik-refresh'].sandboxes.uat.cpqAdmins[0]",
        "$.plugins['logik-refresh'].sandboxes.uat.refreshTokenUser",
        "$.plugins['logik-refresh'].sandboxes.uat.colour",
        "$.plugins['logik-refresh'].sandboxes.Not_A_Name",
    ] {
        assert!(paths.contains(&expected), "{expected} in {paths:#?}");
    }
    assert!(emulator.requests().is_empty(), "nothing was sent");
    let validate = run(sandbox.cmd(&["config", "validate", "--json"]));
    assert_eq!(validate.code, 2);
}

#[test]
fn run_takes_the_tenant_and_users_from_the_config_and_config_init_writes_the_entry() {
    let (emulator, sandbox) = setup();
    let path = write_project(
        &sandbox,
        json!({"sandboxes": {"uat": {"cpqAdmins": ["jane@acme.com"]}}}),
    );
    // Before the refresh: the org points at its tenant; init records it.
    emulator.with_state(|state| {
        let table = state.data.table_mut("LGK__ConfigurationTenant__c").unwrap();
        for row in &mut table.records {
            if row["SetupOwnerId"].as_str().unwrap().starts_with("00D") {
                row.insert("LGK__RuntimeUrl__c".into(), TENANT.into());
                row.insert("LGK__TenantAdminEndpoint__c".into(), TENANT.into());
            }
        }
    });
    let init = run(sandbox.cmd(&["config", "init", "-o", "uat", "--json"]));
    assert_eq!(init.code, 0, "{}\n{}", init.stdout, init.stderr);
    assert_valid("config-init", &init.json());
    let project: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(project["packageDirectories"][0]["path"], "force-app");
    let entry = &project["plugins"]["logik-refresh"]["sandboxes"]["uat"];
    assert_eq!(entry["runtimeUrl"], TENANT);
    assert_eq!(entry["cpqAdmins"], json!(["jane@acme.com"]));
    let mut project = project.clone();
    project["plugins"]["logik-refresh"]["sandboxes"]["uat"]["refreshTokenUser"] =
        json!("jane@acme.com");
    project["plugins"]["logik-refresh"]["sandboxes"]["uat"]["runtimeClients"] = json!([]);
    std::fs::write(&path, serde_json::to_string_pretty(&project).unwrap()).unwrap();

    emulator.refresh("uat");
    let out = run(sandbox.cmd(&["run", "-o", "uat", "--json"]));
    assert_eq!(out.code, 68, "{}\n{}", out.stdout, out.stderr);
    let summary = out.json();
    let step = |name: &str| {
        summary["result"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(step("tenant-urls")["outcome"], "changed");
    assert_eq!(step("runtime-clients")["outcome"], "skipped");
    let confirm = step("refresh-token-user")["manual"]["confirmCommand"].clone();
    assert!(
        confirm.as_str().unwrap().contains("jane@acme.com.uat"),
        "{confirm}"
    );
    assert_eq!(org_default(&emulator)["LGK__RuntimeUrl__c"], TENANT);
}

#[test]
fn case_build_takes_the_cpq_url_and_admins_from_the_config() {
    let (_emulator, sandbox) = setup();
    write_project(
        &sandbox,
        json!({"cpqUrl": "https://acme.test.logik.io",
               "sandboxes": {"uat": {"cpqAdmins": ["jane@acme.com"]}}}),
    );
    let out = run(sandbox.cmd(&[
        "case",
        "build",
        "-o",
        "uat",
        "--refresh-date",
        "2099-12-01",
        "--retain-data",
        "--json",
    ]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let case = &out.json()["result"];
    assert_eq!(case["cpqUrl"], "https://acme.test.logik.io");
    assert_eq!(case["cpqAdmins"], json!(["jane@acme.com.uat"]));
}

/// Three refreshed sandboxes (uat, qa, dev), each its own emulator, logged in through sf's auth
/// store under its name as the alias.
fn three_sandboxes() -> (Vec<Emulator>, Sandbox) {
    sandboxes(&["uat".into(), "qa".into(), "dev".into()])
}

#[test]
fn run_all_finishes_the_other_sandboxes_when_one_fails_and_exits_1_with_the_summary() {
    let (emulators, sandbox) = three_sandboxes();
    let org_ids: std::collections::HashSet<String> = emulators
        .iter()
        .map(|e| e.with_state(|s| s.org_id.clone()))
        .collect();
    assert_eq!(org_ids.len(), 3, "one journal per org");
    let entry = |url: &str| json!({"runtimeUrl": url, "refreshTokenUser": "admin@acme.com", "runtimeClients": []});
    write_project(
        &sandbox,
        json!({"sandboxes": {
            "uat": entry("https://acme-uat.test.logik.io"),
            "qa": entry("https://acme-qa.test.logik.io"),
            "dev": entry("https://acme-dev.test.logik.io")}}),
    );
    // qa refuses the tenant write.
    emulators[1].inject(logik_org_emulator::Fault {
        method: Some("PATCH".into()),
        path_contains: Some("LGK__ConfigurationTenant__c".into()),
        times: 100,
        kind: logik_org_emulator::FaultKind::Status {
            status: 400,
            retry_after: None,
            error_code: Some("FIELD_CUSTOM_VALIDATION_EXCEPTION".into()),
        },
    });

    let out = run(sandbox.cmd(&["run", "--all", "--json"]));
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let summary = out.json();
    assert_valid("run-many", &summary);
    let orgs = summary["result"]["orgs"].as_array().unwrap();
    let by = |name: &str| orgs.iter().find(|o| o["target"] == name).unwrap().clone();
    assert_eq!(by("qa")["outcome"], "failed");
    assert_eq!(by("qa")["failed"], json!(["tenant-urls"]));
    for (name, emulator, url) in [
        ("uat", &emulators[0], "https://acme-uat.test.logik.io"),
        ("dev", &emulators[2], "https://acme-dev.test.logik.io"),
    ] {
        let org = by(name);
        assert_eq!(org["outcome"], "pending", "{org:#}");
        let pending: Vec<&str> = org["pending"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["step"].as_str().unwrap())
            .collect();
        assert_eq!(pending, ["configurator-url", "refresh-token-user"]);
        assert_eq!(org_default(emulator)["LGK__RuntimeUrl__c"], url);
    }

    let lines = run(sandbox.cmd(&["run", "-o", "uat", "-o", "qa", "-o", "dev", "--jsonl"]));
    assert_eq!(lines.code, 1, "{}", lines.stderr);
    let events: Vec<Value> = lines
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for event in &events {
        assert_valid("run-event", event);
    }
    let last = events.last().unwrap();
    assert_eq!(last["event"], "fleet-summary");
    assert_eq!(last["status"], 1);
    for name in ["uat", "qa", "dev"] {
        assert!(
            events
                .iter()
                .any(|e| e["target"] == name && e["event"] == "step-finished"),
            "{name} tagged"
        );
    }
    let text = run(sandbox.cmd(&["run", "--all"]));
    assert_eq!(text.code, 1);
    assert!(text.stdout.contains("qa: failed"), "{}", text.stdout);
    assert!(
        text.stdout
            .contains("3 org(s): 1 failed, 2 with guided steps left."),
        "{}",
        text.stdout
    );
}

/// Each org of `run --all` runs on its own: one waiting for its lock (`--wait-lock`, while
/// another process writes that org) holds up no other org, which finishes meanwhile.
#[test]
fn run_many_an_org_waiting_for_its_lock_holds_up_no_other() {
    use std::io::BufRead;
    let (emulators, sandbox) = three_sandboxes();
    let entry = |url: &str| json!({"runtimeUrl": url, "refreshTokenUser": "admin@acme.com", "runtimeClients": []});
    write_project(
        &sandbox,
        json!({"sandboxes": {
            "uat": entry("https://acme-uat.test.logik.io"),
            "qa": entry("https://acme-qa.test.logik.io")}}),
    );
    // Another process writes qa, its write held 5 s by the org: it holds qa's lock that long.
    emulators[1].inject(logik_org_emulator::Fault {
        method: Some("PATCH".into()),
        path_contains: Some("LGK__ConfigurationTenant__c".into()),
        times: 1,
        kind: logik_org_emulator::FaultKind::Latency { ms: 5000 },
    });
    let qa_lock = sandbox.state().join("locks").join(format!(
        "{}.lock",
        emulators[1].with_state(|s| s.org_id.clone())
    ));
    let mut holder = sandbox
        .cmd(&[
            "step",
            "tenant-urls",
            "-o",
            "qa",
            "--runtime-url",
            "https://acme-qa.test.logik.io",
            "--json",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let holds = format!("\"pid\":{}", holder.id());
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&qa_lock).is_ok_and(|t| t.contains(&holds)) {
        assert!(
            started.elapsed().as_secs() < 60,
            "the writer never took qa's lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }

    let mut fleet = sandbox
        .cmd(&["run", "--all", "--wait-lock", "60", "--jsonl"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(fleet.stdout.take().unwrap()).lines();
    // uat's last step ends while qa still waits for the other process.
    loop {
        let line = lines.next().expect("uat's run ended").unwrap();
        let event: Value = serde_json::from_str(&line).unwrap();
        if event["target"] == "uat"
            && event["event"] == "step-finished"
            && event["index"] == event["total"]
        {
            break;
        }
    }
    assert!(
        holder.try_wait().unwrap().is_none(),
        "uat finished only after qa's lock was free"
    );
    assert!(holder.wait().unwrap().success());
    let rest: Vec<Value> = lines
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    let summary = rest.last().unwrap();
    assert_eq!(summary["event"], "fleet-summary", "{summary:#}");
    for org in summary["summary"]["orgs"].as_array().unwrap() {
        assert_eq!(org["outcome"], "pending", "{org:#}");
    }
    assert_eq!(fleet.wait().unwrap().code(), Some(68));
}

/// Org data shown by `snapshot diff` passes the text printer's one escaping: an ESC in a value
/// (a tenant URL the org holds, a name in the snapshot) is shown as `\x1b`, never sent raw,
/// and a newline in it cannot forge a line of its own.
#[test]
fn snapshot_diff_text_escapes_control_characters_from_org_data() {
    let (emulator, sandbox) = setup();
    prepare_sandbox(&emulator, &sandbox);
    let taken = run(sandbox.cmd(&["snapshot", "-o", "uat", "--json"]));
    assert_eq!(taken.code, 0, "{}\n{}", taken.stdout, taken.stderr);
    let file = snapshot_path(&sandbox, logik_org_emulator::SEED_ORG_ID);
    let mut saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    for row in saved["tenantSetting"].as_array_mut().unwrap() {
        if row["owner"] == "bob@acme.com.uat" {
            row["runtimeUrl"] =
                json!("https://acme-bob.test.logik.io\u{1b}]0;owned\u{7}\n  [tenant-urls] forged");
            row["owner"] = json!("bob\u{1b}[31m@acme.com.uat\n  [tenant-urls] forged");
        }
    }
    write_sealed_snapshot(&file, &saved);
    emulator.with_state(|state| {
        let table = state
            .store_mut(false)
            .table_mut("LGK__ConfigurationTenant__c")
            .unwrap();
        for row in table.records.iter_mut() {
            if row["SetupOwnerId"]
                .as_str()
                .is_some_and(|o| o.starts_with("00D"))
            {
                row.insert(
                    "LGK__RuntimeUrl__c".into(),
                    json!("https://x.test.logik.io/\u{1b}[2J"),
                );
            }
        }
    });
    // Not refreshed: the snapshot of the org itself is compared only when named.
    let out = run(sandbox.cmd(&[
        "snapshot",
        "diff",
        "-o",
        "uat",
        "--snapshot",
        file.to_str().unwrap(),
    ]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains('\u{1b}'), "{:?}", out.stdout);
    assert!(!out.stdout.contains('\u{7}'), "{:?}", out.stdout);
    // A name (text) shows the escape; a value (JSON) its JSON escape.
    assert!(out.stdout.contains("bob\\x1b[31m@acme"), "{}", out.stdout);
    assert!(out.stdout.contains("\\u001b]0;owned"), "{}", out.stdout);
    assert!(
        !out.stdout
            .lines()
            .any(|l| l.trim_start().starts_with("[tenant-urls] forged")),
        "{}",
        out.stdout
    );
}
