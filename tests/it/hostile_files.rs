//! Hostile files (issue 11): what the tool reads is bounded and a regular file, what it writes
//! never replaces a device, a FIFO, a folder or a read-only file. Each test is named after the
//! finding it guards.

use crate::common::*;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// Long enough for a slow machine, far shorter than a blocked read.
const LIMIT: Duration = Duration::from_secs(30);

/// The flags of a complete support case, needing no org.
const CASE: [&str; 11] = [
    "case",
    "build",
    "--cpq-url",
    "https://acme.test.logik.io",
    "--refresh-date",
    "2099-12-01",
    "--retain-data",
    "--cpq-admin",
    "jane@acme.com.uat",
    "--provisioning-username",
    "provisioning@logik.io.acme.uat",
];

/// An sf error envelope with exit 2 and this name; returns the envelope.
fn refused(run: &Run, name: &str) -> Value {
    assert_eq!(run.code, 2, "{name}: {}\n{}", run.stdout, run.stderr);
    let out = run.json();
    assert_valid("error", &out);
    assert_eq!(out["name"], name, "{out:#}");
    assert!(!out["actions"].as_array().unwrap().is_empty(), "{out:#}");
    out
}

#[test]
fn files_read_without_a_bound() {
    let sandbox = Sandbox::new();
    let flags = sandbox.work().join("flags");
    std::fs::create_dir_all(&flags).unwrap();
    let flags_arg = flags.display().to_string();
    let fifo = sandbox.work().join("fifo");
    mkfifo(&fifo);
    let fifo_arg = fifo.display().to_string();

    // A FIFO is refused at once, never waited on: as a flags-dir file and as --answers.
    mkfifo(&flags.join("target-org"));
    let out = run_within(
        sandbox.cmd(&["org", "inspect", "--flags-dir", &flags_arg, "--json"]),
        LIMIT,
    );
    let out = refused(&out, "FlagsDirReadError");
    assert!(out["message"].as_str().unwrap().contains("FIFO"), "{out:#}");
    let mut args = CASE.to_vec();
    args.extend(["--answers", &fifo_arg, "--json"]);
    let out = refused(&run_within(sandbox.cmd(&args), LIMIT), "AnswersFileError");
    assert!(out["message"].as_str().unwrap().contains("FIFO"), "{out:#}");
    let out = run_within(
        sandbox.cmd(&["case", "validate", &fifo_arg, "--json"]),
        LIMIT,
    );
    refused(&out, "PayloadFileError");
    let out = run_within(
        sandbox.cmd(&["org", "inspect", "--org-json", &fifo_arg, "--json"]),
        LIMIT,
    );
    refused(&out, "OrgJsonFileError");

    // An endless device is refused, not read until memory runs out.
    std::fs::remove_file(flags.join("target-org")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", flags.join("target-org")).unwrap();
    let out = run_within(
        sandbox.cmd(&["org", "inspect", "--flags-dir", &flags_arg, "--json"]),
        LIMIT,
    );
    let out = refused(&out, "FlagsDirReadError");
    assert!(
        out["message"].as_str().unwrap().contains("device"),
        "{out:#}"
    );
    let mut args = CASE.to_vec();
    args.extend(["--answers", "/dev/zero", "--json"]);
    let out = refused(&run_within(sandbox.cmd(&args), LIMIT), "AnswersFileError");
    assert!(
        out["message"].as_str().unwrap().contains("device"),
        "{out:#}"
    );

    // A regular file too large for any answers is refused as well.
    let big = sandbox.work().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(64 * 1024 * 1024)
        .unwrap();
    let mut args = CASE.to_vec();
    let big_arg = big.display().to_string();
    args.extend(["--answers", &big_arg, "--json"]);
    let out = refused(&run_within(sandbox.cmd(&args), LIMIT), "AnswersFileError");
    assert!(out["message"].as_str().unwrap().contains("MiB"), "{out:#}");
    std::fs::remove_file(&big).unwrap();
}

#[test]
fn output_replaces_whatever_is_at_the_path() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let sandbox = Sandbox::new();
    let build_to = |target: &Path| {
        let mut args = CASE.to_vec();
        let target = target.display().to_string();
        args.extend(["--output", &target, "--json"]);
        run_within(sandbox.cmd(&args), LIMIT)
    };

    let fifo = sandbox.work().join("fifo");
    mkfifo(&fifo);
    let out = refused(&build_to(&fifo), "OutputPathError");
    assert!(out["message"].as_str().unwrap().contains("FIFO"), "{out:#}");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());

    let folder = sandbox.work().join("folder");
    std::fs::create_dir(&folder).unwrap();
    refused(&build_to(&folder), "OutputPathError");
    assert!(folder.is_dir());

    let read_only = sandbox.work().join("read-only.json");
    std::fs::write(&read_only, "keep me\n").unwrap();
    set_mode(&read_only, 0o444);
    let out = refused(&build_to(&read_only), "OutputPathError");
    assert!(
        out["message"].as_str().unwrap().contains("read-only"),
        "{out:#}"
    );
    assert_eq!(std::fs::read_to_string(&read_only).unwrap(), "keep me\n");
    std::fs::remove_file(&read_only).unwrap();

    // A device (a copy of /dev/null's node, so the real one is never at stake) stays a device.
    if Path::new("/dev/null").exists() && is_root() {
        let device = sandbox.work().join("null");
        let made = std::process::Command::new("mknod")
            .args([device.to_str().unwrap(), "c", "1", "3"])
            .status()
            .unwrap();
        assert!(made.success());
        let out = refused(&build_to(&device), "OutputPathError");
        assert!(
            out["message"].as_str().unwrap().contains("device"),
            "{out:#}"
        );
        assert!(
            std::fs::metadata(&device)
                .unwrap()
                .file_type()
                .is_char_device()
        );
        std::fs::remove_file(&device).unwrap();
    }

    // An existing regular file the user may write is replaced whole, keeping its mode.
    let existing = sandbox.work().join("case.json");
    std::fs::write(&existing, "old\n").unwrap();
    set_mode(&existing, 0o640);
    let out = build_to(&existing);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let case: Value = serde_json::from_str(&std::fs::read_to_string(&existing).unwrap()).unwrap();
    assert_valid("support-case", &case);
    let mode = std::fs::metadata(&existing).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);

    // snapshot --output follows the same rules, checked before any request.
    let emulator = emulator();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let fifo_arg = fifo.display().to_string();
    let out = run_within(
        sandbox.cmd(&["snapshot", "-o", "uat", "--output", &fifo_arg, "--json"]),
        LIMIT,
    );
    refused(&out, "OutputPathError");
    assert!(emulator.requests().is_empty(), "refused before any request");
    let out = run_within(
        sandbox.cmd(&["snapshot", "-o", "uat", "--output", "-"]),
        LIMIT,
    );
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let snapshot: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(snapshot["sandboxName"], "uat", "{snapshot:#}");

    // `--output -` is standard output, not a file named "-".
    let mut args = CASE.to_vec();
    args.extend(["--output", "-"]);
    let out = run_within(sandbox.cmd(&args), LIMIT);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let case: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_valid("support-case", &case);
    assert!(!sandbox.work().join("-").exists());
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}
