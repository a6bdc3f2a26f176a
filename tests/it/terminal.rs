//! Terminal escapes (issue 11, finding 9): text from outside (org data, sf's warnings, names
//! typed) reaches the terminal with its control characters shown escaped; `case validate`
//! refuses them in a payload; a host typed with non-ASCII letters is refused naming both forms.

use crate::common::*;
use serde_json::Value;

const ESC: char = '\x1b';
const EVIL_URL: &str = "https://acme\x1b]0;owned\x07.test.logik.io";

fn raw_controls(text: &str) -> bool {
    text.chars().any(|c| c == ESC || c == '\x07' || c == '\r')
}

#[test]
fn terminal_escapes_pass_through() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));

    // Org data: the tenant row holds a title-setting escape; the plan shows it escaped.
    let id = org_default(&emulator)["Id"].as_str().unwrap().to_string();
    emulator.with_state(|s| {
        let table = s
            .store_mut(false)
            .table_mut("LGK__ConfigurationTenant__c")
            .unwrap();
        let pos = table.position(&id).unwrap();
        table.records[pos].insert("LGK__RuntimeUrl__c".into(), EVIL_URL.into());
    });
    let plan = run(sandbox.cmd(&[
        "step",
        "tenant-urls",
        "-o",
        "uat",
        "--runtime-url",
        "https://acme-uat.test.logik.io",
        "--dry-run",
    ]));
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    assert!(!raw_controls(&plan.stdout), "{:?}", plan.stdout);
    assert!(
        plan.stdout.contains("acme\\x1b]0;owned\\x07.test.logik.io"),
        "{:?}",
        plan.stdout
    );

    // A name typed (an alias) in an error, on stderr.
    let error = run(sandbox.cmd(&["org", "inspect", "-o", "uat\x1b[2J"]));
    assert_eq!(error.code, 2, "{}", error.stderr);
    assert!(!raw_controls(&error.stderr), "{:?}", error.stderr);
    assert!(error.stderr.contains("uat\\x1b[2J"), "{:?}", error.stderr);

    // sf's warnings from piped JSON, passed on to stderr.
    let mut display: Value = serde_json::from_str(&display_json(&emulator.base_url())).unwrap();
    display["warnings"] = Value::from(vec!["\x1b[2Jscreen cleared\r"]);
    let inspect = run_with_stdin(
        sandbox.cmd(&["org", "inspect"]),
        &serde_json::to_string(&display).unwrap(),
    );
    assert!(!raw_controls(&inspect.stderr), "{:?}", inspect.stderr);
    assert!(!raw_controls(&inspect.stdout), "{:?}", inspect.stdout);
    assert!(
        inspect.stderr.contains("\\x1b[2Jscreen cleared\\x0d"),
        "{:?}",
        inspect.stderr
    );

    // case build does not put them in a payload: a clear error, nothing written.
    let case_flags = [
        "case",
        "build",
        "-o",
        "uat",
        "--cpq-url",
        "https://acme.test.logik.io",
        "--refresh-date",
        "2099-12-01",
        "--retain-data",
        "--cpq-admin",
        "admin@acme.com.uat",
        "--output",
        "case.json",
    ];
    let refused = run(sandbox.cmd(&[&case_flags[..], &["--json"]].concat()));
    assert_eq!(
        refused.json()["name"],
        "ControlCharactersError",
        "{}",
        refused.stdout
    );
    assert!(!sandbox.work().join("case.json").exists());
    emulator.with_state(|s| {
        let table = s
            .store_mut(false)
            .table_mut("LGK__ConfigurationTenant__c")
            .unwrap();
        let pos = table.position(&id).unwrap();
        table.records[pos].insert(
            "LGK__RuntimeUrl__c".into(),
            "https://acme.test.logik.io".into(),
        );
    });

    // A payload value with a control character is refused by case validate and case render.
    let build = run(sandbox.cmd(&case_flags));
    assert_eq!(build.code, 0, "{}\n{}", build.stdout, build.stderr);
    let path = sandbox.work().join("case.json");
    let mut payload: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(payload["org"]["name"].is_string(), "{payload:#}");
    payload["org"]["name"] = Value::from("Acme\x1b]0;owned\x07 UAT");
    std::fs::write(&path, payload.to_string()).unwrap();
    for command in ["validate", "render"] {
        let out = run(sandbox.cmd(&["case", command, "case.json", "--json"]));
        assert_eq!(out.code, 2, "case {command}: {}", out.stdout);
        let out = out.json();
        assert_eq!(out["name"], "InvalidPayloadError", "{out:#}");
        let errors = out["data"]["errors"].as_array().unwrap();
        assert!(
            errors.iter().any(|e| e["path"] == "$.org.name"
                && e["message"]
                    .as_str()
                    .unwrap()
                    .contains("control characters")),
            "{out:#}"
        );
        let text = run(sandbox.cmd(&["case", command, "case.json"]));
        assert!(!raw_controls(&text.stderr) && !raw_controls(&text.stdout));
    }

    // A host with non-ASCII letters is refused, both forms named, nothing sent.
    emulator.clear_log();
    let out = run(sandbox.cmd(&[
        "step",
        "tenant-urls",
        "-o",
        "uat",
        "--runtime-url",
        "https://acmé.test.logik.io",
        "--json",
    ]));
    assert_eq!(out.code, 2, "{}", out.stdout);
    let message = out.json()["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("acmé.test.logik.io") && message.contains("xn--acm-dma.test.logik.io"),
        "{message}"
    );
    assert!(emulator.requests().is_empty());
    let mut args = vec!["case", "build", "--cpq-url", "https://acmé.test.logik.io"];
    args.extend(["--refresh-date", "2099-12-01", "--retain-data", "--json"]);
    args.extend(["--cpq-admin", "jane@acme.com.uat"]);
    args.extend(["--provisioning-username", "provisioning@logik.io.acme.uat"]);
    let out = run(sandbox.cmd(&args));
    assert_eq!(out.code, 2, "{}", out.stdout);
    let message = out.json()["message"].as_str().unwrap().to_string();
    assert!(message.contains("xn--acm-dma.test.logik.io"), "{message}");
}
