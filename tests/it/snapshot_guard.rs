//! Snapshots and names from outside, held against hostile input (issue 19): a name never
//! escapes the state folder, a snapshot after the refresh never replaces the one from before,
//! a snapshot's values pass the checks a `--runtime-url` passes, a changed file is refused,
//! two rows for one owner block nothing, and the CI path (a token in the environment) finds
//! the config and the snapshot as `-o` does.

use crate::common::*;
use crate::sandboxes::{BOB_TENANT, TENANT, prepare_sandbox, setup, tenant_rows};
use logik_org_emulator::{Emulator, SEED_ACCESS_TOKEN, SEED_ORG_ID};
use serde_json::{Value, json};
use std::path::Path;

/// The sandbox as its admin left it (see [`prepare_sandbox`]), then its snapshot; returns the
/// snapshot file.
fn prepare_and_snapshot(emulator: &Emulator, sandbox: &Sandbox) -> std::path::PathBuf {
    prepare_sandbox(emulator, sandbox);
    let taken = run(sandbox.cmd(&["snapshot", "-o", "uat", "--json"]));
    assert_eq!(taken.code, 0, "{}\n{}", taken.stdout, taken.stderr);
    let file = snapshot_path(sandbox, SEED_ORG_ID);
    assert_eq!(taken.json()["result"]["file"], file.display().to_string());
    file
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Finding 3: `"sandboxName": "../../../victim/package"` in piped JSON made `snapshot` replace a
/// read-only file outside the state folder. The name is refused (Salesforce allows letters and
/// digits, 10 at most) and nothing is written anywhere.
#[test]
fn a_piped_sandbox_name_never_escapes_the_state_folder() {
    let (_emulator, sandbox) = setup();
    let inspect = run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
    assert_eq!(inspect.code, 0, "{}", inspect.stderr);
    let mut piped = inspect.json();
    piped["result"]["sandboxName"] = json!("../../../victim/package");
    // Where the name would have led: three folders up from <state>/snapshots.
    let victim_dir = sandbox.dir.path().parent().unwrap().join("victim");
    let victim = victim_dir.join("package.json");
    let owned = !victim_dir.exists();
    if owned {
        std::fs::create_dir_all(&victim_dir).unwrap();
        std::fs::write(&victim, "{\"keep\": true}\n").unwrap();
        set_mode(&victim, 0o444);
    }
    let before = std::fs::read(&victim).ok();
    let out = run_with_stdin(
        sandbox.cmd(&["snapshot", "--json"]),
        &serde_json::to_string(&piped).unwrap(),
    );
    let after = std::fs::read(&victim).ok();
    if owned {
        std::fs::remove_dir_all(&victim_dir).unwrap();
    }
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert_valid("error", &out.json());
    assert_eq!(
        before, after,
        "the file outside the state folder is untouched"
    );
    assert!(
        !sandbox.state().join("snapshots").exists()
            || std::fs::read_dir(sandbox.state().join("snapshots"))
                .unwrap()
                .next()
                .is_none(),
        "no snapshot was written"
    );
}

/// Finding 4: `snapshot -o uat` on the refreshed org silently replaced the pre-refresh snapshot
/// that `run` needs. Snapshots are kept per org ID, `snapshot list` shows both, and `run`
/// restores from the one taken before the refresh.
#[test]
fn a_snapshot_after_the_refresh_keeps_the_one_from_before() {
    let (emulator, sandbox) = setup();
    let before = prepare_and_snapshot(&emulator, &sandbox);
    let rows_before = tenant_rows(&emulator);
    let new_org = emulator.refresh("uat");
    let taken = run(sandbox.cmd(&["snapshot", "-o", "uat", "--json"]));
    assert_eq!(taken.code, 0, "{}\n{}", taken.stdout, taken.stderr);
    let after = snapshot_path(&sandbox, &new_org);
    assert_eq!(taken.json()["result"]["file"], after.display().to_string());
    assert_eq!(read_json(&before)["org"]["orgId"], SEED_ORG_ID);
    assert_eq!(read_json(&after)["org"]["orgId"], new_org);

    // --output never replaces a snapshot of another org either.
    let kept = std::fs::read(&before).unwrap();
    let refused = run(sandbox.cmd(&[
        "snapshot",
        "-o",
        "uat",
        "--output",
        before.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert_eq!(refused.json()["name"], "SnapshotOverwriteError");
    assert_eq!(std::fs::read(&before).unwrap(), kept);

    let list = run(sandbox.cmd(&["snapshot", "list", "--json"]));
    assert_eq!(list.code, 0, "{}\n{}", list.stdout, list.stderr);
    let list = list.json();
    assert_valid("snapshot-list", &list);
    let listed: Vec<(&str, &str, &str)> = list["result"]["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["sandboxName"].as_str().unwrap(),
                s["orgId"].as_str().unwrap(),
                s["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [("uat", SEED_ORG_ID, "ok"), ("uat", new_org.as_str(), "ok")]
    );
    let text = run(sandbox.cmd(&["snapshot", "list", "--sandbox", "uat"]));
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("2 snapshot(s)"), "{}", text.stdout);
    assert!(text.stdout.contains(SEED_ORG_ID), "{}", text.stdout);

    let fixed = run(sandbox.cmd(&["run", "-o", "uat", "--json"]));
    assert_eq!(fixed.code, 68, "{}\n{}", fixed.stdout, fixed.stderr);
    assert_eq!(
        fixed.json()["result"]["snapshot"]["file"],
        before.display().to_string()
    );
    assert_eq!(tenant_rows(&emulator), rows_before, "every row as before");
}

/// Snapshots of the older layout (`<state>/snapshots/<sandbox>.json`, version 1, no checksum)
/// are still found and used, with a warning that changes to them cannot be detected.
#[test]
fn an_older_snapshot_file_is_still_read() {
    let (emulator, sandbox) = setup();
    let file = prepare_and_snapshot(&emulator, &sandbox);
    let mut old = read_json(&file);
    old["schemaVersion"] = json!(1);
    old.as_object_mut().unwrap().remove("checksum");
    let legacy = sandbox.state().join("snapshots/uat.json");
    std::fs::write(&legacy, serde_json::to_string_pretty(&old).unwrap()).unwrap();
    set_mode(&legacy, 0o600);
    std::fs::remove_file(&file).unwrap();
    emulator.refresh("uat");
    let fixed = run(sandbox.cmd(&["run", "-o", "uat", "--json"]));
    assert_eq!(fixed.code, 68, "{}\n{}", fixed.stdout, fixed.stderr);
    let out = fixed.json();
    assert_eq!(
        out["result"]["snapshot"]["file"],
        legacy.display().to_string()
    );
    assert!(
        out["warnings"].to_string().contains("has no checksum"),
        "{}",
        out["warnings"]
    );
    assert_eq!(org_default(&emulator)["LGK__RuntimeUrl__c"], TENANT);
}

/// Finding 5: rows added to a snapshot file (a `javascript:` URL, a foreign host, a row for a
/// profile never snapshotted, an ESC in a URL) were all written by `run`. A changed file is
/// refused; accepted on purpose, its values still pass the checks of `--runtime-url`.
#[test]
fn restored_values_are_checked_like_runtime_url() {
    let (emulator, sandbox) = setup();
    let file = prepare_and_snapshot(&emulator, &sandbox);
    let original = read_json(&file);
    emulator.refresh("uat");
    let run_with = |edit: &dyn Fn(&mut Value), extra: &[&str]| {
        let mut changed = original.clone();
        edit(&mut changed);
        std::fs::write(&file, serde_json::to_string_pretty(&changed).unwrap()).unwrap();
        let mut args = vec!["run", "-o", "uat", "--no-runtime-clients", "--json"];
        args.extend_from_slice(extra);
        emulator.clear_log();
        let out = run(sandbox.cmd(&args));
        assert_eq!(writes(&emulator), 0, "nothing written: {}", out.stdout);
        out
    };
    let add_row = |url: &'static str, level: &'static str, owner: &'static str| {
        move |s: &mut Value| {
            s["tenantSetting"].as_array_mut().unwrap().push(json!({
                "level": level, "owner": owner, "runtimeUrl": url, "adminUrl": url
            }));
        }
    };
    // A row for a profile never snapshotted, with a valid tenant: the file was changed.
    let out = run_with(
        &add_row(
            "https://other.test.logik.io",
            "profile",
            "Custom: Marketing Profile",
        ),
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
    let err = out.json();
    assert_valid("error", &err);
    assert_eq!(err["name"], "EditedSnapshotError");
    assert!(
        err["actions"]
            .to_string()
            .contains("--accept-edited-snapshot")
    );
    // Accepted on purpose, each value is still checked as --runtime-url is.
    for (url, why) in [
        ("javascript:alert(1)", "must use https"),
        ("https://evil.example.com", "is not a CPQ tenant host"),
        ("https://acme.test.logik.io/\u{1b}[2J", "without a path"),
    ] {
        let edit = move |s: &mut Value| {
            s["tenantSetting"].as_array_mut().unwrap().push(json!({
                "level": "user", "owner": "bob@acme.com.uat", "runtimeUrl": url, "adminUrl": null
            }));
        };
        let out = run_with(&edit, &["--accept-edited-snapshot"]);
        assert_eq!(out.code, 2, "{url}: {}", out.stdout);
        let err = out.json();
        assert_eq!(err["name"], "InvalidTenantUrlError", "{url}");
        assert!(err["message"].as_str().unwrap().contains(why), "{err:#}");
        assert!(!out.stdout.contains('\u{1b}'), "{:?}", out.stdout);
    }
    // A file named with --snapshot is refused before any request.
    let mut changed = original.clone();
    add_row("javascript:alert(1)", "user", "bob@acme.com.uat")(&mut changed);
    let named = sandbox.work().join("named.json");
    write_sealed_snapshot(&named, &changed);
    emulator.clear_log();
    let out = run(sandbox.cmd(&[
        "run",
        "-o",
        "uat",
        "--snapshot",
        named.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert_eq!(out.json()["name"], "InvalidTenantUrlError");
    assert!(emulator.requests().is_empty(), "nothing was sent");
    // A foreign host passes with --allow-other-host, exactly as for --runtime-url.
    let foreign = add_row(
        "https://cpq.acme-internal.example",
        "user",
        "bob@acme.com.uat",
    );
    let mut changed = original.clone();
    foreign(&mut changed);
    std::fs::write(&file, serde_json::to_string_pretty(&changed).unwrap()).unwrap();
    let out = run(sandbox.cmd(&[
        "run",
        "-o",
        "uat",
        "--no-runtime-clients",
        "--accept-edited-snapshot",
        "--allow-other-host",
        "--json",
    ]));
    assert_eq!(out.code, 68, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.json()["warnings"]
            .to_string()
            .contains("was changed since it was taken"),
        "{}",
        out.stdout
    );
}

/// Finding 6: two user rows differing only in case produced two creates, `DUPLICATE_VALUE`,
/// and all-or-none then skipped even the org default. The owner is found once, the duplicate
/// reported once, and the rest restored.
#[test]
fn two_rows_for_one_owner_do_not_block_the_run() {
    let (emulator, sandbox) = setup();
    let file = prepare_and_snapshot(&emulator, &sandbox);
    let mut snapshot = read_json(&file);
    let rows = snapshot["tenantSetting"].as_array_mut().unwrap();
    let mut twin = rows
        .iter()
        .find(|r| r["owner"] == "bob@acme.com.uat")
        .unwrap()
        .clone();
    twin["owner"] = json!("BOB@Acme.com.UAT");
    twin["runtimeUrl"] = json!("https://acme-bob2.test.logik.io");
    rows.push(twin);
    // As `snapshot` would have written it: the duplicate is not an edit being caught here.
    write_sealed_snapshot(&file, &snapshot);
    emulator.refresh("uat");
    let out = run(sandbox.cmd(&["run", "-o", "uat", "--no-runtime-clients", "--json"]));
    assert_eq!(out.code, 68, "{}\n{}", out.stdout, out.stderr);
    let summary = out.json();
    assert_valid("run", &summary);
    let rows = tenant_rows(&emulator);
    assert!(
        rows.contains(&("org".to_string(), TENANT.to_string())),
        "{rows:?}"
    );
    let bob: Vec<&(String, String)> = rows.iter().filter(|(o, _)| o.starts_with("bob@")).collect();
    assert_eq!(
        bob,
        [&("bob@acme.com.uat".to_string(), BOB_TENANT.to_string())]
    );
    let tenant = summary["result"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "tenant-urls")
        .unwrap()
        .clone();
    let notes: Vec<&str> = tenant["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["detail"].as_str())
        .filter(|d| d.contains("the same owner as"))
        .collect();
    assert_eq!(notes.len(), 1, "{tenant:#}");
    assert!(notes[0].contains("BOB@Acme.com.UAT"), "{}", notes[0]);
}

/// Finding 11: with `SF_ACCESS_TOKEN` and `SF_ORG_INSTANCE_URL`, `run` restored nothing and
/// asked for `--runtime-url` though the config named the sandbox. The sandbox's name is learnt
/// from the org (its running user's username), then config and snapshot are used as with `-o`.
#[test]
fn the_ci_path_uses_the_project_config_and_the_snapshot() {
    let (emulator, sandbox) = setup();
    prepare_and_snapshot(&emulator, &sandbox);
    emulator.refresh("uat");
    let ci = |args: &[&str]| {
        let mut cmd = sandbox.cmd(args);
        cmd.env("SF_ACCESS_TOKEN", SEED_ACCESS_TOKEN)
            .env("SF_ORG_INSTANCE_URL", emulator.base_url());
        run(cmd)
    };
    // The snapshot alone: every row comes back.
    let out = ci(&["run", "--no-runtime-clients", "--json"]);
    assert_eq!(out.code, 68, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.json()["result"]["snapshot"]["file"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{SEED_ORG_ID}.json")),
        "{}",
        out.stdout
    );
    let rows = tenant_rows(&emulator);
    assert!(
        rows.contains(&("org".to_string(), TENANT.to_string())),
        "{rows:?}"
    );
    assert!(
        rows.contains(&("bob@acme.com.uat".to_string(), BOB_TENANT.to_string())),
        "{rows:?}"
    );

    // The config names the sandbox's tenant: it wins over the snapshot, as with -o.
    let config_tenant = "https://acme-next.test.logik.io";
    std::fs::write(
        sandbox.work().join("sfdx-project.json"),
        serde_json::to_string_pretty(&json!({
            "packageDirectories": [{"path": "force-app", "default": true}],
            "plugins": {"logik-refresh": {"sandboxes": {"uat": {"runtimeUrl": config_tenant}}}}
        }))
        .unwrap(),
    )
    .unwrap();
    let out = ci(&["run", "--no-runtime-clients", "--no-snapshot", "--json"]);
    assert_eq!(out.code, 68, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(org_default(&emulator)["LGK__RuntimeUrl__c"], config_tenant);
}

/// A snapshot printed with `--output -` carries its checksum too: saved by the shell, it is
/// used like one the tool saved, and refused once changed.
#[test]
fn a_snapshot_printed_to_stdout_is_sealed_too() {
    let (emulator, sandbox) = setup();
    prepare_sandbox(&emulator, &sandbox);
    let printed = run(sandbox.cmd(&["snapshot", "-o", "uat", "--output", "-"]));
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    let file = sandbox.work().join("uat-before.json");
    std::fs::write(&file, &printed.stdout).unwrap();
    emulator.refresh("uat");
    let file_arg = file.to_str().unwrap();
    let diff = run(sandbox.cmd(&[
        "snapshot",
        "diff",
        "-o",
        "uat",
        "--snapshot",
        file_arg,
        "--json",
    ]));
    assert_eq!(diff.code, 0, "{}\n{}", diff.stdout, diff.stderr);
    std::fs::write(&file, printed.stdout.replace("acme-bob", "acme-eve")).unwrap();
    let refused = run(sandbox.cmd(&[
        "snapshot",
        "diff",
        "-o",
        "uat",
        "--snapshot",
        file_arg,
        "--json",
    ]));
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert_eq!(refused.json()["name"], "EditedSnapshotError");
}

/// Two refreshes: the snapshot taken before the second one (of the org the first refresh made)
/// is restored, not the older one, and neither is replaced.
#[test]
fn after_two_refreshes_the_newest_snapshot_from_before_is_restored() {
    let (emulator, sandbox) = setup();
    let first = prepare_and_snapshot(&emulator, &sandbox);
    let second_org = emulator.refresh("uat");
    let out = run(sandbox.cmd(&["run", "-o", "uat", "--no-runtime-clients", "--json"]));
    assert_eq!(out.code, 68, "{}\n{}", out.stdout, out.stderr);
    // Between the refreshes bob moves to another tenant; the snapshot records it.
    let moved = "https://acme-bob2.test.logik.io";
    emulator.with_state(|state| {
        let bob = state
            .find_id("User", "Username", "bob@acme.com.uat")
            .unwrap();
        let table = state
            .store_mut(false)
            .table_mut("LGK__ConfigurationTenant__c")
            .unwrap();
        for row in table.records.iter_mut() {
            if row["SetupOwnerId"] == bob.as_str() {
                row.insert("LGK__RuntimeUrl__c".into(), json!(moved));
            }
        }
    });
    let taken = run(sandbox.cmd(&["snapshot", "-o", "uat", "--json"]));
    assert_eq!(taken.code, 0, "{}", taken.stderr);
    let second = snapshot_path(&sandbox, &second_org);
    assert!(second.is_file() && first.is_file());
    let third_org = emulator.refresh("uat");
    assert_ne!(third_org, second_org);
    let out = run(sandbox.cmd(&["run", "-o", "uat", "--no-runtime-clients", "--json"]));
    assert_eq!(out.code, 68, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        out.json()["result"]["snapshot"]["file"],
        second.display().to_string()
    );
    assert!(
        tenant_rows(&emulator).contains(&("bob@acme.com.uat".to_string(), moved.to_string())),
        "{:?}",
        tenant_rows(&emulator)
    );
}
