//! `run` and `step X` build a step's options in one place (`StepCall`): with the same flags they
//! give the same step result. Before, `run --allow-other-host` dropped the "not a logik.io host"
//! warning that `step tenant-urls` and `step trusted-urls` gave.

use crate::common::*;
use serde_json::Value;

const OTHER_TENANT: &str = "https://acme-uat.cpq.example.com";

/// A step result without what differs by design: the requests counted (a lone step counts the
/// whole command's, a step in a run its own).
fn comparable(mut result: Value) -> Value {
    result.as_object_mut().unwrap().remove("requests");
    result
}

#[test]
fn run_and_each_step_give_the_same_result_for_the_same_flags() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let tenant = ["--runtime-url", OTHER_TENANT, "--allow-other-host"];
    let common = ["-o", "uat", "--dry-run", "--json"];

    let mut args = vec!["run", "--trusted-urls", "--touch-products"];
    args.extend(tenant);
    args.extend(common);
    let out = run(sandbox.cmd(&args));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let summary = out.json()["result"].clone();
    let steps = summary["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 8, "{summary}");

    // `run` takes the provisioning user and the trusted URLs with --fix.
    let step_flags: &[(&str, &[&str])] = &[
        ("org-id", &[]),
        ("tenant-urls", &tenant),
        ("configurator-url", &tenant),
        ("refresh-token-user", &tenant),
        ("runtime-clients", &tenant),
        ("provisioning-user", &["--fix"]),
        ("trusted-urls", &["--fix", tenant[0], tenant[1], tenant[2]]),
        ("touch-products", &[]),
    ];
    for (name, flags) in step_flags {
        let mut args = vec!["step", name];
        args.extend(*flags);
        args.extend(common);
        let out = run(sandbox.cmd(&args));
        let alone = out.json()["result"].clone();
        let in_run = steps.iter().find(|s| s["step"] == *name).unwrap().clone();
        assert_eq!(
            comparable(in_run),
            comparable(alone),
            "step {name} differs between run and step"
        );
    }
    let warned = |name: &str| {
        steps.iter().find(|s| s["step"] == name).unwrap()["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("is not a logik.io host"))
    };
    assert!(warned("tenant-urls"), "{summary}");
    assert!(warned("trusted-urls"), "{summary}");
    assert_eq!(writes(&emulator), 0, "a dry run writes nothing");
}
