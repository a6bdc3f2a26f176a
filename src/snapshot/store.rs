//! Where snapshots are kept: one file per org ID, `<state dir>/snapshots/<sandbox>/<org ID>.json`.
//! A refresh gives the sandbox a new org ID, so a snapshot taken after the refresh lands beside
//! the one from before, never over it; `run` restores from the newest one taken of another org
//! ID than the org's own (the org before its refresh). Files of the older layout,
//! `<state dir>/snapshots/<sandbox>.json`, are still read (never written). Every folder and file
//! name is a [`PathPart`]: a sandbox name or org ID checked against Salesforce's rules.

use super::{Snapshot, check_sealed, load};
use crate::path_part::PathPart;
use crate::protocol::{Error, Result};
use crate::salesforce::ids::OrgId;
use std::path::{Path, PathBuf};

/// `<state dir>/snapshots`.
pub fn snapshots_dir() -> Result<PathBuf> {
    Ok(crate::fsutil::state_dir()?.join("snapshots"))
}

/// Where the snapshot of org `org` (sandbox `sandbox`) is written.
pub fn path_for(sandbox: &PathPart, org: &PathPart) -> Result<PathBuf> {
    Ok(snapshots_dir()?
        .join(sandbox.as_str())
        .join(org.file("json")))
}

/// The older layout's one file per sandbox.
fn legacy_path(sandbox: &PathPart) -> Result<PathBuf> {
    Ok(snapshots_dir()?.join(sandbox.file("json")))
}

/// One stored snapshot file.
pub struct Stored {
    pub path: PathBuf,
    pub sandbox: PathPart,
    /// The org ID its file name says (none for the older layout's file).
    pub file_org: Option<PathPart>,
    pub snapshot: Result<Snapshot>,
}

impl Stored {
    /// The org it was taken of: what the file recorded (checked against the file name by
    /// [`Stored::checked`]).
    pub fn org_id(&self) -> Option<String> {
        match &self.snapshot {
            Ok(s) => s.org.org_id.clone(),
            Err(_) => self.file_org.as_ref().map(|o| o.to_string()),
        }
    }

    /// The snapshot, refused when it is not as it was taken (see [`check_sealed`]), or when its
    /// file name names another org than the one it records (a file copied over another org's).
    pub fn checked(self, accept_edited: bool) -> Result<(PathBuf, Snapshot, Option<String>)> {
        let snapshot = self.snapshot?;
        if let Some(file_org) = &self.file_org {
            let recorded = snapshot.org.org_id.as_deref().map(PathPart::parse_org_id);
            if !matches!(recorded, Some(Ok(ref org)) if org == file_org) && !accept_edited {
                return Err(super::edited_error(
                    &self.path,
                    &format!(
                        "its file name says org {file_org}, but it records org {}",
                        snapshot.org.org_id.as_deref().unwrap_or("(none)")
                    ),
                ));
            }
        }
        let warning = check_sealed(&snapshot, &self.path, accept_edited)?;
        Ok((self.path, snapshot, warning))
    }
}

/// The regular files directly in `dir` whose name ends in `.json`, sorted. Anything else
/// (folders, links, devices) is not a snapshot and is left alone.
fn json_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = entries
        .filter_map(|e| {
            let e = e.ok()?;
            let name = e.file_name().into_string().ok()?;
            let stem = name.strip_suffix(".json")?.to_string();
            e.file_type().ok()?.is_file().then(|| (stem, e.path()))
        })
        .collect();
    out.sort();
    out
}

/// The snapshots of `sandbox` (all sandboxes when `None`): the per-org files and the older
/// layout's file, each read and schema-checked (a file that is not a snapshot is listed with
/// its error).
pub fn list(sandbox: Option<&PathPart>) -> Result<Vec<Stored>> {
    let root = snapshots_dir()?;
    let mut sandboxes: Vec<PathPart> = match sandbox {
        Some(s) => vec![s.clone()],
        None => {
            let mut names: Vec<PathPart> = std::fs::read_dir(&root)
                .into_iter()
                .flatten()
                .filter_map(|e| {
                    let e = e.ok()?;
                    let name = e.file_name().into_string().ok()?;
                    let name = name.strip_suffix(".json").unwrap_or(&name).to_string();
                    PathPart::sandbox(&name, "").ok()
                })
                .collect();
            names.sort();
            names.dedup();
            names
        }
    };
    sandboxes.dedup();
    let mut out = Vec::new();
    for sandbox in sandboxes {
        let legacy = legacy_path(&sandbox)?;
        if std::fs::symlink_metadata(&legacy).is_ok_and(|m| m.is_file()) {
            out.push(Stored {
                snapshot: load(&legacy),
                path: legacy,
                sandbox: sandbox.clone(),
                file_org: None,
            });
        }
        for (stem, path) in json_files(&root.join(sandbox.as_str())) {
            // A file not named by an org ID is not one this tool wrote.
            let Ok(file_org) = PathPart::parse_org_id(&stem) else {
                continue;
            };
            out.push(Stored {
                snapshot: load(&path),
                path,
                sandbox: sandbox.clone(),
                file_org: Some(file_org),
            });
        }
    }
    Ok(out)
}

/// Whether any snapshot file of `sandbox` is kept (read or not).
pub fn any_kept(sandbox: &str) -> Result<bool> {
    let sandbox = PathPart::sandbox(sandbox, "The org's sandbox name")?;
    Ok(!list(Some(&sandbox))?.is_empty())
}

/// The same org: the org IDs compared as Salesforce compares them (15 characters exactly).
pub fn same_org(a: &str, b: &str) -> bool {
    match (OrgId::parse(a), OrgId::parse(b)) {
        (Ok(a), Ok(b)) => a.as_15() == b.as_15(),
        _ => false,
    }
}

/// What `run` and `snapshot diff` restore from: the newest snapshot of `sandbox` taken of
/// another org than `current_org` (the sandbox before its refresh). Snapshots of the org itself
/// (taken since the refresh) are not used: they hold what the refresh copied from production.
/// The one chosen is checked ([`Stored::checked`]); a damaged candidate is an error, never
/// skipped (an older one would be restored in its place).
pub fn newest_before_refresh(
    sandbox: &PathPart,
    current_org: Option<&str>,
    accept_edited: bool,
) -> Result<Option<(PathBuf, Snapshot, Option<String>)>> {
    let mut candidates = Vec::new();
    for stored in list(Some(sandbox))? {
        let same = match (stored.org_id(), current_org) {
            (Some(taken), Some(now)) => same_org(&taken, now),
            _ => false,
        };
        if same {
            continue;
        }
        let taken_at = match &stored.snapshot {
            Ok(s) => s.taken_at.parse::<jiff::Timestamp>().map_err(|e| {
                Error::input(
                    "InvalidSnapshotError",
                    format!("{}: takenAt is not a time: {e}", stored.path.display()),
                )
            })?,
            Err(e) => return Err(e.clone()),
        };
        candidates.push((taken_at, stored));
    }
    candidates.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.path.cmp(&b.1.path)));
    match candidates.pop() {
        Some((_, stored)) => stored.checked(accept_edited).map(Some),
        None => Ok(None),
    }
}
