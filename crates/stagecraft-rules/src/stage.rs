//! Which stage a design implements, from its shape (the stage table): Scale spreads compute over
//! regions or scales automatically; Growth splits tiers (a load balancer, several app servers, a
//! separate database or workers); anything else is an MVP.

use std::collections::BTreeSet;

use stagecraft_model::{ComponentKind, Design, Stage};

use crate::index::DesignIndex;

/// The stage a design implements as drawn, whatever it targets.
pub fn detect_stage(design: &Design) -> Stage {
    detect_with(&DesignIndex::new(design))
}

pub(crate) fn detect_with(index: &DesignIndex<'_>) -> Stage {
    let mut compute_regions = BTreeSet::new();
    let mut app_instances = 0u32;
    let mut growth_shape = false;
    let mut autoscaling = false;
    for i in 0..index.components_len() {
        let c = index.comp(i);
        match c.kind {
            ComponentKind::AutoscalingGroup => autoscaling = true,
            ComponentKind::LoadBalancer
            | ComponentKind::Worker
            | ComponentKind::ManagedDatabase
            | ComponentKind::SelfHostedDatabase => growth_shape = true,
            ComponentKind::AppServer => {
                app_instances = app_instances.saturating_add(c.count);
                autoscaling |= c.properties.autoscaling.is_some();
            }
            _ => {}
        }
        if index.is_host(i) {
            if let Some(region) = index.region[i] {
                compute_regions.insert((index.provider[i], region));
            }
        }
    }
    if autoscaling || compute_regions.len() >= 2 {
        Stage::Scale
    } else if growth_shape || app_instances >= 2 {
        Stage::Growth
    } else {
        Stage::Mvp
    }
}
