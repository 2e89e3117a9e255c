//! The commands, called directly as the invoke handler calls them, and the wire shape of errors.

use std::fs;

use serde_json::json;
use stagecraft_model::{
    load_file, to_canonical_string, Component, ComponentKind, Design, Stage, TEMPLATES,
};
use tauri::Manager;

use crate::commands;
use crate::error::ApiError;
use crate::recovery::RecoveryStore;
use crate::startup::StartupFile;

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tauri::async_runtime::block_on(future)
}

#[test]
fn catalog_and_templates_come_from_the_model() {
    assert_eq!(&commands::catalog(), stagecraft_model::catalog());
    let templates = commands::templates();
    assert_eq!(
        templates
            .iter()
            .map(|t| t.slug.as_str())
            .collect::<Vec<_>>(),
        TEMPLATES.iter().map(|t| t.slug).collect::<Vec<_>>()
    );
    let mvp = &templates[0];
    assert_eq!(mvp.stage, Stage::Mvp);
    assert_eq!(mvp.name, TEMPLATES[0].design().unwrap().name);
    assert!(!mvp.description.is_empty(), "templates have a description");
}

#[test]
fn new_designs_are_blank_or_fresh_copies_of_a_template() {
    let blank = commands::new_design(None).unwrap();
    assert!(blank.components.is_empty());
    assert_eq!(blank.name, crate::documents::UNTITLED);

    let stored = TEMPLATES[0].design().unwrap();
    let first = commands::new_design(Some("mvp".into())).unwrap();
    let second = commands::new_design(Some("mvp".into())).unwrap();
    assert_eq!(first.components, stored.components);
    assert_ne!(
        first.id, stored.id,
        "a template is instantiated with a fresh id"
    );
    assert_ne!(first.id, second.id);

    assert_eq!(
        commands::new_design(Some("enterprise".into())),
        Err(ApiError::NotFound("no template named `enterprise`".into()))
    );
}

#[test]
fn the_example_is_the_model_example_with_a_fresh_id() {
    let example = commands::example_design();
    let stored = stagecraft_model::EXAMPLE.design().unwrap();
    assert_eq!(example.components, stored.components);
    assert_eq!(example.connections, stored.connections);
    assert_ne!(example.id, stored.id);
}

#[test]
fn save_then_open_round_trips_and_refuses_inconsistent_designs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.stagecraft.json");
    let path_text = path.display().to_string();
    let mut design = commands::new_design(Some("mvp".into())).unwrap();
    design
        .components
        .push(Component::new(ComponentKind::Cache, "sessions"));

    let saved = block_on(commands::save_design(path_text.clone(), design.clone())).unwrap();
    assert_eq!(saved.path, path_text);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        to_canonical_string(&design)
    );

    let opened = block_on(commands::open_design(path_text.clone())).unwrap();
    assert_eq!(opened.design, design);
    assert_eq!(opened.path, path_text);
    assert_eq!(opened.migrated_from, None);

    let mut broken = design.clone();
    let duplicate = broken.components[0].clone();
    broken.components.push(duplicate);
    match block_on(commands::save_design(path_text.clone(), broken)) {
        Err(ApiError::InvalidDesign(problems)) => {
            assert!(problems.iter().any(|p| p.message.contains("duplicate id")));
            assert!(problems.iter().all(|p| p.file == path_text));
        }
        other => panic!("expected InvalidDesign, got {other:?}"),
    }
    assert_eq!(
        load_file(&path).unwrap().design,
        design,
        "a refused save must leave the file as it was"
    );
}

#[test]
fn saving_adds_the_design_extension_when_it_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let asked = dir.path().join("shop").display().to_string();
    let saved = block_on(commands::save_design(asked.clone(), Design::new("shop"))).unwrap();
    assert_eq!(saved.path, format!("{asked}.stagecraft.json"));
    assert!(!dir.path().join("shop").exists());
    assert_eq!(load_file(saved.path.as_ref()).unwrap().design.name, "shop");
}

#[test]
fn opening_reports_missing_broken_and_old_files_distinctly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir
        .path()
        .join("gone.stagecraft.json")
        .display()
        .to_string();
    assert!(matches!(
        block_on(commands::open_design(missing)),
        Err(ApiError::NotFound(message)) if message.contains("gone.stagecraft.json")
    ));

    let broken = dir.path().join("broken.stagecraft.json");
    fs::write(
        &broken,
        "{\n  \"schema_version\": 2,\n  \"id\": \"dsg_x\",\n  oops\n}",
    )
    .unwrap();
    match block_on(commands::open_design(broken.display().to_string())) {
        Err(ApiError::InvalidDesign(problems)) => {
            let problem = &problems[0];
            assert!(problem.file.ends_with("broken.stagecraft.json"));
            assert_eq!(problem.position.map(|p| p.line), Some(4));
        }
        other => panic!("expected InvalidDesign, got {other:?}"),
    }

    let folder = dir.path().display().to_string();
    assert!(
        matches!(
            block_on(commands::open_design(folder)),
            Err(ApiError::Io(_))
        ),
        "a folder exists but cannot be read as a file"
    );
}

#[test]
fn an_old_file_says_which_version_it_was_migrated_from() {
    let v1 = crate::tests::repo_root()
        .join("crates/stagecraft-model/tests/fixtures/v1/shop.stagecraft.json");
    let opened = block_on(commands::open_design(v1.display().to_string())).unwrap();
    assert_eq!(opened.migrated_from, Some(1));
}

#[test]
fn errors_cross_ipc_tagged_by_kind() {
    assert_eq!(
        serde_json::to_value(ApiError::NotFound("x".into())).unwrap(),
        json!({"kind": "notFound", "detail": "x"})
    );
    assert_eq!(
        serde_json::to_value(ApiError::Io("disk full".into())).unwrap(),
        json!({"kind": "io", "detail": "disk full"})
    );
    let problems = match block_on(commands::save_design(
        "/tmp/never-written.stagecraft.json".into(),
        Design::new(""),
    )) {
        Err(e) => serde_json::to_value(e).unwrap(),
        Ok(_) => panic!("a design without a name must be refused"),
    };
    assert_eq!(problems["kind"], "invalidDesign");
    assert_eq!(problems["detail"][0]["field"], "name");
    assert_eq!(problems["detail"][0]["kind"], "invalid");
}

#[test]
fn recovery_commands_use_the_managed_store() {
    let dir = tempfile::tempdir().unwrap();
    let app = tauri::test::mock_app();
    app.manage(RecoveryStore::in_folder(dir.path()));

    assert_eq!(
        block_on(commands::take_recovery(app.state())).unwrap(),
        None
    );
    let design = Design::new("unsaved");
    block_on(commands::write_recovery(
        app.state(),
        design.clone(),
        Some("/x.stagecraft.json".into()),
    ))
    .unwrap();
    let recovered = block_on(commands::take_recovery(app.state()))
        .unwrap()
        .expect("the recovery just written");
    assert_eq!(recovered.design, design);
    assert_eq!(recovered.path.as_deref(), Some("/x.stagecraft.json"));
    block_on(commands::discard_recovery(app.state())).unwrap();
    assert_eq!(
        block_on(commands::take_recovery(app.state())).unwrap(),
        None
    );
}

#[test]
fn the_startup_file_is_the_first_argument_made_absolute() {
    let app = tauri::test::mock_app();
    let cwd = std::path::Path::new("/home/me");
    app.manage(StartupFile::from_args(
        [
            "--some-flag".into(),
            "shop.stagecraft.json".into(),
            "other".into(),
        ],
        Some(cwd),
    ));
    assert_eq!(
        commands::startup_file(app.state()),
        Some("/home/me/shop.stagecraft.json".into())
    );
    assert_eq!(
        StartupFile::from_args(["/abs/a.stagecraft.json".into()], Some(cwd)).0,
        Some("/abs/a.stagecraft.json".into())
    );
    assert_eq!(StartupFile::from_args(Vec::new(), Some(cwd)).0, None);
}
