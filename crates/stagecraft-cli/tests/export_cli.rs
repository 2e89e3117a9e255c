//! `stagecraft export`: every format writes its file(s), and bad input gives exit code 2 with a
//! clear message.

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;

fn template(slug: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../stagecraft-model/templates")
        .join(format!("{slug}.stagecraft.json"))
}

fn stagecraft() -> Command {
    let mut command = Command::cargo_bin("stagecraft").expect("binary builds");
    // Hermetic: a refresh stored in the developer's data folder must not change the reports.
    command.env(
        "STAGECRAFT_PRICES_DIR",
        std::env::temp_dir().join("stagecraft-export-cli-no-stored-prices"),
    );
    command
}

#[test]
fn every_format_writes_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("svg", "d.svg", &b"<svg"[..]),
        ("png", "d.png", &b"\x89PNG"[..]),
        ("pdf", "d.pdf", &b"%PDF"[..]),
        ("report-md", "r.md", &b"# MVP"[..]),
        ("report-html", "r.html", &b"<!DOCTYPE html>"[..]),
        ("report-pdf", "r.pdf", &b"%PDF"[..]),
        ("terraform", "main.tf", &b"terraform {"[..]),
        ("mermaid", "d.mmd", &b"---\ntitle:"[..]),
        ("drawio", "d.drawio", &b"<mxfile"[..]),
    ];
    for (format, name, start) in cases {
        let out = dir.path().join(name);
        stagecraft()
            .arg("export")
            .arg(template("mvp"))
            .args(["--format", format, "-o"])
            .arg(&out)
            .assert()
            .success()
            .stdout(predicate::str::contains("wrote"));
        let bytes = std::fs::read(&out).unwrap();
        assert!(
            bytes.starts_with(start),
            "{format}: unexpected start {:?}",
            &bytes[..bytes.len().min(16)]
        );
    }
}

#[test]
fn png_scale_and_report_previous_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let size = |path: &PathBuf| {
        let png = std::fs::read(path).unwrap();
        (
            u32::from_be_bytes(png[16..20].try_into().unwrap()),
            u32::from_be_bytes(png[20..24].try_into().unwrap()),
        )
    };
    let one = dir.path().join("1x.png");
    let two = dir.path().join("2x.png");
    stagecraft()
        .arg("export")
        .arg(template("growth"))
        .args(["--format", "png", "-o"])
        .arg(&one)
        .assert()
        .success();
    stagecraft()
        .arg("export")
        .arg(template("growth"))
        .args([
            "--format",
            "png",
            "--scale",
            "2",
            "--background",
            "white",
            "-o",
        ])
        .arg(&two)
        .assert()
        .success();
    let (w1, h1) = size(&one);
    assert_eq!(size(&two), (w1 * 2, h1 * 2));

    // A design too large for 2x is drawn smaller, and the user is told the scale used.
    let huge = dir.path().join("huge.stagecraft.json");
    stagecraft_model::save_file(&huge, &stagecraft_model::generate::generated_design(1_000))
        .unwrap();
    let capped = dir.path().join("huge.png");
    let output = stagecraft()
        .arg("export")
        .arg(&huge)
        .args(["--format", "png", "--scale", "2", "-o"])
        .arg(&capped)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let note = text
        .lines()
        .find(|l| l.starts_with("note: the PNG is drawn at "))
        .unwrap_or_else(|| panic!("the cap is announced, got:\n{text}"));
    let drawn: f64 = note["note: the PNG is drawn at ".len()..]
        .split('x')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1.0..2.0).contains(&drawn), "{note}");
    assert!(note.contains("not the 2x asked for"), "{note}");
    let (w, h) = size(&capped);
    assert!(
        u64::from(w) * u64::from(h) <= stagecraft_export::MAX_PNG_PIXELS + u64::from(w + h) + 1,
        "{w}x{h}"
    );
    let quiet = stagecraft()
        .arg("export")
        .arg(template("growth"))
        .args(["--format", "png", "--scale", "2", "-o"])
        .arg(&two)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        !String::from_utf8(quiet).unwrap().contains("note:"),
        "no note when the scale asked for is used"
    );

    let report = dir.path().join("r.md");
    stagecraft()
        .arg("export")
        .arg(template("growth"))
        .args(["--format", "report-md", "--previous"])
        .arg(template("mvp"))
        .arg("-o")
        .arg(&report)
        .assert()
        .success();
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("## Changes since the previous version"));
    assert!(
        text.contains("Monthly cost €"),
        "the cost change is summarised:\n{text}"
    );
}

#[test]
fn compose_writes_a_directory_of_files_and_reports_them_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stack");
    let assert = stagecraft()
        .args(["--json", "export"])
        .arg(template("mvp"))
        .args(["--format", "compose", "-o"])
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["files"].as_array().unwrap().len(), 3);
    for name in ["docker-compose.yml", "cloud-init.yaml", "Caddyfile"] {
        assert!(out.join(name).is_file(), "{name} written");
    }
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    stagecraft()
        .arg("export")
        .arg(dir.path().join("missing.stagecraft.json"))
        .args(["--format", "svg", "-o"])
        .arg(dir.path().join("x.svg"))
        .assert()
        .code(2);
    stagecraft()
        .arg("export")
        .arg(template("mvp"))
        .args(["--format", "gif", "-o", "x.gif"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gif"));
    stagecraft()
        .arg("export")
        .arg(template("mvp"))
        .args(["--format", "png", "--scale", "0", "-o"])
        .arg(dir.path().join("x.png"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("scale"));
    assert!(
        !dir.path().join("x.png").exists(),
        "a failed export writes nothing"
    );
    // A design with no Docker Compose server cannot become a Compose stack.
    let blank = dir.path().join("blank.stagecraft.json");
    stagecraft().arg("new").arg(&blank).assert().success();
    stagecraft()
        .arg("export")
        .arg(&blank)
        .args(["--format", "compose", "-o"])
        .arg(dir.path().join("stack"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("docker_compose"));
}

#[test]
fn report_previous_can_be_a_git_revision() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(dir.path())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?} failed");
    };
    let file = dir.path().join("design.stagecraft.json");
    std::fs::copy(template("growth"), &file).unwrap();
    git(&["init", "-q"]);
    git(&["add", "design.stagecraft.json"]);
    git(&["commit", "-q", "-m", "v1"]);
    // One more cx32 app server since the commit.
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replacen("\"count\": 2", "\"count\": 3", 1);
    std::fs::write(&file, text).unwrap();

    let report = dir.path().join("r.md");
    stagecraft()
        .current_dir(dir.path())
        .args(["export", "design.stagecraft.json", "--format", "report-md"])
        .args(["--previous", "HEAD:design.stagecraft.json", "-o"])
        .arg(&report)
        .assert()
        .success();
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.contains("## Changes since the previous version"),
        "{text}"
    );
    assert!(
        text.contains("+€7.30"),
        "the cx32 added since HEAD (€6.80 + its primary IPv4 €0.50):\n{text}"
    );

    stagecraft()
        .current_dir(dir.path())
        .args(["export", "design.stagecraft.json", "--format", "report-md"])
        .args(["--previous", "nosuchrev:design.stagecraft.json", "-o"])
        .arg(dir.path().join("never.md"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "nosuchrev:design.stagecraft.json: git show failed",
        ));
    assert!(
        !dir.path().join("never.md").exists(),
        "nothing is written when the previous version cannot be read"
    );
}

/// A Hetzner refresh stored in `dir` in which every Hetzner server costs twice its embedded price.
fn store_dearer_hetzner_servers(dir: &std::path::Path) {
    use stagecraft_model::Provider;
    let mut refreshed = stagecraft_pricing::embedded().clone();
    refreshed.entries.retain(|e| {
        e.provider == Provider::Hetzner && e.product == stagecraft_pricing::Product::Server
    });
    for entry in &mut refreshed.entries {
        entry.amount *= stagecraft_pricing::rust_decimal::Decimal::TWO;
        entry.as_of = "2026-11-20".into();
    }
    refreshed.as_of = "2026-11-20".into();
    refreshed.origin = stagecraft_pricing::CatalogOrigin::Refreshed {
        provider: Provider::Hetzner,
        endpoints: vec!["http://127.0.0.1/v1/pricing".into()],
        fetched_at: "2026-11-20".into(),
    };
    stagecraft_pricing::refresh::store_catalog(
        &stagecraft_pricing::store::stored_path(dir, Provider::Hetzner),
        &refreshed,
    )
    .unwrap();
}

#[test]
fn reports_are_priced_with_the_stored_refresh_as_cost_is_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let prices = dir.path().join("prices");
    std::fs::create_dir_all(&prices).unwrap();
    store_dearer_hetzner_servers(&prices);
    let report = |extra: &[&str]| {
        let out = dir.path().join("r.md");
        stagecraft()
            .env("STAGECRAFT_PRICES_DIR", &prices)
            .args(["export"])
            .arg(template("mvp"))
            .args(["--format", "report-md", "-o"])
            .arg(&out)
            .args(extra)
            .assert()
            .success();
        std::fs::read_to_string(&out).unwrap()
    };
    let embedded = format!(
        "Embedded price catalogue as of {}",
        stagecraft_pricing::embedded().as_of
    );

    // Default: the stored refresh, then the embedded catalogue, as `stagecraft cost`.
    let stored = report(&[]);
    assert!(
        stored.contains("Hetzner prices refreshed from the provider's API on 2026-11-20"),
        "{stored}"
    );
    assert!(stored.contains(&embedded), "{stored}");
    // mvp's cx22 at twice €3.79.
    assert!(stored.contains("€7.58"), "{stored}");

    // --prices embedded: the built-in catalogue only.
    let plain = report(&["--prices", "embedded"]);
    assert!(!plain.contains("refreshed"), "{plain}");
    assert!(plain.contains(&embedded), "{plain}");
    assert!(
        plain.contains("€3.79") && !plain.contains("€7.58"),
        "{plain}"
    );

    // --prices FILE: that catalogue (before the embedded one).
    let file = stagecraft_pricing::store::stored_path(&prices, stagecraft_model::Provider::Hetzner);
    let from_file = report(&["--prices", file.to_str().unwrap()]);
    assert!(from_file.contains("€7.58"), "{from_file}");

    // A --prices file that cannot be read: exit 2, nothing written.
    let out = dir.path().join("never.md");
    stagecraft()
        .args(["export"])
        .arg(template("mvp"))
        .args([
            "--format",
            "report-md",
            "--prices",
            "/nonexistent/prices.json",
            "-o",
        ])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--prices /nonexistent/prices.json",
        ));
    assert!(!out.exists());
}
