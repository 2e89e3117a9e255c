//! The review report in Markdown, HTML and PDF: snapshots of the design-only report, and content
//! checks with real findings (stagecraft-rules) and costs (stagecraft-pricing).

mod common;

use common::{pdf_pages, poppler, templates};
use stagecraft_export::{
    render_report_html, render_report_markdown, render_report_pdf, Paper, ReportInputs,
};
use stagecraft_pricing::CostOptions;
use stagecraft_rules::CheckOptions;

#[test]
fn report_snapshots_without_findings_or_costs() {
    // Snapshots use the design alone so they change only when this crate or the templates do;
    // the sections fed by rules and pricing are checked by content below.
    for (slug, design) in templates() {
        let inputs = ReportInputs::default();
        let md = render_report_markdown(&design, &inputs);
        let html = render_report_html(&design, &inputs);
        assert_eq!(md, render_report_markdown(&design, &inputs));
        assert_eq!(html, render_report_html(&design, &inputs));
        assert!(md.contains("_The design was not checked for this report._"));
        insta::assert_snapshot!(format!("report_md_{slug}"), md);
        insta::assert_snapshot!(format!("report_html_{slug}"), html);
    }
}

#[test]
fn report_shows_findings_costs_with_sources_and_changes() {
    let all = templates();
    let (_, mvp) = &all[0];
    for (slug, design) in &all {
        let findings = stagecraft_rules::check(design, &CheckOptions::default());
        let costs = stagecraft_pricing::estimate(design, &CostOptions::default());
        let diff = stagecraft_pricing::diff(mvp, design, &CostOptions::default());
        let inputs = ReportInputs {
            findings: Some(&findings),
            costs: Some(&costs),
            previous: Some(mvp),
            cost_diff: Some(&diff),
        };
        let md = render_report_markdown(design, &inputs);
        let html = render_report_html(design, &inputs);
        for f in &findings.findings {
            assert!(
                html.contains(&f.rule),
                "{slug}: finding {} is listed",
                f.rule
            );
        }
        let total = stagecraft_pricing::money(costs.totals.monthly, costs.currency);
        assert!(
            md.contains(&format!("**Total:** {total}")),
            "{slug}: total {total} in Markdown"
        );
        assert!(html.contains(&total), "{slug}: total in HTML");
        for line in &costs.lines {
            assert!(
                html.contains(&line.price.as_of),
                "{slug}: price date {} shown",
                line.price.as_of
            );
        }
        assert!(
            md.contains("```mermaid\n---\ntitle:"),
            "{slug}: Markdown carries the diagram as Mermaid"
        );
        assert!(md.contains("## Changes since the previous version"));
        if *slug == "mvp" {
            assert!(
                md.contains("- No changes\n- Monthly cost"),
                "{slug}: same design, no changes:\n{md}"
            );
        } else {
            assert!(md.contains("- Added "), "{slug}: additions listed");
        }
    }
}

#[test]
fn html_report_is_self_contained() {
    for (slug, design) in templates() {
        let costs = stagecraft_pricing::estimate(&design, &CostOptions::default());
        let inputs = ReportInputs {
            costs: Some(&costs),
            ..ReportInputs::default()
        };
        let html = render_report_html(&design, &inputs);
        roxmltree::Document::parse(html.trim_start_matches("<!DOCTYPE html>\n"))
            .unwrap_or_else(|e| panic!("{slug}: the HTML must be well-formed: {e}"));
        for forbidden in ["<script", "<link", "<img", "src=", "href=", "@import"] {
            assert!(
                !html.contains(forbidden),
                "{slug}: `{forbidden}` would make a request"
            );
        }
        let urls: Vec<&str> = html
            .match_indices("url(")
            .map(|(i, _)| &html[i..i + 14])
            .collect();
        assert!(
            urls.iter().all(|u| u.starts_with("url(#sc-arrow)")),
            "{slug}: only in-document url() references: {urls:?}"
        );
        assert!(
            html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{slug}: inline SVG diagram"
        );
    }
}

#[test]
fn markdown_and_html_escape_hostile_names() {
    let (_, mut design) = templates().remove(0);
    design.components[0].name = "<script>x</script> | *bold* [link](http://evil)".into();
    let md = render_report_markdown(&design, &ReportInputs::default());
    let html = render_report_html(&design, &ReportInputs::default());
    assert!(!html.contains("<script>x"), "HTML escapes names");
    assert!(
        md.contains(r"\<script\>x\</script\> \| \*bold\* \[link\](http://evil)"),
        "{md}"
    );
}

#[test]
fn pdf_report_has_the_diagram_then_searchable_sections() {
    for (slug, design) in templates() {
        let findings = stagecraft_rules::check(&design, &CheckOptions::default());
        let costs = stagecraft_pricing::estimate(&design, &CostOptions::default());
        let inputs = ReportInputs {
            findings: Some(&findings),
            costs: Some(&costs),
            ..ReportInputs::default()
        };
        let pdf = render_report_pdf(&design, &inputs, Paper::A4).unwrap();
        assert!(
            pdf == render_report_pdf(&design, &inputs, Paper::A4).unwrap(),
            "{slug}: deterministic"
        );
        assert!(pdf_pages(&pdf) >= 2, "{slug}: diagram page plus text pages");
        let text = poppler("pdftotext", &pdf, &[]);
        for needle in [
            "Assumptions",
            "Components",
            "Findings",
            "Monthly cost",
            "Total:",
        ] {
            assert!(
                text.contains(needle),
                "{slug}: `{needle}` is searchable in the PDF"
            );
        }
        let total = stagecraft_pricing::money(costs.totals.monthly, costs.currency);
        assert!(
            text.contains(&total),
            "{slug}: the total {total} is in the PDF"
        );
    }
}
