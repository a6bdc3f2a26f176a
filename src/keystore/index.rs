//! `<state dir>/secrets.json`: the names stored, where and when; never values.

use super::*;
use crate::protocol::{Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One line of the index: a stored name, where, and when. Never a value.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndexEntry {
    pub name: String,
    pub store: StoreKind,
    /// RFC 3339 time of the last `secret set`.
    pub set_at: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct IndexFile {
    pub(super) version: u32,
    pub(super) secrets: Vec<IndexEntry>,
}

impl Secrets {
    pub(super) fn read_index(&self) -> Result<IndexFile> {
        match crate::fsutil::read_bounded_text(&self.index_path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                Error::new(
                    "SecretIndexError",
                    format!(
                        "The list of stored secret names {} is damaged: {e}.",
                        self.index_path.display()
                    ),
                )
                .with_action(format!(
                    "Delete {} (it holds names only; the secrets stay in the keystore) and \
                     set them again to list them.",
                    self.index_path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(IndexFile::default()),
            Err(e) => Err(Error::new(
                "SecretIndexError",
                format!("Could not read {}: {e}.", self.index_path.display()),
            )),
        }
    }

    pub(super) fn write_index(&self, index: &mut IndexFile) -> Result<()> {
        index.version = 1;
        index.secrets.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(dir) = self.index_path.parent() {
            crate::fsutil::create_private_dir(dir).map_err(|e| {
                Error::new(
                    "WriteError",
                    format!("Could not create {}: {e}", dir.display()),
                )
                .with_action("Set LOGIK_REFRESH_STATE_DIR to a private folder you can write.")
            })?;
        }
        let mut text = serde_json::to_string_pretty(index).expect("the index serializes");
        text.push('\n');
        crate::fsutil::write_atomic(&self.index_path, text.as_bytes(), true)
    }
}

/// `<state dir>/secrets.json`.
pub fn index_path() -> Result<PathBuf> {
    Ok(crate::fsutil::state_dir()?.join("secrets.json"))
}
