//! Secret names (`runtime-client/<client>`, `admin-api-key[/<name>]`), their variables, and
//! reading a value from a pipe.

use super::*;
use crate::protocol::{Error, Result};
use crate::redacted::Secret;
use std::fmt;
use std::io::Read;

pub(super) const MAX_SEGMENT: usize = 64;

/// The kinds of secret, and whether the part after `/` is required.
pub(super) const KINDS: &[(&str, bool)] = &[("runtime-client", true), ("admin-api-key", false)];

pub(super) const NAME_FORMS: &str =
    "runtime-client/<client>, admin-api-key or admin-api-key/<name>";

/// A valid secret name, e.g. `runtime-client/web-store`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretName(String);

impl SecretName {
    /// Checks a name against the allowed forms; the error says which form to use, without
    /// repeating what was given (a token pasted where the name goes must not be echoed).
    pub fn parse(text: &str) -> Result<SecretName> {
        let text = text.trim();
        let bad = |message: String| {
            Error::input("InvalidSecretNameError", message)
                .with_action(format!("Use one of: {NAME_FORMS}."))
                .with_action("For example: logik-refresh secret set runtime-client/web-store")
        };
        let (kind, rest) = match text.split_once('/') {
            Some((kind, rest)) => (kind, Some(rest)),
            None => (text, None),
        };
        let Some(&(kind, required)) = KINDS.iter().find(|(k, _)| *k == kind) else {
            let hint = KINDS
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(kind))
                .map(|(k, _)| format!(" (kinds are lower case: {k})"))
                .unwrap_or_default();
            return Err(bad(format!(
                "That is not a secret name{hint}: names are {NAME_FORMS}."
            )));
        };
        match rest {
            None if required => Err(bad(format!(
                "{kind} needs the client's name after a slash, e.g. {kind}/web-store."
            ))),
            None => Ok(SecretName(kind.to_string())),
            Some(segment) => {
                check_segment(segment).map_err(|why| bad(format!("In the {kind} name, {why}.")))?;
                Ok(SecretName(format!("{kind}/{segment}")))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The variable that carries this secret where no keystore is: `LOGIK_REFRESH_SECRET_`
    /// then the name in upper case with `/`, `-` and `.` as `_`. Names that differ only in
    /// case or in those characters share a variable.
    pub fn env_var(&self) -> String {
        let tail: String = self
            .0
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        format!("{ENV_PREFIX}{tail}")
    }
}

pub(super) fn check_segment(segment: &str) -> std::result::Result<(), String> {
    if segment.is_empty() {
        return Err("the part after the slash is empty".into());
    }
    if segment.len() > MAX_SEGMENT {
        return Err(format!(
            "the part after the slash is longer than {MAX_SEGMENT} characters"
        ));
    }
    if !segment.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("the part after the slash must start with a letter or digit".into());
    }
    if let Some(c) = segment
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
    {
        return Err(format!(
            "{c:?} is not allowed: use letters, digits, '-', '_' and '.'"
        ));
    }
    Ok(())
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads a secret value from a pipe: at most [`MAX_VALUE_BYTES`], UTF-8, one line (one trailing
/// newline is dropped). Returns warnings about the value's shape; errors never quote it.
pub fn read_value(reader: impl Read, name: &SecretName) -> Result<(Secret, Vec<String>)> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_VALUE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::input("InputReadError", format!("Could not read stdin: {e}")))?;
    let pipe_actions = |err: Error| {
        err.with_action(format!("macOS: pbpaste | logik-refresh secret set {name}"))
            .with_action(format!(
                "PowerShell: Get-Clipboard | logik-refresh secret set {name}"
            ))
            .with_action(format!(
                "From a file: logik-refresh secret set {name} < token.txt"
            ))
    };
    if bytes.len() > MAX_VALUE_BYTES {
        return Err(pipe_actions(Error::input(
            "SecretTooLargeError",
            format!(
                "The value on stdin is larger than {} KiB; tokens and API keys are far smaller.",
                MAX_VALUE_BYTES / 1024
            ),
        )));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::input(
            "InputEncodingError",
            "The value on stdin is not UTF-8 text.",
        )
    })?;
    let mut value = text.as_str();
    if let Some(rest) = value.strip_suffix('\n') {
        value = rest.strip_suffix('\r').unwrap_or(rest);
    }
    if value.is_empty() {
        return Err(pipe_actions(Error::input(
            "EmptySecretError",
            format!("Nothing came in on stdin, so {name} was not stored."),
        )));
    }
    if value.contains(['\n', '\r']) {
        let lines = value.lines().count();
        return Err(pipe_actions(Error::input(
            "MultilineSecretError",
            format!(
                "The value on stdin has {lines} lines; a token or key is one line. Nothing was \
                 stored."
            ),
        ))
        .with_action("Copy only the token, then pipe it in again."));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::input(
            "InvalidSecretError",
            "The value on stdin holds control characters; a token or key is printable text. \
             Nothing was stored.",
        )
        .with_action("Copy only the token, then pipe it in again."));
    }
    let mut warnings = Vec::new();
    if value.trim() != value {
        warnings.push(
            "The value starts or ends with spaces; it was stored as given. If they came with \
             the copy, set it again without them."
                .to_string(),
        );
    }
    Ok((Secret::new(value), warnings))
}
