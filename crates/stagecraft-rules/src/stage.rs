//! Which stage a design implements, from its shape (the stage table): Scale spreads compute over
//! regions or scales automatically; Growth splits tiers (a load balancer, several app servers, a
//! separate database or workers); anything else is an MVP.

use stagecraft_model::{ComponentKind, Design, Stage};

use crate::index::DesignIndex;

/// The stage a design implements as drawn, whatever it targets.
pub fn detect_stage(design: &Design) -> Stage {
    detect_with(&DesignIndex::new(design))
}

pub(crate) fn detect_with(index: &DesignIndex<'_>) -> Stage {
    // The first place compute runs, and whether any runs elsewhere: enough to tell one region
    // from several without collecting them.
    let mut first_place = None;
    let mut several_regions = false;
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
        if !several_regions && index.is_host(i) {
            if let Some(region) = index.region[i] {
                let place = (index.provider[i], region);
                match first_place {
                    None => first_place = Some(place),
                    Some(first) => several_regions = first != place,
                }
            }
        }
    }
    if autoscaling || several_regions {
        Stage::Scale
    } else if growth_shape || app_instances >= 2 {
        Stage::Growth
    } else {
        Stage::Mvp
    }
}
