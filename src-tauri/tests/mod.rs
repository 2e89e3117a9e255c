//! Tests of the shell: the generated bindings, the security baseline, the recovery store and the
//! commands (called directly, as the invoke handler would).

mod analysis;
mod bindings;
mod commands;
mod export;
mod prices;
mod provision;
mod recovery;
mod security;

use std::path::PathBuf;

/// The repository root (the desktop package's manifest folder).
fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The command names the generated bindings invoke: `__TAURI_INVOKE<T>("name"` or
/// `__TAURI_INVOKE("name"`.
fn invoked_commands(bindings: &str) -> std::collections::BTreeSet<String> {
    bindings
        .split("__TAURI_INVOKE")
        .skip(1)
        .filter_map(|rest| {
            let call = &rest[rest.find("(\"")? + 2..];
            Some(call[..call.find('"')?].to_owned())
        })
        .collect()
}
