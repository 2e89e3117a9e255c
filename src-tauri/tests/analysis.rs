//! The analysis commands on the stage templates, called as the invoke handler calls them, and the
//! fixtures the UI tests answer with: produced here by the real rules and pricing code, committed
//! under ui/src/panels/analysis/fixtures/, and checked to be current (a stale fixture fails; set
//! `STAGECRAFT_UPDATE_FIXTURES=1` to rewrite them, then review the diff).

use std::fs;
use std::path::PathBuf;

use serde::Serialize;
use stagecraft_model::{Design, Provider, Stage, TEMPLATES};
use stagecraft_pricing::CostOptions;
use stagecraft_rules::{Finding, Severity};

use crate::commands::analysis;
use crate::error::ApiError;

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tauri::async_runtime::block_on(future)
}

fn template(slug: &str) -> Design {
    TEMPLATES
        .iter()
        .find(|t| t.slug == slug)
        .expect("the template exists")
        .design()
        .expect("the template loads")
}

fn errors(findings: &[Finding]) -> Vec<&str> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.rule.as_str())
        .collect()
}

#[test]
fn each_template_is_clean_at_its_own_stage_and_flagged_at_a_larger_one() {
    for (slug, larger) in [("mvp", Stage::Growth), ("growth", Stage::Scale)] {
        let design = template(slug);
        let own = block_on(analysis::check_design(design.clone(), None));
        assert_eq!(own.target_stage, design.assumptions.target_stage.unwrap());
        assert!(
            errors(&own.findings).is_empty(),
            "{slug}: {:?}",
            own.findings
        );
        let flagged = block_on(analysis::check_design(design, Some(larger)));
        assert_eq!(flagged.target_stage, larger);
        assert!(
            flagged.counts.error + flagged.counts.warning > 0,
            "{slug} at {larger:?} should have problems"
        );
        let total = flagged.counts.error + flagged.counts.warning + flagged.counts.info;
        assert_eq!(
            total as usize,
            flagged.findings.len(),
            "counts match findings"
        );
    }
}

#[test]
fn cost_findings_are_merged_into_the_report_in_order() {
    // An AWS design serving lots of traffic: egress dominates, which pricing reports.
    let mut design = template("growth");
    design.assumptions.monthly_egress_gb = Some(200_000);
    let aws = stagecraft_pricing::retarget(&design, Provider::Aws, &CostOptions::default()).design;
    let report = analysis::check_with_costs(&aws, None);
    let costs: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("cost."))
        .collect();
    assert!(
        !costs.is_empty(),
        "an egress-heavy AWS design has cost findings"
    );
    assert!(costs.iter().all(|f| f.fix.is_none()));
    let order: Vec<_> = report.findings.iter().map(|f| f.severity).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "findings stay ordered by severity");
    let rules_only = stagecraft_rules::check(&aws, &Default::default());
    assert_eq!(
        report.findings.len(),
        rules_only.findings.len() + costs.len()
    );
}

#[test]
fn applying_a_fix_returns_the_fixed_design_and_removes_its_finding() {
    let design = template("growth");
    let report = block_on(analysis::check_design(design.clone(), Some(Stage::Scale)));
    let finding = report
        .findings
        .iter()
        .find(|f| f.fix.is_some())
        .expect("growth at scale has a fixable finding");
    let fix = finding.fix.clone().unwrap();
    let fixed = block_on(analysis::apply_fix(design.clone(), fix.clone())).unwrap();
    assert_ne!(fixed, design);
    let after = block_on(analysis::check_design(fixed.clone(), Some(Stage::Scale)));
    assert!(
        !after
            .findings
            .iter()
            .any(|f| f.rule == finding.rule && f.components == finding.components),
        "the fixed finding is gone"
    );
    assert!(after.counts.error <= report.counts.error, "no error added");

    // A fix computed for another version (it names a component that is gone) is refused and
    // changes nothing.
    let stale = stagecraft_rules::Fix {
        label: "Remove a server".into(),
        edits: vec![stagecraft_rules::Edit::RemoveComponent {
            id: "cmp_gone".parse().unwrap(),
        }],
    };
    match block_on(analysis::apply_fix(fixed, stale)) {
        Err(ApiError::InvalidFix(_)) => {}
        other => panic!("a stale fix must be refused, got {other:?}"),
    }
}

#[test]
fn estimates_price_every_template_with_sources_and_move_onto_a_provider() {
    for template in TEMPLATES {
        let design = template.design().unwrap();
        let here = block_on(analysis::estimate_cost(
            design.clone(),
            None,
            CostOptions::default(),
        ));
        assert!(here.mappings.is_empty() && here.gaps.is_empty());
        assert!(
            !here.estimate.lines.is_empty(),
            "{} has cost lines",
            template.slug
        );
        for line in &here.estimate.lines {
            assert!(!line.price.source.is_empty() && !line.price.as_of.is_empty());
        }
        let on_aws = block_on(analysis::estimate_cost(
            design.clone(),
            Some(Provider::Aws),
            CostOptions::default(),
        ));
        assert!(on_aws
            .estimate
            .lines
            .iter()
            .all(|l| l.provider == Provider::Aws));
        let compared = block_on(analysis::compare_providers(
            design.clone(),
            CostOptions::default(),
        ));
        assert_eq!(compared.0.columns.len(), 3);
        let priced = block_on(analysis::advise_design(design));
        assert!(
            !priced.advice.tiers.is_empty(),
            "{} has tiers to advise on",
            template.slug
        );
        assert_eq!(priced.tier_cost_changes.len(), priced.advice.tiers.len());
        for (tier, change) in priced.advice.tiers.iter().zip(&priced.tier_cost_changes) {
            if tier.fix.is_none() {
                assert_eq!(change, &None, "no fix, no cost change");
            }
        }
    }
}

fn fixtures_dir() -> PathBuf {
    super::repo_root().join("ui/src/panels/analysis/fixtures")
}

#[derive(Serialize)]
struct FixedFixture {
    finding_rule: String,
    design: Design,
    report: stagecraft_rules::Report,
}

/// Every fixture the UI tests use, computed now by the commands.
fn fixtures() -> Vec<(&'static str, String)> {
    let growth = template("growth");
    let at_scale = block_on(analysis::check_design(growth.clone(), Some(Stage::Scale)));
    let finding = at_scale
        .findings
        .iter()
        .find(|f| f.fix.is_some())
        .expect("a fixable finding")
        .clone();
    let fixed_design = block_on(analysis::apply_fix(
        growth.clone(),
        finding.fix.clone().unwrap(),
    ))
    .unwrap();
    let fixed_report = block_on(analysis::check_design(
        fixed_design.clone(),
        Some(Stage::Scale),
    ));
    let options = CostOptions::default();
    vec![
        (
            "growth.check.json",
            json(&block_on(analysis::check_design(growth.clone(), None))),
        ),
        ("growth-at-scale.check.json", json(&at_scale)),
        (
            "growth-at-scale.fixed.json",
            json(&FixedFixture {
                finding_rule: finding.rule,
                design: fixed_design,
                report: fixed_report,
            }),
        ),
        (
            "growth.estimate.json",
            json(&block_on(analysis::estimate_cost(
                growth.clone(),
                None,
                options.clone(),
            ))),
        ),
        (
            "growth.compare.json",
            json(&block_on(analysis::compare_providers(
                growth.clone(),
                options,
            ))),
        ),
        (
            "growth.advice.json",
            json(&block_on(analysis::advise_design(growth))),
        ),
    ]
}

/// Pretty JSON with a final newline.
fn json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("answers serialize");
    text.push('\n');
    text
}

#[test]
fn ui_fixtures_are_what_the_commands_answer_today() {
    let update = std::env::var("STAGECRAFT_UPDATE_FIXTURES").is_ok_and(|v| v == "1");
    let dir = fixtures_dir();
    let mut stale = Vec::new();
    for (name, fresh) in fixtures() {
        let path = dir.join(name);
        if fs::read_to_string(&path).ok().as_deref() == Some(fresh.as_str()) {
            continue;
        }
        if update {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, fresh).unwrap();
        } else {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "UI fixtures out of date with the rules/pricing code: {stale:?}. Run \
         `STAGECRAFT_UPDATE_FIXTURES=1 cargo test -p stagecraft-desktop fixtures`, review and commit"
    );
}
