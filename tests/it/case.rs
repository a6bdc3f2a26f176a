//! The support case: `case build`, `case validate`, `case render`, `case org-id`, run as the real
//! binary against the org emulator (and the real sf for the pipeline a user types).

use crate::common::*;
use crate::real_sf::{real_sf, sf, sf_login};
use logik_org_emulator::{SEED_ACCESS_TOKEN, SEED_ORG_ID};
use serde_json::{Value, json};
use std::path::Path;

/// A refresh date far ahead: the org given is the sandbox before its refresh.
const LATER: &str = "2099-12-01";
/// A refresh date in the past: the org given is the refreshed one.
const EARLIER: &str = "2020-01-15";
const CPQ_URL: &str = "https://acme.test.logik.io";
const PROVISIONING: &str = "provisioning@logik.io.acme.uat";

/// The flags of a complete case (no org).
fn complete_flags() -> Vec<&'static str> {
    vec![
        "case",
        "build",
        "--cpq-url",
        CPQ_URL,
        "--refresh-date",
        LATER,
        "--retain-data",
        "--cpq-admin",
        "jane@acme.com.uat",
        "--provisioning-username",
        PROVISIONING,
    ]
}

fn with<'a>(mut base: Vec<&'a str>, more: &[&'a str]) -> Vec<&'a str> {
    base.extend_from_slice(more);
    base
}

/// Snapshots without what changes from run to run: the time, the version, the emulator port.
fn snapshot_filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[generatedAt]"),
        (
            concat!(r#""version": ""#, env!("CARGO_PKG_VERSION"), r#"""#),
            r#""version": "[version]""#,
        ),
        (
            concat!("logik-refresh ", env!("CARGO_PKG_VERSION")),
            "logik-refresh [version]",
        ),
        (r"http://127\.0\.0\.1:\d+", "http://[emulator]"),
    ]
}

/// An error run: exit 2, the sf error envelope with actions, for `context`.
fn assert_input_error(run: &Run, name: &str, context: &str) -> Value {
    assert_eq!(run.code, 2, "{name}: {}\n{}", run.stdout, run.stderr);
    let out = run.json();
    assert_valid("error", &out);
    assert_eq!(out["status"], 2);
    assert_eq!(out["exitCode"], 2);
    assert_eq!(out["name"], name, "{out:#}");
    assert_eq!(out["context"], context);
    assert!(
        !out["actions"].as_array().unwrap().is_empty(),
        "an error says what to do next: {out:#}"
    );
    out
}

fn write(sandbox: &Sandbox, name: &str, text: &str) -> String {
    let path = sandbox.work().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn build_from_flags_alone_is_complete_and_valid() {
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&with(complete_flags(), &["--json"])));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    assert_valid("case-build", &out);
    assert_valid("support-case", &out["result"]);
    let case = &out["result"];
    assert_eq!(case["kind"], "support-case");
    assert_eq!(case["newOrgId"], "TBD");
    assert_eq!(case["dataDisposition"], "repoint");
    assert_eq!(
        case["myDomainUrl"],
        Value::Null,
        "present, and null: unchanged"
    );
    assert_eq!(case["newHost"], Value::Null);
    assert_eq!(case["provisioningUser"]["email"], "provisioning@logik.io");
    assert_eq!(case["provisioningUser"]["profile"], "System Administrator");
    assert_eq!(case["org"], Value::Null);
    assert_eq!(out["warnings"], json!([]));
}

#[test]
fn build_every_field_in_its_exact_form() {
    let sandbox = Sandbox::new();
    let args = vec![
        "case",
        "build",
        "--cpq-url",
        "ACME.test.logik.io/",
        "--refresh-date",
        "2099-12-01",
        "--start-from-scratch",
        "--new-org-id",
        "00D5e000000AbCd",
        "--my-domain-url",
        "https://Acme--UAT.sandbox.my.salesforce.com/",
        "--cpq-admin",
        "Jane@Acme.com.uat,bob@acme.com.uat",
        "--cpq-admin",
        "jane@acme.com.uat",
        "--new-host",
        "https://acme-uat.test.logik.io",
        "--provisioning-username",
        PROVISIONING,
        "--provisioning-email",
        "provisioning@logik.io",
        "--case-number",
        "cs0123456",
        "--json",
    ];
    let run = run(sandbox.cmd(&args));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let case = run.json()["result"].clone();
    assert_valid("support-case", &case);
    assert_eq!(case["cpqUrl"], CPQ_URL);
    assert_eq!(case["dataDisposition"], "decommission-and-recreate");
    assert_eq!(case["newOrgId"], SEED_ORG_ID, "always written as 18");
    assert_eq!(
        case["myDomainUrl"],
        "https://acme--uat.sandbox.my.salesforce.com"
    );
    assert_eq!(
        case["cpqAdmins"],
        json!(["jane@acme.com.uat", "bob@acme.com.uat"])
    );
    assert_eq!(case["newHost"], "acme-uat.test.logik.io");
    assert_eq!(case["caseNumber"], "CS0123456");
}

#[test]
fn build_today_and_tomorrow_are_local_dates() {
    let sandbox = Sandbox::new();
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    for (word, date) in [("today", today), ("tomorrow", today.tomorrow().unwrap())] {
        let mut args = complete_flags();
        args[5] = word;
        args.push("--json");
        let mut cmd = sandbox.cmd(&args);
        cmd.env("TZ", "UTC");
        let run = run(cmd);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.json()["result"]["refreshDate"], date.to_string());
    }
}

#[test]
fn build_before_the_refresh_records_the_sandbox_and_checks_its_users() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    // jane as she is named in production, bob who is inactive; the provisioning user is found.
    let args = [
        "case",
        "build",
        "--cpq-url",
        CPQ_URL,
        "--refresh-date",
        LATER,
        "--retain-data",
        "--cpq-admin",
        "jane@acme.com",
        "--cpq-admin",
        "bob@acme.com.uat",
        "--json",
    ];
    let run = run_with_stdin(sandbox.cmd(&args), &display_json(&emulator.base_url()));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    assert_valid("case-build", &out);
    let case = &out["result"];
    assert_eq!(case["newOrgId"], "TBD", "the refresh is still ahead");
    let org = &case["org"];
    assert_eq!(org["refreshed"], false);
    assert_eq!(org["orgId"], SEED_ORG_ID, "the current org ID is recorded");
    assert_eq!(org["orgId15"], "00D5e000000AbCd");
    assert_eq!(org["sandboxName"], "uat");
    assert_eq!(org["instanceName"], "CS42");
    assert_eq!(org["organizationType"], "Enterprise Edition");
    assert_eq!(org["tenantRuntimeUrl"], CPQ_URL);
    assert_eq!(org["source"]["offline"], false);
    assert_eq!(
        case["provisioningUser"]["username"], PROVISIONING,
        "found by its email"
    );

    let warnings = out["warnings"].to_string();
    assert!(
        warnings.contains("the closest is jane@acme.com.uat")
            && warnings.contains("jane@acme.com -> jane@acme.com.uat"),
        "{warnings}"
    );
    assert!(
        warnings.contains("bob@acme.com.uat: the user is inactive"),
        "{warnings}"
    );
    assert!(
        warnings.contains("provisioning@logik.io.invalid") && warnings.contains("Setup > Users"),
        "the refresh's .invalid email is flagged: {warnings}"
    );
    let checks: Vec<(String, bool)> = case["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["ok"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        checks,
        [
            ("CPQ environment URL".to_string(), true),
            ("CPQ Admin jane@acme.com".to_string(), false),
            ("CPQ Admin bob@acme.com.uat".to_string(), false),
            (format!("Provisioning user {PROVISIONING}"), false),
        ]
    );
    let log = emulator.requests();
    assert!(
        log.iter().any(|r| r
            .query
            .as_deref()
            .is_some_and(|q| q.contains("FROM+User") || q.contains("FROM%20User"))),
        "the users were looked up in the org: {log:#?}"
    );
    assert!(
        log.iter().all(|r| !r.write),
        "case build never writes to the org"
    );
    assert!(!run.stdout.contains(SEED_ACCESS_TOKEN) && !run.stderr.contains(SEED_ACCESS_TOKEN));

    insta::with_settings!({filters => snapshot_filters()}, {
        insta::assert_snapshot!("build_before_refresh_json", serde_json::to_string_pretty(case).unwrap());
    });
}

#[test]
fn build_after_the_refresh_takes_the_refreshed_org_id() {
    let sandbox = Sandbox::new();
    let mut args = complete_flags();
    args[5] = EARLIER;
    args.extend(["--offline", "--json"]);
    let run = run_with_stdin(sandbox.cmd(&args), &fixture("v1-display.json"));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    assert_valid("case-build", &out);
    assert_eq!(out["result"]["newOrgId"], SEED_ORG_ID);
    assert_eq!(out["result"]["org"]["refreshed"], true);
    assert_eq!(out["result"]["org"]["source"]["offline"], true);
    assert_eq!(out["result"]["checks"], json!([]));

    // --new-org-id wins, and then the piped org is not the refreshed one.
    let mut args = complete_flags();
    args[5] = EARLIER;
    args.extend(["--offline", "--new-org-id", "TBD", "--json"]);
    let run = run_with_stdin(sandbox.cmd(&args), &fixture("v1-display.json"));
    assert_eq!(run.json()["result"]["newOrgId"], "TBD");
    assert_eq!(run.json()["result"]["org"]["refreshed"], false);
}

#[test]
fn build_from_a_completed_sandbox_process() {
    let sandbox = Sandbox::new();
    let process = r#"{"status":0,"result":{"Id":"0GR5e000000XyZaGAK","Status":"Completed","SandboxName":"uat","SandboxOrganization":"00D5e000000AbCd","CopyProgress":100}}"#;
    let run = run_with_stdin(sandbox.cmd(&with(complete_flags(), &["--json"])), process);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let case = &run.json()["result"];
    assert_eq!(case["newOrgId"], SEED_ORG_ID);
    assert_eq!(case["org"]["sandboxName"], "uat");
    assert_eq!(case["org"]["source"]["input"], "sandbox-process");
}

#[test]
fn build_with_a_piped_org_it_cannot_reach_still_builds_and_says_so() {
    let sandbox = Sandbox::new();
    let run = run_with_stdin(
        sandbox.cmd(&with(complete_flags(), &["--json"])),
        &fixture("v1-display.json"),
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    assert_eq!(out["result"]["org"]["orgId"], SEED_ORG_ID);
    assert_eq!(out["result"]["org"]["source"]["offline"], true);
    let warnings = out["warnings"].to_string();
    assert!(warnings.contains("Could not reach the org"), "{warnings}");
    assert!(!warnings.contains("Secrets are now hidden"), "{warnings}");

    // Without the org, the provisioning user cannot be found: the error says why.
    let args: Vec<&str> = with(complete_flags(), &["--json"])
        .into_iter()
        .filter(|a| *a != "--provisioning-username" && *a != PROVISIONING)
        .collect();
    let run = run_with_stdin(sandbox.cmd(&args), &fixture("v1-display.json"));
    let out = assert_input_error(&run, "MissingCaseValuesError", "case build");
    assert_eq!(out["data"]["missing"][0]["field"], "provisioningUsername");
    assert!(
        out["warnings"]
            .to_string()
            .contains("Could not reach the org"),
        "{out:#}"
    );
}

#[test]
fn build_output_is_written_whole_or_not_at_all() {
    let sandbox = Sandbox::new();
    let case_file = sandbox.work().join("case.json");
    let run = run(sandbox.cmd(&with(complete_flags(), &["--output", "case.json"])));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Wrote case.json"), "{}", run.stdout);
    assert!(
        run.stdout.contains("logik-refresh case render case.json"),
        "{}",
        run.stdout
    );
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&case_file).unwrap()).unwrap();
    assert_valid("support-case", &written);
    assert_eq!(
        files_in(&sandbox.work()),
        ["case.json"],
        "no temporary file is left"
    );

    // A failing run leaves the file as it was.
    let before = std::fs::read(&case_file).unwrap();
    let mut args = with(complete_flags(), &["--output", "case.json", "--json"]);
    args[3] = "http://acme.test.logik.io";
    let failed = run_cmd(&sandbox, &args);
    assert_input_error(&failed, "InvalidCpqUrlError", "case build");
    assert_eq!(std::fs::read(&case_file).unwrap(), before);
    assert_eq!(files_in(&sandbox.work()), ["case.json"]);

    // Without --output, stdout carries the payload itself, ready for `> case.json`.
    let plain = run_cmd(&sandbox, &complete_flags());
    assert_eq!(plain.code, 0);
    let payload: Value = serde_json::from_str(&plain.stdout).unwrap();
    assert_valid("support-case", &payload);
}

fn run_cmd(sandbox: &Sandbox, args: &[&str]) -> Run {
    run(sandbox.cmd(args))
}

#[test]
fn build_bad_input_is_refused_with_nothing_written() {
    let sandbox = Sandbox::new();
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (
            with(complete_flags(), &["--start-from-scratch"]),
            "DataDispositionConflictError",
            "",
        ),
        (
            complete_flags()
                .into_iter()
                .filter(|a| *a != "--retain-data")
                .collect(),
            "MissingCaseValuesError",
            "dataDisposition",
        ),
        (
            replace(complete_flags(), CPQ_URL, "http://acme.test.logik.io"),
            "InvalidCpqUrlError",
            "https",
        ),
        (
            replace(complete_flags(), CPQ_URL, "https://cpq.example.com"),
            "InvalidCpqUrlError",
            "--allow-other-host",
        ),
        (
            replace(complete_flags(), LATER, "2026-02-30"),
            "InvalidRefreshDateError",
            "calendar",
        ),
        (
            replace(complete_flags(), LATER, "next week"),
            "InvalidRefreshDateError",
            "YYYY-MM-DD",
        ),
        (
            with(complete_flags(), &["--new-org-id", "00D5e000000AbC"]),
            "InvalidOrgIdError",
            "length",
        ),
        (
            with(complete_flags(), &["--new-org-id", "0055e000000AbCd"]),
            "InvalidOrgIdError",
            "prefix",
        ),
        (
            with(complete_flags(), &["--new-org-id", "00D5e000000AbCdEAA"]),
            "InvalidOrgIdError",
            "checksum",
        ),
        (
            replace(complete_flags(), "jane@acme.com.uat", ""),
            "EmptyCpqAdminsError",
            "cpqAdmins",
        ),
        (
            with(
                complete_flags(),
                &["--provisioning-email", "admin@acme.com"],
            ),
            "InvalidProvisioningEmailError",
            "provisioningEmail",
        ),
        (
            with(
                complete_flags(),
                &["--my-domain-url", "https://acme.example.com"],
            ),
            "InvalidMyDomainUrlError",
            "",
        ),
        (
            with(complete_flags(), &["--new-host", "acme-uat.example.com"]),
            "InvalidNewHostError",
            "",
        ),
    ];
    for (args, name, detail) in cases {
        let args = with(args, &["--output", "case.json", "--json"]);
        let run = run_cmd(&sandbox, &args);
        let out = assert_input_error(&run, name, "case build");
        if !detail.is_empty() {
            assert!(
                out.to_string().contains(detail),
                "{name}: {detail} in {out:#}"
            );
        }
        assert!(
            files_in(&sandbox.work()).is_empty(),
            "{name}: nothing written"
        );
    }
}

fn replace<'a>(args: Vec<&'a str>, from: &str, to: &'a str) -> Vec<&'a str> {
    args.into_iter()
        .map(|a| if a == from { to } else { a })
        .collect()
}

#[test]
fn build_lists_every_missing_value_at_once() {
    let sandbox = Sandbox::new();
    let run = run_cmd(&sandbox, &["case", "build", "--json"]);
    let out = assert_input_error(&run, "MissingCaseValuesError", "case build");
    let missing: Vec<&str> = out["data"]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        [
            "cpqUrl",
            "refreshDate",
            "dataDisposition",
            "cpqAdmins",
            "provisioningUsername"
        ]
    );
    // Text mode: the same, on stderr, and no prompt (stdin is not a terminal).
    let text = run_cmd(&sandbox, &["case", "build"]);
    assert_eq!(text.code, 2);
    assert!(text.stdout.is_empty());
    assert!(
        text.stderr.contains("MissingCaseValuesError"),
        "{}",
        text.stderr
    );
    assert!(
        text.stderr.contains("--cpq-url https://acme.test.logik.io"),
        "{}",
        text.stderr
    );

    // Invalid and missing values together: one error that lists them all.
    let run = run_cmd(
        &sandbox,
        &[
            "case",
            "build",
            "--cpq-url",
            "http://x.test.logik.io",
            "--retain-data",
            "--start-from-scratch",
            "--json",
        ],
    );
    let out = assert_input_error(&run, "InvalidCaseValuesError", "case build");
    assert_eq!(
        out["data"]["errors"].as_array().unwrap().len(),
        2,
        "{out:#}"
    );
    assert_eq!(
        out["data"]["missing"].as_array().unwrap().len(),
        3,
        "{out:#}"
    );
}

#[test]
fn build_from_an_answers_file_flags_win() {
    let sandbox = Sandbox::new();
    let answers = write(
        &sandbox,
        "answers.json",
        &json!({
            "cpqUrl": "https://old.test.logik.io",
            "refreshDate": LATER,
            "dataDisposition": "decommission-and-recreate",
            "cpqAdmins": ["jane@acme.com.uat"],
            "myDomainUrl": null,
            "newHost": "acme-uat.test.logik.io",
            "provisioningUsername": PROVISIONING,
            "provisioningEmail": "provisioning@logik.io",
            "caseNumber": "CS0123456"
        })
        .to_string(),
    );
    let run = run_cmd(
        &sandbox,
        &[
            "case",
            "build",
            "--answers",
            &answers,
            "--cpq-url",
            CPQ_URL,
            "--json",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let case = &run.json()["result"];
    assert_eq!(case["cpqUrl"], CPQ_URL, "the flag wins");
    assert_eq!(case["dataDisposition"], "decommission-and-recreate");
    assert_eq!(case["newHost"], "acme-uat.test.logik.io");
    assert_eq!(case["caseNumber"], "CS0123456");
}

#[test]
fn build_bad_answers_files_are_refused() {
    let sandbox = Sandbox::new();
    // Everything but the admins comes from flags, so the answers file decides them.
    let flags: Vec<&str> = complete_flags()
        .into_iter()
        .filter(|a| *a != "--cpq-admin" && *a != "jane@acme.com.uat")
        .collect();
    let cases = [
        (
            "not-json.json",
            "{\"cpqUrl\": ",
            "AnswersFileError",
            "not JSON",
        ),
        (
            "unknown.json",
            r#"{"cpqAdmins": ["jane@acme.com.uat"], "colour": "blue"}"#,
            "AnswersFileError",
            "$.colour",
        ),
        (
            "empty-admins.json",
            r#"{"cpqAdmins": []}"#,
            "EmptyCpqAdminsError",
            "cpqAdmins",
        ),
        (
            "email.json",
            r#"{"cpqAdmins": ["jane@acme.com.uat"], "provisioningEmail": "ops@acme.com"}"#,
            "InvalidProvisioningEmailError",
            "provisioning@logik.io",
        ),
    ];
    for (name, text, expected, detail) in cases {
        let path = write(&sandbox, name, text);
        let args = with(flags.clone(), &["--output", "case.json", "--json"]);
        let mut args: Vec<&str> = args;
        args.extend(["--answers", path.as_str()]);
        let run = run_cmd(&sandbox, &args);
        let out = assert_input_error(&run, expected, "case build");
        assert!(out.to_string().contains(detail), "{name}: {out:#}");
        assert!(!sandbox.work().join("case.json").exists(), "{name}");
    }
    // Every unknown key is reported, with its path.
    let path = write(&sandbox, "two.json", r#"{"cpqURL": "x", "colour": "blue"}"#);
    let run = run_cmd(&sandbox, &["case", "build", "--answers", &path, "--json"]);
    let out = assert_input_error(&run, "AnswersFileError", "case build");
    let paths: Vec<&str> = out["data"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["$.cpqURL", "$.colour"]);
}

#[test]
fn build_allows_another_host_only_with_the_flag_and_warns() {
    let sandbox = Sandbox::new();
    let args = with(
        replace(complete_flags(), CPQ_URL, "https://cpq.example.com"),
        &["--allow-other-host", "--json"],
    );
    let run = run_cmd(&sandbox, &args);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let out = run.json();
    assert_eq!(out["result"]["cpqUrl"], "https://cpq.example.com");
    assert!(
        out["warnings"].to_string().contains("not a Logik.ai host"),
        "{out:#}"
    );
}

/// util-linux `script`, which runs a command on a pseudo-terminal; None (with the reason
/// printed) where it is missing, as on macOS, whose `script` takes other arguments.
fn terminal_runner() -> Option<&'static str> {
    let found = cfg!(target_os = "linux") && Path::new("/usr/bin/script").is_file();
    if !found {
        skip(
            "util-linux script is not available to give the command a terminal (apt-get install util-linux; scripts/test.sh does)",
        );
    }
    found.then_some("/usr/bin/script")
}

#[test]
fn build_asks_for_missing_values_on_a_terminal() {
    let Some(script) = terminal_runner() else {
        return;
    };
    let sandbox = Sandbox::new();
    // util-linux `script` gives the command a terminal; the answers are typed into it.
    let command = format!(
        "{} case build --refresh-date {LATER} --output case.json",
        env!("CARGO_BIN_EXE_logik-refresh")
    );
    let mut cmd = std::process::Command::new(script);
    cmd.args(["-q", "-e", "-c", &command, "/dev/null"])
        .current_dir(sandbox.work())
        .env_clear()
        .env("HOME", sandbox.home())
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "dumb");
    let answers = format!("acme.test.logik.io\nretain\n\n\njane@acme.com.uat\n\n{PROVISIONING}\n");
    let run = run_with_stdin(cmd, &answers);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("1. Current CPQ environment URL"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("2. Date of the refresh"),
        "given values are not asked: {}",
        run.stdout
    );
    let case: Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.work().join("case.json")).unwrap())
            .unwrap();
    assert_valid("support-case", &case);
    assert_eq!(case["cpqUrl"], CPQ_URL);
    assert_eq!(case["refreshDate"], LATER);
    assert_eq!(case["dataDisposition"], "repoint");
    assert_eq!(case["newOrgId"], "TBD");
    assert_eq!(case["cpqAdmins"], json!(["jane@acme.com.uat"]));
    assert_eq!(case["provisioningUser"]["username"], PROVISIONING);
}

#[test]
fn build_never_prompts_with_no_prompt() {
    let Some(script) = terminal_runner() else {
        return;
    };
    let sandbox = Sandbox::new();
    let command = format!(
        "{} case build --no-prompt --refresh-date {LATER}",
        env!("CARGO_BIN_EXE_logik-refresh")
    );
    let mut cmd = std::process::Command::new(script);
    cmd.args(["-q", "-e", "-c", &command, "/dev/null"])
        .current_dir(sandbox.work())
        .env_clear()
        .env("HOME", sandbox.home())
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "dumb");
    let run = run_with_stdin(cmd, "");
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout.contains("MissingCaseValuesError"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("1. Current CPQ"), "{}", run.stdout);
}

/// A payload file written by `case build --output`.
fn built_case(sandbox: &Sandbox, extra: &[&'static str]) -> String {
    let run = run_cmd(
        sandbox,
        &with(with(complete_flags(), extra), &["--output", "case.json"]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    sandbox.work().join("case.json").display().to_string()
}

#[test]
fn validate_accepts_the_payload_its_envelope_and_stdin() {
    let sandbox = Sandbox::new();
    let file = built_case(&sandbox, &[]);
    let run = run_cmd(&sandbox, &["case", "validate", &file, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let out = run.json();
    assert_valid("case-validate", &out);
    assert_eq!(out["result"]["valid"], true);
    assert_eq!(out["result"]["kind"], "support-case");

    let envelope = run_cmd(&sandbox, &with(complete_flags(), &["--json"])).stdout;
    let piped = run_with_stdin(sandbox.cmd(&["case", "validate"]), &envelope);
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert!(
        piped.stdout.contains("a valid support-case payload"),
        "{}",
        piped.stdout
    );

    // Windows PowerShell 5.1's `>` writes UTF-16 with a BOM.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in envelope.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let path = sandbox.work().join("case-utf16.json");
    std::fs::write(&path, utf16).unwrap();
    let run = run_cmd(&sandbox, &["case", "validate", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn validate_reports_three_different_errors_at_once() {
    let sandbox = Sandbox::new();
    let file = built_case(&sandbox, &[]);
    let mut payload: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    payload.as_object_mut().unwrap().remove("refreshDate");
    payload["dataDisposition"] = json!("keep-everything");
    payload["newOrgId"] = json!("00D5e000000AbCdEAA");
    let bad = write(&sandbox, "bad.json", &payload.to_string());
    let run = run_cmd(&sandbox, &["case", "validate", &bad, "--json"]);
    let out = assert_input_error(&run, "InvalidPayloadError", "case validate");
    let errors = out["data"]["errors"].as_array().unwrap();
    let by_path = |path: &str| {
        errors
            .iter()
            .find(|e| e["path"] == path)
            .unwrap_or_else(|| panic!("{path} in {errors:#?}"))["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(by_path("$.refreshDate").contains("missing"));
    assert!(by_path("$.dataDisposition").contains("\"decommission-and-recreate\""));
    assert!(
        by_path("$.newOrgId").contains("\"EAK\""),
        "the expected checksum"
    );
    assert_eq!(
        errors[0]["pointer"].as_str().unwrap().chars().next(),
        Some('/')
    );
    // Text mode: every problem on stderr, with its path.
    let text = run_cmd(&sandbox, &["case", "validate", &bad]);
    assert_eq!(text.code, 2);
    for path in ["$.refreshDate", "$.dataDisposition", "$.newOrgId"] {
        assert!(text.stderr.contains(path), "{path}: {}", text.stderr);
    }
}

#[test]
fn validate_refuses_what_is_not_a_payload() {
    let sandbox = Sandbox::new();
    let not_json = write(&sandbox, "x.json", "{ nope");
    assert_input_error(
        &run_cmd(&sandbox, &["case", "validate", &not_json, "--json"]),
        "InvalidJsonError",
        "case validate",
    );
    assert_input_error(
        &run_cmd(&sandbox, &["case", "validate", "missing.json", "--json"]),
        "PayloadFileError",
        "case validate",
    );
    let org = write(&sandbox, "org.json", &fixture("v1-display.json"));
    let out = assert_input_error(
        &run_cmd(&sandbox, &["case", "validate", &org, "--json"]),
        "InvalidPayloadError",
        "case validate",
    );
    assert!(out["data"]["errors"].as_array().unwrap().len() > 5);
}

#[test]
fn render_text_and_markdown() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let args = [
        "case",
        "build",
        "-o",
        "uat",
        "--cpq-url",
        CPQ_URL,
        "--refresh-date",
        LATER,
        "--retain-data",
        "--cpq-admin",
        "jane@acme.com.uat,admin@acme.com.uat",
        "--new-host",
        "acme-uat.test.logik.io",
        "--case-number",
        "CS0123456",
        "--output",
        "case.json",
    ];
    let built = run_cmd(&sandbox, &args);
    assert_eq!(built.code, 0, "{}\n{}", built.stdout, built.stderr);
    for format in ["text", "markdown"] {
        let run = run_cmd(
            &sandbox,
            &["case", "render", "case.json", "--format", format, "--json"],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let out = run.json();
        assert_valid("case-render", &out);
        let subject = out["result"]["subject"].as_str().unwrap();
        assert!(subject.chars().count() <= 160);
        let body = out["result"]["body"].as_str().unwrap();
        // The seed's order.
        let positions: Vec<usize> = [
            "1. Current CPQ environment URL",
            "2. Date the refresh",
            "3. What to do with",
            "4. New SFDC org ID",
            "5. SFDC My Domain URL",
            "6. SFDC usernames",
            "7. Change the CPQ environment host name",
            "8. Provisioning user",
        ]
        .iter()
        .map(|label| {
            body.find(label)
                .unwrap_or_else(|| panic!("{label} in\n{body}"))
        })
        .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{body}");
        let text = run_cmd(
            &sandbox,
            &["case", "render", "case.json", "--format", format],
        );
        assert_eq!(text.code, 0);
        insta::with_settings!({filters => snapshot_filters()}, {
            insta::assert_snapshot!(format!("render_{format}"), text.stdout);
        });
    }
    let case = std::fs::read_to_string(sandbox.work().join("case.json")).unwrap();
    insta::with_settings!({filters => snapshot_filters()}, {
        insta::assert_snapshot!("render_source_json", case);
    });
}

#[test]
fn render_refuses_an_invalid_payload_with_every_problem() {
    let sandbox = Sandbox::new();
    let bad = write(
        &sandbox,
        "bad.json",
        r#"{"kind": "support-case", "cpqAdmins": []}"#,
    );
    let out = assert_input_error(
        &run_cmd(&sandbox, &["case", "render", &bad, "--json"]),
        "InvalidPayloadError",
        "case render",
    );
    assert!(
        out["data"]["errors"].as_array().unwrap().len() >= 8,
        "{out:#}"
    );
}

#[test]
fn org_id_from_the_refreshed_org_and_from_the_sandbox_process() {
    let sandbox = Sandbox::new();
    let run = run_with_stdin(
        sandbox.cmd(&["case", "org-id", "--case-number", "CS0123456", "--json"]),
        &fixture("v1-display.json"),
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    assert_valid("case-org-id", &out);
    assert_valid("case-follow-up", &out["result"]["followUp"]);
    assert_eq!(out["result"]["followUp"]["newOrgId"], SEED_ORG_ID);
    assert_eq!(out["result"]["followUp"]["caseNumber"], "CS0123456");
    assert!(
        out["result"]["subject"]
            .as_str()
            .unwrap()
            .contains(SEED_ORG_ID)
    );

    let text = run_with_stdin(
        sandbox.cmd(&[
            "case",
            "org-id",
            "--case-number",
            "CS0123456",
            "--output",
            "org-id.json",
        ]),
        &fixture("v1-display.json"),
    );
    assert_eq!(text.code, 0, "{}", text.stderr);
    insta::with_settings!({filters => snapshot_filters()}, {
        insta::assert_snapshot!("org_id_text", text.stdout);
    });
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.work().join("org-id.json")).unwrap())
            .unwrap();
    assert_valid("case-follow-up", &written);
    let validated = run_cmd(&sandbox, &["case", "validate", "org-id.json"]);
    assert_eq!(validated.code, 0, "{}", validated.stderr);
    assert!(validated.stdout.contains("org-id-follow-up"));

    let process = r#"{"status":0,"result":{"Id":"0GR5e000000XyZaGAK","Status":"Completed","SandboxName":"uat","SandboxOrganization":"00D5e000000AbCd","CopyProgress":100}}"#;
    let run = run_with_stdin(sandbox.cmd(&["case", "org-id", "--json"]), process);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["result"]["followUp"]["newOrgId"], SEED_ORG_ID);
    assert_eq!(
        run.json()["result"]["followUp"]["org"]["sandboxName"],
        "uat"
    );

    // This tool's own output chains too.
    let inspect = run_with_stdin(
        sandbox.cmd(&["org", "inspect", "--offline", "--json"]),
        &fixture("v1-display.json"),
    );
    let run = run_with_stdin(sandbox.cmd(&["case", "org-id", "--json"]), &inspect.stdout);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["result"]["followUp"]["newOrgId"], SEED_ORG_ID);
    assert_eq!(
        run.json()["result"]["followUp"]["org"]["source"]["input"],
        "logik-refresh"
    );

    let pending = r#"{"status":0,"result":{"Id":"0GR5e000000XyZaGAK","Status":"Processing","SandboxName":"uat","CopyProgress":40}}"#;
    let run = run_with_stdin(sandbox.cmd(&["case", "org-id", "--json"]), pending);
    let out = assert_input_error(&run, "RefreshNotCompleteError", "case org-id");
    assert!(out["message"].as_str().unwrap().contains("Processing"));
}

#[test]
fn org_id_by_alias_and_never_from_a_case_built_before_the_refresh() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let run = run_cmd(&sandbox, &["case", "org-id", "-o", "uat", "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["result"]["followUp"]["newOrgId"], SEED_ORG_ID);
    assert_eq!(
        run.json()["result"]["followUp"]["org"]["instanceName"],
        "CS42"
    );

    let before = run_with_stdin(
        sandbox.cmd(&with(complete_flags(), &["--offline", "--json"])),
        &fixture("v1-display.json"),
    );
    assert_eq!(before.code, 0, "{}", before.stdout);
    let run = run_with_stdin(sandbox.cmd(&["case", "org-id", "--json"]), &before.stdout);
    assert_input_error(&run, "NotTheRefreshedOrgError", "case org-id");
    let run = run_cmd(
        &sandbox,
        &["case", "org-id", "--case-number", "CS 1", "--json"],
    );
    assert_input_error(&run, "InvalidCaseNumberError", "case org-id");
}

#[test]
fn help_shows_purpose_flags_and_examples() {
    let sandbox = Sandbox::new();
    for (command, flags) in [
        (
            "build",
            &[
                "--cpq-url",
                "--refresh-date",
                "--retain-data",
                "--start-from-scratch",
                "--new-org-id",
                "--my-domain-url",
                "--cpq-admin",
                "--new-host",
                "--provisioning-username",
                "--case-number",
                "--answers",
                "--output",
            ][..],
        ),
        ("validate", &["[FILE|-]"][..]),
        ("render", &["--format", "[default: text]"][..]),
        (
            "org-id",
            &["--case-number", "--output", "-o, --target-org"][..],
        ),
    ] {
        let run = run_cmd(&sandbox, &["case", command, "--help"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let help = &run.stdout;
        assert!(
            !help.lines().next().unwrap().is_empty(),
            "a one-line purpose: {help}"
        );
        for flag in flags {
            assert!(help.contains(flag), "case {command}: {flag} in\n{help}");
        }
        let examples = help
            .split("Examples:")
            .nth(1)
            .unwrap_or_else(|| panic!("{help}"));
        assert!(
            examples.matches("logik-refresh case ").count() >= 2,
            "case {command}: two or more real examples\n{help}"
        );
    }
}

/// The pipeline of the README, with the real sf logged in to the emulator.
#[test]
fn real_sf_pipeline_builds_a_payload_that_validates() {
    let Some(sf_bin) = real_sf() else { return };
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sf_login(&sandbox, &sf_bin, &emulator.base_url(), false);
    let display = run(sf(
        &sandbox,
        &sf_bin,
        &["org", "display", "--json", "-o", "uat"],
    ));
    assert_eq!(display.code, 0, "{}", display.stderr);

    // sf org display --json -o uat | logik-refresh case build ... --json > case.json
    let build = run_with_stdin(
        sandbox.cmd(&[
            "case",
            "build",
            "--cpq-url",
            CPQ_URL,
            "--refresh-date",
            LATER,
            "--retain-data",
            "--cpq-admin",
            "jane@acme.com.uat",
            "--json",
        ]),
        &display.stdout,
    );
    assert_eq!(build.code, 0, "{}\n{}", build.stdout, build.stderr);
    std::fs::write(sandbox.work().join("case.json"), &build.stdout).unwrap();
    let out = build.json();
    assert_valid("case-build", &out);
    let case = &out["result"];
    assert_eq!(case["org"]["orgId"], SEED_ORG_ID);
    assert_eq!(case["org"]["source"]["input"], "org-display");
    assert_eq!(
        case["org"]["source"]["offline"], false,
        "reached through sf's auth store"
    );
    assert_eq!(case["provisioningUser"]["username"], PROVISIONING);
    assert!(
        case["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "CPQ Admin jane@acme.com.uat" && c["ok"] == true),
        "{case:#}"
    );
    assert!(!build.stdout.contains(SEED_ACCESS_TOKEN));

    // logik-refresh case validate case.json
    let validate = run_cmd(&sandbox, &["case", "validate", "case.json"]);
    assert_eq!(validate.code, 0, "{}\n{}", validate.stdout, validate.stderr);
    let render = run_cmd(&sandbox, &["case", "render", "case.json"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
}

/// Every field of the payloads' schemas says what it is and shows an example.
#[test]
fn every_payload_field_has_a_description_and_an_example() {
    for name in ["support-case", "case-follow-up", "case-answers"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas")
            .join(format!("{name}.schema.json"));
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut objects = vec![("".to_string(), &schema)];
        if let Some(defs) = schema["$defs"].as_object() {
            objects.extend(defs.iter().map(|(k, v)| (format!("$defs/{k}"), v)));
        }
        let mut fields = 0;
        for (at, object) in objects {
            let Some(properties) = object["properties"].as_object() else {
                continue;
            };
            for (field, property) in properties {
                fields += 1;
                let description = property["description"].as_str().unwrap_or("");
                assert!(
                    !description.is_empty(),
                    "{name} {at}/{field}: no description"
                );
                assert!(
                    !description.contains('\n'),
                    "{name} {at}/{field}: one paragraph"
                );
                assert!(
                    property["examples"]
                        .as_array()
                        .is_some_and(|e| !e.is_empty()),
                    "{name} {at}/{field}: no example"
                );
            }
        }
        assert!(fields >= 10, "{name}: {fields} fields");
    }
    // The eight facts of the vendor procedure, each required (present, null when unchanged).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/support-case.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let required = schema["required"].as_array().unwrap();
    for fact in [
        "cpqUrl",
        "refreshDate",
        "dataDisposition",
        "newOrgId",
        "myDomainUrl",
        "cpqAdmins",
        "newHost",
        "provisioningUser",
        "schemaVersion",
        "generator",
        "generatedAt",
        "org",
    ] {
        assert!(required.contains(&json!(fact)), "{fact} is required");
    }
}
