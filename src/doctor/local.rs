//! This machine: the keystore for the tool's own secrets and the state folder.

use super::*;
use crate::fsutil::state_dir;
use crate::keystore::{self, KeystoreStatus, StoreKind};
use std::fmt::Write as _;

pub(super) fn keystore_check(status: &KeystoreStatus, stored: usize) -> DoctorCheck {
    let stored_note = match stored {
        0 => String::new(),
        1 => "; 1 secret stored".into(),
        n => format!("; {n} secrets stored"),
    };
    match status.store {
        Some(StoreKind::KernelKeyring) => DoctorCheck {
            name: CheckName::Keystore,
            status: CheckStatus::Warning,
            detail: format!(
                "{}{stored_note}. Secret Service: {}",
                status.detail,
                status
                    .candidates
                    .iter()
                    .find(|c| c.store == StoreKind::SecretService)
                    .map(|c| c.detail.as_str())
                    .unwrap_or("not tried")
            ),
            actions: vec![
                "Set secrets again after a reboot, or start a Secret Service (gnome-keyring) to keep them."
                    .into(),
            ],
        },
        Some(_) => check(
            CheckName::Keystore,
            CheckStatus::Ok,
            format!("{}{stored_note}", status.detail),
        ),
        None => DoctorCheck {
            name: CheckName::Keystore,
            status: CheckStatus::Warning,
            detail: format!(
                "{}; secret set cannot store anything here",
                status.detail
            ),
            actions: vec![
                format!(
                    "Give each secret in its variable instead, e.g. \
                     {}RUNTIME_CLIENT_WEB_STORE for runtime-client/web-store.",
                    keystore::ENV_PREFIX
                ),
                "On Linux, run inside `keyctl session` (kernel keyring) or `dbus-run-session` \
                 with gnome-keyring (Secret Service)."
                    .into(),
            ],
        },
    }
}

pub(super) fn check_state(org: &OrgReport) -> (StateReport, DoctorCheck) {
    let dir = match state_dir() {
        Ok(dir) => dir,
        Err(err) => {
            let mut check = failed(CheckName::State, &err);
            check.status = CheckStatus::Warning;
            return (StateReport::default(), check);
        }
    };
    let index = dir.join("secrets.json");
    let stored_secrets = crate::fsutil::read_bounded_text(&index)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|v| v.get("secrets").and_then(|s| s.as_array()).map(Vec::len))
        .unwrap_or(0);
    let journal = org
        .org_id
        .as_ref()
        .map(|id| dir.join("journal").join(format!("{id}.jsonl")));
    let report = StateReport {
        dir: Some(dir.display().to_string()),
        exists: dir.is_dir(),
        journal: journal.as_ref().map(|p| p.display().to_string()),
        journal_exists: journal.as_ref().is_some_and(|p| p.is_file()),
        secret_index: Some(index.display().to_string()),
        stored_secrets,
    };
    let mut detail = if report.exists {
        dir.display().to_string()
    } else {
        format!("{} (created on first use)", dir.display())
    };
    match &journal {
        Some(path) if report.journal_exists => {
            let lines = crate::fsutil::read_bounded_text(path)
                .map(|t| t.lines().count())
                .unwrap_or(0);
            let _ = write!(detail, "; journal of this org: {lines} entries");
        }
        Some(_) => detail.push_str("; no journal for this org yet"),
        None => {}
    }
    (report, check(CheckName::State, CheckStatus::Ok, detail))
}

// ---- text ----
