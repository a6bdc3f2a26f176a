//! The sf CLI (found, its version) and where sf keeps its key.

use super::*;
use crate::sf::home::{SfEnv, home_dir};
use crate::sf::keychain::{KeySource, KeychainContext, Platform, key_source};
use crate::sf::keychain_programs::SystemRunner;
use crate::sf::runner::sf_program;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(super) fn check_sf_cli() -> (SfCliReport, DoctorCheck) {
    let program = sf_program();
    let path = find_on_path(&program);
    let mut report = SfCliReport {
        program: program.clone(),
        path: path.as_ref().map(|p| p.display().to_string()),
        found: false,
        version: None,
        version_output: None,
    };
    let where_ = path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| program.clone());
    let check = match sf_version(&program) {
        Ok(line) => {
            report.found = true;
            report.version = parse_sf_version(&line);
            let detail = match &report.version {
                Some(version) => format!("sf {version} ({where_})"),
                None => format!("{line} ({where_})"),
            };
            report.version_output = Some(line);
            check(CheckName::SfCli, CheckStatus::Ok, detail)
        }
        Err(SfVersionError::NotFound(why)) => DoctorCheck {
            name: CheckName::SfCli,
            status: CheckStatus::Warning,
            detail: format!(
                "not found ({program}: {why}); the tool reads sf's files without it, but cannot \
                 fall back to `sf org auth show-access-token`"
            ),
            actions: vec![
                "Install it: npm install --global @salesforce/cli".into(),
                "Or point LOGIK_REFRESH_SF at it.".into(),
            ],
        },
        Err(SfVersionError::Failed(why)) => {
            report.found = true;
            DoctorCheck {
                name: CheckName::SfCli,
                status: CheckStatus::Warning,
                detail: format!("{where_} is there but `sf --version` {why}"),
                actions: vec![format!("Run {program} --version to see what it says.")],
            }
        }
    };
    (report, check)
}

pub(super) enum SfVersionError {
    NotFound(String),
    Failed(String),
}

/// The first line of `sf --version`, with a time limit.
pub(super) fn sf_version(program: &str) -> std::result::Result<String, SfVersionError> {
    let mut child = Command::new(program)
        .arg("--version")
        .env("SF_DISABLE_TELEMETRY", "true")
        .env("SF_AUTOUPDATE_DISABLE", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| SfVersionError::NotFound(e.to_string()))?;
    let deadline = Instant::now() + SF_VERSION_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(25)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SfVersionError::Failed(format!(
                    "did not finish within {} s",
                    SF_VERSION_TIMEOUT.as_secs()
                )));
            }
            Err(e) => return Err(SfVersionError::Failed(e.to_string())),
        }
    };
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut out);
    }
    let line = out.lines().map(str::trim).find(|l| !l.is_empty());
    match (status.success(), line) {
        (true, Some(line)) => Ok(line.to_string()),
        (true, None) => Err(SfVersionError::Failed("printed nothing".into())),
        (false, _) => Err(SfVersionError::Failed(format!(
            "ended with exit {}",
            status.code().unwrap_or(-1)
        ))),
    }
}

/// `@salesforce/cli/2.146.3 linux-x64 node-v22.15.0` -> `2.146.3`.
pub(super) fn parse_sf_version(line: &str) -> Option<String> {
    let first = line.split_whitespace().next()?;
    let version = first.rsplit('/').next()?;
    version
        .chars()
        .next()
        .filter(char::is_ascii_digit)
        .map(|_| version.to_string())
}

pub(super) fn find_on_path(program: &str) -> Option<PathBuf> {
    let program_path = Path::new(program);
    if program_path.components().count() > 1 {
        return program_path.is_file().then(|| program_path.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

// ---- sf's key ----

pub(super) fn check_sf_key() -> (SfKeyReport, DoctorCheck) {
    let home = match home_dir() {
        Ok(home) => home,
        Err(err) => {
            return (
                SfKeyReport {
                    source: None,
                    detail: None,
                },
                failed(CheckName::SfKey, &err),
            );
        }
    };
    let env = SfEnv::from_process();
    let source = key_source(
        &home,
        &KeychainContext {
            platform: Platform::current(),
            env: &env,
            runner: &SystemRunner,
        },
    );
    let report = SfKeyReport {
        source: Some(
            match &source {
                KeySource::KeyFile(_) => "key-file",
                KeySource::SecretTool(_) => "secret-service",
                KeySource::MacKeychain => "macos-keychain",
            }
            .to_string(),
        ),
        detail: Some(source.to_string()),
    };
    let check = match &source {
        KeySource::KeyFile(path) => key_file_check(path),
        other => check(
            CheckName::SfKey,
            CheckStatus::Ok,
            format!("{other} (read only when an auth file needs it)"),
        ),
    };
    (report, check)
}

pub(super) fn key_file_check(path: &Path) -> DoctorCheck {
    match std::fs::metadata(path) {
        Err(_) => DoctorCheck {
            name: CheckName::SfKey,
            status: CheckStatus::Warning,
            detail: format!(
                "key file {} does not exist: sf has no stored logins here (or keeps its key in \
                 the OS keychain while SF_USE_GENERIC_UNIX_KEYCHAIN is set)",
                path.display()
            ),
            actions: vec!["Log in with sf: sf org login web --alias <alias>".into()],
        },
        Ok(meta) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = meta.permissions().mode() & 0o777;
                if mode != 0o600 {
                    return DoctorCheck {
                        name: CheckName::SfKey,
                        status: CheckStatus::Error,
                        detail: format!(
                            "key file {} has mode {mode:03o}; sf and this tool use it only with \
                             mode 600",
                            path.display()
                        ),
                        actions: vec![format!("chmod 600 {}", path.display())],
                    };
                }
            }
            #[cfg(not(unix))]
            let _ = meta;
            check(
                CheckName::SfKey,
                CheckStatus::Ok,
                format!("key file {} (mode 600)", path.display()),
            )
        }
    }
}

// ---- the org ----
