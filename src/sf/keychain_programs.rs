//! The OS keychain programs sf reads its key with: `secret-tool` (Linux Secret Service) and
//! `/usr/bin/security` (the macOS login keychain), run with a deadline, their answers read the
//! way `@salesforce/core` (`crypto/keyChainImpl.ts`) reads them. What they print is never shown.

use crate::sf::home::sfdx_dir;
use crate::sf::key_file::{ACCOUNT, SERVICE, key_not_found};
use crate::{Error, Result};
use std::path::Path;

const MAC_SECURITY: &str = "/usr/bin/security";
/// sf retries `secret-tool` this many times when it answers "invalid or unencryptable secret".
const SECRET_TOOL_RETRIES: usize = 3;

/// What a keychain program printed.
#[derive(Debug, Clone, Default)]
pub struct ProgramOutput {
    /// The exit code; `None` when a signal ended it.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs keychain programs; tests give a fake.
pub trait ProgramRunner {
    /// True when the program is there and executable (when it is not, sf on Linux falls back
    /// to `key.json`).
    fn is_executable(&self, program: &Path) -> bool;
    fn run(&self, program: &Path, args: &[&str]) -> std::io::Result<ProgramOutput>;
}

/// Runs the real programs, with no stdin (a keychain prompt, if any, is the OS's own dialog).
pub struct SystemRunner;

impl ProgramRunner for SystemRunner {
    fn is_executable(&self, program: &Path) -> bool {
        match std::fs::metadata(program) {
            Ok(meta) if meta.is_file() => {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    meta.permissions().mode() & 0o111 != 0
                }
                #[cfg(not(unix))]
                {
                    true
                }
            }
            _ => false,
        }
    }

    fn run(&self, program: &Path, args: &[&str]) -> std::io::Result<ProgramOutput> {
        let mut command = std::process::Command::new(program);
        command.args(args);
        let what = format!("`{}`", program.display());
        let limit = crate::salesforce::limits::deadline();
        let output =
            crate::sf::runner::run_bounded(command, &what, limit).map_err(|e| match e {
                crate::sf::runner::ChildError::Spawn(e) => e,
                crate::sf::runner::ChildError::Deadline(err) => {
                    std::io::Error::new(std::io::ErrorKind::TimedOut, err.message)
                }
            })?;
        Ok(ProgramOutput {
            code: output.code,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}

pub(crate) fn read_secret_tool(
    program: &Path,
    runner: &dyn ProgramRunner,
    home: &Path,
) -> Result<String> {
    let args = ["lookup", "user", ACCOUNT, "domain", SERVICE];
    let command = format!("{} {}", program.display(), args.join(" "));
    let mut attempt = 0;
    loop {
        let output = runner.run(program, &args).map_err(|e| {
            Error::new(
                "KeychainAccessError",
                format!("Could not run {}: {e}.", program.display()),
            )
            .with_action(format!("Check that this works: {command}"))
        })?;
        match interpret_secret_tool(&output) {
            SecretToolAnswer::Key(key) => return Ok(key),
            SecretToolAnswer::Retry if attempt < SECRET_TOOL_RETRIES => attempt += 1,
            SecretToolAnswer::Retry | SecretToolAnswer::NotFound => {
                return Err(key_not_found(format!(
                    "sf's key is not in the Secret Service ({command} found nothing{}).",
                    first_line_note(&output.stderr)
                ))
                .with_action(format!(
                    "If sf on this machine keeps its key in {} instead, set \
                     SF_USE_GENERIC_UNIX_KEYCHAIN=true.",
                    sfdx_dir(home).join("key.json").display()
                )));
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum SecretToolAnswer {
    Key(String),
    NotFound,
    Retry,
}

/// sf's reading of `secret-tool lookup`: exit 1 is "not found" (retried when stderr says
/// "invalid or unencryptable secret"); any other exit gives stdout, trimmed.
fn interpret_secret_tool(output: &ProgramOutput) -> SecretToolAnswer {
    if output.code == Some(1) {
        if output.stderr.contains("invalid or unencryptable secret") {
            return SecretToolAnswer::Retry;
        }
        return SecretToolAnswer::NotFound;
    }
    match output.stdout.trim() {
        "" => SecretToolAnswer::NotFound,
        key => SecretToolAnswer::Key(key.to_string()),
    }
}

pub(crate) fn read_mac_keychain(runner: &dyn ProgramRunner, home: &Path) -> Result<String> {
    let program = Path::new(MAC_SECURITY);
    let args = ["find-generic-password", "-a", ACCOUNT, "-s", SERVICE, "-g"];
    let command = format!("{MAC_SECURITY} {}", args.join(" "));
    let output = runner.run(program, &args).map_err(|e| {
        Error::new(
            "KeychainAccessError",
            format!("Could not run {MAC_SECURITY}: {e}."),
        )
        .with_action(format!("Check that this works: {command}"))
    })?;
    match interpret_mac_security(&output) {
        MacAnswer::Key(key) => Ok(key),
        MacAnswer::Cancelled => Err(Error::new(
            "KeychainAccessDeniedError",
            "Access to sf's key in the macOS keychain was cancelled.",
        )
        .with_action("Run the command again and allow access (\"Always Allow\" stops the question).")),
        MacAnswer::NotFound => Err(key_not_found(format!(
            "sf's key is not in the macOS login keychain ({command} found nothing{}).",
            first_line_note(&output.stderr)
        ))
        .with_action(format!(
            "If sf on this machine keeps its key in {} instead, set SF_USE_GENERIC_UNIX_KEYCHAIN=true.",
            sfdx_dir(home).join("key.json").display()
        ))),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum MacAnswer {
    Key(String),
    NotFound,
    Cancelled,
}

/// sf's reading of `security find-generic-password -g`: exit 128 is a cancelled prompt, another
/// non-zero exit is "not found"; on success the key is the quoted text of the `password:` line
/// on stderr.
fn interpret_mac_security(output: &ProgramOutput) -> MacAnswer {
    match output.code {
        Some(0) => {}
        Some(128) => return MacAnswer::Cancelled,
        _ => return MacAnswer::NotFound,
    }
    let line = output
        .stderr
        .lines()
        .find(|l| l.trim_start().starts_with("password:"));
    let quoted = line.and_then(|l| {
        let start = l.find('"')? + 1;
        let end = l.rfind('"')?;
        l.get(start..end)
    });
    match quoted {
        Some(key) if !key.is_empty() => MacAnswer::Key(key.to_string()),
        _ => MacAnswer::NotFound,
    }
}

/// `: <first stderr line>` for a message, short, when the program said something (never stdout,
/// which could hold the key).
fn first_line_note(stderr: &str) -> String {
    match stderr.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(line) if !line.contains("password:") => {
            let short: String = line.chars().take(160).collect();
            format!(": {short}")
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(code: i32, stdout: &str, stderr: &str) -> ProgramOutput {
        ProgramOutput {
            code: Some(code),
            stdout: stdout.into(),
            stderr: stderr.into(),
        }
    }

    #[test]
    fn empty_answers_are_no_key_and_notes_never_hold_it() {
        assert_eq!(
            interpret_mac_security(&out(0, "", "password: \"\"")),
            MacAnswer::NotFound
        );
        assert_eq!(
            interpret_secret_tool(&out(0, "  \n", "")),
            SecretToolAnswer::NotFound
        );
        let key = "0de6bfdf43c69135b8aa04c35092b21e";
        assert_eq!(first_line_note(&format!("password: \"{key}\"")), "");
    }
}
