//! # stagecraft-model
//!
//! The design document every part of Stagecraft reads and writes: components, connections,
//! groups, assumptions and layout; the component catalogue; the stage templates; schema versions
//! with named migrations; and crash-safe file IO.
//!
//! Invariants this crate keeps for everyone else:
//! - A [`Design`] returned by a loader has unique ids and no dangling references.
//! - A file saved by [`save_file`] loads back equal and saves back byte for byte.
//! - Loading never writes and never panics; saving never leaves a truncated file.
//!
//! This crate depends on nothing else of ours, and on nothing of Tauri.

pub mod catalog;
pub mod design;
pub mod error;
pub mod file;
pub mod generate;
pub mod ids;
mod locate;
pub mod migrate;
pub mod revision;
pub mod schema;
pub mod templates;
pub mod validate;

pub use catalog::{catalog, Catalog};
pub use design::*;
pub use error::{LoadError, LoadErrorKind, LoadProblem, Position, SaveError};
pub use file::{
    load_bytes, load_file, load_str, save_file, to_canonical_string, write_file_atomically, Loaded,
    FILE_EXTENSION, MAX_DESIGN_BYTES,
};
pub use ids::{ComponentId, ConnectionId, DesignId, GroupId};
pub use templates::{template, template_by_slug, Template, EXAMPLE, TEMPLATES};
