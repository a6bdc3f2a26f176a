//! Renewing an expired access token, as sf does (sfdx-core's `AuthInfo` refresh): the
//! refresh-token grant with the auth file's `clientId` and, when the auth file has one, its
//! `clientSecret` (a connected app with "Require Secret for Refresh Token Flow" refuses a renewal
//! without it). An org authorized with JWT has no refresh token; for it, or when the org refuses
//! the renewal, a fallback (sf itself) is asked for a fresh token and a warning says so.

use super::{Client, Failure, Home, network_error, too_large_error};
use crate::protocol::{Error, Result};
use crate::redacted::Secret;
use reqwest::{StatusCode, Url};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// What it takes to renew an access token (`POST {login}/services/oauth2/token`).
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    /// On the login URL recorded with the token: the refresh token and the secret go nowhere
    /// else.
    pub token_url: Url,
    pub client_id: String,
    /// The connected app's consumer secret, when sf stored one with the org.
    pub client_secret: Option<Secret>,
    pub refresh_token: Secret,
}

/// Another way to a fresh access token (sf renews it its own way), for when there is no refresh
/// token or the org refuses the renewal. `fetch` blocks (it runs a program).
#[derive(Clone)]
pub struct TokenFallback {
    /// What is asked, for the warning (`sf org auth show-access-token`).
    pub what: String,
    pub fetch: Arc<dyn Fn() -> Result<Secret> + Send + Sync>,
}

impl fmt::Debug for TokenFallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenFallback")
            .field("what", &self.what)
            .finish()
    }
}

/// Why the refresh-token grant gave no token.
enum Refusal {
    /// The org answered no (`invalid_grant`, `invalid_client`, ...): the fallback may do better.
    Refused(String),
    /// No answer at all (network, too large): nothing else is tried.
    Failed(Error),
}

impl Client {
    /// Renews the access token once. `seen` is the token generation the failed request used:
    /// when another request already renewed it, the new token is simply used.
    pub(super) async fn renew_token(&self, seen: u64) -> Result<()> {
        let mut last_failure = self.refresh_lock.lock().await;
        if self.token.read().unwrap().0 != seen {
            return Ok(());
        }
        if let Some((generation, err)) = last_failure.as_ref()
            && *generation == seen
        {
            return Err(err.clone());
        }
        let renewed = self.renew_now().await;
        if let Err(err) = &renewed {
            *last_failure = Some((seen, err.clone()));
        }
        renewed
    }

    async fn renew_now(&self) -> Result<()> {
        let (name, reason) = match &self.refresh {
            None => (
                "ExpiredAccessTokenError",
                "there is no refresh token to renew it".to_string(),
            ),
            Some(grant) => match self.refresh_grant(grant).await {
                Ok(token) => {
                    self.store_token(token);
                    return Ok(());
                }
                Err(Refusal::Failed(err)) => return Err(err),
                Err(Refusal::Refused(reason)) => ("TokenRefreshError", reason),
            },
        };
        let Some(fallback) = &self.fallback else {
            return Err(self.session_error(Error::new(
                name,
                format!("The org refused the access token (401 INVALID_SESSION_ID) and {reason}."),
            )));
        };
        let fetch = fallback.fetch.clone();
        let fetched = tokio::task::spawn_blocking(move || fetch())
            .await
            .unwrap_or_else(|e| Err(Error::new("TokenFallbackError", e.to_string())));
        let stale = self.token.read().unwrap().1.clone();
        match fetched {
            Ok(token) if token.expose() != stale.expose() && !token.expose().is_empty() => {
                token.hold();
                self.store_token(token);
                self.warnings.lock().unwrap().push(format!(
                    "The access token expired and {reason}: asked sf for a fresh one ({}).",
                    fallback.what
                ));
                Ok(())
            }
            Ok(_) => Err(self.session_error(Error::new(
                name,
                format!(
                    "The access token expired, {reason}, and {} gave back the same expired token.",
                    fallback.what
                ),
            ))),
            Err(err) => Err(self.session_error(Error::new(
                name,
                format!(
                    "The access token expired, {reason}, and {} failed: {}",
                    fallback.what, err.message
                ),
            ))),
        }
    }

    fn store_token(&self, token: Secret) {
        let mut slot = self.token.write().unwrap();
        *slot = (slot.0 + 1, token);
    }

    /// `grant_type=refresh_token` with the client ID, the secret when there is one, and the
    /// refresh token, to the login URL recorded with them.
    async fn refresh_grant(&self, grant: &RefreshGrant) -> Result<Secret, Refusal> {
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("client_id", grant.client_id.as_str()),
            ("refresh_token", grant.refresh_token.expose()),
        ];
        if let Some(secret) = &grant.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        let what = "POST /services/oauth2/token";
        let request = self.http.post(grant.token_url.clone()).form(&form);
        let answer = match self
            .exchange(request, Home::Login(&grant.token_url), what)
            .await
        {
            Ok(answer) => answer,
            Err(Failure::Refused(err)) => return Err(Refusal::Failed(err)),
            Err(Failure::TooLarge) => return Err(Refusal::Failed(too_large_error(what))),
            Err(Failure::Network(e)) => return Err(Refusal::Failed(network_error(&e, what, 1))),
        };
        let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
        let text = String::from_utf8_lossy(&answer.body).into_owned();
        let token = serde_json::from_str::<Value>(&text).ok().and_then(|v| {
            v.get("access_token")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        match token {
            Some(token) if status.is_success() => Ok(Secret::held(token)),
            _ => {
                let scrubbed = crate::redacted::scrub(&text);
                let answer = serde_json::from_str::<Value>(&scrubbed).ok();
                let field = |name: &str| {
                    answer
                        .as_ref()
                        .and_then(|v| v.get(name))
                        .and_then(Value::as_str)
                        .map(crate::protocol::output::escape_controls)
                };
                let reason = match (field("error"), field("error_description")) {
                    (Some(code), Some(text)) => format!("{text} ({code})"),
                    (None, Some(text)) | (Some(text), None) => text,
                    (None, None) => format!("HTTP {status}"),
                };
                Err(Refusal::Refused(format!("renewing it failed: {reason}")))
            }
        }
    }

    pub(super) fn session_error(&self, mut err: Error) -> Error {
        let who = self.username.as_deref().unwrap_or("<alias>");
        err.actions.clear();
        err.actions
            .push(format!("Log in again: sf org login web -o {who}"));
        err.actions.push(format!(
            "Or let sf renew the session, then retry: sf org display -o {who}"
        ));
        err
    }
}
