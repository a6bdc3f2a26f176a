//! What doctor reports: the checks and what it found, and the report as text.

use crate::keystore::KeystoreStatus;
use crate::org::facts::Packages;
use crate::sf::connect::TokenSource;
use schemars::JsonSchema;
use serde::Serialize;
use std::fmt::Write as _;

/// Everything doctor found.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DoctorReport {
    /// True when no check has status `error`.
    pub ok: bool,
    /// Every check in order, as a person reads them.
    pub checks: Vec<DoctorCheck>,
    pub sf_cli: SfCliReport,
    pub sf_key: SfKeyReport,
    pub org: OrgReport,
    /// The keystore for the tool's own secrets (`secret set`), or none and the fallback.
    pub keystore: KeystoreStatus,
    pub state: StateReport,
    /// The trust store and the proxy the tool uses.
    pub network: super::NetworkReport,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DoctorCheck {
    pub name: CheckName,
    pub status: CheckStatus,
    /// What was found, for a person.
    pub detail: String,
    /// What to do about it, when something is wrong.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CheckName {
    /// The sf CLI: found, and its version.
    SfCli,
    /// Where sf keeps the key of its auth files.
    SfKey,
    /// Which org: from -o, piped JSON, the environment or sf's default.
    TargetOrg,
    /// sf's auth file of the org: readable, tokens decryptable.
    AuthFile,
    /// The org answers with a working token.
    OrgReachable,
    /// The Logik.ai package (LGK).
    LogikPackage,
    /// Salesforce CPQ (SBQQ).
    CpqPackage,
    /// The keystore for the tool's own secrets.
    Keystore,
    /// The state folder (journal, secret names).
    State,
    /// The trust store and the proxy the org is reached through.
    Network,
    /// One step of `run`: the org is ready for it, or what is missing.
    Step,
}

impl CheckName {
    pub(super) fn label(self) -> &'static str {
        match self {
            CheckName::SfCli => "sf CLI",
            CheckName::SfKey => "sf key",
            CheckName::TargetOrg => "target org",
            CheckName::AuthFile => "auth file",
            CheckName::OrgReachable => "org reachable",
            CheckName::LogikPackage => "Logik package",
            CheckName::CpqPackage => "Salesforce CPQ",
            CheckName::Keystore => "keystore",
            CheckName::State => "state",
            CheckName::Network => "network",
            CheckName::Step => "step",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    Ok,
    /// Works, with a limit worth knowing, or missing but not needed.
    Warning,
    /// Does not work.
    Error,
    /// Not checked, because what it needs is missing (said in `detail`).
    Skipped,
}

impl CheckStatus {
    pub(super) fn label(self) -> &'static str {
        match self {
            CheckStatus::Ok => "ok",
            CheckStatus::Warning => "warning",
            CheckStatus::Error => "error",
            CheckStatus::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SfCliReport {
    /// The program run (LOGIK_REFRESH_SF, else `sf` on PATH).
    pub program: String,
    /// Where it was found on PATH, when it was given as a bare name.
    pub path: Option<String>,
    pub found: bool,
    /// The CLI's version, e.g. `2.146.3`.
    pub version: Option<String>,
    /// The first line `sf --version` printed.
    pub version_output: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SfKeyReport {
    /// `key-file`, `secret-service` (through secret-tool) or `macos-keychain`; null without a
    /// home folder.
    pub source: Option<String>,
    /// Where exactly, e.g. the key file's path.
    pub detail: Option<String>,
}

/// How the org was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OrgRequestedBy {
    /// `-o/--target-org`.
    Flag,
    /// `--org-json FILE`.
    OrgJson,
    /// sf JSON piped on stdin.
    Stdin,
    /// SF_ACCESS_TOKEN with SF_ORG_INSTANCE_URL.
    Environment,
    /// sf's default org (SF_TARGET_ORG or target-org in its config).
    Default,
}

impl OrgRequestedBy {
    /// True when the user named the org on this command line (a failure then exits 1).
    pub(super) fn explicit(self) -> bool {
        matches!(
            self,
            OrgRequestedBy::Flag | OrgRequestedBy::OrgJson | OrgRequestedBy::Stdin
        )
    }
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgReport {
    /// How the org was named; null when none was.
    pub requested_by: Option<OrgRequestedBy>,
    pub username: Option<String>,
    pub alias: Option<String>,
    pub org_id: Option<String>,
    pub instance_url: Option<String>,
    /// sf's auth file of the org, when there is one.
    pub auth_file: Option<String>,
    /// True when the auth file was read and its tokens decrypted; null when not checked.
    pub auth_file_readable: Option<bool>,
    /// Where the access token came from (never the token).
    pub token_source: Option<TokenSource>,
    /// True when the org answered; null when not called (`--offline`, or no org).
    pub reachable: Option<bool>,
    pub api_version: Option<String>,
    /// The Logik and Salesforce CPQ packages, when the org answered.
    pub packages: Option<Packages>,
    /// Each step, in `run`'s order: ready, or what is missing and how to fix it (empty when the
    /// org was not reached).
    pub steps: Vec<StepReadiness>,
    /// HTTP requests sent to the org.
    pub requests: u64,
}

/// Whether the org is ready for one step, read without writing anything.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StepReadiness {
    /// The step's name (`tenant-urls`).
    pub step: String,
    /// True when every object, field, permission and the API version it needs is there.
    pub ready: bool,
    /// `ready (...)`, or `missing ...`, for a person.
    pub summary: String,
    /// Each missing thing: an object, a field, a field the user cannot write, a permission.
    pub missing: Vec<String>,
    /// How to fix them.
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StateReport {
    /// The state folder (LOGIK_REFRESH_STATE_DIR, else the platform's); null without a home.
    pub dir: Option<String>,
    pub exists: bool,
    /// The org's journal, when the org ID is known.
    pub journal: Option<String>,
    pub journal_exists: bool,
    /// The file of stored secret names.
    pub secret_index: Option<String>,
    /// How many secret names it records.
    pub stored_secrets: usize,
}

pub(super) fn render_text(report: &DoctorReport) -> String {
    let mut out = String::new();
    for check in &report.checks {
        let _ = writeln!(
            out,
            "{:<8} {:<15} {}",
            check.status.label(),
            check.name.label(),
            check.detail
        );
        for action in &check.actions {
            let _ = writeln!(out, "{:<24} -> {action}", "");
        }
    }
    let count = |status: CheckStatus| report.checks.iter().filter(|c| c.status == status).count();
    let mut summary = Vec::new();
    for status in [
        CheckStatus::Ok,
        CheckStatus::Warning,
        CheckStatus::Error,
        CheckStatus::Skipped,
    ] {
        let n = count(status);
        if n > 0 {
            summary.push(format!("{n} {}", status.label()));
        }
    }
    let _ = writeln!(
        out,
        "\n{} checks: {}.",
        report.checks.len(),
        summary.join(", ")
    );
    out
}
