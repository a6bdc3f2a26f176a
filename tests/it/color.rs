//! Color for people: on a terminal the checklist marks and the error name are colored; piped,
//! with NO_COLOR, or in JSON there is not one escape code.

use crate::common::*;
use std::process::Command;

const ESC: &str = "\x1b[";

/// The tool under a pseudo-terminal (util-linux `script`), stdout and stderr merged as a
/// terminal shows them; None where `script` is missing.
fn on_terminal(sandbox: &Sandbox, args: &str, no_color: bool) -> Option<String> {
    let bin = env!("CARGO_BIN_EXE_logik-refresh");
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("{bin} {args}"), "/dev/null"])
        .current_dir(sandbox.work())
        .env_clear()
        .env("HOME", sandbox.home())
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "xterm")
        .env("SF_USE_GENERIC_UNIX_KEYCHAIN", "true")
        .env("LOGIK_REFRESH_STATE_DIR", sandbox.state())
        .env("LOGIK_REFRESH_SF", "/nonexistent/sf");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    match cmd.output() {
        Ok(out) => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Err(_) => {
            skip(
                "the terminal half needs util-linux `script` (apt-get install util-linux; scripts/test.sh does)",
            );
            None
        }
    }
}

#[test]
fn color_only_on_a_terminal_and_never_with_no_color_or_json() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store("v1", &format!("{}/", emulator.base_url()));
    let step = "step tenant-urls -o uat --runtime-url https://acme-uat.test.logik.io --dry-run";

    // Piped: the same words, no escape codes.
    let args: Vec<&str> = step.split(' ').collect();
    let piped = run(sandbox.cmd(&args));
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert!(
        piped.stdout.starts_with("[plan] tenant-urls"),
        "{}",
        piped.stdout
    );
    assert!(!piped.stdout.contains(ESC) && !piped.stderr.contains(ESC));
    let error = run(sandbox.cmd(&["org", "inspect", "-o", "nosuch"]));
    assert!(error.stderr.starts_with("Error (NamedOrgNotFoundError)"));
    assert!(!error.stderr.contains(ESC));

    let Some(colored) = on_terminal(&sandbox, step, false) else {
        return;
    };
    assert!(
        colored.contains("\x1b[36m[plan]\x1b[0m tenant-urls"),
        "{colored:?}"
    );
    let error = on_terminal(&sandbox, "org inspect -o nosuch", false).unwrap();
    assert!(
        error.contains("\x1b[1;31mError (NamedOrgNotFoundError)\x1b[0m"),
        "{error:?}"
    );

    let no_color = on_terminal(&sandbox, step, true).unwrap();
    assert!(no_color.contains("[plan] tenant-urls"), "{no_color:?}");
    assert!(!no_color.contains(ESC), "{no_color:?}");
    let no_color = on_terminal(&sandbox, "org inspect -o nosuch", true).unwrap();
    assert!(!no_color.contains(ESC), "{no_color:?}");

    let json = on_terminal(&sandbox, &format!("{step} --json"), false).unwrap();
    assert!(json.contains("\"status\": 0"), "{json:?}");
    assert!(!json.contains(ESC), "{json:?}");
}
