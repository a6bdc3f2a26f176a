//! Issue 11, the network half: a hostile server or org JSON must not take the token, the memory
//! or the time. Each test is named after the finding it holds the line on, and uses a small
//! loopback server of its own (bounded in time and bytes) where the org emulator is too polite.

use crate::common::*;
use logik_org_emulator::{Fault, FaultKind, SEED_ACCESS_TOKEN, SEED_REFRESH_TOKEN};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const TENANT: &str = "https://acme-uat.test.logik.io";

/// What the hostile server does with each connection.
#[derive(Clone, Copy)]
enum Hostile {
    /// Reads the request and never answers (holds the socket up to 30 s).
    Silent,
    /// Answers 200 and a body that does not end (stops itself after 512 MiB or 30 s).
    Endless,
    /// Answers 200 announcing a 1 GiB body, sends a little and waits.
    Announces1GiB,
}

struct HostileServer {
    url: String,
    connections: Arc<AtomicUsize>,
    /// Everything the server was sent (request lines and headers).
    seen: Arc<std::sync::Mutex<String>>,
}

fn hostile(mode: Hostile) -> HostileServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(std::sync::Mutex::new(String::new()));
    let (count, log) = (connections.clone(), seen.clone());
    std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(60);
        while Instant::now() < until {
            match listener.accept() {
                Ok((stream, _)) => {
                    count.fetch_add(1, Ordering::SeqCst);
                    let log = log.clone();
                    std::thread::spawn(move || serve(stream, mode, &log));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    HostileServer {
        url,
        connections,
        seen,
    }
}

fn serve(mut stream: TcpStream, mode: Hostile, log: &std::sync::Mutex<String>) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    log.lock()
        .unwrap()
        .push_str(&String::from_utf8_lossy(&request));
    let until = Instant::now() + Duration::from_secs(30);
    match mode {
        Hostile::Silent => {
            while Instant::now() < until {
                std::thread::sleep(Duration::from_millis(50));
                if stream.write(b"").is_err() {
                    return;
                }
            }
        }
        Hostile::Endless => {
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[";
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0usize;
            while sent < 512 * 1024 * 1024 && Instant::now() < until {
                if stream.write_all(&chunk).is_err() {
                    return;
                }
                sent += chunk.len();
            }
        }
        Hostile::Announces1GiB => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n[";
            let _ = stream.write_all(head.as_bytes());
            std::thread::sleep(Duration::from_secs(5));
        }
    }
}

/// Runs the tool, killing it (and failing the test) if it has not ended within `limit`.
fn run_within(mut cmd: Command, limit: Duration) -> (Run, Duration) {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}; stderr so far:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    let out: Run = child.wait_with_output().unwrap().into();
    assert_no_token(&out.stdout, "stdout");
    assert_no_token(&out.stderr, "stderr");
    (out, elapsed)
}

/// The org JSON of the emulator's org, claiming another instance URL.
fn org_json_claiming(instance_url: &str) -> String {
    display_json(instance_url.trim_end_matches('/'))
}

#[test]
fn finding_1_saved_token_never_follows_another_instance_url() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&format!("{}/", emulator.base_url()));
    let evil = hostile(Hostile::Silent);
    let evil_host = evil.url.trim_start_matches("http://").trim_end_matches('/');
    let own_host = emulator
        .base_url()
        .trim_start_matches("http://")
        .to_string();
    let file = sandbox.work().join("evil.json");
    std::fs::write(&file, org_json_claiming(&evil.url)).unwrap();
    let fast = |mut cmd: Command| {
        cmd.env("LOGIK_REFRESH_HTTP_TIMEOUT_MS", "1000")
            .env("LOGIK_REFRESH_MAX_RETRIES", "0");
        cmd
    };

    // -o uat with an org JSON file that names another host.
    let cmd = fast(sandbox.cmd(&[
        "org",
        "inspect",
        "-o",
        "uat",
        "--org-json",
        file.to_str().unwrap(),
        "--json",
    ]));
    let (out, _) = run_within(cmd, Duration::from_secs(30));
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    let json = out.json();
    assert_eq!(json["name"], "InstanceUrlMismatchError");
    let message = json["message"].as_str().unwrap();
    assert!(message.contains(evil_host), "{message}");
    assert!(message.contains(&own_host), "{message}");

    // The same org JSON piped in, no -o.
    let mut cmd = fast(sandbox.cmd(&["org", "inspect", "--json"]));
    cmd.stdin(Stdio::piped());
    let piped = run_with_stdin(cmd, &org_json_claiming(&evil.url));
    assert_eq!(piped.code, 2, "{}{}", piped.stdout, piped.stderr);
    assert_eq!(piped.json()["name"], "InstanceUrlMismatchError");

    assert_eq!(
        evil.connections.load(Ordering::SeqCst),
        0,
        "nothing was sent to the other host: {}",
        evil.seen.lock().unwrap()
    );
    assert!(emulator.requests().is_empty(), "refused before any request");

    // The org's own JSON still works.
    let own = run_with_stdin(
        sandbox.cmd(&["org", "inspect", "--json"]),
        &display_json(&emulator.base_url()),
    );
    assert_eq!(own.code, 0, "{}{}", own.stdout, own.stderr);
}

#[test]
fn finding_2_no_limit_on_what_a_server_sends() {
    for mode in [Hostile::Endless, Hostile::Announces1GiB] {
        let server = hostile(mode);
        let sandbox = Sandbox::new();
        sandbox.sf_auth_store_with_refresh(&server.url);
        let mut cmd = sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]);
        cmd.env("LOGIK_REFRESH_MAX_RETRIES", "0")
            .env("LOGIK_REFRESH_HTTP_TIMEOUT_MS", "20000");
        let (out, _) = run_within(cmd, Duration::from_secs(60));
        assert_eq!(out.code, 1, "a clear failure, not an abort: {}", out.stderr);
        let json = out.json();
        assert_eq!(json["name"], "ResponseTooLargeError", "{json}");
        assert!(
            json["message"].as_str().unwrap().contains("32 MiB"),
            "{json}"
        );
    }
}

#[test]
fn finding_7_server_text_never_carries_the_token() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&format!("{}/", emulator.base_url()));
    let trace = sandbox.work().join("trace.jsonl");
    // A proxy that quotes the Authorization header back, on the write and on every read.
    emulator.inject(Fault {
        method: Some("PATCH".into()),
        path_contains: None,
        times: 10,
        kind: FaultKind::EchoAuthorization { status: 400 },
    });
    let texts: Vec<String> = ["--jsonl", "--json", "--no-prompt"]
        .iter()
        .map(|format| {
            let mut cmd = sandbox.cmd(&["run", "-o", "uat", "--runtime-url", TENANT, format]);
            cmd.env("LOGIK_REFRESH_TRACE", &trace);
            let out = run(cmd);
            assert_ne!(out.code, 0, "the echoed write failed");
            format!("{}{}", out.stdout, out.stderr)
        })
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("you sent Authorization: Bearer [REDACTED]")),
        "the server's words are shown, the token removed: {texts:?}"
    );
    // The journal's failure notes (checked again as the sandbox ends, with every file).
    let journal = serde_json::to_string(&sandbox.journal()).unwrap();
    assert_no_token(&journal, "the journal");
    let traced = std::fs::read_to_string(&trace).unwrap();
    assert!(traced.contains("PATCH"), "the trace has the write");
    for secret in [SEED_ACCESS_TOKEN, SEED_REFRESH_TOKEN] {
        assert!(!traced.contains(secret), "a token is in the trace");
    }
    // Reads through a proxy that echoes: an error body quoted in a read's failure.
    let read_sandbox = Sandbox::new();
    read_sandbox.sf_auth_store_with_refresh(&format!("{}/", emulator.base_url()));
    emulator.inject(Fault {
        method: None,
        path_contains: Some("/composite".into()),
        times: 1,
        kind: FaultKind::EchoAuthorization { status: 400 },
    });
    let out = run(read_sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("Bearer [REDACTED]"), "{}", out.stdout);
}

#[test]
fn finding_8_instance_url_with_user_and_password_is_refused() {
    let emulator = emulator();
    let sandbox = Sandbox::new();
    let host = emulator
        .base_url()
        .trim_start_matches("http://")
        .to_string();
    let with_password = format!("http://admin:hunter2pass@{host}/");
    sandbox.sf_auth_store_with_refresh(&with_password);
    let piped = org_json_claiming(&with_password);
    for (args, stdin) in [
        (vec!["org", "inspect", "-o", "uat", "--json"], None),
        (vec!["org", "inspect", "--json"], Some(&piped)),
        (vec!["org", "inspect", "--offline", "--json"], Some(&piped)),
        (vec!["org", "inspect", "--offline"], Some(&piped)),
    ] {
        let out = match stdin {
            Some(text) => run_with_stdin(sandbox.cmd(&args), text),
            None => run(sandbox.cmd(&args)),
        };
        assert_eq!(out.code, 2, "{args:?}: {}{}", out.stdout, out.stderr);
        assert!(
            !out.stdout.contains("hunter2pass") && !out.stderr.contains("hunter2pass"),
            "the password is not echoed: {}{}",
            out.stdout,
            out.stderr
        );
        assert!(
            format!("{}{}", out.stdout, out.stderr).contains("CredentialsInUrlError"),
            "{args:?}: {}{}",
            out.stdout,
            out.stderr
        );
    }
    assert!(emulator.requests().is_empty(), "nothing was sent");
}

#[test]
fn finding_10_waits_without_end() {
    // A server that accepts and never answers: the deadline ends it, with a clear error.
    let silent = hostile(Hostile::Silent);
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&silent.url);
    let mut cmd = sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]);
    cmd.env("LOGIK_REFRESH_NET_TIMEOUT", "2s");
    let (out, elapsed) = run_within(cmd, Duration::from_secs(30));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["name"], "DeadlineExceededError", "{json}");
    assert!(json["message"].as_str().unwrap().contains("2 s"), "{json}");
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert!(silent.connections.load(Ordering::SeqCst) >= 1);

    // The same with the flag.
    let cmd = sandbox.cmd(&[
        "org",
        "inspect",
        "-o",
        "uat",
        "--json",
        "--net-timeout",
        "1",
    ]);
    let (out, elapsed) = run_within(cmd, Duration::from_secs(30));
    assert_eq!(out.json()["name"], "DeadlineExceededError");
    assert!(elapsed < Duration::from_secs(8), "took {elapsed:?}");

    // sf that never ends (and started a child of its own) is killed at the deadline. The org
    // is logged in but sf's key is gone, so the tool asks sf for the token.
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&silent.url);
    std::fs::remove_file(sandbox.home().join(".sfdx/key.json")).unwrap();
    let fake_sf = sandbox.work().join("sf");
    let marker = sandbox.work().join("sleeper.pid");
    std::fs::write(
        &fake_sf,
        format!(
            "#!/bin/sh\nsleep 60 &\necho $! > {}\nwait\n",
            marker.display()
        ),
    )
    .unwrap();
    set_mode(&fake_sf, 0o755);
    let mut cmd = sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]);
    cmd.env("LOGIK_REFRESH_SF", &fake_sf)
        .env("LOGIK_REFRESH_NET_TIMEOUT", "2");
    let (out, elapsed) = run_within(cmd, Duration::from_secs(30));
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    let message = out.json()["message"].as_str().unwrap().to_string();
    assert!(message.contains("did not finish within 2 s"), "{message}");
    // The child sf started was killed with it.
    let pid = std::fs::read_to_string(&marker).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !Path::new(&format!("/proc/{}", pid.trim())).exists()
            || std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
                .is_ok_and(|s| s.contains(") Z ")),
        "sf's own child is gone"
    );
}

#[test]
fn piped_status_of_the_wrong_type_is_named() {
    let sandbox = Sandbox::new();
    let out = run_with_stdin(
        sandbox.cmd(&["org", "inspect", "--offline", "--json"]),
        r#"{"status":"0","result":{"username":"admin@acme.com.uat"}}"#,
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
    let message = out.json()["message"].as_str().unwrap().to_string();
    assert!(message.contains("`status` is not a number"), "{message}");
    assert!(
        !message.contains("failed: The piped sf command failed"),
        "{message}"
    );
}

#[test]
fn piped_sf_warnings_are_capped() {
    let sandbox = Sandbox::new();
    let mut display: serde_json::Value =
        serde_json::from_str(&display_json("https://acme--uat.sandbox.my.salesforce.com")).unwrap();
    let long = "w".repeat(100_000);
    display["warnings"] = serde_json::json!(vec![long; 160]);
    let out = run_with_stdin(
        sandbox.cmd(&["org", "inspect", "--offline"]),
        &display.to_string(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.len() < 64 * 1024,
        "stderr is {} bytes",
        out.stderr.len()
    );
    assert!(
        out.stderr.contains("more warnings from sf, not shown"),
        "{}",
        &out.stderr[..500.min(out.stderr.len())]
    );
}

#[test]
fn finding_10_long_waits_are_announced_on_a_terminal() {
    let silent = hostile(Hostile::Silent);
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&silent.url);
    let bin = env!("CARGO_BIN_EXE_logik-refresh");
    let mut cmd = Command::new("script");
    cmd.args([
        "-qec",
        &format!("{bin} org inspect -o uat --net-timeout 7"),
        "/dev/null",
    ])
    .current_dir(sandbox.work())
    .env_clear()
    .env("HOME", sandbox.home())
    .env("PATH", "/usr/bin:/bin")
    .env("TERM", "xterm")
    .env("SF_USE_GENERIC_UNIX_KEYCHAIN", "true")
    .env("LOGIK_REFRESH_STATE_DIR", sandbox.state())
    .env("LOGIK_REFRESH_SF", "/nonexistent/sf");
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        skip("the terminal half needs util-linux `script` (scripts/test.sh installs it)");
        return;
    }
    let (out, elapsed) = run_within(cmd, Duration::from_secs(40));
    let screen = format!("{}{}", out.stdout, out.stderr);
    assert!(
        screen.contains("Still waiting for POST /services/data/v62.0/composite"),
        "{screen}"
    );
    assert!(screen.contains("giving up after 7 s"), "{screen}");
    assert!(screen.contains("DeadlineExceededError"), "{screen}");
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");

    // Not on a pipe: stderr carries only the error.
    let mut cmd = sandbox.cmd(&["org", "inspect", "-o", "uat", "--net-timeout", "6"]);
    cmd.env("LOGIK_REFRESH_MAX_RETRIES", "0");
    let (out, _) = run_within(cmd, Duration::from_secs(30));
    assert!(!out.stderr.contains("Still waiting"), "{}", out.stderr);
}
