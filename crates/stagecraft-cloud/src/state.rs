//! The journal: what this design created, in `<design file>.state.json` beside the design.
//!
//! Every create is recorded as `creating` before the request is sent and as `created` (with the
//! provider's id) after it succeeds; deletes likewise. The file is rewritten atomically (temporary
//! file, fsync, rename) after every entry, so a crash leaves either the old or the new journal,
//! never a torn one. It holds ids, names and fingerprints only: no token, no user data.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use stagecraft_model::Provider;

use crate::resources::{ResourceKey, ResourceKind};

/// Version of the state file format.
pub const STATE_VERSION: u32 = 1;

/// Where one resource stands, as far as this design knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// The create request may have been sent; the answer was not recorded.
    Creating,
    Created,
    /// The delete request may have been sent.
    Deleting,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct StateEntry {
    pub provider: Provider,
    pub kind: ResourceKind,
    pub name: String,
    pub status: EntryStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// The whole state file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct StateFile {
    pub version: u32,
    pub design_id: String,
    pub resources: BTreeMap<ResourceKey, StateEntry>,
}

/// Why the state file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read the state file {path}: {message}")]
    Read { path: String, message: String },
    #[error("cannot write the state file {path}: {message}")]
    Write { path: String, message: String },
    #[error("the state file {path} belongs to design {found}, not {expected}; move it away if the design was copied")]
    OtherDesign {
        path: String,
        found: String,
        expected: String,
    },
}

/// `<design file>.state.json`.
pub fn state_path(design_file: &Path) -> PathBuf {
    let mut name = design_file.as_os_str().to_owned();
    name.push(".state.json");
    PathBuf::from(name)
}

impl StateFile {
    /// Reads the state of `design_id` from `path`; a missing file is an empty state.
    ///
    /// # Errors
    /// Unreadable or malformed file; a file of another design.
    pub fn load(path: &Path, design_id: &str) -> Result<Self, StateError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self {
                    version: STATE_VERSION,
                    design_id: design_id.to_owned(),
                    resources: BTreeMap::new(),
                })
            }
            Err(e) => {
                return Err(StateError::Read {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })
            }
        };
        let state: StateFile = serde_json::from_str(&text).map_err(|e| StateError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        if state.design_id != design_id {
            return Err(StateError::OtherDesign {
                path: path.display().to_string(),
                found: state.design_id,
                expected: design_id.to_owned(),
            });
        }
        Ok(state)
    }

    /// Writes the state atomically: a crash leaves the old file or the new one.
    ///
    /// # Errors
    /// Any IO failure, naming the file.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let fail = |e: std::io::Error| StateError::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut text =
            serde_json::to_string_pretty(self).map_err(|e| fail(std::io::Error::other(e)))?;
        text.push('\n');
        stagecraft_model::write_file_atomically(path, text.as_bytes()).map_err(fail)
    }
}
