//! `case` topic: the support case payload, its validation, rendering and the org-ID follow-up.

pub mod build;
pub mod org_id;
pub mod render;
pub mod validate;

use crate::cli::{CaseCommand, OrgFlags};
use crate::commands::shared::Globals;
use crate::protocol::{CommandOutput, Error, Result};
use crate::sf::connect::OrgRequest;
use crate::sf::intake::parse_org_json;
use crate::sf::intake::read_bounded_bytes;
use serde_json::Value;
use std::io::IsTerminal;
use std::path::Path;

/// The command's name for the error envelope's `context`.
pub fn context(command: &CaseCommand) -> &'static str {
    match command {
        CaseCommand::Build(_) => "case build",
        CaseCommand::Validate(_) => "case validate",
        CaseCommand::Render(_) => "case render",
        CaseCommand::OrgId(_) => "case org-id",
    }
}

pub async fn cmd_case(command: CaseCommand, globals: &Globals) -> Result<CommandOutput> {
    match command {
        CaseCommand::Build(args) => build::cmd_case_build(args, globals).await,
        CaseCommand::Validate(args) => validate::cmd_case_validate(args),
        CaseCommand::Render(args) => render::cmd_case_render(args),
        CaseCommand::OrgId(args) => org_id::cmd_case_org_id(args).await,
    }
}

/// A payload document from FILE, or stdin for `-` or no FILE: (what to call it, its JSON).
pub(crate) fn read_document(file: Option<&Path>, command: &str) -> Result<(String, Value)> {
    let (what, bytes) = match file {
        Some(path) if path.as_os_str() != "-" => {
            let what = path.display().to_string();
            let bytes = crate::fsutil::read_bounded(path).map_err(|e| {
                Error::input("PayloadFileError", format!("Could not read {what}: {e}."))
                    .with_action("Write one with: logik-refresh case build ... --output case.json")
            })?;
            (what, bytes)
        }
        _ => {
            if std::io::stdin().is_terminal() {
                return Err(Error::input(
                    "NoPayloadError",
                    format!("{command} needs a payload: a FILE, or JSON piped in."),
                )
                .with_action(format!("logik-refresh {command} case.json"))
                .with_action(format!(
                    "logik-refresh case build ... --json | logik-refresh {command}"
                )));
            }
            let bytes = read_bounded_bytes(std::io::stdin().lock(), "standard input")?;
            ("standard input".to_string(), bytes)
        }
    };
    let value = crate::case::validate::parse_json_document(&bytes, &what)?;
    Ok((what, value))
}

/// The org a command was given, if any: `-o`, `--org-json`, or sf JSON piped on stdin. An empty
/// pipe or a terminal on stdin means none (sf's default org is not used: the org is optional).
/// `check` sees the piped JSON before it is parsed as an org.
pub(crate) fn given_org(
    flags: &OrgFlags,
    check: impl Fn(&Value) -> Result<()>,
) -> Result<Option<OrgRequest>> {
    let mut request = OrgRequest {
        target_org: flags.target_org.clone(),
        api_version: flags.api_version.clone(),
        piped: None,
    };
    let text = match &flags.org_json {
        Some(path) if path.as_os_str() != "-" => {
            let what = path.display().to_string();
            Some(crate::fsutil::read_bounded(path).map_err(|e| {
                Error::input("OrgJsonFileError", format!("Could not read {what}: {e}"))
                    .with_action("Save it with: sf org display --json -o <alias> > org.json")
            })?)
        }
        Some(_) => Some(read_bounded_bytes(
            std::io::stdin().lock(),
            "standard input",
        )?),
        None if flags.target_org.is_none() && !std::io::stdin().is_terminal() => Some(
            read_bounded_bytes(std::io::stdin().lock(), "standard input")?,
        ),
        None => None,
    };
    match text {
        Some(bytes) if !bytes.iter().all(u8::is_ascii_whitespace) => {
            let text = String::from_utf8(bytes).map_err(|_| {
                Error::input("InputEncodingError", "The org JSON is not UTF-8 text.")
            })?;
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                check(&value)?;
            }
            request.piped = Some(parse_org_json(&text)?);
            Ok(Some(request))
        }
        _ if flags.target_org.is_some() => Ok(Some(request)),
        _ => Ok(None),
    }
}
