use std::path::Path;
use std::process::ExitCode;

use serde_json::json;
use stagecraft_model::load_file;

use crate::output::{Failure, Output};

pub fn run(out: &Output, file: &Path) -> Result<ExitCode, Failure> {
    let loaded = load_file(file)?;
    let design = &loaded.design;
    out.print(
        &json!({
            "ok": true,
            "file": file.display().to_string(),
            "schema_version": loaded.file_version,
            "migrations_needed": loaded.migrations,
            "components": design.components.len(),
            "connections": design.connections.len(),
            "groups": design.groups.len(),
            "problems": [],
        }),
        || {
            let mut text = format!(
                "{}: ok ({} components, {} connections, {} groups)",
                file.display(),
                design.components.len(),
                design.connections.len(),
                design.groups.len()
            );
            if !loaded.migrations.is_empty() {
                text.push_str(&format!(
                    "\nnote: written in schema version {}; run `stagecraft migrate` to upgrade it",
                    loaded.file_version
                ));
            }
            text
        },
    );
    Ok(ExitCode::SUCCESS)
}
