//! `stagecraft plan FILE [--account A] [--ssh-key PATH] [--admin-cidr CIDR] [--json]`: what apply would create,
//! change and delete, and why. Also holds what plan, apply, destroy and refresh share: the
//! validation gate, the engine set-up from the keyring, and the progress display.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Args;
use serde_json::json;
use stagecraft_cloud::engine::ProgressSink;
use stagecraft_cloud::resources::MappingOptions;
use stagecraft_cloud::{
    ApplyProgress, ApplyReport, ChangeAction, Engine, EngineError, EngineOptions, Plan,
    ResourceStatus, SetupError,
};
use stagecraft_model::load_file;
use stagecraft_rules::{check, CheckOptions, Severity};

use crate::output::{Failure, Output};
use crate::EXIT_PROBLEMS;

/// Arguments every provisioning command takes.
#[derive(Args, Clone)]
pub struct CloudArgs {
    /// The design file.
    pub file: PathBuf,
    /// Keyring account of the credentials to use.
    #[arg(long)]
    pub account: Option<String>,
    /// SSH public key file to install on every server.
    #[arg(long)]
    pub ssh_key: Option<PathBuf>,
    /// Your address (or range) as a CIDR: opens 22/tcp from it, and only from it, on servers
    /// with WireGuard tunnels, so `stagecraft link` can reach them. Without it the derived
    /// firewalls keep SSH closed (an apply without it closes it again).
    #[arg(long, value_name = "CIDR")]
    pub admin_cidr: Option<String>,
    /// Operations in flight at once.
    #[arg(long, default_value_t = 8)]
    pub parallelism: usize,
}

/// Loads the design and refuses one with findings at error level: provisioning a broken
/// design would only create broken infrastructure.
pub(crate) fn validate(out: &Output, file: &Path) -> Result<Option<ExitCode>, Failure> {
    let loaded = load_file(file)?;
    let report = check(&loaded.design, &CheckOptions::default());
    if !report.has_errors() {
        return Ok(None);
    }
    let errors: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    out.print(&json!({ "ok": false, "refused": "design has findings at error level", "findings": errors }), || {
        let mut text = String::from("Refusing to provision: the design has findings at error level:\n");
        for finding in &errors {
            text.push_str(&format!("  error: {} ({})\n", finding.message, finding.rule));
        }
        text.push_str("Fix them (see `stagecraft check`) and try again.");
        text
    });
    Ok(Some(ExitCode::from(EXIT_PROBLEMS)))
}

/// Maps engine set-up errors to the CLI's failures.
pub(crate) fn setup_failure(error: SetupError) -> Failure {
    match error {
        SetupError::Engine(EngineError::InvalidDesign(problems)) => Failure::Usage(
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        other => Failure::Usage(other.to_string()),
    }
}

pub(crate) fn engine_failure(error: EngineError) -> Failure {
    setup_failure(SetupError::Engine(error))
}

/// Progress for people (one line per step, with a running count) or, with `--json`, one JSON
/// event per line.
pub(crate) fn progress_sink(json: bool) -> ProgressSink {
    let done = Arc::new(Mutex::new((0usize, 0usize)));
    Arc::new(move |event: ApplyProgress| {
        if json {
            if let Ok(line) =
                serde_json::to_string(&json!({ "event": "progress", "progress": event }))
            {
                println!("{line}");
            }
            return;
        }
        let mut counts = done.lock().unwrap_or_else(|e| e.into_inner());
        match event.status {
            ResourceStatus::Pending => {
                counts.1 += 1;
                return;
            }
            ResourceStatus::Ready | ResourceStatus::Deleted | ResourceStatus::Failed => {
                counts.0 += 1
            }
            _ => {}
        }
        let label = match event.status {
            ResourceStatus::Creating => "creating",
            ResourceStatus::Updating => "updating",
            ResourceStatus::Deleting => "deleting",
            ResourceStatus::Ready => "ready",
            ResourceStatus::Deleted => "deleted",
            ResourceStatus::Failed => "FAILED",
            ResourceStatus::Pending => "pending",
        };
        let total = counts.1.max(1);
        let width = 20;
        let filled = counts.0 * width / total;
        eprintln!(
            "[{}{}] {:>3}/{:<3} {:<9} {}  {}",
            "#".repeat(filled),
            "-".repeat(width - filled),
            counts.0,
            counts.1,
            label,
            event.resource,
            event.message
        );
    })
}

/// The engine for a run, with credentials from the keyring.
pub(crate) fn engine(args: &CloudArgs, progress: Option<ProgressSink>) -> Result<Engine, Failure> {
    let ssh_public_key = match &args.ssh_key {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            Failure::Usage(format!("cannot read the SSH key {}: {e}", path.display()))
        })?),
        None => None,
    };
    let options = EngineOptions {
        parallelism: args.parallelism.max(1),
        mapping: MappingOptions {
            ssh_public_key,
            admin_cidr: args
                .admin_cidr
                .as_deref()
                .map(stagecraft_cloud::wireguard::parse_admin_cidr)
                .transpose()
                .map_err(Failure::Usage)?,
        },
        progress,
        crash_at: None,
    };
    stagecraft_cloud::engine_from_keyring(&args.file, args.account.as_deref(), options)
        .map_err(setup_failure)
}

/// The plan for people.
pub(crate) fn plan_text(plan: &Plan) -> String {
    let mut text = format!("Plan for `{}` ({}):\n", plan.design_name, plan.design_id);
    if plan.changes.is_empty() {
        text.push_str("  No changes: the providers match the design.\n");
    }
    for change in &plan.changes {
        let sign = match change.action {
            ChangeAction::Create => "+",
            ChangeAction::Update => "~",
            ChangeAction::Replace => "-/+",
            ChangeAction::Delete => "-",
        };
        text.push_str(&format!(
            "  {sign:>3} {:?} {} `{}` ({}) {}\n",
            change.kind,
            change.key,
            change.name,
            change.reasons.join("; "),
            monthly_cost(change.monthly_cost_change, plan.currency)
        ));
    }
    for skipped in &plan.not_provisioned {
        text.push_str(&format!(
            "    not provisioned: {} ({})\n",
            skipped.name, skipped.reason
        ));
    }
    text.push_str(&format!(
        "{} to create, {} to update, {} to replace, {} to delete, {} unchanged.",
        plan.count(ChangeAction::Create),
        plan.count(ChangeAction::Update),
        plan.count(ChangeAction::Replace),
        plan.count(ChangeAction::Delete),
        plan.unchanged.len()
    ));
    if !plan.changes.is_empty() {
        text.push_str(&format!(
            "\nMonthly cost change: {}",
            match (plan.monthly_cost_change, plan.currency) {
                (Some(total), Some(currency)) => format!(
                    "{} ({}, net of VAT; prices: {})",
                    signed_money(total, currency),
                    currency_code(currency),
                    plan.prices.join(", then ")
                ),
                _ => "unknown: a change could not be priced (see `cost unknown` above)".into(),
            }
        ));
    }
    text
}

/// A change's effect on the monthly bill: `[+€3.79/month]`, or `[cost unknown]`.
fn monthly_cost(
    change: Option<stagecraft_pricing::rust_decimal::Decimal>,
    currency: Option<stagecraft_model::Currency>,
) -> String {
    match (change, currency) {
        (Some(amount), Some(currency)) => format!("[{}/month]", signed_money(amount, currency)),
        _ => "[cost unknown]".into(),
    }
}

fn signed_money(
    amount: stagecraft_pricing::rust_decimal::Decimal,
    currency: stagecraft_model::Currency,
) -> String {
    let text = stagecraft_pricing::money(amount, currency);
    if amount.is_sign_positive() && !amount.is_zero() {
        format!("+{text}")
    } else {
        text
    }
}

fn currency_code(currency: stagecraft_model::Currency) -> &'static str {
    match currency {
        stagecraft_model::Currency::Eur => "EUR",
        stagecraft_model::Currency::Usd => "USD",
    }
}

/// The outcome of apply or destroy for people.
pub(crate) fn report_text(report: &ApplyReport, verb: &str) -> String {
    let mut text = format!(
        "{verb}: {} created, {} updated, {} replaced, {} deleted, {} adopted, {} failed ({} API calls, {:.1} s).\n",
        report.created.len(),
        report.updated.len(),
        report.replaced.len(),
        report.deleted.len(),
        report.adopted.len(),
        report.failed.len(),
        report.api_calls,
        report.wall_ms as f64 / 1000.0
    );
    for failed in &report.failed {
        text.push_str(&format!(
            "  FAILED {} `{}`: {}\n",
            failed.key, failed.name, failed.message
        ));
    }
    for key in &report.not_attempted {
        text.push_str(&format!(
            "  not attempted (depends on a failed resource): {key}\n"
        ));
    }
    text
}

/// Asks for confirmation on a terminal; without one, `--auto-approve` is required.
pub(crate) fn confirm(question: &str, auto_approve: bool) -> Result<bool, Failure> {
    if auto_approve {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(format!("{question} Standard input is not a terminal: pass --auto-approve to proceed without asking.")));
    }
    eprint!("{question} Type `yes` to proceed: ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    Ok(answer.trim() == "yes")
}

/// Prints one JSON line (the `--json` event stream).
pub(crate) fn json_line(value: &serde_json::Value) {
    println!("{}", serde_json::to_string(value).unwrap_or_default());
}

pub fn run(out: &Output, args: &CloudArgs) -> Result<ExitCode, Failure> {
    if let Some(code) = validate(out, &args.file)? {
        return Ok(code);
    }
    let engine = engine(args, None)?;
    let plan = stagecraft_cloud::block_on(engine.plan(&args.file)).map_err(engine_failure)?;
    if out.json {
        json_line(&json!({ "event": "plan", "plan": plan }));
    } else {
        println!("{}", plan_text(&plan));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use stagecraft_cloud::plan::diff;
    use stagecraft_cloud::resources::map_design;
    use stagecraft_model::{template_by_slug, Currency};

    use super::*;

    #[test]
    fn the_plan_shows_each_change_and_the_total_in_its_currency() {
        let design = template_by_slug("mvp").unwrap().design().unwrap();
        let mapping = map_design(&design, &MappingOptions::default());
        let mut plan = diff(design.id.as_str(), &design.name, &mapping, &[]);
        plan.price(
            &mapping,
            &[],
            Currency::Eur,
            &[stagecraft_pricing::embedded()],
        );
        let text = plan_text(&plan);
        // The MVP's cx22: €3.79 a month; a firewall costs nothing.
        assert!(
            text.lines()
                .any(|l| l.contains("Server") && l.ends_with("[+€3.79/month]")),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.contains("Firewall") && l.ends_with("[€0.00/month]")),
            "{text}"
        );
        let total = plan.monthly_cost_change.unwrap();
        assert!(
            text.contains(&format!(
                "Monthly cost change: +{} (EUR, net of VAT; prices: embedded price catalogue of {})",
                stagecraft_pricing::money(total, Currency::Eur),
                stagecraft_pricing::embedded().as_of
            )),
            "{text}"
        );

        // Unpriced: said, never shown as zero.
        plan.monthly_cost_change = None;
        plan.changes[0].monthly_cost_change = None;
        let text = plan_text(&plan);
        assert!(
            text.lines().next_back().unwrap().contains("unknown"),
            "{text}"
        );
        assert!(text.contains("[cost unknown]"), "{text}");
    }
}
