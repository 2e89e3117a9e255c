//! Estimates, comparisons and diffs as text people read: terminal text, Markdown (fit for a
//! pull-request comment) and CSV (for spreadsheets).

use std::fmt::Write;

use rust_decimal::Decimal;
use stagecraft_model::Currency;

use crate::catalog::CatalogOrigin;
use crate::compare::Comparison;
use crate::diff::{Change, CostDiff};
use crate::estimate::{cents, Estimate};

/// `€12.34` or `$12.34` (negative amounts as `-€12.34`).
pub fn money(amount: Decimal, currency: Currency) -> String {
    let symbol = match currency {
        Currency::Eur => "€",
        Currency::Usd => "$",
    };
    let rounded = cents(amount);
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{symbol}{:.2}", rounded.abs())
}

fn signed(amount: Decimal, currency: Currency) -> String {
    if amount > Decimal::ZERO {
        format!("+{}", money(amount, currency))
    } else {
        money(amount, currency)
    }
}

/// How a catalogue is named to people: `embedded price catalogue of 2025-09-01`, or `Hetzner
/// prices refreshed from its API on 2026-11-26`.
pub fn catalog_label(info: &crate::catalog::CatalogInfo) -> String {
    catalog_line(&info.origin, &info.as_of)
}

fn catalog_line(origin: &CatalogOrigin, as_of: &str) -> String {
    match origin {
        CatalogOrigin::Embedded => format!("embedded price catalogue of {as_of}"),
        CatalogOrigin::Refreshed {
            provider,
            fetched_at,
            ..
        } => {
            format!(
                "{} prices refreshed from its API on {fetched_at}",
                provider.label()
            )
        }
    }
}

/// Markdown table cells must not contain `|` or newlines.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The catalogues priced with, newest layer first (`Hetzner prices refreshed from its API on
/// 2026-11-26, then embedded price catalogue of 2025-09-01`).
pub(crate) fn prices_used(catalogs: &[crate::catalog::CatalogInfo]) -> String {
    let parts: Vec<String> = catalogs
        .iter()
        .map(|c| catalog_line(&c.origin, &c.as_of))
        .collect();
    parts.join(", then ")
}

impl Estimate {
    fn prices_used(&self) -> String {
        prices_used(&self.catalogs)
    }

    /// Plain text for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Cost of {} (prices: {}; {} h/month; 1 EUR = {} USD)",
            self.design,
            self.prices_used(),
            self.hours_per_month.normalize(),
            self.usd_per_eur.normalize()
        );
        for line in &self.lines {
            let est = if line.price.estimate {
                " (estimate)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {:<28} {:<30} {:>12}{est}",
                line.name,
                line.item,
                money(line.monthly, self.currency)
            );
            if self.catalogs.len() > 1 {
                // Several catalogues in use: each line says which date (and so which catalogue)
                // its price came from, so refreshed and embedded prices never mix silently.
                let _ = writeln!(
                    out,
                    "      {} [{}, {} of {}]",
                    line.rule, line.price.id, line.price.source, line.price.as_of
                );
            } else {
                let _ = writeln!(out, "      {} [{}]", line.rule, line.price.id);
            }
            if let Some(s) = &line.saving {
                let _ = writeln!(
                    out,
                    "      saves {} a month against on demand ({})",
                    money(s.monthly_saving, self.currency),
                    money(s.on_demand_monthly, self.currency)
                );
            }
        }
        for e in &self.egress {
            let _ = writeln!(
                out,
                "Egress on {}: {} GB assumed, {} GB included, {} GB charged: {}",
                e.provider.label(),
                e.assumed_gb.normalize(),
                crate::catalog::gb_display(e.included_gb),
                crate::catalog::gb_display(e.charged_gb),
                money(e.monthly, self.currency)
            );
        }
        for w in &self.warnings {
            let _ = writeln!(out, "warning: {}: {}", w.name, w.message);
        }
        let t = &self.totals;
        let _ = writeln!(
            out,
            "Total: {} a month, {} an hour",
            money(t.monthly, self.currency),
            self.hourly_text(t.hourly)
        );
        if let Some(p) = t.vat_percent {
            let _ = writeln!(
                out,
                "With {}% VAT: {} a month",
                p.normalize(),
                money(t.monthly_with_vat, self.currency)
            );
        }
        if !t.savings.is_zero() {
            let _ = writeln!(
                out,
                "Reserved and spot capacity saves {} a month",
                money(t.savings, self.currency)
            );
        }
        if t.unpriced_components > 0 {
            let _ = writeln!(
                out,
                "{} component(s) could not be priced: the total is a lower bound",
                t.unpriced_components
            );
        }
        out
    }

    fn hourly_text(&self, hourly: Decimal) -> String {
        let symbol = if self.currency == Currency::Eur {
            "€"
        } else {
            "$"
        };
        format!("{symbol}{:.4}", hourly)
    }

    /// Markdown: a table of lines, then totals by group, region and provider.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "### Cost of {}\n", cell(&self.design));
        let _ = writeln!(
            out,
            "Prices: {}; {} hours a month; 1 EUR = {} USD.\n",
            self.prices_used(),
            self.hours_per_month.normalize(),
            self.usd_per_eur.normalize()
        );
        let _ = writeln!(
            out,
            "| Component | Item | Provider | Region | Monthly | Rule | Price entry |"
        );
        let _ = writeln!(out, "|---|---|---|---|---:|---|---|");
        for l in &self.lines {
            let est = if l.price.estimate { " (estimate)" } else { "" };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | [{}]({}) {}{est} |",
                cell(&l.name),
                cell(&l.item),
                l.provider.label(),
                l.region.as_deref().unwrap_or("-"),
                money(l.monthly, self.currency),
                cell(&l.rule),
                l.price.id,
                l.price.source,
                l.price.as_of
            );
        }
        let t = &self.totals;
        let _ = writeln!(
            out,
            "\n**Total: {} a month** ({} an hour)",
            money(t.monthly, self.currency),
            self.hourly_text(t.hourly)
        );
        if let Some(p) = t.vat_percent {
            let _ = writeln!(
                out,
                "\nWith {}% VAT: {} a month",
                p.normalize(),
                money(t.monthly_with_vat, self.currency)
            );
        }
        if !t.savings.is_zero() {
            let _ = writeln!(
                out,
                "\nReserved and spot capacity saves {} a month.",
                money(t.savings, self.currency)
            );
        }
        for e in &self.egress {
            let _ = writeln!(
                out,
                "\nEgress on {}: {} GB assumed, {} GB included, {} GB charged: {}.",
                e.provider.label(),
                e.assumed_gb.normalize(),
                crate::catalog::gb_display(e.included_gb),
                crate::catalog::gb_display(e.charged_gb),
                money(e.monthly, self.currency)
            );
        }
        for (title, subtotals) in [
            ("group", &self.by_group),
            ("region", &self.by_region),
            ("provider", &self.by_provider),
        ] {
            let _ = writeln!(out, "\n| By {title} | Monthly |\n|---|---:|");
            for s in subtotals {
                let _ = writeln!(
                    out,
                    "| {} | {} |",
                    cell(&s.label),
                    money(s.monthly, self.currency)
                );
            }
        }
        if !self.warnings.is_empty() {
            let _ = writeln!(out, "\n**Warnings**\n");
            for w in &self.warnings {
                let _ = writeln!(out, "- {}: {}", cell(&w.name), w.message);
            }
        }
        out
    }

    /// CSV, one row per line, with a header row. Fields are quoted when they need it.
    pub fn to_csv(&self) -> String {
        fn field(text: &str) -> String {
            if text.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", text.replace('"', "\"\""))
            } else {
                text.to_owned()
            }
        }
        let mut out = String::from("component,name,kind,provider,region,group,item,quantity,unit,unit_price,price_currency,monthly,hourly,currency,rule,price_id,price_source,price_as_of,price_estimate\n");
        let currency = if self.currency == Currency::Eur {
            "EUR"
        } else {
            "USD"
        };
        for l in &self.lines {
            let row = [
                l.component
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                l.name.clone(),
                l.kind.map(|k| k.slug().to_owned()).unwrap_or_default(),
                l.provider.slug().to_owned(),
                l.region.clone().unwrap_or_default(),
                l.group.as_ref().map(|g| g.to_string()).unwrap_or_default(),
                l.item.clone(),
                l.quantity.to_string(),
                l.unit.label().to_owned(),
                l.unit_price.to_string(),
                if l.price_currency == Currency::Eur {
                    "EUR"
                } else {
                    "USD"
                }
                .to_owned(),
                l.monthly.to_string(),
                l.hourly.to_string(),
                currency.to_owned(),
                l.rule.clone(),
                l.price.id.clone(),
                l.price.source.clone(),
                l.price.as_of.clone(),
                l.price.estimate.to_string(),
            ];
            let fields: Vec<String> = row.iter().map(|f| field(f)).collect();
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    }
}

impl Comparison {
    /// Markdown: the three totals side by side, then the mappings and gaps.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "### {} on each provider\n", cell(&self.design));
        let _ = writeln!(out, "Prices: {}.\n", prices_used(&self.catalogs));
        let _ = writeln!(
            out,
            "| | {} |",
            self.columns
                .iter()
                .map(|c| c.provider.label())
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(out, "|---|{}", "---:|".repeat(self.columns.len()));
        let row = |label: &str, f: &dyn Fn(&crate::compare::ProviderColumn) -> String| {
            format!(
                "| {label} | {} |",
                self.columns.iter().map(f).collect::<Vec<_>>().join(" | ")
            )
        };
        let _ = writeln!(
            out,
            "{}",
            row("Monthly", &|c| money(c.totals.monthly, self.currency))
        );
        let _ = writeln!(
            out,
            "{}",
            row("Hourly", &|c| format!("{:.4}", c.totals.hourly))
        );
        let _ = writeln!(
            out,
            "{}",
            row("Egress", &|c| c
                .egress
                .as_ref()
                .map_or("-".into(), |e| money(e.monthly, self.currency)))
        );
        let _ = writeln!(
            out,
            "{}",
            row("Unpriced components", &|c| c
                .totals
                .unpriced_components
                .to_string())
        );
        if let Some(p) = self.cheapest {
            let _ = writeln!(out, "\nCheapest: **{}**.", p.label());
        }
        if !self.mappings.is_empty() {
            let _ = writeln!(
                out,
                "\n| Kind | From | To | Fit | Components |\n|---|---|---|---|---:|"
            );
            for m in &self.mappings {
                let _ = writeln!(
                    out,
                    "| {} | {} {} {} | {} {} {} | {:?} | {} |",
                    m.kind.slug(),
                    m.from_provider.slug(),
                    m.from_region.as_deref().unwrap_or("-"),
                    m.from_size.as_deref().unwrap_or("-"),
                    m.to_provider.slug(),
                    m.to_region.as_deref().unwrap_or("-"),
                    m.to_size.as_deref().unwrap_or("-"),
                    m.fit,
                    m.components
                );
            }
        }
        if !self.gaps.is_empty() {
            let _ = writeln!(out, "\n**Gaps**\n");
            for g in &self.gaps {
                let _ = writeln!(
                    out,
                    "- {} {} ({}): {}",
                    g.provider.label(),
                    g.kind.slug(),
                    g.components,
                    g.message
                );
            }
        }
        for c in &self.columns {
            for w in &c.warnings {
                let _ = writeln!(
                    out,
                    "- warning on {}: {} ({} component(s))",
                    c.provider.label(),
                    w.message,
                    w.components
                );
            }
        }
        out
    }

    /// Plain text for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} on each provider (prices: {})\n",
            self.design,
            prices_used(&self.catalogs)
        );
        for c in &self.columns {
            let _ = writeln!(
                out,
                "  {:<14} {:>12} a month{}",
                c.provider.label(),
                money(c.totals.monthly, self.currency),
                if c.totals.unpriced_components > 0 {
                    format!(" ({} unpriced: lower bound)", c.totals.unpriced_components)
                } else {
                    String::new()
                }
            );
        }
        for g in &self.gaps {
            let _ = writeln!(
                out,
                "gap on {}: {} ({} component(s)): {}",
                g.provider.label(),
                g.kind.slug(),
                g.components,
                g.message
            );
        }
        out
    }
}

impl CostDiff {
    /// Markdown fit for a pull-request comment.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "### Cost change: {} a month\n",
            signed(self.delta, self.currency)
        );
        let _ = writeln!(
            out,
            "{} → {} a month.\n",
            money(self.old_monthly, self.currency),
            money(self.new_monthly, self.currency)
        );
        let changed: Vec<_> = self
            .changes
            .iter()
            .filter(|c| c.change != Change::Unchanged)
            .collect();
        if changed.is_empty() {
            let _ = writeln!(out, "No component's cost changed.");
        } else {
            let _ = writeln!(
                out,
                "| Component | Change | Before | After | Delta |\n|---|---|---:|---:|---:|"
            );
            for c in &changed {
                let _ = writeln!(
                    out,
                    "| {} | {:?} | {} | {} | {} |",
                    cell(&c.name),
                    c.change,
                    money(c.old_monthly, self.currency),
                    money(c.new_monthly, self.currency),
                    signed(c.delta, self.currency)
                );
            }
        }
        let unchanged = self.changes.len() - changed.len();
        if unchanged > 0 {
            let _ = writeln!(out, "\n{unchanged} other component(s) unchanged.");
        }
        if self.new_warnings > 0 {
            let _ = writeln!(
                out,
                "\n{} price warning(s) in the new version: its total is a lower bound.",
                self.new_warnings
            );
        }
        out
    }

    /// Plain text for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} → {} a month ({})\n",
            money(self.old_monthly, self.currency),
            money(self.new_monthly, self.currency),
            signed(self.delta, self.currency)
        );
        for c in self
            .changes
            .iter()
            .filter(|c| c.change != Change::Unchanged)
        {
            let _ = writeln!(
                out,
                "  {:?} {}: {}",
                c.change,
                c.name,
                signed(c.delta, self.currency)
            );
        }
        out
    }
}
