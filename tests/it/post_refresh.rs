//! scripts/post-refresh.sh, as a pipeline runs it: the real sf logged in to a production org and
//! its refreshed sandbox (two emulators), logik-refresh and jq on PATH. It waits for the refresh,
//! saves the case, runs the steps and stops with exit 68 and the guided steps; once each is
//! confirmed, a second run ends with 0. Skipped (with the reason printed) where sf is not
//! installed, unless CI is set.

use crate::common::*;
use crate::real_sf::{real_sf, sf};
use logik_org_emulator::{Emulator, EmulatorOptions, SEED_ACCESS_TOKEN, SEED_ORG_ID, Seed};
use std::path::{Path, PathBuf};
use std::process::Command;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/post-refresh.sh");
const TENANT: &str = "https://acme-uat.test.logik.io";

fn login(sandbox: &Sandbox, sf_bin: &PathBuf, instance_url: &str, alias: &str) {
    let mut login = sf(
        sandbox,
        sf_bin,
        &[
            "org",
            "login",
            "access-token",
            "--instance-url",
            instance_url,
            "--no-prompt",
            "--alias",
            alias,
            "--json",
        ],
    );
    login.env("SF_ACCESS_TOKEN", SEED_ACCESS_TOKEN);
    let out = run(login);
    assert_eq!(
        out.code, 0,
        "sf login {alias}: {}\n{}",
        out.stdout, out.stderr
    );
}

/// bash with what a CI job has: HOME, logik-refresh and jq on PATH, the sf settings for tests.
fn bash(sandbox: &Sandbox, sf_bin: &Path, line: &[&str]) -> Command {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_logik-refresh"))
        .parent()
        .unwrap();
    let mut cmd = Command::new("bash");
    cmd.args(line)
        .current_dir(sandbox.work())
        .env_clear()
        .env("HOME", sandbox.home())
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .env("SF_USE_GENERIC_UNIX_KEYCHAIN", "true")
        .env("LOGIK_REFRESH_STATE_DIR", sandbox.state())
        .env("LOGIK_REFRESH_SF", sf_bin);
    cmd
}

fn have_jq() -> bool {
    let found = Command::new("jq").arg("--version").output().is_ok();
    if !found {
        skip("jq is not installed (apt-get install jq; scripts/test.sh does)");
    }
    found
}

#[test]
fn the_pipeline_waits_saves_the_case_runs_and_lists_the_guided_steps() {
    let Some(sf_bin) = real_sf() else { return };
    if !have_jq() {
        return;
    }
    let production = Emulator::start(EmulatorOptions {
        seed: Seed::Production,
        ..EmulatorOptions::default()
    })
    .unwrap();
    let uat = emulator();
    let sandbox = Sandbox::new();
    login(&sandbox, &sf_bin, &production.base_url(), "prod");
    login(&sandbox, &sf_bin, &uat.base_url(), "uat");
    let pipeline = |extra: &[&str]| {
        let mut line = vec![
            SCRIPT,
            "--runtime-url",
            TENANT,
            "--cpq-admin",
            "admin@acme.com.uat",
            "--poll-interval",
            "10ms",
            "--out-dir",
            "out",
        ];
        line.extend_from_slice(extra);
        let mut cmd = bash(&sandbox, &sf_bin, &line);
        cmd.env("PRODUCTION_ORG", "prod").env("SANDBOX_NAME", "uat");
        run(cmd)
    };

    // The wrong org under the sandbox's alias is caught before anything is changed.
    let wrong = pipeline(&["--sandbox-org", "prod"]);
    assert_eq!(wrong.code, 1, "{}\n{}", wrong.stdout, wrong.stderr);
    assert!(
        wrong.stderr.contains("not the refreshed sandbox"),
        "{}",
        wrong.stderr
    );
    assert!(uat.requests().iter().all(|r| !r.write));

    let first = pipeline(&[]);
    assert_eq!(first.code, 68, "{}\n{}", first.stdout, first.stderr);
    assert!(
        first.stdout.starts_with("3 guided steps left"),
        "{}",
        first.stdout
    );
    for (step, value) in [
        (
            "configurator-url",
            "External Configurator URL: https://acme-uat.test.logik.io/ui/configure",
        ),
        (
            "refresh-token-user",
            "Refresh Token Username: admin@acme.com.uat",
        ),
        ("runtime-clients", "User ID: 0055e"),
    ] {
        assert!(
            first.stdout.contains(&format!("[to do] {step}: ")),
            "{step}: {}",
            first.stdout
        );
        assert!(first.stdout.contains(value), "{value}: {}", first.stdout);
        assert!(
            first.stdout.contains(&format!(
                "Confirm: logik-refresh step {step} -o uat --runtime-url {TENANT} --confirm"
            )),
            "{step}: {}",
            first.stdout
        );
    }
    assert!(
        first.stderr.contains("Completed 100%"),
        "the wait shows its progress: {}",
        first.stderr
    );

    // What it saved: the case (valid, with the new org ID), its text, every envelope.
    let out = sandbox.work().join("out");
    let case: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("case.json")).unwrap()).unwrap();
    assert_valid("support-case", &case);
    assert_eq!(case["newOrgId"], SEED_ORG_ID);
    assert_eq!(case["cpqAdmins"][0], "admin@acme.com.uat");
    let markdown = std::fs::read_to_string(out.join("case.md")).unwrap();
    assert!(markdown.contains(SEED_ORG_ID), "{markdown}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_valid("run", &summary);
    assert_eq!(summary["status"], 68);
    let tenant_urls = summary["result"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "tenant-urls")
        .unwrap();
    assert_eq!(tenant_urls["outcome"], "changed", "{tenant_urls:#}");

    // A person does the guided steps and confirms each, as listed; the pipeline then ends with 0.
    for line in first.stdout.lines() {
        if let Some(command) = line.trim().strip_prefix("Confirm: ") {
            let confirm = run(bash(&sandbox, &sf_bin, &["-c", command]));
            assert_eq!(
                confirm.code, 0,
                "{command}: {}\n{}",
                confirm.stdout, confirm.stderr
            );
        }
    }
    let second = pipeline(&[]);
    assert_eq!(second.code, 0, "{}\n{}", second.stdout, second.stderr);
    assert_eq!(second.stdout.trim(), "All steps are done.");
}

#[test]
fn missing_parameters_are_a_usage_error() {
    let sandbox = Sandbox::new();
    let out = run(bash(
        &sandbox,
        Path::new("/nonexistent/sf"),
        &[SCRIPT, "--sandbox-name", "uat"],
    ));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("--production-org (or"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Usage: post-refresh.sh"));
    let help = run(bash(
        &sandbox,
        Path::new("/nonexistent/sf"),
        &[SCRIPT, "--help"],
    ));
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("--runtime-url URL"));
}

#[test]
fn the_pipeline_takes_its_values_from_the_project_config() {
    let Some(sf_bin) = real_sf() else { return };
    if !have_jq() {
        return;
    }
    let production = Emulator::start(EmulatorOptions {
        seed: Seed::Production,
        ..EmulatorOptions::default()
    })
    .unwrap();
    let uat = emulator();
    let sandbox = Sandbox::new();
    login(&sandbox, &sf_bin, &production.base_url(), "prod");
    login(&sandbox, &sf_bin, &uat.base_url(), "uat");
    let project = sandbox.work().join("sfdx-project.json");
    let write = |section: serde_json::Value| {
        let doc = serde_json::json!({"packageDirectories": [{"path": "force-app", "default": true}],
            "plugins": {"logik-refresh": section}});
        std::fs::write(&project, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    };
    let pipeline = || {
        let line = [
            SCRIPT,
            "--production-org",
            "prod",
            "--sandbox-name",
            "uat",
            "--poll-interval",
            "10ms",
            "--out-dir",
            "out",
        ];
        run(bash(&sandbox, &sf_bin, &line))
    };

    write(
        serde_json::json!({"sandboxes": {"uat": {"runtimeUrl": "http://acme-uat.test.logik.io", "cpqAdmins": ["x"]}}}),
    );
    let bad = pipeline();
    assert_eq!(bad.code, 2, "{}\n{}", bad.stdout, bad.stderr);
    assert!(
        bad.stderr.contains("sandboxes.uat.runtimeUrl"),
        "{}",
        bad.stderr
    );
    assert!(
        bad.stderr.contains("sandboxes.uat.cpqAdmins[0]"),
        "{}",
        bad.stderr
    );
    assert!(
        uat.requests().iter().all(|r| !r.write),
        "nothing was written: {:?}",
        uat.requests()
    );

    write(
        serde_json::json!({"sandboxes": {"uat": {"runtimeUrl": TENANT, "cpqAdmins": ["admin@acme.com"],
        "refreshTokenUser": "admin@acme.com", "runtimeClients": []}}}),
    );
    let out = pipeline();
    assert_eq!(out.code, 68, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.starts_with("2 guided steps left"),
        "{}",
        out.stdout
    );
    let case: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sandbox.work().join("out/case.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(case["cpqAdmins"], serde_json::json!(["admin@acme.com.uat"]));
    assert_eq!(case["cpqUrl"], TENANT);
    assert_eq!(org_default(&uat)["LGK__RuntimeUrl__c"], TENANT);
}
