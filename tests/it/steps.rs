//! `step provisioning-user`, `step trusted-urls` and `step touch-products` against the
//! emulator: check, plan, apply, a second run that writes nothing, the journal, and faults.

use crate::common::*;
use logik_org_emulator::{Emulator, EmulatorOptions, Fault, FaultKind, OLD_TENANT_URL, Seed};
use serde_json::{Value, json};

const NEW: &str = "https://acme-uat.test.logik.io";
const PROVISIONING: &str = "provisioning@logik.io";

fn setup() -> (Emulator, Sandbox) {
    setup_seed(Seed::RefreshedSandbox)
}

fn setup_seed(seed: Seed) -> (Emulator, Sandbox) {
    let emulator = Emulator::start(EmulatorOptions {
        seed,
        ..EmulatorOptions::default()
    })
    .unwrap();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

/// Runs `step <name> -o uat --json <extra>` and checks the output against the schema.
fn step(sandbox: &Sandbox, name: &str, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["step", name, "-o", "uat", "--json"];
    args.extend_from_slice(extra);
    let run = run(sandbox.cmd(&args));
    let out = run.json();
    if out["status"] == 0 || out.get("result").is_some() {
        assert_valid("step-result", &out);
    } else {
        assert_valid("error", &out);
    }
    (run, out)
}

fn events(sandbox: &Sandbox) -> Vec<String> {
    let journal = sandbox.journal();
    for entry in &journal {
        assert_valid("journal-entry", entry);
    }
    journal
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect()
}

fn fault(method: &str, path: &str, times: u32, kind: FaultKind) -> Fault {
    Fault {
        method: Some(method.into()),
        path_contains: Some(path.into()),
        times,
        kind,
    }
}

fn unavailable() -> FaultKind {
    FaultKind::Status {
        status: 503,
        retry_after: None,
        error_code: None,
    }
}

// ---------------------------------------------------------------------------------------------
// provisioning-user

fn provisioning_user(emulator: &Emulator) -> Value {
    emulator
        .records("User")
        .into_iter()
        .find(|u| u["Alias"] == "lprov")
        .expect("the seeded provisioning user")
}

fn profile_id(emulator: &Emulator, name: &str) -> String {
    emulator
        .with_state(|s| s.find_id("Profile", "Name", name))
        .unwrap()
}

#[test]
fn provisioning_user_is_checked_then_fixed_then_left_alone() {
    let (emulator, sandbox) = setup();
    let (check, out) = step(&sandbox, "provisioning-user", &[]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    let result = &out["result"];
    assert_eq!(result["outcome"], "failed");
    assert!(
        result["reason"].as_str().unwrap().contains("--fix"),
        "{result:#}"
    );
    let email = result["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "email")
        .unwrap();
    assert_eq!(email["ok"], false);
    assert!(email["detail"].as_str().unwrap().contains(".invalid"));
    assert_eq!(writes(&emulator), 0, "a check writes nothing");

    let (plan, out) = step(&sandbox, "provisioning-user", &["--fix", "--dry-run"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let changes = out["result"]["changes"].as_array().unwrap();
    assert_eq!(out["result"]["outcome"], "planned");
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0]["before"], "provisioning@logik.io.invalid");
    assert_eq!(changes[0]["after"], PROVISIONING);
    assert_eq!(writes(&emulator), 0, "a plan writes nothing");

    let (fix, out) = step(&sandbox, "provisioning-user", &["--fix"]);
    assert_eq!(fix.code, 0, "{}\n{}", fix.stdout, fix.stderr);
    assert_eq!(out["result"]["outcome"], "changed");
    assert_eq!(provisioning_user(&emulator)["Email"], PROVISIONING);
    assert_eq!(writes(&emulator), 1);
    assert_eq!(
        events(&sandbox),
        ["finished", "apply-started", "applied"],
        "the check, then the fix (a plan is not journaled)"
    );
    let applied = &sandbox.journal()[2];
    assert_eq!(
        applied["changes"][0]["before"],
        "provisioning@logik.io.invalid"
    );
    assert_eq!(applied["changes"][0]["record"]["field"], "Email");

    emulator.clear_log();
    let (again, out) = step(&sandbox, "provisioning-user", &["--fix"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(out["result"]["outcome"], "unchanged");
    assert_eq!(writes(&emulator), 0, "a second run sends no write");
}

#[test]
fn provisioning_user_inactive_with_another_profile_is_fixed_in_one_write() {
    let (emulator, sandbox) = setup();
    let standard = profile_id(&emulator, "Standard User");
    let id = provisioning_user(&emulator)["Id"]
        .as_str()
        .unwrap()
        .to_string();
    emulator.with_state(|s| {
        let users = s.store_mut(false).table_mut("User").unwrap();
        let pos = users.position(&id).unwrap();
        users.records[pos].insert("IsActive".into(), false.into());
        users.records[pos].insert("ProfileId".into(), standard.clone().into());
    });
    let (run, out) = step(&sandbox, "provisioning-user", &["--fix"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let result = &out["result"];
    assert_eq!(result["changes"].as_array().unwrap().len(), 3);
    assert!(
        result["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == true)
    );
    let user = provisioning_user(&emulator);
    assert_eq!(user["IsActive"], true);
    assert_eq!(
        user["ProfileId"],
        profile_id(&emulator, "System Administrator")
    );
    assert_eq!(user["Email"], PROVISIONING);
    assert_eq!(writes(&emulator), 1, "one PATCH");
}

#[test]
fn a_held_email_change_is_reported_and_not_sent_again() {
    let (emulator, sandbox) = setup();
    emulator.with_state(|s| s.verify_email_changes = true);
    let (run, out) = step(&sandbox, "provisioning-user", &["--fix"]);
    assert_eq!(run.code, 68, "manual: {}\n{}", run.stdout, run.stderr);
    let result = &out["result"];
    assert_eq!(result["outcome"], "manual");
    assert!(
        result["changes"].as_array().unwrap().is_empty(),
        "the email did not change"
    );
    let manual = &result["manual"];
    assert!(manual["where"].as_str().unwrap().contains(PROVISIONING));
    assert!(
        manual["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["label"] == "Email" && v["value"] == PROVISIONING)
    );
    let email = result["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "email")
        .unwrap();
    assert!(email["detail"].as_str().unwrap().contains("verification"));
    assert_eq!(
        provisioning_user(&emulator)["Email"],
        "provisioning@logik.io.invalid"
    );
    assert_eq!(emulator.with_state(|s| s.pending_email_changes.len()), 1);
    let journal = sandbox.journal();
    assert!(
        journal[1]["note"]
            .as_str()
            .unwrap()
            .starts_with("verification-sent")
    );

    emulator.clear_log();
    let (again, out) = step(&sandbox, "provisioning-user", &["--fix"]);
    assert_eq!(again.code, 68);
    assert_eq!(out["result"]["outcome"], "manual");
    assert_eq!(
        writes(&emulator),
        0,
        "no second verification mail while the link is valid"
    );

    let id = provisioning_user(&emulator)["Id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(emulator.with_state(|s| s.confirm_email_change(&id)));
    let (done, out) = step(&sandbox, "provisioning-user", &[]);
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert_eq!(out["result"]["outcome"], "unchanged");
}

/// The seeded provisioning user no longer carries the provisioning email.
fn without_provisioning_user(emulator: &Emulator) {
    let id = provisioning_user(emulator)["Id"]
        .as_str()
        .unwrap()
        .to_string();
    emulator.with_state(|s| {
        let users = s.store_mut(false).table_mut("User").unwrap();
        let pos = users.position(&id).unwrap();
        users.records[pos].insert("Email".into(), "lprov@acme.com".into());
    });
}

const NEW_USER: &str = "provisioning@logik.io.acme.uat2";

fn users_named(emulator: &Emulator, username: &str) -> Vec<Value> {
    emulator
        .records("User")
        .into_iter()
        .filter(|u| u["Username"] == username)
        .collect()
}

#[test]
fn a_missing_provisioning_user_is_created_on_request() {
    let (emulator, sandbox) = setup();
    without_provisioning_user(&emulator);
    let (first, out) = step(&sandbox, "provisioning-user", &["--fix"]);
    assert_eq!(first.code, 1);
    assert!(
        out["result"]["reason"]
            .as_str()
            .unwrap()
            .contains("--create")
    );

    // Bad input: exit 2 before any request.
    emulator.clear_log();
    let (bad, out) = step(
        &sandbox,
        "provisioning-user",
        &["--create", "--username", "not an email"],
    );
    assert_eq!(bad.code, 2);
    assert_eq!(out["name"], "InvalidUsernameError");
    assert!(!out["actions"].as_array().unwrap().is_empty());
    assert!(emulator.requests().is_empty(), "nothing was sent");
    let missing = run(sandbox.cmd(&[
        "step",
        "provisioning-user",
        "-o",
        "uat",
        "--create",
        "--json",
    ]));
    assert_eq!(missing.code, 2, "--create needs --username");

    let (plan, out) = step(
        &sandbox,
        "provisioning-user",
        &["--create", "--username", NEW_USER, "--dry-run"],
    );
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert_eq!(out["result"]["outcome"], "planned");
    assert_eq!(out["result"]["changes"][0]["after"]["Username"], NEW_USER);
    assert_eq!(writes(&emulator), 0);

    let (create, out) = step(
        &sandbox,
        "provisioning-user",
        &["--create", "--username", NEW_USER],
    );
    assert_eq!(create.code, 0, "{}\n{}", create.stdout, create.stderr);
    assert_eq!(out["result"]["outcome"], "changed");
    let created = users_named(&emulator, NEW_USER);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["Email"], PROVISIONING);
    assert_eq!(created[0]["IsActive"], true);
    assert_eq!(
        created[0]["ProfileId"],
        profile_id(&emulator, "System Administrator")
    );

    emulator.clear_log();
    let (again, out) = step(
        &sandbox,
        "provisioning-user",
        &["--create", "--username", NEW_USER],
    );
    assert_eq!(again.code, 0);
    assert_eq!(out["result"]["outcome"], "unchanged");
    assert_eq!(writes(&emulator), 0);
}

#[test]
fn creating_survives_a_lost_answer_and_a_dropped_request_without_duplicates() {
    for after_apply in [true, false] {
        let (emulator, sandbox) = setup();
        without_provisioning_user(&emulator);
        emulator.inject(fault(
            "POST",
            "/sobjects/User",
            1,
            FaultKind::DropConnection { after_apply },
        ));
        let (run, out) = step(
            &sandbox,
            "provisioning-user",
            &["--create", "--username", NEW_USER],
        );
        assert_eq!(run.code, 0, "{after_apply}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(out["result"]["outcome"], "changed");
        assert_eq!(users_named(&emulator, NEW_USER).len(), 1, "{after_apply}");
        let posts = emulator
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.write)
            .count();
        // A lost answer is read back, not sent again; a request that never landed is.
        assert_eq!(posts, if after_apply { 1 } else { 2 });
        assert_eq!(events(&sandbox), ["apply-started", "applied"]);
    }
}

#[test]
fn fixing_survives_503_twice_a_lost_answer_and_a_401() {
    let kinds = [
        ("503 twice", 2, unavailable(), 3),
        (
            "lost answer",
            1,
            FaultKind::DropConnection { after_apply: true },
            1,
        ),
        ("401 once", 1, FaultKind::Unauthorized, 2),
    ];
    for (what, times, kind, patches) in kinds {
        let (emulator, sandbox) = setup();
        emulator.inject(fault("PATCH", "/sobjects/User/", times, kind));
        let (run, out) = step(&sandbox, "provisioning-user", &["--fix"]);
        assert_eq!(run.code, 0, "{what}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(out["result"]["outcome"], "changed", "{what}");
        assert_eq!(
            provisioning_user(&emulator)["Email"],
            PROVISIONING,
            "{what}"
        );
        assert_eq!(writes(&emulator), patches, "{what}");
        assert_eq!(events(&sandbox), ["apply-started", "applied"], "{what}");
    }
}

#[test]
fn a_refused_fix_is_journaled_and_a_rerun_completes() {
    let (emulator, sandbox) = setup();
    emulator.inject(fault(
        "PATCH",
        "/sobjects/User/",
        1,
        FaultKind::Status {
            status: 400,
            retry_after: None,
            error_code: Some("INVALID_EMAIL_ADDRESS".into()),
        },
    ));
    let (run, out) = step(&sandbox, "provisioning-user", &["--fix"]);
    assert_eq!(run.code, 1);
    assert_eq!(out["result"]["outcome"], "failed");
    assert!(out["result"]["changes"].as_array().unwrap().is_empty());
    assert_eq!(writes(&emulator), 1, "a 400 is not sent again");
    assert_eq!(events(&sandbox), ["apply-started", "apply-failed"]);
    assert_eq!(
        sandbox.journal()[1]["changes"][0]["record"]["field"],
        "Email"
    );

    let (rerun, out) = step(&sandbox, "provisioning-user", &["--fix"]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert_eq!(out["result"]["outcome"], "changed");
    assert_eq!(provisioning_user(&emulator)["Email"], PROVISIONING);
}

#[test]
fn production_is_read_but_not_changed_without_allow_production() {
    let (emulator, sandbox) = setup_seed(Seed::Production);
    let (run, out) = step(&sandbox, "provisioning-user", &["--fix"]);
    assert_eq!(run.code, 0, "all fine in production: {}", run.stderr);
    assert_eq!(out["result"]["outcome"], "unchanged");
    let id = provisioning_user(&emulator)["Id"]
        .as_str()
        .unwrap()
        .to_string();
    emulator.with_state(|s| {
        let users = s.store_mut(false).table_mut("User").unwrap();
        let pos = users.position(&id).unwrap();
        users.records[pos].insert("IsActive".into(), false.into());
    });
    let (refused, out) = step(&sandbox, "provisioning-user", &["--fix"]);
    assert_eq!(refused.code, 2);
    assert_eq!(out["name"], "ProductionOrgError");
    assert_eq!(writes(&emulator), 0);
    let (allowed, _) = step(
        &sandbox,
        "provisioning-user",
        &["--fix", "--allow-production"],
    );
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert_eq!(provisioning_user(&emulator)["IsActive"], true);
}

#[test]
fn trusted_urls_and_touch_products_leave_production_alone() {
    let (emulator, sandbox) = setup_seed(Seed::Production);
    let (trusted, out) = step(&sandbox, "trusted-urls", &["--runtime-url", NEW, "--fix"]);
    assert_eq!(trusted.code, 2, "{}", trusted.stdout);
    assert_eq!(out["name"], "ProductionOrgError");
    let (touch, out) = step(&sandbox, "touch-products", &[]);
    assert_eq!(touch.code, 2, "{}", touch.stdout);
    assert_eq!(out["name"], "ProductionOrgError");
    assert_eq!(writes(&emulator), 0);
    assert!(
        emulator
            .records("Product2")
            .iter()
            .all(|p| p["LastModifiedDate"] == SEEDED_TIME),
        "nothing touched"
    );
}

// ---------------------------------------------------------------------------------------------
// trusted-urls

fn site(emulator: &Emulator, object: &str) -> Vec<Value> {
    emulator.records(object)
}

#[test]
fn trusted_urls_default_to_the_tenant_the_org_points_at() {
    let (emulator, sandbox) = setup();
    let (run, out) = step(&sandbox, "trusted-urls", &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let result = &out["result"];
    assert_eq!(result["outcome"], "unchanged");
    let checks = result["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2, "{checks:#?}");
    assert!(
        checks
            .iter()
            .all(|c| c["ok"] == true && c["name"].as_str().unwrap().ends_with(OLD_TENANT_URL))
    );
    assert_eq!(writes(&emulator), 0);
}

#[test]
fn trusted_urls_are_repointed_once() {
    let (emulator, sandbox) = setup();
    let csp_id = site(&emulator, "CspTrustedSite")[0]["Id"].clone();
    let (check, out) = step(&sandbox, "trusted-urls", &["--runtime-url", NEW]);
    assert_eq!(check.code, 1);
    assert!(out["result"]["reason"].as_str().unwrap().contains("--fix"));
    assert!(
        out["result"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == false)
    );

    let (plan, out) = step(
        &sandbox,
        "trusted-urls",
        &["--runtime-url", NEW, "--dry-run"],
    );
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let changes = out["result"]["changes"].as_array().unwrap();
    assert_eq!(out["result"]["outcome"], "planned");
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert!(
        changes
            .iter()
            .all(|c| c["before"] == OLD_TENANT_URL && c["after"] == NEW)
    );
    assert_eq!(changes[0]["record"]["object"], "tooling:CspTrustedSite");
    assert_eq!(writes(&emulator), 0);

    let (fix, out) = step(&sandbox, "trusted-urls", &["--runtime-url", NEW, "--fix"]);
    assert_eq!(fix.code, 0, "{}\n{}", fix.stdout, fix.stderr);
    assert_eq!(out["result"]["outcome"], "changed");
    for object in ["CspTrustedSite", "RemoteProxy"] {
        let rows = site(&emulator, object);
        assert_eq!(rows.len(), 1, "repointed, not added: {rows:#?}");
        assert_eq!(rows[0]["EndpointUrl"], NEW);
        assert_eq!(rows[0]["IsActive"], true);
    }
    assert_eq!(
        site(&emulator, "CspTrustedSite")[0]["Id"],
        csp_id,
        "the same row"
    );
    assert_eq!(writes(&emulator), 2);
    assert_eq!(events(&sandbox), ["finished", "apply-started", "applied"]);

    emulator.clear_log();
    let (again, out) = step(&sandbox, "trusted-urls", &["--runtime-url", NEW, "--fix"]);
    assert_eq!(again.code, 0);
    assert_eq!(out["result"]["outcome"], "unchanged");
    assert_eq!(writes(&emulator), 0, "a second run sends no write");
}

#[test]
fn a_row_lacking_img_src_gets_only_that() {
    let (emulator, sandbox) = setup();
    emulator.with_state(|s| {
        for object in ["CspTrustedSite", "RemoteProxy"] {
            let t = s.store_mut(true).table_mut(object).unwrap();
            t.records[0].insert("EndpointUrl".into(), NEW.into());
        }
        let t = s.store_mut(true).table_mut("CspTrustedSite").unwrap();
        t.records[0].insert("IsApplicableToImgSrc".into(), false.into());
    });
    let (run, out) = step(&sandbox, "trusted-urls", &["--runtime-url", NEW, "--fix"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let changes = out["result"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["record"]["field"], "IsApplicableToImgSrc");
    assert_eq!(
        site(&emulator, "CspTrustedSite")[0]["IsApplicableToImgSrc"],
        true
    );
    assert_eq!(writes(&emulator), 1);
}

fn without_sites(emulator: &Emulator) {
    emulator.with_state(|s| {
        for object in ["CspTrustedSite", "RemoteProxy"] {
            s.store_mut(true).table_mut(object).unwrap().records.clear();
        }
    });
}

#[test]
fn missing_rows_are_added_once_even_when_the_answer_is_lost() {
    let (emulator, sandbox) = setup();
    without_sites(&emulator);
    emulator.inject(fault(
        "POST",
        "/tooling/sobjects/RemoteProxy",
        1,
        FaultKind::DropConnection { after_apply: true },
    ));
    let (run, out) = step(&sandbox, "trusted-urls", &["--runtime-url", NEW, "--fix"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(out["result"]["outcome"], "changed");
    let csp = site(&emulator, "CspTrustedSite");
    let remote = site(&emulator, "RemoteProxy");
    assert_eq!(
        (csp.len(), remote.len()),
        (1, 1),
        "one row each, no duplicate"
    );
    assert_eq!(csp[0]["DeveloperName"], "Logik_acme_uat_test_logik_io");
    assert_eq!(csp[0]["IsApplicableToFrameSrc"], true);
    assert_eq!(csp[0]["IsApplicableToImgSrc"], true);
    assert_eq!(csp[0]["Context"], "All");
    assert_eq!(remote[0]["EndpointUrl"], NEW);
    assert_eq!(writes(&emulator), 2);

    emulator.clear_log();
    let (again, out) = step(&sandbox, "trusted-urls", &["--runtime-url", NEW, "--fix"]);
    assert_eq!(again.code, 0);
    assert_eq!(out["result"]["outcome"], "unchanged");
    assert_eq!(writes(&emulator), 0);
}

#[test]
fn trusted_urls_survive_503_twice_and_a_401() {
    for (what, times, kind) in [
        ("503 twice", 2, unavailable()),
        ("401 once", 1, FaultKind::Unauthorized),
    ] {
        let (emulator, sandbox) = setup();
        emulator.inject(fault(
            "PATCH",
            "/tooling/sobjects/CspTrustedSite/",
            times,
            kind,
        ));
        let (run, out) = step(&sandbox, "trusted-urls", &["--runtime-url", NEW, "--fix"]);
        assert_eq!(run.code, 0, "{what}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(out["result"]["outcome"], "changed", "{what}");
        assert_eq!(site(&emulator, "CspTrustedSite")[0]["EndpointUrl"], NEW);
        assert_eq!(site(&emulator, "RemoteProxy")[0]["EndpointUrl"], NEW);
    }
}

#[test]
fn a_failure_mid_step_is_journaled_exactly_and_a_rerun_finishes() {
    let (emulator, sandbox) = setup();
    emulator.inject(fault(
        "PATCH",
        "/tooling/sobjects/RemoteProxy/",
        1,
        FaultKind::Status {
            status: 400,
            retry_after: None,
            error_code: Some("FIELD_INTEGRITY_EXCEPTION".into()),
        },
    ));
    let (run, out) = step(&sandbox, "trusted-urls", &["--runtime-url", NEW, "--fix"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let result = &out["result"];
    assert_eq!(result["outcome"], "failed");
    assert!(result["reason"].as_str().unwrap().contains("RemoteProxy"));
    assert_eq!(
        result["changes"].as_array().unwrap().len(),
        1,
        "what was changed"
    );
    assert_eq!(site(&emulator, "CspTrustedSite")[0]["EndpointUrl"], NEW);
    assert_eq!(
        site(&emulator, "RemoteProxy")[0]["EndpointUrl"],
        OLD_TENANT_URL
    );
    assert_eq!(
        events(&sandbox),
        ["apply-started", "applied", "apply-failed"]
    );
    let journal = sandbox.journal();
    assert_eq!(
        journal[1]["changes"][0]["record"]["object"],
        "tooling:CspTrustedSite"
    );
    assert_eq!(
        journal[2]["changes"][0]["record"]["object"],
        "tooling:RemoteProxy"
    );

    emulator.clear_log();
    let (rerun, out) = step(&sandbox, "trusted-urls", &["--runtime-url", NEW, "--fix"]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert_eq!(
        out["result"]["changes"].as_array().unwrap().len(),
        1,
        "only the rest"
    );
    assert_eq!(site(&emulator, "RemoteProxy")[0]["EndpointUrl"], NEW);
    assert_eq!(writes(&emulator), 1);
}

#[test]
fn trusted_urls_refuse_a_bad_url_before_any_request() {
    let (emulator, sandbox) = setup();
    let (run, out) = step(
        &sandbox,
        "trusted-urls",
        &["--runtime-url", "http://acme.test.logik.io", "--fix"],
    );
    assert_eq!(run.code, 2);
    assert_eq!(out["name"], "InvalidTenantUrlError");
    assert!(emulator.requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// touch-products

fn configurable(emulator: &Emulator) -> Vec<Value> {
    emulator
        .records("Product2")
        .into_iter()
        .filter(|p| p["LGK__IsConfigurable__c"] == true)
        .collect()
}

const SEEDED_TIME: &str = "2026-06-15T09:30:00.000+0000";

fn collection_patches(emulator: &Emulator) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH" && r.path.ends_with("/composite/sobjects"))
        .count()
}

#[test]
fn configurable_products_are_touched_once() {
    let (emulator, sandbox) = setup();
    let (plan, out) = step(&sandbox, "touch-products", &["--dry-run"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert_eq!(out["result"]["outcome"], "planned");
    assert_eq!(out["result"]["changes"][0]["before"]["records"], 3);
    assert_eq!(writes(&emulator), 0);

    let (run, out) = step(&sandbox, "touch-products", &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let result = &out["result"];
    assert_eq!(result["outcome"], "changed");
    assert_eq!(result["changes"][0]["after"]["records"], 3);
    assert!(
        result["checks"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("3 of 3")
    );
    assert!(
        configurable(&emulator)
            .iter()
            .all(|p| p["LastModifiedDate"] != SEEDED_TIME)
    );
    let others: Vec<Value> = emulator
        .records("Product2")
        .into_iter()
        .filter(|p| p["LGK__IsConfigurable__c"] == false)
        .collect();
    assert!(
        others.iter().all(|p| p["LastModifiedDate"] == SEEDED_TIME),
        "only configurable ones"
    );
    assert_eq!((writes(&emulator), collection_patches(&emulator)), (1, 1));
    assert_eq!(events(&sandbox), ["apply-started", "applied"]);
    assert_eq!(
        sandbox.journal()[1]["changes"][0]["after"]["ids"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "the journal names every product touched"
    );

    emulator.clear_log();
    let (again, out) = step(&sandbox, "touch-products", &[]);
    assert_eq!(again.code, 0);
    assert_eq!(out["result"]["outcome"], "unchanged");
    assert_eq!(writes(&emulator), 0, "a second run sends no write");

    let (forced, out) = step(&sandbox, "touch-products", &["--force"]);
    assert_eq!(forced.code, 0);
    assert_eq!(out["result"]["outcome"], "changed");
    assert_eq!(writes(&emulator), 1);
}

#[test]
fn a_repoint_after_the_touch_makes_products_due_again() {
    let (emulator, sandbox) = setup();
    assert_eq!(step(&sandbox, "touch-products", &[]).0.code, 0);
    let repoint = run(sandbox.cmd(&[
        "step",
        "tenant-urls",
        "-o",
        "uat",
        "--runtime-url",
        NEW,
        "--json",
    ]));
    assert_eq!(repoint.code, 0, "{}", repoint.stderr);
    emulator.clear_log();
    let (run, out) = step(&sandbox, "touch-products", &[]);
    assert_eq!(run.code, 0);
    assert_eq!(out["result"]["outcome"], "changed");
    assert_eq!(collection_patches(&emulator), 1);
}

#[test]
fn products_go_200_a_request() {
    let (emulator, sandbox) = setup();
    emulator.with_state(|s| {
        for i in 0..447 {
            s.insert_raw(
                false,
                "Product2",
                json!({"Name": format!("Option {i}"), "IsActive": true,
                       "LGK__IsConfigurable__c": true, "LastModifiedDate": SEEDED_TIME}),
            )
            .unwrap();
        }
    });
    let (run, out) = step(&sandbox, "touch-products", &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let changes = out["result"]["changes"].as_array().unwrap();
    let sizes: Vec<u64> = changes
        .iter()
        .map(|c| c["after"]["records"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [200, 200, 50]);
    assert_eq!(collection_patches(&emulator), 3);
    assert_eq!(configurable(&emulator).len(), 450);
    assert!(
        configurable(&emulator)
            .iter()
            .all(|p| p["LastModifiedDate"] != SEEDED_TIME)
    );
}

#[test]
fn touching_survives_503_twice_a_lost_answer_and_a_401() {
    for (what, times, kind, patches) in [
        ("503 twice", 2, unavailable(), 3),
        (
            "lost answer",
            1,
            FaultKind::DropConnection { after_apply: true },
            1,
        ),
        (
            "dropped request",
            1,
            FaultKind::DropConnection { after_apply: false },
            2,
        ),
        ("401 once", 1, FaultKind::Unauthorized, 2),
    ] {
        let (emulator, sandbox) = setup();
        emulator.inject(fault("PATCH", "/composite/sobjects", times, kind));
        let (run, out) = step(&sandbox, "touch-products", &[]);
        assert_eq!(run.code, 0, "{what}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(out["result"]["outcome"], "changed", "{what}");
        assert!(
            configurable(&emulator)
                .iter()
                .all(|p| p["LastModifiedDate"] != SEEDED_TIME)
        );
        assert_eq!(collection_patches(&emulator), patches, "{what}");
        assert!(
            emulator.pending_faults().is_empty(),
            "{what}: the fault was hit"
        );
        assert_eq!(events(&sandbox), ["apply-started", "applied"], "{what}");
    }
}

#[test]
fn a_product_a_validation_rule_refuses_is_journaled_and_retried_alone() {
    let (emulator, sandbox) = setup();
    let refused = configurable(&emulator)[1]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    emulator.with_state(|s| {
        s.validation_errors
            .push((refused.clone(), "Products need a family".into()))
    });
    let (run, out) = step(&sandbox, "touch-products", &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let result = &out["result"];
    assert_eq!(result["outcome"], "failed");
    assert!(result["reason"].as_str().unwrap().starts_with("1 of 3"));
    assert_eq!(result["changes"][0]["after"]["records"], 2);
    assert_eq!(
        events(&sandbox),
        ["apply-started", "applied", "apply-failed"]
    );
    assert_eq!(
        sandbox.journal()[2]["changes"][0]["before"]["ids"][0],
        refused.as_str()
    );
    assert_eq!(writes(&emulator), 1, "record errors are not sent again");

    emulator.with_state(|s| s.validation_errors.clear());
    emulator.clear_log();
    let (rerun, out) = step(&sandbox, "touch-products", &[]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert_eq!(
        out["result"]["changes"][0]["after"]["records"], 1,
        "only the one left"
    );
    assert!(
        configurable(&emulator)
            .iter()
            .all(|p| p["LastModifiedDate"] != SEEDED_TIME)
    );

    emulator.clear_log();
    let (done, out) = step(&sandbox, "touch-products", &[]);
    assert_eq!(done.code, 0);
    assert_eq!(
        out["result"]["outcome"], "unchanged",
        "the first two count as touched too"
    );
    assert_eq!(writes(&emulator), 0);
}

#[test]
fn without_the_logik_package_there_is_nothing_to_touch() {
    let (emulator, sandbox) = setup_seed(Seed::NoLogik);
    let (run, out) = step(&sandbox, "touch-products", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(out["result"]["outcome"], "skipped");
    assert_eq!(writes(&emulator), 0);
}
