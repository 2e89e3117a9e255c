//! Each kind of broken input gives a typed error naming the file, position and field, never
//! panics, and never writes anything.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use stagecraft_model::*;

struct Snapshot {
    bytes: Vec<u8>,
    modified: SystemTime,
    entries: Vec<String>,
}

fn snapshot(path: &Path) -> Snapshot {
    let mut entries: Vec<String> = fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    Snapshot {
        bytes: fs::read(path).unwrap(),
        modified: fs::metadata(path).unwrap().modified().unwrap(),
        entries,
    }
}

/// Writes `content`, loads it, and checks the file and its folder are untouched.
fn load_broken(content: &[u8]) -> (PathBuf, LoadError, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.stagecraft.json");
    fs::write(&path, content).unwrap();
    let before = snapshot(&path);
    let error = load_file(&path).expect_err("a broken file must not load");
    let after = snapshot(&path);
    assert_eq!(after.bytes, before.bytes, "the file must be unchanged");
    assert_eq!(
        after.modified, before.modified,
        "the file must not be rewritten"
    );
    assert_eq!(
        after.entries, before.entries,
        "nothing may be written beside it"
    );
    (path, error, dir)
}

fn valid_text() -> String {
    template(Stage::Mvp).source.to_owned()
}

fn assert_names(error: &LoadError, path: &Path, line: u32) {
    let problem = &error.problems[0];
    assert_eq!(
        problem.file,
        path.display().to_string(),
        "the error names the file"
    );
    let position = problem.position.expect("the error names a position");
    assert_eq!(position.line, line, "{error}");
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("{}:{line}:", path.display())),
        "the message reads file:line:column: {text}"
    );
}

fn line_of(text: &str, needle: &str) -> u32 {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in text"));
    u32::try_from(text[..offset].lines().count().max(1)).unwrap()
        + u32::from(text[..offset].ends_with('\n'))
}

#[test]
fn invalid_json() {
    let mut text = valid_text();
    let cut = text.find("\"components\"").unwrap();
    text.insert(cut, ',');
    let (path, error, _dir) = load_broken(text.as_bytes());
    assert_eq!(error.kind(), LoadErrorKind::Syntax);
    assert_names(&error, &path, line_of(&text, "\"components\""));
    assert!(error.to_string().contains("invalid JSON"), "{error}");
}

#[test]
fn truncated_json() {
    let text = valid_text();
    let (path, error, _dir) = load_broken(&text.as_bytes()[..text.len() / 2]);
    assert_eq!(error.kind(), LoadErrorKind::Syntax);
    assert_eq!(error.problems[0].file, path.display().to_string());
    assert!(error.problems[0].position.is_some());
}

#[test]
fn unknown_kind() {
    let text = valid_text().replacen("\"kind\": \"app_server\"", "\"kind\": \"mainframe\"", 1);
    let (path, error, _dir) = load_broken(text.as_bytes());
    assert_eq!(error.kind(), LoadErrorKind::Schema);
    assert_names(&error, &path, line_of(&text, "mainframe"));
    let problem = &error.problems[0];
    assert_eq!(problem.field.as_deref(), Some("components[2].kind"));
    assert!(
        problem.message.contains("mainframe") && problem.message.contains("app_server"),
        "lists the known kinds: {}",
        problem.message
    );
}

#[test]
fn unknown_field_is_named() {
    let text = valid_text().replacen("\"count\": 1,", "\"cuont\": 1,", 1);
    let (_path, error, _dir) = load_broken(text.as_bytes());
    assert_eq!(error.kind(), LoadErrorKind::Schema);
    assert!(error.problems[0].message.contains("cuont"), "{error}");
}

#[test]
fn dangling_connection() {
    let text = valid_text().replacen("\"to\": \"cmp_app\"", "\"to\": \"cmp_gone\"", 1);
    let (path, error, _dir) = load_broken(text.as_bytes());
    assert_eq!(error.kind(), LoadErrorKind::Invalid);
    assert_names(&error, &path, line_of(&text, "\"to\": \"cmp_gone\""));
    let problem = &error.problems[0];
    assert_eq!(problem.field.as_deref(), Some("connections[1].to"));
    assert!(problem.message.contains("cmp_gone"), "{error}");
}

#[test]
fn duplicate_id() {
    let text = valid_text().replacen("\"id\": \"cmp_dns\"", "\"id\": \"cmp_users\"", 1);
    let text = text.replacen("\"to\": \"cmp_dns\"", "\"to\": \"cmp_app\"", 1);
    let (path, error, _dir) = load_broken(text.as_bytes());
    assert_eq!(error.kind(), LoadErrorKind::Invalid);
    let second = text
        .match_indices("\"id\": \"cmp_users\"")
        .nth(1)
        .unwrap()
        .0;
    let line = u32::try_from(text[..second].matches('\n').count() + 1).unwrap();
    assert_names(&error, &path, line);
    assert!(
        error.problems[0]
            .message
            .contains("duplicate id `cmp_users`"),
        "{error}"
    );
}

#[test]
fn newer_schema_version() {
    let text = valid_text().replacen("\"schema_version\": 2", "\"schema_version\": 99", 1);
    let (path, error, _dir) = load_broken(text.as_bytes());
    assert_eq!(error.kind(), LoadErrorKind::NewerVersion);
    assert_names(&error, &path, 2);
    assert!(error.to_string().contains("newer Stagecraft"), "{error}");
}

#[test]
fn missing_schema_version() {
    let (path, error, _dir) = load_broken(b"{\n  \"name\": \"x\"\n}\n");
    assert_eq!(error.kind(), LoadErrorKind::Schema);
    assert_eq!(error.problems[0].field.as_deref(), Some("schema_version"));
    assert_eq!(error.problems[0].file, path.display().to_string());
}

#[test]
fn huge_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.stagecraft.json");
    let file = fs::File::create(&path).unwrap();
    // A sparse file: large on paper, no disk used. The loader must refuse it before reading.
    file.set_len(MAX_DESIGN_BYTES + 1).unwrap();
    drop(file);
    let modified = fs::metadata(&path).unwrap().modified().unwrap();
    let error = load_file(&path).unwrap_err();
    assert_eq!(error.kind(), LoadErrorKind::TooLarge);
    assert!(
        error.to_string().starts_with(&path.display().to_string()),
        "{error}"
    );
    assert_eq!(fs::metadata(&path).unwrap().len(), MAX_DESIGN_BYTES + 1);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), modified);
}

#[test]
fn binary_file() {
    let mut bytes = b"{\n  \"schema_version\": 2,\n  ".to_vec();
    bytes.extend_from_slice(&[0x89, b'P', b'N', b'G', 0x00, 0xff, 0xfe]);
    let (path, error, _dir) = load_broken(&bytes);
    assert_eq!(error.kind(), LoadErrorKind::NotText);
    assert_names(&error, &path, 3);
}

#[test]
fn png_image() {
    let png = [
        0x89u8, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13,
    ];
    let (_path, error, _dir) = load_broken(&png);
    assert_eq!(error.kind(), LoadErrorKind::NotText);
}

#[test]
fn several_consistency_problems_are_reported_together() {
    let text = valid_text()
        .replacen("\"to\": \"cmp_app\"", "\"to\": \"cmp_gone\"", 1)
        .replacen(
            "\"destination\": \"cmp_backups\"",
            "\"destination\": \"cmp_nowhere\"",
            1,
        );
    let (_path, error, _dir) = load_broken(text.as_bytes());
    assert_eq!(error.problems.len(), 2, "{error}");
    assert!(error
        .problems
        .iter()
        .all(|p| p.kind == LoadErrorKind::Invalid && p.position.is_some()));
}

#[test]
fn a_group_nested_in_itself() {
    let text = valid_text().replacen(
        "\"region\": \"fsn1\"\n    },",
        "\"region\": \"fsn1\",\n      \"parent\": \"grp_fsn1\"\n    },",
        1,
    );
    assert!(
        text.contains("\"parent\": \"grp_fsn1\""),
        "fixture edit applied"
    );
    let (_path, error, _dir) = load_broken(text.as_bytes());
    assert!(
        error.to_string().contains("nested inside itself"),
        "{error}"
    );
}

#[test]
fn missing_file_is_an_io_error() {
    let error = load_file(Path::new("/nonexistent/x.stagecraft.json")).unwrap_err();
    assert_eq!(error.kind(), LoadErrorKind::Io);
    assert!(error.to_string().contains("/nonexistent/x.stagecraft.json"));
}

#[test]
fn arbitrary_bytes_never_panic() {
    let text = valid_text();
    // Cut the file at many points and flip bytes: every result is an Ok or a typed error.
    for cut in (0..text.len()).step_by(37) {
        let _ = load_bytes(&text.as_bytes()[..cut], "cut");
        let mut flipped = text.as_bytes().to_vec();
        flipped[cut] ^= 0x55;
        let _ = load_bytes(&flipped, "flipped");
    }
}
