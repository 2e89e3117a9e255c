//! Money never goes through floating point: this fails if `f32` or `f64` appears anywhere in the
//! crate's sources (clippy's `float_arithmetic` lint, denied in lib.rs, catches arithmetic too).

use std::path::Path;

fn scan(dir: &Path, hits: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            scan(&path, hits);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("source is text");
            for (n, line) in text.lines().enumerate() {
                let words = line.split(|c: char| !c.is_alphanumeric() && c != '_');
                if words.into_iter().any(|w| w == "f32" || w == "f64") {
                    hits.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
}

#[test]
fn no_floating_point_types_in_src() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut hits = Vec::new();
    scan(&src, &mut hits);
    assert!(
        hits.is_empty(),
        "floating point types in pricing sources:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_scan_would_catch_a_float() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.rs"), "let price: f64 = 0.1;").unwrap();
    let mut hits = Vec::new();
    scan(dir.path(), &mut hits);
    assert_eq!(hits.len(), 1);
}
