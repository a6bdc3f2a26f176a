//! Reading an org from what sf prints, recognised by shape: the `org display --json` envelope
//! (token redacted or not, `--verbose` or not) or its bare `result`, the `org login ... --json`
//! result, the `org refresh|resume sandbox --json` SandboxProcess, and this tool's own outputs
//! (which carry an `org` object), so commands chain. An sf error envelope piped in ends with sf's
//! own exit code and passes its message and actions on.

use crate::protocol::error::THIS_COMMAND;
use crate::protocol::{Error, ExitStatus, Result};
use crate::redacted::{Secret, is_redacted_placeholder, scrub};
use crate::salesforce::ids::OrgId;
use serde_json::{Map, Value};
use std::io::Read;

/// stdin beyond this is refused: no sf output comes near it, and reading it all would only
/// waste memory on a mistaken pipe.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Which sf (or own) output was piped in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum InputShape {
    /// `sf org display --json` (envelope or bare result).
    OrgDisplay,
    /// `sf org login ... --json`.
    OrgLogin,
    /// `sf org refresh|resume sandbox --json` (a SandboxProcess record).
    SandboxProcess,
    /// An output of this tool that carries the org's facts.
    LogikRefresh,
}

/// Everything an org JSON can tell, normalised. Fields absent from the shape are `None`.
#[derive(Debug, Clone, Default)]
pub struct PipedOrg {
    pub shape: Option<InputShape>,
    pub org_id: Option<OrgId>,
    pub username: Option<String>,
    pub alias: Option<String>,
    pub instance_url: Option<String>,
    pub login_url: Option<String>,
    pub api_version: Option<String>,
    pub client_id: Option<String>,
    /// A usable token; `None` when the input had none or sf redacted it.
    pub access_token: Option<Secret>,
    /// True when the input had a token field that sf redacted.
    pub token_redacted: bool,
    pub is_sandbox: Option<bool>,
    pub instance_name: Option<String>,
    pub org_edition: Option<String>,
    pub org_name: Option<String>,
    pub sandbox_name: Option<String>,
    pub sandbox_status: Option<String>,
    /// Warnings sf itself printed in the envelope, passed on.
    pub sf_warnings: Vec<String>,
}

impl PipedOrg {
    /// The warnings sf printed that matter here: not its note that it hides secrets, since this
    /// tool never shows them either.
    pub fn warnings_to_pass_on(&self) -> Vec<String> {
        self.sf_warnings
            .iter()
            .filter(|w| !w.contains("Secrets are now hidden"))
            .cloned()
            .collect()
    }
}

/// Reads all of stdin (bounded), for commands that take an org or a payload from a pipe.
pub fn read_stdin_bounded() -> Result<String> {
    read_bounded(std::io::stdin().lock(), "standard input")
}

pub fn read_bounded(reader: impl Read, what: &str) -> Result<String> {
    let bytes = read_bounded_bytes(reader, what)?;
    String::from_utf8(bytes)
        .map_err(|_| Error::input("InputEncodingError", format!("{what} is not UTF-8 text.")))
}

/// Reads all of `reader`, refusing more than [`MAX_INPUT_BYTES`]: no sf output comes near it.
pub fn read_bounded_bytes(reader: impl Read, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::input("InputReadError", format!("Could not read {what}: {e}")))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Error::input(
            "InputTooLargeError",
            format!(
                "{what} is larger than {} MiB; sf never prints that much.",
                MAX_INPUT_BYTES / 1024 / 1024
            ),
        )
        .with_action(
            "Pipe the output of one sf command, e.g. `sf org display --json -o <alias>`.",
        ));
    }
    Ok(bytes)
}

/// Parses an org from sf's (or our own) JSON.
pub fn parse_org_json(text: &str) -> Result<PipedOrg> {
    if text.trim().is_empty() {
        return Err(Error::input(
            "EmptyInputError",
            "Nothing was piped in: expected the JSON of an sf org command.",
        )
        .with_action(format!("sf org display --json -o <alias> | {THIS_COMMAND}"))
        .with_action(format!(
            "Or name the org instead: {THIS_COMMAND} -o <alias>"
        )));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::input(
            "InvalidJsonError",
            format!(
                "The input is not JSON ({e}); expected the output of an sf command run with --json."
            ),
        )
        .with_action("Add --json to the sf command, e.g. `sf org display --json -o <alias>`.")
    })?;
    let Value::Object(map) = value else {
        return Err(unknown_shape("the input is not a JSON object"));
    };
    parse_object(&map)
}

fn parse_object(map: &Map<String, Value>) -> Result<PipedOrg> {
    // An envelope: `status` plus `result` (success) or sf's error fields.
    if map.contains_key("status") && (map.contains_key("result") || map.contains_key("name")) {
        let Some(status) = map.get("status").and_then(Value::as_i64) else {
            return Err(unknown_shape(
                "the envelope's `status` is not a number (sf writes 0 for success)",
            ));
        };
        if status != 0 || !map.contains_key("result") {
            return Err(sf_error(map));
        }
        let warnings = sf_warnings(map.get("warnings"));
        let Some(Value::Object(result)) = map.get("result") else {
            return Err(unknown_shape("the envelope's `result` is not an object"));
        };
        let mut org = parse_result(result)?;
        org.sf_warnings = warnings;
        return Ok(org);
    }
    parse_result(map)
}

fn parse_result(map: &Map<String, Value>) -> Result<PipedOrg> {
    let get = |key: &str| str_field(map, key);

    // This tool's own output: the org's facts, at top level or under `org`.
    if let Some(Value::Object(org)) = map.get("org")
        && org.contains_key("orgId")
        && org.contains_key("instanceUrl")
    {
        return own_output(org);
    }
    if map.contains_key("orgId15") && map.contains_key("instanceUrl") {
        return own_output(map);
    }

    // org display: `id` (the org ID), instanceUrl, username.
    if let (Some(id), Some(instance_url), Some(username)) =
        (get("id"), get("instanceUrl"), get("username"))
    {
        let mut org = base(InputShape::OrgDisplay, map)?;
        org.org_id = Some(parse_org_id(&id, "id")?);
        org.instance_url = Some(instance_url);
        org.username = Some(username);
        return Ok(org);
    }
    // org login: `orgId`, instanceUrl, username.
    if let (Some(id), Some(instance_url), Some(username)) =
        (get("orgId"), get("instanceUrl"), get("username"))
    {
        let mut org = base(InputShape::OrgLogin, map)?;
        org.org_id = Some(parse_org_id(&id, "orgId")?);
        org.instance_url = Some(instance_url);
        org.username = Some(username);
        return Ok(org);
    }
    // SandboxProcess: PascalCase API fields (sf passes the record through).
    if map.contains_key("SandboxName") && map.contains_key("Status") {
        let mut org = PipedOrg {
            shape: Some(InputShape::SandboxProcess),
            sandbox_name: get("SandboxName"),
            sandbox_status: get("Status"),
            is_sandbox: Some(true),
            ..PipedOrg::default()
        };
        if let Some(id) = get("SandboxOrganization") {
            org.org_id = Some(parse_org_id(&id, "SandboxOrganization")?);
        }
        return Ok(org);
    }
    Err(unknown_shape(
        "it has none of the fields of `sf org display`, `sf org login` or `sf org refresh|resume sandbox`",
    ))
}

/// Fields common to org display and org login results.
fn base(shape: InputShape, map: &Map<String, Value>) -> Result<PipedOrg> {
    let get = |key: &str| str_field(map, key);
    let (access_token, token_redacted) = match get("accessToken") {
        Some(token) if is_redacted_placeholder(&token) => (None, true),
        Some(token) => (Some(Secret::held(token)), false),
        None => (None, false),
    };
    Ok(PipedOrg {
        shape: Some(shape),
        alias: get("alias"),
        login_url: get("loginUrl"),
        api_version: get("apiVersion").or_else(|| get("instanceApiVersion")),
        client_id: get("clientId"),
        access_token,
        token_redacted,
        is_sandbox: map.get("isSandbox").and_then(Value::as_bool),
        instance_name: get("instanceName"),
        org_edition: get("orgEdition"),
        org_name: get("name"),
        ..PipedOrg::default()
    })
}

fn own_output(org: &Map<String, Value>) -> Result<PipedOrg> {
    let get = |key: &str| str_field(org, key);
    let org_id = match get("orgId") {
        Some(id) => Some(parse_org_id(&id, "orgId")?),
        None => None,
    };
    Ok(PipedOrg {
        shape: Some(InputShape::LogikRefresh),
        org_id,
        username: get("username"),
        alias: get("alias"),
        instance_url: get("instanceUrl"),
        api_version: get("apiVersion"),
        is_sandbox: org.get("isSandbox").and_then(Value::as_bool),
        instance_name: get("instanceName"),
        org_edition: get("organizationType"),
        org_name: get("name"),
        sandbox_name: get("sandboxName"),
        ..PipedOrg::default()
    })
}

fn parse_org_id(value: &str, field: &str) -> Result<OrgId> {
    OrgId::parse(value).map_err(|mut e| {
        e.message = format!(
            "The piped JSON's `{field}` is not a valid org ID: {}",
            e.message
        );
        e
    })
}

/// An sf error envelope (piped in, or from running sf): keep sf's name, message, actions and
/// exit code.
pub fn sf_error_from_envelope(value: &Value) -> Error {
    match value {
        Value::Object(map) => sf_error(map),
        _ => Error::new("SfCommandError", "sf failed and printed no error envelope."),
    }
}

fn sf_error(map: &Map<String, Value>) -> Error {
    let mut err = sf_error_unscrubbed(map);
    err.message = scrub(&err.message);
    err.actions = err.actions.iter().map(|a| scrub(a)).collect();
    err.warnings = err.warnings.iter().map(|w| scrub(w)).collect();
    err
}

fn sf_error_unscrubbed(map: &Map<String, Value>) -> Error {
    let name = str_field(map, "name").unwrap_or_else(|| "SfCommandError".to_string());
    let message = str_field(map, "message");
    let exit_code = map
        .get("exitCode")
        .or_else(|| map.get("status"))
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let command = str_field(map, "commandName").or_else(|| str_field(map, "context"));
    let mut err = Error::new(
        name,
        match (command, message) {
            (Some(command), Some(message)) => {
                format!("The piped sf command ({command}) failed: {message}")
            }
            (None, Some(message)) => format!("The piped sf command failed: {message}"),
            (Some(command), None) => {
                format!("The piped sf command ({command}) failed and gave no message.")
            }
            (None, None) => "The piped sf command failed and gave no message.".to_string(),
        },
    )
    .with_exit(ExitStatus::from_code(exit_code))
    .with_actions(string_list(map.get("actions")));
    if let Some(code) = str_field(map, "code") {
        err = err.with_code(code);
    }
    err.warnings = sf_warnings(map.get("warnings"));
    err
}

fn unknown_shape(why: &str) -> Error {
    Error::input(
        "UnknownInputShapeError",
        format!("The piped JSON is not an org this tool knows: {why}."),
    )
    .with_action("Pipe `sf org display --json -o <alias>`, `sf org login ... --json` or `sf org resume sandbox --json`.")
}

fn str_field(map: &Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// At most this many of sf's warnings are passed on, each cut at [`MAX_WARNING_CHARS`].
const MAX_WARNINGS: usize = 20;
const MAX_WARNING_CHARS: usize = 1000;

/// sf's warnings from an envelope, bounded: a pipe full of warnings is not echoed in full.
fn sf_warnings(value: Option<&Value>) -> Vec<String> {
    let all = string_list(value);
    let mut kept: Vec<String> = all
        .iter()
        .take(MAX_WARNINGS)
        .map(|w| match w.char_indices().nth(MAX_WARNING_CHARS) {
            Some((cut, _)) => format!(
                "{}... ({} more characters not shown)",
                &w[..cut],
                w[cut..].chars().count()
            ),
            None => w.clone(),
        })
        .collect();
    if all.len() > MAX_WARNINGS {
        kept.push(format!(
            "... and {} more warnings from sf, not shown.",
            all.len() - MAX_WARNINGS
        ));
    }
    kept
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIX: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sf-cli-2.146.3/"
    );

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{FIX}{name}")).unwrap()
    }

    #[test]
    fn redacted_display_envelope() {
        let org = parse_org_json(&fixture("v1-display.json")).unwrap();
        assert_eq!(org.shape, Some(InputShape::OrgDisplay));
        assert_eq!(org.org_id.unwrap().as_18(), "00D5e000000AbCdEAK");
        assert_eq!(org.username.as_deref(), Some("admin@acme.com.uat"));
        assert_eq!(org.alias.as_deref(), Some("uat"));
        assert!(org.access_token.is_none());
        assert!(org.token_redacted);
        assert_eq!(org.sf_warnings.len(), 1);
    }

    #[test]
    fn unredacted_display_and_bare_result() {
        let text = fixture("v1-display-show-secrets.json");
        let org = parse_org_json(&text).unwrap();
        assert_eq!(
            org.access_token.unwrap().expose(),
            "00D5e000000AbCd!AQ4AQKnownTokenValue.For_Tests"
        );
        let envelope: Value = serde_json::from_str(&text).unwrap();
        let bare = serde_json::to_string(&envelope["result"]).unwrap();
        let org = parse_org_json(&bare).unwrap();
        assert_eq!(org.shape, Some(InputShape::OrgDisplay));
        assert!(org.access_token.is_some());
    }

    #[test]
    fn login_result() {
        let org = parse_org_json(&fixture("v2-login.json")).unwrap();
        assert_eq!(org.shape, Some(InputShape::OrgLogin));
        assert_eq!(org.is_sandbox, Some(true));
        assert_eq!(org.instance_name.as_deref(), Some("CS42"));
        assert_eq!(org.org_edition.as_deref(), Some("Enterprise Edition"));
        assert_eq!(org.api_version.as_deref(), Some("62.0"));
    }

    #[test]
    fn sandbox_process() {
        let text = r#"{"status":0,"result":{"Id":"0GR5e000000XyZaGAK","Status":"Completed","SandboxName":"uat","SandboxOrganization":"00D5e000000AbCd","CopyProgress":100}}"#;
        let org = parse_org_json(text).unwrap();
        assert_eq!(org.shape, Some(InputShape::SandboxProcess));
        assert_eq!(org.org_id.unwrap().as_18(), "00D5e000000AbCdEAK");
        assert_eq!(org.sandbox_name.as_deref(), Some("uat"));
    }

    #[test]
    fn sf_error_envelope_keeps_exit_code_and_actions() {
        let err = parse_org_json(&fixture("error-nosuch.json")).unwrap_err();
        assert_eq!(err.name, "NamedOrgNotFoundError");
        assert_eq!(err.exit, ExitStatus::Usage);
        assert!(
            err.message
                .contains("No authorization information found for nosuch")
        );
        assert_eq!(err.actions.len(), 1);
    }

    #[test]
    fn bad_inputs() {
        assert_eq!(parse_org_json("  \n").unwrap_err().name, "EmptyInputError");
        assert_eq!(
            parse_org_json("hello").unwrap_err().name,
            "InvalidJsonError"
        );
        assert_eq!(
            parse_org_json("[1]").unwrap_err().name,
            "UnknownInputShapeError"
        );
        assert_eq!(
            parse_org_json(r#"{"status":0,"result":{"foo":1}}"#)
                .unwrap_err()
                .name,
            "UnknownInputShapeError"
        );
        let bad_id = r#"{"id":"00D5e000000AbCdXXX","instanceUrl":"https://x.my.salesforce.com","username":"a@b.c"}"#;
        let err = parse_org_json(bad_id).unwrap_err();
        assert_eq!(err.exit, ExitStatus::Usage);
        assert!(err.message.contains("`id`"), "{}", err.message);
    }

    #[test]
    fn oversized_input_is_refused() {
        let big = std::io::repeat(b' ').take(MAX_INPUT_BYTES + 10);
        assert_eq!(
            read_bounded(big, "stdin").unwrap_err().name,
            "InputTooLargeError"
        );
    }
}
