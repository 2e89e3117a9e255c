//! The one error that crosses IPC. The UI switches on `kind`, never on message text; new kinds
//! are added as variants (the generated bindings then make the UI handle them).

use serde::Serialize;
use stagecraft_model::{LoadErrorKind, LoadProblem};

/// A failed command, as the UI receives it: `{ kind: "invalidDesign", detail: LoadProblem[] }`,
/// `{ kind: "io", detail: string }` or `{ kind: "notFound", detail: string }`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, specta::Type)]
#[serde(tag = "kind", content = "detail", rename_all = "camelCase")]
pub enum ApiError {
    /// The document cannot be loaded or saved as it is: each problem names the file and, where
    /// known, the line, column and field.
    #[error("the design has {} problem(s)", .0.len())]
    InvalidDesign(Vec<LoadProblem>),
    /// Reading or writing a file failed; the message names the file and the system's reason.
    #[error("{0}")]
    Io(String),
    /// What was asked for does not exist (a file, a template); the message names it.
    #[error("{0}")]
    NotFound(String),
    /// An export could not be rendered or written; the message names the format and the path.
    #[error("{0}")]
    Export(String),
}

impl From<stagecraft_model::LoadError> for ApiError {
    /// A file that could not be read is `Io` (or `NotFound` when it is missing); a file that was
    /// read but is not a usable design is `InvalidDesign` with every problem the loader found.
    fn from(error: stagecraft_model::LoadError) -> Self {
        if error.kind() == LoadErrorKind::Io {
            let message = error.to_string();
            let missing = error
                .problems
                .first()
                .is_some_and(|p| !std::path::Path::new(&p.file).exists());
            if missing {
                ApiError::NotFound(message)
            } else {
                ApiError::Io(message)
            }
        } else {
            ApiError::InvalidDesign(error.problems)
        }
    }
}

impl From<stagecraft_model::SaveError> for ApiError {
    fn from(error: stagecraft_model::SaveError) -> Self {
        ApiError::Io(error.to_string())
    }
}
