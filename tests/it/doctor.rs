//! `doctor`: with nothing configured it reports (exit 0); against the emulator through sf's
//! auth store, from piped sf JSON, offline; an org named but unreachable exits 1 with the
//! report; the real sf's version where it is installed. No token ever shows.

use crate::common::*;
use crate::real_sf::real_sf;
use logik_org_emulator::SEED_ACCESS_TOKEN;
use serde_json::Value;

/// `cmd` with one more variable set.
fn with_env(
    mut cmd: std::process::Command,
    key: &str,
    value: impl AsRef<std::ffi::OsStr>,
) -> std::process::Command {
    cmd.env(key, value);
    cmd
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["result"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report:#}"))
}

fn assert_no_token(run: &Run) {
    assert!(
        !run.stdout.contains(SEED_ACCESS_TOKEN) && !run.stderr.contains(SEED_ACCESS_TOKEN),
        "the token shows:\n{}\n{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn with_nothing_configured_it_reports_and_exits_0() {
    let sandbox = Sandbox::new();
    let out = run(sandbox.cmd(&["doctor", "--json"]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_valid("doctor", &report);
    assert_eq!(report["status"], 0);
    let names: Vec<&str> = report["result"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "sf-cli",
            "sf-key",
            "network",
            "target-org",
            "auth-file",
            "org-reachable",
            "logik-package",
            "cpq-package",
            "keystore",
            "state"
        ]
    );
    assert_eq!(check(&report, "sf-cli")["status"], "warning");
    assert_eq!(report["result"]["sfCli"]["found"], false);
    assert_eq!(check(&report, "sf-key")["status"], "warning");
    assert_eq!(check(&report, "target-org")["status"], "warning");
    assert_eq!(check(&report, "org-reachable")["status"], "skipped");
    assert!(report["result"]["org"]["requestedBy"].is_null());
    assert_eq!(
        report["result"]["state"]["dir"],
        sandbox.state().display().to_string()
    );
    // Which keystore depends on the machine; what it says does not.
    let keystore = &report["result"]["keystore"];
    assert_eq!(keystore["envFallback"], "LOGIK_REFRESH_SECRET_<NAME>");
    assert!(keystore["detail"].as_str().unwrap().len() > 10);

    let text = run(sandbox.cmd(&["doctor"]));
    assert_eq!(text.code, 0, "{}", text.stderr);
    for expected in ["sf CLI", "target org", "keystore", "10 checks"] {
        assert!(
            text.stdout.contains(expected),
            "{expected}:\n{}",
            text.stdout
        );
    }
}

#[test]
fn without_a_keystore_it_names_the_fallback() {
    let sandbox = Sandbox::new();
    let out = run(with_env(
        sandbox.cmd(&["doctor", "--json"]),
        "LOGIK_REFRESH_KEYSTORE",
        "none",
    ));
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report = out.json();
    assert_valid("doctor", &report);
    assert!(report["result"]["keystore"]["store"].is_null());
    assert_eq!(report["result"]["keystore"]["choice"], "none");
    let keystore = check(&report, "keystore");
    assert_eq!(keystore["status"], "warning");
    assert!(
        keystore["actions"][0]
            .as_str()
            .unwrap()
            .contains("LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE"),
        "{keystore:#}"
    );
}

#[test]
fn through_sfs_auth_store_it_reaches_the_org_and_sees_the_packages() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&emulator.base_url());
    let out = run(sandbox.cmd(&["doctor", "-o", "uat", "--json"]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_no_token(&out);
    let report = out.json();
    assert_valid("doctor", &report);
    let result = &report["result"];
    assert_eq!(result["ok"], true, "{report:#}");
    for name in [
        "sf-key",
        "target-org",
        "auth-file",
        "org-reachable",
        "logik-package",
        "cpq-package",
        "state",
    ] {
        assert_eq!(check(&report, name)["status"], "ok", "{name}: {report:#}");
    }
    let org = &result["org"];
    assert_eq!(org["requestedBy"], "flag");
    assert_eq!(org["username"], "admin@acme.com.uat");
    assert_eq!(org["alias"], "uat");
    assert_eq!(org["authFileReadable"], true);
    assert_eq!(org["reachable"], true);
    assert_eq!(org["tokenSource"]["kind"], "authFile");
    assert_eq!(org["packages"]["logik"]["installed"], true);
    assert_eq!(org["packages"]["cpq"]["installed"], true);
    assert!(org["requests"].as_u64().unwrap() >= 1);
    assert_eq!(org["orgId"], logik_org_emulator::SEED_ORG_ID);
    assert!(
        check(&report, "auth-file")["detail"]
            .as_str()
            .unwrap()
            .contains("refresh token"),
        "{report:#}"
    );
    assert_eq!(result["sfKey"]["source"], "key-file");
    assert!(
        result["state"]["journal"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{}.jsonl", logik_org_emulator::SEED_ORG_ID))
    );

    let text = run(sandbox.cmd(&["doctor", "-o", "uat"]));
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("org reachable"), "{}", text.stdout);
    assert!(
        text.stdout
            .contains("admin@acme.com.uat (alias uat), from -o")
    );
    assert_no_token(&text);
}

#[test]
fn from_piped_sf_json_and_offline() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &emulator.base_url());
    let out = run_with_stdin(
        sandbox.cmd(&["doctor", "--json"]),
        &display_json(&emulator.base_url()),
    );
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_valid("doctor", &report);
    assert_eq!(report["result"]["org"]["requestedBy"], "stdin");
    assert_eq!(report["result"]["org"]["reachable"], true);
    assert_no_token(&out);

    let out = run(sandbox.cmd(&["doctor", "-o", "uat", "--offline", "--json"]));
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report = out.json();
    assert_valid("doctor", &report);
    assert_eq!(check(&report, "auth-file")["status"], "ok");
    assert_eq!(check(&report, "org-reachable")["status"], "skipped");
    assert!(report["result"]["org"]["reachable"].is_null());
    let before = emulator.requests().len();
    let _ = run(sandbox.cmd(&["doctor", "-o", "uat", "--offline"]));
    assert_eq!(emulator.requests().len(), before, "offline calls nothing");
}

#[test]
fn a_named_org_that_cannot_be_reached_exits_1_with_the_report() {
    let sandbox = Sandbox::new();
    // Nothing listens on port 9 of loopback (discard; not served here).
    sandbox.sf_auth_store("v1", "http://127.0.0.1:9");
    let out = run(with_env(
        sandbox.cmd(&["doctor", "-o", "uat", "--json"]),
        "LOGIK_REFRESH_MAX_RETRIES",
        "0",
    ));
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_valid("doctor", &report);
    assert_eq!(report["status"], 1);
    assert_eq!(report["result"]["ok"], false);
    assert_eq!(check(&report, "auth-file")["status"], "ok");
    assert_eq!(check(&report, "org-reachable")["status"], "error");
    assert_eq!(check(&report, "logik-package")["status"], "skipped");
    assert_eq!(report["result"]["org"]["reachable"], false);

    // An org that sf does not know: exit 1, said in the target-org check.
    let out = run(sandbox.cmd(&["doctor", "-o", "nobody@example.com", "--json"]));
    assert_eq!(out.code, 1, "{}", out.stdout);
    let report = out.json();
    assert_eq!(check(&report, "target-org")["status"], "error");
    assert!(
        !check(&report, "target-org")["actions"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The same org as sf's default (not named here): reported, exit 0.
    std::fs::create_dir_all(sandbox.home().join(".sf")).unwrap();
    std::fs::write(
        sandbox.home().join(".sf/config.json"),
        r#"{"target-org":"uat"}"#,
    )
    .unwrap();
    let out = run(with_env(
        sandbox.cmd(&["doctor", "--json"]),
        "LOGIK_REFRESH_MAX_RETRIES",
        "0",
    ));
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report = out.json();
    assert_eq!(report["result"]["org"]["requestedBy"], "default");
    assert_eq!(check(&report, "org-reachable")["status"], "error");
    assert!(
        check(&report, "target-org")["detail"]
            .as_str()
            .unwrap()
            .contains("default org"),
        "{report:#}"
    );
}

#[test]
fn the_real_sf_and_its_version() {
    let Some(sf_bin) = real_sf() else { return };
    let sandbox = Sandbox::new();
    let out = run(with_env(
        sandbox.cmd(&["doctor", "--json"]),
        "LOGIK_REFRESH_SF",
        &sf_bin,
    ));
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report = out.json();
    assert_valid("doctor", &report);
    assert_eq!(check(&report, "sf-cli")["status"], "ok");
    let version = report["result"]["sfCli"]["version"].as_str().unwrap();
    assert!(
        version.chars().next().unwrap().is_ascii_digit() && version.contains('.'),
        "{version}"
    );
}
