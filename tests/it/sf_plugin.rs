//! The sf plugin (sf-plugin/): linked into the real sf CLI in a throwaway HOME, `sf logik ...`
//! runs logik-refresh with the same arguments, and its JSON, exit code and help come through
//! unchanged; packed as the release packs it, sf knows every command (its oclif manifest, made
//! from the binary's own tree) and the tool's hints name `sf logik`. Skipped (with the reason
//! printed) where sf is not installed, unless CI is set.

use crate::common::*;
use crate::real_sf::{real_sf, sf, sf_login};
use clap::CommandFactory;
use logik_org_emulator::SEED_ORG_ID;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const PLUGIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sf-plugin");
const BIN: &str = env!("CARGO_BIN_EXE_logik-refresh");

#[test]
fn sf_logik_runs_logik_refresh_and_passes_its_json_through() {
    let Some(sf_bin) = real_sf() else { return };
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sf_login(&sandbox, &sf_bin, &emulator.base_url(), false);
    let link = run(sf(
        &sandbox,
        &sf_bin,
        &["plugins", "link", PLUGIN, "--no-install"],
    ));
    assert_eq!(link.code, 0, "{}\n{}", link.stdout, link.stderr);
    let logik = |args: &[&str]| {
        let mut cmd = sf(&sandbox, &sf_bin, args);
        cmd.env("LOGIK_REFRESH_BIN", BIN)
            .env("LOGIK_REFRESH_STATE_DIR", sandbox.state());
        run(cmd)
    };

    // sf logik org inspect --json -o uat: our envelope, as logik-refresh prints it.
    let out = logik(&["logik", "org", "inspect", "--json", "-o", "uat"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let value = out.json();
    assert_valid("org-inspect", &value);
    assert_eq!(value["result"]["orgId"], SEED_ORG_ID);
    assert_eq!(value["result"]["alias"], "uat");
    assert_eq!(value["result"]["packages"]["logik"]["installed"], true);

    // Errors and exit codes pass through.
    let missing = logik(&["logik", "org", "inspect", "--json", "-o", "nosuch"]);
    assert_eq!(missing.code, 2, "{}\n{}", missing.stdout, missing.stderr);
    assert_valid("error", &missing.json());
    assert!(!missing.json()["actions"].as_array().unwrap().is_empty());

    // --help is logik-refresh's own, for the command asked about, as typed under sf.
    let help = logik(&["logik", "run", "--help"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    assert!(
        help.stdout.contains("Usage: sf logik run [OPTIONS]"),
        "{}",
        help.stdout
    );

    // Without LOGIK_REFRESH_BIN and without the platform package beside the plugin (a linked
    // source folder has none), a logik-refresh on PATH is not run: the error names the package
    // and version to install, and the command that installs it.
    let bin_dir = Path::new(BIN).parent().unwrap();
    let mut on_path = sf(&sandbox, &sf_bin, &["logik", "--version", "--json"]);
    on_path.env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()));
    let refused = run(on_path);
    assert_eq!(refused.code, 1, "{}\n{}", refused.stdout, refused.stderr);
    let error = refused.json();
    assert_valid("error", &error);
    let version = env!("CARGO_PKG_VERSION");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("@{version} (the logik-refresh binary for"))
            && message.contains("is not installed beside logik-refresh-sf-plugin"),
        "{message}"
    );
    assert!(
        error["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().contains(&format!(
                "sf plugins install logik-refresh-sf-plugin@{version}"
            ))),
        "{error}"
    );

    // No binary: an sf-style error that says what to do.
    let mut nowhere = sf(&sandbox, &sf_bin, &["logik", "org", "inspect", "--json"]);
    nowhere.env("LOGIK_REFRESH_BIN", "/nonexistent/logik-refresh");
    let none = run(nowhere);
    assert_eq!(none.code, 1, "{}\n{}", none.stdout, none.stderr);
    let error = none.json();
    assert_valid("error", &error);
    assert_eq!(error["name"], "LogikRefreshNotFoundError");
    assert!(
        error["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().contains("LOGIK_REFRESH_BIN"))
    );
}

/// The Node.js folder scripts/install-sf.sh installed beside sf (node, npm).
fn node_dir(sf_bin: &Path) -> PathBuf {
    let root = sf_bin.parent().unwrap().parent().unwrap();
    let relative = std::fs::read_to_string(root.join("NODE_BIN")).unwrap();
    root.join(relative.trim())
}

/// The plugin as scripts/package-npm.sh packs it for the release, unpacked in `dir`.
fn packed_plugin(sf_bin: &Path, dir: &Path) -> PathBuf {
    let mut pack = Command::new("bash");
    pack.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/package-npm.sh"))
        .args(["--plugin", "--binary", BIN, "--out"])
        .arg(dir)
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", node_dir(sf_bin).display()),
        )
        .env_remove("GITHUB_REPOSITORY");
    let packed = run(pack);
    assert_eq!(packed.code, 0, "{}\n{}", packed.stdout, packed.stderr);
    let tarball = packed.stdout.trim();
    let mut untar = Command::new("tar");
    untar.args(["-xzf", tarball, "-C"]).arg(dir);
    assert_eq!(run(untar).code, 0);
    dir.join("package")
}

/// (oclif id, its flags: name -> (char, takes a value, required, options)) for every command
/// clap has that runs as it is, the root (`logik`) included.
type Flags = BTreeMap<String, (Option<char>, bool, bool, Vec<String>)>;
fn clap_commands() -> BTreeMap<String, Flags> {
    fn walk(command: &clap::Command, id: String, out: &mut BTreeMap<String, Flags>) {
        let groups = command.get_subcommands().any(|s| !s.is_hide_set());
        if id == "logik" || !groups || !command.is_subcommand_required_set() {
            let flags = command
                .get_arguments()
                .filter(|a| !a.is_positional() && !a.is_hide_set())
                .filter(|a| {
                    !matches!(
                        a.get_action(),
                        clap::ArgAction::Help | clap::ArgAction::Version
                    )
                })
                .map(|a| {
                    let options = a
                        .get_possible_values()
                        .iter()
                        .filter(|v| !v.is_hide_set())
                        .map(|v| v.get_name().to_string())
                        .collect();
                    let value = a.get_action().takes_values();
                    let options = if value { options } else { Vec::new() };
                    (
                        a.get_long().unwrap().to_string(),
                        (a.get_short(), value, a.is_required_set(), options),
                    )
                })
                .collect();
            out.insert(id.clone(), flags);
        }
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, format!("{id}:{}", sub.get_name()), out);
        }
    }
    let mut root = logik_refresh::cli::Cli::command().disable_help_subcommand(true);
    root.build();
    let mut out = BTreeMap::new();
    walk(&root, "logik".into(), &mut out);
    out
}

#[test]
fn sf_plugin_manifest_matches_the_binarys_command_tree() {
    let Some(sf_bin) = real_sf() else { return };
    let dir = tempfile::tempdir().unwrap();
    let plugin = packed_plugin(&sf_bin, dir.path());
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(plugin.join("oclif.manifest.json")).unwrap())
            .unwrap();
    let package: Value =
        serde_json::from_str(&std::fs::read_to_string(plugin.join("package.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    let commands = manifest["commands"].as_object().unwrap();
    let expected = clap_commands();
    assert_eq!(
        commands
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        expected
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        "the manifest's commands are not the binary's"
    );
    for (id, flags) in &expected {
        let command = &commands[id];
        assert_eq!(
            command["relativePath"],
            serde_json::json!(["commands", "logik.js"]),
            "{id}"
        );
        assert!(!command["summary"].as_str().unwrap().is_empty(), "{id}");
        let listed: Flags = command["flags"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, f)| {
                let options = f["options"]
                    .as_array()
                    .map(|o| o.iter().map(|v| v.as_str().unwrap().to_string()).collect())
                    .unwrap_or_default();
                let char = f["char"].as_str().map(|c| c.chars().next().unwrap());
                (
                    name.clone(),
                    (char, f["type"] == "option", f["required"] == true, options),
                )
            })
            .collect();
        assert_eq!(&listed, flags, "{id}: flags differ from the binary's");
        for global in ["json", "flags-dir"] {
            assert_eq!(
                command["flags"][global]["helpGroup"], "GLOBAL",
                "{id} {global}"
            );
        }
        if id != "logik" {
            let examples = command["examples"].as_array().unwrap();
            assert!(!examples.is_empty(), "{id} has no examples");
            for example in examples {
                let text = example.as_str().unwrap();
                assert!(
                    text.contains("\n$ ") && !text.contains("logik-refresh "),
                    "{id}: an example not as typed under sf: {text}"
                );
            }
        }
    }
    // A topic for each command with commands under it.
    let topics = &package["oclif"]["topics"]["logik"];
    assert!(topics["description"].is_string());
    for topic in ["org", "case", "step", "config", "secret", "snapshot"] {
        assert!(
            topics["subtopics"][topic]["description"].is_string(),
            "{topic}: {topics}"
        );
    }
    // The same metadata on every package the release publishes, and both licenses in it.
    for field in ["repository", "homepage", "bugs", "license", "author"] {
        assert!(!package[field].is_null(), "no {field} in {package}");
    }
    assert_eq!(package["license"], "MIT OR Apache-2.0");
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        assert!(plugin.join(file).is_file(), "{file} is not in the package");
    }
}

#[test]
fn sf_knows_each_logik_command_and_hints_say_sf_logik() {
    let Some(sf_bin) = real_sf() else { return };
    let dir = tempfile::tempdir().unwrap();
    let plugin = packed_plugin(&sf_bin, dir.path());
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sf_login(&sandbox, &sf_bin, &emulator.base_url(), false);
    let sf_run = |args: &[&str]| {
        let mut cmd = sf(&sandbox, &sf_bin, args);
        cmd.env("LOGIK_REFRESH_BIN", BIN)
            .env("LOGIK_REFRESH_STATE_DIR", sandbox.state());
        run(cmd)
    };
    let plugin = plugin.to_str().unwrap();
    let link = sf_run(&["plugins", "link", plugin, "--no-install"]);
    assert_eq!(link.code, 0, "{}\n{}", link.stdout, link.stderr);

    let commands = sf_run(&["commands", "--json"]);
    assert_eq!(commands.code, 0, "{}", commands.stderr);
    let listed = commands.json();
    let inspect = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "logik:org:inspect")
        .unwrap_or_else(|| panic!("sf commands has no logik:org:inspect"));
    assert_eq!(inspect["flags"]["target-org"]["char"], "o");
    for id in [
        "logik",
        "logik:step:tenant-urls",
        "logik:case:build",
        "logik:run",
    ] {
        assert!(
            listed.as_array().unwrap().iter().any(|c| c["id"] == id),
            "sf commands has no {id}"
        );
    }

    let which = sf_run(&["which", "logik", "org", "inspect", "--json"]);
    assert_eq!(which.code, 0, "{}\n{}", which.stdout, which.stderr);
    assert_eq!(
        which.json()["plugin"],
        "logik-refresh-sf-plugin",
        "{}",
        which.stdout
    );

    let help = sf_run(&["help", "logik", "org", "inspect"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    for shown in [
        "$ sf logik org inspect",
        "-o, --target-org=<ALIAS|USERNAME>",
        "GLOBAL FLAGS",
        "--flags-dir=<DIR>",
    ] {
        assert!(
            help.stdout.contains(shown),
            "no {shown:?} in:\n{}",
            help.stdout
        );
    }
    assert!(!help.stdout.contains("logik-refresh "), "{}", help.stdout);

    // The binary's own --help, and its hints, name the program as typed: sf logik.
    let own_help = sf_run(&["logik", "org", "inspect", "--help"]);
    assert_eq!(own_help.code, 0, "{}", own_help.stderr);
    assert!(
        own_help
            .stdout
            .contains("Usage: sf logik org inspect [OPTIONS]"),
        "{}",
        own_help.stdout
    );
    let guided = sf_run(&[
        "logik",
        "step",
        "configurator-url",
        "-o",
        "uat",
        "--runtime-url",
        "https://acme-uat.test.logik.io",
    ]);
    assert!(
        guided.stdout.contains(
            "When done: sf logik step configurator-url -o uat --runtime-url https://acme-uat.test.logik.io --confirm"
        ),
        "{}\n{}",
        guided.stdout,
        guided.stderr
    );
    let json = sf_run(&[
        "logik",
        "step",
        "configurator-url",
        "-o",
        "uat",
        "--runtime-url",
        "https://acme-uat.test.logik.io",
        "--json",
    ]);
    let confirm = json.json()["result"]["manual"]["confirmCommand"].clone();
    assert!(
        confirm
            .as_str()
            .unwrap()
            .starts_with("sf logik step configurator-url "),
        "{}",
        json.stdout
    );
    let failed = sf_run(&["logik", "case", "validate", "missing-case.json"]);
    assert_eq!(failed.code, 2, "{}", failed.stderr);
    assert!(
        failed
            .stderr
            .contains("Write one with: sf logik case build ... --output case.json"),
        "{}",
        failed.stderr
    );
    assert!(
        !failed.stderr.contains("logik-refresh "),
        "{}",
        failed.stderr
    );
}

/// A platform package folder: package.json at `version`, and a `bin/<exe>` that prints `said`.
fn fake_platform_package(dir: &Path, name: &str, exe: &str, version: &str, said: &str) {
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::write(
        dir.join("package.json"),
        format!(r#"{{"name":"{name}","version":"{version}"}}"#),
    )
    .unwrap();
    let bin = dir.join("bin").join(exe);
    std::fs::write(&bin, format!("#!/bin/sh\necho {said}\n")).unwrap();
    set_mode(&bin, 0o755);
}

#[test]
fn npm_launcher_runs_only_the_platform_package_beside_the_plugin_at_its_version() {
    let Some(sf_bin) = real_sf() else { return };
    let node = node_dir(&sf_bin).join("node");
    let version = env!("CARGO_PKG_VERSION");
    let platforms: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(PLUGIN).join("platforms.json")).unwrap(),
    )
    .unwrap();
    let (os, cpu) = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => ("linux", "x64"),
        ("linux", "aarch64") => ("linux", "arm64"),
        ("macos", "x86_64") => ("darwin", "x64"),
        ("macos", "aarch64") => ("darwin", "arm64"),
        other => panic!("no platform package for {other:?}"),
    };
    let mine: Vec<(String, String)> = platforms
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["os"] == os && p["cpu"] == cpu)
        .map(|p| {
            (
                p["package"].as_str().unwrap().into(),
                p["exe"].as_str().unwrap().into(),
            )
        })
        .collect();

    // outer/node_modules/<platform>      a parent node_modules: never used
    // outer/app/node_modules/<plugin>    the plugin, where npm installs it
    // elsewhere/<platform>               on NODE_PATH: never used
    // cwd/logik-refresh, bin/logik-refresh   on PATH (with an empty entry): never used
    let root = tempfile::tempdir().unwrap();
    let modules = root.path().join("outer/app/node_modules");
    let plugin = modules.join("logik-refresh-sf-plugin");
    let mut copy = Command::new("cp");
    copy.arg("-R").arg(PLUGIN).arg(&plugin);
    std::fs::create_dir_all(&modules).unwrap();
    assert_eq!(run(copy).code, 0);
    for (name, exe) in &mine {
        fake_platform_package(
            &root.path().join("outer/node_modules").join(name),
            name,
            exe,
            version,
            "parent",
        );
        fake_platform_package(
            &root.path().join("elsewhere").join(name),
            name,
            exe,
            version,
            "node-path",
        );
    }
    let cwd = root.path().join("cwd");
    let on_path = root.path().join("bin");
    for dir in [&cwd, &on_path] {
        std::fs::create_dir_all(dir).unwrap();
        let bin = dir.join("logik-refresh");
        std::fs::write(&bin, "#!/bin/sh\necho path\n").unwrap();
        set_mode(&bin, 0o755);
    }
    let launch = |args: &[&str]| {
        let mut cmd = Command::new(&node);
        cmd.arg(plugin.join("bin/logik-refresh.js"))
            .args(args)
            .current_dir(&cwd)
            .env_clear()
            .env("PATH", format!(":{}:/usr/bin:/bin", on_path.display()))
            .env("NODE_PATH", root.path().join("elsewhere"));
        run(cmd)
    };

    // Nothing beside the plugin: an error naming the package, its version and the command
    // that installs it; none of the other binaries ran.
    let missing = launch(&["--version"]);
    assert_eq!(missing.code, 1, "{}\n{}", missing.stdout, missing.stderr);
    assert_eq!(missing.stdout, "", "a binary from elsewhere ran");
    assert!(
        mine.iter().any(|(name, _)| missing
            .stderr
            .contains(&format!("The package {name}@{version}"))),
        "{}",
        missing.stderr
    );
    assert!(
        missing
            .stderr
            .contains(&format!("npm install -g logik-refresh-sf-plugin@{version}")),
        "{}",
        missing.stderr
    );

    // Beside the plugin at another version: refused, and said so.
    for (name, exe) in &mine {
        fake_platform_package(&modules.join(name), name, exe, "0.0.1", "stale");
    }
    let stale = launch(&["--version", "--json"]);
    assert_eq!(stale.code, 1, "{}\n{}", stale.stdout, stale.stderr);
    let error = stale.json();
    assert_valid("error", &error);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("is version 0.0.1") && message.contains(&format!("@{version}")),
        "{message}"
    );

    // Beside it at the plugin's version: that one runs.
    for (name, exe) in &mine {
        fake_platform_package(&modules.join(name), name, exe, version, "beside");
    }
    let beside = launch(&["--version"]);
    assert_eq!(beside.code, 0, "{}", beside.stderr);
    assert_eq!(beside.stdout.trim(), "beside");
}
