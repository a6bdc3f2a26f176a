//! What the tool knows about the Logik.ai managed package in Salesforce (REFERENCE.md section 2):
//! the tenant custom setting and how to find its URL fields. The Administration URL field's API
//! name is not public, so fields are found by their labels in the object's describe.

use crate::protocol::{Error, Result};
use serde_json::Value;

/// The Logik managed package namespace.
pub const LOGIK_NAMESPACE: &str = "LGK";
/// The Salesforce CPQ managed package namespace.
pub const CPQ_NAMESPACE: &str = "SBQQ";
/// The tenant hierarchy custom setting ("CPQ Tenant" / "Logik Tenant").
pub const TENANT_OBJECT: &str = "LGK__ConfigurationTenant__c";
/// The runtime URL field as seen in Logik's public Visualforce pages; used only when no field
/// carries the expected label.
const RUNTIME_FIELD_FALLBACK: &str = "LGK__RuntimeUrl__c";

/// Labels, normalised (lowercase letters and digits only), that name each URL field.
const RUNTIME_LABELS: &[&str] = &["runtimeconfigurationurl", "runtimeurl"];
const ADMIN_LABELS: &[&str] = &[
    "administrationurl",
    "adminurl",
    "administrationconfigurationurl",
];

/// The tenant setting's URL fields, as found in this org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantFields {
    pub runtime_url: String,
    pub admin_url: Option<String>,
}

/// Finds the URL fields in the describe of [`TENANT_OBJECT`].
pub fn tenant_fields(describe: &Value) -> Result<TenantFields> {
    let fields = describe
        .get("fields")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Error::new(
                "UnexpectedResponseError",
                format!("The describe of {TENANT_OBJECT} lists no fields."),
            )
        })?;
    let by_label = |labels: &[&str]| {
        fields.iter().find_map(|field| {
            let label = normalise(field.get("label")?.as_str()?);
            let name = field.get("name")?.as_str()?;
            labels.contains(&label.as_str()).then(|| name.to_string())
        })
    };
    let has_field = |wanted: &str| {
        fields.iter().any(|f| {
            f.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(wanted))
        })
    };
    let runtime_url = by_label(RUNTIME_LABELS)
        .or_else(|| has_field(RUNTIME_FIELD_FALLBACK).then(|| RUNTIME_FIELD_FALLBACK.to_string()))
        .ok_or_else(|| {
            Error::new(
                "TenantFieldNotFoundError",
                format!("{TENANT_OBJECT} has no field labelled \"Runtime Configuration URL\"."),
            )
            .with_action("Check the Logik.ai package version in Setup > Installed Packages, and that your profile can see the CPQ Tenant custom setting's fields.")
        })?;
    Ok(TenantFields {
        runtime_url,
        admin_url: by_label(ADMIN_LABELS),
    })
}

fn normalise(label: &str) -> String {
    label
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Which level of the hierarchy a custom-setting row belongs to, from its `SetupOwnerId`.
pub fn setup_owner_level(setup_owner_id: &str) -> &'static str {
    match setup_owner_id.get(..3) {
        Some("00D") => "org",
        Some("00e") => "profile",
        Some("005") => "user",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_fields_by_label_whatever_their_names() {
        let describe = json!({"fields": [
            {"name": "Id", "label": "Record ID"},
            {"name": "LGK__RuntimeUrl__c", "label": "Runtime Configuration URL"},
            {"name": "LGK__Xyz__c", "label": "Administration URL"},
        ]});
        let fields = tenant_fields(&describe).unwrap();
        assert_eq!(fields.runtime_url, "LGK__RuntimeUrl__c");
        assert_eq!(fields.admin_url.as_deref(), Some("LGK__Xyz__c"));
    }

    #[test]
    fn falls_back_to_the_public_runtime_field_name_and_reports_missing_ones() {
        let describe = json!({"fields": [{"name": "LGK__RuntimeUrl__c", "label": "Runtime"}]});
        let fields = tenant_fields(&describe).unwrap();
        assert_eq!(fields.runtime_url, "LGK__RuntimeUrl__c");
        assert_eq!(fields.admin_url, None);
        let err = tenant_fields(&json!({"fields": []})).unwrap_err();
        assert_eq!(err.name, "TenantFieldNotFoundError");
    }

    #[test]
    fn setup_owner_levels() {
        assert_eq!(setup_owner_level("00D5e000000AbCdEAK"), "org");
        assert_eq!(setup_owner_level("00e5e000000AbCdEAK"), "profile");
        assert_eq!(setup_owner_level("0055e000000AbCdEAK"), "user");
    }
}
