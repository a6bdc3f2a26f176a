//! The real sf CLI (installed by scripts/install-sf.sh) logs in to the emulator, then the tool
//! reads the org both from sf's piped JSON and through sf's auth store, with a v1 key and with a
//! v2 key (`SF_CRYPTO_V2=true`). With `CI` set, a missing sf fails the test instead of skipping.

use crate::common::*;
use logik_org_emulator::SEED_ACCESS_TOKEN;
use std::path::PathBuf;
use std::process::Command;

/// The pinned sf launcher, or None (with the reason printed) where it is not installed.
pub fn real_sf() -> Option<PathBuf> {
    let candidate = std::env::var_os("LOGIK_REFRESH_TEST_SF")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.cache/sf/bin/sf")));
    if candidate.is_file() {
        return Some(candidate);
    }
    skip(&format!(
        "the real sf CLI is not installed ({}); scripts/test.sh installs it",
        candidate.display()
    ));
    None
}

/// sf in the test's throwaway HOME, as REFERENCE.md says to run it in tests.
pub fn sf(sandbox: &Sandbox, sf_bin: &PathBuf, args: &[&str]) -> Command {
    let mut cmd = Command::new(sf_bin);
    cmd.args(args)
        .current_dir(sandbox.work())
        .env_clear()
        .env("HOME", sandbox.home())
        .env("PATH", "/usr/bin:/bin")
        .env("SF_USE_GENERIC_UNIX_KEYCHAIN", "true")
        .env("SF_DISABLE_TELEMETRY", "true")
        .env("SF_AUTOUPDATE_DISABLE", "true")
        .env("SF_HIDE_RELEASE_NOTES", "true")
        .env("SF_SKIP_NEW_VERSION_CHECK", "true");
    cmd
}

/// `sf org login access-token` against the emulator, alias `uat`.
pub fn sf_login(sandbox: &Sandbox, sf_bin: &PathBuf, instance_url: &str, crypto_v2: bool) {
    let mut login = sf(
        sandbox,
        sf_bin,
        &[
            "org",
            "login",
            "access-token",
            "--instance-url",
            instance_url,
            "--no-prompt",
            "--alias",
            "uat",
            "--json",
        ],
    );
    login.env("SF_ACCESS_TOKEN", SEED_ACCESS_TOKEN);
    if crypto_v2 {
        login.env("SF_CRYPTO_V2", "true");
    }
    let out = run(login);
    assert_eq!(
        out.code, 0,
        "sf login failed:\n{}\n{}",
        out.stdout, out.stderr
    );
}

#[test]
fn real_sf_piped_and_by_alias_with_v1_and_v2_keys() {
    let Some(sf_bin) = real_sf() else { return };
    for crypto_v2 in [false, true] {
        let emulator = emulator();
        let sandbox = Sandbox::new();
        sf_login(&sandbox, &sf_bin, &emulator.base_url(), crypto_v2);
        let key: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(sandbox.home().join(".sfdx/key.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            key["key"].as_str().unwrap().len(),
            if crypto_v2 { 64 } else { 32 }
        );

        // sf org display --json -o uat | logik-refresh org inspect --json
        let display = run(sf(
            &sandbox,
            &sf_bin,
            &["org", "display", "--json", "-o", "uat"],
        ));
        assert_eq!(display.code, 0, "{}", display.stderr);
        assert!(
            display.stdout.contains("[REDACTED]"),
            "sf 2.146 redacts the token"
        );
        emulator.clear_log();
        let piped = run_with_stdin(sandbox.cmd(&["org", "inspect", "--json"]), &display.stdout);
        assert_eq!(
            piped.code, 0,
            "v2={crypto_v2}: {}\n{}",
            piped.stdout, piped.stderr
        );
        let facts = piped.json()["result"].clone();
        assert_valid("org-inspect", &piped.json());
        assert_eq!(facts["orgId"], "00D5e000000AbCdEAK");
        assert_eq!(facts["source"]["input"], "org-display");
        assert_eq!(facts["source"]["tokenSource"]["kind"], "authFile");
        assert_eq!(facts["packages"]["logik"]["installed"], true);
        let log = emulator.requests();
        assert!(!log.is_empty());
        assert!(
            log.iter()
                .all(|r| r.bearer.as_deref() == Some(SEED_ACCESS_TOKEN)),
            "{log:#?}"
        );

        // logik-refresh org inspect -o uat --json
        emulator.clear_log();
        let by_alias = run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
        assert_eq!(by_alias.code, 0, "{}\n{}", by_alias.stdout, by_alias.stderr);
        assert_eq!(by_alias.json()["result"]["alias"], "uat");
        assert_eq!(
            by_alias.json()["result"]["tenantSetting"]["rows"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert!(
            emulator
                .requests()
                .iter()
                .all(|r| r.bearer.as_deref() == Some(SEED_ACCESS_TOKEN))
        );
        for out in [&piped, &by_alias] {
            assert!(
                !out.stdout.contains(SEED_ACCESS_TOKEN) && !out.stderr.contains(SEED_ACCESS_TOKEN)
            );
        }
    }
}

#[test]
fn real_sf_piped_into_step_tenant_urls() {
    let Some(sf_bin) = real_sf() else { return };
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sf_login(&sandbox, &sf_bin, &emulator.base_url(), false);
    let display = run(sf(
        &sandbox,
        &sf_bin,
        &["org", "display", "--json", "-o", "uat"],
    ));
    assert_eq!(display.code, 0, "{}", display.stderr);
    let tenant = "https://acme-uat.test.logik.io";
    let step = run_with_stdin(
        sandbox.cmd(&["step", "tenant-urls", "--runtime-url", tenant, "--json"]),
        &display.stdout,
    );
    assert_eq!(step.code, 0, "{}\n{}", step.stdout, step.stderr);
    let out = step.json();
    assert_valid("step-result", &out);
    assert_eq!(out["result"]["outcome"], "changed");
    assert_eq!(out["result"]["org"]["alias"], "uat");
    let row = emulator
        .records("LGK__ConfigurationTenant__c")
        .into_iter()
        .find(|r| r["SetupOwnerId"].as_str().unwrap().starts_with("00D"))
        .unwrap();
    assert_eq!(row["LGK__RuntimeUrl__c"], tenant);
}
