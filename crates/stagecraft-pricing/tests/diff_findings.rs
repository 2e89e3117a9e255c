//! Cost diff between two versions of a design, and the cost findings for the rules engine.

use std::str::FromStr;

use rust_decimal::Decimal;
use stagecraft_model::{template_by_slug, Component, ComponentKind, Provider};
use stagecraft_pricing::{compare, cost_findings, diff, estimate, Change, CostOptions, Severity};

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn growth() -> stagecraft_model::Design {
    template_by_slug("growth").unwrap().design().unwrap()
}

#[test]
fn diff_reports_added_removed_and_changed_components() {
    let old = growth();
    let mut new = old.clone();
    // Resize the workers (cx22 -> cx32: +€3.01), drop the monitoring server (−€3.79) and add
    // a second worker server (+€3.79).
    let worker = new
        .components
        .iter_mut()
        .find(|c| c.kind == ComponentKind::Worker)
        .unwrap();
    worker.size = Some("cx32".into());
    new.components
        .retain(|c| c.kind != ComponentKind::Monitoring);
    let mut extra = Component::new(ComponentKind::Worker, "worker-2");
    extra.provider = Provider::Hetzner;
    extra.region = Some("fsn1".into());
    extra.size = Some("cx22".into());
    new.components.push(extra);

    let diff = diff(&old, &new, &CostOptions::default());
    assert_eq!(diff.delta, d("3.01"), "{diff:#?}");
    assert_eq!(diff.new_monthly - diff.old_monthly, diff.delta);
    let by_name = |n: &str| diff.changes.iter().find(|c| c.name == n).unwrap();
    assert_eq!(by_name("worker").change, Change::Changed);
    assert_eq!(by_name("worker").delta, d("3.01"));
    assert_eq!(by_name("monitoring").change, Change::Removed);
    assert_eq!(by_name("worker-2").change, Change::Added);
    assert_eq!(by_name("app").change, Change::Unchanged);
    let markdown = diff.to_markdown();
    assert!(markdown.contains("+€3.01"), "{markdown}");
    assert!(
        !markdown.contains("| app |"),
        "unchanged components stay out of the table: {markdown}"
    );
}

#[test]
fn identical_designs_have_no_cost_change() {
    let design = growth();
    let diff = diff(&design, &design, &CostOptions::default());
    assert!(diff.delta.is_zero());
    assert!(diff.changes.iter().all(|c| c.change == Change::Unchanged));
}

#[test]
fn egress_heavy_design_on_aws_is_a_finding() {
    let scale = template_by_slug("scale").unwrap().design().unwrap();
    let estimate = estimate(&scale, &CostOptions::default());
    let findings = cost_findings(&scale, &estimate);
    let egress = findings
        .iter()
        .find(|f| f.rule == "cost.egress_heavy")
        .expect("20 TB out on AWS is egress-heavy");
    assert_eq!(egress.severity, Severity::Warning);
    assert!(egress.message.contains("AWS"), "{}", egress.message);

    // The same design on Hetzner includes the traffic: no egress finding.
    let growth = growth();
    let findings = cost_findings(
        &growth,
        &stagecraft_pricing::estimate(&growth, &CostOptions::default()),
    );
    assert!(
        findings.iter().all(|f| f.rule != "cost.egress_heavy"),
        "{findings:#?}"
    );
}

#[test]
fn oversized_web_tier_for_the_stated_load_is_a_finding() {
    let mut design = growth();
    design.assumptions.peak_rps = Some(50);
    // 2 × cx32 = 8 vCPUs for 50 requests/s (need: 2).
    let findings = cost_findings(&design, &estimate(&design, &CostOptions::default()));
    let oversized = findings
        .iter()
        .find(|f| f.rule == "cost.oversized")
        .expect("8 vCPUs for 50 rps is oversized");
    assert_eq!(oversized.components.len(), 1);
    assert!(
        oversized.message.contains("8 vCPUs"),
        "{}",
        oversized.message
    );

    design.assumptions.peak_rps = Some(400);
    let findings = cost_findings(&design, &estimate(&design, &CostOptions::default()));
    assert!(
        findings.iter().all(|f| f.rule != "cost.oversized"),
        "8 vCPUs for 400 rps is fine: {findings:#?}"
    );
}

#[test]
fn comparison_shows_hetzner_gaps() {
    let scale = template_by_slug("scale").unwrap().design().unwrap();
    let comparison = compare(&scale, &CostOptions::default());
    assert_eq!(comparison.columns.len(), 3);
    let hetzner_gaps: Vec<_> = comparison
        .gaps
        .iter()
        .filter(|g| g.provider == Provider::Hetzner)
        .collect();
    assert!(
        hetzner_gaps
            .iter()
            .any(|g| g.kind == ComponentKind::ManagedDatabase
                && g.message.contains("no managed database")),
        "{hetzner_gaps:#?}"
    );
    assert!(
        hetzner_gaps.iter().any(|g| g.kind == ComponentKind::Cdn),
        "{hetzner_gaps:#?}"
    );
    // The CDN cannot be priced on Hetzner, so Hetzner's column is a lower bound and not cheapest.
    let hetzner = comparison
        .columns
        .iter()
        .find(|c| c.provider == Provider::Hetzner)
        .unwrap();
    assert!(hetzner.totals.unpriced_components > 0);
    assert_ne!(comparison.cheapest, Some(Provider::Hetzner));
}

#[test]
fn cost_findings_say_which_catalogue_priced_them() {
    let scale = template_by_slug("scale").unwrap().design().unwrap();
    let embedded = stagecraft_pricing::embedded();
    let findings = cost_findings(&scale, &estimate(&scale, &CostOptions::default()));
    assert!(!findings.is_empty());
    for f in &findings {
        assert!(
            f.why.ends_with(&format!(
                "Prices: embedded price catalogue of {}.",
                embedded.as_of
            )),
            "{}",
            f.why
        );
    }

    // The same design priced with a (here, made-up) refresh laid over the embedded prices: each
    // finding names both, the refresh first.
    let mut refreshed = embedded.clone();
    refreshed.entries.retain(|e| e.provider == Provider::Aws);
    refreshed.origin = stagecraft_pricing::CatalogOrigin::Refreshed {
        provider: Provider::Aws,
        endpoints: vec!["http://127.0.0.1/prices".into()],
        fetched_at: "2026-11-20".into(),
    };
    let estimate =
        stagecraft_pricing::estimate_with(&scale, &CostOptions::default(), &[&refreshed, embedded]);
    let findings = cost_findings(&scale, &estimate);
    assert!(!findings.is_empty());
    for f in &findings {
        assert!(
            f.why.ends_with(&format!(
                "Prices: AWS prices refreshed from its API on 2026-11-20, then embedded price catalogue of {}.",
                embedded.as_of
            )),
            "{}",
            f.why
        );
    }
}
