//! The answers file of `case build --answers FILE`: the case's values as JSON, under the same
//! names as the payload (flags win over it). Validated with its own generated schema, so every
//! unknown key and every wrong type is reported at once.

use super::payload::DataDisposition;
use super::validate::{invalid_error, parse_json_document, schema_violations};
use crate::protocol::{Error, Result};
use schemars::{JsonSchema, schema_for};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::path::Path;

/// Values for `case build`, any subset. `null` for `myDomainUrl` or `newHost` means "no
/// change", like leaving the flag out.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(transform = super::payload::tidy)]
pub struct CaseAnswers {
    /// The current CPQ environment URL, like `--cpq-url`.
    #[schemars(example = &"https://acme.test.logik.io")]
    pub cpq_url: Option<String>,
    /// The refresh date, like `--refresh-date`: YYYY-MM-DD, `today` or `tomorrow`.
    #[schemars(example = &"2026-12-01")]
    pub refresh_date: Option<String>,
    /// `repoint` (like `--retain-data`) or `decommission-and-recreate` (like
    /// `--start-from-scratch`).
    #[schemars(example = &"repoint")]
    pub data_disposition: Option<DataDisposition>,
    /// The new org ID (15 or 18 characters) or `TBD`, like `--new-org-id`.
    #[schemars(example = &"TBD")]
    pub new_org_id: Option<String>,
    /// The changed My Domain URL, like `--my-domain-url`; `null` when unchanged.
    #[serde(default, deserialize_with = "present")]
    #[schemars(example = &"https://acme--uat.sandbox.my.salesforce.com")]
    pub my_domain_url: Option<String>,
    /// The usernames that need CPQ Admin access, like `--cpq-admin`.
    #[schemars(example = ["jane@acme.com.uat"])]
    pub cpq_admins: Option<Vec<String>>,
    /// The new CPQ host name, like `--new-host`; `null` for no change.
    #[serde(default, deserialize_with = "present")]
    #[schemars(example = &"acme-uat.test.logik.io")]
    pub new_host: Option<String>,
    /// The provisioning user's username, like `--provisioning-username`.
    #[schemars(example = &"provisioning@logik.io.acme.uat")]
    pub provisioning_username: Option<String>,
    /// The provisioning user's email, like `--provisioning-email`: it must be
    /// `provisioning@logik.io`.
    #[schemars(example = &"provisioning@logik.io")]
    pub provisioning_email: Option<String>,
    /// The Now Support case number, like `--case-number`.
    #[schemars(example = &"CS0123456")]
    pub case_number: Option<String>,
}

/// A key that is present: `null` becomes the empty string, which the parsers read as "no
/// change", so an explicit `null` is an answer and is not asked again.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Some(
        Option::<String>::deserialize(deserializer)?.unwrap_or_default(),
    ))
}

/// Reads and checks an answers file.
pub fn load_answers(path: &Path) -> Result<CaseAnswers> {
    let what = path.display().to_string();
    let bytes = crate::fsutil::read_bounded(path).map_err(|e| {
        Error::input(
            "AnswersFileError",
            format!("Could not read the answers file {what}: {e}."),
        )
        .with_action("Check the path given to --answers.")
    })?;
    let value = parse_json_document(&bytes, &format!("The answers file {what}")).map_err(|e| {
        let mut e = e;
        e.name = "AnswersFileError".into();
        e.actions = vec![
            "Write the answers as one JSON object, e.g. {\"cpqUrl\": \"https://acme.test.logik.io\", \"cpqAdmins\": [\"jane@acme.com.uat\"]}".into(),
            "Its schema: logik-refresh schema case-answers".into(),
        ];
        e
    })?;
    answers_from_value(&value, &what)
}

pub fn answers_from_value(value: &Value, what: &str) -> Result<CaseAnswers> {
    let violations = schema_violations(&schema_for!(CaseAnswers).to_value(), value);
    if !violations.is_empty() {
        let mut err = invalid_error(
            &format!("The answers file {what}"),
            "answers file",
            "case-answers",
            &violations,
        );
        err.name = "AnswersFileError".into();
        err.actions = vec![
            "Fix or remove each key listed; flags can give any value instead.".into(),
            "Its schema: logik-refresh schema case-answers".into(),
        ];
        return Err(err);
    }
    serde_json::from_value(value.clone()).map_err(|e| {
        Error::input(
            "AnswersFileError",
            format!("The answers file {what} is not valid: {e}."),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_means_no_change_and_absent_means_not_answered() {
        let answers = answers_from_value(&json!({"myDomainUrl": null}), "a.json").unwrap();
        assert_eq!(answers.my_domain_url.as_deref(), Some(""));
        assert_eq!(answers.new_host, None);
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_all_reported() {
        let err = answers_from_value(
            &json!({"cpqURL": "x", "cpqAdmins": "jane@acme.com", "dataDisposition": "keep"}),
            "a.json",
        )
        .unwrap_err();
        assert_eq!(err.name, "AnswersFileError");
        let errors = err.data.unwrap()["errors"].as_array().unwrap().clone();
        let paths: Vec<&str> = errors.iter().map(|e| e["path"].as_str().unwrap()).collect();
        assert!(paths.contains(&"$.cpqURL"), "{errors:#?}");
        assert!(paths.contains(&"$.cpqAdmins"), "{errors:#?}");
        assert!(paths.contains(&"$.dataDisposition"), "{errors:#?}");
        let unknown = errors.iter().find(|e| e["path"] == "$.cpqURL").unwrap();
        assert!(
            unknown["message"].as_str().unwrap().contains("cpqUrl"),
            "{unknown}"
        );
    }
}
