use std::path::Path;
use std::process::ExitCode;

use serde_json::json;
use stagecraft_model::{save_file, template_by_slug, Design};

use crate::output::{Failure, Output};

pub fn run(
    out: &Output,
    file: &Path,
    template: Option<&str>,
    name: Option<String>,
) -> Result<ExitCode, Failure> {
    if file.exists() {
        return Err(Failure::Usage(format!(
            "{} already exists; choose another name or delete it first",
            file.display()
        )));
    }
    let mut design = match template {
        Some(slug) => template_by_slug(slug)
            .ok_or_else(|| Failure::Usage(format!("no template named `{slug}`")))?
            .instantiate()?,
        None => Design::new(default_name(file)),
    };
    if let Some(name) = name {
        design.name = name;
    }
    save_file(file, &design).map_err(|e| Failure::Usage(e.to_string()))?;
    out.print(
        &json!({"ok": true, "file": file.display().to_string(), "id": design.id, "name": design.name, "template": template}),
        || format!("created {} ({})", file.display(), design.name),
    );
    Ok(ExitCode::SUCCESS)
}

/// `shop.stagecraft.json` is named `shop`.
fn default_name(file: &Path) -> String {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = name
        .strip_suffix(stagecraft_model::FILE_EXTENSION)
        .or_else(|| name.strip_suffix(".json"))
        .unwrap_or(&name);
    if name.is_empty() {
        "Untitled design".into()
    } else {
        name.to_owned()
    }
}
