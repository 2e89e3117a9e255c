//! `stagecraft check` run as a process: findings for people, `--json`, `--sarif`, the target
//! stage and the exit codes (0 clean or warnings only, 1 errors or a broken file, 2 IO).

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn stagecraft() -> Command {
    Command::cargo_bin("stagecraft").expect("the stagecraft binary is built")
}

fn template(slug: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../stagecraft-model/templates")
        .join(format!("{slug}.stagecraft.json"))
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).unwrap_or_else(|e| {
        panic!(
            "stdout must be one JSON document ({e}): {}",
            String::from_utf8_lossy(output)
        )
    })
}

/// The MVP template with its firewall's default policy set to allow: an error-level finding.
fn design_with_an_error(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(template("mvp")).unwrap();
    let broken = text.replacen(
        "\"default_inbound\": \"deny\"",
        "\"default_inbound\": \"allow\"",
        1,
    );
    assert_ne!(
        text, broken,
        "the MVP template has a default-deny firewall to flip"
    );
    let path = dir.join("open.stagecraft.json");
    fs::write(&path, broken).unwrap();
    path
}

#[test]
fn a_clean_template_exits_0_and_says_ok() {
    stagecraft()
        .arg("check")
        .arg(template("mvp"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "ok, implements MVP, checked for MVP",
        ));
}

#[test]
fn warnings_alone_exit_0_grouped_with_why_and_fix() {
    let out = stagecraft()
        .arg("check")
        .arg(template("mvp"))
        .args(["--target-stage", "growth"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("Warnings (2):"), "{text}");
    assert!(
        text.contains("warning[stage.growth.db-on-app-server]"),
        "{text}"
    );
    assert!(text.contains("    why: "), "{text}");
    assert!(
        text.contains("    fix: Move the database off app-1"),
        "{text}"
    );
    assert!(text.contains("Info (1):"), "{text}");
    let warnings_at = text.find("Warnings").unwrap();
    let info_at = text.find("Info").unwrap();
    assert!(
        warnings_at < info_at,
        "grouped by severity, most serious first"
    );
}

#[test]
fn errors_exit_1_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = design_with_an_error(dir.path());
    stagecraft()
        .arg("check")
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "error[network.firewall-default-allow]",
        ));
    stagecraft()
        .arg("check")
        .arg(&path)
        .arg("--json")
        .assert()
        .code(1);
    stagecraft()
        .arg("check")
        .arg(&path)
        .arg("--sarif")
        .assert()
        .code(1);
}

#[test]
fn json_prints_the_report() {
    let out = stagecraft()
        .args(["check", "--json", "--target-stage", "scale"])
        .arg(template("growth"))
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report = json_of(&out);
    assert_eq!(report["ok"], true);
    assert_eq!(report["detected_stage"], "growth");
    assert_eq!(report["target_stage"], "scale");
    let findings = report["findings"].as_array().unwrap();
    assert!(findings
        .iter()
        .any(|f| f["rule"] == "stage.scale.no-cdn" && f["severity"] == "warning"));
    assert_eq!(
        report["counts"]["warning"].as_u64().unwrap() as usize,
        findings
            .iter()
            .filter(|f| f["severity"] == "warning")
            .count()
    );
    // The report deserialises into the engine's own type: the desktop app gets the same shape.
    let typed: stagecraft_rules::Report = serde_json::from_value(report.clone()).unwrap();
    assert_eq!(typed.findings.len(), findings.len());
}

#[test]
fn sarif_has_the_2_1_0_shape_with_rules_and_located_results() {
    let dir = tempfile::tempdir().unwrap();
    let path = design_with_an_error(dir.path());
    let out = stagecraft()
        .args(["check", "--sarif", "--target-stage", "growth"])
        .arg(&path)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let log = json_of(&out);
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "stagecraft");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), stagecraft_rules::rules().len());
    for rule in rules {
        assert!(rule["id"].is_string() && rule["shortDescription"]["text"].is_string());
        assert!(rule["fullDescription"]["text"].is_string() && rule["help"]["text"].is_string());
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at the rule");
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(result["message"]["text"].is_string());
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.ends_with("open.stagecraft.json"), "{uri}");
    }
    // The firewall finding points at the line of the firewall's id in the file.
    let text = fs::read_to_string(&path).unwrap();
    let expected_line = text
        .lines()
        .position(|l| l.contains("\"id\": \"cmp_firewall\""))
        .unwrap()
        + 1;
    let firewall = results
        .iter()
        .find(|r| r["ruleId"] == "network.firewall-default-allow")
        .unwrap();
    assert_eq!(firewall["level"], "error");
    assert_eq!(
        firewall["locations"][0]["physicalLocation"]["region"]["startLine"],
        expected_line
    );
    let db = results
        .iter()
        .find(|r| r["ruleId"] == "stage.growth.db-on-app-server")
        .unwrap();
    assert_eq!(db["level"], "warning");
}

#[test]
fn broken_files_and_io_errors_keep_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.stagecraft.json");
    fs::write(&broken, "{\n  \"schema_version\": 2,\n  oops\n}\n").unwrap();
    for extra in [&[][..], &["--sarif"][..], &["--target-stage", "scale"][..]] {
        stagecraft()
            .arg("check")
            .arg(&broken)
            .args(extra)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("{}:3:", broken.display())));
    }
    let out = stagecraft()
        .args(["check", "--json"])
        .arg(&broken)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_of(&out)["problems"][0]["kind"], "syntax");
    stagecraft()
        .arg("check")
        .arg(dir.path().join("missing.stagecraft.json"))
        .assert()
        .code(2);
    stagecraft()
        .args(["check", "--target-stage", "enterprise"])
        .arg(template("mvp"))
        .assert()
        .code(2);
}
