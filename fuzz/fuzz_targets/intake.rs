//! Whatever is piped in, reading an org never panics: it is an org or a clear error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match logik_refresh::sf::intake::parse_org_json(&text) {
        Ok(org) => {
            // An org ID that was accepted is a valid 18-character ID.
            if let Some(id) = org.org_id {
                assert_eq!(id.as_18().len(), 18);
                assert!(id.as_18().starts_with("00D"));
            }
        }
        Err(err) => assert!(!err.message.is_empty()),
    }
});
