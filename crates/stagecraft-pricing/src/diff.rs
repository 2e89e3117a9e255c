//! How the cost changes between two versions of a design: per component (added, removed,
//! changed) and in total, both priced with the same options and catalogue so only the design
//! differs.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use stagecraft_model::{ComponentId, Currency, Design};

use crate::catalog::{embedded, PriceCatalog};
use crate::estimate::{estimate_with, CostLine, CostOptions, Estimate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// One component (or design-level charge such as egress) in both versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ComponentCostChange {
    /// `None` for design-level charges, keyed by their item.
    pub component: Option<ComponentId>,
    pub name: String,
    pub change: Change,
    pub old_monthly: Decimal,
    pub new_monthly: Decimal,
    pub delta: Decimal,
    /// What was priced before and after (`hetzner fsn1 cx22 × 2`).
    pub old_summary: Option<String>,
    pub new_summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct CostDiff {
    pub old_design: String,
    pub new_design: String,
    pub currency: Currency,
    pub old_monthly: Decimal,
    pub new_monthly: Decimal,
    pub delta: Decimal,
    /// Every component of either version, changed ones first by size of change.
    pub changes: Vec<ComponentCostChange>,
    /// Warnings of the new version (unpriced components make the totals a lower bound).
    pub new_warnings: usize,
    pub old_warnings: usize,
}

/// Compares the cost of `old` and `new` with the embedded catalogue.
pub fn diff(old: &Design, new: &Design, options: &CostOptions) -> CostDiff {
    diff_with(old, new, options, &[embedded()])
}

/// [`diff`] with layered catalogues (see [`crate::estimate_with`]).
pub fn diff_with(
    old: &Design,
    new: &Design,
    options: &CostOptions,
    catalogs: &[&PriceCatalog],
) -> CostDiff {
    // Both sides in the same currency: the new design's, unless the options say otherwise.
    let mut options = options.clone();
    options.currency = Some(options.currency.unwrap_or(new.assumptions.currency));
    let before = estimate_with(old, &options, catalogs);
    let after = estimate_with(new, &options, catalogs);
    diff_estimates(&before, &after)
}

type Key = (Option<ComponentId>, String);

fn key(line: &CostLine) -> Key {
    match &line.component {
        Some(id) => (Some(id.clone()), String::new()),
        None => (None, line.item.clone()),
    }
}

fn summarize(lines: &[&CostLine]) -> Option<String> {
    let first = lines.first()?;
    let items: Vec<String> = lines
        .iter()
        .map(|l| format!("{} ({})", l.item, l.quantity))
        .collect();
    Some(format!(
        "{} {} {}",
        first.provider.slug(),
        first.region.as_deref().unwrap_or("-"),
        items.join(", ")
    ))
}

/// Compares two estimates made with the same options.
pub fn diff_estimates(before: &Estimate, after: &Estimate) -> CostDiff {
    let mut sides: BTreeMap<Key, (Vec<&CostLine>, Vec<&CostLine>, String)> = BTreeMap::new();
    for line in &before.lines {
        sides
            .entry(key(line))
            .or_insert_with(|| (vec![], vec![], line.name.clone()))
            .0
            .push(line);
    }
    for line in &after.lines {
        let e = sides
            .entry(key(line))
            .or_insert_with(|| (vec![], vec![], line.name.clone()));
        e.2 = line.name.clone();
        e.1.push(line);
    }
    let mut changes: Vec<ComponentCostChange> = sides
        .into_iter()
        .map(|((component, _), (old, new, name))| {
            let old_monthly: Decimal = old.iter().map(|l| l.monthly).sum();
            let new_monthly: Decimal = new.iter().map(|l| l.monthly).sum();
            let (old_summary, new_summary) = (summarize(&old), summarize(&new));
            let change = match (old.is_empty(), new.is_empty()) {
                (true, false) => Change::Added,
                (false, true) => Change::Removed,
                _ if old_monthly != new_monthly || old_summary != new_summary => Change::Changed,
                _ => Change::Unchanged,
            };
            ComponentCostChange {
                component,
                name,
                change,
                old_monthly,
                new_monthly,
                delta: new_monthly - old_monthly,
                old_summary,
                new_summary,
            }
        })
        .collect();
    changes.sort_by(|a, b| {
        (a.change == Change::Unchanged)
            .cmp(&(b.change == Change::Unchanged))
            .then(b.delta.abs().cmp(&a.delta.abs()))
            .then(a.name.cmp(&b.name))
    });
    CostDiff {
        old_design: before.design.clone(),
        new_design: after.design.clone(),
        currency: after.currency,
        old_monthly: before.totals.monthly,
        new_monthly: after.totals.monthly,
        delta: after.totals.monthly - before.totals.monthly,
        changes,
        new_warnings: after.warnings.len(),
        old_warnings: before.warnings.len(),
    }
}
