//! Validating payloads (and answers files) against their generated JSON Schemas with
//! jsonschema, plus the checks a schema cannot express (org ID checksums, real calendar dates,
//! Logik hosts). Every problem is reported at once, each with its JSON path and a plain message.

use super::payload::{OrgIdFollowUp, SupportCase};
pub use super::schema_check::schema_violations;
use super::violation::Segment;
pub use super::violation::Violation;
use crate::org::tenant::{LOGIK_DOMAIN, is_logik_host};
use crate::protocol::{Error, Result};
use crate::salesforce::ids::OrgId;
use schemars::{JsonSchema, schema_for};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// Which payload a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PayloadKind {
    /// A support case (`case build`).
    SupportCase,
    /// An org-ID follow-up (`case org-id`).
    OrgIdFollowUp,
}

impl PayloadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PayloadKind::SupportCase => "support-case",
            PayloadKind::OrgIdFollowUp => "org-id-follow-up",
        }
    }

    /// The published schema's name (`logik-refresh schema <name>`).
    pub fn schema_name(self) -> &'static str {
        match self {
            PayloadKind::SupportCase => "support-case",
            PayloadKind::OrgIdFollowUp => "case-follow-up",
        }
    }

    pub fn schema(self) -> Value {
        match self {
            PayloadKind::SupportCase => schema_for!(SupportCase).to_value(),
            PayloadKind::OrgIdFollowUp => schema_for!(OrgIdFollowUp).to_value(),
        }
    }
}

/// The payload inside what was read: the bare payload (`--output`), the `case build --json`
/// envelope, or the `case org-id --json` envelope (whose result carries `followUp`).
pub fn unwrap_payload(value: Value) -> Value {
    let Value::Object(mut map) = value else {
        return value;
    };
    if map.contains_key("status") && map.contains_key("result") && !map.contains_key("kind") {
        let result = map.remove("result").unwrap_or(Value::Null);
        return match result {
            Value::Object(mut result) if result.contains_key("followUp") => {
                result.remove("followUp").unwrap_or(Value::Null)
            }
            other => other,
        };
    }
    Value::Object(map)
}

/// The kind a document says it is; a document that names none is taken for a support case,
/// whose schema then reports the missing `kind`.
pub fn payload_kind(value: &Value) -> PayloadKind {
    match value.get("kind").and_then(Value::as_str) {
        Some("org-id-follow-up") => PayloadKind::OrgIdFollowUp,
        _ => PayloadKind::SupportCase,
    }
}

/// The result of `case validate` (an invalid payload is an error instead: exit 2, every
/// problem in `data.errors`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidateResult {
    /// Always true here.
    #[schemars(example = true)]
    pub valid: bool,
    /// Which payload it is.
    #[schemars(example = &"support-case")]
    pub kind: PayloadKind,
    /// The schema version it was checked against.
    #[schemars(example = 1)]
    pub schema_version: u32,
    /// What was read: the file's path, or `standard input`.
    #[schemars(example = &"case.json")]
    pub file: String,
}

/// What validating a payload found.
#[derive(Debug, Default)]
pub struct Report {
    pub violations: Vec<Violation>,
    /// Things that are allowed but deserve a look (a host outside logik.io).
    pub warnings: Vec<String>,
}

/// Validates a payload: its schema first, then what a schema cannot say.
pub fn validate_payload(kind: PayloadKind, value: &Value) -> Report {
    let mut report = Report {
        violations: schema_violations(&kind.schema(), value),
        warnings: Vec::new(),
    };
    let flagged: BTreeSet<String> = report
        .violations
        .iter()
        .map(|v| v.pointer.clone())
        .collect();
    // Only fields the schema found well-formed get the deeper checks, so one mistake is
    // reported once.
    let clean = |pointer: &str| {
        !flagged
            .iter()
            .any(|f| f == pointer || pointer.starts_with(&format!("{f}/")) || f.is_empty())
    };
    let controls = super::controls::control_violations(value);
    report
        .violations
        .extend(controls.into_iter().filter(|v| clean(&v.pointer)));
    let string_at = |pointer: &str| {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .filter(|_| clean(pointer))
    };
    let key = |k: &str| vec![Segment::Key(k.to_string())];
    let nested = |a: &str, b: &str| vec![Segment::Key(a.to_string()), Segment::Key(b.to_string())];

    if let Some(date) = string_at("/refreshDate")
        && let Err(e) = date.parse::<jiff::civil::Date>()
    {
        report.violations.push(Violation::at(
            &key("refreshDate"),
            format!("\"{date}\" is not a calendar date ({e})"),
        ));
    }
    if let Some(time) = string_at("/generatedAt")
        && time.parse::<jiff::Timestamp>().is_err()
    {
        report.violations.push(Violation::at(
            &key("generatedAt"),
            format!("\"{time}\" is not an RFC 3339 date and time"),
        ));
    }
    for (pointer, segments) in [
        ("/newOrgId", key("newOrgId")),
        ("/org/orgId", nested("org", "orgId")),
    ] {
        if let Some(id) = string_at(pointer)
            && id != super::payload::TBD
            && let Err(e) = OrgId::parse(id)
        {
            report.violations.push(Violation::at(&segments, e.message));
        }
    }
    if let (Some(id), Some(id15)) = (string_at("/org/orgId"), string_at("/org/orgId15"))
        && !id.starts_with(id15)
    {
        report.violations.push(Violation::at(
            &nested("org", "orgId15"),
            format!("\"{id15}\" is not the 15-character form of org.orgId \"{id}\""),
        ));
    }
    if kind == PayloadKind::SupportCase
        && value.pointer("/org/refreshed") == Some(&Value::Bool(true))
        && let (Some(new), Some(org)) = (string_at("/newOrgId"), string_at("/org/orgId"))
        && new != org
    {
        report.violations.push(Violation::at(
            &key("newOrgId"),
            format!(
                "\"{new}\" differs from the ID of the refreshed org recorded in org.orgId (\"{org}\")"
            ),
        ));
    }
    if kind == PayloadKind::OrgIdFollowUp
        && let (Some(new), Some(org)) = (string_at("/newOrgId"), string_at("/org/orgId"))
        && new != org
    {
        report.violations.push(Violation::at(
            &key("newOrgId"),
            format!("\"{new}\" differs from org.orgId (\"{org}\")"),
        ));
    }
    if let Some(url) = string_at("/cpqUrl") {
        let host = url.trim_start_matches("https://");
        let host = host.split(':').next().unwrap_or(host);
        if !is_logik_host(host) {
            report.warnings.push(format!(
                "cpqUrl {url} is not a Logik.ai host (<tenant>.<sector>.{LOGIK_DOMAIN}); check it before filing."
            ));
        }
    }
    if let Some(host) = string_at("/newHost")
        && !is_logik_host(host)
    {
        report.warnings.push(format!(
            "newHost {host} is not a Logik.ai host (<tenant>.<sector>.{LOGIK_DOMAIN}); check it before filing."
        ));
    }
    report
}

/// The error for an invalid document: every violation in `data.errors`, exit 2.
pub fn invalid_error(
    what: &str,
    kind_name: &str,
    schema_name: &str,
    violations: &[Violation],
) -> Error {
    invalid_document_error(
        "InvalidPayloadError",
        what,
        kind_name,
        schema_name,
        violations,
        "Fix each field listed (data.errors has them as JSON paths), or build the payload again with: logik-refresh case build".into(),
    )
}

/// How many problems an invalid document's error lists in `data.errors`; the rest are counted
/// (`data.more`), so a file with a hundred thousand mistakes gives an error of a readable size.
pub const LISTED_VIOLATIONS: usize = 100;

/// The error for any invalid document (`name`), with `fix` as the first thing to do: the first
/// [`LISTED_VIOLATIONS`] problems in `data.errors` and the count of the rest, exit 2.
pub fn invalid_document_error(
    name: &str,
    what: &str,
    kind_name: &str,
    schema_name: &str,
    violations: &[Violation],
    fix: String,
) -> Error {
    let count = violations.len();
    let mut lines = String::new();
    for v in violations.iter().take(20) {
        lines.push_str(&format!("\n  {}: {}", v.path, v.message));
    }
    if count > 20 {
        lines.push_str(&format!("\n  … and {} more (see data.errors)", count - 20));
    }
    let listed = &violations[..count.min(LISTED_VIOLATIONS)];
    Error::input(
        name,
        format!(
            "{what} is not a valid {kind_name}: {count} problem{}:{lines}",
            if count == 1 { "" } else { "s" }
        ),
    )
    .with_data(serde_json::json!({ "errors": listed, "more": count - listed.len() }))
    .with_action(fix)
    .with_action(format!("The schema: logik-refresh schema {schema_name}"))
}

/// Reads a JSON document from a file: a regular file, bounded, UTF-8 or UTF-16. A file that
/// cannot be read is the error `read_error` (each kind of file has its own name).
pub fn read_json_file(path: &std::path::Path, read_error: &str) -> Result<Value> {
    let what = path.display().to_string();
    let bytes = crate::fsutil::read_bounded(path)
        .map_err(|e| Error::input(read_error, format!("Could not read {what}: {e}.")))?;
    parse_json(&bytes, &what)
}

/// Validates a payload read from `what` and deserializes it, or fails with every problem.
pub fn check_support_case(what: &str, value: &Value) -> Result<(SupportCase, Vec<String>)> {
    let report = validate_payload(PayloadKind::SupportCase, value);
    if !report.violations.is_empty() {
        return Err(invalid_error(
            what,
            "support case payload",
            "support-case",
            &report.violations,
        ));
    }
    let case = serde_json::from_value(value.clone()).map_err(|e| {
        Error::input(
            "InvalidPayloadError",
            format!("{what} is not a valid support case payload: {e}"),
        )
    })?;
    Ok((case, report.warnings))
}

/// Validates a follow-up payload read from `what` and deserializes it.
pub fn check_follow_up(what: &str, value: &Value) -> Result<(OrgIdFollowUp, Vec<String>)> {
    let report = validate_payload(PayloadKind::OrgIdFollowUp, value);
    if !report.violations.is_empty() {
        return Err(invalid_error(
            what,
            "org-ID follow-up payload",
            "case-follow-up",
            &report.violations,
        ));
    }
    let follow_up = serde_json::from_value(value.clone()).map_err(|e| {
        Error::input(
            "InvalidPayloadError",
            format!("{what} is not a valid org-ID follow-up payload: {e}"),
        )
    })?;
    Ok((follow_up, report.warnings))
}

/// Parses a document's text as JSON: UTF-8 (a BOM is skipped) or UTF-16 with a BOM, as
/// Windows PowerShell 5.1 writes with `>`.
pub fn parse_json_document(bytes: &[u8], what: &str) -> Result<Value> {
    parse_json(bytes, what).map_err(|e| {
        if e.name == "InputEncodingError" {
            e
        } else {
            e.with_action("Build the payload with: logik-refresh case build ... --output case.json")
        }
    })
}

/// A JSON document from bytes, with errors that say what is wrong and no advice (what to do
/// depends on what the document is).
fn parse_json(bytes: &[u8], what: &str) -> Result<Value> {
    let text = decode_text(bytes).ok_or_else(|| {
        Error::input(
            "InputEncodingError",
            format!("{what} is not UTF-8 or UTF-16 text."),
        )
    })?;
    if text.trim().is_empty() {
        return Err(Error::input("EmptyInputError", format!("{what} is empty.")));
    }
    serde_json::from_str(&text).map_err(|e| {
        Error::input("InvalidJsonError", format!("{what} is not JSON: {e}."))
            .with_data(serde_json::json!({"line": e.line(), "column": e.column()}))
    })
}

fn decode_text(bytes: &[u8]) -> Option<String> {
    let utf16 = |rest: &[u8], little: bool| {
        if !rest.len().is_multiple_of(2) {
            return None;
        }
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| {
                if little {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).ok()
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec()).ok(),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        _ => String::from_utf8(bytes.to_vec()).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        crate::case::sample_case()
    }

    #[test]
    fn a_good_payload_has_no_violations() {
        let report = validate_payload(PayloadKind::SupportCase, &sample());
        assert_eq!(report.violations, vec![]);
        assert!(report.warnings.is_empty());
        check_support_case("x", &sample()).unwrap();
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let mut bad = sample();
        bad.as_object_mut().unwrap().remove("refreshDate");
        bad["dataDisposition"] = json!("keep");
        bad["cpqAdmins"] = json!([]);
        bad["newOrgId"] = json!("00D5e000000AbCdEAA");
        bad["provisioningUser"]["email"] = json!("ops@acme.com");
        bad["extra"] = json!(1);
        let report = validate_payload(PayloadKind::SupportCase, &bad);
        let paths: Vec<&str> = report.violations.iter().map(|v| v.path.as_str()).collect();
        for want in [
            "$.refreshDate",
            "$.dataDisposition",
            "$.cpqAdmins",
            "$.newOrgId",
            "$.provisioningUser.email",
            "$.extra",
        ] {
            assert!(paths.contains(&want), "{want} in {:#?}", report.violations);
        }
        let find = |p: &str| report.violations.iter().find(|v| v.path == p).unwrap();
        assert_eq!(find("$.refreshDate").pointer, "/refreshDate");
        assert!(
            find("$.dataDisposition").message.contains("\"repoint\""),
            "{:?}",
            find("$.dataDisposition")
        );
        assert!(
            find("$.newOrgId").message.contains("checksum"),
            "{:?}",
            find("$.newOrgId")
        );
        assert!(
            find("$.extra").message.contains("cpqUrl"),
            "{:?}",
            find("$.extra")
        );
        assert!(
            find("$.provisioningUser.email")
                .message
                .contains("provisioning@logik.io")
        );
    }

    #[test]
    fn a_date_that_has_the_shape_but_does_not_exist() {
        let mut bad = sample();
        bad["refreshDate"] = json!("2026-02-30");
        let report = validate_payload(PayloadKind::SupportCase, &bad);
        assert_eq!(report.violations.len(), 1, "{:#?}", report.violations);
        assert_eq!(report.violations[0].path, "$.refreshDate");
    }

    #[test]
    fn other_hosts_warn() {
        let mut other = sample();
        other["cpqUrl"] = json!("https://cpq.example.com");
        let report = validate_payload(PayloadKind::SupportCase, &other);
        assert!(report.violations.is_empty(), "{:#?}", report.violations);
        assert_eq!(report.warnings.len(), 1);
    }

    #[test]
    fn envelopes_are_unwrapped() {
        let envelope = json!({"status": 0, "result": sample(), "warnings": []});
        assert_eq!(unwrap_payload(envelope), sample());
        let org_id = json!({"status": 0, "result": {"followUp": {"kind": "org-id-follow-up"}, "subject": "s"}});
        assert_eq!(
            payload_kind(&unwrap_payload(org_id)),
            PayloadKind::OrgIdFollowUp
        );
    }

    #[test]
    fn documents_decode_from_utf16_and_bom() {
        let text = "{\"a\": 1}";
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        assert_eq!(parse_json_document(&utf16, "x").unwrap(), json!({"a": 1}));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend(text.as_bytes());
        assert_eq!(parse_json_document(&bom, "x").unwrap(), json!({"a": 1}));
        assert_eq!(
            parse_json_document(b"{", "x").unwrap_err().name,
            "InvalidJsonError"
        );
    }
}
