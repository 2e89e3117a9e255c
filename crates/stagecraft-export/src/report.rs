//! The review report: what someone needs to review a design without Stagecraft, in Markdown
//! (for pull requests and wikis; the diagram as a Mermaid block), self-contained HTML (inline
//! SVG and CSS, no external requests) and PDF (the diagram page, then the text pages).
//!
//! Sections: the design and its stage, the diagram, the assumptions, an inventory of
//! components, the findings (from `stagecraft-rules`), the monthly cost per provider with each
//! price's source and date (from `stagecraft-pricing`), and the changes since a previous version
//! when one is given. A section whose input is missing says so rather than disappearing.
//!
//! All three formats are built from one [`ReportModel`], so they cannot disagree.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use stagecraft_model::{Component, Design, Stage};
use stagecraft_pricing::{money, CatalogOrigin, CostDiff, Estimate};
use stagecraft_rules::Report as CheckReport;

use crate::raster::{fit_to_page, svg_pages_to_pdf, Paper};
use crate::svg::{diagram_svg, kind_label, FONT_FAMILY};
use crate::text::{fit, num, text_width, xml_escape};
use crate::{mermaid, ExportError};

/// What the report is built from besides the design. Each part is optional: the CLI and the app
/// fill what they have computed (findings with `stagecraft_rules::check`, costs with
/// `stagecraft_pricing::estimate`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportInputs<'a> {
    pub findings: Option<&'a CheckReport>,
    pub costs: Option<&'a Estimate>,
    /// A previous version of the design, to summarise what changed.
    pub previous: Option<&'a Design>,
    /// The cost change against the previous version (`stagecraft_pricing::diff`).
    pub cost_diff: Option<&'a CostDiff>,
}

/// One finding, ready to print.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    pub severity: String,
    pub rule: String,
    pub message: String,
    pub why: String,
    pub components: String,
}

/// One priced charge.
#[derive(Debug, Clone, PartialEq)]
pub struct CostRow {
    pub component: String,
    pub item: String,
    pub quantity: String,
    pub monthly: String,
    pub source: String,
    pub as_of: String,
}

/// The charges of one provider and their subtotal.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderCosts {
    pub provider: String,
    pub rows: Vec<CostRow>,
    pub subtotal: String,
}

/// The cost section.
#[derive(Debug, Clone, PartialEq)]
pub struct CostSection {
    pub providers: Vec<ProviderCosts>,
    pub total: String,
    pub total_with_vat: Option<String>,
    pub warnings: Vec<String>,
    /// Price catalogues used, with their dates.
    pub catalogs: Vec<String>,
    pub assumptions: String,
}

/// Everything the report says, independent of format.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportModel {
    pub title: String,
    pub description: String,
    pub stage: String,
    pub assumptions: Vec<(String, String)>,
    /// Name, kind, provider, region, size, count.
    pub inventory: Vec<[String; 6]>,
    pub findings: Option<Vec<FindingRow>>,
    pub costs: Option<CostSection>,
    pub changes: Option<Vec<String>>,
}

fn stage_label(stage: Option<Stage>) -> &'static str {
    stage.map_or("not stated", Stage::label)
}

impl ReportModel {
    /// Gathers the report's content from the design and its inputs.
    pub fn build(design: &Design, inputs: &ReportInputs) -> ReportModel {
        let a = &design.assumptions;
        let opt = |v: Option<u32>, unit: &str| {
            v.map_or_else(|| "not stated".to_owned(), |v| format!("{v}{unit}"))
        };
        let assumptions = vec![
            ("Expected users".to_owned(), opt(a.expected_users, "")),
            ("Peak requests per second".to_owned(), opt(a.peak_rps, "")),
            (
                "Egress per month".to_owned(),
                opt(a.monthly_egress_gb, " GB"),
            ),
            (
                "Growth per month".to_owned(),
                opt(a.monthly_growth_percent, " %"),
            ),
            (
                "Target stage".to_owned(),
                stage_label(a.target_stage).to_owned(),
            ),
            (
                "Currency".to_owned(),
                format!("{:?}", a.currency).to_uppercase(),
            ),
            (
                "Configuration in Git".to_owned(),
                yes_no(design.practices.config_in_git),
            ),
            (
                "Migration in progress".to_owned(),
                yes_no(design.practices.migration_in_progress),
            ),
        ];
        let mut components: Vec<&Component> = design.components.iter().collect();
        components.sort_by(|x, y| x.id.cmp(&y.id));
        let inventory = components
            .iter()
            .map(|c| {
                [
                    c.name.trim().to_owned(),
                    kind_label(c.kind).to_owned(),
                    c.provider.label().to_owned(),
                    c.region.clone().unwrap_or_default(),
                    c.size.clone().unwrap_or_default(),
                    c.count.to_string(),
                ]
            })
            .collect();
        let name_of = |id: &stagecraft_model::ComponentId| {
            design
                .component(id)
                .map_or_else(|| id.to_string(), |c| c.name.trim().to_owned())
        };
        let stage = match inputs.findings {
            Some(report) => format!(
                "Built as {}, judged against {}",
                report.detected_stage.label(),
                report.target_stage.label()
            ),
            None => format!("Target stage: {}", stage_label(a.target_stage)),
        };
        let findings = inputs.findings.map(|report| {
            report
                .findings
                .iter()
                .map(|f| FindingRow {
                    severity: f.severity.label().to_owned(),
                    rule: f.rule.clone(),
                    message: f.message.clone(),
                    why: f.why.clone(),
                    components: f
                        .components
                        .iter()
                        .map(&name_of)
                        .collect::<Vec<_>>()
                        .join(", "),
                })
                .collect()
        });
        let costs = inputs.costs.map(cost_section);
        let changes = inputs
            .previous
            .map(|previous| changes(previous, design, inputs.cost_diff));
        ReportModel {
            title: design.name.trim().to_owned(),
            description: design.description.trim().to_owned(),
            stage,
            assumptions,
            inventory,
            findings,
            costs,
            changes,
        }
    }
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

fn cost_section(estimate: &Estimate) -> CostSection {
    let currency = estimate.currency;
    let mut by_provider: BTreeMap<stagecraft_model::Provider, Vec<CostRow>> = BTreeMap::new();
    for line in &estimate.lines {
        by_provider.entry(line.provider).or_default().push(CostRow {
            component: line.name.clone(),
            item: line.item.clone(),
            quantity: format!("{} {}", line.quantity.normalize(), line.unit.label()),
            monthly: money(line.monthly, currency),
            source: line.price.source.clone(),
            as_of: line.price.as_of.clone(),
        });
    }
    let providers = by_provider
        .into_iter()
        .map(|(provider, rows)| {
            let subtotal = estimate
                .by_provider
                .iter()
                .find(|s| s.key == provider.slug())
                .map_or_else(|| "-".to_owned(), |s| money(s.monthly, currency));
            ProviderCosts {
                provider: provider.label().to_owned(),
                rows,
                subtotal,
            }
        })
        .collect();
    let catalogs = estimate
        .catalogs
        .iter()
        .map(|c| match &c.origin {
            CatalogOrigin::Embedded => format!(
                "Embedded price catalogue as of {} ({} prices)",
                c.as_of, c.entries
            ),
            CatalogOrigin::Refreshed {
                provider,
                fetched_at,
                ..
            } => {
                format!(
                    "{} prices refreshed from the provider's API on {fetched_at}",
                    provider.label()
                )
            }
        })
        .collect();
    let mut warnings: Vec<String> = estimate
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.name, w.message))
        .collect();
    if estimate.totals.unpriced_components > 0 {
        warnings.push(format!(
            "{} component(s) could not be priced: the total is a lower bound",
            estimate.totals.unpriced_components
        ));
    }
    CostSection {
        providers,
        total: money(estimate.totals.monthly, currency),
        total_with_vat: estimate.totals.vat_percent.map(|vat| {
            format!(
                "{} with {}% VAT",
                money(estimate.totals.monthly_with_vat, currency),
                vat.normalize()
            )
        }),
        warnings,
        catalogs,
        assumptions: format!(
            "{} hours per month; 1 EUR = {} USD; prices net of VAT unless stated",
            estimate.hours_per_month.normalize(),
            estimate.usd_per_eur.normalize()
        ),
    }
}

/// What changed from `old` to `new`, one line per change, in id order.
pub fn changes(old: &Design, new: &Design, cost_diff: Option<&CostDiff>) -> Vec<String> {
    let mut out = Vec::new();
    if old.name != new.name {
        out.push(format!(
            "Renamed from “{}” to “{}”",
            old.name.trim(),
            new.name.trim()
        ));
    }
    if old.assumptions != new.assumptions {
        out.push("Assumptions changed".to_owned());
    }
    let old_components: BTreeMap<&str, &Component> =
        old.components.iter().map(|c| (c.id.as_str(), c)).collect();
    let new_components: BTreeMap<&str, &Component> =
        new.components.iter().map(|c| (c.id.as_str(), c)).collect();
    for (id, c) in &new_components {
        match old_components.get(id) {
            None => out.push(format!("Added {} “{}”", kind_label(c.kind), c.name.trim())),
            Some(before) => {
                let mut what = Vec::new();
                if before.kind != c.kind {
                    what.push(format!(
                        "kind {} → {}",
                        kind_label(before.kind),
                        kind_label(c.kind)
                    ));
                }
                if before.provider != c.provider {
                    what.push(format!(
                        "provider {} → {}",
                        before.provider.label(),
                        c.provider.label()
                    ));
                }
                if before.region != c.region {
                    what.push(format!(
                        "region {} → {}",
                        before.region.as_deref().unwrap_or("-"),
                        c.region.as_deref().unwrap_or("-")
                    ));
                }
                if before.size != c.size {
                    what.push(format!(
                        "size {} → {}",
                        before.size.as_deref().unwrap_or("-"),
                        c.size.as_deref().unwrap_or("-")
                    ));
                }
                if before.count != c.count {
                    what.push(format!("count {} → {}", before.count, c.count));
                }
                if before.name != c.name {
                    what.push(format!("renamed from “{}”", before.name.trim()));
                }
                if before.group != c.group {
                    what.push("moved to another group".to_owned());
                }
                if before.properties != c.properties {
                    what.push("settings changed".to_owned());
                }
                if !what.is_empty() {
                    out.push(format!("Changed “{}”: {}", c.name.trim(), what.join(", ")));
                }
            }
        }
    }
    for (id, c) in &old_components {
        if !new_components.contains_key(id) {
            out.push(format!(
                "Removed {} “{}”",
                kind_label(c.kind),
                c.name.trim()
            ));
        }
    }
    let name = |d: &Design, id: &stagecraft_model::ComponentId| {
        d.component(id)
            .map_or_else(|| id.to_string(), |c| c.name.trim().to_owned())
    };
    let old_connections: BTreeMap<&str, _> =
        old.connections.iter().map(|c| (c.id.as_str(), c)).collect();
    let new_connections: BTreeMap<&str, _> =
        new.connections.iter().map(|c| (c.id.as_str(), c)).collect();
    for (id, c) in &new_connections {
        match old_connections.get(id) {
            None => out.push(format!(
                "Connected {} → {}",
                name(new, &c.from),
                name(new, &c.to)
            )),
            Some(before) if before != c => out.push(format!(
                "Changed connection {} → {}",
                name(new, &c.from),
                name(new, &c.to)
            )),
            _ => {}
        }
    }
    for (id, c) in &old_connections {
        if !new_connections.contains_key(id) {
            out.push(format!(
                "Disconnected {} → {}",
                name(old, &c.from),
                name(old, &c.to)
            ));
        }
    }
    let old_groups: BTreeMap<&str, _> = old.groups.iter().map(|g| (g.id.as_str(), g)).collect();
    let new_groups: BTreeMap<&str, _> = new.groups.iter().map(|g| (g.id.as_str(), g)).collect();
    for (id, g) in &new_groups {
        if !old_groups.contains_key(id) {
            out.push(format!("Added group “{}”", g.name.trim()));
        }
    }
    for (id, g) in &old_groups {
        if !new_groups.contains_key(id) {
            out.push(format!("Removed group “{}”", g.name.trim()));
        }
    }
    if out.is_empty() {
        out.push("No changes".to_owned());
    }
    if let Some(diff) = cost_diff {
        out.push(format!(
            "Monthly cost {} → {} ({})",
            money(diff.old_monthly, diff.currency),
            money(diff.new_monthly, diff.currency),
            if diff.delta.is_sign_negative() {
                money(diff.delta, diff.currency)
            } else {
                format!("+{}", money(diff.delta, diff.currency))
            }
        ));
    }
    out
}

/// Escapes text for Markdown (inline and table cells).
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The report as Markdown; the diagram is a Mermaid block, which GitHub and GitLab draw.
pub fn render_report_markdown(design: &Design, inputs: &ReportInputs) -> String {
    let m = ReportModel::build(design, inputs);
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md(&m.title));
    if !m.description.is_empty() {
        let _ = writeln!(out, "{}\n", md(&m.description));
    }
    let _ = writeln!(out, "**Stage:** {}\n", md(&m.stage));
    let _ = writeln!(
        out,
        "## Diagram\n\n```mermaid\n{}```\n",
        mermaid::render_mermaid(design)
    );
    out.push_str("## Assumptions\n\n| Assumption | Value |\n|---|---|\n");
    for (k, v) in &m.assumptions {
        let _ = writeln!(out, "| {} | {} |", md(k), md(v));
    }
    out.push_str("\n## Components\n\n| Name | Kind | Provider | Region | Size | Count |\n|---|---|---|---|---|---:|\n");
    for row in &m.inventory {
        let cells: Vec<String> = row.iter().map(|c| md(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push_str("\n## Findings\n\n");
    match &m.findings {
        None => out.push_str("_The design was not checked for this report._\n"),
        Some(rows) if rows.is_empty() => out.push_str("No findings.\n"),
        Some(rows) => {
            out.push_str(
                "| Severity | Finding | Why | Components | Rule |\n|---|---|---|---|---|\n",
            );
            for f in rows {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | `{}` |",
                    md(&f.severity),
                    md(&f.message),
                    md(&f.why),
                    md(&f.components),
                    f.rule.replace('`', "")
                );
            }
        }
    }
    out.push_str("\n## Monthly cost\n\n");
    match &m.costs {
        None => out.push_str("_Costs were not estimated for this report._\n"),
        Some(costs) => {
            for p in &costs.providers {
                let _ = writeln!(out, "### {} — {}\n", md(&p.provider), md(&p.subtotal));
                out.push_str("| Component | Charge | Quantity | Monthly | Price source | As of |\n|---|---|---|---:|---|---|\n");
                for r in &p.rows {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} | {} |",
                        md(&r.component),
                        md(&r.item),
                        md(&r.quantity),
                        md(&r.monthly),
                        md(&r.source),
                        md(&r.as_of)
                    );
                }
                out.push('\n');
            }
            let _ = writeln!(out, "**Total:** {}", md(&costs.total));
            if let Some(vat) = &costs.total_with_vat {
                let _ = writeln!(out, " ({})", md(vat));
            }
            let _ = writeln!(out, "\n{}\n", md(&costs.assumptions));
            for c in &costs.catalogs {
                let _ = writeln!(out, "- {}", md(c));
            }
            for w in &costs.warnings {
                let _ = writeln!(out, "- Warning: {}", md(w));
            }
        }
    }
    if let Some(changes) = &m.changes {
        out.push_str("\n## Changes since the previous version\n\n");
        for c in changes {
            let _ = writeln!(out, "- {}", md(c));
        }
    }
    out
}

const CSS: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;color:#0F172A;margin:2rem auto;max-width:72rem;padding:0 1rem;line-height:1.45}h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #E2E8F0;padding-bottom:.2rem}h3{font-size:1rem}table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.85rem}th,td{border:1px solid #E2E8F0;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#F1F5F9}td.num{text-align:right}.diagram{overflow:auto;border:1px solid #E2E8F0;border-radius:8px;padding:.5rem}.diagram svg{max-width:100%;height:auto}.sev-error{color:#B91C1C;font-weight:bold}.sev-warning{color:#B45309;font-weight:bold}.sev-info{color:#1D4ED8}.muted{color:#64748B}";

/// The report as one self-contained HTML page: inline CSS and inline SVG, no scripts and no
/// external requests.
pub fn render_report_html(design: &Design, inputs: &ReportInputs) -> String {
    let m = ReportModel::build(design, inputs);
    let e = |t: &str| xml_escape(t).into_owned();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        e(&m.title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", e(&m.title));
    if !m.description.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", e(&m.description));
    }
    let _ = writeln!(out, "<p><strong>Stage:</strong> {}</p>", e(&m.stage));
    let (view, body) = diagram_svg(design);
    let _ = writeln!(
        out,
        "<h2>Diagram</h2>\n<div class=\"diagram\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"{x} {y} {w} {h}\" font-family=\"{FONT_FAMILY}\" role=\"img\">{body}</svg></div>",
        x = num(view.x),
        y = num(view.y),
        w = num(view.w),
        h = num(view.h),
    );
    out.push_str("<h2>Assumptions</h2>\n<table><tbody>\n");
    for (k, v) in &m.assumptions {
        let _ = writeln!(out, "<tr><th>{}</th><td>{}</td></tr>", e(k), e(v));
    }
    out.push_str("</tbody></table>\n<h2>Components</h2>\n<table><thead><tr><th>Name</th><th>Kind</th><th>Provider</th><th>Region</th><th>Size</th><th>Count</th></tr></thead><tbody>\n");
    for row in &m.inventory {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            e(&row[0]), e(&row[1]), e(&row[2]), e(&row[3]), e(&row[4]), e(&row[5])
        );
    }
    out.push_str("</tbody></table>\n<h2>Findings</h2>\n");
    match &m.findings {
        None => {
            out.push_str("<p class=\"muted\">The design was not checked for this report.</p>\n")
        }
        Some(rows) if rows.is_empty() => out.push_str("<p>No findings.</p>\n"),
        Some(rows) => {
            out.push_str("<table><thead><tr><th>Severity</th><th>Finding</th><th>Why</th><th>Components</th><th>Rule</th></tr></thead><tbody>\n");
            for f in rows {
                let _ = writeln!(
                    out,
                    "<tr><td class=\"sev-{s}\">{s}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                    e(&f.message), e(&f.why), e(&f.components), e(&f.rule), s = e(&f.severity)
                );
            }
            out.push_str("</tbody></table>\n");
        }
    }
    out.push_str("<h2>Monthly cost</h2>\n");
    match &m.costs {
        None => out.push_str("<p class=\"muted\">Costs were not estimated for this report.</p>\n"),
        Some(costs) => {
            for p in &costs.providers {
                let _ = writeln!(out, "<h3>{} — {}</h3>", e(&p.provider), e(&p.subtotal));
                out.push_str("<table><thead><tr><th>Component</th><th>Charge</th><th>Quantity</th><th>Monthly</th><th>Price source</th><th>As of</th></tr></thead><tbody>\n");
                for r in &p.rows {
                    let _ = writeln!(
                        out,
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                        e(&r.component), e(&r.item), e(&r.quantity), e(&r.monthly), e(&r.source), e(&r.as_of)
                    );
                }
                out.push_str("</tbody></table>\n");
            }
            let _ = write!(out, "<p><strong>Total:</strong> {}", e(&costs.total));
            if let Some(vat) = &costs.total_with_vat {
                let _ = write!(out, " ({})", e(vat));
            }
            let _ = writeln!(
                out,
                "</p>\n<p class=\"muted\">{}</p>\n<ul>",
                e(&costs.assumptions)
            );
            for c in &costs.catalogs {
                let _ = writeln!(out, "<li>{}</li>", e(c));
            }
            for w in &costs.warnings {
                let _ = writeln!(out, "<li>Warning: {}</li>", e(w));
            }
            out.push_str("</ul>\n");
        }
    }
    if let Some(changes) = &m.changes {
        out.push_str("<h2>Changes since the previous version</h2>\n<ul>\n");
        for c in changes {
            let _ = writeln!(out, "<li>{}</li>", e(c));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Lays text out on fixed-size SVG pages: the PDF report's text pages.
struct Pages {
    paper: (f64, f64),
    pages: Vec<String>,
    current: String,
    y: f64,
}

const PAGE_MARGIN: f64 = 48.0;

impl Pages {
    fn new(paper: Paper) -> Self {
        Self {
            paper: paper.size_pt(),
            pages: Vec::new(),
            current: String::new(),
            y: PAGE_MARGIN,
        }
    }
    fn width(&self) -> f64 {
        self.paper.0 - 2.0 * PAGE_MARGIN
    }
    fn room(&mut self, height: f64) {
        if self.y + height > self.paper.1 - PAGE_MARGIN {
            self.flush();
        }
    }
    fn flush(&mut self) {
        if self.current.is_empty() {
            return;
        }
        let (w, h) = self.paper;
        self.pages.push(format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}">{}</svg>"#,
            std::mem::take(&mut self.current),
            w = num(w),
            h = num(h),
        ));
        self.y = PAGE_MARGIN;
    }
    fn line(&mut self, text: &str, size: f64, bold: bool, color: &str, indent: f64) {
        self.room(size * 1.5);
        self.y += size * 1.2;
        let _ = write!(
            self.current,
            r#"<text x="{x}" y="{y}" font-size="{size}"{b} fill="{color}">{t}</text>"#,
            x = num(PAGE_MARGIN + indent),
            y = num(self.y),
            size = num(size),
            b = if bold { r#" font-weight="bold""# } else { "" },
            t = xml_escape(text),
        );
        self.y += size * 0.3;
    }
    /// A paragraph wrapped to the page width.
    fn paragraph(&mut self, text: &str, size: f64, bold: bool, color: &str, indent: f64) {
        let max = self.width() - indent;
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if text_width(&candidate, size, bold) > max && !line.is_empty() {
                self.line(&line, size, bold, color, indent);
                line = word.to_owned();
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            self.line(&fit(&line, max, size, bold), size, bold, color, indent);
        }
    }
    fn gap(&mut self, height: f64) {
        self.y += height;
    }
    /// A table row: cells at fixed relative column widths, each cut to fit.
    fn row(&mut self, cells: &[&str], widths: &[f64], size: f64, bold: bool) {
        self.room(size * 1.6);
        self.y += size * 1.25;
        let total = self.width();
        let mut x = PAGE_MARGIN;
        for (cell, w) in cells.iter().zip(widths) {
            let w = w * total;
            let _ = write!(
                self.current,
                r##"<text x="{x}" y="{y}" font-size="{size}"{b} fill="#0F172A">{t}</text>"##,
                x = num(x),
                y = num(self.y),
                size = num(size),
                b = if bold { r#" font-weight="bold""# } else { "" },
                t = xml_escape(&fit(cell, w - 6.0, size, bold)),
            );
            x += w;
        }
        self.y += size * 0.35;
    }
}

/// The report as PDF: the diagram fitted on the first page, then the text sections.
///
/// # Errors
/// [`ExportError::Render`] on a rendering defect.
pub fn render_report_pdf(
    design: &Design,
    inputs: &ReportInputs,
    paper: Paper,
) -> Result<Vec<u8>, ExportError> {
    let m = ReportModel::build(design, inputs);
    let (view, body) = diagram_svg(design);
    let mut pages = vec![fit_to_page((view.x, view.y, view.w, view.h), &body, paper)];
    let mut p = Pages::new(paper);
    p.paragraph(&m.title, 18.0, true, "#0F172A", 0.0);
    if !m.description.is_empty() {
        p.paragraph(&m.description, 10.0, false, "#334155", 0.0);
    }
    p.paragraph(&format!("Stage: {}", m.stage), 10.0, false, "#334155", 0.0);
    p.gap(8.0);
    p.line("Assumptions", 13.0, true, "#0F172A", 0.0);
    for (k, v) in &m.assumptions {
        p.row(&[k, v], &[0.4, 0.6], 9.0, false);
    }
    p.gap(8.0);
    p.line("Components", 13.0, true, "#0F172A", 0.0);
    let widths = [0.28, 0.2, 0.14, 0.14, 0.16, 0.08];
    p.row(
        &["Name", "Kind", "Provider", "Region", "Size", "Count"],
        &widths,
        9.0,
        true,
    );
    for row in &m.inventory {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        p.row(&cells, &widths, 9.0, false);
    }
    p.gap(8.0);
    p.line("Findings", 13.0, true, "#0F172A", 0.0);
    match &m.findings {
        None => p.paragraph(
            "The design was not checked for this report.",
            9.5,
            false,
            "#64748B",
            0.0,
        ),
        Some(rows) if rows.is_empty() => p.paragraph("No findings.", 9.5, false, "#334155", 0.0),
        Some(rows) => {
            for f in rows {
                let color = match f.severity.as_str() {
                    "error" => "#B91C1C",
                    "warning" => "#B45309",
                    _ => "#1D4ED8",
                };
                p.paragraph(
                    &format!("{}: {}", f.severity, f.message),
                    9.5,
                    true,
                    color,
                    0.0,
                );
                p.paragraph(&f.why, 9.0, false, "#334155", 12.0);
                p.paragraph(
                    &format!("{} · {}", f.components, f.rule),
                    8.5,
                    false,
                    "#64748B",
                    12.0,
                );
                p.gap(3.0);
            }
        }
    }
    p.gap(8.0);
    p.line("Monthly cost", 13.0, true, "#0F172A", 0.0);
    match &m.costs {
        None => p.paragraph(
            "Costs were not estimated for this report.",
            9.5,
            false,
            "#64748B",
            0.0,
        ),
        Some(costs) => {
            let widths = [0.17, 0.2, 0.14, 0.1, 0.26, 0.13];
            for provider in &costs.providers {
                p.line(
                    &format!("{} — {}", provider.provider, provider.subtotal),
                    11.0,
                    true,
                    "#0F172A",
                    0.0,
                );
                p.row(
                    &[
                        "Component",
                        "Charge",
                        "Quantity",
                        "Monthly",
                        "Price source",
                        "As of",
                    ],
                    &widths,
                    8.5,
                    true,
                );
                for r in &provider.rows {
                    p.row(
                        &[
                            &r.component,
                            &r.item,
                            &r.quantity,
                            &r.monthly,
                            &r.source,
                            &r.as_of,
                        ],
                        &widths,
                        8.5,
                        false,
                    );
                }
                p.gap(4.0);
            }
            let mut total = format!("Total: {}", costs.total);
            if let Some(vat) = &costs.total_with_vat {
                total = format!("{total} ({vat})");
            }
            p.line(&total, 11.0, true, "#0F172A", 0.0);
            p.paragraph(&costs.assumptions, 8.5, false, "#64748B", 0.0);
            for c in &costs.catalogs {
                p.paragraph(c, 8.5, false, "#64748B", 0.0);
            }
            for w in &costs.warnings {
                p.paragraph(&format!("Warning: {w}"), 8.5, false, "#B45309", 0.0);
            }
        }
    }
    if let Some(changes) = &m.changes {
        p.gap(8.0);
        p.line(
            "Changes since the previous version",
            13.0,
            true,
            "#0F172A",
            0.0,
        );
        for c in changes {
            p.paragraph(&format!("• {c}"), 9.5, false, "#0F172A", 0.0);
        }
    }
    p.flush();
    pages.extend(p.pages);
    svg_pages_to_pdf(&pages)
}
