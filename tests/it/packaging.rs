//! How the tool ships: the npm packages (sf-plugin/, scripts/package-npm.sh) carry the version in
//! Cargo.toml and one platform package per release target, and scripts/post-refresh.ps1 parses
//! with a real PowerShell grammar (tree-sitter-powershell; PowerShell itself is not installed
//! here). The tools come from scripts/install-tools.sh; with `CI` set, missing tools fail the test.
//! The install itself, from a loopback registry, is scripts/test-npm-install.sh.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn read_json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(Path::new(REPO).join(path)).unwrap()).unwrap()
}

/// The folder scripts/install-tools.sh filled, or None (with the reason printed).
fn tools() -> Option<PathBuf> {
    let dir = std::env::var_os("LOGIK_REFRESH_TEST_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(REPO).join(".cache/tools"));
    if dir.join("INSTALLED").is_file() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "the packaging tools are missing at {} (CI requires them): run scripts/install-tools.sh",
            dir.display()
        );
    }
    eprintln!(
        "skipped: the packaging tools are not installed ({}); scripts/test.sh installs them",
        dir.display()
    );
    None
}

fn check_powershell(tools: &Path, files: &[&Path]) -> Run {
    let mut cmd = Command::new(tools.join("node/bin/node"));
    cmd.arg(Path::new(REPO).join("scripts/check-powershell.js"))
        .args(files)
        .env("NODE_PATH", tools.join("node/node_modules"));
    run(cmd)
}

#[test]
fn post_refresh_ps1_parses_and_a_broken_copy_does_not() {
    let Some(tools) = tools() else { return };
    let script = Path::new(REPO).join("scripts/post-refresh.ps1");
    let ok = check_powershell(&tools, &[&script]);
    assert_eq!(ok.code, 0, "{}\n{}", ok.stdout, ok.stderr);
    assert_eq!(ok.stdout, "");

    // The same script with its first closing brace gone, and with an unterminated string: each
    // is reported, by file, line and column.
    let text = std::fs::read_to_string(&script).unwrap();
    let brace = text.find('}').unwrap();
    let no_brace = format!("{}{}", &text[..brace], &text[brace + 1..]);
    let quote = format!("{text}\nWrite-Output \"never closed\n");
    let dir = tempfile::tempdir().unwrap();
    let (no_brace_path, quote_path) = (
        dir.path().join("no-brace.ps1"),
        dir.path().join("quote.ps1"),
    );
    std::fs::write(&no_brace_path, no_brace).unwrap();
    std::fs::write(&quote_path, quote).unwrap();
    let out = check_powershell(&tools, &[&no_brace_path, &quote_path]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    for path in [&no_brace_path, &quote_path] {
        let at = format!("{}:", path.display());
        assert!(
            out.stdout.lines().any(|l| l.starts_with(&at)),
            "{path:?} passed:\n{}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("missing }"), "{}", out.stdout);
}

#[test]
fn npm_packages_carry_the_cargo_version_and_one_package_per_release_target() {
    let plugin = read_json("sf-plugin/package.json");
    let platforms = read_json("sf-plugin/platforms.json");
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(plugin["version"], version);
    assert_eq!(
        plugin.get("private"),
        None,
        "a private package cannot be published"
    );
    assert_eq!(plugin["bin"]["logik-refresh"], "bin/logik-refresh.js");
    assert!(
        plugin.get("scripts").is_none(),
        "no install script: {}",
        plugin["scripts"]
    );
    let optional = plugin["optionalDependencies"].as_object().unwrap();
    let platforms = platforms.as_array().unwrap();
    assert_eq!(optional.len(), platforms.len());
    let workflow =
        std::fs::read_to_string(Path::new(REPO).join(".github/workflows/release.yml")).unwrap();
    for p in platforms {
        let name = p["package"].as_str().unwrap();
        assert_eq!(optional[name], version, "{name}");
        let target = p["target"].as_str().unwrap();
        assert!(
            workflow.contains(target),
            "release.yml does not build {target}"
        );
    }
}

/// actionlint on a workflow file, with shellcheck checking each `run:` script.
fn actionlint(tools: &Path, workflow: &Path) -> Run {
    let mut cmd = Command::new(tools.join("py/bin/actionlint"));
    cmd.arg("-no-color")
        .arg(format!(
            "-shellcheck={}",
            tools.join("py/bin/shellcheck").display()
        ))
        .arg(workflow);
    run(cmd)
}

#[test]
fn release_workflow_passes_actionlint_with_shellcheck_and_a_broken_one_does_not() {
    let Some(tools) = tools() else { return };
    let workflow = Path::new(REPO).join(".github/workflows/release.yml");
    let ok = actionlint(&tools, &workflow);
    assert_eq!(ok.code, 0, "{}\n{}", ok.stdout, ok.stderr);

    // A job that needs one that does not exist, a runner label nobody has, and a script whose
    // test compares a constant (what shellcheck alone sees: SC2193).
    let text = std::fs::read_to_string(&workflow).unwrap();
    let broken = text
        .replace("needs: build", "needs: biuld")
        .replace("runs-on: ubuntu-24.04\n", "runs-on: ubuntu-14.04\n")
        .replace(
            "          exe=\"$(jq",
            "          [[ \"${{ matrix.target }}\" == *windows* ]] && echo windows\n          exe=\"$(jq",
        );
    assert_ne!(broken, text);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("release.yml");
    std::fs::write(&path, broken).unwrap();
    let out = actionlint(&tools, &path);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    for finding in ["biuld", "ubuntu-14.04", "SC2193"] {
        assert!(out.stdout.contains(finding), "no {finding}: {}", out.stdout);
    }
}

/// scripts/bump-version.sh on a copy of the files it writes.
fn bump(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new("bash");
    cmd.arg(dir.join("scripts/bump-version.sh")).args(args);
    run(cmd)
}

#[test]
fn one_script_bumps_the_version_everywhere_and_a_disagreement_fails() {
    // The repository as it is: every place agrees with Cargo.toml.
    let here = bump(Path::new(REPO), &["--check"]);
    assert_eq!(here.code, 0, "{}", here.stderr);
    assert_eq!(here.stdout.trim(), env!("CARGO_PKG_VERSION"));

    let dir = tempfile::tempdir().unwrap();
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "sf-plugin/package.json",
        "sf-plugin/platforms.json",
        "scripts/bump-version.sh",
    ] {
        let to = dir.path().join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(Path::new(REPO).join(file), to).unwrap();
    }
    let bumped = bump(dir.path(), &["9.8.7"]);
    assert_eq!(bumped.code, 0, "{}", bumped.stderr);
    let check = bump(dir.path(), &["--check"]);
    assert_eq!(
        (check.code, check.stdout.trim()),
        (0, "9.8.7"),
        "{}",
        check.stderr
    );
    let toml = std::fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
    assert!(toml.contains("\nversion = \"9.8.7\"\n"), "{toml}");
    // Dependencies keep their own versions.
    assert_eq!(
        toml.matches("9.8.7").count(),
        1,
        "more than the package's version changed"
    );
    let lock = std::fs::read_to_string(dir.path().join("Cargo.lock")).unwrap();
    assert!(lock.contains("name = \"logik-refresh\"\nversion = \"9.8.7\"\n"));
    let plugin: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("sf-plugin/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(plugin["version"], "9.8.7");
    let optional = plugin["optionalDependencies"].as_object().unwrap();
    assert_eq!(optional.len(), 7);
    assert!(optional.values().all(|v| v == "9.8.7"), "{optional:?}");

    // One optional dependency left behind: --check names it and fails.
    let text = std::fs::read_to_string(dir.path().join("sf-plugin/package.json")).unwrap();
    let behind = text.replacen(
        "\"logik-refresh-darwin-x64\": \"9.8.7\"",
        "\"logik-refresh-darwin-x64\": \"9.8.6\"",
        1,
    );
    assert_ne!(behind, text);
    std::fs::write(dir.path().join("sf-plugin/package.json"), behind).unwrap();
    let check = bump(dir.path(), &["--check"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check.stderr.contains("logik-refresh-darwin-x64 is 9.8.6"),
        "{}",
        check.stderr
    );
    // A bad version is refused and writes nothing.
    assert_eq!(bump(dir.path(), &["v1"]).code, 1);
    assert!(
        std::fs::read_to_string(dir.path().join("Cargo.toml"))
            .unwrap()
            .contains("9.8.7")
    );
}
