//! The generated Terraform is already in `terraform fmt` layout: every file, for every template on
//! every provider, comes back byte-identical from HashiCorp's own formatter (hclwrite, which
//! `terraform fmt` runs), built into `.tools/hclfmt-check` by `scripts/setup-hclfmt.sh`.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use stagecraft_export::render_terraform;

fn checker() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join(".tools/hclfmt-check");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/setup-hclfmt.sh (builds HashiCorp's hclwrite formatter, the one \
         `terraform fmt` uses, from Debian's golang-go and golang-github-hashicorp-hcl-v2-dev)",
        path.display()
    );
    path
}

/// `text` as `terraform fmt` would write it.
fn terraform_fmt(checker: &PathBuf, text: &str) -> String {
    let mut child = Command::new(checker)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hclfmt-check");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write to hclfmt-check");
    let output = child.wait_with_output().expect("hclfmt-check finishes");
    assert!(
        output.status.success(),
        "hclwrite rejects the file: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 from hclfmt-check")
}

/// The first differing lines, so a failure shows what the formatter would change.
fn first_difference(ours: &str, formatted: &str) -> String {
    let ours: Vec<&str> = ours.lines().collect();
    let formatted: Vec<&str> = formatted.lines().collect();
    let at = ours
        .iter()
        .zip(&formatted)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(formatted.len()));
    let from = at.saturating_sub(3);
    let show = |lines: &[&str]| lines[from.min(lines.len())..(at + 4).min(lines.len())].join("\n");
    format!(
        "line {}:\n--- generated\n{}\n+++ terraform fmt\n{}",
        at + 1,
        show(&ours),
        show(&formatted)
    )
}

#[test]
fn generated_terraform_is_already_formatted() {
    let checker = checker();
    let mut designs = common::templates_on_every_provider();
    designs.push((
        "generated".to_owned(),
        stagecraft_model::generate::generated_design(60),
    ));
    for (name, design) in designs {
        let text = render_terraform(&design).unwrap();
        let formatted = terraform_fmt(&checker, &text);
        assert!(
            text == formatted,
            "{name}: `terraform fmt` would change the file at {}",
            first_difference(&text, &formatted)
        );
    }
}

#[test]
fn the_checker_does_catch_bad_layout() {
    let checker = checker();
    let unaligned = "resource \"a\" \"b\" {\n  name = \"x\"\n  server_type = \"cx22\"\n}\n";
    assert_ne!(
        terraform_fmt(&checker, unaligned),
        unaligned,
        "hclfmt-check must realign `=` signs, or the test above proves nothing"
    );
}
