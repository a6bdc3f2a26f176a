//! The per-org journal: what each step did, with the values before and after, and the admin's
//! confirmations of manual steps. One JSON object per line in
//! `<state dir>/journal/<org ID>.jsonl`, mode 600. A write to the org is bracketed by an
//! `apply-started` line (written and synced first) and an `applied` line, so after a crash the
//! journal still says what may have been written, and `rollback` still knows the old values.

use crate::protocol::{Error, Result};
use crate::steps::{Change, Outcome};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum JournalEvent {
    /// About to write these changes to the org.
    ApplyStarted,
    /// The org confirmed the changes.
    Applied,
    /// The write failed; the org was re-read and is as `changes[].before` says.
    ApplyFailed,
    /// A step finished without writing (unchanged, skipped, manual).
    Finished,
    /// The admin confirmed a manual step.
    Confirmed,
    /// A rollback restored the `before` values of an earlier change.
    RolledBack,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// RFC 3339 time of the entry.
    pub time: String,
    pub step: String,
    pub event: JournalEvent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl JournalEntry {
    pub fn new(step: &str, event: JournalEvent) -> JournalEntry {
        JournalEntry {
            time: jiff::Timestamp::now().to_string(),
            step: step.to_string(),
            event,
            outcome: None,
            changes: Vec::new(),
            note: None,
        }
    }
}

pub struct Journal {
    path: PathBuf,
    entries: Vec<JournalEntry>,
}

/// Where the tool keeps state: `LOGIK_REFRESH_STATE_DIR`, else the platform's state folder
/// (`$XDG_STATE_HOME` or `~/.local/state` on Linux, Application Support on macOS,
/// `%LOCALAPPDATA%` on Windows), in a `logik-refresh` folder.
pub fn state_dir() -> Result<PathBuf> {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = env("LOGIK_REFRESH_STATE_DIR") {
        return Ok(dir);
    }
    let base = if cfg!(windows) {
        env("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_STATE_HOME").or_else(|| env("HOME").map(|h| h.join(".local/state")))
    };
    base.map(|b| b.join("logik-refresh")).ok_or_else(|| {
        Error::new(
            "NoStateDirError",
            "No place for the journal: HOME is not set.",
        )
        .with_action("Set LOGIK_REFRESH_STATE_DIR to a private folder.")
    })
}

impl Journal {
    /// Opens (without creating) the journal of an org. A torn last line, left by a crash in the
    /// middle of a write, is ignored.
    pub fn open(org_id: &str) -> Result<Journal> {
        let path = state_dir()?.join("journal").join(format!("{org_id}.jsonl"));
        Journal::open_at(path)
    }

    pub fn open_at(path: PathBuf) -> Result<Journal> {
        let entries = match crate::fsutil::read_bounded_text(&path) {
            Ok(text) => text
                .lines()
                .filter_map(|line| serde_json::from_str(line).ok())
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(Error::new(
                    "JournalReadError",
                    format!("Could not read the journal {}: {e}", path.display()),
                ));
            }
        };
        Ok(Journal { path, entries })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn entries(&self) -> &[JournalEntry] {
        &self.entries
    }

    /// Appends one entry and syncs it to disk before returning, so the org is never written
    /// before the journal says so.
    pub fn append(&mut self, entry: JournalEntry) -> Result<()> {
        let fail = |e: std::io::Error| {
            Error::new(
                "JournalWriteError",
                format!("Could not write the journal {}: {e}", self.path.display()),
            )
            .with_action(
                "Check that the state folder is writable (LOGIK_REFRESH_STATE_DIR sets another).",
            )
        };
        if let Some(dir) = self.path.parent() {
            crate::fsutil::create_private_dir(dir).map_err(fail)?;
        }
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&self.path).map_err(fail)?;
        let mut line = serde_json::to_string(&entry).expect("journal entries serialize");
        line.push('\n');
        file.write_all(line.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        self.entries.push(entry);
        Ok(())
    }

    /// The newest entry of a step with one of these events.
    pub fn last(&self, step: &str, events: &[JournalEvent]) -> Option<&JournalEntry> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.step == step && events.contains(&e.event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_privately_and_survives_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal/00D5e000000AbCdEAK.jsonl");
        let mut journal = Journal::open_at(path.clone()).unwrap();
        assert!(journal.entries().is_empty());
        let mut entry = JournalEntry::new("tenant-urls", JournalEvent::ApplyStarted);
        entry.changes.push(Change {
            target: "x".into(),
            before: "a".into(),
            after: "b".into(),
            record: None,
        });
        journal.append(entry).unwrap();
        journal
            .append(JournalEntry::new("tenant-urls", JournalEvent::Applied))
            .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"time\":\"2026-");
        std::fs::write(&path, text).unwrap();
        let journal = Journal::open_at(path).unwrap();
        assert_eq!(journal.entries().len(), 2);
        let last = journal
            .last("tenant-urls", &[JournalEvent::ApplyStarted])
            .unwrap();
        assert_eq!(last.changes[0].after, "b");
    }
}
