//! The analysis commands on the stage templates, called as the invoke handler calls them, and the
//! fixtures the UI tests answer with: produced here by the real rules and pricing code, committed
//! under ui/src/panels/analysis/fixtures/, and checked to be current (a stale fixture fails; set
//! `STAGECRAFT_UPDATE_FIXTURES=1` to rewrite them, then review the diff).
//!
//! Everything that prices is called with explicit prices (the embedded catalogue, or a refresh
//! stored in a temporary folder), never through the commands' read of the developer's data
//! folder, so a refresh stored there changes no answer here.

use std::fs;
use std::path::PathBuf;

use serde::Serialize;
use stagecraft_model::{Design, Provider, Stage, TEMPLATES};
use stagecraft_pricing::{CostOptions, StoredPrices};
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

/// The embedded catalogue only: what every answer here is priced with.
fn embedded() -> StoredPrices {
    StoredPrices::embedded_only()
}

fn check(design: &Design, stage: Option<Stage>) -> stagecraft_rules::Report {
    analysis::check_with_costs(design, stage, &embedded())
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
        let own = check(&design, None);
        assert_eq!(own.target_stage, design.assumptions.target_stage.unwrap());
        assert!(
            errors(&own.findings).is_empty(),
            "{slug}: {:?}",
            own.findings
        );
        let flagged = check(&design, Some(larger));
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
    let report = check(&aws, None);
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
    let report = check(&design, Some(Stage::Scale));
    let finding = report
        .findings
        .iter()
        .find(|f| f.fix.is_some())
        .expect("growth at scale has a fixable finding");
    let fix = finding.fix.clone().unwrap();
    let fixed = block_on(analysis::apply_fix(design.clone(), fix.clone())).unwrap();
    assert_ne!(fixed, design);
    let after = check(&fixed, Some(Stage::Scale));
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
        let here =
            analysis::estimate_with_prices(&design, None, &CostOptions::default(), &embedded());
        assert!(here.mappings.is_empty() && here.gaps.is_empty());
        assert!(
            !here.estimate.lines.is_empty(),
            "{} has cost lines",
            template.slug
        );
        for line in &here.estimate.lines {
            assert!(!line.price.source.is_empty() && !line.price.as_of.is_empty());
        }
        let on_aws = analysis::estimate_with_prices(
            &design,
            Some(Provider::Aws),
            &CostOptions::default(),
            &embedded(),
        );
        assert!(on_aws
            .estimate
            .lines
            .iter()
            .all(|l| l.provider == Provider::Aws));
        let compared = analysis::compare_on(&design, &CostOptions::default(), &embedded());
        assert_eq!(compared.0.columns.len(), 3);
        let priced = analysis::priced_advice(&design, &embedded());
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
    let at_scale = check(&growth, Some(Stage::Scale));
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
    let fixed_report = check(&fixed_design, Some(Stage::Scale));
    let options = CostOptions::default();
    vec![
        ("growth.check.json", json(&check(&growth, None))),
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
            json(&analysis::estimate_with_prices(
                &growth,
                None,
                &options,
                &embedded(),
            )),
        ),
        (
            "growth.compare.json",
            json(&analysis::compare_on(&growth, &options, &embedded())),
        ),
        (
            "growth.advice.json",
            json(&analysis::priced_advice(&growth, &embedded())),
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

/// A Hetzner refresh stored in `dir` in which every Hetzner server costs twice its embedded price.
fn store_dearer_hetzner_servers(dir: &std::path::Path) {
    let mut refreshed = stagecraft_pricing::embedded().clone();
    refreshed.entries.retain(|e| {
        e.provider == Provider::Hetzner && e.product == stagecraft_pricing::Product::Server
    });
    for entry in &mut refreshed.entries {
        entry.amount *= stagecraft_pricing::rust_decimal::Decimal::TWO;
        entry.as_of = "2026-11-20".into();
    }
    refreshed.as_of = "2026-11-20".into();
    refreshed.origin = stagecraft_pricing::CatalogOrigin::Refreshed {
        provider: Provider::Hetzner,
        endpoints: vec!["http://127.0.0.1/v1/pricing".into()],
        fetched_at: "2026-11-20".into(),
    };
    stagecraft_pricing::refresh::store_catalog(
        &stagecraft_pricing::store::stored_path(dir, Provider::Hetzner),
        &refreshed,
    )
    .unwrap();
}

#[test]
fn cost_findings_and_tier_costs_use_the_stored_refresh_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    store_dearer_hetzner_servers(dir.path());
    let stored = StoredPrices::load(dir.path());
    assert!(stored.problems.is_empty(), "{:?}", stored.problems);
    let growth = template("growth");
    let both = format!(
        "Hetzner prices refreshed from its API on 2026-11-20, then embedded price catalogue of {}",
        stagecraft_pricing::embedded().as_of
    );

    // The oversized-web finding states the app servers' cost: 2 × (cx32 at twice €6.80, plus
    // its primary IPv4 €0.50).
    let finding = |report: &stagecraft_rules::Report| {
        report
            .findings
            .iter()
            .find(|f| f.rule == "cost.oversized")
            .expect("growth's web tier is oversized for its stated peak")
            .clone()
    };
    let refreshed = finding(&analysis::check_with_costs(&growth, None, &stored));
    assert!(
        refreshed.message.contains("€28.20"),
        "{}",
        refreshed.message
    );
    assert!(
        refreshed.why.ends_with(&format!("Prices: {both}.")),
        "{}",
        refreshed.why
    );
    let plain = finding(&check(&growth, None));
    assert!(plain.message.contains("€14.60"), "{}", plain.message);
    assert!(
        plain.why.ends_with(&format!(
            "Prices: embedded price catalogue of {}.",
            stagecraft_pricing::embedded().as_of
        )),
        "{}",
        plain.why
    );

    // The advisor's tier costs come from the same catalogues, and name them.
    let refreshed = analysis::priced_advice(&growth, &stored);
    let plain = analysis::priced_advice(&growth, &embedded());
    assert_eq!(refreshed.prices.join(", then "), both);
    assert_eq!(
        plain.prices,
        vec![format!(
            "embedded price catalogue of {}",
            stagecraft_pricing::embedded().as_of
        )]
    );
    assert!(
        refreshed
            .tier_cost_changes
            .iter()
            .zip(&plain.tier_cost_changes)
            .any(|(r, p)| r.is_some() && r != p),
        "a tier that changes servers costs more with the dearer refresh: {:?} vs {:?}",
        refreshed.tier_cost_changes,
        plain.tier_cost_changes
    );
}
