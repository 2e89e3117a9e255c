//! Errors from reading a design file. Each names the file and, where it applies, the line, column
//! and field, so a person can go straight to the problem.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// Where in a file a problem is. Lines and columns start at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// What kind of problem stopped a load. The UI and CLI switch on this, never on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LoadErrorKind {
    /// The file could not be read.
    Io,
    /// The file is larger than `MAX_DESIGN_BYTES`.
    TooLarge,
    /// The file is not UTF-8 text (a binary file, an image, an archive).
    NotText,
    /// The text is not valid JSON.
    Syntax,
    /// The JSON does not have the shape of a design (unknown kind or field, wrong type).
    Schema,
    /// The file was written by a newer Stagecraft.
    NewerVersion,
    /// The document is well formed but inconsistent (duplicate id, dangling reference).
    Invalid,
}

/// One problem found in a design file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct LoadProblem {
    pub kind: LoadErrorKind,
    /// The file as the user named it.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// Path of the field in the document, such as `components[3].kind`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(p) = self.position {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A design file could not be loaded. Holds at least one problem; `Invalid` may hold several so
/// a person can fix them in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub problems: Vec<LoadProblem>,
}

impl LoadError {
    pub(crate) fn single(
        kind: LoadErrorKind,
        file: &str,
        position: Option<Position>,
        field: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            problems: vec![LoadProblem {
                kind,
                file: file.to_owned(),
                position,
                field,
                message: message.into(),
            }],
        }
    }

    /// The kind of the first problem: what stopped the load.
    pub fn kind(&self) -> LoadErrorKind {
        self.problems[0].kind
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// A design could not be saved. The file on disk is unchanged when this is returned.
#[derive(Debug, thiserror::Error)]
#[error("could not save {path}: {source}")]
pub struct SaveError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}
