//! Declares the app commands to Tauri's ACL: a command listed here is refused unless a capability
//! grants its `allow-<command>` permission (see capabilities/default.json).

include!("commands/names.rs");

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(APP_COMMANDS);
    let attributes = tauri_build::Attributes::new().app_manifest(manifest);
    if let Err(error) = tauri_build::try_build(attributes) {
        // tauri-build's errors name the config or capability file at fault; show them whole.
        panic!("tauri-build failed: {error:#}");
    }
}
