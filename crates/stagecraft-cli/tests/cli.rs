//! Each foundation command run as a process: output, `--json` and the documented exit codes.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn stagecraft() -> Command {
    Command::cargo_bin("stagecraft").expect("the stagecraft binary is built")
}

fn model_file(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../stagecraft-model")
        .join(relative)
        .display()
        .to_string()
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).unwrap_or_else(|e| {
        panic!(
            "stdout must be one JSON document ({e}): {}",
            String::from_utf8_lossy(output)
        )
    })
}

#[test]
fn new_from_each_template_creates_a_valid_file() {
    let dir = tempfile::tempdir().unwrap();
    for template in ["mvp", "growth", "scale"] {
        let path = dir.path().join(format!("{template}.stagecraft.json"));
        let out = stagecraft()
            .args(["new", "--template", template, "--json"])
            .arg(&path)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let answer = json_of(&out);
        assert_eq!(answer["ok"], true);
        assert_eq!(answer["template"], template);
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(&format!("dsg_template_{template}")),
            "a new design gets a fresh id"
        );
        stagecraft_model::load_file(&path).expect("the new file loads");
    }
}

#[test]
fn new_blank_is_named_after_the_file_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.stagecraft.json");
    stagecraft()
        .arg("new")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("(shop)"));
    let before = fs::read(&path).unwrap();
    stagecraft()
        .arg("new")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn unknown_template_is_a_usage_error() {
    stagecraft()
        .args(["new", "--template", "enterprise", "x.stagecraft.json"])
        .assert()
        .code(2);
}

#[test]
fn check_reports_broken_files_with_exit_1_and_io_errors_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.stagecraft.json");
    fs::write(&broken, "{\n  \"schema_version\": 2,\n  oops\n}\n").unwrap();
    stagecraft()
        .arg("check")
        .arg(&broken)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("{}:3:", broken.display())));

    let out = stagecraft()
        .arg("check")
        .arg(&broken)
        .arg("--json")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let answer = json_of(&out);
    assert_eq!(answer["ok"], false);
    assert_eq!(answer["problems"][0]["kind"], "syntax");
    assert_eq!(answer["problems"][0]["position"]["line"], 3);

    stagecraft()
        .arg("check")
        .arg(dir.path().join("missing.stagecraft.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.stagecraft.json"));
}

#[test]
fn fmt_rewrites_into_canonical_form_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("messy.stagecraft.json");
    let canonical = fs::read_to_string(model_file("templates/growth.stagecraft.json")).unwrap();
    let value: Value = serde_json::from_str(&canonical).unwrap();
    fs::write(&path, serde_json::to_string(&value).unwrap()).unwrap();

    stagecraft()
        .args(["fmt", "--check"])
        .arg(&path)
        .assert()
        .code(1);
    let out = stagecraft()
        .args(["fmt", "--json"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_of(&out)["changed"], true);
    assert_eq!(fs::read_to_string(&path).unwrap(), canonical);
    assert!(
        dir.path().join("messy.stagecraft.json.bak").exists(),
        "the previous version is kept"
    );
    stagecraft()
        .args(["fmt", "--check"])
        .arg(&path)
        .assert()
        .success();
}

#[test]
fn fmt_refuses_a_broken_file_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.stagecraft.json");
    fs::write(&path, "{ \"schema_version\": 2, ").unwrap();
    stagecraft().arg("fmt").arg(&path).assert().code(1);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "{ \"schema_version\": 2, "
    );
    assert!(!dir.path().join("broken.stagecraft.json.bak").exists());
}

#[test]
fn migrate_upgrades_a_version_1_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.stagecraft.json");
    fs::copy(model_file("tests/fixtures/v1/shop.stagecraft.json"), &path).unwrap();
    let out = stagecraft()
        .args(["migrate", "--json"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let answer = json_of(&out);
    assert_eq!(answer["from_version"], 1);
    assert_eq!(answer["applied"][0], "v1_to_v2_move_positions_to_layout");
    let migrated: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(migrated["schema_version"], 2);
    assert_eq!(migrated["layout"]["nodes"]["cmp_app"]["x"], 260.0);
    stagecraft()
        .arg("migrate")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("already at schema version 2"));
}

#[test]
fn catalog_lists_kinds_and_provider_mappings() {
    stagecraft()
        .args(["catalog", "--kind", "managed_database"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Hetzner has no managed database"))
        .stdout(predicate::str::contains("aws_db_instance"));
    let out = stagecraft()
        .args(["catalog", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let catalog = json_of(&out);
    assert_eq!(catalog["kinds"].as_array().unwrap().len(), 17);
    stagecraft()
        .args(["catalog", "--kind", "mainframe"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown kind `mainframe`"));
}

#[test]
fn schema_prints_the_committed_json_schema() {
    let committed = fs::read_to_string(model_file("schema/design.schema.json")).unwrap();
    stagecraft()
        .arg("schema")
        .assert()
        .success()
        .stdout(committed);
}

#[test]
fn usage_errors_exit_2() {
    stagecraft().assert().code(2);
    stagecraft().arg("frobnicate").assert().code(2);
    stagecraft().arg("--help").assert().success();
}
