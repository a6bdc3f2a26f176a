//! Help that teaches: every command's `--help` as the binary prints it, snapshotted for review
//! (tests/it/snapshots/it__help__help_*.snap), and the rules every help page follows.

use crate::common::*;
use clap::CommandFactory;
use logik_refresh::cli::Cli;

/// Every command a user can call, as its path of names (the root is the empty path).
pub fn command_paths() -> Vec<Vec<String>> {
    fn walk(command: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(path.clone());
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            let mut next = path.clone();
            next.push(sub.get_name().to_string());
            walk(sub, next, out);
        }
    }
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut out = Vec::new();
    walk(&root, Vec::new(), &mut out);
    out
}

fn command_at<'a>(root: &'a clap::Command, path: &[String]) -> &'a clap::Command {
    path.iter()
        .fold(root, |c, name| c.find_subcommand(name).unwrap())
}

#[test]
fn every_help_page_matches_its_snapshot() {
    let sandbox = Sandbox::new();
    let paths = command_paths();
    assert!(paths.len() > 20, "{paths:?}");
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = run(sandbox.cmd(&args));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(out.stderr.is_empty(), "{args:?}: {}", out.stderr);
        let name = if path.is_empty() {
            "help_root".to_string()
        } else {
            format!("help_{}", path.join("_").replace('-', "_"))
        };
        insta::assert_snapshot!(name, out.stdout);
    }
}

/// A one-line purpose, two or three examples, and lines short enough that clap prints them as
/// written: a wrapped example can no longer be copied and run.
#[test]
fn every_command_has_a_purpose_and_examples_that_fit() {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut problems = Vec::new();
    for path in command_paths() {
        let command = command_at(&root, &path);
        let name = format!("logik-refresh {}", path.join(" "));
        match command.get_about().map(|a| a.to_string()) {
            None => problems.push(format!("{name}: no purpose line")),
            Some(about) if about.contains('\n') || about.len() > 100 => problems.push(format!(
                "{name}: the purpose is more than one line: {about:?}"
            )),
            Some(_) => {}
        }
        let after = command
            .get_after_help()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let examples = after
            .lines()
            .filter(|l| {
                let l = l.trim_start();
                l.starts_with("logik-refresh ")
                    || l.contains("| logik-refresh ")
                    || l.starts_with("source <(logik-refresh")
            })
            .count();
        if !after.starts_with("Examples:") || examples < 2 {
            problems.push(format!(
                "{name}: {examples} example(s) after \"Examples:\"; give two or three"
            ));
        }
        for line in after.lines().filter(|l| l.chars().count() > 100) {
            problems.push(format!(
                "{name}: this line is wrapped at 100 columns (split it with \\): {line}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// --- One `--json` output per command, for review of its wording and shape. -------------------

/// What varies between runs: times, ports, temporary folders, the version.
fn json_filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?",
            "[time]",
        ),
        (r"http://127\.0\.0\.1:\d+", "http://[emulator]"),
        (r#"/tmp/[^"\s]*/(state|work|home)"#, "[tmp]/$1"),
        (r#""waitedSeconds": \d+"#, r#""waitedSeconds": "[seconds]""#),
        (
            concat!(r#""version": ""#, env!("CARGO_PKG_VERSION"), r#"""#),
            r#""version": "[version]""#,
        ),
    ]
}

fn assert_json_snapshot(name: &str, out: &Run, code: i32) {
    assert_eq!(out.code, code, "{name}: {}\n{}", out.stdout, out.stderr);
    let value = out.json();
    assert_eq!(value["status"], code, "{name}");
    let text = serde_json::to_string_pretty(&value).unwrap();
    insta::with_settings!({filters => json_filters()}, {
        insta::assert_snapshot!(format!("json_{name}"), text);
    });
}

/// A throwaway HOME whose sf auth store has `uat` (the refreshed sandbox emulator).
fn sandbox_org() -> (logik_org_emulator::Emulator, Sandbox) {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

const TENANT: &str = "https://acme-uat.test.logik.io";

#[test]
fn json_org_inspect() {
    let (_emulator, sandbox) = sandbox_org();
    let out = run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
    assert_json_snapshot("org_inspect", &out, 0);
}

#[test]
fn json_org_wait() {
    use logik_org_emulator::{EmulatorOptions, PRODUCTION_ORG_ID, PRODUCTION_USERNAME};
    let prod = logik_org_emulator::Emulator::start(EmulatorOptions {
        seed: logik_org_emulator::Seed::Production,
        ..EmulatorOptions::default()
    })
    .unwrap();
    let sandbox = Sandbox::new();
    // The production user's auth file next to the sandbox's, aliased prod.
    sandbox.sf_auth_store("v1", &format!("{}/", prod.base_url()));
    let sfdx = sandbox.home().join(".sfdx");
    let mut auth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sfdx.join("admin@acme.com.uat.json")).unwrap(),
    )
    .unwrap();
    auth["username"] = PRODUCTION_USERNAME.into();
    auth["orgId"] = PRODUCTION_ORG_ID.into();
    auth["isSandbox"] = false.into();
    std::fs::write(
        sfdx.join(format!("{PRODUCTION_USERNAME}.json")),
        auth.to_string(),
    )
    .unwrap();
    std::fs::write(
        sfdx.join("alias.json"),
        format!(r#"{{"orgs":{{"prod":"{PRODUCTION_USERNAME}"}}}}"#),
    )
    .unwrap();
    let out = run(sandbox.cmd(&[
        "org",
        "wait",
        "--sandbox-name",
        "uat",
        "-o",
        "prod",
        "--poll-interval",
        "10ms",
        "--json",
    ]));
    assert_json_snapshot("org_wait", &out, 0);
}

#[test]
fn json_case_commands() {
    let (_emulator, sandbox) = sandbox_org();
    let case_file = sandbox.work().join("case.json");
    let case_path = case_file.to_str().unwrap();
    let build = run(sandbox.cmd(&[
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
        case_path,
        "--json",
    ]));
    assert_json_snapshot("case_build", &build, 0);
    let validate = run(sandbox.cmd(&["case", "validate", case_path, "--json"]));
    assert_json_snapshot("case_validate", &validate, 0);
    let render = run(sandbox.cmd(&[
        "case", "render", case_path, "--format", "markdown", "--json",
    ]));
    assert_json_snapshot("case_render", &render, 0);
    let org_id = run(sandbox.cmd(&[
        "case",
        "org-id",
        "-o",
        "uat",
        "--case-number",
        "CS0123456",
        "--json",
    ]));
    assert_json_snapshot("case_org_id", &org_id, 0);
}

/// Each step on a fresh refreshed sandbox, as a first run sees it.
#[test]
fn json_steps() {
    let steps: &[(&str, &[&str], i32)] = &[
        ("tenant-urls", &["--runtime-url", TENANT, "--dry-run"], 0),
        ("configurator-url", &["--runtime-url", TENANT], 68),
        ("refresh-token-user", &["--runtime-url", TENANT], 68),
        ("runtime-clients", &["--runtime-url", TENANT], 68),
        ("org-id", &["--case-number", "CS0123456"], 68),
        ("provisioning-user", &[], 1),
        ("trusted-urls", &["--runtime-url", TENANT], 1),
        ("touch-products", &["--dry-run"], 0),
    ];
    for (step, flags, code) in steps {
        let (_emulator, sandbox) = sandbox_org();
        let mut args = vec!["step", step, "-o", "uat", "--json"];
        args.extend_from_slice(flags);
        let out = run(sandbox.cmd(&args));
        assert_json_snapshot(&format!("step_{}", step.replace('-', "_")), &out, *code);
    }
}

#[test]
fn json_run_and_rollback() {
    let (_emulator, sandbox) = sandbox_org();
    let out = run(sandbox.cmd(&["run", "-o", "uat", "--runtime-url", TENANT, "--json"]));
    assert_json_snapshot("run", &out, 68);
    let out = run(sandbox.cmd(&[
        "rollback",
        "--step",
        "tenant-urls",
        "-o",
        "uat",
        "--dry-run",
        "--json",
    ]));
    assert_json_snapshot("rollback", &out, 0);
}

#[test]
fn json_schema_secret_and_doctor() {
    let sandbox = Sandbox::new();
    let out = run(sandbox.cmd(&["schema", "error", "--json"]));
    assert_json_snapshot("schema", &out, 0);

    let secret = |args: &[&str]| {
        let mut cmd = sandbox.cmd(args);
        cmd.env(
            "LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE",
            "s3cret-token",
        );
        run(cmd)
    };
    let out = secret(&["secret", "list", "--keystore", "none", "--json"]);
    assert_json_snapshot("secret_list", &out, 0);
    let out = secret(&[
        "secret",
        "get",
        "runtime-client/web-store",
        "--keystore",
        "none",
        "--json",
    ]);
    assert_json_snapshot("secret_get", &out, 0);
    let out = run_with_stdin(
        sandbox.cmd(&[
            "secret",
            "set",
            "admin-api-key",
            "--keystore",
            "none",
            "--json",
        ]),
        "key\n",
    );
    assert_json_snapshot("secret_set", &out, out.code);
    let out = secret(&[
        "secret",
        "delete",
        "admin-api-key",
        "--keystore",
        "none",
        "--json",
    ]);
    assert_json_snapshot("secret_delete", &out, out.code);

    let out = run(sandbox.cmd(&["doctor", "--offline", "--keystore", "none", "--json"]));
    assert_json_snapshot("doctor", &out, 0);
}

/// An error raised without advice still says what to do next (here: a folder that cannot be
/// created), in JSON and in text.
#[test]
fn every_error_says_what_to_do_next() {
    let sandbox = Sandbox::new();
    let out = run(sandbox.cmd(&["schema", "--out-dir", "/proc/no-such-dir", "--json"]));
    assert_eq!(out.code, 1, "{}", out.stdout);
    let value = out.json();
    assert_valid("error", &value);
    let actions = value["actions"].as_array().unwrap();
    assert!(
        actions
            .iter()
            .any(|a| a.as_str().unwrap().contains("logik-refresh schema --help")),
        "{value:#}"
    );
    let text = run(sandbox.cmd(&["schema", "--out-dir", "/proc/no-such-dir"]));
    assert!(text.stderr.contains("\nTry this:\n"), "{}", text.stderr);
}
