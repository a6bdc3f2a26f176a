//! Running the real `sf` CLI as the last way to an access token (`sf org auth show-access-token`)
//! and for facts only it knows. Its stdout holds secrets: it is parsed, never printed.

use crate::protocol::{Error, Result};
use crate::sf::intake::sf_error_from_envelope;
use serde_json::Value;
use std::process::{Command, Stdio};

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
    let output = Command::new(&program)
        .args(args)
        .arg("--json")
        .env("SF_DISABLE_TELEMETRY", "true")
        .env("SF_AUTOUPDATE_DISABLE", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| {
            Error::new(
                "SfNotFoundError",
                format!("Could not run the Salesforce CLI ({program}): {e}."),
            )
            .with_action("Install it (npm install --global @salesforce/cli) or log in with it so its auth store is readable.")
        })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value: Value = serde_json::from_str(stdout.trim()).map_err(|_| {
        Error::new(
            "SfOutputError",
            format!(
                "`sf {}` printed no JSON (exit {}).",
                args.join(" "),
                output.status.code().unwrap_or(-1)
            ),
        )
    })?;
    let status = value.get("status").and_then(Value::as_i64).unwrap_or(1);
    match value.get("result") {
        Some(result) if status == 0 => Ok(result.clone()),
        _ => Err(sf_error_from_envelope(&value)),
    }
}
