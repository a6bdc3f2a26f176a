//! One writer per org and a journal that never loses or invents an entry (issue 11, findings 4,
//! 5 and 6); each test is named after its finding.

use crate::common::*;
use logik_org_emulator::{Emulator, Fault, FaultKind, SEED_ORG_ID};
use serde_json::Value;
use std::process::Stdio;
use std::time::Duration;

const OLD: &str = "https://acme.test.logik.io";
const FIRST: &str = "https://acme-uat.test.logik.io";
const SECOND: &str = "https://acme-uat2.test.logik.io";

fn tenant_urls(sandbox: &Sandbox, url: &str, extra: &[&str]) -> std::process::Command {
    let mut args = vec![
        "step",
        "tenant-urls",
        "-o",
        "uat",
        "--runtime-url",
        url,
        "--json",
    ];
    args.extend_from_slice(extra);
    sandbox.cmd(&args)
}

fn journal_path(sandbox: &Sandbox) -> std::path::PathBuf {
    sandbox
        .state()
        .join("journal")
        .join(format!("{SEED_ORG_ID}.jsonl"))
}

fn runtime_url(emulator: &Emulator) -> Value {
    org_default(emulator)["LGK__RuntimeUrl__c"].clone()
}

/// A write to the CPQ Tenant row that the emulator holds for `ms` before doing it.
fn slow_write(ms: u64) -> Fault {
    Fault {
        method: Some("PATCH".into()),
        path_contains: Some("LGK__ConfigurationTenant__c".into()),
        times: 1,
        kind: FaultKind::Latency { ms },
    }
}

fn spawn(cmd: &mut std::process::Command) -> std::process::Child {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the org's lock file names this process as its holder.
fn wait_until_holding(sandbox: &Sandbox, pid: u32) {
    let lock = sandbox
        .state()
        .join("locks")
        .join(format!("{SEED_ORG_ID}.lock"));
    let holds = format!("\"pid\":{pid}");
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&lock).is_ok_and(|t| t.contains(&holds)) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "process {pid} never took the lock"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn two_runs_at_once_write_twice() {
    // What one run alone writes, on an org of its own.
    let alone = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", alone.base_url()));
    assert_eq!(run(tenant_urls(&sandbox, FIRST, &[])).code, 0);
    let one_run = writes(&alone);
    assert!(one_run > 0);

    // A second run while the first is in the middle of its write (held 3 s by the org): it
    // stops at once, naming the first, and writes nothing.
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    emulator.inject(slow_write(3000));
    let first = spawn(&mut tenant_urls(&sandbox, FIRST, &[]));
    let first_pid = first.id();
    wait_until_holding(&sandbox, first_pid);
    let second = run(tenant_urls(&sandbox, FIRST, &[]));
    let first = Run::from(first.wait_with_output().unwrap());
    assert_eq!(first.code, 0, "{first:#?}");
    assert_eq!(first.json()["result"]["outcome"], "changed");
    assert_eq!(second.code, 1, "{second:#?}");
    let refused = second.json();
    assert_valid("error", &refused);
    assert_eq!(refused["name"], "OrgLockedError", "{refused:#}");
    assert_eq!(refused["data"]["pid"], first_pid, "{refused:#}");
    assert_eq!(refused["data"]["command"], "logik-refresh step tenant-urls");
    assert!(refused["data"]["since"].as_str().unwrap().starts_with("20"));
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("process {first_pid}")),
        "{message}"
    );
    assert!(
        refused["actions"].to_string().contains("--wait-lock"),
        "{refused:#}"
    );
    assert_eq!(writes(&emulator), one_run, "the org was written once");
    let started = sandbox
        .journal()
        .iter()
        .filter(|e| e["event"] == "apply-started")
        .count();
    assert_eq!(started, 1, "one run's entries in the journal");

    // With --wait-lock the second waits its turn, reads the org again, finds the work done
    // and writes nothing.
    emulator.clear_log();
    emulator.inject(slow_write(2000));
    let first = spawn(&mut tenant_urls(&sandbox, SECOND, &[]));
    wait_until_holding(&sandbox, first.id());
    let second = run(tenant_urls(&sandbox, SECOND, &["--wait-lock", "120"]));
    let first = Run::from(first.wait_with_output().unwrap());
    assert_eq!(first.code, 0, "{first:#?}");
    assert_eq!(first.json()["result"]["outcome"], "changed");
    assert_eq!(second.code, 0, "{second:#?}");
    assert_eq!(second.json()["result"]["outcome"], "unchanged");
    assert_eq!(
        writes(&emulator),
        one_run,
        "written once more, by the first"
    );
    assert_eq!(runtime_url(&emulator), SECOND);

    // The same for two whole `run`s: the second stops before any write of its own.
    emulator.clear_log();
    emulator.inject(slow_write(3000));
    let run_args = ["run", "-o", "uat", "--runtime-url", FIRST, "--json"];
    let first = spawn(&mut sandbox.cmd(&run_args));
    let first_pid = first.id();
    wait_until_holding(&sandbox, first_pid);
    let writes_before = writes(&emulator);
    let second = run(sandbox.cmd(&run_args));
    assert_eq!(second.code, 1, "{second:#?}");
    assert_eq!(second.json()["name"], "OrgLockedError");
    assert_eq!(second.json()["data"]["pid"], first_pid);
    assert_eq!(
        writes(&emulator),
        writes_before,
        "the second run wrote nothing"
    );
    let first = Run::from(first.wait_with_output().unwrap());
    assert!(matches!(first.code, 0 | 68), "{first:#?}");
    assert_eq!(runtime_url(&emulator), FIRST);
}

#[test]
fn a_torn_last_journal_line_eats_the_next_entry() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    assert_eq!(run(tenant_urls(&sandbox, FIRST, &[])).code, 0);

    // A kill in the middle of an append leaves half an entry, without its newline.
    let path = journal_path(&sandbox);
    let whole = std::fs::read_to_string(&path).unwrap();
    let torn = r#"{"time":"2026-12-01T04:00:00Z","step":"tenant-urls","event":"apply-sta"#;
    std::fs::write(&path, format!("{whole}{torn}")).unwrap();

    let next = run(tenant_urls(&sandbox, SECOND, &[]));
    assert_eq!(next.code, 0, "{}\n{}", next.stdout, next.stderr);
    let out = next.json();
    assert_eq!(out["result"]["outcome"], "changed");
    let warning = out["warnings"].to_string();
    assert!(
        warning.contains("torn entry"),
        "the torn tail is reported: {out:#}"
    );
    // Set aside, in a side file, never glued to the next entry.
    let side: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".torn-"))
        .collect();
    assert_eq!(side.len(), 1, "{side:?}");
    assert_eq!(std::fs::read_to_string(&side[0]).unwrap(), torn);
    assert!(
        warning.contains(&side[0].display().to_string()),
        "{warning}"
    );
    let journal = sandbox.journal(); // every line is a whole entry
    let last_started = journal
        .iter()
        .rev()
        .find(|e| e["event"] == "apply-started")
        .unwrap();
    assert_eq!(last_started["changes"][0]["after"], SECOND);

    // So rollback undoes the newest change, not an older one.
    let back = run(sandbox.cmd(&["rollback", "--step", "tenant-urls", "-o", "uat", "--json"]));
    assert_eq!(back.code, 0, "{}\n{}", back.stdout, back.stderr);
    assert_eq!(back.json()["result"]["outcome"], "changed");
    assert_eq!(runtime_url(&emulator), FIRST);
}

#[test]
fn damaged_journal_lines_are_skipped_silently() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    assert_eq!(run(tenant_urls(&sandbox, FIRST, &[])).code, 0);
    assert_eq!(run(tenant_urls(&sandbox, SECOND, &[])).code, 0);

    // Damage the newest apply-started line (the one rollback would restore from).
    let path = journal_path(&sandbox);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let index = lines
        .iter()
        .rposition(|l| l.contains("\"apply-started\""))
        .unwrap();
    lines[index] = lines[index].replacen("\"changes\":[", "\"changes\":[#", 1);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();

    emulator.clear_log();
    let back = run(sandbox.cmd(&["rollback", "--step", "tenant-urls", "-o", "uat", "--json"]));
    assert_eq!(back.code, 1, "{}\n{}", back.stdout, back.stderr);
    let out = back.json();
    assert_valid("error", &out);
    assert_eq!(out["name"], "JournalDamagedError", "{out:#}");
    let line = index + 1;
    assert_eq!(out["data"]["line"], line);
    let message = out["message"].as_str().unwrap();
    assert!(message.contains(&format!("Line {line}")), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(out["actions"].to_string().contains("sed"), "{out:#}");
    assert_eq!(writes(&emulator), 0, "nothing was changed");
    assert_eq!(runtime_url(&emulator), SECOND);
    // Steps refuse the same way: no step runs on a journal that cannot be trusted.
    let again = run(tenant_urls(&sandbox, OLD, &[]));
    assert_eq!(again.code, 1);
    assert_eq!(again.json()["name"], "JournalDamagedError");
    assert_eq!(writes(&emulator), 0);
    // Repaired as the error says, the journal works again.
    lines.remove(index);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let back = run(sandbox.cmd(&["rollback", "--step", "tenant-urls", "-o", "uat", "--json"]));
    assert_eq!(back.code, 0, "{}\n{}", back.stdout, back.stderr);
}
