//! The target org: which one, its auth file, reaching it, its packages, and each step's
//! readiness (`readiness`).

use super::readiness::{step_line, step_readiness};
use super::*;
use crate::org::facts::Packages;
use crate::org::session::open_identified;
use crate::protocol::{Error, Result};
use crate::redacted::is_redacted_placeholder;
use crate::sf::authfile::{load_stored_auth, read_auth_file};
use crate::sf::connect::{OrgIdentity, OrgRequest, TokenSource, identify};
use crate::sf::home::{SfEnv, home_dir};
use crate::sf::intake::{parse_org_json, read_stdin_bounded};
use crate::sf::keychain::sf_key;
use crate::sf::target_org::resolve_target_org;
use std::io::IsTerminal;

pub(super) async fn check_org(args: &DoctorRequest) -> Result<(OrgReport, Vec<DoctorCheck>)> {
    let mut report = OrgReport::default();
    let mut checks = Vec::new();
    let skip_rest = |checks: &mut Vec<DoctorCheck>, why: &str| {
        for name in [
            CheckName::AuthFile,
            CheckName::OrgReachable,
            CheckName::LogikPackage,
            CheckName::CpqPackage,
        ] {
            if !checks.iter().any(|c: &DoctorCheck| c.name == name) {
                checks.push(check(name, CheckStatus::Skipped, why));
            }
        }
    };

    // Which org, and how it was named.
    let (request, requested_by) = match org_input(args) {
        Ok(Some(found)) => found,
        Ok(None) => {
            checks.push(DoctorCheck {
                name: CheckName::TargetOrg,
                status: CheckStatus::Warning,
                detail: "no org: none named with -o, none piped in, and sf has no default org"
                    .into(),
                actions: vec![
                    "logik-refresh doctor -o <alias>".into(),
                    "sf org display --json -o <alias> | logik-refresh doctor".into(),
                    "sf config set target-org <alias>".into(),
                ],
            });
            skip_rest(&mut checks, "no org");
            return Ok((report, checks));
        }
        Err((requested_by, err)) => {
            report.requested_by = Some(requested_by);
            checks.push(failed(CheckName::TargetOrg, &err));
            skip_rest(&mut checks, "the org is not known");
            return Ok((report, checks));
        }
    };
    report.requested_by = Some(requested_by);
    let identity = match identify(request) {
        Ok(identity) => identity,
        Err(err) => {
            checks.push(failed(CheckName::TargetOrg, &err));
            skip_rest(&mut checks, "the org is not known");
            return Ok((report, checks));
        }
    };
    report.username = identity.username.clone();
    report.alias = identity.alias.clone();
    report.org_id = identity.org_id.as_ref().map(|id| id.as_18().to_string());
    report.instance_url = identity.instance_url.clone();
    report.api_version = identity.api_version.clone();
    checks.push(check(
        CheckName::TargetOrg,
        CheckStatus::Ok,
        target_detail(&identity, requested_by),
    ));

    // sf's auth file.
    checks.push(auth_file_check(&identity, &mut report));

    // The org itself.
    if args.offline {
        skip_rest(&mut checks, "--offline: the org was not called");
        return Ok((report, checks));
    }
    match open_identified(identity).await {
        Ok(open) => {
            let facts = &open.facts;
            report.reachable = Some(true);
            report.org_id = facts.org_id.clone().or(report.org_id);
            report.instance_url = facts.instance_url.clone().or(report.instance_url);
            report.api_version = open.client.api_version().to_string().into();
            report.token_source = facts.source.token_source.clone();
            report.packages = facts.packages.clone();
            report.requests = open.client.request_count();
            checks.push(check(
                CheckName::OrgReachable,
                CheckStatus::Ok,
                format!(
                    "{} answered (API {}, {} requests); token from {}",
                    report.instance_url.as_deref().unwrap_or("the org"),
                    report.api_version.as_deref().unwrap_or("?"),
                    report.requests,
                    report
                        .token_source
                        .as_ref()
                        .map(token_source_text)
                        .unwrap_or_else(|| "?".into())
                ),
            ));
            checks.extend(package_checks(report.packages.as_ref()));
            // A token from the environment comes without a username: the org told it.
            let username = open
                .identity
                .username
                .as_deref()
                .or(facts.username.as_deref());
            report.steps = step_readiness(&open.client, username).await;
            report.requests = open.client.request_count();
            checks.extend(report.steps.iter().map(step_line));
        }
        Err(err) => {
            report.reachable = Some(false);
            checks.push(failed(CheckName::OrgReachable, &err));
            skip_rest(&mut checks, "the org did not answer");
        }
    }
    Ok((report, checks))
}

/// The org request doctor works from: `Ok(None)` when no org is named anywhere. An empty pipe
/// (a CI job without stdin) is no org, not an error.
pub(super) fn org_input(
    args: &DoctorRequest,
) -> std::result::Result<Option<(OrgRequest, OrgRequestedBy)>, (OrgRequestedBy, Error)> {
    let flags = args;
    if flags.target_org.is_some() || flags.org_json.is_some() {
        let by = if flags.target_org.is_some() {
            OrgRequestedBy::Flag
        } else {
            OrgRequestedBy::OrgJson
        };
        return crate::sf::request::org_request(
            flags.target_org.as_deref(),
            flags.org_json.as_deref(),
            flags.api_version.as_deref(),
        )
        .map(|r| Some((r, by)))
        .map_err(|e| (by, e));
    }
    let mut request = OrgRequest {
        target_org: None,
        api_version: flags.api_version.clone(),
        piped: None,
    };
    if !std::io::stdin().is_terminal() {
        let by = OrgRequestedBy::Stdin;
        let text = read_stdin_bounded().map_err(|e| (by, e))?;
        if !text.trim().is_empty() {
            request.piped = Some(parse_org_json(&text).map_err(|e| (by, e))?);
            return Ok(Some((request, by)));
        }
    }
    if env_token().is_some() {
        return Ok(Some((request, OrgRequestedBy::Environment)));
    }
    if crate::sf::connect::has_default_org() {
        return Ok(Some((request, OrgRequestedBy::Default)));
    }
    Ok(None)
}

/// SF_ACCESS_TOKEN (not sf's placeholder) with SF_ORG_INSTANCE_URL, as the tool reads them.
pub(super) fn env_token() -> Option<()> {
    let env = SfEnv::from_process();
    env.get("SF_ACCESS_TOKEN")
        .filter(|t| !is_redacted_placeholder(t))?;
    env.get("SF_ORG_INSTANCE_URL")?;
    Some(())
}

pub(super) fn target_detail(identity: &OrgIdentity, by: OrgRequestedBy) -> String {
    let who = match (&identity.username, &identity.alias) {
        (Some(user), Some(alias)) => format!("{user} (alias {alias})"),
        (Some(user), None) => user.clone(),
        (None, _) => identity
            .instance_url
            .clone()
            .unwrap_or_else(|| "an org with no username".into()),
    };
    let from = match by {
        OrgRequestedBy::Flag => "from -o".to_string(),
        OrgRequestedBy::OrgJson => "from --org-json".to_string(),
        OrgRequestedBy::Stdin => "from the sf JSON on stdin".to_string(),
        OrgRequestedBy::Environment => "from SF_ACCESS_TOKEN and SF_ORG_INSTANCE_URL".to_string(),
        OrgRequestedBy::Default => default_org_source()
            .map(|source| format!("sf's default org ({source})"))
            .unwrap_or_else(|| "sf's default org".into()),
    };
    format!("{who}, {from}")
}

pub(super) fn default_org_source() -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let home = home_dir().ok()?;
    let target = resolve_target_org(None, &cwd, &home).ok()??;
    Some(target.source.to_string())
}

pub(super) fn auth_file_check(identity: &OrgIdentity, report: &mut OrgReport) -> DoctorCheck {
    let token_elsewhere = identity
        .piped
        .as_ref()
        .is_some_and(|p| p.access_token.is_some())
        .then_some("the piped JSON")
        .or_else(|| env_token().map(|()| "SF_ACCESS_TOKEN"));
    let Some(username) = identity.username.as_deref() else {
        return check(
            CheckName::AuthFile,
            CheckStatus::Skipped,
            format!(
                "no username, so no auth file; the token comes from {}",
                token_elsewhere.unwrap_or("elsewhere")
            ),
        );
    };
    let home = match home_dir() {
        Ok(home) => home,
        Err(err) => return failed(CheckName::AuthFile, &err),
    };
    let file = match read_auth_file(&home, username) {
        Ok(file) => file,
        Err(err) if err.name == "NamedOrgNotFoundError" => {
            report.auth_file_readable = Some(false);
            return match token_elsewhere {
                Some(source) => check(
                    CheckName::AuthFile,
                    CheckStatus::Skipped,
                    format!(
                        "sf has no auth file for {username}; not needed: the token comes from {source}"
                    ),
                ),
                None => failed(CheckName::AuthFile, &err),
            };
        }
        Err(err) => {
            report.auth_file_readable = Some(false);
            return failed(CheckName::AuthFile, &err);
        }
    };
    report.auth_file = Some(file.path.display().to_string());
    let loaded = sf_key(&home).and_then(|key| {
        let stored = load_stored_auth(&home, username, &key)?;
        Ok((key, stored))
    });
    match loaded {
        Ok((key, stored)) => {
            report.auth_file_readable = Some(true);
            if report.org_id.is_none() {
                report.org_id = stored.org_id.clone();
            }
            if report.instance_url.is_none() {
                report.instance_url = Some(stored.instance_url.clone());
            }
            let refresh = match (&stored.refresh_token, &stored.client_secret, stored.jwt) {
                (Some(_), Some(_), _) => {
                    "; a refresh token (with the connected app's client secret) renews an expired access token"
                }
                (Some(_), None, _) => "; a refresh token renews an expired access token",
                (None, _, true) => {
                    "; authorized with JWT (no refresh token): sf renews an expired access token (sf org auth show-access-token)"
                }
                (None, _, false) => {
                    "; no refresh token: an expired access token needs a new sf login"
                }
            };
            check(
                CheckName::AuthFile,
                CheckStatus::Ok,
                format!(
                    "{}: tokens decrypted with the key from the {}{refresh}",
                    file.path.display(),
                    key.source
                ),
            )
        }
        Err(err) => {
            report.auth_file_readable = Some(false);
            failed(CheckName::AuthFile, &err)
        }
    }
}

pub(super) fn token_source_text(source: &TokenSource) -> String {
    match source {
        TokenSource::Piped => "the piped JSON".into(),
        TokenSource::AuthFile { path, .. } => format!("sf's auth file {path}"),
        TokenSource::Environment => "SF_ACCESS_TOKEN".into(),
        TokenSource::SfCli => "sf org auth show-access-token".into(),
    }
}

pub(super) fn package_checks(packages: Option<&Packages>) -> Vec<DoctorCheck> {
    let Some(packages) = packages else {
        return vec![
            check(
                CheckName::LogikPackage,
                CheckStatus::Skipped,
                "the org did not say",
            ),
            check(
                CheckName::CpqPackage,
                CheckStatus::Skipped,
                "the org did not say",
            ),
        ];
    };
    let version = |p: &crate::org::facts::PackageInfo| {
        p.version
            .as_deref()
            .map(|v| format!("installed, {v}"))
            .unwrap_or_else(|| "installed".into())
    };
    let logik = if packages.logik.installed {
        check(
            CheckName::LogikPackage,
            CheckStatus::Ok,
            version(&packages.logik),
        )
    } else {
        DoctorCheck {
            name: CheckName::LogikPackage,
            status: CheckStatus::Warning,
            detail: "not installed (namespace LGK): this org has no CPQ tenant to reconnect".into(),
            actions: vec!["Check that this is the org connected to the Logik.ai tenant.".into()],
        }
    };
    let cpq = if packages.cpq.installed {
        check(
            CheckName::CpqPackage,
            CheckStatus::Ok,
            version(&packages.cpq),
        )
    } else {
        check(
            CheckName::CpqPackage,
            CheckStatus::Ok,
            "not installed (namespace SBQQ): step configurator-url has nothing to do",
        )
    };
    vec![logik, cpq]
}

// ---- the keystore and the state ----
