//! `stagecraft apply FILE [--auto-approve] [--json]`: make the providers match the design,
//! with live progress. Exit 1 when a resource failed (what succeeded is kept and recorded).

use std::process::ExitCode;

use serde_json::json;

use super::plan::{
    confirm, engine, engine_failure, json_line, plan_text, progress_sink, report_text, validate,
    CloudArgs,
};
use crate::output::{Failure, Output};
use crate::EXIT_PROBLEMS;

pub fn run(out: &Output, args: &CloudArgs, auto_approve: bool) -> Result<ExitCode, Failure> {
    if let Some(code) = validate(out, &args.file)? {
        return Ok(code);
    }
    if !auto_approve {
        let plan = stagecraft_cloud::block_on(engine(args, None)?.plan(&args.file))
            .map_err(engine_failure)?;
        if !out.json {
            eprintln!("{}", plan_text(&plan));
        }
        if plan.is_empty() {
            out.print(
                &json!({ "event": "report", "ok": true, "changes": 0 }),
                || "Nothing to do.".into(),
            );
            return Ok(ExitCode::SUCCESS);
        }
        if !confirm(&format!("Apply {} change(s)?", plan.changes.len()), false)? {
            eprintln!("Cancelled; nothing was changed.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let engine = engine(args, Some(progress_sink(out.json)))?;
    let report = stagecraft_cloud::block_on(engine.apply(&args.file)).map_err(engine_failure)?;
    // Tunnels carry nothing until their ends know each other's keys: that is `link`'s job.
    let link_hint = report
        .succeeded()
        .then(|| super::link::link_hint(&args.file))
        .flatten();
    if out.json {
        let mut event = json!({ "event": "report", "report": report });
        if let Some(hint) = &link_hint {
            event["next"] = json!(hint);
        }
        json_line(&event);
    } else {
        println!("{}", report_text(&report, "Apply").trim_end());
        if let Some(hint) = &link_hint {
            println!("{hint}");
        }
    }
    Ok(if report.succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PROBLEMS)
    })
}
