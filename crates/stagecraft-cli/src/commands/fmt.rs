use std::path::Path;
use std::process::ExitCode;

use serde_json::json;
use stagecraft_model::{load_file, save_file, to_canonical_string};

use crate::output::{Failure, Output};
use crate::EXIT_PROBLEMS;

pub fn run(out: &Output, file: &Path, check_only: bool) -> Result<ExitCode, Failure> {
    let loaded = load_file(file)?;
    let canonical = to_canonical_string(&loaded.design);
    let current = std::fs::read_to_string(file)
        .map_err(|e| Failure::Usage(format!("{}: {e}", file.display())))?;
    let changed = canonical != current;
    if check_only {
        out.print(
            &json!({"ok": !changed, "file": file.display().to_string(), "canonical": !changed}),
            || {
                if changed {
                    format!(
                        "{}: not in canonical form (run `stagecraft fmt`)",
                        file.display()
                    )
                } else {
                    format!("{}: canonical", file.display())
                }
            },
        );
        return Ok(if changed {
            ExitCode::from(EXIT_PROBLEMS)
        } else {
            ExitCode::SUCCESS
        });
    }
    if changed {
        save_file(file, &loaded.design).map_err(|e| Failure::Usage(e.to_string()))?;
    }
    out.print(
        &json!({"ok": true, "file": file.display().to_string(), "changed": changed}),
        || {
            if changed {
                format!("formatted {}", file.display())
            } else {
                format!("{}: already canonical", file.display())
            }
        },
    );
    Ok(ExitCode::SUCCESS)
}
