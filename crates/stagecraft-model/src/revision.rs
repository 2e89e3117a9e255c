//! A design file as it was in Git: at a named revision (`REV:path`, as `stagecraft cost-diff`
//! and `stagecraft export --previous` take it) or at its last commit (what the app's review
//! report compares with). Shared here so the CLI and the export crate read Git one way.
//!
//! Git is run as a program (`git show`, `git log`): no Git library, and nothing is written to
//! the repository. Errors are messages naming the file or revision and what Git said.

use std::path::Path;
use std::process::Command;

/// Whether `arg` names a file at a Git revision (`main:infra/app.stagecraft.json`) rather than a
/// file: it has a `:` and no file of that name exists (an existing file whose name has a colon
/// is read as a file).
pub fn names_revision(arg: &str) -> bool {
    arg.contains(':') && !Path::new(arg).exists()
}

/// The text of `spec` (`REV:path`, the path relative to the repository's root, or `REV:./path`
/// relative to the current folder), read with `git show` in the current folder.
///
/// # Errors
/// A message naming `spec` when Git cannot be run, refuses (an unknown revision, a path not in
/// it: Git's own words follow `git show failed:`), or the file is not UTF-8 text.
pub fn read_at_revision(spec: &str) -> Result<String, String> {
    let output = Command::new("git")
        .arg("show")
        .arg(spec)
        .output()
        .map_err(|e| format!("{spec}: could not run git: {e}"))?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr);
        return Err(format!("{spec}: git show failed: {}", message.trim()));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| format!("{spec}: the file at that revision is not UTF-8 text"))
}

/// A design file's text at its last commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedVersion {
    /// Abbreviated commit hash.
    pub revision: String,
    /// The commit's subject line.
    pub subject: String,
    /// The commit date, `YYYY-MM-DD`.
    pub date: String,
    /// The file as committed.
    pub text: String,
}

impl CommittedVersion {
    /// How the version is named to users: `last commit a1b2c3d (2026-01-31): Add a cache`.
    pub fn label(&self) -> String {
        format!(
            "last commit {} ({}): {}",
            self.revision, self.date, self.subject
        )
    }
}

/// The last committed version of the file at `path`.
///
/// `Ok(None)` when there is none to compare with: the file is not in a Git work tree, or was
/// never committed.
///
/// # Errors
/// A message naming the file when Git cannot be run or fails for another reason, or the
/// committed file is not UTF-8 text.
pub fn last_committed(path: &Path) -> Result<Option<CommittedVersion>, String> {
    let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(format!("{} is not a file path", path.display()));
    };
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let git = |args: &[&std::ffi::OsStr]| {
        Command::new("git")
            .arg("-C")
            .arg(folder)
            .args(args)
            .output()
            .map_err(|e| format!("{}: could not run git: {e}", path.display()))
    };
    let inside = git(&["rev-parse".as_ref(), "--is-inside-work-tree".as_ref()])?;
    if !inside.status.success() || String::from_utf8_lossy(&inside.stdout).trim() != "true" {
        return Ok(None);
    }
    // `./name` is relative to `-C folder`, wherever the repository's root is.
    let relative = Path::new(".").join(name);
    let log = git(&[
        "log".as_ref(),
        "-1".as_ref(),
        "--format=%h%x1f%cs%x1f%s".as_ref(),
        "--".as_ref(),
        relative.as_os_str(),
    ])?;
    if !log.status.success() {
        // A repository without any commit yet has no version to compare with.
        let stderr = String::from_utf8_lossy(&log.stderr);
        if stderr.contains("does not have any commits") {
            return Ok(None);
        }
        return Err(format!(
            "{}: git log failed: {}",
            path.display(),
            stderr.trim()
        ));
    }
    let line = String::from_utf8_lossy(&log.stdout).trim().to_owned();
    let mut fields = line.splitn(3, '\u{1f}');
    let (Some(revision), Some(date), Some(subject)) = (fields.next(), fields.next(), fields.next())
    else {
        return Ok(None);
    };
    let mut spec = std::ffi::OsString::from(format!("{revision}:"));
    spec.push(relative.as_os_str());
    let show = git(&["show".as_ref(), spec.as_os_str()])?;
    if !show.status.success() {
        // Committed once, then deleted or renamed in a later commit: nothing at that revision.
        return Ok(None);
    }
    let text = String::from_utf8(show.stdout)
        .map_err(|_| format!("{} at {revision} is not UTF-8 text", path.display()))?;
    Ok(Some(CommittedVersion {
        revision: revision.to_owned(),
        subject: subject.to_owned(),
        date: date.to_owned(),
        text,
    }))
}
