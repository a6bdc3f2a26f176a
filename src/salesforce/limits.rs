//! The bounds on everything the tool waits for or takes from outside: an overall deadline for
//! each network operation (a request with its retries and token renewal, or a run of sf), a
//! note on stderr when a wait grows long, and a cap on the size of any answer.

use crate::protocol::output::eprintln_quiet;
use crate::protocol::{Error, ExitStatus, Result};
use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

/// The largest answer read from a server (a describe of a big object is a few MiB).
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// How long one network operation may take, retries included, unless `--net-timeout` or
/// `LOGIK_REFRESH_NET_TIMEOUT` says otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

/// After this long a wait is announced on stderr (on a terminal).
const NOTICE_AFTER: Duration = Duration::from_secs(5);

static DEADLINE: OnceLock<Duration> = OnceLock::new();

/// Sets the deadline for the process (from `--net-timeout`); the first call wins.
pub fn set_deadline(limit: Duration) {
    let _ = DEADLINE.set(limit);
}

/// The deadline of one network operation.
pub fn deadline() -> Duration {
    *DEADLINE.get().unwrap_or(&DEFAULT_DEADLINE)
}

/// Runs one network operation within the deadline. Past a few seconds, a person at a terminal
/// is told what the tool waits for; at the deadline the operation is dropped (its connection
/// closed) and a clear error says what did not answer.
pub async fn within_deadline<T>(
    what: &str,
    work: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    let limit = deadline();
    let work = tokio::time::timeout(limit, work);
    tokio::pin!(work);
    let notice = tokio::time::sleep(NOTICE_AFTER.min(limit));
    tokio::pin!(notice);
    let mut noticed = false;
    loop {
        tokio::select! {
            done = &mut work => return done.unwrap_or_else(|_| Err(deadline_error(what, limit))),
            _ = &mut notice, if !noticed => {
                noticed = true;
                if std::io::stderr().is_terminal() {
                    eprintln_quiet(&format!(
                        "Still waiting for {what} ({} s so far; giving up after {}).",
                        NOTICE_AFTER.as_secs(),
                        show(limit)
                    ));
                }
            }
        }
    }
}

/// The error for an operation that did not finish in time.
pub fn deadline_error(what: &str, limit: Duration) -> Error {
    Error::new(
        "DeadlineExceededError",
        format!("{what} did not finish within {}; it was stopped.", show(limit)),
    )
    .with_exit(ExitStatus::Failure)
    .with_action("Check the network and the org's instance URL (`sf org display -o <alias>`), then run this again.")
    .with_action("Give slow networks more time with --net-timeout (or LOGIK_REFRESH_NET_TIMEOUT), e.g. --net-timeout 5m.")
}

/// The error for an answer larger than [`MAX_BODY_BYTES`].
pub fn too_large_error(what: &str) -> Error {
    Error::new(
        "ResponseTooLargeError",
        format!(
            "The answer to {what} is larger than {} MiB; the tool stopped reading it.",
            MAX_BODY_BYTES / (1024 * 1024)
        ),
    )
    .with_action("Check that the instance URL is the org's (`sf org display -o <alias>`): a Salesforce answer is never this large.")
}

/// `90 s`, `2 min`.
fn show(limit: Duration) -> String {
    let secs = limit.as_secs_f64();
    if secs >= 120.0 && secs % 60.0 == 0.0 {
        format!("{} min", secs / 60.0)
    } else if secs >= 1.0 {
        format!("{} s", secs.round())
    } else {
        format!("{} ms", limit.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(show(Duration::from_secs(2)), "2 s");
        assert_eq!(show(Duration::from_secs(300)), "5 min");
        assert_eq!(show(Duration::from_millis(250)), "250 ms");
    }
}
