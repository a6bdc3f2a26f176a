//! Issue 19's findings on the project config, `run` over many orgs and the per-org lock, each
//! test named after its finding.

use crate::common::*;
use serde_json::{Value, json};
use std::path::PathBuf;

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|n| n.to_string()).collect()
}

fn write_project(sandbox: &Sandbox, document: Value) -> PathBuf {
    let path = sandbox.work().join("sfdx-project.json");
    std::fs::write(&path, serde_json::to_string_pretty(&document).unwrap()).unwrap();
    path
}

fn project(section: Value) -> Value {
    json!({"packageDirectories": [{"path": "force-app", "default": true}],
           "plugins": {"logik-refresh": section}})
}

fn entry(url: &str) -> Value {
    json!({"runtimeUrl": url, "refreshTokenUser": "admin@acme.com", "runtimeClients": []})
}

/// Finding 7: JSON naming another sandbox (`--org-json qa.json` with `-o uat`) planned qa's
/// tenant for uat. The org's own name, from its username, wins: a disagreement is an error
/// that names both, and nothing is sent.
#[test]
fn a_json_sandbox_name_never_overrides_the_orgs_own() {
    let (emulators, sandbox) = sandboxes(&names(&["uat", "qa"]));
    write_project(
        &sandbox,
        project(json!({"sandboxes": {
            "uat": entry("https://acme-uat.test.logik.io"),
            "qa": entry("https://acme-qa.test.logik.io")}})),
    );
    let qa = run(sandbox.cmd(&["org", "inspect", "-o", "qa", "--json"]));
    assert_eq!(qa.code, 0, "{}\n{}", qa.stdout, qa.stderr);
    assert_eq!(qa.json()["result"]["sandboxName"], "qa");
    std::fs::write(sandbox.work().join("qa.json"), &qa.stdout).unwrap();
    let before = emulators[0].requests().len();

    let out = run(sandbox.cmd(&[
        "run",
        "-o",
        "uat",
        "--org-json",
        "qa.json",
        "--dry-run",
        "--json",
    ]));
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    let err = out.json();
    assert_valid("error", &err);
    assert_eq!(err["name"], "SandboxNameMismatchError", "{err:#}");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("admin@acme.com.uat says it is sandbox uat")
            && message.contains("sandboxName qa"),
        "{message}"
    );
    assert!(
        err["actions"].to_string().contains("sf org display -o"),
        "{err:#}"
    );
    assert_eq!(emulators[0].requests().len(), before, "nothing sent to uat");

    // The org's own JSON is fine.
    let uat = run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
    std::fs::write(sandbox.work().join("uat.json"), &uat.stdout).unwrap();
    let own = run(sandbox.cmd(&[
        "run",
        "-o",
        "uat",
        "--org-json",
        "uat.json",
        "--dry-run",
        "--json",
    ]));
    assert_eq!(own.code, 0, "{}\n{}", own.stdout, own.stderr);
    assert!(
        own.stdout.contains("https://acme-uat.test.logik.io")
            && !own.stdout.contains("https://acme-qa.test.logik.io"),
        "{}",
        own.stdout
    );
}

/// Finding 8: `run --all` started every org at once: hundreds of orgs ran out of open files
/// and held every snapshot together. A bounded pool (`--jobs`, by default twice the cores)
/// runs them all, under a file limit far below what one thread per org needs, and every org
/// gets its own result.
#[test]
fn run_all_runs_a_bounded_pool_and_every_org_gets_its_result() {
    const ORGS: usize = 1000;
    let all: Vec<String> = (1..=ORGS).map(|i| format!("s{i}")).collect();
    let (_emulators, sandbox) = sandboxes(&all);
    let section: serde_json::Map<String, Value> = all
        .iter()
        .map(|name| {
            (
                name.clone(),
                entry(&format!("https://acme-{name}.test.logik.io")),
            )
        })
        .collect();
    write_project(&sandbox, project(json!({ "sandboxes": section })));
    let mut cmd = sandbox.cmd(&["run", "--all", "--dry-run", "--json"]);
    // 256 open files: one org's run needs a handful; a thread per org needs thousands.
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setrlimit is async-signal-safe and touches only the child's limits.
        unsafe {
            cmd.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 256,
                    rlim_max: 256,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let out = run(cmd);
    let summary = out.json();
    let orgs = summary["result"]["orgs"].as_array().unwrap_or_else(|| {
        panic!("{summary:#}");
    });
    assert_eq!(orgs.len(), ORGS);
    let not_planned: Vec<&Value> = orgs.iter().filter(|o| o["outcome"] != "planned").collect();
    assert!(
        not_planned.is_empty(),
        "{} of {ORGS} orgs did not end planned, e.g. {:#}",
        not_planned.len(),
        not_planned[0]
    );
    let mut targets: Vec<&str> = orgs.iter().map(|o| o["target"].as_str().unwrap()).collect();
    targets.sort();
    targets.dedup();
    assert_eq!(targets.len(), ORGS, "each org once");
    assert_eq!(out.code, 0, "{}", out.stderr);

    let help = run(sandbox.cmd(&["run", "--help"]));
    assert!(
        help.stdout.contains("--jobs <N>") && help.stdout.contains("twice the CPU cores"),
        "{}",
        help.stdout
    );
}

/// Finding 9: the config check was quadratic (20,000 broken entries took 7 s, 100,000 over
/// 120 s, on every command). 100,000 broken entries are checked here: minutes if the check
/// were quadratic, a moment when linear. The error lists the first hundred problems and
/// counts the rest.
#[test]
fn the_project_config_check_is_linear_and_lists_only_the_first_hundred_problems() {
    const BROKEN: usize = 100_000;
    let sandbox = Sandbox::new();
    let section: serde_json::Map<String, Value> = (0..BROKEN)
        .map(|i| {
            (
                format!("s{i}"),
                json!({"runtimeUrl": "ftp://acme.test.logik.io"}),
            )
        })
        .collect();
    write_project(&sandbox, project(json!({ "sandboxes": section })));
    let out = run(sandbox.cmd(&["config", "validate", "--json"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    let err = out.json();
    assert_valid("error", &err);
    assert_eq!(err["name"], "InvalidConfigError");
    assert_eq!(err["data"]["errors"].as_array().unwrap().len(), 100);
    assert_eq!(err["data"]["more"], BROKEN - 100);
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("100000 problems"), "{message}");
    assert!(
        message.contains(&format!("… and {} more", BROKEN - 20)),
        "{message}"
    );
}

/// Finding 12: `config init` rewrote a read-only project file and replaced a symbolic link to
/// it with a plain file. It checks and writes the file as `--output` does.
#[test]
fn config_init_refuses_a_read_only_project_file_and_writes_through_a_symlink() {
    let (emulators, sandbox) = sandboxes(&names(&["uat"]));
    let real = sandbox.dir.path().join("shared-project.json");
    std::fs::write(
        &real,
        serde_json::to_string_pretty(&project(json!({"sandboxes": {}}))).unwrap(),
    )
    .unwrap();
    let link = sandbox.work().join("sfdx-project.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();

    set_mode(&real, 0o444);
    let before = std::fs::read_to_string(&real).unwrap();
    let refused = run(sandbox.cmd(&["config", "init", "-o", "uat", "--json"]));
    assert_eq!(refused.code, 2, "{}\n{}", refused.stdout, refused.stderr);
    let err = refused.json();
    assert_valid("error", &err);
    assert!(
        err["message"].as_str().unwrap().contains("read-only"),
        "{err:#}"
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), before);
    assert!(
        emulators[0].requests().is_empty(),
        "refused before any work"
    );

    set_mode(&real, 0o640);
    let init = run(sandbox.cmd(&["config", "init", "-o", "uat", "--json"]));
    assert_eq!(init.code, 0, "{}\n{}", init.stdout, init.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert!(
        written["plugins"]["logik-refresh"]["sandboxes"]["uat"].is_object(),
        "{written:#}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "the file keeps its mode");
}

/// Finding 14: `uat` and `UAT` were both accepted (one silently won); sandbox names compare as
/// Salesforce's do, without case, and a duplicate is an error at the second name.
#[test]
fn config_sandbox_names_differing_only_in_case_are_an_error() {
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.work().join("sfdx-project.json"),
        r#"{"plugins": {"logik-refresh": {"sandboxes": {
            "uat": {"runtimeUrl": "https://acme-uat.test.logik.io"},
            "UAT": {"runtimeUrl": "https://acme-qa.test.logik.io"}}}}}"#,
    )
    .unwrap();
    let out = run(sandbox.cmd(&["config", "validate", "--json"]));
    assert_eq!(out.code, 2, "{}", out.stdout);
    let err = out.json();
    let errors = err["data"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{err:#}");
    assert_eq!(
        errors[0]["path"],
        "$.plugins['logik-refresh'].sandboxes.UAT"
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("the same sandbox as \"uat\""),
        "{err:#}"
    );
}

/// Finding 14: `{"plugins": "x"}` was taken for a project without the section; a config of
/// the wrong shape is an error.
#[test]
fn a_project_file_of_the_wrong_shape_is_an_error_not_no_config() {
    let sandbox = Sandbox::new();
    for document in [r#"{"plugins": "x"}"#, r#"["plugins"]"#] {
        std::fs::write(sandbox.work().join("sfdx-project.json"), document).unwrap();
        let out = run(sandbox.cmd(&["config", "validate", "--json"]));
        assert_eq!(out.code, 2, "{document}: {}", out.stdout);
        let err = out.json();
        assert_eq!(err["name"], "InvalidConfigError", "{document}: {err:#}");
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .contains("is not a JSON object"),
            "{err:#}"
        );
    }
}

/// Finding 14: config errors advised `case build`; they say how to fix the config. Snapshot
/// read errors were named `ConfigFileError`; they have their own name.
#[test]
fn config_errors_say_how_to_fix_the_config_and_snapshot_errors_have_their_own_name() {
    let (_emulators, sandbox) = sandboxes(&names(&["uat"]));
    let path = sandbox.work().join("sfdx-project.json");
    for document in [
        r#"{"plugins": {"logik-refresh": {"sandboxes": {"uat": {"colour": 1}}}}}"#,
        "{not json",
        "",
    ] {
        std::fs::write(&path, document).unwrap();
        let out = run(sandbox.cmd(&["config", "validate", "--json"]));
        assert_eq!(out.code, 2, "{document}: {}", out.stdout);
        let err = out.json();
        let actions = err["actions"].to_string();
        assert!(!actions.contains("case build"), "{document}: {err:#}");
    }
    std::fs::write(&path, "{}").unwrap();
    let folder = sandbox.work().join("a-folder");
    std::fs::create_dir_all(&folder).unwrap();
    let out = run(sandbox.cmd(&[
        "snapshot",
        "diff",
        "-o",
        "uat",
        "--snapshot",
        folder.to_str().unwrap(),
        "--json",
    ]));
    let err = out.json();
    assert_eq!(err["name"], "SnapshotReadError", "{err:#}");
}

/// Finding 15: control characters in a config's `targetOrg` reached the `run --all` text
/// summary raw: a newline forged a line for another org, an ESC drove the terminal.
#[test]
fn run_all_text_summary_escapes_control_characters_in_target_org() {
    let sandbox = Sandbox::new();
    write_project(
        &sandbox,
        project(json!({"sandboxes": {
            "uat": {"targetOrg": "uat\nqa: done\u{1b}[2J", "runtimeUrl": "https://acme-uat.test.logik.io"}}})),
    );
    let out = run(sandbox.cmd(&["run", "--all"]));
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.starts_with("uat\\nqa: done\\x1b[2J: failed\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains('\u{1b}'), "{}", out.stdout);
    assert!(
        !out.stdout.lines().any(|l| l.starts_with("qa: ")),
        "{}",
        out.stdout
    );
}

/// Finding 17: the lock message named the process in the lock file even when that process
/// had ended and another held the lock. It names the holder the operating system knows and
/// says the named one is stale.
#[test]
fn lock_messages_never_name_a_stale_holder() {
    let (emulators, sandbox) = sandboxes(&names(&["uat"]));
    let org_id = emulators[0].with_state(|s| s.org_id.clone());
    let locks = sandbox.state().join("locks");
    std::fs::create_dir_all(&locks).unwrap();
    set_mode(&sandbox.state(), 0o700);
    set_mode(&locks, 0o700);
    let mut ended = std::process::Command::new("true").spawn().unwrap();
    let stale = ended.id();
    ended.wait().unwrap();
    let path = locks.join(format!("{org_id}.lock"));
    std::fs::write(
        &path,
        json!({"pid": stale, "command": "logik-refresh run", "since": "2026-01-01T00:00:00Z"})
            .to_string(),
    )
    .unwrap();
    set_mode(&path, 0o600);
    // This test's process holds the lock without writing its name.
    let held = std::fs::OpenOptions::new().read(true).open(&path).unwrap();
    held.lock().unwrap();

    let out = run(sandbox.cmd(&[
        "step",
        "tenant-urls",
        "-o",
        "uat",
        "--runtime-url",
        "https://acme-uat.test.logik.io",
        "--json",
    ]));
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let err = out.json();
    assert_eq!(err["name"], "OrgLockedError");
    let message = err["message"].as_str().unwrap();
    assert!(
        !message.contains(&format!("being changed by process {stale}")),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "process {} (the lock file still names process {stale}, which has ended)",
            std::process::id()
        )),
        "{message}"
    );
    assert_eq!(err["data"]["pid"], std::process::id());
    assert_eq!(err["data"]["stalePid"], stale);
    drop(held);
}

/// Finding 17: `-o s20 -o admin@acme.com.s20` were two orgs to `run`: the same org ran twice at
/// once, one run refused by the other's lock. An org is known by what it resolves to, not by
/// the name typed: it runs once, with a warning.
#[test]
fn an_org_named_by_alias_and_by_username_runs_once() {
    let (_emulators, sandbox) = sandboxes(&names(&["s20", "qa"]));
    let out = run(sandbox.cmd(&[
        "run",
        "-o",
        "s20",
        "-o",
        "admin@acme.com.s20",
        "-o",
        "qa",
        "--runtime-url",
        "https://acme-s20.test.logik.io",
        "--dry-run",
        "--json",
    ]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let summary = out.json();
    assert_valid("run-many", &summary);
    let targets: Vec<&str> = summary["result"]["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["s20", "qa"], "{summary:#}");
    assert!(
        summary["warnings"]
            .to_string()
            .contains("admin@acme.com.s20 is the same org as s20"),
        "{summary:#}"
    );
}
