//! Running the real `sf` CLI as the last way to an access token (`sf org auth show-access-token`)
//! and for facts only it knows. Its stdout holds secrets: it is parsed, never printed.

use crate::protocol::{Error, Result};
use crate::salesforce::limits::{deadline, deadline_error};
use crate::sf::intake::sf_error_from_envelope;
use serde_json::Value;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The sf program: `LOGIK_REFRESH_SF` when set (tests point it at the pinned install), else
/// `sf` on PATH.
pub fn sf_program() -> String {
    std::env::var("LOGIK_REFRESH_SF")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| {
            if cfg!(windows) {
                "sf.cmd".into()
            } else {
                "sf".into()
            }
        })
}

/// Runs `sf <args> --json` and returns its `result`. A missing sf is `SfNotFoundError`; an sf
/// failure comes back as sf's own error (name, message, actions, exit code).
pub fn run_sf_json(args: &[&str]) -> Result<Value> {
    let program = sf_program();
    let mut command = Command::new(&program);
    command
        .args(args)
        .arg("--json")
        .env("SF_DISABLE_TELEMETRY", "true")
        .env("SF_AUTOUPDATE_DISABLE", "true");
    let shown = format!("`sf {}`", args.join(" "));
    let output = run_bounded(command, &shown, deadline()).map_err(|e| match e {
        ChildError::Spawn(e) => Error::new(
            "SfNotFoundError",
            format!("Could not run the Salesforce CLI ({program}): {e}."),
        )
        .with_action("Install it (npm install --global @salesforce/cli) or log in with it so its auth store is readable."),
        ChildError::Deadline(err) => err,
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value: Value = serde_json::from_str(stdout.trim()).map_err(|_| {
        Error::new(
            "SfOutputError",
            format!(
                "{shown} printed no JSON (exit {}).",
                output.code.unwrap_or(-1)
            ),
        )
    })?;
    let status = value.get("status").and_then(Value::as_i64).unwrap_or(1);
    match value.get("result") {
        Some(result) if status == 0 => Ok(result.clone()),
        _ => Err(sf_error_from_envelope(&value)),
    }
}

/// What a child program left: its exit code and what it printed (each stream cut at
/// [`MAX_CHILD_OUTPUT`]; the rest is read and dropped so the child never blocks on a full pipe).
#[derive(Debug)]
pub struct ChildOutput {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Why a child program gave nothing.
#[derive(Debug)]
pub enum ChildError {
    /// It could not be started.
    Spawn(std::io::Error),
    /// It did not finish in time; it and everything it started were killed.
    Deadline(Error),
}

/// The most of one output stream of a child kept in memory.
pub const MAX_CHILD_OUTPUT: usize = 8 * 1024 * 1024;

/// Runs a program with no stdin, its output bounded, and kills it (with every process it
/// started: its own process group) when it has not finished within `limit`.
pub fn run_bounded(
    mut command: Command,
    what: &str,
    limit: Duration,
) -> std::result::Result<ChildOutput, ChildError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let started = Instant::now();
    let mut child = command.spawn().map_err(ChildError::Spawn)?;
    let (sender, finished) = mpsc::channel();
    let readers = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ];
    for (index, reader) in readers.into_iter().enumerate() {
        let sender = sender.clone();
        std::thread::spawn(move || {
            let bytes = reader.map(read_capped).unwrap_or_default();
            let _ = sender.send((index, bytes));
        });
    }
    drop(sender);
    let mut streams = [Vec::new(), Vec::new()];
    let mut open = 2;
    let mut code = None;
    let mut exited = false;
    while !(exited && open == 0) {
        let left = limit.saturating_sub(started.elapsed());
        if left.is_zero() {
            kill_group(&mut child);
            return Err(ChildError::Deadline(deadline_error(what, limit)));
        }
        if open > 0 {
            match finished.recv_timeout(left.min(Duration::from_millis(20))) {
                Ok((index, bytes)) => {
                    streams[index] = bytes;
                    open -= 1;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => open = 0,
            }
        } else {
            std::thread::sleep(left.min(Duration::from_millis(20)));
        }
        if !exited && let Ok(Some(status)) = child.try_wait() {
            exited = true;
            code = status.code();
        }
    }
    let [stdout, stderr] = streams;
    Ok(ChildOutput {
        code,
        stdout,
        stderr,
    })
}

fn read_capped(mut reader: Box<dyn Read + Send>) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buffer = [0u8; 64 * 1024];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) | Err(_) => return kept,
            Ok(n) => {
                let room = MAX_CHILD_OUTPUT.saturating_sub(kept.len());
                kept.extend_from_slice(&buffer[..n.min(room)]);
            }
        }
    }
}

/// Kills the child and its process group (sf is a launcher: node and whatever it started).
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals the process group the child leads
        // (process_group(0) above); no memory is touched.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}
