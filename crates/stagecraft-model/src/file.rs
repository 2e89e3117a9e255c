//! Reading and writing `*.stagecraft.json` files.
//!
//! Invariants: loading never writes anything and never panics, whatever the bytes; saving writes
//! the canonical form (pretty JSON, fields in declaration order, maps sorted, a final newline) so
//! that a file saved by Stagecraft loads and saves back byte for byte; and saving is atomic: a
//! temporary file in the same folder is written and synced, the previous version is kept as
//! `<file>.bak`, then the temporary file is renamed over the target and the folder is synced. A
//! crash at any moment leaves either the old or the new design on disk, never a truncated one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::design::{Design, CURRENT_SCHEMA_VERSION};
use crate::error::{LoadError, LoadErrorKind, Position, SaveError};
use crate::locate::position_of;
use crate::migrate::{migrate, OLDEST_SUPPORTED_VERSION};
use crate::validate::check_document;

/// Largest design file accepted. A 100,000-component design is about 40 MB; anything past this is
/// not a design and would only exhaust memory.
pub const MAX_DESIGN_BYTES: u64 = 128 * 1024 * 1024;

/// The extension design files carry.
pub const FILE_EXTENSION: &str = ".stagecraft.json";

/// A loaded design and what loading did to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub design: Design,
    /// Schema version the file was written in.
    pub file_version: u32,
    /// Names of the migrations applied on load; empty when the file was current.
    pub migrations: Vec<&'static str>,
}

/// Loads and checks a design file.
///
/// # Errors
/// A [`LoadError`] naming the file and, where they apply, line, column and field: the file is
/// unreadable, too large, not text, not JSON, not a design, from a newer Stagecraft, or
/// inconsistent. Nothing is written in any case.
pub fn load_file(path: &Path) -> Result<Loaded, LoadError> {
    let name = path.display().to_string();
    let io_error = |e: io::Error| {
        LoadError::single(
            LoadErrorKind::Io,
            &name,
            None,
            None,
            format!("cannot read: {e}"),
        )
    };
    let file = File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    if size > MAX_DESIGN_BYTES {
        return Err(too_large(&name, size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // Read at most one byte past the limit, in case the file grew after the size check.
    file.take(MAX_DESIGN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_DESIGN_BYTES {
        return Err(too_large(&name, bytes.len() as u64));
    }
    load_bytes(&bytes, &name)
}

fn too_large(name: &str, size: u64) -> LoadError {
    LoadError::single(
        LoadErrorKind::TooLarge,
        name,
        None,
        None,
        format!(
            "the file is {} MiB; designs are limited to {} MiB",
            size / (1024 * 1024),
            MAX_DESIGN_BYTES / (1024 * 1024)
        ),
    )
}

/// Loads a design from bytes; `name` is used in error messages.
///
/// # Errors
/// As [`load_file`], without the IO cases.
pub fn load_bytes(bytes: &[u8], name: &str) -> Result<Loaded, LoadError> {
    let text = as_text(bytes, name)?;
    load_str(text, name)
}

/// Checks that `bytes` are UTF-8 text without NUL bytes, which no JSON file contains.
fn as_text<'a>(bytes: &'a [u8], name: &str) -> Result<&'a str, LoadError> {
    let not_text = |valid_up_to: usize, what: &str| {
        let prefix = String::from_utf8_lossy(&bytes[..valid_up_to]);
        LoadError::single(
            LoadErrorKind::NotText,
            name,
            Some(position_of(&prefix, prefix.len())),
            None,
            format!("this is not a design file: {what} at byte {valid_up_to} (a binary file?)"),
        )
    };
    let text =
        std::str::from_utf8(bytes).map_err(|e| not_text(e.valid_up_to(), "invalid UTF-8"))?;
    if let Some(nul) = text.find('\0') {
        return Err(not_text(nul, "a NUL byte"));
    }
    Ok(text)
}

/// Reads `schema_version` without building the document.
#[derive(Deserialize)]
struct VersionProbe {
    schema_version: Option<Value>,
}

/// Loads a design from text; `name` is used in error messages.
///
/// # Errors
/// As [`load_file`], without the IO cases.
pub fn load_str(text: &str, name: &str) -> Result<Loaded, LoadError> {
    let probe: VersionProbe = serde_json::from_str(text).map_err(|e| json_error(e, name, None))?;
    let version = match probe.schema_version {
        Some(Value::Number(n)) if n.as_u64().is_some() => {
            u32::try_from(n.as_u64().unwrap_or(u64::MAX)).unwrap_or(u32::MAX)
        }
        Some(_) => {
            return Err(schema_problem(
                name,
                text,
                "schema_version",
                "must be a whole number",
            ))
        }
        None => {
            return Err(schema_problem(
                name,
                text,
                "schema_version",
                "missing: this is not a Stagecraft design file",
            ))
        }
    };
    if version > CURRENT_SCHEMA_VERSION {
        return Err(LoadError::single(
            LoadErrorKind::NewerVersion,
            name,
            locate_key(text, "schema_version"),
            Some("schema_version".into()),
            format!(
                "written by a newer Stagecraft (schema version {version}); this build reads versions {OLDEST_SUPPORTED_VERSION} to {CURRENT_SCHEMA_VERSION}. Update Stagecraft to open it"
            ),
        ));
    }
    if version < OLDEST_SUPPORTED_VERSION {
        return Err(schema_problem(
            name,
            text,
            "schema_version",
            &format!("version {version} does not exist; the first is {OLDEST_SUPPORTED_VERSION}"),
        ));
    }

    let (design, migrations) = if version == CURRENT_SCHEMA_VERSION {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let design: Design =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|e| path_error(e, name))?;
        deserializer.end().map_err(|e| json_error(e, name, None))?;
        (design, Vec::new())
    } else {
        let mut value: Value = serde_json::from_str(text).map_err(|e| json_error(e, name, None))?;
        let object = value.as_object_mut().ok_or_else(|| {
            LoadError::single(
                LoadErrorKind::Schema,
                name,
                None,
                None,
                "a design is a JSON object",
            )
        })?;
        let applied = migrate(object, version).map_err(|message| {
            LoadError::single(LoadErrorKind::Schema, name, None, None, message)
        })?;
        let design: Design = serde_path_to_error::deserialize(value).map_err(|e| {
            let field = e.path().to_string();
            LoadError::single(
                LoadErrorKind::Schema,
                name,
                None,
                Some(field),
                format!("after migrating from version {version}: {}", e.inner()),
            )
        })?;
        (design, applied)
    };

    let problems = check_document(&design, name, Some(text));
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    Ok(Loaded {
        design,
        file_version: version,
        migrations,
    })
}

fn path_error(error: serde_path_to_error::Error<serde_json::Error>, name: &str) -> LoadError {
    let field = error.path().to_string();
    let field = (field != ".").then_some(field);
    json_error(error.into_inner(), name, field)
}

fn json_error(error: serde_json::Error, name: &str, field: Option<String>) -> LoadError {
    use serde_json::error::Category;
    let kind = match error.classify() {
        Category::Syntax | Category::Eof => LoadErrorKind::Syntax,
        Category::Data => LoadErrorKind::Schema,
        Category::Io => LoadErrorKind::Io,
    };
    let position = (error.line() > 0).then(|| Position {
        line: u32::try_from(error.line()).unwrap_or(u32::MAX),
        column: u32::try_from(error.column()).unwrap_or(u32::MAX),
    });
    // serde_json appends " at line L column C"; the position is reported separately.
    let message = error.to_string();
    let message = match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    };
    let message = if kind == LoadErrorKind::Syntax {
        format!("invalid JSON: {message}")
    } else {
        message
    };
    LoadError::single(kind, name, position, field, message)
}

fn schema_problem(name: &str, text: &str, field: &str, message: &str) -> LoadError {
    LoadError::single(
        LoadErrorKind::Schema,
        name,
        locate_key(text, field),
        Some(field.into()),
        message,
    )
}

fn locate_key(text: &str, key: &str) -> Option<Position> {
    text.find(&format!("\"{key}\""))
        .map(|offset| position_of(text, offset))
}

/// The canonical text of a design: what `save_file` writes.
pub fn to_canonical_string(design: &Design) -> String {
    // Serializing plain data into a String cannot fail: every map key is a string.
    let mut text = serde_json::to_string_pretty(design).unwrap_or_default();
    text.push('\n');
    text
}

/// The backup kept of the previous version of `path`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}

/// Saves a design atomically, keeping the previous version as `<file>.bak`.
///
/// # Errors
/// A [`SaveError`] when any step fails; the file at `path` is then unchanged and no temporary
/// file is left behind.
pub fn save_file(path: &Path, design: &Design) -> Result<(), SaveError> {
    replace_file(path, to_canonical_string(design).as_bytes(), true, |_| {
        Ok(())
    })
    .map_err(|source| SaveError {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `bytes` to `path` atomically, without a backup: the way every file Stagecraft writes
/// (exports, state, recovery, price catalogues) reaches the disk. A crash leaves the old file or
/// the new one, never a mix.
///
/// # Errors
/// The IO error of the step that failed; the file at `path` is then unchanged and no temporary
/// file is left behind.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_file(path, bytes, false, |_| Ok(()))
}

/// Writes `bytes` to `path` atomically, optionally keeping the previous version as `<file>.bak`.
/// `before_rename` runs after the temporary file is synced and before it replaces the target;
/// tests use it to simulate a crash at the riskiest moment.
pub(crate) fn replace_file(
    path: &Path,
    bytes: &[u8],
    keep_backup: bool,
    before_rename: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?
        .to_string_lossy()
        .into_owned();

    let mut temp = tempfile_in(&folder, &file_name)?;
    temp.file.write_all(bytes)?;
    temp.file.sync_all()?;
    if keep_backup && path.exists() {
        keep_backup_of(path, &folder, &file_name)?;
    }
    before_rename(&temp.path)?;
    fs::rename(&temp.path, path)?;
    temp.renamed = true;
    sync_folder(&folder)
}

/// Copies the current file to `<file>.bak` atomically (copy to a temporary file, then rename).
fn keep_backup_of(path: &Path, folder: &Path, file_name: &str) -> io::Result<()> {
    let mut temp = tempfile_in(folder, &format!("{file_name}.bak"))?;
    let mut current = File::open(path)?;
    io::copy(&mut current, &mut temp.file)?;
    temp.file.sync_all()?;
    fs::rename(&temp.path, backup_path(path))?;
    temp.renamed = true;
    Ok(())
}

/// A temporary file next to the target, removed on drop unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    file: File,
    renamed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn tempfile_in(folder: &Path, base: &str) -> io::Result<TempFile> {
    for _ in 0..16 {
        let suffix: u32 = rand::random();
        let path = folder.join(format!(".{base}.{suffix:08x}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => {
                return Ok(TempFile {
                    path,
                    file,
                    renamed: false,
                })
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "could not create a temporary file",
    ))
}

/// Makes the rename durable: on Linux a rename is only on disk once its folder is synced.
fn sync_folder(folder: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(folder)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crash_between_write_and_rename_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.stagecraft.json");
        let old = Design::new("old");
        save_file(&path, &old).unwrap();
        let before = fs::read(&path).unwrap();

        let new = Design::new("new");
        let result = replace_file(&path, to_canonical_string(&new).as_bytes(), true, |_| {
            Err(io::Error::other("simulated crash before rename"))
        });

        assert!(result.is_err(), "the injected failure must surface");
        assert_eq!(
            fs::read(&path).unwrap(),
            before,
            "the old design must be intact"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "no temporary file may remain: {leftovers:?}"
        );
    }

    #[test]
    fn saving_keeps_the_previous_version_as_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.stagecraft.json");
        let first = Design::new("first");
        save_file(&path, &first).unwrap();
        save_file(&path, &Design::new("second")).unwrap();
        let backup = fs::read_to_string(backup_path(&path)).unwrap();
        assert_eq!(backup, to_canonical_string(&first));
        assert_eq!(load_file(&path).unwrap().design.name, "second");
    }
}
