//! Salesforce record IDs: the 15-character case-sensitive form, the 18-character form with its
//! case checksum, and [`OrgId`], an organization ID (prefix `00D`) that always holds 18 chars.
//!
//! The checksum: split the 15 characters into three chunks of five; in each chunk, bit `i` is set
//! when character `i` is an uppercase letter `A`-`Z`; the 5-bit number indexes
//! `ABCDEFGHIJKLMNOPQRSTUVWXYZ012345`. Salesforce treats the three suffix characters
//! case-insensitively (they only ever are `A`-`Z`, `0`-`5`), so this module does too, while the
//! first 15 characters are compared exactly: a changed case there is a different record.

use crate::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::json;
use std::fmt;
use std::str::FromStr;

const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const ORG_ID_PREFIX: &str = "00D";
const INVALID_ORG_ID: &str = "InvalidOrgIdError";
const WHERE_TO_FIND: &str = "Copy the org ID again from Setup > Company Information, or run \
                             \"sf org display --target-org <alias>\" and use its \"id\".";

/// The three checksum characters of a 15-character ID, or `None` when `id15` is not 15 ASCII
/// characters.
fn checksum(id15: &str) -> Option<[u8; 3]> {
    let bytes = id15.as_bytes();
    if bytes.len() != 15 || !id15.is_ascii() {
        return None;
    }
    let mut out = [0u8; 3];
    for (chunk_index, chunk) in bytes.chunks(5).enumerate() {
        let bits = chunk
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .fold(0usize, |acc, (i, _)| acc | (1 << i));
        out[chunk_index] = CHECKSUM_ALPHABET[bits];
    }
    Some(out)
}

fn checksum_string(id15: &str) -> Option<String> {
    checksum(id15).map(|c| c.iter().map(|&b| b as char).collect())
}

/// The 18-character form of a 15-character ID. Any other input (an 18-character ID included) is
/// returned unchanged, so the function never fails and never panics.
pub fn to_18(id15: &str) -> String {
    match checksum_string(id15) {
        Some(suffix) => format!("{id15}{suffix}"),
        None => id15.to_string(),
    }
}

/// True for a well-formed record ID of any type: 15 ASCII letters and digits, or 18 whose last
/// three are the checksum of the first 15 (compared case-insensitively, as Salesforce does).
pub fn is_valid_id(s: &str) -> bool {
    if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    match s.len() {
        15 => true,
        18 => checksum_string(&s[..15]).is_some_and(|c| c.eq_ignore_ascii_case(&s[15..])),
        _ => false,
    }
}

/// Whether two IDs name the same record, as Salesforce compares them: the first 15 characters
/// exactly (a changed case there is another record), the 18-character form's suffix ignored
/// (it only encodes that case). IDs that are not well-formed name no record.
pub fn same_record(a: &str, b: &str) -> bool {
    is_valid_id(a) && is_valid_id(b) && a[..15] == b[..15]
}

/// `s` for a message: at most 40 characters, control characters escaped.
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(40).flat_map(char::escape_debug).collect();
    if s.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

/// The 15 characters with the letters' case restored from an 18-character ID's suffix: what the
/// user meant when the whole ID was lower- or uppercased on the way (a spreadsheet, a URL).
fn restore_case(id18: &str) -> Option<String> {
    let (head, suffix) = (id18.get(..15)?, id18.get(15..)?);
    let mut restored = String::with_capacity(18);
    for (chunk, s) in head.as_bytes().chunks(5).zip(suffix.bytes()) {
        let bits = CHECKSUM_ALPHABET
            .iter()
            .position(|&a| a == s.to_ascii_uppercase())?;
        for (i, &c) in chunk.iter().enumerate() {
            let upper = bits & (1 << i) != 0;
            let c = if upper {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            };
            // A digit cannot carry the case the suffix asks for: then nothing is restored.
            if upper && !c.is_ascii_uppercase() {
                return None;
            }
            restored.push(c as char);
        }
    }
    restored.push_str(&suffix.to_ascii_uppercase());
    Some(restored)
}

/// For an 18-character org ID whose letters were all folded to one case (by a spreadsheet, a
/// URL, a case-insensitive system), the ID with the case its checksum records, as an action.
/// A mixed-case ID with a wrong checksum was mistyped instead: no guess.
fn case_suggestion(value: &str) -> Option<String> {
    let head = value.get(..15)?;
    let letters = || head.bytes().filter(u8::is_ascii_alphabetic);
    let folded =
        letters().all(|b| b.is_ascii_lowercase()) || letters().all(|b| b.is_ascii_uppercase());
    let fixed = restore_case(value).filter(|_| folded)?;
    (fixed != value && fixed.starts_with(ORG_ID_PREFIX) && is_valid_id(&fixed)).then(|| {
        format!(
            "Did you mean \"{fixed}\"? (The same ID with the letters' case that its checksum \
             records.)"
        )
    })
}

/// A Salesforce organization ID: `00D` + 12 characters + the 3-character checksum. Built only by
/// [`OrgId::parse`], so it is always valid; serializes as the 18-character string.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgId(String);

impl OrgId {
    /// Parses a 15- or 18-character org ID. Errors (`InvalidOrgIdError`, exit 2) say what is
    /// wrong: the length, a character that is not a letter or digit, the prefix, or the checksum
    /// (with the expected one).
    pub fn parse(input: &str) -> Result<OrgId> {
        let value = input.trim();
        let fail = |reason: &str, message: String| {
            Error::input(INVALID_ORG_ID, message).with_data(json!({
                "value": shown(value),
                "reason": reason,
            }))
        };

        if let Some((pos, c)) = value
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_alphanumeric())
        {
            return Err(fail(
                "character",
                format!(
                    "The org ID \"{}\" has '{}' at position {}: an org ID has only letters and digits.",
                    shown(value),
                    c.escape_debug(),
                    pos + 1
                ),
            )
            .with_action(WHERE_TO_FIND));
        }
        // From here on `value` is ASCII, so byte indexes are character indexes.
        if value.len() != 15 && value.len() != 18 {
            return Err(fail(
                "length",
                format!(
                    "The org ID \"{}\" has {} characters: an org ID has 15 or 18.",
                    shown(value),
                    value.len()
                ),
            )
            .with_action(WHERE_TO_FIND));
        }
        if !value.starts_with(ORG_ID_PREFIX) {
            let err = fail(
                "prefix",
                format!(
                    "\"{value}\" is not an org ID: org IDs start with \"{ORG_ID_PREFIX}\", this one with \"{}\".",
                    &value[..3]
                ),
            );
            return Err(match case_suggestion(value) {
                Some(action) => err.with_action(action),
                None => err.with_action(WHERE_TO_FIND),
            });
        }
        let head = &value[..15];
        let expected = checksum_string(head).unwrap_or_default();
        if value.len() == 18 {
            let given = &value[15..];
            if !given.eq_ignore_ascii_case(&expected) {
                let mut err = Error::input(
                    INVALID_ORG_ID,
                    format!(
                        "The org ID \"{value}\" ends in the checksum \"{given}\", but its first 15 \
                         characters give \"{expected}\": a character was mistyped or its case \
                         was changed."
                    ),
                )
                .with_data(json!({
                    "value": value,
                    "reason": "checksum",
                    "checksum": given,
                    "expectedChecksum": expected,
                }));
                err = match case_suggestion(value) {
                    Some(action) => err.with_action(action),
                    None => err.with_action(WHERE_TO_FIND),
                };
                return Err(err);
            }
        }
        Ok(OrgId(format!("{head}{expected}")))
    }

    /// The 18-character form.
    pub fn as_18(&self) -> &str {
        &self.0
    }

    /// The 15-character (case-sensitive) form.
    pub fn as_15(&self) -> &str {
        &self.0[..15]
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgId({})", self.0)
    }
}

impl FromStr for OrgId {
    type Err = Error;
    fn from_str(s: &str) -> Result<OrgId> {
        OrgId::parse(s)
    }
}

impl TryFrom<&str> for OrgId {
    type Error = Error;
    fn try_from(s: &str) -> Result<OrgId> {
        OrgId::parse(s)
    }
}

impl AsRef<str> for OrgId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for OrgId {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for OrgId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        OrgId::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

impl schemars::JsonSchema for OrgId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "OrgId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Salesforce organization ID, 18-character form (00D + 12 characters + checksum).",
            "pattern": "^00D[0-9A-Za-z]{12}[0-5A-Z]{3}$",
            "minLength": 18,
            "maxLength": 18
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_vectors() {
        assert_eq!(to_18("001M000000qfPyS"), "001M000000qfPySIAU");
        assert_eq!(to_18("a0RE000000IJmcN"), "a0RE000000IJmcNMAT");
        assert_eq!(to_18("00D5e000000AbCd"), "00D5e000000AbCdEAK");
        // all lowercase / all uppercase chunks
        assert_eq!(to_18("000000000000000"), "000000000000000AAA");
        assert_eq!(to_18("AAAAAAAAAAAAAAA"), "AAAAAAAAAAAAAAA555");
    }

    #[test]
    fn to_18_leaves_other_input_alone() {
        assert_eq!(to_18("001M000000qfPySIAU"), "001M000000qfPySIAU");
        assert_eq!(to_18(""), "");
        assert_eq!(to_18("ééééééééééééééé"), "ééééééééééééééé");
    }

    #[test]
    fn valid_ids() {
        assert!(is_valid_id("001M000000qfPyS"));
        assert!(is_valid_id("001M000000qfPySIAU"));
        assert!(
            is_valid_id("001M000000qfPySiau"),
            "suffix is case-insensitive"
        );
        assert!(!is_valid_id("001M000000qfPySIAV"));
        assert!(
            !is_valid_id("001m000000qfPySIAU"),
            "the 15 chars are case-sensitive"
        );
        assert!(!is_valid_id("001M000000qfPy"));
        assert!(!is_valid_id("001M000000qfPy-"));
        assert!(!is_valid_id("001M000000qfPyé"));
        assert!(!is_valid_id(""));
    }

    #[test]
    fn org_id_from_15_and_18() {
        let a = OrgId::parse("00D5e000000AbCd").unwrap();
        let b = OrgId::parse("00D5e000000AbCdEAK").unwrap();
        let c = OrgId::parse(" 00D5e000000AbCdeak\n").unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(a.as_18(), "00D5e000000AbCdEAK");
        assert_eq!(a.as_15(), "00D5e000000AbCd");
        assert_eq!(a.to_string(), "00D5e000000AbCdEAK");
        assert_eq!("00D5e000000AbCd".parse::<OrgId>().unwrap(), a);
    }

    #[test]
    fn org_id_serde() {
        let id = OrgId::parse("00D5e000000AbCd").unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"00D5e000000AbCdEAK\""
        );
        let back: OrgId = serde_json::from_str("\"00D5e000000AbCd\"").unwrap();
        assert_eq!(back, id);
        let err = serde_json::from_str::<OrgId>("\"005000000000001\"").unwrap_err();
        assert!(err.to_string().contains("not an org ID"), "{err}");
    }

    fn invalid(input: &str) -> Error {
        let err = OrgId::parse(input).unwrap_err();
        assert_eq!(err.name, "InvalidOrgIdError");
        assert_eq!(err.exit, crate::protocol::exit::ExitStatus::Usage);
        assert!(!err.actions.is_empty());
        err
    }

    #[test]
    fn wrong_length() {
        for input in [
            "",
            "00D5e000000AbC",
            "00D5e000000AbCdE",
            "00D5e000000AbCdEAKX",
        ] {
            let err = invalid(input);
            assert_eq!(err.data.as_ref().unwrap()["reason"], "length", "{input}");
            assert!(err.message.contains("15 or 18"), "{}", err.message);
        }
    }

    #[test]
    fn not_alphanumeric() {
        let err = invalid("00D5e000000Ab-d");
        assert_eq!(err.data.as_ref().unwrap()["reason"], "character");
        assert!(err.message.contains("position 14"), "{}", err.message);
        let err = invalid("00D5e000000Abéd");
        assert!(err.message.contains("'é'"), "{}", err.message);
        let err = invalid("00D5e000000A\u{7}Cd");
        assert!(err.message.contains("\\u{7}"), "{}", err.message);
    }

    #[test]
    fn wrong_prefix() {
        let err = invalid("005M000000qfPyS");
        assert_eq!(err.data.as_ref().unwrap()["reason"], "prefix");
        assert!(err.message.contains("\"005\""), "{}", err.message);
        // case matters in the prefix too
        assert_eq!(invalid("00d5e000000AbCd").data.unwrap()["reason"], "prefix");
    }

    #[test]
    fn wrong_checksum_names_the_expected_one() {
        let err = invalid("00D5e000000AbCdEAA");
        let data = err.data.as_ref().unwrap();
        assert_eq!(data["reason"], "checksum");
        assert_eq!(data["expectedChecksum"], "EAK");
        assert!(err.message.contains("\"EAK\""), "{}", err.message);
        assert!(err.actions[0].contains("Company Information"));
    }

    #[test]
    fn case_changed_id_gets_a_suggestion() {
        let err = invalid("00D5E000000ABCDEAK");
        assert!(
            err.actions[0].contains("\"00D5e000000AbCdEAK\""),
            "{:?}",
            err.actions
        );
        let err = invalid("00d5e000000abcdeak");
        assert_eq!(err.data.as_ref().unwrap()["reason"], "prefix");
        assert!(
            err.actions[0].contains("\"00D5e000000AbCdEAK\""),
            "{:?}",
            err.actions
        );
        // mixed case and a wrong checksum: a typo, no guess
        let err = invalid("00D5e000000AbCdEAA");
        assert!(
            !err.actions[0].contains("Did you mean"),
            "{:?}",
            err.actions
        );
        // a short ID with a changed prefix case: no guess either
        let err = invalid("00d5e000000AbCd");
        assert!(
            !err.actions[0].contains("Did you mean"),
            "{:?}",
            err.actions
        );
    }

    #[test]
    fn long_garbage_is_shortened_in_messages() {
        let long = "x".repeat(500);
        let err = invalid(&long);
        assert!(err.message.len() < 200, "{}", err.message);
    }

    #[test]
    fn never_panics_on_odd_input() {
        let samples = [
            "",
            "0",
            "00D",
            "é",
            "00D5e000000AbCdEA\u{e9}",
            "00D5e000000AbCd\u{10FFFF}AK",
            "\u{0}\u{0}\u{0}",
            "00D5e000000AbCdEAK\u{301}",
        ];
        for s in samples {
            let _ = OrgId::parse(s);
            let _ = is_valid_id(s);
            let _ = to_18(s);
            let _ = restore_case(s);
        }
    }
}
