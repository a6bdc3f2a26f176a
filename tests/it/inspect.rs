//! `org inspect` against the emulator: piped sf JSON, sf's auth store, offline.

use crate::common::*;
use logik_org_emulator::SEED_ACCESS_TOKEN;

#[test]
fn offline_from_a_redacted_display_says_what_the_json_says() {
    let sandbox = Sandbox::new();
    let run = run_with_stdin(
        sandbox.cmd(&["org", "inspect", "--offline", "--json"]),
        &fixture("v1-display.json"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    assert_valid("org-inspect", &out);
    let facts = &out["result"];
    assert_eq!(facts["orgId"], "00D5e000000AbCdEAK");
    assert_eq!(facts["orgId15"], "00D5e000000AbCd");
    assert_eq!(facts["username"], "admin@acme.com.uat");
    assert_eq!(facts["alias"], "uat");
    assert_eq!(facts["sandboxName"], "uat");
    assert_eq!(facts["sandboxNameSource"], "username");
    assert_eq!(facts["source"]["offline"], true);
    assert_eq!(facts["source"]["input"], "org-display");
    assert!(facts["packages"].is_null());
    assert!(
        !run.stdout.contains("REDACTED"),
        "sf's placeholder is not passed on"
    );
}

#[test]
fn piped_display_with_a_token_reaches_the_org_with_that_token() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    let display = fixture("v1-display-show-secrets.json").replace(
        "http://127.0.0.1:8765/",
        &format!("{}/", emulator.base_url()),
    );
    let run = run_with_stdin(sandbox.cmd(&["org", "inspect", "--json"]), &display);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    assert_valid("org-inspect", &out);
    let facts = &out["result"];
    assert_eq!(facts["isSandbox"], true);
    assert_eq!(facts["instanceName"], "CS42");
    assert_eq!(facts["organizationType"], "Enterprise Edition");
    assert_eq!(facts["packages"]["logik"]["installed"], true);
    assert_eq!(facts["packages"]["cpq"]["installed"], true);
    assert_eq!(facts["source"]["tokenSource"]["kind"], "piped");
    let setting = &facts["tenantSetting"];
    assert_eq!(setting["runtimeUrlField"], "LGK__RuntimeUrl__c");
    assert_eq!(
        setting["adminUrlField"], "LGK__TenantAdminEndpoint__c",
        "found by its label"
    );
    let rows = setting["rows"].as_array().unwrap();
    let org_row = rows
        .iter()
        .find(|r| r["level"] == "org")
        .expect("org default row");
    assert_eq!(org_row["runtimeUrl"], "https://acme.test.logik.io");
    assert!(
        rows.iter().any(|r| r["level"] == "profile"),
        "the shadowing profile row is reported"
    );
    assert!(!run.stdout.contains(SEED_ACCESS_TOKEN) && !run.stderr.contains(SEED_ACCESS_TOKEN));
    let log = emulator.requests();
    assert!(!log.is_empty());
    assert!(
        log.iter()
            .all(|r| r.bearer.as_deref() == Some(SEED_ACCESS_TOKEN)),
        "{log:#?}"
    );
    assert_eq!(facts["source"]["requests"], log.len() as u64);
}

#[test]
fn by_alias_through_the_v1_and_v2_auth_store() {
    for version in ["v1", "v2"] {
        let emulator = emulator();
        let sandbox = Sandbox::new();
        sandbox.sf_auth_store(version, &format!("{}/", emulator.base_url()));
        let run = run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
        assert_eq!(run.code, 0, "{version}: {}\n{}", run.stdout, run.stderr);
        let facts = &run.json()["result"];
        assert_eq!(facts["username"], "admin@acme.com.uat");
        assert_eq!(facts["alias"], "uat");
        assert_eq!(facts["source"]["tokenSource"]["kind"], "authFile");
        assert!(
            facts["source"]["tokenSource"]["path"]
                .as_str()
                .unwrap()
                .ends_with("admin@acme.com.uat.json")
        );
        assert!(
            emulator
                .requests()
                .iter()
                .all(|r| r.bearer.as_deref() == Some(SEED_ACCESS_TOKEN))
        );
    }
}

#[test]
fn text_output_reads_like_a_summary() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let run = run(sandbox.cmd(&["org", "inspect", "-o", "uat"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("00D5e000000AbCdEAK"), "{}", run.stdout);
    assert!(run.stdout.contains("Package LGK"), "{}", run.stdout);
    assert!(
        run.stdout.contains("https://acme.test.logik.io"),
        "{}",
        run.stdout
    );
}

#[test]
fn environment_token_is_used_when_nothing_else_is_there() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cmd(&["org", "inspect", "--json"]);
    cmd.env("SF_ACCESS_TOKEN", SEED_ACCESS_TOKEN)
        .env("SF_ORG_INSTANCE_URL", emulator.base_url());
    let run = run_with_stdin(cmd, &display_json(&emulator.base_url()));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.json()["result"]["source"]["tokenSource"]["kind"],
        "environment"
    );
}

#[test]
fn query_pages_are_followed_to_the_end() {
    let emulator = logik_org_emulator::Emulator::start(logik_org_emulator::EmulatorOptions {
        page_size: 1,
        ..Default::default()
    })
    .unwrap();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let run = run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = run.json()["result"]["tenantSetting"]["rows"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(rows, 2, "both rows, over two pages");
    assert!(
        emulator
            .requests()
            .iter()
            .any(|r| r.path.contains("/query/")),
        "nextRecordsUrl was followed"
    );
}

#[test]
fn api_usage_past_90_percent_is_a_warning() {
    let emulator = emulator();
    emulator.with_state(|state| state.api_usage_start = 4_600);
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let run = run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings = run.json()["warnings"].to_string();
    assert!(warnings.contains("API usage is at"), "{warnings}");
}

#[test]
fn without_any_api_version_the_orgs_newest_is_used() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cmd(&["org", "inspect", "--json"]);
    cmd.env("SF_ACCESS_TOKEN", SEED_ACCESS_TOKEN)
        .env("SF_ORG_INSTANCE_URL", emulator.base_url());
    let run = run(cmd);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let newest = logik_org_emulator::LATEST_API_VERSION;
    assert_eq!(run.json()["result"]["apiVersion"], newest);
    let log = emulator.requests();
    assert!(
        log.iter()
            .filter(|r| r.path.starts_with("/services/data/v"))
            .all(|r| r.path.contains(&format!("/v{newest}/")))
    );

    let mut cmd = sandbox.cmd(&["org", "inspect", "--json", "--api-version", "60.0"]);
    cmd.env("SF_ACCESS_TOKEN", SEED_ACCESS_TOKEN)
        .env("SF_ORG_INSTANCE_URL", emulator.base_url());
    assert_eq!(
        run_cmd_json(cmd)["result"]["apiVersion"],
        "60.0",
        "the flag wins"
    );
}

fn run_cmd_json(cmd: std::process::Command) -> serde_json::Value {
    run(cmd).json()
}
