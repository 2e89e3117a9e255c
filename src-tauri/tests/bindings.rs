//! Generates ui/src/ipc/bindings.ts. Locally the file is rewritten; with CI=true a difference
//! fails the test, so the committed bindings always match the Rust commands.

use std::fs;

use super::repo_root;

#[test]
fn typescript_bindings_match_the_rust_commands() {
    let committed_path = repo_root().join("ui/src/ipc/bindings.ts");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let fresh_path = dir.path().join("bindings.ts");
    crate::export_bindings(&fresh_path).expect("the commands' types export to TypeScript");
    let fresh = fs::read_to_string(&fresh_path).expect("the exported bindings are readable");

    let invoked = super::invoked_commands(&fresh);
    for command in crate::commands::APP_COMMANDS {
        assert!(
            invoked.contains(*command),
            "the bindings must invoke `{command}`"
        );
    }
    assert!(
        fresh.contains("export type ApiError"),
        "the bindings must declare ApiError"
    );

    let committed = fs::read_to_string(&committed_path).unwrap_or_default();
    if committed == fresh {
        return;
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !in_ci,
        "ui/src/ipc/bindings.ts is out of date with the Rust commands: run `cargo test -p stagecraft-desktop bindings` locally and commit the file"
    );
    fs::create_dir_all(committed_path.parent().expect("bindings.ts has a folder"))
        .expect("ui/src/ipc can be created");
    fs::write(&committed_path, fresh).expect("ui/src/ipc/bindings.ts can be written");
}
