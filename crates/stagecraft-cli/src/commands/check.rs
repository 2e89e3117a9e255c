//! `stagecraft check FILE [--target-stage S] [--json | --sarif]`: load a design, run the rules
//! and report the findings for people, as the JSON report, or as SARIF 2.1.0 for code review
//! tools. Exit 1 when a finding is at error level (or the file is broken), 2 on IO errors.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

use clap::ValueEnum;
use serde_json::{json, Value};
use stagecraft_model::{load_file, Stage};
use stagecraft_rules::{check, rules, CheckOptions, Finding, Report, Severity};

use crate::output::{Failure, Output};
use crate::EXIT_PROBLEMS;

/// A stage on the command line.
#[derive(Clone, Copy, ValueEnum)]
pub enum StageArg {
    Mvp,
    Growth,
    Scale,
}

impl From<StageArg> for Stage {
    fn from(arg: StageArg) -> Self {
        match arg {
            StageArg::Mvp => Stage::Mvp,
            StageArg::Growth => Stage::Growth,
            StageArg::Scale => Stage::Scale,
        }
    }
}

pub fn run(
    out: &Output,
    file: &Path,
    target_stage: Option<Stage>,
    sarif: bool,
) -> Result<ExitCode, Failure> {
    let loaded = load_file(file)?;
    let design = &loaded.design;
    let report = check(design, &CheckOptions { target_stage });
    let code = if report.has_errors() {
        ExitCode::from(EXIT_PROBLEMS)
    } else {
        ExitCode::SUCCESS
    };
    if sarif {
        // The file was just read; if it vanished since, locations fall back to the file alone.
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let document = sarif_log(&report, file, &text);
        println!(
            "{}",
            serde_json::to_string_pretty(&document).unwrap_or_default()
        );
        return Ok(code);
    }
    let mut value = serde_json::to_value(&report).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut value {
        let extra = json!({
            "ok": !report.has_errors(),
            "file": file.display().to_string(),
            "schema_version": loaded.file_version,
            "migrations_needed": loaded.migrations,
            "components": design.components.len(),
            "connections": design.connections.len(),
            "groups": design.groups.len(),
            "problems": [],
        });
        if let Value::Object(extra) = extra {
            fields.extend(extra);
        }
    }
    out.print(&value, || {
        let mut text = human(&report, file);
        text.insert_str(
            0,
            &format!(
                "{}: {} ({} components, {} connections, {} groups)\n",
                file.display(),
                summary(&report),
                design.components.len(),
                design.connections.len(),
                design.groups.len()
            ),
        );
        if !loaded.migrations.is_empty() {
            text.push_str(&format!(
                "\nnote: written in schema version {}; run `stagecraft migrate` to upgrade it",
                loaded.file_version
            ));
        }
        text
    });
    Ok(code)
}

fn summary(report: &Report) -> String {
    let stage = format!(
        "implements {}, checked for {}",
        report.detected_stage.label(),
        report.target_stage.label()
    );
    if report.findings.is_empty() {
        return format!("ok, {stage}");
    }
    let c = report.counts;
    format!(
        "{} error(s), {} warning(s), {} info; {stage}",
        c.error, c.warning, c.info
    )
}

/// Findings grouped by severity, each with its why and fix.
fn human(report: &Report, _file: &Path) -> String {
    let mut text = String::new();
    for (severity, heading) in [
        (Severity::Error, "Errors"),
        (Severity::Warning, "Warnings"),
        (Severity::Info, "Info"),
    ] {
        let group: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        text.push_str(&format!("\n{heading} ({}):\n", group.len()));
        for f in group {
            text.push_str(&format!(
                "  {}[{}] {}\n",
                severity.label(),
                f.rule,
                f.message
            ));
            if !f.components.is_empty() {
                let ids: Vec<&str> = f.components.iter().map(|c| c.as_str()).collect();
                text.push_str(&format!("    components: {}\n", ids.join(", ")));
            }
            text.push_str(&format!("    why: {}\n", f.why));
            if let Some(fix) = &f.fix {
                text.push_str(&format!("    fix: {}\n", fix.label));
            }
        }
    }
    text
}

/// Line of each `"id": "…"` member in the file, found in one pass.
fn id_lines(text: &str) -> HashMap<&str, usize> {
    let mut lines = HashMap::new();
    let mut line = 1;
    let mut counted_to = 0;
    for (offset, _) in text.match_indices("\"id\"") {
        let rest = text[offset + 4..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some(end) = rest.find('"') else { continue };
        line += text[counted_to..offset]
            .bytes()
            .filter(|b| *b == b'\n')
            .count();
        counted_to = offset;
        lines.entry(&rest[..end]).or_insert(line);
    }
    lines
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The file as a SARIF artifact URI: relative paths stay relative (review tools resolve them
/// against the checkout), absolute ones become `file://` URIs.
fn artifact_uri(file: &Path) -> String {
    let text = file.display().to_string().replace('\\', "/");
    if file.is_absolute() {
        format!(
            "file://{}",
            if text.starts_with('/') {
                text
            } else {
                format!("/{text}")
            }
        )
    } else {
        text
    }
}

/// A SARIF 2.1.0 log of the report: rule metadata in `tool.driver.rules`, one result per
/// finding located at the line of its first component's id.
fn sarif_log(report: &Report, file: &Path, text: &str) -> Value {
    let all = rules();
    let uri = artifact_uri(file);
    let lines = id_lines(text);
    let location = |id: &str| {
        let mut physical = json!({"artifactLocation": {"uri": uri}});
        if let Some(line) = lines.get(id) {
            physical["region"] = json!({"startLine": line});
        }
        json!({
            "physicalLocation": physical,
            "logicalLocations": [{"name": id, "kind": "resource"}],
        })
    };
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule,
                "level": sarif_level(f.severity),
                "message": {"text": match &f.fix {
                    Some(fix) => format!("{} (fix: {})", f.message, fix.label),
                    None => f.message.clone(),
                }},
            });
            if let Some(index) = all.iter().position(|r| r.id == f.rule) {
                result["ruleIndex"] = json!(index);
            }
            result["locations"] = match f.components.first() {
                Some(first) => json!([location(first.as_str())]),
                None => json!([{"physicalLocation": {"artifactLocation": {"uri": uri}}}]),
            };
            if f.components.len() > 1 {
                let related: Vec<Value> = f.components[1..]
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let mut l = location(c.as_str());
                        l["id"] = json!(i);
                        l
                    })
                    .collect();
                result["relatedLocations"] = json!(related);
            }
            result
        })
        .collect();
    let rule_meta: Vec<Value> = all
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.title,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": r.why},
                "help": {"text": r.fix_hint},
                "helpUri": format!("https://github.com/stagecraft-app/stagecraft/blob/main/docs/rules.md#{}", r.id.replace('.', "")),
                "defaultConfiguration": {"level": sarif_level(r.severity)},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "stagecraft",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/stagecraft-app/stagecraft",
                "rules": rule_meta,
            }},
            "artifacts": [{"location": {"uri": uri}}],
            "properties": {
                "detectedStage": report.detected_stage,
                "targetStage": report.target_stage,
            },
            "results": results,
        }],
    })
}
