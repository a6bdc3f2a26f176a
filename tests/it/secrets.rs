//! `secret set|get|list|delete` through the real binary: with a real keystore where one can
//! start here (the kernel keyring; gnome-keyring under dbus-run-session where it is installed),
//! without one (the LOGIK_REFRESH_SECRET_<NAME> fallback), and with bad input. A value never
//! shows anywhere but in `secret get`'s own output.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const TOKEN: &str = "rtc_4f1e2d3c4b5a69788796a5b4c3d2e1f0";
const TOKEN2: &str = "rtc_second_0a1b2c3d4e5f60718293a4b5";

/// `cmd` with one more variable set.
fn with_env(mut cmd: Command, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Command {
    cmd.env(key, value);
    cmd
}

/// A name no other test or earlier run uses: the kernel keyring is shared by every process of
/// the user, so the names must not collide.
fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("runtime-client/it-{}-{nanos}", std::process::id())
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_logik-refresh")
}

fn program(name: &str) -> Option<PathBuf> {
    ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file())
}

/// `cmd` run by `wrapper args...`, with the same environment and folder.
fn wrapped(wrapper: &Path, args: &[&str], cmd: &Command) -> Command {
    let mut outer = Command::new(wrapper);
    outer.args(args).arg(cmd.get_program()).args(cmd.get_args());
    outer.env_clear();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            outer.env(key, value);
        }
    }
    if let Some(dir) = cmd.get_current_dir() {
        outer.current_dir(dir);
    }
    outer
}

fn assert_no_token(run: &Run, what: &str) {
    for token in [TOKEN, TOKEN2] {
        assert!(
            !run.stdout.contains(token) && !run.stderr.contains(token),
            "{what} shows the token:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
}

/// The secret commands of one session, run by `sh` (inside dbus-run-session for the Secret
/// Service), each step's output in files: so that a keystore that lives only as long as its
/// session (gnome-keyring here) sees every step.
fn session_script(name: &str, preamble: &str) -> String {
    let steps = [
        (
            "set",
            format!("\"$BIN\" secret set {name} --json < token1.txt"),
        ),
        ("get", format!("\"$BIN\" secret get {name} --json")),
        ("list", "\"$BIN\" secret list --json".to_string()),
        ("list-text", "\"$BIN\" secret list".to_string()),
        (
            "replace",
            format!("\"$BIN\" secret set {name} < token2.txt"),
        ),
        ("get-text", format!("\"$BIN\" secret get {name}")),
        ("doctor", "\"$BIN\" doctor --json".to_string()),
        ("delete", format!("\"$BIN\" secret delete {name} --json")),
        ("get-gone", format!("\"$BIN\" secret get {name} --json")),
        ("list-gone", "\"$BIN\" secret list --json".to_string()),
    ];
    let mut script = format!("set -u\ncd \"$OUT\"\n{preamble}\n");
    for (step, command) in steps {
        script.push_str(&format!(
            "{command} > {step}.out 2> {step}.err; echo $? > {step}.rc\n"
        ));
    }
    script
}

fn step(dir: &Path, name: &str) -> Run {
    let read = |ext: &str| std::fs::read_to_string(dir.join(format!("{name}.{ext}"))).unwrap();
    Run {
        code: read("rc").trim().parse().unwrap(),
        stdout: read("out"),
        stderr: read("err"),
    }
}

fn session(sandbox: &Sandbox, keystore: &str) -> (Command, PathBuf) {
    let out = sandbox.dir.path().join("session");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("token1.txt"), format!("{TOKEN}\n")).unwrap();
    std::fs::write(out.join("token2.txt"), format!("{TOKEN2}\n")).unwrap();
    let mut cmd = Command::new("/bin/sh");
    cmd.current_dir(sandbox.work())
        .env_clear()
        .env("HOME", sandbox.home())
        .env("PATH", "/usr/bin:/bin")
        .env("LOGIK_REFRESH_STATE_DIR", sandbox.state())
        .env("LOGIK_REFRESH_SF", "/nonexistent/sf")
        .env("LOGIK_REFRESH_KEYSTORE", keystore)
        .env("BIN", bin())
        .env("OUT", &out);
    (cmd, out)
}

/// The whole life of a secret in a real keystore, step by step.
fn check_session(dir: &Path, name: &str, store: &str) {
    let set = step(dir, "set");
    assert_eq!(set.code, 0, "{}\n{}", set.stdout, set.stderr);
    assert_valid("secret-set", &set.json());
    assert_eq!(set.json()["result"]["store"], store);
    assert_eq!(set.json()["result"]["replaced"], false);
    assert_no_token(&set, "secret set");

    let get = step(dir, "get");
    assert_eq!(get.code, 0, "{}\n{}", get.stdout, get.stderr);
    assert_valid("secret-get", &get.json());
    assert_eq!(get.json()["result"]["value"], TOKEN);
    assert_eq!(get.json()["result"]["source"]["kind"], "keystore");
    assert_eq!(get.json()["result"]["source"]["store"], store);

    for listing in ["list", "list-text"] {
        let list = step(dir, listing);
        assert_eq!(list.code, 0, "{}\n{}", list.stdout, list.stderr);
        assert!(list.stdout.contains(name), "{}", list.stdout);
        assert_no_token(&list, "secret list");
    }
    let list = step(dir, "list").json();
    assert_valid("secret-list", &list);
    let entry = list["result"]["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap()
        .clone();
    assert_eq!(entry["store"], store);
    if store == "kernel-keyring" {
        assert_eq!(entry["present"], true);
    }

    let replace = step(dir, "replace");
    assert_eq!(replace.code, 0, "{}", replace.stderr);
    assert!(
        replace.stdout.starts_with("Replaced "),
        "{}",
        replace.stdout
    );
    let get_text = step(dir, "get-text");
    assert_eq!(get_text.stdout, format!("{TOKEN2}\n"));

    let doctor = step(dir, "doctor");
    assert_eq!(doctor.code, 0, "{}", doctor.stderr);
    assert_eq!(doctor.json()["result"]["keystore"]["store"], store);
    assert_no_token(&doctor, "doctor");

    let delete = step(dir, "delete");
    assert_eq!(delete.code, 0, "{}", delete.stderr);
    assert_valid("secret-delete", &delete.json());
    assert_eq!(delete.json()["result"]["deleted"], true);
    assert_eq!(delete.json()["result"]["deletedFrom"][0], store);

    let gone = step(dir, "get-gone");
    assert_eq!(gone.code, 1);
    assert_eq!(gone.json()["name"], "SecretNotFoundError");
    let list = step(dir, "list-gone").json();
    assert!(
        !list["result"]["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == name)
    );
}

#[test]
fn a_secret_lives_in_the_kernel_keyring() {
    let sandbox = Sandbox::new();
    let probe = run(with_env(
        sandbox.cmd(&["secret", "list", "--json"]),
        "LOGIK_REFRESH_KEYSTORE",
        "kernel-keyring",
    ));
    let status = &probe.json()["result"]["keystore"];
    if status["store"] != "kernel-keyring" {
        skip(&format!(
            "the kernel keyring cannot be used here ({})",
            status["detail"].as_str().unwrap_or("?")
        ));
        return;
    }
    let name = unique_name();
    let (mut cmd, out) = session(&sandbox, "kernel-keyring");
    cmd.args(["-c", &session_script(&name, "")]);
    // Inside `keyctl session` where keyutils is installed: a session keyring of its own, as a
    // login gives (the user's persistent keyring carries entries from step to step).
    if let Some(keyctl) = program("keyctl") {
        cmd = wrapped(&keyctl, &["session", "-"], &cmd);
    }
    let done = run(cmd);
    assert_eq!(done.code, 0, "{}\n{}", done.stdout, done.stderr);
    check_session(&out, &name, "kernel-keyring");
}

#[test]
fn a_secret_lives_in_the_secret_service() {
    let (Some(dbus), Some(daemon)) = (program("dbus-run-session"), program("gnome-keyring-daemon"))
    else {
        skip(
            "no Secret Service can start here (needs dbus-run-session and \
             gnome-keyring-daemon; apt-get install gnome-keyring dbus; scripts/test.sh does)",
        );
        return;
    };
    let sandbox = Sandbox::new();
    let name = unique_name();
    let (mut cmd, out) = session(&sandbox, "secret-service");
    // A login keyring unlocked with a known password, as keyring-rs's own CI does.
    let preamble = format!(
        "printf 'it-password' | {} --unlock --components=secrets > /dev/null 2>&1",
        daemon.display()
    );
    cmd.args(["-c", &session_script(&name, &preamble)]);
    cmd = wrapped(&dbus, &["--"], &cmd);
    let done = run(cmd);
    assert_eq!(done.code, 0, "{}\n{}", done.stdout, done.stderr);
    let first = step(&out, "set");
    if first.code != 0 && first.stdout.contains("NoKeystoreError") {
        skip(&format!(
            "gnome-keyring did not start as a Secret Service here: {}",
            first.json()["message"]
        ));
        return;
    }
    check_session(&out, &name, "secret-service");
}

#[test]
fn without_a_keystore_set_names_the_variable_and_get_reads_it() {
    let sandbox = Sandbox::new();
    let none = |args: &[&str]| {
        let mut cmd = sandbox.cmd(args);
        cmd.env("LOGIK_REFRESH_KEYSTORE", "none");
        cmd
    };
    let set = run_with_stdin(
        none(&["secret", "set", "runtime-client/web-store", "--json"]),
        &format!("{TOKEN}\n"),
    );
    assert_eq!(set.code, 1, "{}", set.stdout);
    let err = set.json();
    assert_valid("error", &err);
    assert_eq!(err["name"], "NoKeystoreError");
    assert_eq!(err["context"], "secret set");
    assert!(
        err["actions"][0]
            .as_str()
            .unwrap()
            .contains("LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE"),
        "{err:#}"
    );
    assert_eq!(
        err["data"]["envVar"],
        "LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE"
    );
    assert_no_token(&set, "a refused secret set");

    // Text mode: the same, on stderr.
    let set = run_with_stdin(
        none(&["secret", "set", "runtime-client/web-store"]),
        &format!("{TOKEN}\n"),
    );
    assert_eq!(set.code, 1);
    assert!(
        set.stderr
            .contains("LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE"),
        "{}",
        set.stderr
    );
    assert_no_token(&set, "a refused secret set");

    let mut get = none(&["secret", "get", "runtime-client/web-store", "--json"]);
    get.env("LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE", TOKEN);
    let get = run(get);
    assert_eq!(get.code, 0, "{}", get.stdout);
    assert_valid("secret-get", &get.json());
    assert_eq!(get.json()["result"]["value"], TOKEN);
    assert_eq!(get.json()["result"]["source"]["kind"], "environment");

    let mut list = none(&["secret", "list", "--json"]);
    list.env("LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE", TOKEN);
    let list = run(list);
    assert_eq!(list.code, 0, "{}", list.stdout);
    let out = list.json();
    assert_valid("secret-list", &out);
    assert!(out["result"]["keystore"]["store"].is_null());
    assert_eq!(
        out["result"]["environmentOnly"],
        serde_json::json!(["LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE"])
    );
    assert_no_token(&list, "secret list");

    let missing = run(none(&["secret", "get", "admin-api-key", "--json"]));
    assert_eq!(missing.code, 1);
    assert_eq!(missing.json()["name"], "SecretNotFoundError");
    assert!(
        missing.json()["message"]
            .as_str()
            .unwrap()
            .contains("LOGIK_REFRESH_SECRET_ADMIN_API_KEY")
    );
}

#[test]
fn bad_input_is_refused_with_exit_2_and_never_echoed() {
    let sandbox = Sandbox::new();
    let cases: [(&[&str], String, &str); 6] = [
        (
            &["secret", "set", TOKEN, "--json"],
            format!("{TOKEN}\n"),
            "InvalidSecretNameError",
        ),
        (
            &["secret", "set", "runtime-client", "--json"],
            format!("{TOKEN}\n"),
            "InvalidSecretNameError",
        ),
        (
            &["secret", "set", "token/web store", "--json"],
            format!("{TOKEN}\n"),
            "InvalidSecretNameError",
        ),
        (
            &["secret", "set", "runtime-client/web-store", "--json"],
            String::new(),
            "EmptySecretError",
        ),
        (
            &["secret", "set", "runtime-client/web-store", "--json"],
            format!("{TOKEN}\n{TOKEN2}\n"),
            "MultilineSecretError",
        ),
        (
            &["secret", "get", "runtime-client/", "--json"],
            String::new(),
            "InvalidSecretNameError",
        ),
    ];
    for (args, stdin, error) in cases {
        let mut cmd = sandbox.cmd(args);
        cmd.env("LOGIK_REFRESH_KEYSTORE", "none");
        let out = run_with_stdin(cmd, &stdin);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
        let err = out.json();
        assert_eq!(err["name"], error, "{args:?}");
        assert!(!err["actions"].as_array().unwrap().is_empty(), "{err:#}");
        assert_no_token(&out, error);
    }
    assert!(
        !sandbox.state().join("secrets.json").exists(),
        "nothing was recorded"
    );

    // There is no flag for the value, on purpose.
    let out = run(sandbox.cmd(&[
        "secret",
        "set",
        "runtime-client/web-store",
        "--value",
        TOKEN,
        "--json",
    ]));
    assert_eq!(out.code, 2);
    assert_eq!(out.json()["name"], "UsageError");

    let out = run(sandbox.cmd(&["secret", "list", "--keystore", "vault", "--json"]));
    assert_eq!(out.code, 2);
}

#[test]
fn help_says_how_to_pipe_a_token_in() {
    let sandbox = Sandbox::new();
    let out = run(sandbox.cmd(&["secret", "set", "--help"]));
    assert_eq!(out.code, 0);
    for expected in [
        "pbpaste | logik-refresh secret set runtime-client/web-store",
        "Get-Clipboard | logik-refresh secret set",
        "LOGIK_REFRESH_KEYSTORE",
        "LOGIK_REFRESH_SECRET_<NAME>",
        "[default: auto]",
    ] {
        assert!(out.stdout.contains(expected), "{expected}:\n{}", out.stdout);
    }
    let value: Value =
        serde_json::from_str(&run(sandbox.cmd(&["schema", "secret-list"])).stdout).unwrap();
    assert_eq!(value["title"], "logik-refresh secret list --json");
}
