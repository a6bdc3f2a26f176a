//! Secrets (access tokens, refresh tokens, keys) in a type that cannot leak by accident: its
//! `Debug` and `Display` say `[REDACTED]`, it has no `Serialize`, and reading the value takes an
//! explicit `expose()` that a reviewer can grep for.
//!
//! The process also keeps a registry of the secrets it holds for an org (access tokens, refresh
//! tokens, client secrets: [`Secret::hold`]). [`scrub`] is the one place that removes all of them,
//! and anything shaped like a Salesforce session ID, from text that came from outside (server
//! messages, bodies quoted in errors, sf's output) before it reaches any output or file.

use std::fmt;
use std::sync::RwLock;

/// Every secret the process holds for an org, and its form-encoded spelling (a server that
/// echoes a token request quotes it so).
static HELD: RwLock<Vec<String>> = RwLock::new(Vec::new());

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// A secret of an org (token, client secret), added to the process's registry at once.
    pub fn held(value: impl Into<String>) -> Self {
        let secret = Secret::new(value);
        secret.hold();
        secret
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

    /// Adds this secret to the process's registry: from now on [`scrub`] removes it from any
    /// text. For secrets that must never reach output (an org's tokens and client secret);
    /// not for a value the user asked to see (`secret get`).
    pub fn hold(&self) -> &Self {
        if self.0.len() >= 8 {
            let mut held = HELD.write().unwrap_or_else(|e| e.into_inner());
            for form in [self.0.clone(), form_encoded(&self.0)] {
                if !held.contains(&form) {
                    held.push(form);
                }
            }
            // Longest first, so a secret that contains another is removed whole.
            held.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
        self
    }
}

/// Removes every secret the process holds ([`Secret::hold`]) and every Salesforce session ID
/// (`00D…!…`, held or not) from text that came from outside.
pub fn scrub(text: &str) -> String {
    let mut out = text.to_string();
    for secret in HELD.read().unwrap_or_else(|e| e.into_inner()).iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    scrub_session_ids(&out)
}

/// [`scrub`] on every string of a JSON value, keys too.
pub fn scrub_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => *s = scrub(s),
        Value::Array(items) => items.iter_mut().for_each(scrub_json),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                scrub_json(&mut item);
                map.insert(scrub(&key), item);
            }
        }
        _ => {}
    }
}

/// Field names (JSON keys or form fields, any case, `_` or camelCase) whose values are secrets.
const SECRET_FIELDS: [&str; 8] = [
    "accesstoken",
    "refreshtoken",
    "clientsecret",
    "sessionid",
    "idtoken",
    "password",
    "sid",
    "assertion",
];

/// Whether a JSON key or form field names a secret (`access_token`, `sessionId`, ...).
pub fn is_secret_field(name: &str) -> bool {
    let folded: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_FIELDS.contains(&folded.as_str())
}

/// Holds ([`Secret::hold`]) every string under a secret field of a JSON answer (a token
/// renewal's new `access_token`), so that nothing written afterwards shows it. An answer that is
/// not JSON holds nothing.
pub fn hold_secret_fields(body: &[u8]) {
    fn walk(value: &serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    match item {
                        Value::String(text) if is_secret_field(key) => {
                            Secret::new(text.as_str()).hold();
                        }
                        _ => walk(item),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(walk),
            _ => {}
        }
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        walk(&value);
    }
}

/// A Salesforce session ID is an org ID (`00D` + 12 or 15 characters), `!`, and a long opaque
/// part; org IDs alone never carry the `!`, so nothing else is taken for one.
fn scrub_session_ids(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(found) = text[i..].find("00D") {
        let start = i + found;
        let id_end = start
            + 3
            + bytes[start + 3..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
        let id_len = id_end - start;
        if (id_len == 15 || id_len == 18) && bytes.get(id_end) == Some(&b'!') {
            let tail = bytes[id_end + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
                .count();
            if tail >= 16 {
                out.push_str(&text[copied..start]);
                out.push_str(REDACTED);
                copied = id_end + 1 + tail;
                i = copied;
                continue;
            }
        }
        i = start + 3;
    }
    out.push_str(&text[copied..]);
    out
}

fn form_encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
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
    fn held_secrets_and_session_ids_are_scrubbed() {
        Secret::new("held-refresh-token/with+odd=chars!").hold();
        let text =
            "a held-refresh-token/with+odd=chars! b held-refresh-token%2Fwith%2Bodd%3Dchars%21 c";
        assert_eq!(scrub(text), "a [REDACTED] b [REDACTED] c");
        // A session ID nobody registered, next to an org ID that must stay.
        let text =
            "org 00D5e000000AbCdEAK token 00D5e000000AbCd!AQ4AQFakeSessionPart0123456789.x end";
        assert_eq!(scrub(text), "org 00D5e000000AbCdEAK token [REDACTED] end");
        let mut value = serde_json::json!({"m": ["x held-refresh-token/with+odd=chars!"]});
        scrub_json(&mut value);
        assert_eq!(value, serde_json::json!({"m": ["x [REDACTED]"]}));
    }

    #[test]
    fn recognises_sf_placeholder() {
        assert!(is_redacted_placeholder(
            "[REDACTED] Use 'sf org auth show-access-token' to view"
        ));
        assert!(!is_redacted_placeholder("00D5e000000AbCd!AQ4AQ"));
    }
}
