//! sf's auth-file values and keys, damaged in any way, never panic the decrypter, and a value
//! it cannot decrypt never comes back in the error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logik_refresh::sf::crypto::{DecryptError, SfKey, decrypt};

const V1_KEY: &str = "0de6bfdf43c69135b8aa04c35092b21e";
const V2_KEY: &str = "d8df9058dbdf33ce9c5c32b5e641ffa37caa8d07d955b3d76f9981bf601ab3a2";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for key in [V1_KEY, V2_KEY] {
        let key = SfKey::from_hex(key).expect("fixture keys are valid");
        if let Err(err) = decrypt(&text, &key) {
            // An input may happen to be a piece of the message's own wording; only an input
            // that no fixed message contains counts as leaked.
            let wording: Vec<String> = [
                DecryptError::Empty,
                DecryptError::Format,
                DecryptError::Tag,
                DecryptError::Short(12, "v1"),
                DecryptError::Short(24, "v2"),
                DecryptError::Ciphertext,
                DecryptError::WrongKey,
                DecryptError::NotText,
                DecryptError::BadKey,
            ]
            .iter()
            .map(|reason| format!("Could not decrypt a value sf stored: {reason}."))
            .collect();
            let in_wording = wording.iter().any(|m| m.contains(text.as_ref()));
            if text.len() >= 16 && !in_wording {
                assert!(!err.message.contains(text.as_ref()), "the stored value leaked into the error");
            }
        }
    }
    // Keys from key.json are parsed too.
    let _ = SfKey::from_hex(&text);
});
