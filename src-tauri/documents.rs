//! Design files as the app sees them: the few lines of glue between the commands and
//! stagecraft-model (error mapping, the save-path rule, template summaries). No document logic
//! lives here; it belongs to the model crate.

use std::path::{Path, PathBuf};

use serde::Serialize;
use stagecraft_model::validate::check_document;
use stagecraft_model::{load_file, save_file, template_by_slug, Design, Stage, FILE_EXTENSION};

use crate::error::ApiError;

/// Name of a new blank design, until the user names it.
pub const UNTITLED: &str = "Untitled design";

/// A built-in template as the "New from template" menu lists it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct TemplateInfo {
    /// What `new_design` takes (`mvp`, `growth`, `scale`).
    pub slug: String,
    pub stage: Stage,
    pub name: String,
    pub description: String,
}

/// A design read from disk.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct OpenedDesign {
    /// The file, as given.
    pub path: String,
    pub design: Design,
    /// The schema version the file was written in, when it was older and migrated on load; the
    /// UI then says that saving will upgrade the file.
    pub migrated_from: Option<u32>,
}

/// Where a design was written.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SavedDesign {
    /// The file written: the requested path, with `.stagecraft.json` added if it was missing.
    pub path: String,
}

/// Every built-in template, in stage order.
///
/// # Panics
/// Never in a tested build: the model crate's tests load every embedded template.
pub fn template_infos() -> Vec<TemplateInfo> {
    stagecraft_model::TEMPLATES
        .iter()
        .map(|template| {
            let design = template
                .design()
                .expect("embedded templates load (stagecraft-model tests check each)");
            TemplateInfo {
                slug: template.slug.to_owned(),
                stage: template.stage,
                name: design.name,
                description: design.description,
            }
        })
        .collect()
}

/// A blank design, or a template instantiated with a fresh id.
///
/// # Errors
/// `NotFound` for an unknown template slug.
pub fn new_design(template: Option<&str>) -> Result<Design, ApiError> {
    match template {
        None => Ok(Design::new(UNTITLED)),
        Some(slug) => template_by_slug(slug)
            .ok_or_else(|| ApiError::NotFound(format!("no template named `{slug}`")))?
            .instantiate()
            .map_err(ApiError::from),
    }
}

/// The design shown at first start: the example template with a fresh id, so that saving it
/// twice never yields two designs that claim the same cloud resources.
pub fn example_design() -> Design {
    stagecraft_model::EXAMPLE
        .instantiate()
        .expect("the embedded example loads (stagecraft-model tests check it)")
}

/// Loads a design file.
///
/// # Errors
/// `NotFound` when the file does not exist, `Io` when it cannot be read, `InvalidDesign` with
/// the loader's problems (file, line, column, field) otherwise.
pub fn open_design(path: &str) -> Result<OpenedDesign, ApiError> {
    let loaded = load_file(Path::new(path))?;
    let migrated_from = (!loaded.migrations.is_empty()).then_some(loaded.file_version);
    Ok(OpenedDesign {
        path: path.to_owned(),
        design: loaded.design,
        migrated_from,
    })
}

/// Checks a design and saves it atomically (the previous version is kept as `<file>.bak`).
///
/// Only `*.stagecraft.json` files are written: the extension is added when missing, so a save
/// dialog answer without it still yields a design file, and the webview can never overwrite a
/// file of another kind.
///
/// # Errors
/// `InvalidDesign` when the document is inconsistent (nothing is written), `Io` when writing fails
/// (the file on disk is unchanged).
pub fn save_design(path: &str, design: &Design) -> Result<SavedDesign, ApiError> {
    let target = design_file_path(path);
    let name = target.display().to_string();
    let problems = check_document(design, &name, None);
    if !problems.is_empty() {
        return Err(ApiError::InvalidDesign(problems));
    }
    save_file(&target, design)?;
    Ok(SavedDesign { path: name })
}

/// `path` with the design file extension, added when missing.
pub fn design_file_path(path: &str) -> PathBuf {
    if path.ends_with(FILE_EXTENSION) {
        PathBuf::from(path)
    } else {
        PathBuf::from(format!("{path}{FILE_EXTENSION}"))
    }
}
