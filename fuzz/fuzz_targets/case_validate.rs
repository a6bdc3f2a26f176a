//! Any payload handed to `case validate` gives a verdict, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
        use logik_refresh::case::validate::{payload_kind, unwrap_payload, validate_payload};
        let payload = unwrap_payload(value);
        let _ = validate_payload(payload_kind(&payload), &payload);
    }
});
