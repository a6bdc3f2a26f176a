//! From what the user typed to an [`OrgRequest`]: `-o`, `--org-json FILE` (`-` for stdin), and
//! when no org is named, sf JSON piped on stdin. Every command that opens an org, and doctor,
//! build their request here.

use crate::protocol::{Error, Result};
use crate::sf::connect::OrgRequest;
use crate::sf::intake::{parse_org_json, read_stdin_bounded};
use std::io::IsTerminal;
use std::path::Path;

/// Builds the org request from the flags' values and, when no org is named, from sf JSON on
/// stdin. stdin is read only when it is not a terminal, so nothing ever waits for typing.
pub fn org_request(
    target_org: Option<&str>,
    org_json: Option<&Path>,
    api_version: Option<&str>,
) -> Result<OrgRequest> {
    let mut request = OrgRequest {
        target_org: target_org.map(str::to_string),
        api_version: api_version.map(str::to_string),
        piped: None,
    };
    let text = match org_json {
        Some(path) if path.as_os_str() == "-" => Some(read_stdin_bounded()?),
        Some(path) => {
            let text = crate::fsutil::read_bounded_text(path).map_err(|e| {
                Error::input(
                    "OrgJsonFileError",
                    format!("Could not read {}: {e}", path.display()),
                )
                .with_action("Save it with: sf org display --json -o <alias> > org.json")
            })?;
            Some(text)
        }
        None if target_org.is_none() && !std::io::stdin().is_terminal() => {
            let text = read_stdin_bounded()?;
            // An empty pipe with a default org configured (a CI job with no stdin) means
            // "use the default org"; with none configured it is an error, said below.
            if text.trim().is_empty() && crate::sf::connect::has_default_org() {
                None
            } else {
                Some(text)
            }
        }
        None => None,
    };
    if let Some(text) = text {
        request.piped = Some(parse_org_json(&text)?);
    }
    Ok(request)
}
