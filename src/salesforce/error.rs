//! Salesforce's error arrays (`[{"message","errorCode","fields"}]`) turned into the tool's error,
//! with sf-style names a script can match on.

use crate::protocol::{Error, ExitStatus};
use serde_json::{Value, json};

/// Builds the error for a non-success answer. `what` names the request (`GET query`), never
/// with a token in it.
pub fn api_error(status: u16, body: &str, what: &str) -> Error {
    // The server's words may quote a token (a proxy that echoes the request): scrubbed before
    // they reach a message, a journal note or a trace.
    let body = crate::redacted::scrub(body);
    let (error_code, message, fields) = first_error(&body);
    let error_code = error_code.unwrap_or_else(|| default_code(status).to_string());
    let name = match error_code.as_str() {
        "INVALID_SESSION_ID" => "InvalidSessionError",
        "REQUEST_LIMIT_EXCEEDED" => "RequestLimitExceededError",
        "MALFORMED_QUERY" => "MalformedQueryError",
        "INVALID_FIELD" => "InvalidFieldError",
        "INVALID_TYPE" => "InvalidTypeError",
        "NOT_FOUND" => "NotFoundError",
        "DUPLICATE_VALUE" => "DuplicateValueError",
        "FIELD_INTEGRITY_EXCEPTION" => "FieldIntegrityError",
        "INSUFFICIENT_ACCESS" | "INSUFFICIENT_ACCESS_OR_READONLY" => "InsufficientAccessError",
        "SERVER_UNAVAILABLE" | "SERVICE_UNAVAILABLE" => "ServerUnavailableError",
        _ => "SalesforceApiError",
    };
    let message = match message {
        Some(m) => format!("Salesforce answered {status} {error_code} to {what}: {m}"),
        None => format!("Salesforce answered {status} {error_code} to {what}."),
    };
    let mut err = Error::new(name, message)
        .with_code(error_code.clone())
        .with_data(json!({ "httpStatus": status, "errorCode": error_code, "fields": fields, "request": what }));
    match error_code.as_str() {
        "REQUEST_LIMIT_EXCEEDED" => {
            err = err.with_action(
                "The org's daily API request limit is used up: wait for it to reset (Setup > Company Information shows usage), then run this again.",
            )
        }
        "INVALID_FIELD" | "INVALID_TYPE" => {
            err = err.with_action(
                "The org lacks a field or object this step needs: check that the Logik.ai package is installed and up to date, and that your user can see it.",
            )
        }
        "INSUFFICIENT_ACCESS" | "INSUFFICIENT_ACCESS_OR_READONLY" => {
            err = err.with_action("Run this as a System Administrator of the org.")
        }
        _ => {}
    }
    if (500..600).contains(&status) {
        err = err.with_action("Salesforce had a server problem: try again in a few minutes.");
    }
    err
}

/// A network failure (refused, reset, timed out) after any retries.
pub fn network_error(err: &reqwest::Error, what: &str, attempts: u32) -> Error {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "the connection failed"
    };
    // reqwest's Display names the URL; ours never carry secrets, but keep only the cause chain.
    let mut cause = String::new();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        cause = crate::redacted::scrub(&s.to_string());
        source = s.source();
    }
    Error::new(
        if err.is_timeout() { "RequestTimeoutError" } else { "ConnectionError" },
        format!(
            "{what}: {kind} after {attempts} attempt{}{}",
            if attempts == 1 { "" } else { "s" },
            if cause.is_empty() { String::new() } else { format!(" ({cause})") }
        ),
    )
    .with_exit(ExitStatus::Failure)
    .with_action("Check the network and the org's instance URL (`sf org display -o <alias>`), then run this again.")
}

fn first_error(body: &str) -> (Option<String>, Option<String>, Value) {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return (None, None, Value::Null);
    };
    let first = match &value {
        Value::Array(items) => items.first().cloned().unwrap_or(Value::Null),
        Value::Object(_) => value.clone(),
        _ => Value::Null,
    };
    let code = first
        .get("errorCode")
        .or_else(|| first.get("error"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let message = first
        .get("message")
        .or_else(|| first.get("error_description"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let fields = first.get("fields").cloned().unwrap_or(Value::Null);
    (code, message, fields)
}

fn default_code(status: u16) -> &'static str {
    match status {
        400 => "BAD_REQUEST",
        401 => "INVALID_SESSION_ID",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        420 | 429 => "TOO_MANY_REQUESTS",
        503 => "SERVER_UNAVAILABLE",
        _ => "HTTP_ERROR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_salesforce_error_arrays() {
        let err = api_error(
            400,
            r#"[{"message":"No such column 'Foo'","errorCode":"INVALID_FIELD","fields":["Foo"]}]"#,
            "GET query",
        );
        assert_eq!(err.name, "InvalidFieldError");
        assert_eq!(err.code(), "INVALID_FIELD");
        assert!(err.message.contains("No such column 'Foo'"));
        let err = api_error(
            403,
            r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#,
            "GET query",
        );
        assert_eq!(err.name, "RequestLimitExceededError");
        assert!(!err.actions.is_empty());
        let err = api_error(502, "<html>bad gateway</html>", "GET query");
        assert_eq!(err.code(), "HTTP_ERROR");
    }
}
