//! The app's IPC commands. Each is a one-line delegation: the work happens in the crates (or in
//! the shell's small glue modules), so each can be tested without a window.

use stagecraft_model::{Catalog, Design};
use tauri::State;

use crate::documents::{self, OpenedDesign, SavedDesign, TemplateInfo};
use crate::error::ApiError;
use crate::recovery::{RecoveredDesign, RecoveryStore};
use crate::startup::StartupFile;

pub mod analysis;
pub mod export;

pub mod provision;

/// The component catalogue: kinds, ports, providers, regions and sizes.
#[tauri::command]
#[specta::specta]
pub fn catalog() -> Catalog {
    stagecraft_model::catalog().clone()
}

/// The built-in stage templates, for "New from template".
#[tauri::command]
#[specta::specta]
pub fn templates() -> Vec<TemplateInfo> {
    documents::template_infos()
}

/// A blank design, or a template (by slug) instantiated with a fresh id.
#[tauri::command]
#[specta::specta]
pub fn new_design(template: Option<String>) -> Result<Design, ApiError> {
    documents::new_design(template.as_deref())
}

/// The design opened the first time the app starts.
#[tauri::command]
#[specta::specta]
pub fn example_design() -> Design {
    documents::example_design()
}

/// The design file given on the command line, absolute, if any.
#[tauri::command]
#[specta::specta]
pub fn startup_file(startup: State<'_, StartupFile>) -> Option<String> {
    startup.0.clone()
}

/// Loads a design file (off the UI thread: large designs take a while).
#[tauri::command]
#[specta::specta]
pub async fn open_design(path: String) -> Result<OpenedDesign, ApiError> {
    documents::open_design(&path)
}

/// Checks and saves a design atomically.
#[tauri::command]
#[specta::specta]
pub async fn save_design(path: String, design: Design) -> Result<SavedDesign, ApiError> {
    documents::save_design(&path, &design)
}

/// Replaces the crash-recovery copy of the open design.
#[tauri::command]
#[specta::specta]
pub async fn write_recovery(
    store: State<'_, RecoveryStore>,
    design: Design,
    path: Option<String>,
) -> Result<(), ApiError> {
    store.write(design, path)
}

/// The crash-recovery copy, if the app did not close cleanly. It stays until discarded.
#[tauri::command]
#[specta::specta]
pub async fn take_recovery(
    store: State<'_, RecoveryStore>,
) -> Result<Option<RecoveredDesign>, ApiError> {
    store.read()
}

/// Removes the crash-recovery copy (after a save, a clean close, or when the user declines it).
#[tauri::command]
#[specta::specta]
pub async fn discard_recovery(store: State<'_, RecoveryStore>) -> Result<(), ApiError> {
    store.discard()
}

include!("names.rs");
