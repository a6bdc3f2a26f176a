//! Secrets (access tokens, refresh tokens, keys) in a type that cannot leak by accident: its
//! `Debug` and `Display` say `[REDACTED]`, it has no `Serialize`, and reading the value takes an
//! explicit `expose()` that a reviewer can grep for.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself: only for an `Authorization` header, a token request or a keystore.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Removes every occurrence of this secret from `text` (for messages that echo a server's
    /// or another program's words).
    pub fn scrub(&self, text: &str) -> String {
        if self.0.len() < 8 {
            return text.to_string();
        }
        text.replace(&self.0, REDACTED)
    }
}

pub const REDACTED: &str = "[REDACTED]";

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// True for the placeholder sf prints instead of a token since 2.136.8
/// (`[REDACTED] Use 'sf org auth show-access-token' to view`), or an empty value.
pub fn is_redacted_placeholder(value: &str) -> bool {
    let value = value.trim();
    value.is_empty() || value.starts_with("[REDACTED]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("00D5e000000AbCd!AQ4AQsecret");
        assert_eq!(format!("{s:?} {s}"), "[REDACTED] [REDACTED]");
        assert_eq!(
            s.scrub("token 00D5e000000AbCd!AQ4AQsecret bad"),
            "token [REDACTED] bad"
        );
    }

    #[test]
    fn recognises_sf_placeholder() {
        assert!(is_redacted_placeholder(
            "[REDACTED] Use 'sf org auth show-access-token' to view"
        ));
        assert!(!is_redacted_placeholder("00D5e000000AbCd!AQ4AQ"));
    }
}
