//! The crash-recovery file: the UI writes the open design here every few seconds while it has
//! unsaved changes, and offers it back at the next start if the app did not close cleanly.
//!
//! Invariants: the file is replaced atomically (temporary file, fsync, rename, folder fsync), so
//! a crash while autosaving leaves the previous recovery intact; reading never deletes it, so a
//! second crash before the user decides loses nothing; only `discard` removes it. The design is
//! stored as the UI had it, without consistency checks, because work in progress may be briefly
//! inconsistent and is still the user's work.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use stagecraft_model::{Design, LoadErrorKind, LoadProblem};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::ApiError;

/// Name of the recovery file inside the app data folder.
pub const RECOVERY_FILE_NAME: &str = "recovery.stagecraft-recovery.json";

/// A design recovered after a crash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct RecoveredDesign {
    pub design: Design,
    /// The file the design was opened from or last saved to; `null` for a design never saved.
    pub path: Option<String>,
    /// When the recovery was written, RFC 3339 in UTC (`2026-11-26T13:05:00Z`).
    pub saved_at: String,
}

/// The recovery file of one app installation. Managed as Tauri state.
#[derive(Debug, Clone)]
pub struct RecoveryStore {
    file: PathBuf,
}

impl RecoveryStore {
    /// A store keeping its file in `folder` (created on first write).
    pub fn in_folder(folder: &Path) -> Self {
        Self {
            file: folder.join(RECOVERY_FILE_NAME),
        }
    }

    /// The recovery file's path.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Replaces the recovery with `design`, stamped with the current time.
    ///
    /// # Errors
    /// `Io` naming the file when the folder cannot be created or the file cannot be written; the
    /// previous recovery is then unchanged.
    pub fn write(&self, design: Design, path: Option<String>) -> Result<(), ApiError> {
        let saved_at = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default();
        let recovered = RecoveredDesign {
            design,
            path,
            saved_at,
        };
        let bytes = serde_json::to_vec(&recovered).map_err(|e| self.io_error(e.into()))?;
        self.replace_atomically(&bytes)
            .map_err(|e| self.io_error(e))
    }

    /// The recovery, if there is one. The file stays until [`RecoveryStore::discard`].
    ///
    /// # Errors
    /// `Io` when the file exists but cannot be read; `InvalidDesign` naming the file when it is
    /// not a recovery this version can read (it is left in place for the user to rescue).
    pub fn read(&self) -> Result<Option<RecoveredDesign>, ApiError> {
        let bytes = match fs::read(&self.file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error(e)),
        };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            ApiError::InvalidDesign(vec![LoadProblem {
                kind: LoadErrorKind::Schema,
                file: self.file.display().to_string(),
                position: None,
                field: None,
                message: format!("unreadable recovery file: {e}"),
            }])
        })
    }

    /// Removes the recovery; nothing to do when there is none.
    ///
    /// # Errors
    /// `Io` when the file exists and cannot be removed.
    pub fn discard(&self) -> Result<(), ApiError> {
        match fs::remove_file(&self.file) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.io_error(e)),
        }
    }

    fn replace_atomically(&self, bytes: &[u8]) -> io::Result<()> {
        let folder = self.file.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(folder)?;
        stagecraft_model::write_file_atomically(&self.file, bytes)
    }

    fn io_error(&self, error: io::Error) -> ApiError {
        ApiError::Io(format!("recovery file {}: {error}", self.file.display()))
    }
}
