//! Secret hygiene: with a known access token and refresh token (renewed mid-run, so a third
//! token exists), every command the suite runs keeps all of them out of stdout, stderr (of
//! failing runs too), the journal, the --trace file and every file it writes; and what it
//! writes that is sensitive is mode 600.

use crate::common::*;
use logik_org_emulator::{Fault, FaultKind, SEED_ACCESS_TOKEN, SEED_REFRESH_TOKEN};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const TENANT: &str = "https://acme-uat.test.logik.io";

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_command_leaks_a_token() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    let url = format!("{}/", emulator.base_url());
    sandbox.sf_auth_store_with_refresh(&url);
    let display = display_json(&emulator.base_url());
    let unredacted =
        fixture("v1-display-show-secrets.json").replace("http://127.0.0.1:8765/", &url);
    let commands: Vec<(Vec<&str>, Option<&str>)> = vec![
        (vec!["org", "inspect", "-o", "uat", "--json"], None),
        (vec!["org", "inspect"], Some(&display)),
        (vec!["org", "inspect", "--json"], Some(&unredacted)),
        (vec!["org", "inspect", "--offline"], Some(&unredacted)),
        (
            vec![
                "step",
                "tenant-urls",
                "-o",
                "uat",
                "--runtime-url",
                TENANT,
                "--dry-run",
            ],
            None,
        ),
        (
            vec!["run", "-o", "uat", "--runtime-url", TENANT, "--json"],
            None,
        ),
        (
            vec!["run", "-o", "uat", "--runtime-url", TENANT, "--jsonl"],
            None,
        ),
        (vec!["run", "-o", "uat", "--runtime-url", TENANT], None),
        (
            vec!["rollback", "--step", "tenant-urls", "-o", "uat", "--json"],
            None,
        ),
        (
            vec![
                "step",
                "refresh-token-user",
                "-o",
                "uat",
                "--username",
                "nobody@acme.com.uat",
            ],
            None,
        ),
        (vec!["org", "inspect", "-o", "nosuch", "--json"], None),
    ];
    let mut seen = String::new();
    for (i, (args, stdin)) in commands.iter().enumerate() {
        if i == 1 {
            // Expire the token once: the tool renews it with the refresh token.
            emulator.inject(Fault {
                method: None,
                path_contains: Some("/query".into()),
                times: 1,
                kind: FaultKind::ExpireToken,
            });
        }
        let out = match stdin {
            Some(text) => run_with_stdin(sandbox.cmd(args), text),
            None => run(sandbox.cmd(args)),
        };
        seen.push_str(&out.stdout);
        seen.push_str(&out.stderr);
    }
    let renewed = emulator.access_token();
    assert_ne!(
        renewed, SEED_ACCESS_TOKEN,
        "the token was renewed during the test"
    );
    let mut written = Vec::new();
    files_under(&sandbox.state(), &mut written);
    files_under(&sandbox.work(), &mut written);
    assert!(!written.is_empty(), "the journal was written");
    for path in &written {
        seen.push_str(&std::fs::read_to_string(path).unwrap_or_default());
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode & 0o077,
            0,
            "{} is readable by others ({mode:o})",
            path.display()
        );
    }
    // The --trace file every command wrote (LOGIK_REFRESH_TRACE, set by `Sandbox::cmd`): the
    // renewal is in it, the renewed token is not.
    let trace = std::fs::read_to_string(sandbox.trace()).unwrap();
    assert!(
        trace.contains("/services/oauth2/token"),
        "the renewal was traced"
    );
    seen.push_str(&trace);
    for secret in [SEED_ACCESS_TOKEN, SEED_REFRESH_TOKEN, renewed.as_str()] {
        assert!(
            !seen.contains(secret),
            "a token leaked into the output or a written file"
        );
        // Not even the part after the org ID prefix.
        let (_, tail) = secret.split_at(secret.len() / 2);
        assert!(!seen.contains(tail), "part of a token leaked");
    }
}
