//! Decryption of the values sf stores encrypted in its auth files (`accessToken`,
//! `refreshToken`, `clientSecret`, `password`): AES-256-GCM, stored as
//! `<iv><ciphertext hex>:<32-hex tag>`.
//!
//! The key's length tells its version (as `@salesforce/core`'s `crypto.ts` decides):
//! - **v1**, 32 hex chars: the AES key is the 32 ASCII bytes of the hex text itself; the IV is the
//!   first 12 characters of the stored value, taken as 12 ASCII bytes;
//! - **v2**, 64 hex chars: the AES key is the 32 bytes the hex decodes to; the IV is the first 24
//!   hex characters of the stored value, decoded (12 bytes).
//!
//! Nothing here panics on any input, and no error repeats the value or the key.

use crate::redacted::Secret;
use crate::{Error, Result};
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use std::fmt;

/// The key that encrypts sf's auth files, as read from the keychain or `key.json`.
#[derive(Clone, PartialEq, Eq)]
pub enum SfKey {
    /// 32 hex characters (the default key sf makes).
    V1(Secret),
    /// 64 hex characters (made with `SF_CRYPTO_V2=true`).
    V2(Secret),
}

impl fmt::Debug for SfKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SfKey::{}([REDACTED])", self.version())
    }
}

/// Why a key could not be used: it never contains the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFormatError {
    #[error("it is empty")]
    Empty,
    #[error("it has {0} characters, not 32 (v1) or 64 (v2)")]
    Length(usize),
    #[error("it is not hexadecimal")]
    NotHex,
}

impl SfKey {
    /// The key from its stored text (surrounding whitespace, e.g. a newline from `secret-tool`,
    /// is ignored).
    pub fn from_hex(text: &str) -> std::result::Result<SfKey, KeyFormatError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyFormatError::Empty);
        }
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(KeyFormatError::NotHex);
        }
        match text.len() {
            32 => Ok(SfKey::V1(Secret::new(text))),
            64 => Ok(SfKey::V2(Secret::new(text))),
            n => Err(KeyFormatError::Length(n)),
        }
    }

    /// `"v1"` or `"v2"`.
    pub fn version(&self) -> &'static str {
        match self {
            SfKey::V1(_) => "v1",
            SfKey::V2(_) => "v2",
        }
    }

    /// The 32 bytes of the AES-256 key.
    fn aes_key(&self) -> Option<Vec<u8>> {
        match self {
            SfKey::V1(hex_text) => Some(hex_text.expose().as_bytes().to_vec()),
            SfKey::V2(hex_text) => hex::decode(hex_text.expose()).ok(),
        }
        .filter(|k| k.len() == 32)
    }

    /// How many characters of a stored value are the IV.
    fn iv_chars(&self) -> usize {
        match self {
            SfKey::V1(_) => 12,
            SfKey::V2(_) => 24,
        }
    }
}

/// Why a stored value did not decrypt. The reasons never contain the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    #[error("the value is empty")]
    Empty,
    #[error("the value is not in sf's encrypted format (<iv><ciphertext>:<tag>, hexadecimal)")]
    Format,
    #[error("the value's authentication tag is not 32 hexadecimal characters")]
    Tag,
    #[error("the value is shorter than the {0}-character IV of a {1} key")]
    Short(usize, &'static str),
    #[error("the value's ciphertext is not whole bytes of hexadecimal")]
    Ciphertext,
    #[error("the key does not open it (a different key encrypted it, or the value was changed)")]
    WrongKey,
    #[error("the decrypted value is not text")]
    NotText,
    #[error("the key is not usable")]
    BadKey,
}

/// True when `stored` passes the test sf makes before it decrypts a stored field
/// (`Crypto.isEncrypted`): exactly one `:`, a 32-character tag, a body of at least 6 characters,
/// and a hexadecimal digit on each side. sf hands any other value through as plain text.
pub fn looks_encrypted(stored: &str) -> bool {
    let has_hex = |s: &str| s.bytes().any(|b| matches!(b, b'a'..=b'f' | b'0'..=b'9'));
    match stored.split_once(':') {
        Some((body, tag)) => {
            !tag.contains(':')
                && tag.chars().count() == 32
                && body.chars().count() >= 6
                && has_hex(tag)
                && has_hex(body)
        }
        None => false,
    }
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Decrypts one stored value. A wrong key or a damaged value is an `AuthDecryptError` whose
/// message gives the reason and never the value; [`decrypt_detailed`] gives the reason as a type.
pub fn decrypt(stored: &str, key: &SfKey) -> Result<Secret> {
    decrypt_detailed(stored, key).map_err(|reason| {
        Error::new(
            "AuthDecryptError",
            format!("Could not decrypt a value sf stored: {reason}."),
        )
        .with_action(
            "Log in to the org again with sf (for example \"sf org login web --alias <alias>\"), \
             then run the command again.",
        )
    })
}

/// [`decrypt`] with the reason as a type.
pub fn decrypt_detailed(stored: &str, key: &SfKey) -> std::result::Result<Secret, DecryptError> {
    let stored = stored.trim();
    if stored.is_empty() {
        return Err(DecryptError::Empty);
    }
    let (body, tag_hex) = stored.split_once(':').ok_or(DecryptError::Format)?;
    if tag_hex.contains(':') || !is_hex(body) {
        return Err(DecryptError::Format);
    }
    if tag_hex.len() != 32 || !is_hex(tag_hex) {
        return Err(DecryptError::Tag);
    }
    // From here on `body` is ASCII: byte indexes are character indexes.
    let iv_chars = key.iv_chars();
    if body.len() < iv_chars {
        return Err(DecryptError::Short(iv_chars, key.version()));
    }
    let (iv_text, ciphertext_hex) = body.split_at(iv_chars);
    let iv: Vec<u8> = match key {
        SfKey::V1(_) => iv_text.as_bytes().to_vec(),
        SfKey::V2(_) => hex::decode(iv_text).map_err(|_| DecryptError::Format)?,
    };
    let mut buffer = hex::decode(ciphertext_hex).map_err(|_| DecryptError::Ciphertext)?;
    let tag = hex::decode(tag_hex).map_err(|_| DecryptError::Tag)?;
    if iv.len() != 12 || tag.len() != 16 {
        return Err(DecryptError::Format);
    }

    let aes_key = key.aes_key().ok_or(DecryptError::BadKey)?;
    let cipher = Aes256Gcm::new_from_slice(&aes_key).map_err(|_| DecryptError::BadKey)?;
    cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(&iv),
            b"",
            &mut buffer,
            Tag::from_slice(&tag),
        )
        .map_err(|_| DecryptError::WrongKey)?;
    String::from_utf8(buffer)
        .map(Secret::new)
        .map_err(|_| DecryptError::NotText)
}

/// Encrypts the way sf does (`Crypto.encrypt`), with a fresh random IV: 6 random bytes as 12 hex
/// characters taken as text for a v1 key, 12 random bytes for a v2 key. For writing a renewal
/// back into sf's auth file (`authfile_store`).
pub fn encrypt_fresh(plain: &str, key: &SfKey) -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 12];
    let len = match key {
        SfKey::V1(_) => 6,
        SfKey::V2(_) => 12,
    };
    ring::rand::SystemRandom::new()
        .fill(&mut bytes[..len])
        .expect("the system's random source");
    encrypt(plain, key, &hex::encode(&bytes[..len]))
}

/// Encrypts the way sf does, with a given IV (12 hex characters for v1, 24 for v2).
#[doc(hidden)]
pub fn encrypt(plain: &str, key: &SfKey, iv_hex: &str) -> String {
    let aes_key = key.aes_key().expect("usable key");
    let iv = match key {
        SfKey::V1(_) => iv_hex.as_bytes().to_vec(),
        SfKey::V2(_) => hex::decode(iv_hex).expect("hex IV"),
    };
    assert_eq!(iv.len(), 12, "IV must be 12 bytes");
    let cipher = Aes256Gcm::new_from_slice(&aes_key).expect("32-byte key");
    let mut buffer = plain.as_bytes().to_vec();
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(&iv), b"", &mut buffer)
        .expect("encrypt");
    format!("{iv_hex}{}:{}", hex::encode(buffer), hex::encode(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "00D5e000000AbCd!AQ4AQKnownTokenValue.For_Tests";

    fn fixture(name: &str) -> serde_json::Value {
        let text = match name {
            "v1-key" => include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/sf-cli-2.146.3/v1-key.json"
            )),
            "v2-key" => include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/sf-cli-2.146.3/v2-key.json"
            )),
            "v1-authfile" => include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/sf-cli-2.146.3/v1-authfile.json"
            )),
            "v2-authfile" => include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/sf-cli-2.146.3/v2-authfile.json"
            )),
            _ => unreachable!(),
        };
        serde_json::from_str(text).unwrap()
    }

    fn key(version: &str) -> SfKey {
        SfKey::from_hex(fixture(&format!("{version}-key"))["key"].as_str().unwrap()).unwrap()
    }

    fn stored(version: &str) -> String {
        fixture(&format!("{version}-authfile"))["accessToken"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn decrypts_sf_v1_fixture() {
        let key = key("v1");
        assert_eq!(key.version(), "v1");
        assert_eq!(decrypt(&stored("v1"), &key).unwrap().expose(), TOKEN);
    }

    #[test]
    fn decrypts_sf_v2_fixture() {
        let key = key("v2");
        assert_eq!(key.version(), "v2");
        assert_eq!(decrypt(&stored("v2"), &key).unwrap().expose(), TOKEN);
    }

    #[test]
    fn round_trips_both_versions() {
        let v1 = encrypt("hello ü", &key("v1"), "0123456789ab");
        assert_eq!(decrypt(&v1, &key("v1")).unwrap().expose(), "hello ü");
        let v2 = encrypt("", &key("v2"), "00112233445566778899aabb");
        assert_eq!(decrypt(&v2, &key("v2")).unwrap().expose(), "");
        assert!(looks_encrypted(&v1) && looks_encrypted(&v2));
    }

    #[test]
    fn wrong_key_is_an_error_without_the_value() {
        let other = SfKey::from_hex("0123456789abcdef0123456789abcdef").unwrap();
        let value = stored("v1");
        let err = decrypt(&value, &other).unwrap_err();
        assert_eq!(err.name, "AuthDecryptError");
        assert!(err.message.contains("does not open"), "{}", err.message);
        assert!(!err.message.contains(&value[..20]));
        assert!(!err.message.contains("0123456789abcdef"));
        assert!(!err.actions.is_empty());
        // a v1 value with the v2 key, and the other way round
        assert!(decrypt(&stored("v1"), &key("v2")).is_err());
        assert!(decrypt(&stored("v2"), &key("v1")).is_err());
    }

    #[test]
    fn damaged_values() {
        let k = key("v1");
        let good = stored("v1");
        let (body, tag) = good.split_once(':').unwrap();
        let cases: Vec<(String, DecryptError)> = vec![
            (String::new(), DecryptError::Empty),
            (body.to_string(), DecryptError::Format), // missing tag
            (format!("{body}:"), DecryptError::Tag),  // empty tag
            (format!("{body}:{}", &tag[..30]), DecryptError::Tag),
            (format!("{body}:{tag}:{tag}"), DecryptError::Format),
            (
                format!("{}:{tag}", &body[..11]),
                DecryptError::Short(12, "v1"),
            ),
            (
                format!("{}:{tag}", &body[..body.len() - 1]),
                DecryptError::Ciphertext,
            ), // odd
            (
                format!("{}zz:{tag}", &body[..body.len() - 2]),
                DecryptError::Format,
            ), // non-hex
            (
                format!("{}é:{tag}", &body[..body.len() - 2]),
                DecryptError::Format,
            ), // non-ASCII
            (format!("{body}:{}zz", &tag[..30]), DecryptError::Tag),
            (format!("{body}:{}é", &tag[..30]), DecryptError::Tag),
            (
                format!("{}00:{tag}", &body[..body.len() - 2]),
                DecryptError::WrongKey,
            ), // flipped
            (format!("{body}:{}", "0".repeat(32)), DecryptError::WrongKey),
        ];
        for (value, expected) in cases {
            assert_eq!(
                decrypt_detailed(&value, &k).unwrap_err(),
                expected,
                "{value:?}"
            );
        }
        // v2: the IV must be 24 hex characters
        let k2 = key("v2");
        let short = format!("{}:{}", "ab".repeat(11), "0".repeat(32));
        assert_eq!(
            decrypt_detailed(&short, &k2).unwrap_err(),
            DecryptError::Short(24, "v2")
        );
    }

    #[test]
    fn key_formats() {
        assert_eq!(SfKey::from_hex("").unwrap_err(), KeyFormatError::Empty);
        assert_eq!(
            SfKey::from_hex("abc").unwrap_err(),
            KeyFormatError::Length(3)
        );
        assert_eq!(
            SfKey::from_hex(&"g".repeat(32)).unwrap_err(),
            KeyFormatError::NotHex
        );
        assert_eq!(
            SfKey::from_hex(&"é".repeat(16)).unwrap_err(),
            KeyFormatError::NotHex
        );
        assert_eq!(
            SfKey::from_hex(&"a".repeat(48)).unwrap_err(),
            KeyFormatError::Length(48)
        );
        assert!(matches!(
            SfKey::from_hex(&format!("{}\n", "a".repeat(64))),
            Ok(SfKey::V2(_))
        ));
        let shown = format!("{:?}", key("v2"));
        assert_eq!(shown, "SfKey::v2([REDACTED])");
    }

    #[test]
    fn sf_plain_text_rule() {
        assert!(looks_encrypted(&stored("v1")));
        assert!(looks_encrypted(&stored("v2")));
        assert!(!looks_encrypted(TOKEN));
        assert!(!looks_encrypted("abc:def"));
        assert!(!looks_encrypted(""));
    }

    /// Every truncation and a set of character substitutions of both fixtures: errors, never a
    /// panic.
    #[test]
    fn never_panics() {
        let keys = [key("v1"), key("v2")];
        let substitutes = ['é', '\u{0}', ':', 'g', '0', 'F', '\u{10FFFF}', ' '];
        for version in ["v1", "v2"] {
            let value = stored(version);
            let chars: Vec<char> = value.chars().collect();
            for cut in 0..=chars.len() {
                let truncated: String = chars[..cut].iter().collect();
                for k in &keys {
                    let _ = decrypt(&truncated, k);
                    let _ = looks_encrypted(&truncated);
                }
            }
            for i in 0..chars.len() {
                for s in substitutes {
                    let mut changed = chars.clone();
                    changed[i] = s;
                    let changed: String = changed.into_iter().collect();
                    for k in &keys {
                        assert!(decrypt(&changed, k).is_err() || s.eq_ignore_ascii_case(&chars[i]));
                    }
                }
            }
        }
        for junk in ["::::", "é:é", ":", "é", "\u{0}", "ab:", ":ab"] {
            for k in &keys {
                assert!(decrypt(junk, k).is_err());
            }
        }
    }
}
