//! `case org-id`: the follow-up that sends the new org ID.

use super::given_org;
use crate::case::followup::{OrgIdResult, follow_up};
use crate::case::payload::now_rfc3339;
use crate::case::render::render_follow_up;
use crate::case::validate::{PayloadKind, unwrap_payload, validate_payload};
use crate::case::values::parse_case_number;
use crate::cli::case::CaseOrgIdArgs;
use crate::org::facts::OrgFacts;
use crate::org::session::open_identified;
use crate::protocol::{CommandOutput, Error, Result};
use crate::sf::connect::{OrgRequest, identify};
use serde_json::Value;

pub async fn cmd_case_org_id(args: CaseOrgIdArgs) -> Result<CommandOutput> {
    if let Some(path) = &args.output {
        crate::fsutil::output_target(path)?;
    }
    let case_number = args
        .case_number
        .as_deref()
        .map(parse_case_number)
        .transpose()?;
    // No org given: sf's default org, as every org command does.
    let request = given_org(&args.org, refuse_old_org)?.unwrap_or(OrgRequest {
        target_org: None,
        api_version: args.org.api_version.clone(),
        piped: None,
    });
    let identity = identify(request)?;
    let sandbox_status = identity
        .piped
        .as_ref()
        .and_then(|p| p.sandbox_status.clone());
    // What was piped carries the org ID (or says why not); only a named org needs a call.
    let (facts, mut warnings) = match &identity.piped {
        Some(piped) => (
            OrgFacts::from_identity(&identity),
            piped.warnings_to_pass_on(),
        ),
        None => {
            let open = open_identified(identity).await?;
            let mut warnings = open.warnings;
            warnings.extend(open.client.take_warnings());
            (open.facts, warnings)
        }
    };
    if facts.is_sandbox == Some(false) {
        warnings.push(format!(
            "The org {} is not a sandbox: the new org ID is the refreshed sandbox's.",
            facts.org_id.as_deref().unwrap_or("given")
        ));
    }
    let payload = follow_up(
        &facts,
        sandbox_status.as_deref(),
        case_number,
        now_rfc3339(),
    )?;
    let value = serde_json::to_value(&payload).expect("payloads serialize");
    let report = validate_payload(PayloadKind::OrgIdFollowUp, &value);
    if !report.violations.is_empty() {
        return Err(Error::new(
            "PayloadSchemaError",
            "The follow-up built does not pass its own schema: this is a bug in logik-refresh.",
        )
        .with_data(serde_json::json!({ "errors": report.violations })));
    }
    let rendered = render_follow_up(&payload, args.format.into());
    let mut text = rendered.to_text();
    if let Some(path) = &args.output {
        let mut pretty = serde_json::to_string_pretty(&value).expect("payloads serialize");
        pretty.push('\n');
        if crate::fsutil::write_output(path, pretty.as_bytes())? {
            text.push_str(&format!(
                "\nWrote {}: the follow-up payload, to attach to the case.\n",
                path.display()
            ));
        } else {
            // `--output -`: the payload itself is what stdout carries.
            text = pretty;
        }
    }
    let result = OrgIdResult {
        follow_up: payload,
        rendered,
    };
    Ok(CommandOutput::new(&result, text).with_warnings(warnings))
}

/// A support case payload built before the refresh records the old org: its ID is not the new
/// one, so it cannot be sent as such.
fn refuse_old_org(value: &Value) -> Result<()> {
    let payload = unwrap_payload(value.clone());
    if payload.get("kind").and_then(Value::as_str) == Some("support-case")
        && payload.pointer("/org/refreshed") != Some(&Value::Bool(true))
    {
        return Err(Error::input(
            "NotTheRefreshedOrgError",
            "The JSON on stdin is a support case payload built before the refresh: the org it records is the sandbox before its refresh, whose ID is the old one.",
        )
        .with_action("After the refresh, pipe the refreshed org: sf org display --json -o <alias> | logik-refresh case org-id --case-number <number>"));
    }
    Ok(())
}
