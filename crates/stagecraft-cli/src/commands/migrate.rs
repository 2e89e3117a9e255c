use std::path::Path;
use std::process::ExitCode;

use serde_json::json;
use stagecraft_model::{load_file, save_file, CURRENT_SCHEMA_VERSION};

use crate::output::{Failure, Output};

pub fn run(out: &Output, file: &Path) -> Result<ExitCode, Failure> {
    let loaded = load_file(file)?;
    if !loaded.migrations.is_empty() {
        save_file(file, &loaded.design).map_err(|e| Failure::Usage(e.to_string()))?;
    }
    out.print(
        &json!({
            "ok": true,
            "file": file.display().to_string(),
            "from_version": loaded.file_version,
            "to_version": CURRENT_SCHEMA_VERSION,
            "applied": loaded.migrations,
        }),
        || {
            if loaded.migrations.is_empty() {
                format!("{}: already at schema version {CURRENT_SCHEMA_VERSION}", file.display())
            } else {
                format!(
                    "migrated {} from schema version {} to {CURRENT_SCHEMA_VERSION} ({}); the old file is kept as .bak",
                    file.display(),
                    loaded.file_version,
                    loaded.migrations.join(", ")
                )
            }
        },
    );
    Ok(ExitCode::SUCCESS)
}
