//! Compose export: valid against the Compose specification's JSON Schema (vendored from the
//! compose-spec repository, Apache-2.0, in tests/schema/), snapshots, and cloud-init content.

mod common;

use common::templates;
use serde_json::Value;
use stagecraft_export::render_compose;

fn compose_schema() -> jsonschema::Validator {
    let text = include_str!("schema/compose-spec.json");
    let schema: Value = serde_json::from_str(text).expect("vendored schema is JSON");
    jsonschema::options()
        .should_validate_formats(false)
        .build(&schema)
        .expect("the Compose schema compiles")
}

#[test]
fn compose_validates_against_the_compose_specification() {
    let validator = compose_schema();
    for (slug, design) in templates() {
        let bundle = render_compose(&design).unwrap_or_else(|e| panic!("{slug}: {e}"));
        let document: Value =
            serde_yaml_ng::from_str(&bundle.compose).expect("Compose file is YAML");
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{slug}: Compose file violates the spec: {errors:#?}\n{}",
            bundle.compose
        );
    }
}

#[test]
fn the_schema_check_catches_a_broken_file() {
    let validator = compose_schema();
    let broken: Value = serde_yaml_ng::from_str(
        "services:\n  web:\n    image: 3\n    restart: [1]\n    bogus: true\n",
    )
    .unwrap();
    assert!(
        !validator.is_valid(&broken),
        "the vendored schema must reject unknown service keys"
    );
}

#[test]
fn mvp_stack_runs_web_caddy_database_and_jobs() {
    let (_, mvp) = templates().into_iter().find(|(s, _)| *s == "mvp").unwrap();
    let bundle = render_compose(&mvp).unwrap();
    let document: Value = serde_yaml_ng::from_str(&bundle.compose).unwrap();
    let services: Vec<&String> = document["services"].as_object().unwrap().keys().collect();
    assert_eq!(services, ["caddy", "db", "jobs", "web"]);
    assert_eq!(document["services"]["db"]["image"], "postgres:17");
    let caddyfile = bundle
        .caddyfile
        .expect("a reverse proxy workload writes a Caddyfile");
    assert!(caddyfile.starts_with("example.com {"), "{caddyfile}");

    assert!(bundle.cloud_init.starts_with("#cloud-config\n"));
    let init: Value = serde_yaml_ng::from_str(&bundle.cloud_init).unwrap();
    assert!(init["packages"]
        .as_array()
        .unwrap()
        .contains(&Value::from("docker.io")));
    let written = init["write_files"][0]["content"].as_str().unwrap();
    assert_eq!(
        written, bundle.compose,
        "cloud-init writes the very Compose file"
    );
    let runcmd = serde_json::to_string(&init["runcmd"]).unwrap();
    assert!(runcmd.contains("docker compose up -d"), "{runcmd}");
}

#[test]
fn no_password_is_written_only_referenced() {
    for (slug, design) in templates() {
        let bundle = render_compose(&design).unwrap();
        for line in bundle.compose.lines().filter(|l| l.contains("PASSWORD")) {
            assert!(
                line.contains("${DB_PASSWORD:?"),
                "{slug}: a password must be an env reference: {line}"
            );
        }
    }
}

#[test]
fn a_design_without_a_compose_server_is_refused_clearly() {
    let design = stagecraft_model::Design::new("empty");
    let err = render_compose(&design).unwrap_err().to_string();
    assert!(err.contains("docker_compose"), "{err}");
}

#[test]
fn compose_snapshots() {
    for (slug, design) in templates() {
        let bundle = render_compose(&design).unwrap();
        assert_eq!(
            bundle,
            render_compose(&design).unwrap(),
            "{slug}: deterministic"
        );
        insta::assert_snapshot!(format!("compose_{slug}"), bundle.compose);
        insta::assert_snapshot!(format!("cloud_init_{slug}"), bundle.cloud_init);
    }
}
