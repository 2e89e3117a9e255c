//! docs/rules.md is generated from the rules themselves. This test fails when it is stale and
//! rewrites it when run with `STAGECRAFT_UPDATE_DOCS=1`.

use std::path::PathBuf;

#[test]
fn rules_reference_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let expected = stagecraft_rules::rules_markdown();
    if std::env::var_os("STAGECRAFT_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &expected).expect("docs/rules.md is writable");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is stale: run `STAGECRAFT_UPDATE_DOCS=1 cargo test -p stagecraft-rules --test rules_doc`"
    );
}

#[test]
fn every_rule_is_documented_with_a_unique_id() {
    let rules = stagecraft_rules::rules();
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "rule ids are unique");
    for rule in &rules {
        assert!(
            !rule.title.is_empty() && rule.why.len() > 40 && !rule.fix_hint.is_empty(),
            "{} needs a title, a why and a fix hint",
            rule.id
        );
        assert!(
            rule.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'-'),
            "{} is a stable lower-case id",
            rule.id
        );
    }
}
