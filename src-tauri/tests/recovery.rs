//! The recovery store keeps the user's unsaved work across a crash.

use std::fs;

use stagecraft_model::{Component, ComponentKind, Design};

use crate::error::ApiError;
use crate::recovery::{RecoveryStore, RECOVERY_FILE_NAME};

fn design_with_work() -> Design {
    let mut design = Design::new("work in progress");
    design
        .components
        .push(Component::new(ComponentKind::AppServer, "api"));
    design
}

#[test]
fn nothing_to_recover_in_a_fresh_folder() {
    let dir = tempfile::tempdir().unwrap();
    let store = RecoveryStore::in_folder(&dir.path().join("not-yet-created"));
    assert_eq!(store.read().unwrap(), None);
    store.discard().expect("discarding nothing is not an error");
}

#[test]
fn a_written_design_comes_back_with_its_path_and_time_until_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let store = RecoveryStore::in_folder(&dir.path().join("data"));
    let design = design_with_work();
    store
        .write(design.clone(), Some("/home/me/shop.stagecraft.json".into()))
        .unwrap();

    let recovered = store.read().unwrap().expect("a recovery after a write");
    assert_eq!(recovered.design, design);
    assert_eq!(
        recovered.path.as_deref(),
        Some("/home/me/shop.stagecraft.json")
    );
    assert!(
        time::OffsetDateTime::parse(
            &recovered.saved_at,
            &time::format_description::well_known::Rfc3339
        )
        .is_ok(),
        "saved_at must be RFC 3339: {}",
        recovered.saved_at
    );
    assert_eq!(
        store.read().unwrap(),
        Some(recovered),
        "reading must not consume the recovery: a second crash would lose it"
    );

    store.discard().unwrap();
    assert_eq!(store.read().unwrap(), None);
    assert!(!store.file().exists());
}

#[test]
fn a_new_write_replaces_the_previous_one_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = RecoveryStore::in_folder(dir.path());
    store.write(Design::new("first"), None).unwrap();
    store.write(design_with_work(), None).unwrap();
    assert_eq!(
        store.read().unwrap().unwrap().design.name,
        "work in progress"
    );
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![RECOVERY_FILE_NAME.to_owned()]);
}

#[test]
fn an_inconsistent_design_is_still_kept() {
    // Work in progress may be briefly invalid (a connection to a component being deleted); the
    // recovery keeps it as it was rather than losing it.
    let dir = tempfile::tempdir().unwrap();
    let store = RecoveryStore::in_folder(dir.path());
    let mut design = design_with_work();
    design.name = String::new();
    store.write(design.clone(), None).unwrap();
    assert_eq!(store.read().unwrap().unwrap().design, design);
}

#[test]
fn a_corrupt_recovery_is_reported_with_its_file_and_left_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let store = RecoveryStore::in_folder(dir.path());
    fs::write(store.file(), "{\"design\": 42").unwrap();
    match store.read() {
        Err(ApiError::InvalidDesign(problems)) => {
            assert_eq!(problems.len(), 1);
            assert!(problems[0].file.ends_with(RECOVERY_FILE_NAME));
            assert!(problems[0].message.contains("recovery"));
        }
        other => panic!("expected InvalidDesign, got {other:?}"),
    }
    assert!(
        store.file().exists(),
        "a corrupt recovery must not be deleted"
    );
}

#[test]
fn an_unwritable_folder_is_an_io_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the data folder should be: creating the folder fails whoever runs the test.
    let blocker = dir.path().join("data");
    fs::write(&blocker, "not a folder").unwrap();
    let store = RecoveryStore::in_folder(&blocker);
    match store.write(design_with_work(), None) {
        Err(ApiError::Io(message)) => assert!(message.contains(RECOVERY_FILE_NAME), "{message}"),
        other => panic!("expected Io, got {other:?}"),
    }
}
