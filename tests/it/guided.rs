//! The guided steps: exact values, `manual` (exit 68) until `--confirm`, never a write.

use crate::common::*;
use logik_org_emulator::{Emulator, EmulatorOptions, Seed};

const TENANT: &str = "https://acme-uat.test.logik.io";

fn setup_with(seed: Seed) -> (Emulator, Sandbox) {
    let emulator = Emulator::start(EmulatorOptions {
        seed,
        ..EmulatorOptions::default()
    })
    .unwrap();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

fn step(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut all = vec!["step"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "uat", "--json"]);
    run(sandbox.cmd(&all))
}

fn no_writes(emulator: &Emulator) {
    assert!(
        emulator.requests().iter().all(|r| !r.write),
        "guided steps never write"
    );
}

#[test]
fn configurator_url_is_manual_until_confirmed_for_these_values() {
    let (emulator, sandbox) = setup_with(Seed::RefreshedSandbox);
    let first = step(&sandbox, &["configurator-url", "--runtime-url", TENANT]);
    assert_eq!(first.code, 68, "{}\n{}", first.stdout, first.stderr);
    let out = first.json();
    assert_eq!(out["status"], 68);
    assert_valid("step-result", &out);
    let manual = &out["result"]["manual"];
    assert_eq!(
        manual["values"][0]["value"],
        format!("{TENANT}/ui/configure")
    );
    assert!(
        manual["url"]
            .as_str()
            .unwrap()
            .ends_with("/lightning/setup/ImportedPackage/home")
    );
    assert_eq!(
        manual["confirmCommand"],
        format!("logik-refresh step configurator-url -o uat --runtime-url {TENANT} --confirm")
    );

    let confirmed = step(
        &sandbox,
        &["configurator-url", "--runtime-url", TENANT, "--confirm"],
    );
    assert_eq!(confirmed.code, 0, "{}", confirmed.stdout);
    assert_eq!(confirmed.json()["result"]["outcome"], "confirmed");
    let again = step(&sandbox, &["configurator-url", "--runtime-url", TENANT]);
    assert_eq!(again.code, 0);
    assert_eq!(
        again.json()["result"]["outcome"],
        "confirmed",
        "the journal remembers"
    );
    let other = step(
        &sandbox,
        &[
            "configurator-url",
            "--runtime-url",
            "https://acme-other.test.logik.io",
        ],
    );
    assert_eq!(
        other.code, 68,
        "a confirmation counts only for the values confirmed"
    );
    no_writes(&emulator);
    assert!(
        sandbox
            .journal()
            .iter()
            .any(|e| e["event"] == "confirmed" && e["step"] == "configurator-url")
    );
}

#[test]
fn configurator_url_is_skipped_without_salesforce_cpq() {
    let (_emulator, sandbox) = setup_with(Seed::NoCpq);
    let run = step(&sandbox, &["configurator-url", "--runtime-url", TENANT]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let result = &run.json()["result"];
    assert_eq!(result["outcome"], "skipped");
    assert!(result["reason"].as_str().unwrap().contains("SBQQ"));
}

#[test]
fn guided_steps_take_the_tenant_from_the_org_when_no_flag_names_it() {
    let (_emulator, sandbox) = setup_with(Seed::RefreshedSandbox);
    let run = step(&sandbox, &["refresh-token-user"]);
    assert_eq!(run.code, 68, "{}", run.stdout);
    let manual = &run.json()["result"]["manual"];
    assert_eq!(
        manual["url"], "https://acme.test.logik.io",
        "the org-default row's Administration URL"
    );
    assert_eq!(manual["values"][0]["value"], "admin@acme.com.uat");
}

#[test]
fn refresh_token_user_checks_the_user_and_suggests_admins() {
    let (emulator, sandbox) = setup_with(Seed::RefreshedSandbox);
    let run = step(
        &sandbox,
        &["refresh-token-user", "--username", "bob@acme.com.uat"],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let result = &run.json()["result"];
    assert_eq!(result["outcome"], "failed");
    let reason = result["reason"].as_str().unwrap();
    assert!(
        reason.contains("inactive") && reason.contains("jane@acme.com.uat"),
        "{reason}"
    );
    let missing = step(
        &sandbox,
        &["refresh-token-user", "--username", "jane@acme.com"],
    );
    assert_eq!(missing.code, 1);
    assert!(
        missing.json()["result"]["reason"]
            .as_str()
            .unwrap()
            .contains("No user jane@acme.com")
    );
    no_writes(&emulator);
}

#[test]
fn runtime_clients_gives_the_new_user_ids() {
    let (emulator, sandbox) = setup_with(Seed::RefreshedSandbox);
    let jane_id = emulator
        .records("User")
        .into_iter()
        .find(|u| u["Username"] == "jane@acme.com.uat")
        .unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let run = step(
        &sandbox,
        &[
            "runtime-clients",
            "--client",
            "web-store=jane@acme.com.uat",
            "--permissions",
            "config-and-flightpath",
        ],
    );
    assert_eq!(run.code, 68, "{}", run.stdout);
    let values = run.json()["result"]["manual"]["values"].clone();
    let value = |label: &str| {
        values
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["label"] == label)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(value("web-store: User ID"), jane_id.as_str());
    assert_eq!(jane_id.len(), 18);
    assert_eq!(value("web-store: Permissions"), "Config and Flightpath");
    let origins = value("web-store: Origins").as_str().unwrap().to_string();
    assert!(
        origins.contains(&format!("{}/", emulator.base_url())),
        "{origins}"
    );
    no_writes(&emulator);
}

#[test]
fn runtime_clients_not_used_is_remembered() {
    let (_emulator, sandbox) = setup_with(Seed::RefreshedSandbox);
    let run = step(&sandbox, &["runtime-clients", "--not-used"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["result"]["outcome"], "skipped");
    let again = step(&sandbox, &["runtime-clients"]);
    assert_eq!(again.json()["result"]["outcome"], "skipped");
}

#[test]
fn runtime_clients_refuses_a_bad_client_flag_before_any_request() {
    let (emulator, sandbox) = setup_with(Seed::RefreshedSandbox);
    let run = step(&sandbox, &["runtime-clients", "--client", "web store"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.json()["name"], "InvalidClientError");
    assert!(emulator.requests().is_empty());
}

#[test]
fn refresh_token_user_refuses_a_frozen_admin() {
    let (emulator, sandbox) = setup_with(Seed::RefreshedSandbox);
    let jane = emulator
        .records("User")
        .into_iter()
        .find(|u| u["Username"] == "jane@acme.com.uat")
        .unwrap();
    emulator.with_state(|state| {
        let logins = state.store_mut(false).table_mut("UserLogin").unwrap();
        for login in logins
            .records
            .iter_mut()
            .filter(|l| l["UserId"] == jane["Id"])
        {
            login.insert("IsFrozen".into(), true.into());
        }
    });
    let run = step(
        &sandbox,
        &["refresh-token-user", "--username", "jane@acme.com.uat"],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let result = &run.json()["result"];
    assert!(
        result["reason"].as_str().unwrap().contains("frozen"),
        "{result:#}"
    );
    let checks = result["checks"].as_array().unwrap();
    assert!(
        checks
            .iter()
            .any(|c| c["name"] == "not frozen" && c["ok"] == false)
    );
    no_writes(&emulator);
}

/// A release manager without Manage Users may not read `UserLogin` (Object Reference,
/// `UserLogin`): `refresh-token-user` and `runtime-clients` still guide (exit 68, not 1), and
/// say the frozen state is not known and why.
#[test]
fn user_login_needs_manage_users_and_the_steps_still_guide_without_it() {
    let (emulator, sandbox) = setup_with(Seed::RefreshedSandbox);
    emulator.with_state(|s| {
        let profiles = s.data.table_mut("Profile").unwrap();
        for profile in &mut profiles.records {
            profile.insert("PermissionsManageUsers".into(), false.into());
        }
    });
    for args in [
        &["refresh-token-user"][..],
        &["runtime-clients", "--runtime-url", TENANT][..],
    ] {
        let out = step(&sandbox, args);
        assert_eq!(out.code, 68, "{args:?}: {}\n{}", out.stdout, out.stderr);
        let result = &out.json()["result"];
        assert_eq!(result["outcome"], "manual", "{result:#}");
        let warnings = result["warnings"].to_string();
        assert!(
            warnings.contains("Whether admin@acme.com.uat is frozen is not known")
                && warnings.contains("Manage Users")
                && warnings.contains("INVALID_TYPE"),
            "{args:?}: {warnings}"
        );
        assert_valid("step-result", &out.json());
    }
    no_writes(&emulator);
}
