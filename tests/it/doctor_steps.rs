//! `doctor -o <org>` tells, read-only, whether the org is ready for each step (issue 10, "Help
//! a real org"): every object and field a step touches (exists, createable, updateable for the
//! running user), the user's permissions for the step's writes (profile and permission sets),
//! the API version. One line per step.

use crate::common::*;
use logik_org_emulator::language::Language;
use logik_org_emulator::{Emulator, EmulatorOptions};
use serde_json::Value;

/// The steps in `run`'s order.
const STEPS: [&str; 8] = [
    "org-id",
    "tenant-urls",
    "configurator-url",
    "refresh-token-user",
    "runtime-clients",
    "provisioning-user",
    "trusted-urls",
    "touch-products",
];

fn doctor(emulator: &Emulator) -> (Run, Sandbox) {
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&emulator.base_url());
    let out = run(sandbox.cmd(&["doctor", "-o", "uat", "--json"]));
    (out, sandbox)
}

fn step<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["result"]["org"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no step {name}: {report:#}"))
}

/// The doctor's line for a step (checks named `step`, detail starting with the step's name).
fn line<'a>(report: &'a Value, name: &str) -> &'a Value {
    let lines: Vec<&Value> = report["result"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["name"] == "step"
                && c["detail"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{name}: "))
        })
        .collect();
    assert_eq!(lines.len(), 1, "one line for {name}: {report:#}");
    lines[0]
}

#[test]
fn every_step_is_ready_on_the_emulator_and_doctor_writes_nothing() {
    let emulator = emulator();
    let (out, sandbox) = doctor(&emulator);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_valid("doctor", &report);
    assert_eq!(report["result"]["ok"], true, "{report:#}");
    let names: Vec<&str> = report["result"]["org"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(names, STEPS);
    for name in STEPS {
        assert_eq!(step(&report, name)["ready"], true, "{name}: {report:#}");
        assert_eq!(line(&report, name)["status"], "ok");
    }
    let tenant = line(&report, "tenant-urls")["detail"].as_str().unwrap();
    assert!(
        tenant.contains("LGK__ConfigurationTenant__c") && tenant.contains("Customize Application"),
        "{tenant}"
    );
    assert_eq!(writes(&emulator), 0, "doctor is read-only");

    // The text: one line per step.
    let text = run(sandbox.cmd(&["doctor", "-o", "uat"]));
    assert_eq!(text.code, 0, "{}", text.stderr);
    for name in STEPS {
        let lines = text
            .stdout
            .lines()
            .filter(|l| {
                l.starts_with("ok") && l.contains(&format!("step            {name}: ready"))
            })
            .count();
        assert_eq!(lines, 1, "{name}:\n{}", text.stdout);
    }
    assert_eq!(writes(&emulator), 0);
}

#[test]
fn a_missing_field_and_a_missing_permission_name_the_step_and_the_fix() {
    let emulator = emulator();
    emulator.with_state(|s| {
        let products = s.data.table_mut("Product2").unwrap();
        products
            .schema
            .fields
            .retain(|f| f.name != "LGK__IsConfigurable__c");
        let profiles = s.data.table_mut("Profile").unwrap();
        for profile in &mut profiles.records {
            profile.insert("PermissionsManageUsers".into(), false.into());
        }
    });
    let (out, _sandbox) = doctor(&emulator);
    assert_eq!(
        out.code, 0,
        "doctor reports: {}\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_valid("doctor", &report);
    assert_eq!(report["result"]["ok"], false);

    let touch = step(&report, "touch-products");
    assert_eq!(touch["ready"], false);
    assert_eq!(
        touch["missing"][0], "Product2.LGK__IsConfigurable__c",
        "{touch:#}"
    );
    assert!(
        touch["actions"][0]
            .as_str()
            .unwrap()
            .contains("Logik.ai package"),
        "{touch:#}"
    );
    let touch_line = line(&report, "touch-products");
    assert_eq!(touch_line["status"], "error");
    assert!(
        touch_line["detail"]
            .as_str()
            .unwrap()
            .contains("missing Product2.LGK__IsConfigurable__c")
    );

    let provisioning = step(&report, "provisioning-user");
    assert_eq!(provisioning["ready"], false);
    assert_eq!(
        provisioning["missing"][0], "the permission Manage Users",
        "{provisioning:#}"
    );
    assert!(
        provisioning["actions"][0]
            .as_str()
            .unwrap()
            .contains("Manage Users (Setup > Profiles)"),
        "{provisioning:#}"
    );
    // The other steps do not need either.
    for name in [
        "org-id",
        "tenant-urls",
        "trusted-urls",
        "refresh-token-user",
    ] {
        assert_eq!(step(&report, name)["ready"], true, "{name}: {report:#}");
    }
    assert_eq!(writes(&emulator), 0, "doctor is read-only");
}

#[test]
fn a_field_the_user_cannot_write_is_named_with_field_level_security() {
    let emulator = emulator();
    emulator.with_state(|s| {
        let users = s.data.table_mut("User").unwrap();
        for field in &mut users.schema.fields {
            if field.name == "Email" {
                field.updateable = false;
            }
        }
    });
    let (out, _sandbox) = doctor(&emulator);
    let report = out.json();
    let provisioning = step(&report, "provisioning-user");
    assert_eq!(provisioning["ready"], false, "{provisioning:#}");
    assert_eq!(provisioning["missing"][0], "User.Email is not updateable");
    assert!(
        provisioning["actions"][0]
            .as_str()
            .unwrap()
            .contains("Set Field-Level Security"),
        "{provisioning:#}"
    );
    assert_eq!(writes(&emulator), 0);
}

/// An admin whose profile lacks Customize Application but who has it from a permission set is
/// ready for `tenant-urls` and `trusted-urls`; the same permission set given to another user
/// does not count, and without it the step says what is missing as before. In a German org
/// too: the permissions are read from `PermissionSetAssignment`, no name is compared.
#[test]
fn a_permission_set_grants_what_the_profile_lacks() {
    for language in [Language::English, Language::German] {
        let emulator = Emulator::start(EmulatorOptions {
            language,
            ..EmulatorOptions::default()
        })
        .unwrap();
        emulator.with_state(|s| {
            let profiles = s.data.table_mut("Profile").unwrap();
            for profile in &mut profiles.records {
                profile.insert("PermissionsCustomizeApplication".into(), false.into());
            }
            // Someone else's permission set is not the running user's.
            let bob = s.find_id("User", "Username", "bob@acme.com.uat").unwrap();
            s.grant_permission_set(&bob, "Logik_Setup", &["PermissionsCustomizeApplication"]);
        });
        let (out, _sandbox) = doctor(&emulator);
        assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
        let report = out.json();
        assert_valid("doctor", &report);
        for name in ["tenant-urls", "trusted-urls"] {
            let without = step(&report, name);
            assert_eq!(without["ready"], false, "{language:?} {name}: {without:#}");
            assert_eq!(
                without["missing"][0], "the permission Customize Application",
                "{without:#}"
            );
            assert!(
                without["actions"][0]
                    .as_str()
                    .unwrap()
                    .contains("Customize Application (Setup > Profiles) or a permission set"),
                "{without:#}"
            );
            assert_eq!(line(&report, name)["status"], "error");
        }

        emulator.with_state(|s| {
            let me = s.user_id.clone();
            s.grant_permission_set(
                &me,
                "Logik_Setup_Admin",
                &["PermissionsCustomizeApplication"],
            );
        });
        let (out, _sandbox) = doctor(&emulator);
        assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
        let report = out.json();
        assert_eq!(report["result"]["ok"], true, "{language:?}: {report:#}");
        for name in ["tenant-urls", "trusted-urls"] {
            assert_eq!(step(&report, name)["ready"], true, "{name}: {report:#}");
            let detail = line(&report, name)["detail"].as_str().unwrap();
            assert!(
                detail.contains(": ready") && detail.contains("Customize Application"),
                "{detail}"
            );
        }
        assert_eq!(writes(&emulator), 0, "doctor is read-only");
    }
}

/// Takes `permissions` away from every profile of the org.
fn revoke_from_profiles(emulator: &Emulator, permissions: &[&str]) {
    emulator.with_state(|s| {
        for profile in &mut s.data.table_mut("Profile").unwrap().records {
            for permission in permissions {
                profile.insert((*permission).into(), false.into());
            }
        }
    });
}

/// Without Manage Users the steps that read `UserLogin` are ready, and doctor names Manage
/// Users for their frozen check (a warning line, with the fix).
#[test]
fn doctor_names_manage_users_for_the_frozen_check() {
    let emulator = emulator();
    let (out, _sandbox) = doctor(&emulator);
    let report = out.json();
    for name in ["refresh-token-user", "runtime-clients"] {
        let detail = line(&report, name)["detail"].as_str().unwrap();
        assert!(
            detail.contains("Manage Users for whether the user is frozen"),
            "{detail}"
        );
    }
    revoke_from_profiles(&emulator, &["PermissionsManageUsers"]);
    let (out, _sandbox) = doctor(&emulator);
    let report = out.json();
    assert_valid("doctor", &report);
    for name in ["refresh-token-user", "runtime-clients"] {
        assert_eq!(step(&report, name)["ready"], true, "{name}: {report:#}");
        let check = line(&report, name);
        assert_eq!(check["status"], "warning", "{check:#}");
        let detail = check["detail"].as_str().unwrap();
        assert!(
            detail.contains(
                "without Manage Users, whether the user is frozen (UserLogin) is not known"
            ),
            "{detail}"
        );
        assert!(
            check["actions"]
                .to_string()
                .contains("Give the running user Manage Users"),
            "{check:#}"
        );
    }
}

/// A user without View Setup, Assign Permission Sets or Manage Users may not read
/// `PermissionSetAssignment`: doctor falls back to the profile's permissions, read through
/// `User`, instead of "permissions not known".
#[test]
fn without_the_permission_set_read_doctor_reads_the_profile() {
    let emulator = emulator();
    revoke_from_profiles(
        &emulator,
        &[
            "PermissionsViewSetup",
            "PermissionsManageUsers",
            "PermissionsAssignPermissionSets",
        ],
    );
    let (out, _sandbox) = doctor(&emulator);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_valid("doctor", &report);
    for name in [
        "org-id",
        "tenant-urls",
        "trusted-urls",
        "refresh-token-user",
    ] {
        assert_eq!(step(&report, name)["ready"], true, "{name}: {report:#}");
    }
    let provisioning = step(&report, "provisioning-user");
    assert_eq!(
        provisioning["missing"][0], "the permission Manage Users",
        "{provisioning:#}"
    );
    assert!(
        !report
            .to_string()
            .contains("the running user's permissions"),
        "{report:#}"
    );
}

/// Only assignments in force count: an inactive one, or one past its `ExpirationDate`, grants
/// nothing; one that expires later does.
#[test]
fn inactive_and_expired_permission_set_assignments_grant_nothing() {
    let emulator = emulator();
    revoke_from_profiles(&emulator, &["PermissionsCustomizeApplication"]);
    emulator.with_state(|s| {
        let me = s.user_id.clone();
        let grant = ["PermissionsCustomizeApplication"];
        s.grant_permission_set_as(&me, "Logik_Inactive", &grant, false, None);
        s.grant_permission_set_as(
            &me,
            "Logik_Expired",
            &grant,
            true,
            Some("2020-01-01T00:00:00.000+0000"),
        );
    });
    let (out, _sandbox) = doctor(&emulator);
    let report = out.json();
    let tenant = step(&report, "tenant-urls");
    assert_eq!(tenant["ready"], false, "{tenant:#}");
    assert_eq!(tenant["missing"][0], "the permission Customize Application");

    emulator.with_state(|s| {
        let me = s.user_id.clone();
        s.grant_permission_set_as(
            &me,
            "Logik_Until_2099",
            &["PermissionsCustomizeApplication"],
            true,
            Some("2099-01-01T00:00:00.000+0000"),
        );
    });
    let (out, _sandbox) = doctor(&emulator);
    let report = out.json();
    assert_eq!(step(&report, "tenant-urls")["ready"], true, "{report:#}");
}
