//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use stagecraft_model::{Design, Provider, TEMPLATES};

/// The three stage templates, by slug.
pub fn templates() -> Vec<(&'static str, Design)> {
    TEMPLATES
        .iter()
        .map(|t| (t.slug, t.design().expect("templates load")))
        .collect()
}

/// Every template moved onto each of Hetzner, DigitalOcean and AWS (sizes and regions mapped
/// by the price comparison's retargeting), named `slug-provider`: each provider's Terraform arms
/// get exercised by every stage.
pub fn templates_on_every_provider() -> Vec<(String, Design)> {
    let options = stagecraft_pricing::CostOptions::default();
    let mut designs = Vec::new();
    for (slug, design) in templates() {
        for provider in Provider::REAL {
            let moved = stagecraft_pricing::compare::retarget(&design, provider, &options).design;
            designs.push((format!("{slug}-{}", provider.label().to_lowercase()), moved));
        }
    }
    designs
}

/// Runs a poppler tool (`pdftotext`, `pdfinfo`) on a PDF and returns its stdout; fails the test
/// with an install hint when the tool is missing.
pub fn poppler(tool: &str, pdf: &[u8], extra: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let mut command = Command::new(tool);
    command.args(extra).arg(Path::new(&path));
    if tool == "pdftotext" {
        command.arg("-");
    }
    let output = command.output().unwrap_or_else(|e| {
        panic!("`{tool}` must be installed for this test (apt-get install poppler-utils): {e}")
    });
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Page count from `pdfinfo`.
pub fn pdf_pages(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let output = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| {
            panic!("`pdfinfo` must be installed for this test (apt-get install poppler-utils): {e}")
        });
    assert!(
        output.status.success(),
        "pdfinfo rejects the PDF: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints a page count")
}

/// Width and height from a PNG's IHDR chunk.
pub fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    (w, h)
}
