//! The support case for the CPQ side of a sandbox refresh (REFERENCE.md sections 1 and 6): the
//! payload a customer attaches to a Now Support case, its validation, its text for the portal
//! form, and the follow-up that sends the new org ID. The commands in `commands/case/` are thin
//! shells over this module.

pub mod answers;
pub mod build;
pub mod controls;
pub mod followup;
pub mod org;
pub mod payload;
pub mod prompt;
pub mod render;
pub mod schema_check;
pub mod users;
pub mod validate;
pub mod values;
pub mod violation;

pub use payload::{OrgIdFollowUp, SupportCase};

/// A valid payload for unit tests.
#[cfg(test)]
pub(crate) fn sample_case() -> serde_json::Value {
    serde_json::json!({
        "kind": "support-case",
        "schemaVersion": 1,
        "generator": {"name": "logik-refresh", "version": "0.1.0"},
        "generatedAt": "2026-11-30T09:15:00Z",
        "caseNumber": null,
        "cpqUrl": "https://acme.test.logik.io",
        "refreshDate": "2026-12-01",
        "dataDisposition": "repoint",
        "newOrgId": "TBD",
        "myDomainUrl": null,
        "cpqAdmins": ["jane@acme.com.uat"],
        "newHost": null,
        "provisioningUser": {
            "username": "provisioning@logik.io.acme.uat",
            "email": "provisioning@logik.io",
            "profile": "System Administrator"
        },
        "org": null,
        "checks": []
    })
}
