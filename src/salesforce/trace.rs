//! `--trace FILE` (or `LOGIK_REFRESH_TRACE`): every request to the org and its answer as one
//! JSON line (time, method, path, status, milliseconds, headers, bodies), in a file of mode
//! 600, safe to attach to a bug report: `Authorization` and cookie headers, token and secret
//! fields (`access_token`, `refresh_token`, `client_secret`, `sessionId`, ...) and anything the
//! process holds as a secret or shaped like a session ID are replaced by `[REDACTED]`.

use crate::protocol::{Error, Result};
use crate::redacted::{REDACTED, is_secret_field, scrub, scrub_json};
use serde_json::{Map, Value, json};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// A body longer than this is cut in the trace (the client reads up to its own bound).
const MAX_TRACED_BODY: usize = 1024 * 1024;

static SINK: OnceLock<Mutex<File>> = OnceLock::new();

/// Headers whose values are credentials.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// Opens the trace file: created with mode 600 (an existing regular file is appended to and
/// made private); anything that is not a regular file is refused.
pub fn open(path: &Path) -> Result<()> {
    let fail = |why: String| {
        Error::input(
            "TraceFileError",
            format!("Cannot write the trace to {}: {why}.", path.display()),
        )
        .with_action("Give --trace (or LOGIK_REFRESH_TRACE) the path of a new file in a directory you can write.")
    };
    if let Ok(meta) = std::fs::symlink_metadata(path)
        && !meta.file_type().is_file()
    {
        return Err(fail("it exists and is not a regular file".into()));
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NOFOLLOW: a symlink planted at the path after the check above is refused too.
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(|e| fail(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| fail(e.to_string()))?;
    }
    let _ = SINK.set(Mutex::new(file));
    Ok(())
}

/// True when a trace is being written.
pub fn enabled() -> bool {
    SINK.get().is_some()
}

/// One request and its answer (or what went wrong).
pub struct Exchange<'a> {
    pub method: &'a str,
    pub url: &'a reqwest::Url,
    pub request_headers: &'a reqwest::header::HeaderMap,
    pub request_body: Option<&'a [u8]>,
    pub status: Option<u16>,
    pub response_headers: Option<&'a reqwest::header::HeaderMap>,
    pub response_body: Option<&'a [u8]>,
    pub elapsed: Duration,
    pub error: Option<String>,
}

/// Appends one exchange to the trace, when there is one.
pub fn record(exchange: &Exchange) {
    let Some(sink) = SINK.get() else {
        return;
    };
    let mut line = entry(exchange).to_string();
    line = scrub(&line);
    line.push('\n');
    let mut file = sink.lock().unwrap_or_else(|e| e.into_inner());
    let _ = file.write_all(line.as_bytes());
}

/// The JSON line of an exchange, secrets removed.
pub fn entry(exchange: &Exchange) -> Value {
    let path = match exchange.url.query() {
        Some(query) => format!("{}?{}", exchange.url.path(), redact_form(query)),
        None => exchange.url.path().to_string(),
    };
    let mut entry = json!({
        "time": jiff::Timestamp::now().to_string(),
        "method": exchange.method,
        "host": exchange.url.host_str().unwrap_or_default(),
        "path": path,
        "status": exchange.status,
        "ms": exchange.elapsed.as_millis() as u64,
        "requestHeaders": headers(exchange.request_headers),
        "requestBody": exchange.request_body.map(body),
    });
    if let Some(response) = exchange.response_headers {
        entry["responseHeaders"] = headers(response);
    }
    if let Some(bytes) = exchange.response_body {
        entry["responseBody"] = body(bytes);
    }
    if let Some(error) = &exchange.error {
        entry["error"] = Value::String(error.clone());
    }
    scrub_json(&mut entry);
    entry
}

fn headers(map: &reqwest::header::HeaderMap) -> Value {
    let mut out = Map::new();
    for (name, value) in map {
        let name = name.as_str().to_ascii_lowercase();
        let value = if SECRET_HEADERS.contains(&name.as_str()) {
            REDACTED.to_string()
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        match out.get_mut(&name) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                out.insert(name, Value::String(value));
            }
        }
    }
    Value::Object(out)
}

/// A body as JSON when it is JSON, else as text (form fields and JSON-shaped secret fields
/// redacted); cut when very long. A long JSON body is redacted as JSON before it is cut.
fn body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    let text = match serde_json::from_slice::<Value>(bytes) {
        Ok(mut value) => {
            redact_fields(&mut value);
            if bytes.len() <= MAX_TRACED_BODY {
                return value;
            }
            value.to_string()
        }
        Err(_) => redact_json_text(&redact_form(&String::from_utf8_lossy(bytes))),
    };
    if text.len() <= MAX_TRACED_BODY {
        return Value::String(text);
    }
    let mut end = MAX_TRACED_BODY;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut cut = text[..end].to_string();
    cut.push_str(&format!(
        " [... {} more bytes not traced]",
        text.len() - end
    ));
    Value::String(cut)
}

/// `"access_token" : "x"` -> `"access_token" : "[REDACTED]"` in text that is not (whole) JSON,
/// such as a cut or damaged answer.
fn redact_json_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        let Some(close) = string_end(&rest[open + 1..]).map(|i| open + 1 + i) else {
            break;
        };
        let key = &rest[open + 1..close];
        out.push_str(&rest[..=close]);
        rest = &rest[close + 1..];
        let after_colon = rest
            .trim_start()
            .strip_prefix(':')
            .map(str::trim_start)
            .filter(|v| v.starts_with('"'));
        let Some(value) = after_colon.filter(|_| is_secret_field(key)) else {
            continue;
        };
        out.push_str(&rest[..rest.len() - value.len()]);
        out.push('"');
        out.push_str(REDACTED);
        out.push('"');
        rest = match string_end(&value[1..]) {
            Some(end) => &value[end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Where the JSON string starting `text` (after its opening quote) ends: the unescaped `"`.
fn string_end(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' if !escaped => return Some(i),
            '\\' => escaped = !escaped,
            _ => escaped = false,
        }
    }
    None
}

fn redact_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if is_secret_field(key) && !item.is_null() {
                    *item = Value::String(REDACTED.into());
                } else {
                    redact_fields(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_fields),
        _ => {}
    }
}

/// `a=1&refresh_token=x` -> `a=1&refresh_token=[REDACTED]`; text that is not a form is kept.
fn redact_form(text: &str) -> String {
    if !text.contains('=') || text.contains(char::is_whitespace) {
        return text.to_string();
    }
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_field(name) => format!("{name}={REDACTED}"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_leave_long_and_damaged_bodies() {
        let padding = " ".repeat(MAX_TRACED_BODY + 10);
        let long = format!(r#"{{"access_token":"NEWTOKEN1",{padding}"x":1}}"#);
        let damaged = r#"{"a":"q\"x","access_token" : "NEWTOKEN2\"y","refresh_token":"NEWTOKEN3"#;
        for bytes in [long.as_bytes(), damaged.as_bytes()] {
            let text = body(bytes).to_string();
            assert!(
                !text.contains("NEWTOKEN"),
                "{}",
                &text[..text.len().min(300)]
            );
        }
        assert_eq!(
            redact_json_text(r#"{"id":"a","sessionId":"s1","b":"c"#),
            r#"{"id":"a","sessionId":"[REDACTED]","b":"c"#
        );
    }

    #[test]
    fn secrets_leave_the_trace() {
        let url = reqwest::Url::parse("https://x.my.salesforce.com/services/oauth2/token").unwrap();
        let mut request = reqwest::header::HeaderMap::new();
        request.insert("authorization", "Bearer abc".parse().unwrap());
        request.insert("accept", "application/json".parse().unwrap());
        let mut response = reqwest::header::HeaderMap::new();
        response.insert("set-cookie", "sid=xyz".parse().unwrap());
        let entry = entry(&Exchange {
            method: "POST",
            url: &url,
            request_headers: &request,
            request_body: Some(b"grant_type=refresh_token&client_id=P&refresh_token=5Aep&client_secret=s"),
            status: Some(200),
            response_headers: Some(&response),
            response_body: Some(br#"{"access_token":"00Dx","instance_url":"https://x","nested":[{"sessionId":"q"}]}"#),
            elapsed: Duration::from_millis(12),
            error: None,
        });
        let text = entry.to_string();
        for secret in ["abc", "xyz", "5Aep", "client_secret=s", "00Dx", "\"q\""] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(entry["requestHeaders"]["accept"], "application/json");
        assert_eq!(entry["responseBody"]["instance_url"], "https://x");
        assert_eq!(entry["ms"], 12);
        assert!(
            entry["requestBody"]
                .as_str()
                .unwrap()
                .contains("client_id=P")
        );
    }
}
