//! One fixture per past schema version loads into the current one.

use std::path::Path;

use stagecraft_model::migrate::{MIGRATIONS, OLDEST_SUPPORTED_VERSION};
use stagecraft_model::*;

fn fixture(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

#[test]
fn every_past_version_has_a_fixture_that_loads() {
    for version in OLDEST_SUPPORTED_VERSION..CURRENT_SCHEMA_VERSION {
        let dir = fixture(&format!("v{version}"));
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| {
                panic!(
                    "schema version {version} needs a fixture in {}",
                    dir.display()
                )
            })
            .collect();
        assert!(
            !files.is_empty(),
            "schema version {version} needs a fixture"
        );
        for file in files {
            let path = file.unwrap().path();
            let loaded = load_file(&path).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(loaded.file_version, version);
            assert_eq!(loaded.design.schema_version, CURRENT_SCHEMA_VERSION);
            assert!(!loaded.migrations.is_empty());
        }
    }
}

#[test]
fn version_1_positions_move_to_the_layout_and_replicas_become_count() {
    let path = fixture("v1/shop.stagecraft.json");
    let before = std::fs::read(&path).unwrap();
    let loaded = load_file(&path).unwrap();
    assert_eq!(loaded.migrations, vec!["v1_to_v2_move_positions_to_layout"]);
    let design = loaded.design;
    let app = design
        .component(&ComponentId::parse("cmp_app").unwrap())
        .unwrap();
    assert_eq!(app.count, 1);
    assert_eq!(
        app.properties.workloads,
        vec![Workload::Web, Workload::Database]
    );
    let placement = design.layout.nodes["cmp_app"];
    assert_eq!((placement.x, placement.y), (260.0, 100.0));
    let group = design.layout.nodes["grp_fsn1"];
    assert_eq!((group.width, group.height), (Some(400.0), Some(260.0)));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "loading must not rewrite the old file"
    );

    // Saved in the current version, it loads without migrations.
    let text = to_canonical_string(&design);
    assert!(load_str(&text, "migrated").unwrap().migrations.is_empty());
}

#[test]
fn migrations_form_an_unbroken_chain() {
    let froms: Vec<u32> = MIGRATIONS.iter().map(|m| m.from).collect();
    let expected: Vec<u32> = (OLDEST_SUPPORTED_VERSION..CURRENT_SCHEMA_VERSION).collect();
    assert_eq!(
        froms, expected,
        "one named migration per version step, in order"
    );
}
