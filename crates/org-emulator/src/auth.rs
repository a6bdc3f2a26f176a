//! The OAuth token endpoint (`POST /services/oauth2/token`): the refresh-token flow and the JWT
//! bearer flow, with the connected apps the org knows.
//!
//! - Refresh token flow (Salesforce Help, "OAuth 2.0 Refresh Token Flow for Renewed Sessions",
//!   `remoteaccess_oauth_refresh_token_flow.htm`): `grant_type=refresh_token`, `client_id`,
//!   `refresh_token`, and `client_secret`, which is required when the connected app has
//!   "Require Secret for Refresh Token Flow" on. A missing or wrong secret is refused with
//!   `invalid_client` / `invalid client credentials`; an unknown or revoked refresh token with
//!   `invalid_grant` / `expired access/refresh token` (Help, "OAuth 2.0 Authorization Errors",
//!   `remoteaccess_oauth_flow_errors.htm`).
//! - Refresh Token Rotation (same Help page; Knowledge article 005316711, "Force one-time-use
//!   Refresh Tokens"): with rotation on, each renewal issues a new refresh token with the access
//!   token and invalidates the one sent; any reuse of an invalidated one revokes the current
//!   refresh token and all its access tokens, so the client must log in again.
//! - JWT bearer flow (Help, "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration",
//!   `remoteaccess_oauth_jwt_flow.htm`): `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`
//!   and an RS256-signed `assertion` whose `iss` is the connected app's consumer key, `sub` the
//!   user's username, `aud` the authorization server, `exp` in the future; the signature is
//!   checked against the certificate uploaded to the app. No refresh token is issued.

use crate::http::{ApiRequest, ApiResponse};
use crate::state::OrgState;
use crate::util;
use serde_json::{Value, json};

fn oauth_error(error: &str, description: &str) -> ApiResponse {
    ApiResponse::json(
        400,
        &json!({"error": error, "error_description": description}),
    )
}

/// `POST /services/oauth2/token`.
pub(crate) fn token(state: &mut OrgState, req: &ApiRequest) -> ApiResponse {
    let mut params = util::parse_form(&String::from_utf8_lossy(req.body));
    params.extend(util::parse_form(req.query.unwrap_or("")));
    match param(&params, "grant_type") {
        Some("refresh_token") => refresh_grant(state, &params),
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
            jwt_grant(state, param(&params, "assertion"))
        }
        Some(_) => oauth_error("unsupported_grant_type", "grant type not supported"),
        None => oauth_error("invalid_request", "grant type not supported"),
    }
}

/// A form parameter, empty counted as absent.
fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn refresh_grant(state: &mut OrgState, params: &[(String, String)]) -> ApiResponse {
    let get = |name: &str| param(params, name);
    let Some(client_id) = get("client_id") else {
        return oauth_error("invalid_client_id", "client identifier invalid");
    };
    // A refresh token not issued through one of the org's own apps belongs to sf's global
    // `PlatformCLI` app, which has no secret.
    if let Some(app) = state
        .connected_apps
        .iter()
        .find(|a| a.consumer_key == client_id)
    {
        let sent = get("client_secret");
        let wrong = sent.is_some() && sent != app.consumer_secret.as_deref();
        if wrong || (app.require_secret_for_refresh && sent.is_none()) {
            return oauth_error("invalid_client", "invalid client credentials");
        }
    }
    let sent = get("refresh_token");
    if sent.is_some_and(|t| state.rotated_refresh_tokens.iter().any(|r| r == t)) {
        // A rotated-out token came back: the whole family is revoked.
        state.refresh_token.clear();
        state.access_token.clear();
        return oauth_error("invalid_grant", "expired access/refresh token");
    }
    if state.refresh_token.is_empty() || sent != Some(state.refresh_token.as_str()) {
        return oauth_error("invalid_grant", "expired access/refresh token");
    }
    let rotated = state.rotate_refresh_tokens.then(|| {
        let new = format!("5Aep861{}", util::random_token(80));
        let old = std::mem::replace(&mut state.refresh_token, new.clone());
        state.rotated_refresh_tokens.push(old);
        new
    });
    issue_token(state, "refresh_token web api", rotated)
}

fn jwt_grant(state: &mut OrgState, assertion: Option<&str>) -> ApiResponse {
    let invalid = || oauth_error("invalid_grant", "invalid assertion");
    let Some(assertion) = assertion else {
        return oauth_error("invalid_request", "assertion is required");
    };
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return invalid();
    };
    let decode_json = |part: &str| {
        base64url_decode(part).and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
    };
    let (Some(header_json), Some(claims), Some(signature)) = (
        decode_json(header),
        decode_json(claims),
        base64url_decode(signature),
    ) else {
        return invalid();
    };
    if header_json["alg"] != "RS256" {
        return invalid();
    }
    let iss = claims["iss"].as_str().unwrap_or_default();
    let Some(key) = state
        .connected_apps
        .iter()
        .find(|a| a.consumer_key == iss)
        .and_then(|a| a.certificate_public_key.clone())
    else {
        return oauth_error("invalid_client_id", "client identifier invalid");
    };
    let signed = &assertion[..header.len() + 1 + parts[1].len()];
    let public_key =
        ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, key);
    if public_key.verify(signed.as_bytes(), &signature).is_err() {
        return invalid();
    }
    // The audience is the authorization server: login.salesforce.com, test.salesforce.com, or
    // (for a login server of its own, as the emulator is) that server's URL.
    let aud = claims["aud"]
        .as_str()
        .unwrap_or_default()
        .trim_end_matches('/');
    let own = state.instance_url.trim_end_matches('/');
    if ![
        "https://login.salesforce.com",
        "https://test.salesforce.com",
        own,
    ]
    .contains(&aud)
    {
        return oauth_error("invalid_grant", "audience is invalid");
    }
    // sf writes `exp` as milliseconds (Date.now() + 300), which real orgs accept: only an
    // expiry already past is refused.
    let now_s = util::now_ms() / 1000;
    if claims["exp"].as_i64().is_none_or(|exp| exp < now_s) {
        return oauth_error("invalid_grant", "expired authorization code");
    }
    let sub = claims["sub"].as_str().unwrap_or_default();
    if !sub.eq_ignore_ascii_case(&state.username) {
        return oauth_error("invalid_grant", "user hasn't approved this consumer");
    }
    issue_token(state, "web api", None)
}

/// A new access token for the running user (with the new refresh token when rotation issued
/// one); the old access token stops working.
fn issue_token(state: &mut OrgState, scope: &str, refresh_token: Option<String>) -> ApiResponse {
    let token = format!("{}!AQ4AQ{}", &state.org_id[..15], util::random_token(92));
    state.access_token = token.clone();
    state.token_expired = false;
    let mut answer = json!({
            "access_token": token,
            "signature": format!("{}=", util::random_token(43).replace(['.', '_'], "A")),
            "scope": scope,
            "instance_url": state.instance_url,
            "id": format!("{}/id/{}/{}", state.instance_url, state.org_id, state.user_id),
            "token_type": "Bearer",
            "issued_at": util::now_ms().to_string(),
    });
    if let Some(refresh_token) = refresh_token {
        answer["refresh_token"] = refresh_token.into();
    }
    ApiResponse::json(200, &answer)
}

/// Base64 in the URL-safe alphabet, padding optional (JWT parts); the standard alphabet too
/// (a PEM body).
pub(crate) fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' | b'\n' | b'\r' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
