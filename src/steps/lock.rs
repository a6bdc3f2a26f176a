//! One writer per org: every command that may write to an org (`run`, `step`, `rollback`) holds
//! an exclusive OS file lock on `<state dir>/locks/<org ID>.lock` while it works. The operating
//! system releases it when the process ends, however it ends, so a crash never leaves a stale
//! lock. The file also says who holds it (pid, command, since when), for the message a second
//! writer gets.

use crate::path_part::PathPart;
use crate::protocol::{Error, ExitStatus, Result};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// Who holds an org's lock, as written in the lock file.
#[derive(Debug, Serialize, Deserialize)]
struct Holder {
    pid: u32,
    command: String,
    since: String,
}

/// A held lock; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct OrgLock {
    _file: File,
    /// Whether another process held it first (what was read of the org before is stale).
    pub waited: bool,
}

/// How long `--wait-lock` waits when given no number of seconds.
pub const DEFAULT_WAIT_SECS: u64 = 300;

impl OrgLock {
    /// Takes the org's lock: at once, or within `wait` (`--wait-lock`). A lock held by another
    /// process is an error naming it (exit 1), or, after `wait`, a time-out (exit 69).
    pub fn acquire(state_dir: &Path, org: &PathPart, wait: Option<Duration>) -> Result<OrgLock> {
        let dir = state_dir.join("locks");
        let path = dir.join(org.file("lock"));
        let fail = |e: std::io::Error| {
            Error::new(
                "OrgLockError",
                format!("Could not take the lock {}: {e}", path.display()),
            )
            .with_action(
                "Check that the state folder is writable (LOGIK_REFRESH_STATE_DIR sets another).",
            )
        };
        crate::fsutil::create_private_dir(&dir).map_err(fail)?;
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let started = Instant::now();
        let mut waited_once = false;
        loop {
            let mut file = options.open(&path).map_err(fail)?;
            match file.try_lock() {
                Ok(()) => {
                    let holder = Holder {
                        pid: std::process::id(),
                        command: command_line(),
                        since: jiff::Timestamp::now().to_string(),
                    };
                    let text = serde_json::to_string(&holder).expect("the holder serializes");
                    file.set_len(0).map_err(fail)?;
                    file.write_all(text.as_bytes()).map_err(fail)?;
                    file.flush().map_err(fail)?;
                    return Ok(OrgLock {
                        _file: file,
                        waited: waited_once,
                    });
                }
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(fail(e)),
            }
            drop(file);
            match wait {
                Some(wait) if started.elapsed() < wait => {
                    waited_once = true;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Some(wait) => return Err(locked(&path, org.as_str(), Some(wait))),
                None => return Err(locked(&path, org.as_str(), None)),
            }
        }
    }
}

/// The command's words up to its first flag (`logik-refresh step tenant-urls`): enough to
/// recognise it, and no flag value, which might be private.
fn command_line() -> String {
    let mut words = std::env::args().take_while(|a| !a.starts_with('-'));
    let program = words
        .next()
        .map(|p| {
            Path::new(&p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(p)
        })
        .unwrap_or_else(|| "logik-refresh".into());
    std::iter::once(program)
        .chain(words)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The error for a lock another process holds, naming it. The file says who last took the lock;
/// the operating system says who holds it now. They differ when the holder has not written its
/// name yet, or holds the file without being this tool: the file's name is then stale, and the
/// message says so rather than blame a process that has ended.
fn locked(path: &Path, org_id: &str, waited: Option<Duration>) -> Error {
    let holder = crate::fsutil::read_bounded_text(path)
        .ok()
        .and_then(|text| serde_json::from_str::<Holder>(&text).ok());
    let holding = holding_pid(path);
    let named_holds = match (&holder, holding) {
        (Some(h), Some(pid)) => h.pid == pid,
        (Some(h), None) => process_exists(h.pid),
        (None, _) => false,
    };
    let who = match (&holder, holding) {
        (Some(h), _) if named_holds => {
            format!("process {} ({}), since {}", h.pid, h.command, h.since)
        }
        (Some(h), Some(pid)) => format!(
            "process {pid} (the lock file still names process {}, which {})",
            h.pid,
            if process_exists(h.pid) {
                "no longer holds it"
            } else {
                "has ended"
            }
        ),
        (Some(h), None) => format!(
            "another process (the lock file still names process {}, which has ended)",
            h.pid
        ),
        (None, Some(pid)) => format!("process {pid}"),
        (None, None) => "another process".to_string(),
    };
    let message = match waited {
        Some(wait) => format!(
            "Org {org_id} is still being changed by {who} after waiting {} s; nothing was done.",
            wait.as_secs()
        ),
        None => format!("Org {org_id} is being changed by {who}; nothing was done."),
    };
    let named = holder.as_ref().filter(|_| named_holds);
    let err = Error::new("OrgLockedError", message)
        .with_action("Let the other run finish, then run this again.")
        .with_action(format!(
            "Or add --wait-lock [SECONDS] to wait for it (default {DEFAULT_WAIT_SECS} s)."
        ))
        .with_data(serde_json::json!({
            "orgId": org_id,
            "lockFile": path.display().to_string(),
            "pid": named.map(|h| h.pid).or(holding),
            "command": named.map(|h| h.command.clone()),
            "since": named.map(|h| h.since.clone()),
            "stalePid": holder.as_ref().filter(|_| !named_holds).map(|h| h.pid),
        }));
    if waited.is_some() {
        err.with_exit(ExitStatus::TimedOut)
    } else {
        err
    }
}

/// The process holding the file's lock, as the kernel lists it (`/proc/locks`, Linux); None
/// where that cannot be known.
fn holding_pid(path: &Path) -> Option<u32> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        let (major, minor) = (libc::major(meta.dev()), libc::minor(meta.dev()));
        let locks = crate::fsutil::read_bounded_text(Path::new("/proc/locks")).ok()?;
        locks.lines().find_map(|line| {
            // `1: FLOCK  ADVISORY  WRITE 18479 fe:00:10011649 0 EOF`
            let fields: Vec<&str> = line.split_whitespace().collect();
            let at = fields.iter().position(|f| *f == "FLOCK")?;
            let pid: u32 = fields.get(at + 3)?.parse().ok()?;
            let mut id = fields.get(at + 4)?.split(':');
            let same = u32::from_str_radix(id.next()?, 16).ok()? == major
                && u32::from_str_radix(id.next()?, 16).ok()? == minor
                && id.next()?.parse::<u64>().ok()? == meta.ino();
            same.then_some(pid)
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        None
    }
}

/// Whether a process with this ID runs (kill(2) with no signal); true where that cannot be
/// known, so a holder is never called gone without reason.
fn process_exists(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let result = unsafe { libc::kill(pid, 0) };
        result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: &str) -> PathPart {
        PathPart::parse_org_id(id).unwrap()
    }

    #[test]
    fn a_second_holder_is_refused_and_named_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = OrgLock::acquire(dir.path(), &org("00D000000000001"), None).unwrap();
        let second = OrgLock::acquire(dir.path(), &org("00D000000000001"), None).unwrap_err();
        assert_eq!(second.name, "OrgLockedError");
        assert!(
            second
                .message
                .contains(&format!("process {}", std::process::id())),
            "{}",
            second.message
        );
        let waited = OrgLock::acquire(
            dir.path(),
            &org("00D000000000001"),
            Some(Duration::from_millis(200)),
        )
        .unwrap_err();
        assert_eq!(waited.exit, ExitStatus::TimedOut);
        OrgLock::acquire(dir.path(), &org("00D000000000002"), None).unwrap();
        drop(first);
        OrgLock::acquire(dir.path(), &org("00D000000000001"), None).unwrap();
    }
}
