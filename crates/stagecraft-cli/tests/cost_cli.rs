//! `stagecraft cost` and `stagecraft cost-diff`, run as a user would, with their exit codes:
//! 0 priced, 1 the design file is broken, 2 usage, IO or Git errors.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn stagecraft() -> Command {
    let mut command = Command::cargo_bin("stagecraft").expect("the binary is built");
    // Hermetic: a refresh stored in the developer's data folder must not change these answers
    // (tests/prices_cli.rs covers stored prices).
    command.env(
        "STAGECRAFT_PRICES_DIR",
        std::env::temp_dir().join("stagecraft-cost-cli-no-stored-prices"),
    );
    command
}

fn write_template(dir: &Path, slug: &str, name: &str) -> PathBuf {
    let path = dir.join(name);
    let source = stagecraft_model::template_by_slug(slug)
        .expect("template")
        .source;
    std::fs::write(&path, source).unwrap();
    path
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).expect("stdout is one JSON document")
}

#[test]
fn cost_prints_lines_and_totals() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_template(dir.path(), "mvp", "mvp.stagecraft.json");
    // cx22 €3.79 + IPv4 €0.50 + backups €0.76 + object storage €4.99 = €10.04.
    stagecraft()
        .arg("cost")
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Total: €10.04 a month"))
        .stdout(predicate::str::contains("[hetzner.server.cx22.eu]"));
    stagecraft()
        .args(["cost", "--vat", "19"])
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("With 19% VAT: €11.95 a month"));
}

#[test]
fn cost_json_has_decimal_strings_and_traceable_lines() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_template(dir.path(), "growth", "growth.stagecraft.json");
    let out = stagecraft()
        .args(["cost", "--json"])
        .arg(&file)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let json = json_of(&out);
    let total = &json["estimate"]["totals"]["monthly"];
    assert!(
        total.is_string(),
        "money is a decimal string in JSON, not a float: {total}"
    );
    let lines = json["estimate"]["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    for line in lines {
        assert!(
            line["price"]["id"].as_str().is_some_and(|s| !s.is_empty()),
            "{line}"
        );
        assert!(
            line["price"]["source"]
                .as_str()
                .is_some_and(|s| s.starts_with("https://")),
            "{line}"
        );
    }
}

#[test]
fn cost_csv_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_template(dir.path(), "mvp", "mvp.stagecraft.json");
    let out = stagecraft()
        .args(["cost", "--csv"])
        .arg(&file)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let mut rows = text.lines();
    assert!(rows
        .next()
        .unwrap()
        .starts_with("component,name,kind,provider"));
    assert_eq!(rows.count(), 8, "one row per cost line:\n{text}");
    stagecraft()
        .args(["cost", "--markdown"])
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("| Component | Item |"));
}

#[test]
fn cost_on_another_provider_and_compared() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_template(dir.path(), "growth", "growth.stagecraft.json");
    let out = stagecraft()
        .args(["cost", "--json", "--provider", "aws", "--currency", "USD"])
        .arg(&file)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let json = json_of(&out);
    assert_eq!(json["estimate"]["currency"], "USD");
    for line in json["estimate"]["lines"].as_array().unwrap() {
        assert_eq!(line["provider"], "aws", "{line}");
    }
    assert!(
        !json["mappings"].as_array().unwrap().is_empty(),
        "the mapping onto AWS is shown"
    );

    let out = stagecraft()
        .args(["cost", "--json", "--compare"])
        .arg(&file)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let json = json_of(&out);
    let providers: Vec<&str> = json["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["provider"].as_str().unwrap())
        .collect();
    assert_eq!(providers, ["hetzner", "digitalocean", "aws"]);
    stagecraft()
        .args(["cost", "--compare", "--markdown"])
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("| Monthly |"));
}

#[test]
fn cost_usage_errors_exit_2_and_broken_designs_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_template(dir.path(), "mvp", "mvp.stagecraft.json");
    for args in [
        vec!["cost", "--vat", "nineteen"],
        vec!["cost", "--hours", "0"],
        vec!["cost", "--json", "--csv"],
        vec!["cost", "--csv", "--markdown"],
        vec!["cost", "--compare", "--csv"],
        vec!["cost", "--provider", "linode"],
        vec!["cost", "--usd-per-eur", "-1"],
    ] {
        stagecraft().args(&args).arg(&file).assert().code(2);
    }
    stagecraft()
        .args(["cost", "missing.stagecraft.json"])
        .current_dir(dir.path())
        .assert()
        .code(2);
    let broken = dir.path().join("broken.stagecraft.json");
    std::fs::write(&broken, "{\"schema_version\": 2, \"name\": 5}").unwrap();
    stagecraft().arg("cost").arg(&broken).assert().code(1);
}

#[test]
fn cost_diff_between_two_files() {
    let dir = tempfile::tempdir().unwrap();
    let old = write_template(dir.path(), "growth", "old.stagecraft.json");
    let new = dir.path().join("new.stagecraft.json");
    // The worker grows from cx22 (€3.79) to cx32 (€6.80), each with its primary IPv4 (€0.50): +€3.01.
    let text = std::fs::read_to_string(&old).unwrap().replacen(
        "\"size\": \"cx22\"",
        "\"size\": \"cx32\"",
        1,
    );
    std::fs::write(&new, text).unwrap();
    stagecraft()
        .args(["cost-diff", "--markdown"])
        .arg(&old)
        .arg(&new)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("### Cost change: +€3.01 a month"))
        .stdout(predicate::str::contains(
            "| worker | Changed | €4.29 | €7.30 | +€3.01 |",
        ));
    let out = stagecraft()
        .args(["cost-diff", "--json"])
        .arg(&old)
        .arg(&new)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_of(&out)["delta"], "3.01");
    stagecraft()
        .args(["cost-diff", "--json", "--markdown"])
        .arg(&old)
        .arg(&new)
        .assert()
        .code(2);
}

#[test]
fn cost_diff_between_two_git_revisions() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = Process::new("git")
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(dir.path())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?} failed");
    };
    git(&["init", "-q"]);
    let file = write_template(dir.path(), "growth", "design.stagecraft.json");
    git(&["add", "design.stagecraft.json"]);
    git(&["commit", "-q", "-m", "v1"]);
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replacen("\"count\": 2", "\"count\": 3", 1);
    std::fs::write(&file, text).unwrap();
    git(&["commit", "-q", "-am", "v2"]);
    // One more cx32 app server with its primary IPv4: €6.80 + €0.50 = +€7.30.
    stagecraft()
        .args([
            "cost-diff",
            "--markdown",
            "HEAD~1:design.stagecraft.json",
            "HEAD:design.stagecraft.json",
        ])
        .current_dir(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("+€7.30"));
    stagecraft()
        .args([
            "cost-diff",
            "nosuchrev:design.stagecraft.json",
            "HEAD:design.stagecraft.json",
        ])
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("git show failed"));
}
