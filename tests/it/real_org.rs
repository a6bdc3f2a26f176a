//! What a real org does that a lenient fake let slide (issue 10), each against the strict
//! emulator: every test here failed on the tool before its fix.

use crate::common::*;
use logik_org_emulator::{Emulator, Fault, FaultKind, OLD_TENANT_URL, SEED_ACCESS_TOKEN};
use serde_json::{Value, json};

const NEW: &str = "https://acme-uat.test.logik.io";

fn setup() -> (Emulator, Sandbox) {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

fn tool(sandbox: &Sandbox, args: &[&str]) -> (Run, Value) {
    let run = run(sandbox.cmd(args));
    let out = run.json();
    (run, out)
}

fn remote_site(emulator: &Emulator) -> Value {
    emulator.records("RemoteProxy")[0].clone()
}

/// Point 1: Remote Sites take only `FullName` and a whole `Metadata`; a fix and its rollback
/// keep the Metadata's other keys (description, protocol security) as they were.
#[test]
fn remote_sites_are_written_and_rolled_back_through_their_metadata() {
    let (emulator, sandbox) = setup();
    let before = remote_site(&emulator);
    let (fix, out) = tool(
        &sandbox,
        &[
            "step",
            "trusted-urls",
            "-o",
            "uat",
            "--runtime-url",
            NEW,
            "--fix",
            "--json",
        ],
    );
    assert_eq!(fix.code, 0, "{}\n{}", fix.stdout, fix.stderr);
    assert_eq!(out["result"]["outcome"], "changed");
    let after = remote_site(&emulator);
    assert_eq!(after["EndpointUrl"], NEW);
    assert_eq!(after["IsActive"], true);
    assert_eq!(
        after["Description"], before["Description"],
        "the rest of the Metadata is sent back whole"
    );
    let (back, out) = tool(
        &sandbox,
        &["rollback", "--step", "trusted-urls", "-o", "uat", "--json"],
    );
    assert_eq!(back.code, 0, "{}\n{}", back.stdout, back.stderr);
    assert_eq!(out["result"]["outcome"], "changed");
    let restored = remote_site(&emulator);
    assert_eq!(restored["EndpointUrl"], OLD_TENANT_URL);
    assert_eq!(restored["Description"], before["Description"]);
    assert_eq!(restored["IsActive"], true);
}

/// Point 6: with allOrNone, the row a validation rule refuses is the one reported, not the
/// first row Salesforce halted because of it.
#[test]
fn the_subrequest_that_failed_is_reported_not_the_halted_ones() {
    let (emulator, sandbox) = setup();
    let rows = emulator.records("LGK__ConfigurationTenant__c");
    let profile_row = rows
        .iter()
        .find(|r| r["SetupOwnerId"].as_str().unwrap().starts_with("00e"))
        .unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_string();
    emulator.with_state(|s| {
        s.validation_errors
            .push((profile_row, "Tenant URLs must be approved".into()))
    });
    let (run, out) = tool(
        &sandbox,
        &[
            "step",
            "tenant-urls",
            "-o",
            "uat",
            "--runtime-url",
            NEW,
            "--include-overrides",
            "--json",
        ],
    );
    assert_ne!(run.code, 0, "{}", run.stdout);
    let text = out.to_string();
    assert!(text.contains("Tenant URLs must be approved"), "{text}");
    assert!(!text.contains("PROCESSING_HALTED"), "{text}");
    assert_eq!(
        org_default(&emulator)["LGK__RuntimeUrl__c"],
        OLD_TENANT_URL,
        "all or none"
    );
}

/// Point 7: the per-app entry of `Sforce-Limit-Info` is read too.
#[test]
fn a_connected_app_near_its_own_quota_is_a_warning() {
    let (emulator, sandbox) = setup();
    emulator.with_state(|s| s.per_app_api_limit = Some(("PlatformCLI".into(), 2)));
    let (run, out) = tool(&sandbox, &["org", "inspect", "-o", "uat", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings = out["warnings"].to_string();
    assert!(
        warnings.contains("API usage of the connected app PlatformCLI is at"),
        "{warnings}"
    );
}

/// Point 8: userinfo gives the username in lower case; the tool reports the real one.
#[test]
fn the_real_username_is_read_not_userinfos_lower_case() {
    let emulator = emulator();
    emulator.with_state(|s| {
        let id = s.user_id.clone();
        let t = s.data.table_mut("User").unwrap();
        let i = t.position(&id).unwrap();
        t.records[i].insert("Username".into(), "Admin@Acme.com.uat".into());
    });
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cmd(&["org", "inspect", "--json"]);
    cmd.env("SF_ACCESS_TOKEN", SEED_ACCESS_TOKEN)
        .env("SF_ORG_INSTANCE_URL", emulator.base_url());
    let run = run(cmd);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["result"]["username"], "Admin@Acme.com.uat");
}

/// Point 9: a version older than what the tool's requests need is refused before any request.
#[test]
fn api_versions_too_old_for_the_tool_are_refused() {
    let (emulator, sandbox) = setup();
    for version in ["43.0", "30.0"] {
        let (run, out) = tool(
            &sandbox,
            &[
                "step",
                "trusted-urls",
                "-o",
                "uat",
                "--runtime-url",
                NEW,
                "--api-version",
                version,
                "--json",
            ],
        );
        assert_eq!(run.code, 2, "{version}: {}", run.stdout);
        assert_eq!(out["name"], "UnsupportedApiVersionError");
        assert!(out["message"].as_str().unwrap().contains("44.0"));
    }
    assert!(emulator.requests().is_empty(), "nothing was sent");
}

/// Point 10: a Trusted URL a managed package installed is never repointed; it is reported and
/// the org gets a row of its own.
#[test]
fn managed_rows_are_reported_not_repointed() {
    let (emulator, sandbox) = setup();
    emulator.with_state(|s| {
        let t = s.tooling.table_mut("CspTrustedSite").unwrap();
        t.records[0].insert("NamespacePrefix".into(), json!("LGK"));
    });
    let (run, out) = tool(
        &sandbox,
        &[
            "step",
            "trusted-urls",
            "-o",
            "uat",
            "--runtime-url",
            NEW,
            "--fix",
            "--json",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let warnings = out["result"]["warnings"].to_string();
    assert!(warnings.contains("managed package LGK"), "{warnings}");
    let rows = emulator.records("CspTrustedSite");
    assert_eq!(rows.len(), 2, "a row of the org's own was added");
    assert_eq!(
        rows[0]["EndpointUrl"], OLD_TENANT_URL,
        "the managed row is left"
    );
    assert_eq!(rows[1]["EndpointUrl"], NEW);
}

/// Point 11: a DELETE whose answer was lost is retried; the retry's 404 means it is done.
#[test]
fn a_retried_delete_that_had_landed_counts_as_done() {
    let (emulator, sandbox) = setup();
    // No org default: the step creates one, which the rollback deletes.
    emulator.with_state(|s| {
        let t = s.data.table_mut("LGK__ConfigurationTenant__c").unwrap();
        t.records
            .retain(|r| !r["SetupOwnerId"].as_str().unwrap().starts_with("00D"));
    });
    let (first, _) = tool(
        &sandbox,
        &[
            "step",
            "tenant-urls",
            "-o",
            "uat",
            "--runtime-url",
            NEW,
            "--json",
        ],
    );
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    assert_eq!(emulator.records("LGK__ConfigurationTenant__c").len(), 2);
    emulator.inject(Fault {
        method: Some("DELETE".into()),
        path_contains: None,
        times: 1,
        kind: FaultKind::DropConnection { after_apply: true },
    });
    let (back, out) = tool(
        &sandbox,
        &["rollback", "--step", "tenant-urls", "-o", "uat", "--json"],
    );
    assert_eq!(back.code, 0, "{}\n{}", back.stdout, back.stderr);
    assert_eq!(out["result"]["outcome"], "changed");
    assert_eq!(emulator.records("LGK__ConfigurationTenant__c").len(), 1);
    assert_eq!(sandbox.journal().last().unwrap()["event"], "rolled-back");
}

/// Issue 10's composite limits: reads beyond 5 queries (or 25 subrequests) go in several
/// composites, each within the limits the strict emulator enforces (a sixth query in one
/// composite answers LIMIT_EXCEEDED there, as on Salesforce), sent together, answered in order.
#[test]
fn reads_beyond_five_queries_are_split_into_composites_within_the_limits() {
    use logik_refresh::salesforce::client::{BatchRead, Client, Connection};
    let emulator = emulator();
    let client = Client::new(Connection {
        instance_url: url::Url::parse(&format!("{}/", emulator.base_url())).unwrap(),
        api_version: Some("62.0".into()),
        access_token: logik_refresh::redacted::Secret::new(SEED_ACCESS_TOKEN),
        refresh: None,
        fallback: None,
        username: None,
    })
    .unwrap();
    let mut reads: Vec<BatchRead> = ["Organization", "Profile", "User", "UserLogin"]
        .iter()
        .cycle()
        .take(12)
        .map(|object| BatchRead::Query(format!("SELECT Id FROM {object} LIMIT 1")))
        .collect();
    reads.insert(3, BatchRead::Get("sobjects/User/describe".into()));
    let answers = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(client.get_batch(false, &reads))
        .unwrap();
    assert_eq!(answers.len(), reads.len());
    for (read, answer) in reads.iter().zip(&answers) {
        let answer = answer
            .as_ref()
            .unwrap_or_else(|e| panic!("{read:?}: {e:?}"));
        match read {
            BatchRead::Query(_) => assert_eq!(answer.as_array().unwrap().len(), 1, "{read:?}"),
            BatchRead::Get(_) => assert_eq!(answer["name"], "User"),
        }
    }
    let composites: Vec<u16> = emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/composite"))
        .map(|r| r.status)
        .collect();
    assert_eq!(composites, [200, 200, 200], "12 queries: 5 + 5 + 2");
}
