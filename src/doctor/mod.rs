//! `doctor`: what the tool can see and use on this machine. The sf CLI and its version, where
//! sf keeps its key, the target org (which one, its auth file readable and decryptable, the org
//! reachable), the Logik and Salesforce CPQ packages, the keystore for the tool's own secrets
//! (or none, and the variables that stand in for it), and the state folder.
//!
//! It reports rather than fails: exit 0 whatever is missing, except exit 1 when an org the user
//! named (`-o`, `--org-json`, sf JSON on stdin) cannot be read or reached. The report is printed
//! either way. Nothing in it is secret: tokens and keys are read only to prove they work.

use crate::cli::DoctorArgs;
use crate::commands::shared::org_request;
use crate::keystore::{self, KeystoreStatus, StoreKind};
use crate::org::facts::Packages;
use crate::org::session::open_identified;
use crate::protocol::{CommandOutput, Error, ExitStatus, Result};
use crate::redacted::is_redacted_placeholder;
use crate::sf::authfile::{load_stored_auth, read_auth_file};
use crate::sf::config::resolve_target_org;
use crate::sf::connect::{OrgIdentity, OrgRequest, TokenSource, identify};
use crate::sf::home::{SfEnv, home_dir};
use crate::sf::intake::{parse_org_json, read_stdin_bounded};
use crate::sf::keychain::{KeySource, KeychainContext, Platform, SystemRunner, key_source, sf_key};
use crate::sf::runner::sf_program;
use crate::steps::journal::state_dir;
use schemars::JsonSchema;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long `sf --version` may take (sf starts Node.js; a cold start takes seconds).
const SF_VERSION_TIMEOUT: Duration = Duration::from_secs(30);

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
}

impl CheckName {
    fn label(self) -> &'static str {
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
    fn label(self) -> &'static str {
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
    fn explicit(self) -> bool {
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
    /// HTTP requests sent to the org.
    pub requests: u64,
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

pub async fn run(args: DoctorArgs) -> Result<CommandOutput> {
    // The slow, independent parts run on the blocking pool while the org is looked at.
    let sf_cli = tokio::task::spawn_blocking(check_sf_cli);
    let choice = args.keystore.keystore;
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
    checks.push(sf_check);
    checks.push(key_check);
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

fn check(name: CheckName, status: CheckStatus, detail: impl Into<String>) -> DoctorCheck {
    DoctorCheck {
        name,
        status,
        detail: detail.into(),
        actions: Vec::new(),
    }
}

fn failed(name: CheckName, err: &Error) -> DoctorCheck {
    DoctorCheck {
        name,
        status: CheckStatus::Error,
        detail: err.message.clone(),
        actions: err.actions.clone(),
    }
}

// ---- sf CLI ----

fn check_sf_cli() -> (SfCliReport, DoctorCheck) {
    let program = sf_program();
    let path = find_on_path(&program);
    let mut report = SfCliReport {
        program: program.clone(),
        path: path.as_ref().map(|p| p.display().to_string()),
        found: false,
        version: None,
        version_output: None,
    };
    let where_ = path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| program.clone());
    let check = match sf_version(&program) {
        Ok(line) => {
            report.found = true;
            report.version = parse_sf_version(&line);
            let detail = match &report.version {
                Some(version) => format!("sf {version} ({where_})"),
                None => format!("{line} ({where_})"),
            };
            report.version_output = Some(line);
            check(CheckName::SfCli, CheckStatus::Ok, detail)
        }
        Err(SfVersionError::NotFound(why)) => DoctorCheck {
            name: CheckName::SfCli,
            status: CheckStatus::Warning,
            detail: format!(
                "not found ({program}: {why}); the tool reads sf's files without it, but cannot \
                 fall back to `sf org auth show-access-token`"
            ),
            actions: vec![
                "Install it: npm install --global @salesforce/cli".into(),
                "Or point LOGIK_REFRESH_SF at it.".into(),
            ],
        },
        Err(SfVersionError::Failed(why)) => {
            report.found = true;
            DoctorCheck {
                name: CheckName::SfCli,
                status: CheckStatus::Warning,
                detail: format!("{where_} is there but `sf --version` {why}"),
                actions: vec![format!("Run {program} --version to see what it says.")],
            }
        }
    };
    (report, check)
}

enum SfVersionError {
    NotFound(String),
    Failed(String),
}

/// The first line of `sf --version`, with a time limit.
fn sf_version(program: &str) -> std::result::Result<String, SfVersionError> {
    let mut child = Command::new(program)
        .arg("--version")
        .env("SF_DISABLE_TELEMETRY", "true")
        .env("SF_AUTOUPDATE_DISABLE", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| SfVersionError::NotFound(e.to_string()))?;
    let deadline = Instant::now() + SF_VERSION_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(25)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SfVersionError::Failed(format!(
                    "did not finish within {} s",
                    SF_VERSION_TIMEOUT.as_secs()
                )));
            }
            Err(e) => return Err(SfVersionError::Failed(e.to_string())),
        }
    };
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut out);
    }
    let line = out.lines().map(str::trim).find(|l| !l.is_empty());
    match (status.success(), line) {
        (true, Some(line)) => Ok(line.to_string()),
        (true, None) => Err(SfVersionError::Failed("printed nothing".into())),
        (false, _) => Err(SfVersionError::Failed(format!(
            "ended with exit {}",
            status.code().unwrap_or(-1)
        ))),
    }
}

/// `@salesforce/cli/2.146.3 linux-x64 node-v22.15.0` -> `2.146.3`.
fn parse_sf_version(line: &str) -> Option<String> {
    let first = line.split_whitespace().next()?;
    let version = first.rsplit('/').next()?;
    version
        .chars()
        .next()
        .filter(char::is_ascii_digit)
        .map(|_| version.to_string())
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let program_path = Path::new(program);
    if program_path.components().count() > 1 {
        return program_path.is_file().then(|| program_path.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

// ---- sf's key ----

fn check_sf_key() -> (SfKeyReport, DoctorCheck) {
    let home = match home_dir() {
        Ok(home) => home,
        Err(err) => {
            return (
                SfKeyReport {
                    source: None,
                    detail: None,
                },
                failed(CheckName::SfKey, &err),
            );
        }
    };
    let env = SfEnv::from_process();
    let source = key_source(
        &home,
        &KeychainContext {
            platform: Platform::current(),
            env: &env,
            runner: &SystemRunner,
        },
    );
    let report = SfKeyReport {
        source: Some(
            match &source {
                KeySource::KeyFile(_) => "key-file",
                KeySource::SecretTool(_) => "secret-service",
                KeySource::MacKeychain => "macos-keychain",
            }
            .to_string(),
        ),
        detail: Some(source.to_string()),
    };
    let check = match &source {
        KeySource::KeyFile(path) => key_file_check(path),
        other => check(
            CheckName::SfKey,
            CheckStatus::Ok,
            format!("{other} (read only when an auth file needs it)"),
        ),
    };
    (report, check)
}

fn key_file_check(path: &Path) -> DoctorCheck {
    match std::fs::metadata(path) {
        Err(_) => DoctorCheck {
            name: CheckName::SfKey,
            status: CheckStatus::Warning,
            detail: format!(
                "key file {} does not exist: sf has no stored logins here (or keeps its key in \
                 the OS keychain while SF_USE_GENERIC_UNIX_KEYCHAIN is set)",
                path.display()
            ),
            actions: vec!["Log in with sf: sf org login web --alias <alias>".into()],
        },
        Ok(meta) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = meta.permissions().mode() & 0o777;
                if mode != 0o600 {
                    return DoctorCheck {
                        name: CheckName::SfKey,
                        status: CheckStatus::Error,
                        detail: format!(
                            "key file {} has mode {mode:03o}; sf and this tool use it only with \
                             mode 600",
                            path.display()
                        ),
                        actions: vec![format!("chmod 600 {}", path.display())],
                    };
                }
            }
            #[cfg(not(unix))]
            let _ = meta;
            check(
                CheckName::SfKey,
                CheckStatus::Ok,
                format!("key file {} (mode 600)", path.display()),
            )
        }
    }
}

// ---- the org ----

async fn check_org(args: &DoctorArgs) -> Result<(OrgReport, Vec<DoctorCheck>)> {
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
fn org_input(
    args: &DoctorArgs,
) -> std::result::Result<Option<(OrgRequest, OrgRequestedBy)>, (OrgRequestedBy, Error)> {
    let flags = &args.org;
    if flags.target_org.is_some() || flags.org_json.is_some() {
        let by = if flags.target_org.is_some() {
            OrgRequestedBy::Flag
        } else {
            OrgRequestedBy::OrgJson
        };
        return org_request(flags)
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
fn env_token() -> Option<()> {
    let env = SfEnv::from_process();
    env.get("SF_ACCESS_TOKEN")
        .filter(|t| !is_redacted_placeholder(t))?;
    env.get("SF_ORG_INSTANCE_URL")?;
    Some(())
}

fn target_detail(identity: &OrgIdentity, by: OrgRequestedBy) -> String {
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

fn default_org_source() -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let home = home_dir().ok()?;
    let target = resolve_target_org(None, &cwd, &home).ok()??;
    Some(target.source.to_string())
}

fn auth_file_check(identity: &OrgIdentity, report: &mut OrgReport) -> DoctorCheck {
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
            let refresh = if stored.refresh_token.is_some() {
                "; a refresh token renews an expired access token"
            } else {
                "; no refresh token: an expired access token needs a new sf login"
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

fn token_source_text(source: &TokenSource) -> String {
    match source {
        TokenSource::Piped => "the piped JSON".into(),
        TokenSource::AuthFile { path, .. } => format!("sf's auth file {path}"),
        TokenSource::Environment => "SF_ACCESS_TOKEN".into(),
        TokenSource::SfCli => "sf org auth show-access-token".into(),
    }
}

fn package_checks(packages: Option<&Packages>) -> Vec<DoctorCheck> {
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

fn keystore_check(status: &KeystoreStatus, stored: usize) -> DoctorCheck {
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

fn check_state(org: &OrgReport) -> (StateReport, DoctorCheck) {
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

fn render_text(report: &DoctorReport) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sf_versions() {
        assert_eq!(
            parse_sf_version("@salesforce/cli/2.146.3 linux-x64 node-v22.15.0").as_deref(),
            Some("2.146.3")
        );
        assert_eq!(parse_sf_version("sf-cli/1.0 x").as_deref(), Some("1.0"));
        assert_eq!(parse_sf_version("something else"), None);
    }

    #[test]
    fn no_keystore_names_the_variable() {
        let status = keystore::probe(keystore::KeystoreChoice::None);
        let check = keystore_check(&status, 0);
        assert_eq!(check.status, CheckStatus::Warning);
        assert!(
            check
                .actions
                .iter()
                .any(|a| a.contains("LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE"))
        );
    }
}
