//! `logik-org-emulator [--port N] [--seed refreshed-sandbox|production|no-logik|no-cpq]
//! [--latency-ms N] [--page-size N]`: starts the fake Salesforce org on 127.0.0.1, prints one
//! JSON line (`url`, `accessToken`, `refreshToken`, `username`, `orgId`: fake test values), then
//! serves until killed.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use logik_org_emulator::{Emulator, EmulatorOptions, SEED_REFRESH_TOKEN, Seed};

const USAGE: &str = "usage: logik-org-emulator [--port N] [--seed refreshed-sandbox|production|no-logik|no-cpq] [--latency-ms N] [--page-size N]";

fn parse_args() -> Result<EmulatorOptions, String> {
    let mut opts = EmulatorOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--port" => {
                opts.port = u16::try_from(number(value()?)?)
                    .map_err(|_| "--port: out of range".to_string())?
            }
            "--seed" => opts.seed = value()?.parse::<Seed>()?,
            "--latency-ms" => opts.latency = Duration::from_millis(number(value()?)?),
            "--page-size" => opts.page_size = (number(value()?)? as usize).max(1),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(opts)
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("logik-org-emulator: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start(opts) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("logik-org-emulator: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    let (username, org_id) = emulator.with_state(|s| (s.username.clone(), s.org_id.clone()));
    let line = serde_json::json!({
        "url": emulator.base_url(),
        "accessToken": emulator.access_token(),
        "refreshToken": SEED_REFRESH_TOKEN,
        "username": username,
        "orgId": org_id,
    });
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    drop(out);
    // Serve until killed (SIGTERM/SIGINT keep their default action).
    loop {
        std::thread::park();
    }
}
