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

/// A network failure (refused, reset, timed out) after any retries; a refused certificate or
/// proxy (see [`is_permanent`]) says what was refused and what to do.
pub fn network_error(err: &reqwest::Error, what: &str, attempts: u32) -> Error {
    if let Some(refusal) = refusal(err) {
        return refusal_error(err, &refusal, what);
    }
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
    let proxy = err
        .url()
        .and_then(super::https::proxy_for)
        .map(|p| format!(" through the proxy {}", p.url))
        .unwrap_or_default();
    Error::new(
        if err.is_timeout() { "RequestTimeoutError" } else { "ConnectionError" },
        format!(
            "{what}: {kind}{proxy} after {attempts} attempt{}{}",
            if attempts == 1 { "" } else { "s" },
            if cause.is_empty() { String::new() } else { format!(" ({cause})") }
        ),
    )
    .with_exit(ExitStatus::Failure)
    .with_action("Check the network and the org's instance URL (`sf org display -o <alias>`), then run this again.")
}

/// Why a connection was refused in a way no retry changes.
enum Refusal {
    /// The server's certificate, with Node's code for the same problem (what sf users see).
    Certificate { code: &'static str, problem: String },
    /// The proxy answered the CONNECT with 407.
    ProxyAuthentication,
    /// The proxy answered the CONNECT with another refusal.
    ProxyRefused,
}

/// Whether a failure is one no retry changes: a certificate refused, or a proxy that refuses
/// the tunnel or asks for credentials.
pub fn is_permanent(err: &reqwest::Error) -> bool {
    refusal(err).is_some()
}

fn refusal(err: &reqwest::Error) -> Option<Refusal> {
    let mut source = std::error::Error::source(err);
    while let Some(outer) = source {
        // io::Errors wrap others (tokio-rustls hands rustls's error up in one, inside another),
        // and an io::Error's `source` skips what it wraps: unwrapped here.
        let mut e: &(dyn std::error::Error + 'static) = outer;
        loop {
            if let Some(rustls::Error::InvalidCertificate(cert)) = e.downcast_ref::<rustls::Error>()
            {
                return Some(certificate_refusal(cert));
            }
            // hyper-util's tunnel error is not public: known by its words.
            let text = e.to_string();
            if text.starts_with("tunnel error: proxy authorization required") {
                return Some(Refusal::ProxyAuthentication);
            }
            if text.starts_with("tunnel error: unsuccessful") {
                return Some(Refusal::ProxyRefused);
            }
            match e
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
            {
                Some(inner) => e = inner,
                None => break,
            }
        }
        source = outer.source();
    }
    None
}

fn certificate_refusal(cert: &rustls::CertificateError) -> Refusal {
    use rustls::CertificateError as C;
    let (code, problem) = match cert {
        C::UnknownIssuer => (
            "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
            "it is not issued by a certificate authority this machine trusts (unknown issuer)"
                .to_string(),
        ),
        C::NotValidForName | C::NotValidForNameContext { .. } => (
            "ERR_TLS_CERT_ALTNAME_INVALID",
            "it is for another host name (wrong host)".to_string(),
        ),
        C::Expired | C::ExpiredContext { .. } => ("CERT_HAS_EXPIRED", "it has expired".to_string()),
        C::NotValidYet | C::NotValidYetContext { .. } => {
            ("CERT_NOT_YET_VALID", "it is not valid yet".to_string())
        }
        C::Revoked => ("CERT_REVOKED", "it has been revoked".to_string()),
        C::Other(other) if other.0.downcast_ref::<super::https::SelfSigned>().is_some() => (
            "DEPTH_ZERO_SELF_SIGNED_CERT",
            "it is self-signed, and this machine does not trust it".to_string(),
        ),
        other => (
            "CERT_INVALID",
            format!(
                "it is not valid ({})",
                crate::redacted::scrub(&other.to_string())
            ),
        ),
    };
    Refusal::Certificate { code, problem }
}

fn refusal_error(err: &reqwest::Error, refusal: &Refusal, what: &str) -> Error {
    let url = err.url();
    let host = url.and_then(|u| u.host_str()).unwrap_or("the server");
    let proxy = url
        .and_then(super::https::proxy_for)
        .map(|p| p.url)
        .unwrap_or_else(|| "in HTTPS_PROXY".to_string());
    let trust = format!(
        "If your company's network inspects HTTPS (a corporate proxy), trust its root CA as for sf: set {} to a PEM file holding it (your IT team has it). Otherwise the connection may be intercepted: do not work around it.",
        super::https::EXTRA_CA_VAR
    );
    let (name, code, message, action) = match refusal {
        Refusal::Certificate { code, problem } => {
            let action = match *code {
                "ERR_TLS_CERT_ALTNAME_INVALID" => format!(
                    "Check the org's instance URL (`sf org display -o <alias>`): the server at {host} presented a certificate for another name. {trust}"
                ),
                "CERT_HAS_EXPIRED" | "CERT_NOT_YET_VALID" => format!(
                    "Check this machine's clock; if it is right, the certificate of {host} (or of a proxy inspecting HTTPS) must be renewed by its owner."
                ),
                _ => trust.clone(),
            };
            (
                "CertificateError",
                *code,
                format!("{what}: the certificate of {host} was refused: {problem}."),
                action,
            )
        }
        Refusal::ProxyAuthentication => (
            "ProxyAuthenticationError",
            "PROXY_AUTHENTICATION_REQUIRED",
            format!("{what}: the proxy {proxy} asks for a user name and password (407) to reach {host}."),
            "Put the proxy's user name and password in HTTPS_PROXY (http://USER:PASSWORD@HOST:PORT, percent-encoded), as for sf, or ask your IT team.".to_string(),
        ),
        Refusal::ProxyRefused => (
            "ProxyRefusedError",
            "PROXY_CONNECT_REFUSED",
            format!("{what}: the proxy {proxy} refused to open a connection to {host}."),
            format!("Ask your IT team to let {host} through the proxy, or, if it can be reached directly, add it to NO_PROXY."),
        ),
    };
    Error::new(name, message)
        .with_code(code)
        .with_exit(ExitStatus::Failure)
        .with_data(json!({ "host": host, "request": what }))
        .with_action(action)
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
