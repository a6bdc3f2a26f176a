//! `snapshot list`: the snapshots kept in the state folder, per sandbox and org ID, and whether
//! each is as it was taken. Reads no org.

use crate::cli::project::SnapshotListArgs;
use crate::path_part::PathPart;
use crate::protocol::output::escape_inline;
use crate::protocol::{CommandOutput, Result};
use crate::snapshot::store::list;
use schemars::JsonSchema;
use serde::Serialize;

/// The result of `snapshot list`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotListResult {
    /// Each snapshot file, by sandbox, then oldest first.
    pub snapshots: Vec<ListedSnapshot>,
}

/// One snapshot file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedSnapshot {
    pub sandbox_name: String,
    /// The org it was taken of (18 characters); null when unknown.
    pub org_id: Option<String>,
    /// When it was taken (RFC 3339); null when the file could not be read.
    pub taken_at: Option<String>,
    pub file: String,
    /// `ok`: as it was taken; `no-checksum`: an older version's file, changes undetectable;
    /// `edited`: changed since it was taken (used only with --accept-edited-snapshot);
    /// `unreadable`: not a snapshot (see `problem`).
    pub state: ListedState,
    /// What is wrong with the file, when anything is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ListedState {
    Ok,
    NoChecksum,
    Edited,
    Unreadable,
}

pub fn run_list(args: SnapshotListArgs) -> Result<CommandOutput> {
    let sandbox = args
        .sandbox
        .as_deref()
        .map(|name| PathPart::sandbox(name, "--sandbox"))
        .transpose()?;
    let mut snapshots: Vec<ListedSnapshot> = list(sandbox.as_ref())?
        .into_iter()
        .map(|stored| {
            let org_id = stored.org_id();
            let file = stored.path.display().to_string();
            let sandbox_name = stored.sandbox.to_string();
            match stored.checked(false) {
                Ok((_, snapshot, warning)) => ListedSnapshot {
                    sandbox_name,
                    org_id,
                    taken_at: Some(snapshot.taken_at),
                    file,
                    state: if warning.is_some() {
                        ListedState::NoChecksum
                    } else {
                        ListedState::Ok
                    },
                    problem: None,
                },
                Err(e) => {
                    let edited = e.name == "EditedSnapshotError";
                    let taken_at = edited
                        .then(|| crate::snapshot::load(std::path::Path::new(&file)).ok())
                        .flatten()
                        .map(|s| s.taken_at);
                    ListedSnapshot {
                        sandbox_name,
                        org_id,
                        taken_at,
                        file,
                        state: if edited {
                            ListedState::Edited
                        } else {
                            ListedState::Unreadable
                        },
                        problem: Some(e.message),
                    }
                }
            }
        })
        .collect();
    snapshots.sort_by(|a, b| {
        (&a.sandbox_name, &a.taken_at, &a.file).cmp(&(&b.sandbox_name, &b.taken_at, &b.file))
    });
    let mut text = if snapshots.is_empty() {
        "No snapshot is kept. Take one before a refresh: logik-refresh snapshot -o <alias>\n"
            .to_string()
    } else {
        format!("{} snapshot(s):\n", snapshots.len())
    };
    for s in &snapshots {
        let state = match s.state {
            ListedState::Ok => "ok",
            ListedState::NoChecksum => "no checksum (older version)",
            ListedState::Edited => "changed since taken (refused unless --accept-edited-snapshot)",
            ListedState::Unreadable => "unreadable",
        };
        text.push_str(&format!(
            "  {}  org {}  taken {}  {}  {}\n",
            escape_inline(&s.sandbox_name),
            escape_inline(s.org_id.as_deref().unwrap_or("?")),
            escape_inline(s.taken_at.as_deref().unwrap_or("?")),
            state,
            escape_inline(&s.file),
        ));
    }
    Ok(CommandOutput::new(&SnapshotListResult { snapshots }, text))
}
