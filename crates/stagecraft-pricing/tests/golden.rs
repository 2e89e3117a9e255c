//! Golden estimates: the three stage templates on each provider, snapshotted so every change to
//! a price or a rule shows up in review. Every line must name a catalogue entry that exists.

use stagecraft_model::{template_by_slug, Provider};
use stagecraft_pricing::{compare, embedded, estimate, retarget, CostOptions, Estimate};

fn template(slug: &str) -> stagecraft_model::Design {
    template_by_slug(slug)
        .expect("template exists")
        .design()
        .expect("template loads")
}

fn assert_traceable(estimate: &Estimate) {
    let catalog = embedded();
    assert!(
        !estimate.lines.is_empty(),
        "an estimate of a template must have lines"
    );
    for line in &estimate.lines {
        let entry = catalog
            .entries
            .iter()
            .find(|e| e.id == line.price.id)
            .unwrap_or_else(|| {
                panic!(
                    "line {} {} names unknown entry {}",
                    line.name, line.item, line.price.id
                )
            });
        assert_eq!(
            entry.source, line.price.source,
            "line source must be its entry's"
        );
        assert_eq!(
            entry.as_of, line.price.as_of,
            "line date must be its entry's"
        );
        assert!(
            !line.rule.is_empty(),
            "line {} {} must say its rule",
            line.name,
            line.item
        );
    }
}

#[test]
fn templates_as_drawn() {
    for slug in ["mvp", "growth", "scale"] {
        let design = template(slug);
        let estimate = estimate(&design, &CostOptions::default());
        assert_traceable(&estimate);
        insta::assert_snapshot!(format!("{slug}_as_drawn"), estimate.to_markdown());
    }
}

#[test]
fn templates_on_each_provider() {
    for slug in ["mvp", "growth", "scale"] {
        let design = template(slug);
        for provider in Provider::REAL {
            let options = CostOptions::default();
            let moved = retarget(&design, provider, &options);
            let estimate = estimate(&moved.design, &options);
            assert_traceable(&estimate);
            assert!(
                estimate.lines.iter().all(|l| l.provider == provider),
                "{slug} on {provider:?}: every line must be on that provider"
            );
            insta::assert_snapshot!(
                format!("{slug}_on_{}", provider.slug()),
                estimate.to_markdown()
            );
        }
    }
}

#[test]
fn comparisons_of_templates() {
    for slug in ["mvp", "growth", "scale"] {
        let design = template(slug);
        let options = CostOptions::default();
        let comparison = compare(&design, &options);
        // The fast totals of the comparison must equal the full estimate of the moved design.
        for column in &comparison.columns {
            let moved = retarget(&design, column.provider, &options);
            let full = estimate(&moved.design, &options);
            assert_eq!(
                column.totals.monthly, full.totals.monthly,
                "{slug} on {:?}: comparison total must match the full estimate",
                column.provider
            );
        }
        insta::assert_snapshot!(format!("{slug}_comparison"), comparison.to_markdown());
    }
}
