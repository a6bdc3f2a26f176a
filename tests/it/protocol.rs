//! The sf-style protocol as a user sees it: envelopes, exit codes, bad input, closed pipes.

use crate::common::*;
use serde_json::Value;

fn inspect(sandbox: &Sandbox, stdin: &str) -> Run {
    run_with_stdin(sandbox.cmd(&["org", "inspect", "--json"]), stdin)
}

fn assert_error(run: &Run, name: &str, exit: i32) -> Value {
    assert_eq!(
        run.code, exit,
        "exit code; stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    let envelope = run.json();
    assert_eq!(envelope["name"], name, "{envelope:#}");
    assert_eq!(envelope["status"], exit);
    assert_eq!(envelope["exitCode"], exit);
    assert_eq!(envelope["context"], "org inspect");
    assert!(!envelope["message"].as_str().unwrap().is_empty());
    assert!(
        envelope["actions"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "every error says what to do next: {envelope:#}"
    );
    assert_valid("error", &envelope);
    envelope
}

#[test]
fn empty_stdin_is_a_usage_error() {
    let sandbox = Sandbox::new();
    assert_error(&inspect(&sandbox, ""), "EmptyInputError", 2);
}

#[test]
fn stdin_that_is_not_json() {
    let sandbox = Sandbox::new();
    assert_error(
        &inspect(&sandbox, "Username: admin@acme.com.uat\n"),
        "InvalidJsonError",
        2,
    );
}

#[test]
fn json_of_an_unknown_shape() {
    let sandbox = Sandbox::new();
    assert_error(
        &inspect(&sandbox, r#"{"status":0,"result":{"files":[]}}"#),
        "UnknownInputShapeError",
        2,
    );
}

#[test]
fn an_sf_error_envelope_keeps_sf_exit_code_and_actions() {
    let sandbox = Sandbox::new();
    let run = inspect(&sandbox, &fixture("error-nosuch.json"));
    let envelope = assert_error(&run, "NamedOrgNotFoundError", 2);
    assert!(
        envelope["message"]
            .as_str()
            .unwrap()
            .contains("No authorization information found for nosuch")
    );
    assert_eq!(
        envelope["actions"][0],
        "It looks like you mistyped the username or alias. Did you mean \"uat\"?"
    );
}

#[test]
fn an_org_id_with_a_bad_checksum() {
    let sandbox = Sandbox::new();
    let display = fixture("v1-display.json").replace("00D5e000000AbCdEAK", "00D5e000000AbCdAAA");
    let envelope = assert_error(&inspect(&sandbox, &display), "InvalidOrgIdError", 2);
    assert!(
        envelope["message"].as_str().unwrap().contains("checksum"),
        "{envelope:#}"
    );
    let display = fixture("v1-display.json").replace("00D5e000000AbCdEAK", "00D5e000000AbC");
    assert_error(&inspect(&sandbox, &display), "InvalidOrgIdError", 2);
}

#[test]
fn a_plain_http_instance_that_is_not_loopback() {
    let sandbox = Sandbox::new();
    let display = fixture("v1-display-show-secrets.json")
        .replace("http://127.0.0.1:8765/", "http://acme.my.salesforce.com/");
    assert_error(&inspect(&sandbox, &display), "InsecureInstanceUrlError", 2);
}

#[test]
fn a_redacted_token_with_no_usable_auth_store() {
    let sandbox = Sandbox::new();
    let envelope = assert_error(
        &inspect(&sandbox, &fixture("v1-display.json")),
        "NoAccessTokenError",
        1,
    );
    let message = envelope["message"].as_str().unwrap();
    assert!(message.contains("redacted"), "{message}");
}

#[test]
fn an_unknown_alias() {
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", "http://127.0.0.1:9/");
    let run = run(sandbox.cmd(&["org", "inspect", "-o", "nosuch", "--json"]));
    assert_error(&run, "NamedOrgNotFoundError", 2);
}

#[test]
fn a_key_file_that_others_can_read_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", "http://127.0.0.1:9/");
    let key = sandbox.home().join(".sfdx/key.json");
    set_mode(&key, 0o644);
    let run = run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
    assert_ne!(run.code, 0);
    let envelope = run.json();
    assert!(
        envelope["message"].as_str().unwrap().contains("key.json"),
        "{envelope:#}"
    );
    assert!(
        envelope["actions"].to_string().contains("chmod 600"),
        "{envelope:#}"
    );
}

#[test]
fn a_wrong_key_names_the_file_and_suggests_logging_in_again() {
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", "http://127.0.0.1:9/");
    // The v2 key cannot decrypt a v1 auth file.
    let key = sandbox.home().join(".sfdx/key.json");
    std::fs::write(&key, fixture("v2-key.json")).unwrap();
    set_mode(&key, 0o600);
    let run = run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
    assert_eq!(run.code, 1, "{}", run.stdout);
    let envelope = run.json();
    assert_eq!(envelope["name"], "AuthDecryptError");
    assert!(
        envelope["message"]
            .as_str()
            .unwrap()
            .contains("admin@acme.com.uat.json"),
        "{envelope:#}"
    );
    assert!(
        envelope["actions"].to_string().contains("sf org login"),
        "{envelope:#}"
    );
}

#[test]
fn text_mode_errors_go_to_stderr() {
    let sandbox = Sandbox::new();
    let run = run_with_stdin(sandbox.cmd(&["org", "inspect"]), "not json");
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("InvalidJsonError"), "{}", run.stderr);
    assert!(
        run.stderr.contains("sf org display --json"),
        "{}",
        run.stderr
    );
}

#[test]
fn sf_content_type_json_selects_json() {
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cmd(&["org", "inspect", "--offline"]);
    cmd.env("SF_CONTENT_TYPE", "JSON");
    let run = run_with_stdin(cmd, &fixture("v1-display.json"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["status"], 0);
}

#[test]
fn usage_errors_exit_2_with_the_envelope() {
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&["org", "inspect", "--no-such-flag", "--json"]));
    assert_eq!(run.code, 2);
    let envelope = run.json();
    assert_eq!(envelope["name"], "UsageError");
    assert_eq!(envelope["exitCode"], 2);
}

#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cmd(&["schema"]);
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_missing_org_names_the_command_that_was_run() {
    let sandbox = Sandbox::new();
    let inspect = inspect(&sandbox, "");
    let actions = inspect.json()["actions"].clone();
    assert_eq!(
        actions[0],
        "sf org display --json -o <alias> | logik-refresh org inspect"
    );
    let out = run_with_stdin(
        sandbox.cmd(&[
            "run",
            "--runtime-url",
            "https://acme-uat.test.logik.io",
            "--json",
        ]),
        "",
    );
    let envelope = out.json();
    assert_eq!(envelope["context"], "run", "{envelope:#}");
    let actions: Vec<&str> = envelope["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"sf org display --json -o <alias> | logik-refresh run"),
        "{envelope:#}"
    );
    assert!(
        actions.iter().all(|a| !a.contains("org inspect")),
        "{envelope:#}"
    );
}

/// Started with stdout closed (`>&-`), the tool's own output must not land in a file it
/// opens, which would otherwise take fd 1: here the `--trace` file, open while the run prints,
/// stays JSON lines.
#[cfg(unix)]
#[test]
fn a_closed_stdout_never_becomes_a_file_the_tool_writes() {
    use std::os::unix::process::CommandExt;
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let trace = sandbox.work().join("bug-report.jsonl");
    let mut cmd = sandbox.cmd(&[
        "run",
        "-o",
        "uat",
        "--runtime-url",
        "https://acme-uat.test.logik.io",
        "--jsonl",
    ]);
    cmd.arg("--trace").arg(&trace);
    cmd.stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    // SAFETY: close(2) only, between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::close(1);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 68)),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&trace).unwrap();
    assert!(text.lines().count() > 2, "the run was traced:\n{text}");
    for line in text.lines() {
        let entry: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("a trace line that is not JSON ({e}): {line}"));
        assert!(
            entry.get("event").is_none(),
            "run's output in the trace: {line}"
        );
    }
}
