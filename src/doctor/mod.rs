//! `doctor`: what the tool can see and use on this machine. The sf CLI and its version, where
//! sf keeps its key, the target org (which one, its auth file readable and decryptable, the org
//! reachable), the Logik and Salesforce CPQ packages, each step's readiness (read-only: the
//! objects, fields, permissions and API version it needs), the keystore for the tool's own secrets
//! (or none, and the variables that stand in for it), the state folder, and the network (the
//! trust store and the proxy the org is reached through).
//!
//! It reports rather than fails: exit 0 whatever is missing, except exit 1 when an org the user
//! named (`-o`, `--org-json`, sf JSON on stdin) cannot be read or reached. The report is printed
//! either way. Nothing in it is secret: tokens and keys are read only to prove they work.

mod local;
mod network;
mod org;
mod permissions;
mod readiness;
mod report;
mod said;
mod sf;
#[cfg(test)]
mod tests;

pub use network::NetworkReport;
pub use report::*;

use local::{check_state, keystore_check};
use org::check_org;
use sf::{check_sf_cli, check_sf_key};

use crate::keystore::{self};
use crate::protocol::{CommandOutput, Error, ExitStatus, Result};
use std::path::PathBuf;
use std::time::Duration;

/// How long `sf --version` may take (sf starts Node.js; a cold start takes seconds).
pub(super) const SF_VERSION_TIMEOUT: Duration = Duration::from_secs(30);

/// What `doctor` is asked to look at: the org as the flags name it (none: sf's default, or
/// sf JSON piped in), the keystore to probe, and whether to stay off the network.
pub struct DoctorRequest {
    pub target_org: Option<String>,
    pub org_json: Option<PathBuf>,
    pub api_version: Option<String>,
    pub keystore: keystore::KeystoreChoice,
    pub offline: bool,
}

/// Looks at everything the tool depends on and reports it (see the module's docs).
pub async fn examine(args: DoctorRequest) -> Result<CommandOutput> {
    // The slow, independent parts run on the blocking pool while the org is looked at.
    let sf_cli = tokio::task::spawn_blocking(check_sf_cli);
    let choice = args.keystore;
    let keystore = tokio::task::spawn_blocking(move || keystore::probe(choice));

    let mut checks = Vec::new();
    let (sf_key, key_check) = check_sf_key();
    let (org, org_checks) = check_org(&args).await?;

    let (sf_cli, sf_check) = sf_cli
        .await
        .map_err(|e| Error::new("InternalError", format!("sf check failed: {e}")))?;
    let keystore = keystore
        .await
        .map_err(|e| Error::new("InternalError", format!("keystore check failed: {e}")))?;
    let (network, network_check) = network::check_network(&org);
    checks.push(sf_check);
    checks.push(key_check);
    checks.push(network_check);
    checks.extend(org_checks);
    let (state, state_check) = check_state(&org);
    checks.push(keystore_check(&keystore, state.stored_secrets));
    checks.push(state_check);

    let org_failed = checks.iter().any(|c| {
        matches!(
            c.name,
            CheckName::TargetOrg | CheckName::AuthFile | CheckName::OrgReachable
        ) && c.status == CheckStatus::Error
    });
    let report = DoctorReport {
        ok: checks.iter().all(|c| c.status != CheckStatus::Error),
        checks,
        sf_cli,
        sf_key,
        org,
        keystore,
        state,
        network,
    };
    let text = render_text(&report);
    let mut output = CommandOutput::new(&report, text);
    if org_failed
        && report
            .org
            .requested_by
            .is_some_and(OrgRequestedBy::explicit)
    {
        output.exit = ExitStatus::Failure;
    }
    Ok(output)
}

pub(super) fn check(
    name: CheckName,
    status: CheckStatus,
    detail: impl Into<String>,
) -> DoctorCheck {
    DoctorCheck {
        name,
        status,
        detail: detail.into(),
        actions: Vec::new(),
    }
}

pub(super) fn failed(name: CheckName, err: &Error) -> DoctorCheck {
    DoctorCheck {
        name,
        status: CheckStatus::Error,
        detail: err.message.clone(),
        actions: err.actions.clone(),
    }
}

// ---- sf CLI ----
