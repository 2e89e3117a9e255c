//! The Stagecraft desktop shell: a thin Tauri layer that hands every request to the crates.

pub fn run() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("error while running Stagecraft");
}
