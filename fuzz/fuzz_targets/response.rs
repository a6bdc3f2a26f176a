//! Whatever a server sends (status, headers, body: errors, composite results, query pages,
//! describe, API versions), the client's handling of it never panics: a value or a clear error,
//! and a scrubbed text never shows the held secret.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logik_refresh::redacted::{Secret, scrub};
use logik_refresh::salesforce::response::{
    Answer, api_usage_warnings, composite_failure, composite_items, newest_version,
    parse_api_usage, parse_limit_info, parse_retry_after, read_answer, subrequest_answer,
    take_page,
};
use serde_json::Value;

const HELD: &str = "00D5e000000AbCd!AQ4AQFuzzHeldTokenValue";

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    Secret::new(HELD).hold();
    // Layout: 2 bytes status, 1 byte header length, the header text, then the body.
    let status = u16::from_be_bytes([data[0], data[1]]);
    let header_len = usize::from(data[2]).min(data.len() - 3);
    let header = String::from_utf8_lossy(&data[3..3 + header_len]);
    let body = &data[3 + header_len..];

    let _ = parse_retry_after(&header);
    let _ = parse_api_usage(&header);
    let _ = parse_limit_info(&header);
    let _ = api_usage_warnings(&header);
    match read_answer(status, Some(&header), body, "GET /services/data/v62.0/query") {
        Answer::Done(_) => assert!((200..300).contains(&status)),
        Answer::NotJson(err) | Answer::Failed(err) | Answer::Retryable { error: err, .. } => {
            assert!(!err.message.is_empty());
            assert!(!err.message.contains(HELD), "a held secret in a message");
        }
    }

    let text = String::from_utf8_lossy(body);
    let scrubbed = scrub(&format!("{text}{HELD}{text}"));
    assert!(!scrubbed.contains(HELD));

    if let Ok(mut value) = serde_json::from_slice::<Value>(body) {
        if let Ok(mut items) = composite_items(value.clone()) {
            let _ = composite_failure(&items);
            for reference in ["read0", "read1"] {
                let _ = subrequest_answer(&mut items, reference, "GET composite (query)");
            }
        }
        let _ = newest_version(&value);
        let _ = logik_refresh::org::tenant::tenant_fields(&value);
        let (records, next) = take_page(&mut value);
        if next.is_some() {
            assert_eq!(value.get("done").and_then(Value::as_bool), Some(false));
        }
        drop(records);
    }
});
