//! The export commands on the stage templates: each format is written where asked and is what it
//! claims to be, and a missing, read-only or non-folder destination gives an error naming the
//! format and the path, writing nothing.

use std::fs;
use std::path::Path;

use stagecraft_model::{Design, TEMPLATES};

use crate::commands::export::{
    export_changes, export_design, export_last_commit, export_preview, ExportBackground,
    ExportFormat, ExportOptions, ExportPaper, ExportedFiles, PreviousVersion,
};
use crate::error::ApiError;

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tauri::async_runtime::block_on(future)
}

fn options(format: ExportFormat) -> ExportOptions {
    ExportOptions {
        format,
        scale: 1,
        background: ExportBackground::Transparent,
        paper: ExportPaper::A4,
    }
}

fn export(design: &Design, options: ExportOptions, path: &Path) -> Result<ExportedFiles, ApiError> {
    block_on(export_design(
        design.clone(),
        options,
        path.display().to_string(),
        None,
    ))
}

/// Width and height from a PNG's IHDR chunk (bytes 16..24, big-endian).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

/// Whether any pixel of the PNG is not fully opaque.
fn has_transparent_pixel(png: &[u8], dir: &Path) -> bool {
    // Decoding needs an image library the shell does not have; ImageMagick (installed on CI
    // for the export crate's checks) reads the alpha channel's minimum.
    let file = dir.join("alpha-probe.png");
    fs::write(&file, png).unwrap();
    let output = std::process::Command::new("identify")
        .args(["-format", "%[fx:minima.a]"])
        .arg(&file)
        .output()
        .expect("ImageMagick's `identify` is needed (apt-get install imagemagick)");
    assert!(output.status.success(), "identify failed: {output:?}");
    let min_alpha: f64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap();
    min_alpha < 1.0
}

#[test]
fn every_format_writes_what_it_claims_for_every_template() {
    let dir = tempfile::tempdir().unwrap();
    for template in TEMPLATES {
        let design = template.design().unwrap();
        let slug = template.slug;
        let at = |name: &str| dir.path().join(format!("{slug}-{name}"));

        // SVG: parses with the renderer's own parser and equals the preview.
        let svg_path = at("diagram.svg");
        let written = export(&design, options(ExportFormat::Svg), &svg_path).unwrap();
        assert_eq!(written.files, vec![svg_path.display().to_string()]);
        let svg = fs::read_to_string(&svg_path).unwrap();
        assert_eq!(
            svg,
            block_on(export_preview(design.clone())),
            "{slug}: preview differs"
        );
        let tree = stagecraft_export::raster::parse_svg(&svg).unwrap();
        let (width, height) = (tree.size().width(), tree.size().height());
        assert!(
            width > 100.0 && height > 100.0,
            "{slug}: tiny diagram {width}x{height}"
        );

        // PNG: 1x is the SVG's size, 2x twice that; transparent unless asked for white.
        let png1 = at("1x.png");
        export(&design, options(ExportFormat::Png), &png1).unwrap();
        let png1 = fs::read(&png1).unwrap();
        let (w1, h1) = png_size(&png1);
        assert_eq!(
            (w1, h1),
            (width.ceil() as u32, height.ceil() as u32),
            "{slug}: 1x size"
        );
        let png2 = at("2x.png");
        let white = ExportOptions {
            scale: 2,
            background: ExportBackground::White,
            ..options(ExportFormat::Png)
        };
        export(&design, white, &png2).unwrap();
        let png2 = fs::read(&png2).unwrap();
        let (w2, h2) = png_size(&png2);
        assert!(
            w2.abs_diff(2 * w1) <= 1 && h2.abs_diff(2 * h1) <= 1,
            "{slug}: 2x is {w2}x{h2}, 1x {w1}x{h1}"
        );
        assert!(
            has_transparent_pixel(&png1, dir.path()),
            "{slug}: 1x should be transparent"
        );
        assert!(
            !has_transparent_pixel(&png2, dir.path()),
            "{slug}: white background has holes"
        );

        // PDF on A4 and Letter: real PDFs, different pages.
        let a4 = at("a4.pdf");
        export(&design, options(ExportFormat::Pdf), &a4).unwrap();
        let letter = at("letter.pdf");
        let on_letter = ExportOptions {
            paper: ExportPaper::Letter,
            ..options(ExportFormat::Pdf)
        };
        export(&design, on_letter, &letter).unwrap();
        for pdf in [&a4, &letter] {
            let bytes = fs::read(pdf).unwrap();
            assert!(
                bytes.starts_with(b"%PDF-"),
                "{slug}: {} is not a PDF",
                pdf.display()
            );
            assert!(bytes.trim_ascii_end().ends_with(b"%%EOF"));
        }
        assert_ne!(
            fs::read(&a4).unwrap(),
            fs::read(&letter).unwrap(),
            "{slug}: paper ignored"
        );

        // Terraform: declares the providers the design uses, never a token value.
        let tf = at("main.tf");
        export(&design, options(ExportFormat::Terraform), &tf).unwrap();
        let tf = fs::read_to_string(&tf).unwrap();
        assert!(tf.contains("required_providers"), "{slug}: {tf}");
        let expected = if slug == "scale" {
            "hashicorp/aws"
        } else {
            "hetznercloud/hcloud"
        };
        assert!(tf.contains(expected), "{slug}: no {expected} provider");

        // The reports carry the findings and costs the shell computed.
        let md = at("report.md");
        export(&design, options(ExportFormat::ReportMarkdown), &md).unwrap();
        let md = fs::read_to_string(&md).unwrap();
        let findings = stagecraft_rules::check(&design, &Default::default());
        for finding in &findings.findings {
            assert!(
                md.contains(&finding.rule),
                "{slug}: finding {} missing",
                finding.rule
            );
        }
        assert!(md.contains(&design.name));
        assert!(
            !md.contains("was not checked"),
            "{slug}: findings missing from the report"
        );
        assert!(
            !md.contains("were not estimated"),
            "{slug}: costs missing from the report"
        );
        assert!(md.contains("### "), "{slug}: no per-provider cost table");
        let html = at("report.html");
        export(&design, options(ExportFormat::ReportHtml), &html).unwrap();
        let html = fs::read_to_string(&html).unwrap();
        assert!(
            html.to_ascii_lowercase().starts_with("<!doctype html"),
            "{slug}"
        );
        let report_pdf = at("report.pdf");
        export(&design, options(ExportFormat::ReportPdf), &report_pdf).unwrap();
        assert!(fs::read(&report_pdf).unwrap().starts_with(b"%PDF-"));

        // Mermaid and draw.io.
        let mmd = at("diagram.mmd");
        export(&design, options(ExportFormat::Mermaid), &mmd).unwrap();
        assert!(fs::read_to_string(&mmd).unwrap().contains("flowchart"));
        let drawio = at("diagram.drawio");
        export(&design, options(ExportFormat::Drawio), &drawio).unwrap();
        assert!(fs::read_to_string(&drawio)
            .unwrap()
            .contains("<mxGraphModel"));
    }
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with(".stagecraft-export-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn compose_writes_its_companion_files_beside_the_chosen_one() {
    let dir = tempfile::tempdir().unwrap();
    let design = TEMPLATES[0].design().unwrap();
    let path = dir.path().join("stack.yml");
    let written = export(&design, options(ExportFormat::Compose), &path).unwrap();
    assert_eq!(written.files[0], path.display().to_string());
    assert!(written
        .files
        .contains(&dir.path().join("cloud-init.yaml").display().to_string()));
    for file in &written.files {
        assert!(Path::new(file).is_file(), "{file} was not written");
    }
    assert!(fs::read_to_string(&path).unwrap().contains("services:"));
    assert!(fs::read_to_string(dir.path().join("cloud-init.yaml"))
        .unwrap()
        .starts_with("#cloud-config"));
}

fn export_error(result: Result<ExportedFiles, ApiError>) -> String {
    match result {
        Err(ApiError::Export(message)) => message,
        other => panic!("expected an export error, got {other:?}"),
    }
}

#[test]
fn a_missing_folder_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let design = TEMPLATES[0].design().unwrap();
    let missing = dir.path().join("no-such-folder");
    let path = missing.join("diagram.png");
    let message = export_error(export(&design, options(ExportFormat::Png), &path));
    assert_eq!(
        message,
        format!(
            "PNG export to {} failed: the folder {} does not exist",
            path.display(),
            missing.display()
        )
    );
    assert!(!missing.exists());
}

#[test]
fn a_read_only_folder_is_refused_and_left_unchanged() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("locked");
    fs::create_dir(&folder).unwrap();
    let path = folder.join("main.tf");
    fs::set_permissions(&folder, fs::Permissions::from_mode(0o555)).unwrap();
    let design = TEMPLATES[0].design().unwrap();
    let result = export(&design, options(ExportFormat::Terraform), &path);
    let entries = fs::read_dir(&folder).unwrap().count();
    fs::set_permissions(&folder, fs::Permissions::from_mode(0o755)).unwrap();
    let message = export_error(result);
    assert_eq!(
        message,
        format!(
            "Terraform export to {} failed: the folder {} is read-only",
            path.display(),
            folder.display()
        )
    );
    assert_eq!(entries, 0, "nothing is written into a read-only folder");
}

#[test]
fn a_file_where_a_folder_should_be_and_a_folder_as_target_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let design = TEMPLATES[0].design().unwrap();
    let file = dir.path().join("notes.txt");
    fs::write(&file, "keep me").unwrap();
    let inside_file = file.join("diagram.svg");
    let message = export_error(export(&design, options(ExportFormat::Svg), &inside_file));
    assert!(
        message.contains(&format!("{} is not a folder", file.display())),
        "{message}"
    );

    let message = export_error(export(&design, options(ExportFormat::Mermaid), dir.path()));
    assert!(message.starts_with("Mermaid export to "), "{message}");
    assert!(
        message.ends_with("it is a folder; choose a file name"),
        "{message}"
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn a_format_that_cannot_express_the_design_keeps_the_previous_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docker-compose.yml");
    fs::write(&path, "previous: true\n").unwrap();
    // Compose needs a server run with Docker Compose: a blank design has none.
    let design = crate::commands::new_design(None).unwrap();
    let message = export_error(export(&design, options(ExportFormat::Compose), &path));
    assert!(
        message.starts_with(&format!("Compose export to {} failed: ", path.display())),
        "{message}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "previous: true\n");
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no companion or temporary files"
    );
}

#[test]
fn export_errors_cross_ipc_tagged_as_export() {
    let error = ApiError::Export("PNG export to /x.png failed: the folder / is read-only".into());
    assert_eq!(
        serde_json::to_value(&error).unwrap(),
        serde_json::json!({"kind": "export", "detail": "PNG export to /x.png failed: the folder / is read-only"})
    );
}

/// The growth template one step on: the app servers doubled and a cache added.
fn edited_growth() -> (Design, Design) {
    let before = TEMPLATES[1].design().unwrap();
    let mut after = before.clone();
    let app = after
        .components
        .iter_mut()
        .find(|c| c.id.as_str() == "cmp_app")
        .unwrap();
    app.count = 4;
    let mut cache =
        stagecraft_model::Component::new(stagecraft_model::ComponentKind::Cache, "sessions");
    cache.provider = stagecraft_model::Provider::Hetzner;
    after.components.push(cache);
    (before, after)
}

fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Ada", "-c", "user.email=ada@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .status()
        .expect("git must be installed for this test");
    assert!(status.success(), "git {args:?} failed");
}

#[test]
fn a_report_compared_with_a_chosen_file_lists_the_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = edited_growth();
    let old_path = dir.path().join("before.stagecraft.json");
    fs::write(&old_path, stagecraft_model::to_canonical_string(&before)).unwrap();
    let previous = PreviousVersion::File {
        path: old_path.display().to_string(),
    };

    let summary = block_on(export_changes(after.clone(), previous.clone())).unwrap();
    assert_eq!(summary.label, old_path.display().to_string());
    assert!(
        summary
            .changes
            .iter()
            .any(|c| c.contains("Added") && c.contains("sessions")),
        "the new cache is listed: {:?}",
        summary.changes
    );

    let report = dir.path().join("review.md");
    block_on(export_design(
        after.clone(),
        options(ExportFormat::ReportMarkdown),
        report.display().to_string(),
        Some(previous),
    ))
    .unwrap();
    let text = fs::read_to_string(&report).unwrap();
    let section = text
        .split("## Changes since the previous version")
        .nth(1)
        .expect("the report has the changes section");
    for change in &summary.changes {
        assert!(section.contains(change.as_str()), "{change} in:\n{section}");
    }

    // Without a previous version the section is absent, so the test above is not vacuous.
    block_on(export_design(
        after,
        options(ExportFormat::ReportMarkdown),
        report.display().to_string(),
        None,
    ))
    .unwrap();
    assert!(!fs::read_to_string(&report)
        .unwrap()
        .contains("Changes since the previous version"));
}

#[test]
fn a_report_compared_with_the_last_commit_reads_it_from_git() {
    let repo = tempfile::tempdir().unwrap();
    let (before, after) = edited_growth();
    let file = repo.path().join("shop.stagecraft.json");
    let path = file.display().to_string();
    fs::write(&file, stagecraft_model::to_canonical_string(&before)).unwrap();
    assert_eq!(
        block_on(export_last_commit(path.clone())).unwrap(),
        None,
        "outside a repository there is no commit to offer"
    );
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "Growth stage"]);
    // Saved since the commit: the comparison must use the committed text, not the file.
    fs::write(&file, stagecraft_model::to_canonical_string(&after)).unwrap();

    let label = block_on(export_last_commit(path.clone()))
        .unwrap()
        .expect("the committed version is offered");
    assert!(label.contains("Growth stage"), "{label}");

    let summary = block_on(export_changes(
        after,
        PreviousVersion::LastCommit { path: path.clone() },
    ))
    .unwrap();
    assert_eq!(summary.label, label);
    assert!(
        summary.changes.iter().any(|c| c.contains("sessions")),
        "{:?}",
        summary.changes
    );
}

#[test]
fn an_unreadable_previous_version_is_named_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (_, after) = edited_growth();
    let missing = dir.path().join("gone.stagecraft.json");
    let previous = PreviousVersion::File {
        path: missing.display().to_string(),
    };
    let error = block_on(export_changes(after.clone(), previous.clone())).unwrap_err();
    assert!(
        matches!(&error, ApiError::Export(m) if m.contains("gone.stagecraft.json")),
        "{error:?}"
    );
    let report = dir.path().join("review.html");
    let message = export_error(block_on(export_design(
        after,
        options(ExportFormat::ReportHtml),
        report.display().to_string(),
        Some(previous),
    )));
    assert!(message.contains("gone.stagecraft.json"), "{message}");
    assert!(
        !report.exists(),
        "no report is written when the comparison fails"
    );
}
