//! The sf plugin shim (sf-plugin/): linked into the real sf CLI in a throwaway HOME, `sf logik
//! ...` runs logik-refresh with the same arguments, and its JSON, exit code and help come
//! through unchanged. Skipped (with the reason printed) where sf is not installed, unless CI is
//! set.

use crate::common::*;
use crate::real_sf::{real_sf, sf, sf_login};
use logik_org_emulator::SEED_ORG_ID;
use std::path::Path;

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

    // --help is logik-refresh's own, for the command asked about.
    let help = logik(&["logik", "run", "--help"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    assert!(
        help.stdout.contains("Usage: logik-refresh run [OPTIONS]"),
        "{}",
        help.stdout
    );

    // Without LOGIK_REFRESH_BIN, logik-refresh is found on PATH.
    let bin_dir = Path::new(BIN).parent().unwrap();
    let mut on_path = sf(&sandbox, &sf_bin, &["logik", "--version"]);
    on_path.env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()));
    let version = run(on_path);
    assert_eq!(version.code, 0, "{}", version.stderr);
    assert_eq!(
        version.stdout.trim(),
        concat!("logik-refresh ", env!("CARGO_PKG_VERSION"))
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
