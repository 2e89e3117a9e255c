//! Cost findings for the rules engine: plain statements about where the money goes that a
//! person should look at, each with the reason and the components concerned.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use stagecraft_model::{catalog, ComponentId, ComponentKind, Design, Provider, Stage};

use crate::estimate::Estimate;
use crate::render::{money, prices_used};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CostFinding {
    /// Stable rule id (`cost.egress_heavy`).
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub why: String,
    pub components: Vec<ComponentId>,
}

/// Share of the monthly total above which egress is called out as a warning, in percent.
pub const EGRESS_WARNING_PERCENT: u32 = 25;
/// Requests per second one vCPU is taken to serve for a typical dynamic web application.
pub const RPS_PER_VCPU: u32 = 100;
/// Web capacity this many times the need is called oversized.
pub const OVERSIZE_FACTOR: u32 = 4;

/// The cost findings of `design`, given its `estimate`. Each finding's `why` ends by naming the
/// catalogues its amounts come from (the estimate's, refreshed ones first), so a figure priced
/// with a stored refresh is never taken for an embedded one.
pub fn cost_findings(design: &Design, estimate: &Estimate) -> Vec<CostFinding> {
    let mut findings = Vec::new();
    egress_heavy(design, estimate, &mut findings);
    oversized_web(design, estimate, &mut findings);
    oversized_database(design, estimate, &mut findings);
    let prices = format!(" Prices: {}.", prices_used(&estimate.catalogs));
    for finding in &mut findings {
        finding.why.push_str(&prices);
    }
    findings
}

fn egress_heavy(design: &Design, estimate: &Estimate, out: &mut Vec<CostFinding>) {
    let total = estimate.totals.monthly;
    for egress in &estimate.egress {
        if egress.monthly.is_zero() || total.is_zero() {
            continue;
        }
        let share = (egress.monthly * Decimal::ONE_HUNDRED / total).round_dp(0);
        let severity = if share >= Decimal::from(EGRESS_WARNING_PERCENT) {
            Severity::Warning
        } else if share >= Decimal::TEN {
            Severity::Info
        } else {
            continue;
        };
        let alternative = match egress.provider {
            Provider::Aws => "AWS charges for traffic out beyond the first 100 GB; Hetzner includes 20 TB per server in the EU and DigitalOcean pools 1-6 TB per droplet. A CDN with cheaper transfer, or serving heavy downloads from another provider, can cut it.",
            Provider::Digitalocean => "DigitalOcean pools each droplet's transfer allowance (counted in GiB); traffic beyond it is billed per GiB. Larger droplets bring more allowance, and Hetzner includes 20 TB per server in the EU.",
            _ => "Traffic beyond each server's included volume is charged per TB.",
        };
        out.push(CostFinding {
            rule: "cost.egress_heavy".into(),
            severity,
            message: format!(
                "Traffic to the internet costs {} of {} a month ({share}%) on {}: {} GB assumed, {} GB included, {} GB charged",
                money(egress.monthly, estimate.currency),
                money(total, estimate.currency),
                egress.provider.label(),
                egress.assumed_gb.normalize(),
                crate::catalog::gb_display(egress.included_gb),
                crate::catalog::gb_display(egress.charged_gb),
            ),
            why: alternative.into(),
            components: design
                .components
                .iter()
                .filter(|c| c.provider == egress.provider && c.kind.is_server())
                .map(|c| c.id.clone())
                .collect(),
        });
    }
}

fn vcpus(c: &stagecraft_model::Component) -> Option<u32> {
    let size = catalog().size(c.provider, c.size.as_deref()?)?;
    Some(size.vcpus * c.count)
}

fn oversized_web(design: &Design, estimate: &Estimate, out: &mut Vec<CostFinding>) {
    let Some(rps) = design.assumptions.peak_rps else {
        return;
    };
    let web: Vec<_> = design
        .components
        .iter()
        .filter(|c| {
            matches!(
                c.kind,
                ComponentKind::AppServer | ComponentKind::AutoscalingGroup
            )
        })
        .filter_map(|c| Some((c, vcpus(c)?)))
        .collect();
    let have: u32 = web.iter().map(|(_, v)| v).sum();
    // Two vCPUs at least, so one server can fail or be replaced.
    let need = rps.div_ceil(RPS_PER_VCPU).max(2);
    if web.is_empty() || have < need * OVERSIZE_FACTOR {
        return;
    }
    let cost: Decimal = web
        .iter()
        .map(|(c, _)| estimate.component_monthly(&c.id))
        .sum();
    out.push(CostFinding {
        rule: "cost.oversized".into(),
        severity: Severity::Warning,
        message: format!(
            "{have} vCPUs of application servers for a stated peak of {rps} requests/s; about {need} would do. They cost {} a month",
            money(cost, estimate.currency)
        ),
        why: format!(
            "Taking {RPS_PER_VCPU} requests/s per vCPU for a typical web application, capacity {OVERSIZE_FACTOR} times the need is paid for and idle. Size down, or set a lower autoscaling minimum."
        ),
        components: web.iter().map(|(c, _)| c.id.clone()).collect(),
    });
}

fn oversized_database(design: &Design, estimate: &Estimate, out: &mut Vec<CostFinding>) {
    let stage = design
        .assumptions
        .target_stage
        .or(design.assumptions.expected_users.map(Stage::for_users));
    if stage != Some(Stage::Mvp) {
        return;
    }
    for c in &design.components {
        if !matches!(
            c.kind,
            ComponentKind::ManagedDatabase | ComponentKind::SelfHostedDatabase
        ) {
            continue;
        }
        let Some(size) = c
            .size
            .as_deref()
            .and_then(|s| catalog().size(c.provider, s))
        else {
            continue;
        };
        if size.memory_mb < 16 * 1024 && size.vcpus < 8 {
            continue;
        }
        out.push(CostFinding {
            rule: "cost.oversized".into(),
            severity: Severity::Info,
            message: format!(
                "{} is a {} ({} vCPUs, {} GB) for an MVP; it costs {} a month",
                c.name,
                size.id,
                size.vcpus,
                size.memory_mb / 1024,
                money(estimate.component_monthly(&c.id), estimate.currency)
            ),
            why: "At under 1,000 users a database fits in 2-4 GB of memory; start small and resize when the metrics say so.".into(),
            components: vec![c.id.clone()],
        });
    }
}
