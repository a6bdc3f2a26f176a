//! What the client makes of an answer, apart from the network: status, headers and body in,
//! a value, a retry or an error out. Everything here is a pure function of what the server sent,
//! so it runs (and is fuzzed: `fuzz/fuzz_targets/response.rs`) without a server.

use super::error::api_error;
use crate::protocol::{Error, Result};
use serde_json::Value;
use std::time::Duration;

/// What to do with one answer.
#[derive(Debug)]
pub enum Answer {
    /// A success, its body parsed (`Null` when empty).
    Done(Value),
    /// A success whose body is not JSON (a proxy's page, a cut connection): retry when safe.
    NotJson(Error),
    /// A status worth another try (420, 429, 5xx), after `Retry-After` when the server said.
    Retryable {
        retry_after: Option<Duration>,
        error: Error,
    },
    /// A failure to report as is.
    Failed(Error),
}

/// Reads one answer: `status`, its `Retry-After` header if any, and the body as received
/// (already bounded by the client). `what` names the request for messages.
pub fn read_answer(status: u16, retry_after: Option<&str>, body: &[u8], what: &str) -> Answer {
    if (200..300).contains(&status) {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Answer::Done(Value::Null);
        }
        return match serde_json::from_slice(body) {
            Ok(value) => Answer::Done(value),
            Err(e) => Answer::NotJson(
                Error::new(
                    "UnexpectedResponseError",
                    format!("Salesforce's answer to {what} is not valid JSON ({e})."),
                )
                .with_action(
                    "Try again; if it persists, the org or a proxy in between is misbehaving.",
                ),
            ),
        };
    }
    let text = String::from_utf8_lossy(body);
    let error = api_error(status, &text, what);
    if is_retryable(status) {
        Answer::Retryable {
            retry_after: retry_after.and_then(parse_retry_after),
            error,
        }
    } else {
        Answer::Failed(error)
    }
}

/// 420 and 429 (too many requests) and the 5xx that mean "try later".
pub fn is_retryable(status: u16) -> bool {
    matches!(status, 420 | 429 | 500 | 502 | 503 | 504)
}

/// `Retry-After` in seconds (the HTTP-date form is not used by Salesforce).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// `api-usage=18/5000` -> (18, 5000).
pub fn parse_api_usage(header: &str) -> Option<(u64, u64)> {
    let usage = header
        .split([',', ';'])
        .find_map(|part| part.trim().strip_prefix("api-usage="))?;
    let (used, limit) = usage.split_once('/')?;
    let limit = limit.split(|c: char| !c.is_ascii_digit()).next()?;
    Some((used.trim().parse().ok()?, limit.trim().parse().ok()?))
}

/// One entry of `Sforce-Limit-Info`.
#[derive(Debug, PartialEq, Eq)]
pub struct LimitUsage {
    pub used: u64,
    pub limit: u64,
    /// The connected app of a `per-app-api-usage` entry; `None` for the org's `api-usage`.
    pub app: Option<String>,
}

/// Every entry of `Sforce-Limit-Info`, separated by `;` (REST API, "Limit Info Header"):
/// `api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)`. Entries it
/// does not know are skipped.
pub fn parse_limit_info(header: &str) -> Vec<LimitUsage> {
    header
        .split([';', ','])
        .filter_map(|part| {
            let (name, value) = part.trim().split_once('=')?;
            let (counts, app) = match value.split_once('(') {
                Some((counts, rest)) => (
                    counts,
                    rest.trim_end_matches(')')
                        .strip_prefix("appName=")
                        .map(str::to_string),
                ),
                None => (value, None),
            };
            let (used, limit) = counts.split_once('/')?;
            let (used, limit) = (used.trim().parse().ok()?, limit.trim().parse().ok()?);
            let app = match name.trim() {
                "api-usage" => None,
                "per-app-api-usage" => Some(app.unwrap_or_else(|| "(unnamed)".into())),
                _ => return None,
            };
            Some(LimitUsage { used, limit, app })
        })
        .collect()
}

/// The warnings for each limit of the header (the org's, the connected app's) at 90% or more.
pub fn api_usage_warnings(header: &str) -> Vec<String> {
    parse_limit_info(header)
        .into_iter()
        .filter(|u| u.limit > 0 && u.used.saturating_mul(10) >= u.limit.saturating_mul(9))
        .map(|u| {
            let what = match &u.app {
                None => "API usage".to_string(),
                Some(app) => format!("API usage of the connected app {app}"),
            };
            format!(
                "{what} is at {} of {} daily requests ({}%): the org is close to its limit.",
                u.used,
                u.limit,
                u.used.saturating_mul(100) / u.limit
            )
        })
        .collect()
}

/// The subrequest that made a composite fail: with `allOrNone`, every other one answers
/// PROCESSING_HALTED (REST API, "Composite": the whole request is rolled back), so the first
/// failure that is not PROCESSING_HALTED; else the first failure. `None` when all succeeded.
pub fn composite_failure(answers: &[Value]) -> Option<&Value> {
    let failed = |a: &&Value| {
        a.get("httpStatusCode")
            .and_then(Value::as_u64)
            .is_some_and(|s| s >= 300)
    };
    let halted = |a: &&Value| {
        a.pointer("/body/0/errorCode").and_then(Value::as_str) == Some("PROCESSING_HALTED")
    };
    answers
        .iter()
        .filter(failed)
        .find(|a| !halted(a))
        .or_else(|| answers.iter().find(failed))
}

/// The `compositeResponse` list of a composite answer, moved out of it (an answer is parsed
/// once and its parts handed on, not copied).
pub fn composite_items(mut answer: Value) -> Result<Vec<Value>> {
    match answer.get_mut("compositeResponse").map(Value::take) {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(Error::new(
            "UnexpectedResponseError",
            "Salesforce's composite answer has no `compositeResponse` list.",
        )),
    }
}

/// The answer to the subrequest `reference` of a composite: its body, or its error (`what`
/// names it), moved out of `items`. A missing answer counts as a server error.
pub fn subrequest_answer(items: &mut [Value], reference: &str, what: &str) -> Result<Value> {
    let answer = items
        .iter_mut()
        .find(|a| a.get("referenceId").and_then(Value::as_str) == Some(reference));
    let status = answer
        .as_deref()
        .and_then(|a| a.get("httpStatusCode"))
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .unwrap_or(500);
    let body = answer
        .and_then(|a| a.get_mut("body"))
        .map(Value::take)
        .unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        Ok(body)
    } else {
        Err(api_error(status, &body.to_string(), what))
    }
}

/// Takes one query page apart: its records (moved out), and the URL of the next page when the
/// answer says it is not done.
pub fn take_page(page: &mut Value) -> (Vec<Value>, Option<String>) {
    let records = match page.get_mut("records") {
        Some(Value::Array(rows)) => std::mem::take(rows),
        _ => Vec::new(),
    };
    let done = page.get("done").and_then(Value::as_bool).unwrap_or(true);
    let next = page
        .get("nextRecordsUrl")
        .and_then(Value::as_str)
        .filter(|_| !done)
        .map(str::to_string);
    (records, next)
}

/// The newest API version in the answer to `GET /services/data`.
pub fn newest_version(versions: &Value) -> Option<String> {
    versions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("version").and_then(Value::as_str))
        .filter_map(|v| v.parse::<f64>().ok().map(|n| (n, v.to_string())))
        .filter(|(n, _)| n.is_finite())
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn api_usage_header() {
        assert_eq!(parse_api_usage("api-usage=18/5000"), Some((18, 5000)));
        assert_eq!(
            parse_api_usage("per-app-api-usage=1/2, api-usage=4600/5000"),
            Some((4600, 5000))
        );
        assert_eq!(
            parse_api_usage("api-usage=25/5000;per-app-api-usage=17/250(appName=x)"),
            Some((25, 5000))
        );
        assert_eq!(parse_api_usage("nonsense"), None);
        assert_eq!(api_usage_warnings("api-usage=4600/5000").len(), 1);
        assert_eq!(
            api_usage_warnings("api-usage=18446744073709551615/1").len(),
            1
        );
        assert!(api_usage_warnings("api-usage=1/0").is_empty());
        assert_eq!(
            parse_limit_info(
                "api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)"
            ),
            vec![
                LimitUsage {
                    used: 25,
                    limit: 5000,
                    app: None
                },
                LimitUsage {
                    used: 17,
                    limit: 250,
                    app: Some("sample-connected-app".into())
                }
            ]
        );
        let both = api_usage_warnings("api-usage=10/5000;per-app-api-usage=240/250(appName=x)");
        assert_eq!(both.len(), 1);
        assert!(both[0].starts_with("API usage of the connected app x is at 240"));
    }

    #[test]
    fn composite_failure_is_the_cause_not_the_halted() {
        let halted = json!({"httpStatusCode": 400, "body": [{"errorCode": "PROCESSING_HALTED"}]});
        let cause = json!({"httpStatusCode": 400, "body": [{"errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION"}]});
        let ok = json!({"httpStatusCode": 204, "body": null});
        let answers = [halted.clone(), cause.clone(), halted.clone()];
        assert_eq!(composite_failure(&answers), Some(&cause));
        assert_eq!(composite_failure(std::slice::from_ref(&ok)), None);
        assert_eq!(composite_failure(&[ok, halted.clone()]), Some(&halted));
    }

    #[test]
    fn answers() {
        assert!(matches!(
            read_answer(204, None, b"", "x"),
            Answer::Done(Value::Null)
        ));
        assert!(matches!(
            read_answer(200, None, b"{", "x"),
            Answer::NotJson(_)
        ));
        match read_answer(503, Some("7"), b"[]", "x") {
            Answer::Retryable { retry_after, .. } => {
                assert_eq!(retry_after, Some(Duration::from_secs(7)))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_answer(400, None, b"\xff", "x"),
            Answer::Failed(_)
        ));
    }

    #[test]
    fn pages_and_subrequests() {
        let mut page = json!({"done": false, "nextRecordsUrl": "/n", "records": [1, 2]});
        assert_eq!(
            take_page(&mut page),
            (vec![json!(1), json!(2)], Some("/n".into()))
        );
        let answer =
            json!({"compositeResponse": [{"referenceId": "r", "httpStatusCode": 200, "body": 5}]});
        let mut items = composite_items(answer).unwrap();
        assert_eq!(subrequest_answer(&mut items, "r", "x").unwrap(), json!(5));
        assert!(subrequest_answer(&mut items, "s", "x").is_err());
        assert!(composite_items(json!({"compositeResponse": {}})).is_err());
        assert_eq!(
            newest_version(&json!([{"version": "61.0"}, {"version": "62.0"}])).as_deref(),
            Some("62.0")
        );
    }
}
