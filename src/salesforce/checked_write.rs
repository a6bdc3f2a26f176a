//! Writes that are never retried blindly. The client sends a PATCH or POST once; when it fails,
//! the step reads the org again to see whether the write landed anyway (an answer lost on the
//! way back). Only when it did not, and the failure was transient (a dropped connection, a
//! timeout, 420/429/5xx), is it sent again, after a backoff; any other failure is final.

use crate::protocol::{Error, Result};
use crate::salesforce::client::RetryPolicy;
use serde_json::Value;
use std::time::Duration;

/// How a write ended well.
#[derive(Debug)]
pub enum Written<T> {
    /// The org answered; its answer.
    Answered(T),
    /// The answer was lost, but reading the org again shows the write landed.
    Landed,
}

/// Sends `write`; on failure asks `landed` (a fresh read of the org) and decides: landed is
/// success, a transient failure is sent again (up to the client's retry budget), anything
/// else is returned. When the re-read fails too, the write's error is returned with a note
/// that the org's state is unknown.
pub async fn write_checked<T>(
    write: impl AsyncFnMut() -> Result<T>,
    landed: impl AsyncFnMut() -> Result<bool>,
) -> Result<Written<T>> {
    write_checked_with(RetryPolicy::from_env(), write, landed).await
}

async fn write_checked_with<T>(
    policy: RetryPolicy,
    mut write: impl AsyncFnMut() -> Result<T>,
    mut landed: impl AsyncFnMut() -> Result<bool>,
) -> Result<Written<T>> {
    let mut attempt: u32 = 0;
    loop {
        let err = match write().await {
            Ok(answer) => return Ok(Written::Answered(answer)),
            Err(err) => err,
        };
        match landed().await {
            Ok(true) => return Ok(Written::Landed),
            Ok(false) if is_transient(&err) && attempt < policy.max_retries => {
                tokio::time::sleep(backoff(&policy, attempt)).await;
                attempt += 1;
            }
            Ok(false) => return Err(err),
            Err(read_err) => {
                let mut err = err;
                err.message.push_str(&format!(
                    " Reading the org again to see whether the write landed failed too ({}); the journal lists it as possibly written.",
                    read_err.message
                ));
                return Err(err);
            }
        }
    }
}

/// Failures that say nothing about the request itself: the network, or the org being busy.
pub fn is_transient(err: &Error) -> bool {
    matches!(err.name.as_str(), "ConnectionError" | "RequestTimeoutError")
        || err
            .data
            .as_ref()
            .and_then(|d| d.get("httpStatus"))
            .and_then(Value::as_u64)
            .is_some_and(|status| matches!(status, 420 | 429 | 500 | 502 | 503 | 504))
}

fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    policy
        .base_delay
        .saturating_mul(1u32 << attempt.min(16))
        .min(policy.max_delay)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::cell::Cell;

    const FAST: RetryPolicy = RetryPolicy {
        max_retries: 5,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    };

    fn unavailable() -> Error {
        Error::new("ServerUnavailableError", "503").with_data(json!({"httpStatus": 503}))
    }

    #[tokio::test]
    async fn resends_only_what_did_not_land_and_only_on_transient_failures() {
        let sent = Cell::new(0);
        let out = write_checked_with(
            FAST,
            async || {
                sent.set(sent.get() + 1);
                if sent.get() < 3 {
                    Err(unavailable())
                } else {
                    Ok(7)
                }
            },
            async || Ok(false),
        )
        .await
        .unwrap();
        assert!(matches!(out, Written::Answered(7)));
        assert_eq!(sent.get(), 3);

        let sent = Cell::new(0);
        let out = write_checked_with(
            FAST,
            async || -> Result<()> {
                sent.set(sent.get() + 1);
                Err(Error::new("ConnectionError", "dropped"))
            },
            async || Ok(true),
        )
        .await
        .unwrap();
        assert!(matches!(out, Written::Landed));
        assert_eq!(sent.get(), 1, "landed: not sent again");

        let sent = Cell::new(0);
        let err = write_checked_with(
            FAST,
            async || -> Result<()> {
                sent.set(sent.get() + 1);
                Err(Error::new("FieldIntegrityError", "bad value")
                    .with_data(json!({"httpStatus": 400})))
            },
            async || Ok(false),
        )
        .await
        .unwrap_err();
        assert_eq!(err.name, "FieldIntegrityError");
        assert_eq!(sent.get(), 1, "a 400 is final");

        let err = write_checked_with(
            FAST,
            async || -> Result<()> { Err(Error::new("ConnectionError", "dropped")) },
            async || Err(Error::new("ConnectionError", "still down")),
        )
        .await
        .unwrap_err();
        assert!(err.message.contains("possibly written"), "{}", err.message);
    }
}
