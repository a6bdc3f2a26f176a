//! The per-org journal: what each step did, with the values before and after, and the admin's
//! confirmations of manual steps. One JSON object per line in
//! `<state dir>/journal/<org ID>.jsonl`, mode 600. A write to the org is bracketed by an
//! `apply-started` line (written and synced first) and an `applied` line, so after a crash the
//! journal still says what may have been written, and `rollback` still knows the old values.

use crate::fsutil::state_dir;
use crate::protocol::{Error, Result};
use crate::steps::lock::OrgLock;
use crate::steps::{Change, Outcome, StepResult};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    /// What opening found and set right (a torn last entry), to pass on.
    warnings: Vec<String>,
    /// The org's lock, held while the journal is open for a command that may write.
    _lock: Option<OrgLock>,
}

impl Journal {
    /// Takes the org's lock (at once, or within `wait_lock`), then opens (without creating)
    /// its journal: only one process at a time works on an org and its journal.
    pub fn open(org_id: &str, wait_lock: Option<Duration>) -> Result<Journal> {
        let org = crate::path_part::PathPart::parse_org_id(org_id)?;
        let state = state_dir()?;
        let lock = OrgLock::acquire(&state, &org, wait_lock)?;
        let mut journal = Journal::open_at(state.join("journal").join(org.file("jsonl")))?;
        journal._lock = Some(lock);
        Ok(journal)
    }

    /// Opens a journal file. A torn last entry (a process stopped in the middle of writing it)
    /// is set aside in a side file with a warning, so the next entry starts on a line of its
    /// own; a damaged line anywhere else is an error naming it: nothing is skipped unsaid.
    pub fn open_at(path: PathBuf) -> Result<Journal> {
        let mut journal = Journal {
            path,
            entries: Vec::new(),
            warnings: Vec::new(),
            _lock: None,
        };
        let bytes = match crate::fsutil::read_bounded(&journal.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(journal),
            Err(e) => {
                return Err(Error::new(
                    "JournalReadError",
                    format!("Could not read the journal {}: {e}", journal.path.display()),
                )
                .with_action("The journal must be a regular file of the state folder."));
            }
        };
        let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let mut whole_entries = &bytes[..whole];
        let mut finished;
        if whole < bytes.len() {
            if serde_json::from_slice::<JournalEntry>(&bytes[whole..]).is_ok() {
                // A whole entry that lacks only its newline: finish the line, keep the entry.
                journal.finish_last_line()?;
                finished = bytes.clone();
                finished.push(b'\n');
                whole_entries = &finished;
            } else {
                journal.set_aside_tail(whole, &bytes[whole..])?;
            }
        }
        for (index, line) in whole_entries.split(|b| *b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let entry = serde_json::from_slice::<JournalEntry>(line)
                .map_err(|e| journal.damaged(index + 1, &e.to_string()))?;
            journal.entries.push(entry);
        }
        Ok(journal)
    }

    fn finish_last_line(&self) -> Result<()> {
        let mut file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(b"\n").map(|()| f))
            .map_err(|e| self.write_error(e))?;
        file.flush().map_err(|e| self.write_error(e))?;
        file.sync_all().map_err(|e| self.write_error(e))
    }

    fn write_error(&self, e: std::io::Error) -> Error {
        Error::new(
            "JournalWriteError",
            format!("Could not write the journal {}: {e}", self.path.display()),
        )
        .with_action(
            "Check that the state folder is writable (LOGIK_REFRESH_STATE_DIR sets another).",
        )
    }

    /// Moves an unfinished last line to `<journal>.torn-<time>` and cuts it from the journal.
    fn set_aside_tail(&mut self, whole: usize, tail: &[u8]) -> Result<()> {
        let stamp = jiff::Timestamp::now().as_millisecond();
        let side = self.path.with_extension(format!("jsonl.torn-{stamp}"));
        let fail = |e: std::io::Error| {
            Error::new(
                "JournalWriteError",
                format!(
                    "The journal {} ends in a torn entry, and it could not be set aside: {e}",
                    self.path.display()
                ),
            )
            .with_action(format!(
                "Remove the unfinished last line of {} by hand, then run again.",
                self.path.display()
            ))
        };
        crate::fsutil::write_atomic(&side, tail, true)?;
        let file = OpenOptions::new()
            .write(true)
            .open(&self.path)
            .map_err(fail)?;
        file.set_len(whole as u64).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        self.warnings.push(format!(
            "The journal {} ended in a torn entry (a run stopped while writing it); it was set \
             aside in {} and is not used.",
            self.path.display(),
            side.display()
        ));
        Ok(())
    }

    /// The error for a damaged line: which, where, and how to recover.
    fn damaged(&self, line: usize, why: &str) -> Error {
        let path = self.path.display();
        Error::new(
            "JournalDamagedError",
            format!(
                "Line {line} of the journal {path} is damaged ({why}); nothing was done, \
                 because the journal decides what is done and what rollback restores."
            ),
        )
        .with_action(format!(
            "Look at line {line}: each line is one JSON entry. Repair it, or move it out \
             (sed -n '{line}p' {path} >> {path}.damaged && sed -i '{line}d' {path}), then run again."
        ))
        .with_action(
            "Without the line, check the org by hand: the step it belonged to may have written.",
        )
        .with_data(serde_json::json!({ "path": path.to_string(), "line": line }))
    }

    /// Whether the org's lock was taken only after another process let it go: what was read
    /// of the org before then may have changed.
    pub fn waited_for_lock(&self) -> bool {
        self._lock.as_ref().is_some_and(|l| l.waited)
    }

    /// What opening the journal found and set right, to pass on once.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn entries(&self) -> &[JournalEntry] {
        &self.entries
    }

    /// Records that a step finished without writing (its outcome and reason), so that a
    /// re-run and `rollback` see where it ended. A step that wrote has its apply entries instead.
    pub fn record_finished(&mut self, result: &StepResult) -> Result<()> {
        let mut entry = JournalEntry::new(&result.step, JournalEvent::Finished);
        entry.outcome = Some(result.outcome);
        entry.note = result.reason.clone();
        self.append(entry)
    }

    /// Appends one entry and syncs it to disk before returning, so the org is never written
    /// before the journal says so.
    pub fn append(&mut self, entry: JournalEntry) -> Result<()> {
        let fail = |e: std::io::Error| self.write_error(e);
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
        let whole = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{whole}{{\"time\":\"2026-")).unwrap();
        let mut journal = Journal::open_at(path.clone()).unwrap();
        assert_eq!(journal.entries().len(), 2);
        let warnings = journal.take_warnings();
        assert!(warnings[0].contains("torn entry"), "{warnings:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), whole);
        // A whole last entry that lacks only its newline is kept, its line finished.
        let last = serde_json::to_string(&JournalEntry::new("org-id", JournalEvent::Finished));
        std::fs::write(&path, format!("{whole}{}", last.unwrap())).unwrap();
        let mut journal = Journal::open_at(path.clone()).unwrap();
        assert_eq!(journal.entries().len(), 3);
        assert!(journal.take_warnings().is_empty());
        assert!(std::fs::read_to_string(&path).unwrap().ends_with("}\n"));
        std::fs::write(&path, &whole).unwrap();
        let journal = Journal::open_at(path).unwrap();
        assert_eq!(journal.entries().len(), 2);
        let last = journal
            .last("tenant-urls", &[JournalEvent::ApplyStarted])
            .unwrap();
        assert_eq!(last.changes[0].after, "b");
    }
}
