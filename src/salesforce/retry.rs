//! How often and how soon a failed request is tried again.

use std::time::Duration;

/// Retry budget. Defaults follow the sf CLI (5 retries, 500 ms doubling); tests shorten the
/// base delay through `LOGIK_REFRESH_RETRY_BASE_MS` so a fault matrix runs in seconds.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl RetryPolicy {
    pub fn from_env() -> Self {
        let base_ms = env_u64("LOGIK_REFRESH_RETRY_BASE_MS").unwrap_or(500);
        RetryPolicy {
            max_retries: env_u64("LOGIK_REFRESH_MAX_RETRIES")
                .map(|n| n as u32)
                .unwrap_or(5),
            base_delay: Duration::from_millis(base_ms),
            max_delay: Duration::from_secs(30),
        }
    }

    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_delay);
        }
        let exp = self.base_delay.saturating_mul(1u32 << attempt.min(16));
        // Full jitter in [50%, 100%] so parallel runs against one org do not retry in lockstep.
        let jittered = exp.mul_f64(0.5 + fastrand::f64() * 0.5);
        jittered.min(self.max_delay)
    }
}

pub(crate) fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_honours_retry_after() {
        let policy = RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
        };
        let first = policy.delay(0, None);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let third = policy.delay(2, None);
        assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(99))),
            Duration::from_secs(5)
        );
    }
}
