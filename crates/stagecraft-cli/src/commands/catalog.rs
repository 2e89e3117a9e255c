use std::fmt::Write as _;
use std::process::ExitCode;

use stagecraft_model::catalog::KindSpec;
use stagecraft_model::{catalog, schema::design_schema_json, ComponentKind};

use crate::output::{Failure, Output};

pub fn run(out: &Output, kind: Option<&str>) -> Result<ExitCode, Failure> {
    let catalog = catalog();
    let kinds: Vec<&KindSpec> = match kind {
        None => catalog.kinds.iter().collect(),
        Some(slug) => {
            let kind = ComponentKind::ALL
                .into_iter()
                .find(|k| k.slug() == slug)
                .ok_or_else(|| {
                    let known: Vec<&str> = ComponentKind::ALL.iter().map(|k| k.slug()).collect();
                    Failure::Usage(format!(
                        "unknown kind `{slug}`; known kinds: {}",
                        known.join(", ")
                    ))
                })?;
            vec![catalog.kind(kind)]
        }
    };
    if out.json {
        if kind.is_some() {
            out.print(&kinds, String::new);
        } else {
            out.print(catalog, String::new);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    for spec in kinds {
        let ports: Vec<String> = spec
            .ports
            .iter()
            .map(|p| format!("{} ({})", p.port, p.purpose))
            .collect();
        let _ = writeln!(
            text,
            "{} ({}) - {}",
            spec.label,
            spec.kind.slug(),
            spec.description
        );
        if !ports.is_empty() {
            let _ = writeln!(text, "  ports: {}", ports.join(", "));
        }
        for offering in &spec.offerings {
            let native = if offering.native {
                "native"
            } else {
                "not native"
            };
            let size = offering
                .default_size
                .as_deref()
                .map(|s| format!(", default {s}"))
                .unwrap_or_default();
            let fallback = offering
                .fallback
                .map(|f| format!(", use {} instead", f.slug()))
                .unwrap_or_default();
            let _ = writeln!(
                text,
                "  {:<13} {} ({native}{size}{fallback}): {}",
                offering.provider.label(),
                offering.resource,
                offering.note
            );
        }
    }
    let _ = write!(text, "\nprovider data as of {}", catalog.as_of);
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

pub fn schema(_out: &Output) -> Result<ExitCode, Failure> {
    print!("{}", design_schema_json());
    Ok(ExitCode::SUCCESS)
}
