//! `case validate`: a payload against its schema, every problem at once.

use super::read_document;
use crate::case::validate::{
    PayloadKind, ValidateResult, invalid_error, payload_kind, unwrap_payload, validate_payload,
};
use crate::cli::case::CaseValidateArgs;
use crate::protocol::{CommandOutput, Result};

pub fn cmd_case_validate(args: CaseValidateArgs) -> Result<CommandOutput> {
    let (what, value) = read_document(args.file.as_deref(), "case validate")?;
    let payload = unwrap_payload(value);
    let kind = payload_kind(&payload);
    let report = validate_payload(kind, &payload);
    if !report.violations.is_empty() {
        let kind_name = match kind {
            PayloadKind::SupportCase => "support case payload",
            PayloadKind::OrgIdFollowUp => "org-ID follow-up payload",
        };
        let mut err = invalid_error(&what, kind_name, kind.schema_name(), &report.violations);
        err.warnings = report.warnings;
        return Err(err);
    }
    let result = ValidateResult {
        valid: true,
        kind,
        schema_version: crate::case::payload::SCHEMA_VERSION,
        file: what.clone(),
    };
    let text = format!(
        "{what}: a valid {} payload (schema version {}).",
        kind.as_str(),
        result.schema_version
    );
    Ok(CommandOutput::new(&result, text).with_warnings(report.warnings))
}
