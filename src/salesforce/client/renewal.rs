//! Renewing an expired access token, as sf does (sfdx-core's `AuthInfo` refresh): the
//! refresh-token grant with the auth file's `clientId` and, when the auth file has one, its
//! `clientSecret` (a connected app with "Require Secret for Refresh Token Flow" refuses a renewal
//! without it). An org authorized with JWT has no refresh token; for it, or when the org refuses
//! the renewal, a fallback (sf itself) is asked for a fresh token and a warning says so.
//!
//! With Refresh Token Rotation on, the renewal answers a new refresh token and the one sent is
//! dead: the new one is used for later renewals, and every renewal is handed to the grant's
//! [`RenewalSink`] (sf's auth file), so that sf's own login keeps working.

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
    /// Where a renewal is written back (sf's auth file the refresh token came from).
    pub sink: Option<RenewalSink>,
}

/// What a renewal gave: the access token, and the new refresh token when the org rotated it.
pub struct Renewal {
    /// The refresh token the renewal was made with.
    pub sent_refresh_token: Secret,
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
}

/// Stores a renewal; blocks (file IO under sf's lock).
pub type SaveRenewal = dyn Fn(&Renewal) -> Result<()> + Send + Sync;

/// Keeps the store the refresh token came from in step with a renewal.
#[derive(Clone)]
pub struct RenewalSink {
    pub save: Arc<SaveRenewal>,
}

impl fmt::Debug for RenewalSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RenewalSink")
    }
}

/// Held while renewing: the failure of the last renewal (by token generation), so that requests
/// that failed together do not each try again, and the refresh token rotation gave last.
#[derive(Default)]
pub(super) struct RenewalState {
    last_failure: Option<(u64, Error)>,
    rotated: Option<Secret>,
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
        let mut state = self.refresh_lock.lock().await;
        if self.token.read().unwrap().0 != seen {
            return Ok(());
        }
        if let Some((generation, err)) = state.last_failure.as_ref()
            && *generation == seen
        {
            return Err(err.clone());
        }
        let renewed = self.renew_now(&mut state).await;
        if let Err(err) = &renewed {
            state.last_failure = Some((seen, err.clone()));
        }
        renewed
    }

    async fn renew_now(&self, state: &mut RenewalState) -> Result<()> {
        let (name, reason) = match &self.refresh {
            None => (
                "ExpiredAccessTokenError",
                "there is no refresh token to renew it".to_string(),
            ),
            Some(grant) => match self.refresh_grant(grant, state.rotated.as_ref()).await {
                Ok(renewal) => {
                    if let Some(rotated) = &renewal.refresh_token {
                        state.rotated = Some(rotated.clone());
                    }
                    self.store_token(renewal.access_token.clone());
                    self.keep_in_sink(grant, renewal).await;
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

    /// Hands a renewal to the grant's sink; a failure there is a warning (the command goes on
    /// with the new token) that says what sf needs.
    async fn keep_in_sink(&self, grant: &RefreshGrant, renewal: Renewal) {
        let Some(sink) = &grant.sink else { return };
        let save = sink.save.clone();
        let rotated = renewal.refresh_token.is_some();
        let saved = tokio::task::spawn_blocking(move || save(&renewal))
            .await
            .unwrap_or_else(|e| Err(Error::new("AuthFileWriteError", e.to_string())));
        if let Err(err) = saved {
            let who = self.username.as_deref().unwrap_or("<alias>");
            let consequence = if rotated {
                format!(
                    "the org rotated the refresh token, so sf's stored one no longer works: log in again with sf org login web -o {who}"
                )
            } else {
                "sf renews its own token when it next needs to".to_string()
            };
            self.warnings.lock().unwrap().push(format!(
                "{} The access token was renewed; {consequence}.",
                err.message
            ));
        }
    }

    fn store_token(&self, token: Secret) {
        let mut slot = self.token.write().unwrap();
        *slot = (slot.0 + 1, token);
    }

    /// `grant_type=refresh_token` with the client ID, the secret when there is one, and the
    /// refresh token, to the login URL recorded with them.
    /// `rotated`: the refresh token an earlier renewal's rotation gave, sent instead of the
    /// grant's own (which the org invalidated).
    async fn refresh_grant(
        &self,
        grant: &RefreshGrant,
        rotated: Option<&Secret>,
    ) -> Result<Renewal, Refusal> {
        let sent = rotated.unwrap_or(&grant.refresh_token).clone();
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("client_id", grant.client_id.as_str()),
            ("refresh_token", sent.expose()),
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
        let parsed = serde_json::from_str::<Value>(&text).ok();
        let field = |name: &str| {
            parsed
                .as_ref()
                .and_then(|v| v.get(name))
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(Secret::held)
        };
        match field("access_token") {
            Some(access_token) if status.is_success() => Ok(Renewal {
                refresh_token: field("refresh_token").filter(|new| new.expose() != sent.expose()),
                sent_refresh_token: sent,
                access_token,
            }),
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
