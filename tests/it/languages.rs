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
