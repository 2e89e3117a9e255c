//! `stagecraft destroy FILE [--auto-approve] [--json]`: delete everything this design created
//! (found by its labels and journal), dependants first, and nothing else.

use std::process::ExitCode;

use serde_json::json;
use stagecraft_cloud::ChangeAction;

use super::plan::{
    confirm, engine, engine_failure, json_line, progress_sink, report_text, CloudArgs,
};
use crate::output::{Failure, Output};
use crate::EXIT_PROBLEMS;

pub fn run(out: &Output, args: &CloudArgs, auto_approve: bool) -> Result<ExitCode, Failure> {
    stagecraft_model::load_file(&args.file)?;
    if !auto_approve {
        // What exists is what the plan would keep or change: list it by name before asking.
        let plan = stagecraft_cloud::block_on(engine(args, None)?.plan(&args.file))
            .map_err(engine_failure)?;
        let names: Vec<String> = plan
            .changes
            .iter()
            .filter(|c| c.action != ChangeAction::Create)
            .map(|c| format!("{} `{}`", c.key, c.name))
            .chain(plan.unchanged.iter().map(|k| k.to_string()))
            .collect();
        if names.is_empty() {
            out.print(
                &json!({ "event": "report", "ok": true, "deleted": 0 }),
                || "Nothing to destroy.".into(),
            );
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "This deletes {} resource(s):\n  {}",
            names.len(),
            names.join("\n  ")
        );
        if !confirm(&format!("Destroy {} resource(s)?", names.len()), false)? {
            eprintln!("Cancelled; nothing was deleted.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let engine = engine(args, Some(progress_sink(out.json)))?;
    let report = stagecraft_cloud::block_on(engine.destroy(&args.file)).map_err(engine_failure)?;
    if out.json {
        json_line(&json!({ "event": "report", "report": report }));
    } else {
        println!("{}", report_text(&report, "Destroy").trim_end());
    }
    Ok(if report.succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PROBLEMS)
    })
}
