//! Asking the sf CLI for a fresh access token.
//!
//! The installed sf (2.146.3; checked with `sf commands --json`) has
//! `sf org auth show-access-token`: it first renews the org's session the way sf does
//! (`org.refreshAuth()`: the refresh-token grant with the auth file's `clientId` and
//! `clientSecret`, or for an org authorized with JWT a new assertion signed with its
//! `privateKey`), then prints the token from the auth file. `sf org display` cannot serve here:
//! since sf 2.136.8 it redacts the token. The token is parsed from sf's JSON, never printed.

use crate::protocol::{Error, Result};
use crate::redacted::{Secret, is_redacted_placeholder};
use crate::salesforce::TokenFallback;
use crate::sf::runner::run_sf_json;
use std::sync::Arc;

/// The command asked, as the user would type it (without `-o` and `--json`).
pub const SHOW_ACCESS_TOKEN: &str = "sf org auth show-access-token";

/// sf's current access token for `username`, renewed by sf when it had expired. An sf that
/// could not renew it hands back the stale one (with a warning of its own): the caller finds
/// out when the org refuses it.
pub fn token_from_sf(username: &str) -> Result<Secret> {
    let result = run_sf_json(&["org", "auth", "show-access-token", "-o", username])?;
    let token = result
        .get("accessToken")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    if token.is_empty() || is_redacted_placeholder(token) {
        return Err(Error::new(
            "SfOutputError",
            format!("{SHOW_ACCESS_TOKEN} gave no access token for {username}."),
        ));
    }
    Ok(Secret::held(token))
}

/// [`token_from_sf`] as the client's fallback for an expired token.
pub fn sf_fallback(username: &str) -> TokenFallback {
    let username = username.to_string();
    TokenFallback {
        what: format!("{SHOW_ACCESS_TOKEN} -o {username}"),
        fetch: Arc::new(move || token_from_sf(&username)),
    }
}
