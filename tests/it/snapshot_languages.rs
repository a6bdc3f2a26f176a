//! A snapshot's profile rows are found again by the profile's `FullName` (`Admin`), never by
//! its name, which the org shows in the running user's language: after a refresh that user
//! (production's copy) may read another language than the one who took the snapshot.

use crate::common::*;
use logik_org_emulator::language::Language;
use logik_org_emulator::{Emulator, EmulatorOptions, SHADOW_TENANT_URL, Seed};
use serde_json::{Value, json};

const TENANT: &str = "https://acme-uat.test.logik.io";
const ADMIN_TENANT: &str = "https://acme-admins.test.logik.io";

fn start(language: Language) -> (Emulator, Sandbox) {
    let emulator = Emulator::start(EmulatorOptions {
        seed: Seed::RefreshedSandbox,
        language,
        ..EmulatorOptions::default()
    })
    .unwrap();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

/// The ID of the profile whose Tooling API `FullName` is `full_name`.
fn profile_id(emulator: &Emulator, full_name: &str) -> String {
    emulator.with_state(|s| {
        s.tooling
            .table("Profile")
            .unwrap()
            .records
            .iter()
            .find(|r| r["FullName"] == full_name)
            .map(|r| r["Id"].as_str().unwrap().to_string())
            .unwrap()
    })
}

/// The CPQ Tenant rows as (owner ID, runtime URL), sorted.
fn rows(emulator: &Emulator) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = emulator
        .records("LGK__ConfigurationTenant__c")
        .iter()
        .map(|r| {
            (
                r["SetupOwnerId"].as_str().unwrap().to_string(),
                r["LGK__RuntimeUrl__c"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// The tenant rows of a sandbox whose snapshot was fully restored after its refresh to
/// `new_org`: System Administrator's, Standard User's and the org default, by the new IDs.
fn all_rows_restored(emulator: &Emulator, new_org: &str) -> Vec<(String, String)> {
    let mut expected = vec![
        (profile_id(emulator, "Admin"), ADMIN_TENANT.to_string()),
        (
            profile_id(emulator, "Standard"),
            SHADOW_TENANT_URL.to_string(),
        ),
        (new_org.to_string(), TENANT.to_string()),
    ];
    expected.sort();
    expected
}

/// The sandbox as its admin left it: pointed at its tenant, with a row for the System
/// Administrator profile beside the seed's Standard User row; then its snapshot.
fn prepare_and_snapshot(emulator: &Emulator, sandbox: &Sandbox) -> Value {
    let out = run(sandbox.cmd(&[
        "run",
        "-o",
        "uat",
        "--runtime-url",
        TENANT,
        "--trusted-urls",
        "--no-runtime-clients",
        "--json",
    ]));
    assert_eq!(out.code, 68, "{}\n{}", out.stdout, out.stderr);
    let admin = profile_id(emulator, "Admin");
    emulator.with_state(|state| {
        state
            .insert_raw(
                false,
                "LGK__ConfigurationTenant__c",
                json!({"SetupOwnerId": admin, "LGK__RuntimeUrl__c": ADMIN_TENANT, "LGK__TenantAdminEndpoint__c": ADMIN_TENANT}),
            )
            .unwrap();
    });
    let taken = run(sandbox.cmd(&["snapshot", "-o", "uat", "--json"]));
    assert_eq!(taken.code, 0, "{}\n{}", taken.stdout, taken.stderr);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(snapshot_file(sandbox)).unwrap()).unwrap();
    assert_valid("snapshot", &saved);
    saved
}

fn snapshot_file(sandbox: &Sandbox) -> std::path::PathBuf {
    snapshot_path(sandbox, logik_org_emulator::SEED_ORG_ID)
}

#[test]
fn a_profile_row_is_restored_when_the_refreshed_org_reads_another_language() {
    for (taken_in, restored_in) in [
        (Language::English, Language::German),
        (Language::German, Language::English),
        (Language::English, Language::Japanese),
    ] {
        let case = format!("{taken_in:?} -> {restored_in:?}");
        let (emulator, sandbox) = start(taken_in);
        let saved = prepare_and_snapshot(&emulator, &sandbox);
        let mut profiles: Vec<(String, String)> = saved["tenantSetting"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["level"] == "profile")
            .map(|r| {
                (
                    r["ownerFullName"].as_str().unwrap().to_string(),
                    r["owner"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        profiles.sort();
        assert_eq!(
            profiles,
            [
                ("Admin".to_string(), taken_in.word("System Administrator")),
                ("Standard".to_string(), taken_in.word("Standard User")),
            ],
            "{case}: FullName beside the name shown"
        );
        assert_eq!(
            saved["provisioningUser"]["profileFullName"], "Admin",
            "{case}"
        );

        let new_org = emulator.refresh("uat");
        emulator.set_language(restored_in);
        let fixed = run(sandbox.cmd(&["run", "-o", "uat", "--json"]));
        assert_eq!(fixed.code, 68, "{case}: {}\n{}", fixed.stdout, fixed.stderr);
        let summary = fixed.json();
        assert_valid("run", &summary);
        assert_eq!(summary["result"]["org"]["orgId"], new_org);
        let expected = all_rows_restored(&emulator, &new_org);
        assert_eq!(rows(&emulator), expected, "{case}: {}", fixed.stdout);
        assert!(
            !fixed.stdout.contains("not restored"),
            "{case}: {}",
            fixed.stdout
        );

        emulator.clear_log();
        let after = run(sandbox.cmd(&["snapshot", "diff", "-o", "uat", "--json"]));
        assert_eq!(after.code, 0, "{case}: {}\n{}", after.stdout, after.stderr);
        // The profiles' FullName reads ride in the snapshot's Tooling composite: the org's
        // facts (Data and Tooling) and the snapshot's reads (Data and Tooling), nothing more.
        let paths: Vec<String> = emulator.requests().iter().map(|r| r.path.clone()).collect();
        assert_eq!(paths.len(), 4, "{case}: {paths:?}");
        assert!(
            paths.iter().all(|p| p.ends_with("/composite")),
            "{case}: {paths:?}"
        );
        assert_eq!(
            after.json()["result"]["differences"],
            json!([]),
            "{case}: {}",
            after.stdout
        );
    }
}

/// A row whose profile's FullName is in no profile of the refreshed org is reported, not
/// restored, even when a profile has the name the snapshot shows.
#[test]
fn a_profile_row_whose_full_name_is_gone_is_reported_not_restored() {
    let (emulator, sandbox) = start(Language::English);
    let mut saved = prepare_and_snapshot(&emulator, &sandbox);
    for row in saved["tenantSetting"].as_array_mut().unwrap() {
        if row["ownerFullName"] == "Admin" {
            row["ownerFullName"] = json!("Acme_Retired_Admins");
        }
    }
    write_sealed_snapshot(&snapshot_file(&sandbox), &saved);
    let new_org = emulator.refresh("uat");
    let fixed = run(sandbox.cmd(&["run", "-o", "uat", "--json"]));
    let summary = fixed.json();
    assert_valid("run", &summary);
    assert!(
        fixed.stdout.contains(
            "not restored, the refreshed org has no profile whose FullName is Acme_Retired_Admins"
        ),
        "{}",
        fixed.stdout
    );
    let mut expected = vec![
        (
            profile_id(&emulator, "Standard"),
            SHADOW_TENANT_URL.to_string(),
        ),
        (new_org, TENANT.to_string()),
    ];
    expected.sort();
    assert_eq!(rows(&emulator), expected, "no row for System Administrator");
}

/// A snapshot taken before FullName was recorded still restores its rows, by name, and says
/// that it did.
#[test]
fn an_older_snapshot_without_full_names_is_restored_by_name_with_a_warning() {
    let (emulator, sandbox) = start(Language::English);
    let mut saved = prepare_and_snapshot(&emulator, &sandbox);
    for row in saved["tenantSetting"].as_array_mut().unwrap() {
        row.as_object_mut().unwrap().remove("ownerFullName");
    }
    saved["provisioningUser"]
        .as_object_mut()
        .unwrap()
        .remove("profileFullName");
    // As an older version wrote it: version 1, no checksum.
    saved["schemaVersion"] = json!(1);
    saved.as_object_mut().unwrap().remove("checksum");
    let text = serde_json::to_string_pretty(&saved).unwrap();
    std::fs::write(snapshot_file(&sandbox), text).unwrap();
    let new_org = emulator.refresh("uat");
    let diff = run(sandbox.cmd(&["snapshot", "diff", "-o", "uat", "--json"]));
    assert_eq!(diff.code, 0, "{}\n{}", diff.stdout, diff.stderr);
    let warned = |out: &Value| {
        out["warnings"].as_array().unwrap().iter().any(|w| {
            w.as_str()
                .unwrap()
                .contains("before snapshots recorded profiles by their FullName")
        })
    };
    assert!(warned(&diff.json()), "{}", diff.stdout);
    let fixed = run(sandbox.cmd(&["run", "-o", "uat", "--json"]));
    assert_eq!(fixed.code, 68, "{}\n{}", fixed.stdout, fixed.stderr);
    assert!(warned(&fixed.json()), "{}", fixed.stdout);
    let expected = all_rows_restored(&emulator, &new_org);
    assert_eq!(rows(&emulator), expected);
}

/// Among many profiles older than the standard ones and none named as recorded (the org reads
/// German now), the rows' profiles are still found: the profiles are read in waves until both
/// FullNames are found.
#[test]
fn a_profile_row_is_found_among_many_profiles_read_in_waves() {
    let (emulator, sandbox) = start(Language::English);
    prepare_and_snapshot(&emulator, &sandbox);
    let new_org = emulator.refresh("uat");
    emulator.set_language(Language::German);
    emulator.with_state(|state| {
        for i in 0..40 {
            state
                .insert_raw(
                    false,
                    "Profile",
                    json!({"Name": format!("Acme Team {i:02}"), "UserType": "Standard",
                           "CreatedDate": "2020-01-01T00:00:00.000+0000"}),
                )
                .unwrap();
        }
    });
    emulator.clear_log();
    let fixed = run(sandbox.cmd(&["run", "-o", "uat", "--json"]));
    assert_eq!(fixed.code, 68, "{}\n{}", fixed.stdout, fixed.stderr);
    let expected = all_rows_restored(&emulator, &new_org);
    assert_eq!(rows(&emulator), expected, "{}", fixed.stdout);
    // Tooling composites: the three of a run with a snapshot of few profiles (the facts, the
    // org now, the steps' reads), then the profiles five a composite in two waves: 25 (none is
    // named as recorded), then the 17 left, where both are found.
    let tooling = emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/tooling/composite"))
        .count();
    assert_eq!(tooling, 3 + 5 + 4);
}
