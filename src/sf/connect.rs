//! From "which org" to a working connection, the way a user of sf expects: the org comes from
//! `-o` (alias or username), else from sf JSON piped in, else from sf's default target org. The
//! access token comes, in order, from the piped JSON (when sf did not redact it), sf's auth store
//! (`~/.sfdx/<username>.json`, decrypted with the key from the OS keychain or `key.json`),
//! `SF_ACCESS_TOKEN` with `SF_ORG_INSTANCE_URL`, and last `sf org auth show-access-token`.
//! The token is never printed; only where it came from is.

use crate::protocol::error::THIS_COMMAND;
use crate::protocol::{Error, Result};
use crate::redacted::{Secret, is_redacted_placeholder};
use crate::salesforce::client::{check_no_credentials, parse_instance_url};
use crate::salesforce::ids::OrgId;
use crate::salesforce::{Connection, RefreshGrant, Renewal, RenewalSink};
use crate::sf::authfile::{StoredAuth, load_stored_auth};
use crate::sf::authfile_store::{RenewedTokens, store_renewal};
use crate::sf::config::configured_api_version;
use crate::sf::crypto::SfKey;
use crate::sf::home::{SfEnv, home_dir};
use crate::sf::intake::PipedOrg;
use crate::sf::keychain::sf_key;
use crate::sf::runner::run_sf_json;
use crate::sf::sf_token::{SHOW_ACCESS_TOKEN, sf_fallback, token_from_sf};
use crate::sf::target_org::resolve_target_org;
use reqwest::Url;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// sf's default connected-app client ID, used to renew tokens when the auth file names none.
const SF_DEFAULT_CLIENT_ID: &str = "PlatformCLI";

/// What the user pointed at.
#[derive(Debug, Clone, Default)]
pub struct OrgRequest {
    /// `-o/--target-org`: an alias or username.
    pub target_org: Option<String>,
    /// sf JSON read from stdin or `--org-json`.
    pub piped: Option<PipedOrg>,
    /// `--api-version`.
    pub api_version: Option<String>,
}

/// The org as far as it is known without a token.
#[derive(Debug, Clone, Default)]
pub struct OrgIdentity {
    pub username: Option<String>,
    pub alias: Option<String>,
    pub org_id: Option<OrgId>,
    pub instance_url: Option<String>,
    pub api_version: Option<String>,
    pub piped: Option<PipedOrg>,
}

/// Where the access token came from (shown by `org inspect` and `doctor`; never the token).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum TokenSource {
    /// The JSON piped in carried the token.
    Piped,
    /// sf's auth store, decrypted with sf's key.
    AuthFile { path: String, key: String },
    /// `SF_ACCESS_TOKEN` and `SF_ORG_INSTANCE_URL`.
    Environment,
    /// `sf org auth show-access-token`.
    SfCli,
}

/// Works out which org is meant, without touching the network.
pub fn identify(request: OrgRequest) -> Result<OrgIdentity> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let piped = request.piped;
    let mut identity = OrgIdentity {
        api_version: request.api_version.clone(),
        ..OrgIdentity::default()
    };
    if let Some(flag) = request.target_org.as_deref() {
        let home = home_dir()?;
        let target = resolve_target_org(Some(flag), &cwd, &home)?.ok_or_else(no_org_error)?;
        identity.username = Some(target.username);
        identity.alias = target.alias;
    } else if let Some(org) = &piped {
        identity.username = org.username.clone();
        identity.alias = org.alias.clone();
    } else if let Some(env_org) = env_token_org() {
        // A pipeline that hands over a token (SF_ACCESS_TOKEN + SF_ORG_INSTANCE_URL) needs no
        // sf auth store; SF_TARGET_ORG, when set, only names the user.
        identity.username = env_org;
    } else {
        let home = home_dir()?;
        match resolve_target_org(None, &cwd, &home)? {
            Some(target) => {
                identity.username = Some(target.username);
                identity.alias = target.alias;
            }
            None => return Err(no_org_error()),
        }
    }
    if let Some(org) = &piped {
        for (url, what) in [
            (&org.instance_url, "instance URL"),
            (&org.login_url, "login URL"),
        ] {
            if let Some(parsed) = url.as_deref().and_then(|u| Url::parse(u.trim()).ok()) {
                check_no_credentials(&parsed, what)?;
            }
        }
        // A piped org and -o may name different orgs: trust -o, use the pipe's facts only
        // when they are about the same user.
        let same = identity.username.is_none() || identity.username == org.username;
        if same {
            identity.org_id = org.org_id.clone();
            identity.instance_url = org.instance_url.clone();
            if identity.api_version.is_none() {
                identity.api_version = org.api_version.clone();
            }
            if identity.alias.is_none() {
                identity.alias = org.alias.clone();
            }
        }
    }
    if let Some(org) = &piped {
        check_sandbox_name(org, identity.username.as_deref())?;
    }
    identity.piped = piped;
    if request.api_version.is_none() {
        let home = home_dir().ok();
        if let Some(configured) = home.and_then(|home| configured_api_version(&cwd, &home)) {
            identity.api_version = Some(configured);
        }
    }
    if let Some(version) = &identity.api_version {
        identity.api_version = Some(normalise_api_version(version)?);
    }
    Ok(identity)
}

/// Gets a working access token for the org. Fails with what was tried and what to do.
pub fn connect(identity: &OrgIdentity) -> Result<(Connection, TokenSource)> {
    let username = identity.username.clone();
    let mut tried = Vec::new();

    // 1. The piped JSON carried a real token.
    if let Some(org) = &identity.piped {
        if let (Some(token), Some(url)) = (&org.access_token, &identity.instance_url)
            && identity.username == org.username
        {
            let conn = connection(identity, url, token.clone(), None)?;
            return Ok((conn, TokenSource::Piped));
        }
        if org.token_redacted {
            tried.push("the piped JSON (sf redacted its token)".to_string());
        }
    }

    // 2. sf's own auth store.
    if let Some(username) = &username {
        match home_dir().and_then(|home| Ok((sf_key(&home)?, home))) {
            Ok((key, home)) => match load_stored_auth(&home, username, &key) {
                Ok(stored) => {
                    // The saved token goes only to the host its own auth file names.
                    if let Some(claimed) = identity.instance_url.as_deref() {
                        check_same_host(claimed, &stored.instance_url, &stored.path)?;
                    }
                    let instance_url = stored.instance_url.clone();
                    let refresh = match &stored.refresh_token {
                        Some(refresh_token) => {
                            Some(refresh_grant(&stored, refresh_token, &key.key)?)
                        }
                        None => None,
                    };
                    // sf renews a JWT org (no refresh token) with its private key, and may
                    // succeed where the org refused our renewal: ask it then. An org logged in
                    // with a bare access token cannot be renewed by anyone.
                    let fallback =
                        (stored.jwt || refresh.is_some()).then(|| sf_fallback(&stored.username));
                    let mut identity = identity.clone();
                    if identity.api_version.is_none() {
                        identity.api_version = stored.api_version.clone();
                    }
                    let mut conn = connection(
                        &identity,
                        &instance_url,
                        stored.access_token.clone(),
                        refresh,
                    )?;
                    conn.fallback = fallback;
                    let source = TokenSource::AuthFile {
                        path: stored.path.display().to_string(),
                        key: key.source.to_string(),
                    };
                    return Ok((conn, source));
                }
                Err(err) if is_missing(&err) => {
                    tried.push(format!("sf's auth store (no auth file for {username})"))
                }
                Err(err) => return Err(err),
            },
            Err(err) if is_missing(&err) => {
                tried.push("sf's auth store (no key found)".to_string())
            }
            Err(err) => return Err(err),
        }
    }

    // 3. The environment, as sf reads it (the legacy SFDX_* names too).
    let env = SfEnv::from_process();
    match env.get("SF_ACCESS_TOKEN") {
        Some(token) if !is_redacted_placeholder(token) => {
            let url = env
                .get("SF_ORG_INSTANCE_URL")
                .map(str::to_string)
                .or_else(|| identity.instance_url.clone());
            match url {
                Some(url) => {
                    let conn = connection(identity, &url, Secret::held(token), None)?;
                    return Ok((conn, TokenSource::Environment));
                }
                None => {
                    tried.push("SF_ACCESS_TOKEN (but SF_ORG_INSTANCE_URL is not set)".to_string())
                }
            }
        }
        _ => tried.push("SF_ACCESS_TOKEN (not set)".to_string()),
    }

    // 4. The sf CLI itself.
    if let Some(username) = &username {
        match token_from_sf(username) {
            Ok(token) => {
                // sf's token goes only to the instance URL sf records for the org, whatever
                // the piped JSON claims.
                let url = run_sf_json(&["org", "display", "-o", username])?
                    .get("instanceUrl")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .ok_or_else(|| {
                        Error::new("SfOutputError", "sf org display gave no instanceUrl.")
                    })?;
                if let Some(claimed) = identity.instance_url.as_deref() {
                    check_same_host(claimed, &url, std::path::Path::new("sf org display"))?;
                }
                let conn = connection(identity, &url, token, None)?;
                return Ok((conn, TokenSource::SfCli));
            }
            Err(err) if err.name == "SfNotFoundError" => {
                tried.push("the sf CLI (not found)".to_string())
            }
            Err(err) if err.name == "SfOutputError" => {
                tried.push(format!("{SHOW_ACCESS_TOKEN} (no token)"))
            }
            Err(err) => tried.push(format!("{SHOW_ACCESS_TOKEN} ({})", err.message)),
        }
    }

    let who = identity
        .alias
        .clone()
        .or(username)
        .unwrap_or_else(|| "<alias>".to_string());
    Err(Error::new(
        "NoAccessTokenError",
        format!(
            "No usable access token for {who}. Tried: {}.",
            tried.join("; ")
        ),
    )
    .with_action(format!(
        "Log in with sf so its auth store has the org: sf org login web --alias {who}"
    ))
    .with_action("Or set SF_ACCESS_TOKEN and SF_ORG_INSTANCE_URL.")
    .with_action("Or work from the piped JSON alone with --offline."))
}

fn connection(
    identity: &OrgIdentity,
    instance_url: &str,
    token: Secret,
    refresh: Option<RefreshGrant>,
) -> Result<Connection> {
    let url: Url = parse_instance_url(instance_url)?;
    Ok(Connection {
        instance_url: url,
        api_version: identity.api_version.clone(),
        access_token: token,
        refresh,
        fallback: None,
        username: identity.alias.clone().or(identity.username.clone()),
    })
}

/// The refresh-token grant as sf sends it: the auth file's `clientId` (sf's default app when
/// none), its `clientSecret` when stored, to the login URL the auth file records (the instance
/// URL when it records none): the refresh token and the secret go to no other host. A renewal
/// is written back into the auth file (see `authfile_store`), so that sf keeps working when the
/// org rotates refresh tokens.
fn refresh_grant(stored: &StoredAuth, refresh_token: &Secret, key: &SfKey) -> Result<RefreshGrant> {
    let (path, key) = (stored.path.clone(), key.clone());
    let save = move |renewal: &Renewal| {
        let tokens = RenewedTokens {
            sent_refresh_token: &renewal.sent_refresh_token,
            access_token: &renewal.access_token,
            refresh_token: renewal.refresh_token.as_ref(),
        };
        store_renewal(&path, &key, &tokens).map(|_| ())
    };
    let login = stored
        .login_url
        .clone()
        .unwrap_or(stored.instance_url.clone());
    Ok(RefreshGrant {
        token_url: parse_instance_url(&login)?
            .join("/services/oauth2/token")
            .map_err(|e| Error::new("InvalidUrlError", e.to_string()))?,
        client_id: stored
            .client_id
            .clone()
            .unwrap_or_else(|| SF_DEFAULT_CLIENT_ID.to_string()),
        client_secret: stored.client_secret.clone(),
        refresh_token: refresh_token.clone(),
        sink: Some(RenewalSink {
            save: std::sync::Arc::new(save),
        }),
    })
}

/// The instance URL the org JSON claims must be the host the saved token belongs to (scheme,
/// host and port); otherwise the token would go to whoever wrote the JSON. Exit 2, before any
/// request.
fn check_same_host(claimed: &str, recorded: &str, source: &std::path::Path) -> Result<()> {
    let origin = |text: &str| Url::parse(text.trim()).ok().map(|u| u.origin());
    let host = |text: &str| {
        Url::parse(text.trim())
            .ok()
            .map(|mut u| {
                let _ = u.set_username("");
                let _ = u.set_password(None);
                u.origin().ascii_serialization()
            })
            .unwrap_or_else(|| "(not a URL)".to_string())
    };
    match (origin(claimed), origin(recorded)) {
        (Some(a), Some(b)) if a == b => Ok(()),
        _ => Err(Error::input(
            "InstanceUrlMismatchError",
            format!(
                "The org JSON names the instance {}, but the saved token belongs to {} (recorded in {}): the token is only ever sent to its own org.",
                host(claimed),
                host(recorded),
                source.display()
            ),
        )
        .with_action("Pipe the JSON of the same org (`sf org display --json -o <alias>`), or leave out --org-json and use -o <alias> alone.")),
    }
}

/// Errors that mean "not there" (try the next source) rather than "there but wrong".
fn is_missing(err: &Error) -> bool {
    matches!(
        err.name.as_str(),
        "NamedOrgNotFoundError" | "AuthFileNotFoundError" | "KeyNotFoundError" | "NoAuthFileError"
    )
}

/// `Some(username?)` when the environment carries a whole org: SF_ACCESS_TOKEN and
/// SF_ORG_INSTANCE_URL (SF_TARGET_ORG, if set, is taken as the username for messages).
fn env_token_org() -> Option<Option<String>> {
    let env = SfEnv::from_process();
    env.get("SF_ACCESS_TOKEN")
        .filter(|t| !is_redacted_placeholder(t))?;
    env.get("SF_ORG_INSTANCE_URL")?;
    Some(env.get("SF_TARGET_ORG").map(str::to_string))
}

/// True when sf has a default org (`SF_TARGET_ORG` or `target-org` in its config).
pub fn has_default_org() -> bool {
    if env_token_org().is_some() {
        return true;
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    home_dir()
        .ok()
        .and_then(|home| resolve_target_org(None, &cwd, &home).ok().flatten())
        .is_some()
}

/// The sandbox name a refresh appended to a username: `admin@acme.com.uat` -> `uat`. Only a
/// guess unless the org is known to be a sandbox; needs at least `domain.tld.suffix`.
pub fn username_sandbox_suffix(username: &str) -> Option<String> {
    let (_, domain) = username.rsplit_once('@')?;
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 3 {
        return None;
    }
    let last = *labels.last()?;
    (!last.is_empty() && last.len() <= 10 && last.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| last.to_string())
}

/// The sandbox name of piped JSON (`--org-json`, stdin) against the org's own, which its username
/// says (`admin@acme.com.uat` is sandbox `uat`): the org's own is the one that counts, and JSON
/// that says another is about another sandbox, whose tenant would be planned for this one.
fn check_sandbox_name(piped: &PipedOrg, username: Option<&str>) -> Result<()> {
    let (Some(said), Some(username)) = (piped.sandbox_name.as_deref(), username) else {
        return Ok(());
    };
    let Some(own) = username_sandbox_suffix(username) else {
        return Ok(());
    };
    if own.eq_ignore_ascii_case(said) {
        return Ok(());
    }
    Err(Error::input(
        "SandboxNameMismatchError",
        format!(
            "The org's username {username} says it is sandbox {own}, but the JSON given with it says sandboxName {said}: the JSON is about another sandbox; nothing was done."
        ),
    )
    .with_action(format!(
        "Give the JSON of this org (sf org display -o {username} --json), or leave --org-json out."
    ))
    .with_data(serde_json::json!({"username": username, "sandboxName": own, "jsonSandboxName": said})))
}

fn no_org_error() -> Error {
    Error::input(
        "NoOrgError",
        "No org given: pipe sf's JSON in, pass -o <alias>, or set a default org.",
    )
    .with_action(format!("sf org display --json -o <alias> | {THIS_COMMAND}"))
    .with_action(format!("{THIS_COMMAND} -o <alias>"))
    .with_action("sf config set target-org <alias>")
}

/// `62`, `62.0` and `v62.0` all mean API version 62.0.
pub fn normalise_api_version(text: &str) -> Result<String> {
    let trimmed = text.trim().trim_start_matches(['v', 'V']);
    let major = trimmed.strip_suffix(".0").unwrap_or(trimmed);
    match major.parse::<u32>() {
        Ok(n) if (20..=99).contains(&n) => Ok(format!("{n}.0")),
        _ => Err(Error::input(
            "InvalidApiVersionError",
            format!("{text:?} is not an API version; use the form 62.0."),
        )
        .with_action("Pass --api-version 62.0, or leave it out to use the org's.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_versions() {
        assert_eq!(normalise_api_version("62.0").unwrap(), "62.0");
        assert_eq!(normalise_api_version("v61.0").unwrap(), "61.0");
        assert_eq!(normalise_api_version("60").unwrap(), "60.0");
        assert!(normalise_api_version("62.5").is_err());
        assert!(normalise_api_version("abc").is_err());
    }
}
