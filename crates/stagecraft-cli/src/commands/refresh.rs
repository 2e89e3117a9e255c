//! `stagecraft refresh FILE [--json]`: compare the design, the journal and what exists at the
//! providers; record resources the journal missed; report the drift. Exit 1 when there is drift.

use std::process::ExitCode;

use serde_json::json;

use super::plan::{engine, engine_failure, json_line, CloudArgs};
use crate::output::{Failure, Output};
use crate::EXIT_PROBLEMS;

pub fn run(out: &Output, args: &CloudArgs) -> Result<ExitCode, Failure> {
    let engine = engine(args, None)?;
    let report = stagecraft_cloud::block_on(engine.refresh(&args.file)).map_err(engine_failure)?;
    if out.json {
        json_line(&json!({ "event": "drift", "drift": report }));
    } else if report.drift.is_empty() {
        println!(
            "In sync: {} resource(s) match the design.",
            report.in_sync.len()
        );
    } else {
        println!("Drift ({}):", report.drift.len());
        for drift in &report.drift {
            println!("  {:?} {}: {}", drift.kind, drift.key, drift.detail);
        }
    }
    Ok(if report.drift.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PROBLEMS)
    })
}
