//! Orgs whose running user reads German or Japanese: statuses, profile names and labels come
//! translated, and the tool decides from language-free facts (issue 10, points 2-4).

use crate::common::*;
use logik_org_emulator::language::Language;
use logik_org_emulator::{Emulator, EmulatorOptions, PRODUCTION_ORG_ID, PRODUCTION_USERNAME, Seed};
use serde_json::Value;

fn start(seed: Seed, language: Language) -> Emulator {
    Emulator::start(EmulatorOptions {
        seed,
        language,
        ..EmulatorOptions::default()
    })
    .unwrap()
}

/// sf's auth store with the production user as `prod`.
fn production_auth(sandbox: &Sandbox, production_url: &str) {
    sandbox.sf_auth_store_with_refresh("http://127.0.0.1:9/");
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

/// Point 2: `org wait` ends when the refresh is done, told by the end date and the new org's
/// ID, whatever language the status is in.
#[test]
fn org_wait_finishes_in_german_and_japanese() {
    for (language, done) in [
        (Language::German, "Abgeschlossen"),
        (Language::Japanese, "完了"),
    ] {
        let emulator = start(Seed::Production, language);
        let sandbox = Sandbox::new();
        production_auth(&sandbox, &format!("{}/", emulator.base_url()));
        let run = run(sandbox.cmd(&[
            "org",
            "wait",
            "--sandbox-name",
            "uat",
            "-o",
            "prod",
            "--poll-interval",
            "20ms",
            "--timeout",
            "20s",
            "--json",
        ]));
        assert_eq!(run.code, 0, "{language:?}: {}\n{}", run.stdout, run.stderr);
        let result = &run.json()["result"];
        assert_eq!(
            result["sandboxProcess"]["status"], done,
            "shown as the org says"
        );
        assert_eq!(result["orgId15"], &logik_org_emulator::SEED_ORG_ID[..15]);
    }
}

/// Point 4: the tenant setting's labels come translated; its fields are found by API name
/// first, so both URLs are written in a German or Japanese org.
#[test]
fn tenant_urls_finds_translated_fields() {
    for language in [Language::German, Language::Japanese] {
        let emulator = start(Seed::RefreshedSandbox, language);
        let sandbox = Sandbox::new();
        sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
        let new = "https://acme-uat.test.logik.io";
        let run = run(sandbox.cmd(&[
            "step",
            "tenant-urls",
            "-o",
            "uat",
            "--runtime-url",
            new,
            "--json",
        ]));
        assert_eq!(run.code, 0, "{language:?}: {}\n{}", run.stdout, run.stderr);
        let row = org_default(&emulator);
        assert_eq!(row["LGK__RuntimeUrl__c"], new, "{language:?}");
        assert_eq!(row["LGK__TenantAdminEndpoint__c"], new, "{language:?}");
    }
}

/// Runs `step <args> -o uat --json`, checking the output against its schema.
fn step(sandbox: &Sandbox, args: &[&str]) -> (Run, Value) {
    let mut all = vec!["step"];
    all.extend_from_slice(args);
    all.extend(["-o", "uat", "--json"]);
    let run = run(sandbox.cmd(&all));
    let out = run.json();
    assert_valid("step-result", &out);
    (run, out)
}

fn check<'a>(result: &'a Value, name: &str) -> &'a Value {
    result["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("check {name} in {result:#}"))
}

fn refreshed(language: Language) -> (Emulator, Sandbox) {
    let emulator = start(Seed::RefreshedSandbox, language);
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

fn provisioning_user(emulator: &Emulator) -> Value {
    emulator
        .records("User")
        .into_iter()
        .find(|u| u["Alias"] == "lprov")
        .expect("the seeded provisioning user")
}

/// Point 3: the provisioning user's profile is judged by its permissions, its name shown as
/// the org gives it; `--fix` gives it the administrators' profile found the same way.
#[test]
fn provisioning_user_is_checked_and_fixed_in_german_and_japanese() {
    for language in [Language::German, Language::Japanese] {
        let (emulator, sandbox) = refreshed(language);
        let admin = language.word("System Administrator");
        let (checked, out) = step(&sandbox, &["provisioning-user"]);
        assert_eq!(checked.code, 1, "{language:?}: {}", checked.stderr);
        let result = &out["result"];
        assert_eq!(
            check(result, "profile")["ok"],
            true,
            "{language:?}: {result:#}"
        );
        assert_eq!(check(result, "profile")["detail"], admin.as_str());
        assert_eq!(
            check(result, "email")["ok"],
            false,
            "only the email is wrong"
        );
        let reason = result["reason"].as_str().unwrap();
        assert!(!reason.contains("profile"), "{language:?}: {reason}");

        let (fixed, out) = step(&sandbox, &["provisioning-user", "--fix"]);
        assert_eq!(
            fixed.code, 0,
            "{language:?}: {}\n{}",
            fixed.stdout, fixed.stderr
        );
        assert_eq!(out["result"]["outcome"], "changed");
        let changes = out["result"]["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 1, "the email alone: {changes:#?}");
        assert_eq!(
            provisioning_user(&emulator)["Email"],
            "provisioning@logik.io"
        );

        // Another profile and inactive: --fix gives the administrators' profile, by its ID.
        let standard = emulator
            .with_state(|s| s.find_id("Profile", "Name", &language.word("Standard User")))
            .unwrap();
        let sysadmin = emulator
            .with_state(|s| s.find_id("Profile", "Name", &admin))
            .unwrap();
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
        let (checked, out) = step(&sandbox, &["provisioning-user"]);
        assert_eq!(checked.code, 1);
        let profile = check(&out["result"], "profile");
        assert_eq!(profile["ok"], false, "{language:?}: {profile:#}");
        let detail = profile["detail"].as_str().unwrap();
        assert!(
            detail.starts_with(&language.word("Standard User")),
            "the name as the org gives it: {detail}"
        );
        let (fixed, out) = step(&sandbox, &["provisioning-user", "--fix"]);
        assert_eq!(
            fixed.code, 0,
            "{language:?}: {}\n{}",
            fixed.stdout, fixed.stderr
        );
        let user = provisioning_user(&emulator);
        assert_eq!(user["ProfileId"], sysadmin.as_str(), "{language:?}");
        assert_eq!(user["IsActive"], true);
        assert_eq!(check(&out["result"], "profile")["detail"], admin.as_str());
    }
}

/// Point 3: the refresh-token user is an administrator by its profile's permissions, and a
/// user that will not do gets administrators to choose from.
#[test]
fn refresh_token_user_is_judged_by_permissions_in_german_and_japanese() {
    for language in [Language::German, Language::Japanese] {
        let (emulator, sandbox) = refreshed(language);
        let admin = language.word("System Administrator");
        let (guided, out) = step(&sandbox, &["refresh-token-user"]);
        assert_eq!(
            guided.code, 68,
            "{language:?}: {}\n{}",
            guided.stdout, guided.stderr
        );
        let permissions = check(&out["result"], "permissions");
        assert_eq!(permissions["ok"], true);
        assert!(
            permissions["detail"].as_str().unwrap().contains(&admin),
            "{language:?}: {permissions:#}"
        );
        assert_eq!(out["warnings"], serde_json::json!([]), "{language:?}");

        let (refused, out) = step(
            &sandbox,
            &["refresh-token-user", "--username", "bob@acme.com.uat"],
        );
        assert_eq!(refused.code, 1, "{language:?}: {}", refused.stdout);
        let reason = out["result"]["reason"].as_str().unwrap();
        assert!(
            reason
                .contains("admin@acme.com.uat, jane@acme.com.uat, provisioning@logik.io.acme.uat"),
            "{language:?}: the active administrators are suggested: {reason}"
        );
        assert_eq!(writes(&emulator), 0);
    }
}

/// Point 3 and "done when": `case build` on a German or Japanese org finds the provisioning
/// user, checks every user by what its profile can do, and carries the org's facts.
#[test]
fn case_build_in_german_and_japanese() {
    for language in [Language::German, Language::Japanese] {
        let (emulator, sandbox) = refreshed(language);
        // A second, older provisioning user with a standard profile: the case proposes the
        // one active administrator among them.
        emulator.with_state(|s| {
            let standard = s
                .find_id("Profile", "Name", &language.word("Standard User"))
                .unwrap();
            s.insert_raw(
                false,
                "User",
                serde_json::json!({
                    "Username": "provisioning@logik.io.old", "Email": "provisioning@logik.io.invalid",
                    "LastName": "Provisioning", "Alias": "oldprov", "IsActive": true,
                    "ProfileId": standard, "UserType": "Standard",
                    "TimeZoneSidKey": "America/Los_Angeles", "LocaleSidKey": "en_US",
                    "EmailEncodingKey": "UTF-8", "LanguageLocaleKey": "en_US",
                }),
            )
            .unwrap();
        });
        let run = run(sandbox.cmd(&[
            "case",
            "build",
            "-o",
            "uat",
            "--cpq-url",
            "https://acme.test.logik.io",
            "--refresh-date",
            "2020-01-15",
            "--retain-data",
            "--cpq-admin",
            "jane@acme.com.uat",
            "--json",
        ]));
        assert_eq!(run.code, 0, "{language:?}: {}\n{}", run.stdout, run.stderr);
        let out = run.json();
        assert_valid("case-build", &out);
        let case = &out["result"];
        assert_eq!(
            case["provisioningUser"]["username"], "provisioning@logik.io.acme.uat",
            "found in the org: the administrator of the two"
        );
        assert_eq!(case["cpqAdmins"], serde_json::json!(["jane@acme.com.uat"]));
        assert_eq!(case["newOrgId"], logik_org_emulator::SEED_ORG_ID);
        assert_eq!(case["org"]["orgId"], logik_org_emulator::SEED_ORG_ID);
        assert_eq!(case["org"]["sandboxName"], "uat");
        assert_eq!(case["org"]["refreshed"], true);
        let checks = case["checks"].as_array().unwrap();
        let provisioning = checks
            .iter()
            .find(|c| c["name"].as_str().unwrap().starts_with("Provisioning user"))
            .unwrap_or_else(|| panic!("{case:#}"));
        // The seed's provisioning user still has the refreshed email: only that is wrong.
        let detail = provisioning["detail"].as_str().unwrap();
        assert!(
            detail.contains(".invalid") && !detail.contains("profile"),
            "{language:?}: judged by permissions, not by the translated name: {detail}"
        );
        let admin = checks
            .iter()
            .find(|c| c["name"] == "CPQ Admin jane@acme.com.uat")
            .unwrap();
        assert_eq!(admin["ok"], true);
        assert!(
            admin["detail"]
                .as_str()
                .unwrap()
                .contains(&language.word("System Administrator")),
            "the profile as the org names it: {admin:#}"
        );
    }
}

/// A German org whose tenant setting has a second URL field whose API name says "admin": with
/// the labels translated, the rules find two Administration URL candidates.
fn two_admin_fields() -> (Emulator, Sandbox) {
    let (emulator, sandbox) = refreshed(Language::German);
    emulator.with_state(|s| {
        let table = s.data.table_mut("LGK__ConfigurationTenant__c").unwrap();
        table
            .schema
            .fields
            .push(logik_org_emulator::state::FieldSchema::new(
                "LGK__AdminBackupEndpoint__c",
                "Ersatz-Verwaltungs-URL",
                logik_org_emulator::state::FieldType::Url,
            ));
    });
    (emulator, sandbox)
}

const NEW_TENANT: &str = "https://acme-uat.test.logik.io";

/// Point 4: several candidate fields are a clear error (the sf envelope, non-zero, nothing
/// written) that lists them; `--admin-url-field` names the one to write. A name that is not a
/// field, or not an API name, is refused before anything is written.
#[test]
fn an_ambiguous_tenant_field_is_an_error_until_named() {
    let (emulator, sandbox) = two_admin_fields();
    let tenant_urls = |extra: &[&str]| {
        let mut args = vec![
            "step",
            "tenant-urls",
            "-o",
            "uat",
            "--runtime-url",
            NEW_TENANT,
            "--json",
        ];
        args.extend_from_slice(extra);
        run(sandbox.cmd(&args))
    };
    let refused = tenant_urls(&[]);
    assert_eq!(refused.code, 1, "{}\n{}", refused.stdout, refused.stderr);
    let out = refused.json();
    assert_valid("error", &out);
    assert_eq!(out["name"], "AmbiguousTenantFieldError");
    let message = out["message"].as_str().unwrap();
    assert!(
        message.contains("LGK__TenantAdminEndpoint__c, LGK__AdminBackupEndpoint__c"),
        "the candidates are listed: {message}"
    );
    assert!(
        out["actions"][0]
            .as_str()
            .unwrap()
            .contains("--admin-url-field"),
        "{out:#}"
    );
    assert_eq!(writes(&emulator), 0, "nothing written");

    for (flag, name, error) in [
        (
            "--admin-url-field",
            "LGK__Nope__c",
            "TenantFieldNotFoundError",
        ),
        (
            "--runtime-url-field",
            "LGK__Runtime Url",
            "InvalidFieldNameError",
        ),
    ] {
        let bad = tenant_urls(&[flag, name]);
        assert_eq!(bad.code, 2, "{flag} {name}: {}", bad.stdout);
        let out = bad.json();
        assert_valid("error", &out);
        assert_eq!(out["name"], error, "{out:#}");
        assert_eq!(writes(&emulator), 0, "{flag} {name}: nothing written");
    }

    let named = tenant_urls(&["--admin-url-field", "LGK__TenantAdminEndpoint__c"]);
    assert_eq!(named.code, 0, "{}\n{}", named.stdout, named.stderr);
    let row = org_default(&emulator);
    assert_eq!(row["LGK__RuntimeUrl__c"], NEW_TENANT);
    assert_eq!(row["LGK__TenantAdminEndpoint__c"], NEW_TENANT);
    assert_eq!(
        row["LGK__AdminBackupEndpoint__c"],
        Value::Null,
        "the other is left alone"
    );
}

/// Point 4 through `run`: the same error and the same flag, built in the one place step
/// options are built.
#[test]
fn run_names_the_tenant_field_too() {
    let (emulator, sandbox) = two_admin_fields();
    let run_with = |extra: &[&str]| {
        let mut args = vec!["run", "-o", "uat", "--runtime-url", NEW_TENANT, "--json"];
        args.extend_from_slice(extra);
        run(sandbox.cmd(&args))
    };
    let tenant_step = |out: &Value| {
        out["result"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == "tenant-urls")
            .unwrap()
            .clone()
    };
    let refused = run_with(&[]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    let out = refused.json();
    assert_valid("run", &out);
    assert_eq!(out["result"]["outcome"], "failed");
    let tenant = tenant_step(&out);
    assert_eq!(tenant["outcome"], "failed");
    let reason = tenant["reason"].as_str().unwrap();
    assert!(
        reason.contains("LGK__TenantAdminEndpoint__c, LGK__AdminBackupEndpoint__c"),
        "{reason}"
    );
    assert!(
        tenant["warnings"].to_string().contains("--admin-url-field"),
        "{tenant:#}"
    );
    let tenant_writes: Vec<_> = emulator
        .requests()
        .into_iter()
        .filter(|r| r.write && r.path.contains("LGK__ConfigurationTenant__c"))
        .collect();
    assert!(
        tenant_writes.is_empty(),
        "the setting is not written: {tenant_writes:#?}"
    );

    let named = run_with(&["--admin-url-field", "LGK__TenantAdminEndpoint__c"]);
    assert_eq!(named.code, 68, "{}\n{}", named.stdout, named.stderr);
    let out = named.json();
    assert_valid("run", &out);
    let tenant = tenant_step(&out);
    assert_eq!(tenant["outcome"], "changed", "{tenant:#}");
    assert_eq!(
        org_default(&emulator)["LGK__TenantAdminEndpoint__c"],
        NEW_TENANT
    );
}

/// "Done when": `run` goes through a German or Japanese org as through an English one: the
/// tenant URLs and the provisioning user are fixed, the guided steps wait for the admin, and
/// no step trips over a translated status, profile name or label.
#[test]
fn run_goes_through_german_and_japanese_orgs() {
    for language in [Language::German, Language::Japanese] {
        let (emulator, sandbox) = refreshed(language);
        let first = run(sandbox.cmd(&["run", "-o", "uat", "--runtime-url", NEW_TENANT, "--json"]));
        assert_eq!(
            first.code, 68,
            "{language:?}: {}\n{}",
            first.stdout, first.stderr
        );
        let out = first.json();
        assert_valid("run", &out);
        let summary = &out["result"];
        assert_eq!(summary["outcome"], "pending", "{language:?}");
        let steps: Vec<(String, String)> = summary["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["step"].as_str().unwrap().to_string(),
                    s["outcome"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expected = [
            ("org-id", "skipped"),
            ("tenant-urls", "changed"),
            ("configurator-url", "manual"),
            ("refresh-token-user", "manual"),
            ("runtime-clients", "manual"),
            ("provisioning-user", "changed"),
        ];
        for (step, outcome) in expected {
            assert!(
                steps.iter().any(|(s, o)| s == step && o == outcome),
                "{language:?}: {step} {outcome} in {steps:?}"
            );
        }
        let refresh_token_user = summary["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == "refresh-token-user")
            .unwrap();
        assert_eq!(
            refresh_token_user["warnings"],
            serde_json::json!([]),
            "{language:?}: the admin is an admin"
        );
        let row = org_default(&emulator);
        assert_eq!(row["LGK__RuntimeUrl__c"], NEW_TENANT, "{language:?}");
        assert_eq!(
            row["LGK__TenantAdminEndpoint__c"], NEW_TENANT,
            "{language:?}"
        );
        assert_eq!(
            provisioning_user(&emulator)["Email"],
            "provisioning@logik.io"
        );
    }
}
