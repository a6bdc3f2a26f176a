//! `case render`: a payload as the subject and text for the Now Support form.

use super::read_document;
use crate::case::render::{render_case, render_follow_up};
use crate::case::validate::{
    PayloadKind, check_follow_up, check_support_case, payload_kind, unwrap_payload,
};
use crate::cli::case::CaseRenderArgs;
use crate::protocol::{CommandOutput, Result};

pub fn cmd_case_render(args: CaseRenderArgs) -> Result<CommandOutput> {
    let (what, value) = read_document(args.file.as_deref(), "case render")?;
    let payload = unwrap_payload(value);
    let (rendered, warnings) = match payload_kind(&payload) {
        PayloadKind::SupportCase => {
            let (case, warnings) = check_support_case(&what, &payload)?;
            (render_case(&case, args.format.into()), warnings)
        }
        PayloadKind::OrgIdFollowUp => {
            let (follow_up, warnings) = check_follow_up(&what, &payload)?;
            (render_follow_up(&follow_up, args.format.into()), warnings)
        }
    };
    let text = rendered.to_text();
    Ok(CommandOutput::new(&rendered, text).with_warnings(warnings))
}
