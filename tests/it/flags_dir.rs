//! `--flags-dir DIR`, as sf reads it: a file per flag, the command line winning, and every
//! problem an sf error envelope with exit 2 that names the file.

use crate::common::*;
use std::path::PathBuf;

fn flags_dir(sandbox: &Sandbox, files: &[(&str, &str)]) -> PathBuf {
    let dir = sandbox.work().join("flags");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, content) in files {
        std::fs::write(dir.join(name), content).unwrap();
    }
    dir
}

#[test]
fn files_name_the_org_and_ask_for_json() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let dir = flags_dir(&sandbox, &[("target-org", "uat\n"), ("json", "")]);

    let dir = dir.to_str().unwrap();
    let joined = format!("--flags-dir={dir}");
    // Both spellings, after the command and before it (a global flag).
    for args in [
        vec!["org", "inspect", "--flags-dir", dir],
        vec![joined.as_str(), "org", "inspect"],
    ] {
        let out = run(sandbox.cmd(&args));
        assert_eq!(out.code, 0, "{args:?}: {}\n{}", out.stdout, out.stderr);
        let value = out.json();
        assert_valid("org-inspect", &value);
        assert_eq!(value["result"]["alias"], "uat");
        assert_eq!(value["result"]["orgId"], logik_org_emulator::SEED_ORG_ID);
    }
}

#[test]
fn the_command_line_wins_over_a_file() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let dir = flags_dir(&sandbox, &[("target-org", "nosuch")]);
    let dir = dir.to_str().unwrap();

    let from_file = run(sandbox.cmd(&["org", "inspect", "--flags-dir", dir, "--json"]));
    assert_eq!(from_file.code, 2, "{}", from_file.stdout);
    assert!(from_file.stdout.contains("nosuch"), "{}", from_file.stdout);

    let typed = run(sandbox.cmd(&["org", "inspect", "--flags-dir", dir, "-o", "uat", "--json"]));
    assert_eq!(typed.code, 0, "{}\n{}", typed.stdout, typed.stderr);
    assert_eq!(typed.json()["result"]["alias"], "uat");
}

#[test]
fn a_step_takes_its_values_and_switches_from_files() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let dir = flags_dir(
        &sandbox,
        &[
            ("o", "uat"),
            (
                "runtime-url",
                "# the tenant of uat\nhttps://acme-uat.test.logik.io\n",
            ),
            ("dry-run", "true"),
            ("include-overrides", "false"),
        ],
    );
    emulator.clear_log();
    let out = run(sandbox.cmd(&[
        "step",
        "tenant-urls",
        "--json",
        "--flags-dir",
        dir.to_str().unwrap(),
    ]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let result = &out.json()["result"];
    assert_eq!(result["outcome"], "planned", "dry-run came from its file");
    let after: Vec<&str> = result["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["after"].as_str())
        .collect();
    assert!(
        after.contains(&"https://acme-uat.test.logik.io"),
        "{result:#}"
    );
    assert!(
        emulator.requests().iter().all(|r| !r.write),
        "a dry run writes nothing"
    );
}

#[test]
fn a_missing_folder_is_a_usage_error_with_next_steps() {
    let sandbox = Sandbox::new();
    let out = run(sandbox.cmd(&[
        "org",
        "inspect",
        "-o",
        "uat",
        "--flags-dir",
        "no-such-folder",
        "--json",
    ]));
    assert_eq!(out.code, 2);
    let value = out.json();
    assert_valid("error", &value);
    assert_eq!(value["name"], "FlagsDirNotFoundError");
    assert_eq!(value["status"], 2);
    assert_eq!(value["context"], "org inspect");
    assert!(
        value["message"]
            .as_str()
            .unwrap()
            .contains("no-such-folder")
    );
    assert!(!value["actions"].as_array().unwrap().is_empty());

    // The same in text: on stderr, nothing on stdout.
    let text = run(sandbox.cmd(&["org", "inspect", "--flags-dir", "no-such-folder"]));
    assert_eq!(text.code, 2);
    assert!(text.stdout.is_empty());
    assert!(
        text.stderr.starts_with("Error (FlagsDirNotFoundError)"),
        "{}",
        text.stderr
    );
    assert!(text.stderr.contains("Try this:"));
}

#[test]
fn a_file_for_no_flag_or_with_a_bad_value_is_named() {
    let sandbox = Sandbox::new();
    for (files, name, needle) in [
        (
            &[("runtime-ur1", "https://x.test.logik.io")][..],
            "FlagsDirUnknownFlagError",
            "runtime-ur1",
        ),
        (&[("dry-run", "yes")][..], "FlagsDirValueError", "dry-run"),
        (
            &[(
                "runtime-url",
                "https://a.test.logik.io\nhttps://b.test.logik.io",
            )][..],
            "FlagsDirValueError",
            "runtime-url",
        ),
    ] {
        let dir = sandbox.work().join(name).join(needle);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, content) in files {
            std::fs::write(dir.join(file), content).unwrap();
        }
        let out = run(sandbox.cmd(&[
            "step",
            "tenant-urls",
            "--flags-dir",
            dir.to_str().unwrap(),
            "--json",
        ]));
        assert_eq!(out.code, 2, "{needle}: {}", out.stdout);
        let value = out.json();
        assert_eq!(value["name"], name);
        assert_eq!(value["context"], "step tenant-urls");
        assert!(value["message"].as_str().unwrap().contains(needle));
    }
}

#[test]
fn clap_still_checks_what_the_files_say() {
    let sandbox = Sandbox::new();
    // runtime-clients: --not-used conflicts with --confirm, both from files; so is --json.
    let dir = flags_dir(&sandbox, &[("not-used", ""), ("confirm", ""), ("json", "")]);
    let out = run(sandbox.cmd(&[
        "step",
        "runtime-clients",
        "-o",
        "uat",
        "--flags-dir",
        dir.to_str().unwrap(),
    ]));
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert_eq!(out.json()["name"], "UsageError");
}
