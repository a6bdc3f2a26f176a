//! A sandbox's snapshot, taken before its refresh: everything of the sandbox that a refresh
//! overwrites with production's copy and that this tool can restore or check. Rows and users
//! are recorded by name, never by ID (a refresh gives the org new IDs): a profile by its
//! `FullName` (the Metadata API name, `Admin` for System Administrator, the same in every
//! language) beside the name the org showed (translated into the running user's language, for
//! people to read), a user by username.
//! The file holds no secret; it is written mode 600 into
//! `<state dir>/snapshots/<sandbox>/<org ID>.json` (see [`store`]), with a checksum of its
//! content: a file changed since is refused unless the user says it was on purpose.

pub mod compare;
pub mod profiles;
pub mod remap;
pub mod store;
pub mod take;

use crate::fsutil::{create_private_dir, write_atomic};
use crate::protocol::{Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// 2: per org ID, with a checksum. Files of version 1 (no checksum) are still read.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SnapshotKind {
    SandboxSnapshot,
}

/// `logik-refresh snapshot`'s file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    /// Always `sandbox-snapshot`.
    pub kind: SnapshotKind,
    #[schemars(extend("enum" = [1, 2]))]
    pub schema_version: u32,
    /// The sandbox's name (`uat`): a snapshot is used only for the sandbox of that name.
    pub sandbox_name: String,
    /// When it was taken (RFC 3339, UTC).
    pub taken_at: String,
    /// The org it was taken of (before the refresh).
    pub org: SnapshotOrg,
    /// The CPQ Tenant setting's rows; null without the Logik package.
    pub tenant_setting: Option<Vec<TenantRowSnapshot>>,
    /// Trusted URLs (CSP Trusted Sites) of logik.io hosts.
    pub trusted_urls: Vec<SiteSnapshot>,
    /// Remote Site Settings of logik.io hosts.
    pub remote_sites: Vec<SiteSnapshot>,
    /// CPQ Admin's Refresh Token User, from the project config (the org does not know it).
    pub refresh_token_user: Option<UserSnapshot>,
    /// The Runtime Clients' users, from the project config.
    pub runtime_clients: Vec<ClientSnapshot>,
    /// The provisioning@logik.io user.
    pub provisioning_user: Option<UserSnapshot>,
    /// Installed managed packages that matter here.
    pub packages: Vec<PackageSnapshot>,
    /// `sha256:` and the hex SHA-256 of the rest of the snapshot (this field left out), as
    /// compact JSON: a file edited since it was taken no longer matches. Absent in version 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub checksum: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotOrg {
    pub org_id: Option<String>,
    pub username: Option<String>,
    pub instance_url: Option<String>,
}

/// The level of a hierarchy custom setting row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RowLevel {
    /// The org default.
    Org,
    /// A profile's row (its users see it instead of the org default).
    Profile,
    /// A user's row.
    User,
}

/// One row of the CPQ Tenant setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantRowSnapshot {
    pub level: RowLevel,
    /// The profile's name (as the org showed it, in the running user's language) or the user's
    /// username; null for the org default, and for a row whose owner could not be read (its
    /// `ownerId` is kept to say so).
    pub owner: Option<String>,
    /// A profile row's profile by its `FullName` (Tooling API `Profile`: `Admin` for System
    /// Administrator, `Standard` for Standard User, a custom profile's name), the same in every
    /// language: the refreshed org's profile is found by it. Absent for other rows, and in
    /// snapshots taken before it was recorded (the profile is then found by `owner`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_full_name: Option<String>,
    /// The owner's ID when it could not be named (for the report only: IDs change in a refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    pub runtime_url: Option<String>,
    pub admin_url: Option<String>,
}

/// A Trusted URL or Remote Site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SiteSnapshot {
    pub name: String,
    pub url: String,
    pub active: bool,
}

/// A user, by username.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserSnapshot {
    pub username: String,
    /// False when no user has this username.
    pub found: bool,
    pub active: Option<bool>,
    pub email: Option<String>,
    /// The profile's name, as the org showed it (in the running user's language): for people
    /// to read.
    pub profile: Option<String>,
    /// The profile's `FullName` (`Admin` for System Administrator), the same in every language:
    /// what is compared. Absent in snapshots taken before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_full_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientSnapshot {
    pub name: String,
    pub user: UserSnapshot,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PackageSnapshot {
    pub namespace: String,
    pub installed: bool,
    pub version: Option<String>,
}

/// The checksum of a snapshot's content: everything but the checksum itself.
pub fn content_checksum(snapshot: &Snapshot) -> String {
    let mut bare = snapshot.clone();
    bare.checksum = None;
    let bytes = serde_json::to_vec(&bare).expect("snapshots serialize");
    let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
    format!("sha256:{}", hex::encode(digest.as_ref()))
}

/// The error for a snapshot file changed since it was taken.
pub fn edited_error(path: &Path, why: &str) -> Error {
    Error::input(
        "EditedSnapshotError",
        format!(
            "{} was changed since it was taken ({why}): its values were not used, and nothing was changed.",
            path.display()
        ),
    )
    .with_action("Take a new snapshot of the sandbox before its next refresh: logik-refresh snapshot -o <alias>")
    .with_action("If you changed it on purpose and checked every value, add --accept-edited-snapshot.")
}

/// Whether the snapshot is as it was taken: its checksum matches its content. A version 1 file
/// (no checksum) is used with a warning; a changed one is refused unless `accept_edited`
/// (`--accept-edited-snapshot`), then used with a warning. Either way its values still pass
/// [`check_values`].
pub fn check_sealed(
    snapshot: &Snapshot,
    path: &Path,
    accept_edited: bool,
) -> Result<Option<String>> {
    let why = match &snapshot.checksum {
        Some(sum) if *sum == content_checksum(snapshot) => return Ok(None),
        None if snapshot.schema_version == 1 => {
            return Ok(Some(format!(
                "{} was taken by an older version and has no checksum: a change to it cannot be detected (its values are still checked). Take a new snapshot before the next refresh.",
                path.display()
            )));
        }
        Some(_) => "its checksum does not match its content",
        None => "its checksum was removed",
    };
    if accept_edited {
        return Ok(Some(format!(
            "{} was changed since it was taken ({why}); used because of --accept-edited-snapshot.",
            path.display()
        )));
    }
    Err(edited_error(path, why))
}

/// The values a snapshot would have `run` write pass exactly the checks a `--runtime-url`
/// passes ([`crate::org::tenant::parse_tenant_url`], `--allow-other-host` included): a
/// `javascript:` URL, a foreign host, a control character is refused before anything is sent.
pub fn check_values(snapshot: &Snapshot, path: &Path, allow_other_host: bool) -> Result<()> {
    for row in snapshot.tenant_setting.iter().flatten() {
        let label = crate::protocol::output::escape_inline(&compare::row_label(row));
        for (field, value) in [
            ("runtimeUrl", &row.runtime_url),
            ("adminUrl", &row.admin_url),
        ] {
            if let Some(url) = value {
                crate::org::tenant::parse_tenant_url(
                    url,
                    &format!("{} ({label}) {field}", path.display()),
                    allow_other_host,
                )
                .map_err(|e| e.with_action("Take a new snapshot of the sandbox before its next refresh, or restore without it: --no-snapshot."))?;
            }
        }
    }
    Ok(())
}

/// Writes the snapshot (mode 600, atomically); the folder is created private.
pub fn save(snapshot: &Snapshot, path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(|e| {
            Error::new(
                "WriteError",
                format!("Could not create {}: {e}", dir.display()),
            )
        })?;
    }
    let mut sealed = snapshot.clone();
    sealed.checksum = Some(content_checksum(&sealed));
    let mut text = serde_json::to_string_pretty(&sealed).expect("snapshots serialize");
    text.push('\n');
    write_atomic(path, text.as_bytes(), true)
}

/// Reads a snapshot file: a regular file, bounded, checked against its schema.
pub fn load(path: &Path) -> Result<Snapshot> {
    let value = crate::case::validate::read_json_file(path, "SnapshotReadError")?;
    let violations = crate::case::validate::schema_violations(
        &schemars::schema_for!(Snapshot).to_value(),
        &value,
    );
    if !violations.is_empty() {
        return Err(crate::case::validate::invalid_document_error(
            "InvalidSnapshotError",
            &path.display().to_string(),
            "sandbox snapshot",
            "snapshot",
            &violations,
            "Take the snapshot again with: logik-refresh snapshot -o <alias> (before the refresh), or pass --no-snapshot.".into(),
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        Error::input(
            "InvalidSnapshotError",
            format!("{} is not a snapshot: {e}", path.display()),
        )
    })
}

/// A snapshot found for a sandbox, with what to tell the user about it.
pub struct Found {
    pub path: PathBuf,
    pub snapshot: Snapshot,
    pub warnings: Vec<String>,
}

/// Which snapshot to use.
pub struct Wanted<'a> {
    /// `--snapshot FILE`.
    pub file: Option<&'a Path>,
    /// `--snapshot-of NAME`: the sandbox the file was taken of.
    pub named_sandbox: Option<&'a str>,
    /// `--accept-edited-snapshot`.
    pub accept_edited: bool,
}

/// The snapshot to use for `sandbox` (the org `current_org`): the file named (refused when it
/// is another sandbox's, unless `named_sandbox` says which), else the newest one kept for the
/// sandbox that was taken of another org ID (before the refresh, see
/// [`store::newest_before_refresh`]). Either is refused when changed since it was taken.
pub fn find(
    sandbox: Option<&str>,
    current_org: Option<&str>,
    wanted: &Wanted,
) -> Result<Option<Found>> {
    let sandbox = sandbox
        .map(|name| crate::path_part::PathPart::sandbox(name, "The org's sandbox name"))
        .transpose()?;
    let (path, snapshot, warning) = match (wanted.file, &sandbox) {
        (Some(file), _) => {
            let snapshot = load(file)?;
            let warning = check_sealed(&snapshot, file, wanted.accept_edited)?;
            (file.to_path_buf(), snapshot, warning)
        }
        (None, Some(sandbox)) => {
            match store::newest_before_refresh(sandbox, current_org, wanted.accept_edited)? {
                Some(found) => found,
                None => return Ok(None),
            }
        }
        (None, None) => return Ok(None),
    };
    let same = |name: &str| snapshot.sandbox_name.eq_ignore_ascii_case(name);
    let explicitly_named = wanted.named_sandbox.is_some_and(same);
    if let Some(named) = wanted.named_sandbox
        && !same(named)
    {
        return Err(Error::input(
            "SnapshotSandboxMismatchError",
            format!(
                "{} is a snapshot of sandbox {}, not {named}.",
                path.display(),
                snapshot.sandbox_name
            ),
        ));
    }
    match sandbox {
        Some(sandbox) if !same(sandbox.as_str()) && !explicitly_named => Err(Error::input(
            "SnapshotSandboxMismatchError",
            format!(
                "{} is a snapshot of sandbox {}, but the org is sandbox {sandbox}: it was not used.",
                path.display(),
                snapshot.sandbox_name
            ),
        )
        .with_action(format!(
            "To restore {}'s values into {sandbox} on purpose, add --snapshot-of {}.",
            snapshot.sandbox_name, snapshot.sandbox_name
        ))),
        _ => Ok(Some(Found {
            path,
            snapshot,
            warnings: warning.into_iter().collect(),
        })),
    }
}

/// What a snapshot taken before profiles were recorded by `FullName` lacks: its profile rows are
/// found, and its users' profiles compared, by the profile's name, which the org shows in the
/// running user's language (a German-reading user sees `Systemadministrator`). Said once.
pub fn legacy_warning(snapshot: &Snapshot, path: &Path) -> Option<String> {
    let rows =
        snapshot.tenant_setting.iter().flatten().any(|r| {
            r.level == RowLevel::Profile && r.owner.is_some() && r.owner_full_name.is_none()
        });
    let users = snapshot
        .refresh_token_user
        .iter()
        .chain(snapshot.provisioning_user.iter())
        .chain(snapshot.runtime_clients.iter().map(|c| &c.user))
        .any(|u| u.profile.is_some() && u.profile_full_name.is_none());
    (rows || users).then(|| {
        format!(
            "{} was taken before snapshots recorded profiles by their FullName: its profiles are found and compared by name, which the org shows in its running user's language (a profile may not be found when that language differs). Take a new snapshot before the next refresh.",
            path.display()
        )
    })
}

/// The rows of one answer of a batch read; a missing answer (the org answered fewer than were
/// asked) is an error.
fn rows_of(
    read: Option<crate::protocol::Result<serde_json::Value>>,
) -> crate::protocol::Result<Vec<serde_json::Value>> {
    match read {
        Some(read) => Ok(match read? {
            serde_json::Value::Array(rows) => rows,
            _ => Vec::new(),
        }),
        None => Err(crate::protocol::Error::new(
            "UnexpectedResponseError",
            "A batch of reads came back short.",
        )),
    }
}

/// A record's text field.
fn text(record: &serde_json::Value, field: &str) -> Option<String> {
    record
        .get(field)
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
}
