//! The advisor: for the design's expected load, scale each tier up or out (with sizes from the
//! catalogue), the ordered changes that reach the next stage, and how its servers should reach
//! each other.
//!
//! Capacity figures are rules of thumb, stated in every answer so a person can judge them:
//! a dynamic web request costs about 20 ms of CPU, so one vCPU serves ~50 requests/s and we
//! plan for 60% utilisation at peak; a database vCPU serves ~150 requests/s of typical
//! application traffic; one worker vCPU keeps up with the jobs of ~200 requests/s; a cache
//! needs ~50 MB per 1,000 users. Sizes only: prices come from the pricing crate.

use serde::{Deserialize, Serialize};
use stagecraft_model::catalog::SizeSpec;
use stagecraft_model::{
    ComponentId, ComponentKind, ConnectionId, Design, GroupKind, Provider, Stage, Workload,
};

use crate::fix::{apply_fix, Edit, Fix};
use crate::index::DesignIndex;
use crate::rules::{self, trim_float};
use crate::{check, stage, CheckOptions, Finding};

/// Requests per second one web vCPU serves (20 ms of CPU per request).
const WEB_RPS_PER_VCPU: f64 = 50.0;
/// Share of capacity to use at peak, leaving room for spikes and a lost server.
const PEAK_UTILISATION: f64 = 0.6;
const DB_RPS_PER_VCPU: f64 = 150.0;
const JOBS_RPS_PER_VCPU: f64 = 200.0;
const CACHE_MB_PER_THOUSAND_USERS: f64 = 50.0;
/// Expected users per peak request per second when only users are known (the stage templates'
/// ratio: 20,000 users ≈ 200 requests/s).
const USERS_PER_PEAK_RPS: u32 = 100;
/// How far ahead growth is projected.
const HORIZON_MONTHS: i32 = 6;
/// Most steps listed toward the next stage.
const MAX_STEPS: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Web,
    Workers,
    Database,
    Cache,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ScalingDecision {
    /// The tier carries the projected load as it is.
    Keep,
    /// Move to a larger size.
    ScaleUp,
    /// Add instances (or replicas).
    ScaleOut,
}

/// A size from the catalogue and how many instances run it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SizeInfo {
    pub provider: Provider,
    pub size: String,
    pub vcpus: u32,
    pub memory_mb: u32,
    pub count: u32,
}

/// The load the advice is computed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LoadEstimate {
    pub expected_users: Option<u32>,
    /// Peak requests per second now (given, or estimated from users).
    pub peak_rps: u32,
    /// Peak requests per second at the end of the horizon, with the monthly growth.
    pub projected_peak_rps: u32,
    pub horizon_months: u32,
    /// Where the figures come from, in words.
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct TierAdvice {
    pub tier: Tier,
    pub components: Vec<ComponentId>,
    pub decision: ScalingDecision,
    pub reasoning: String,
    /// The tier's largest component's size, with the tier's total instances.
    pub current: Option<SizeInfo>,
    pub proposed: Option<SizeInfo>,
    /// The change that applies the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// One change toward the next stage, applicable as one undoable step after the previous ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Step {
    pub title: String,
    pub why: String,
    pub fix: Fix,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LinkSituation {
    /// Both ends share a private network.
    SamePrivateNetwork,
    /// Same provider and region, not (yet) in one private network.
    SameRegion,
    /// Same provider, different regions.
    CrossRegion,
    /// Different providers.
    CrossProvider,
}

/// How one server-to-server connection of the design should travel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct LinkAdvice {
    pub connection: ConnectionId,
    pub from: ComponentId,
    pub to: ComponentId,
    pub situation: LinkSituation,
    pub advice: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// The advisor's answers for a design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Advice {
    pub detected_stage: Stage,
    pub target_stage: Stage,
    /// The stage the steps lead to; `None` at Scale with nothing left to do.
    pub next_stage: Option<Stage>,
    pub load: LoadEstimate,
    /// Scale up or out, per tier present in the design.
    pub tiers: Vec<TierAdvice>,
    /// In order; each applies after the previous ones.
    pub next_stage_steps: Vec<Step>,
    /// How the design's servers should reach each other.
    pub links: Vec<LinkAdvice>,
}

/// Answers "how do I structure this", "scale up or out" and "how do I connect services across
/// servers" for a design and its assumptions. Pure and deterministic; never panics.
pub fn advise(design: &Design) -> Advice {
    let index = DesignIndex::new(design);
    let detected = stage::detect_with(&index);
    let target = crate::target_stage(design, &CheckOptions::default());
    let load = load_estimate(design, detected);
    let tiers = [Tier::Web, Tier::Workers, Tier::Database, Tier::Cache]
        .into_iter()
        .filter_map(|tier| tier_advice(&index, tier, &load, target))
        .collect();
    let next_stage = if detected < target {
        Some(target)
    } else {
        match detected {
            Stage::Mvp => Some(Stage::Growth),
            Stage::Growth => Some(Stage::Scale),
            Stage::Scale => None,
        }
    };
    let next_stage_steps = next_stage.map_or_else(Vec::new, |s| steps_toward(design, s));
    let links = link_advice(&index, design);
    Advice {
        detected_stage: detected,
        target_stage: target,
        next_stage,
        load,
        tiers,
        next_stage_steps,
        links,
    }
}

fn load_estimate(design: &Design, detected: Stage) -> LoadEstimate {
    let a = &design.assumptions;
    let (peak, basis) = match (a.peak_rps, a.expected_users) {
        (Some(rps), _) => (
            rps,
            format!("peak of {rps} requests/s from the assumptions"),
        ),
        (None, Some(users)) => {
            let rps = (users / USERS_PER_PEAK_RPS).max(1);
            (
                rps,
                format!("~{rps} requests/s at peak, estimated from {users} users (1 request/s per {USERS_PER_PEAK_RPS} users)"),
            )
        }
        (None, None) => {
            let rps = match detected {
                Stage::Mvp => 10,
                Stage::Growth => 200,
                Stage::Scale => 3000,
            };
            (
                rps,
                format!(
                    "no expected users or peak set: assumed {rps} requests/s, typical of {}",
                    detected.label()
                ),
            )
        }
    };
    let growth = f64::from(a.monthly_growth_percent.unwrap_or(0)) / 100.0;
    let projected = (f64::from(peak) * (1.0 + growth).powi(HORIZON_MONTHS)).ceil();
    let projected = if projected.is_finite() && projected < f64::from(u32::MAX) {
        projected as u32
    } else {
        u32::MAX
    };
    let basis = match a.monthly_growth_percent {
        Some(g) if g > 0 => format!(
            "{basis}, growing {g}%/month: {projected} requests/s in {HORIZON_MONTHS} months"
        ),
        _ => basis,
    };
    LoadEstimate {
        expected_users: a.expected_users,
        peak_rps: peak,
        projected_peak_rps: projected,
        horizon_months: HORIZON_MONTHS as u32,
        basis,
    }
}

fn tier_members(ix: &DesignIndex<'_>, tier: Tier) -> Vec<usize> {
    (0..ix.components_len())
        .filter(|&i| {
            let c = ix.comp(i);
            let w = &c.properties.workloads;
            match tier {
                Tier::Web => {
                    matches!(
                        c.kind,
                        ComponentKind::AppServer | ComponentKind::AutoscalingGroup
                    ) && (w.is_empty() || w.contains(&Workload::Web))
                }
                Tier::Workers => {
                    c.kind == ComponentKind::Worker
                        || (c.kind == ComponentKind::AutoscalingGroup
                            && w.contains(&Workload::Jobs)
                            && !w.contains(&Workload::Web))
                }
                Tier::Database => matches!(
                    c.kind,
                    ComponentKind::ManagedDatabase | ComponentKind::SelfHostedDatabase
                ),
                Tier::Cache => c.kind == ComponentKind::Cache,
            }
        })
        .collect()
}

fn size_info(ix: &DesignIndex<'_>, i: usize, size: &SizeSpec, count: u32) -> SizeInfo {
    SizeInfo {
        provider: ix.provider[i],
        size: size.id.clone(),
        vcpus: size.vcpus,
        memory_mb: size.memory_mb,
        count,
    }
}

fn describe(s: &SizeInfo) -> String {
    format!(
        "{} × {} ({} vCPU, {} GB each)",
        s.count,
        s.size,
        s.vcpus,
        trim_float(f64::from(s.memory_mb) / 1024.0)
    )
}

fn tier_advice(
    ix: &DesignIndex<'_>,
    tier: Tier,
    load: &LoadEstimate,
    target: Stage,
) -> Option<TierAdvice> {
    let members = tier_members(ix, tier);
    // The tier's main component: the one with the largest size; sizes come from the catalogue.
    let sized: Vec<(usize, &SizeSpec)> = members
        .iter()
        .filter_map(|&i| {
            let size = ix.comp(i).size.as_deref()?;
            Some((i, ix.catalog.size(ix.provider[i], size)?))
        })
        .collect();
    let components: Vec<ComponentId> = members.iter().map(|&i| ix.comp(i).id.clone()).collect();
    if members.is_empty() {
        return None;
    }
    let Some(&(main, main_size)) = sized
        .iter()
        .max_by_key(|(i, s)| (s.vcpus, s.memory_mb, std::cmp::Reverse(*i)))
    else {
        return Some(TierAdvice {
            tier,
            components,
            decision: ScalingDecision::Keep,
            reasoning: "No size from the catalogue is set on this tier, so its capacity is unknown: pick sizes first.".into(),
            current: None,
            proposed: None,
            fix: None,
        });
    };
    let rps = f64::from(load.projected_peak_rps);
    let instances: u32 = members
        .iter()
        .map(|&i| ix.instances(i))
        .fold(0, u32::saturating_add);
    let capacity_vcpus: u64 = sized
        .iter()
        .map(|(i, s)| {
            let c = ix.comp(*i);
            let n = c
                .properties
                .autoscaling
                .as_ref()
                .map_or(ix.instances(*i), |a| a.max.max(c.count));
            u64::from(s.vcpus) * u64::from(n)
        })
        .sum();
    let current = size_info(ix, main, main_size, instances);
    let autoscaled = members
        .iter()
        .any(|&i| ix.comp(i).properties.autoscaling.is_some());
    // The largest size of the family here, for when no single size is enough.
    let largest = family_sizes_largest(ix, main);
    let region = ix.region[main];
    let family_sizes = ix
        .catalog
        .sizes_for(ix.comp(main).kind, ix.provider[main], region);
    let larger = |vcpus: u32, memory: u32| {
        family_sizes
            .iter()
            .find(|s| {
                s.vcpus >= vcpus
                    && s.memory_mb >= memory
                    && s.dedicated_cpu == main_size.dedicated_cpu
                    && (s.vcpus, s.memory_mb) > (main_size.vcpus, main_size.memory_mb)
            })
            .or_else(|| {
                family_sizes.iter().find(|s| {
                    s.vcpus >= vcpus
                        && s.memory_mb >= memory
                        && (s.vcpus, s.memory_mb) > (main_size.vcpus, main_size.memory_mb)
                })
            })
            .copied()
    };
    let per_vcpu = match tier {
        Tier::Web => WEB_RPS_PER_VCPU * PEAK_UTILISATION,
        Tier::Workers => JOBS_RPS_PER_VCPU,
        Tier::Database => DB_RPS_PER_VCPU,
        Tier::Cache => 0.0,
    };
    let basis = &load.basis;
    let (decision, reasoning, proposed) = if tier == Tier::Cache {
        let users = f64::from(
            load.expected_users
                .unwrap_or(load.projected_peak_rps.saturating_mul(USERS_PER_PEAK_RPS)),
        );
        let needed_mb = (users / 1000.0 * CACHE_MB_PER_THOUSAND_USERS)
            .ceil()
            .max(256.0) as u32;
        if main_size.memory_mb >= needed_mb {
            (ScalingDecision::Keep, format!("About {needed_mb} MB of cache for the expected users ({CACHE_MB_PER_THOUSAND_USERS} MB per 1,000); {} has {} MB.", main_size.id, main_size.memory_mb), None)
        } else {
            match larger(0, needed_mb) {
                Some(s) => (
                    ScalingDecision::ScaleUp,
                    format!("About {needed_mb} MB of cache for the expected users; a cache is one memory space, so scale it up: {} has {} MB.", s.id, s.memory_mb),
                    Some(size_info(ix, main, s, instances)),
                ),
                None => {
                    let top = largest.unwrap_or(main_size);
                    let count = needed_mb.div_ceil(top.memory_mb.max(1)).max(2);
                    (
                        ScalingDecision::ScaleOut,
                        format!("About {needed_mb} MB of cache for the expected users, more than the largest size here ({}, {} MB): shard it across {count} nodes of {}.", top.id, top.memory_mb, top.id),
                        Some(size_info(ix, main, top, count)),
                    )
                }
            }
        }
    } else {
        let needed = (rps / per_vcpu).ceil().max(1.0) as u64;
        let rate = per_vcpu.round() as u32;
        let has = if autoscaled {
            format!(
                "it can reach {capacity_vcpus} at its auto-scaling maximum (now {})",
                describe(&current)
            )
        } else {
            format!("it has {capacity_vcpus} ({})", describe(&current))
        };
        let head = format!(
            "{basis}. At ~{rate} requests/s per vCPU the {} tier needs {needed} vCPU; {has}.",
            tier_label(tier),
        );
        if capacity_vcpus >= needed {
            if tier == Tier::Web && instances < 2 && target >= Stage::Growth {
                let p = size_info(ix, main, main_size, 2);
                (ScalingDecision::ScaleOut, format!("{head} Enough capacity, but one server is a single point of failure at {}: run two behind the load balancer.", target.label()), Some(p))
            } else {
                (
                    ScalingDecision::Keep,
                    format!("{head} Enough for the projected peak."),
                    None,
                )
            }
        } else {
            let needed32 = u32::try_from(needed).unwrap_or(u32::MAX);
            let per_instance_needed = needed32.div_ceil(instances.max(1));
            match tier {
                // The database scales up until no larger size exists; then replicas take reads.
                Tier::Database => match larger(per_instance_needed, main_size.memory_mb) {
                    Some(s) => (
                        ScalingDecision::ScaleUp,
                        format!("{head} A primary database takes every write and does not split easily: scale it up to {} ({} vCPU).", s.id, s.vcpus),
                        Some(size_info(ix, main, s, instances)),
                    ),
                    None => {
                        let top = largest.unwrap_or(main_size);
                        let count = needed32.div_ceil(top.vcpus.max(1)).max(2);
                        (
                            ScalingDecision::ScaleOut,
                            format!("{head} No single size is large enough (the largest here, {}, has {} vCPU): move to {} and add read replicas for reads, {count} nodes in all.", top.id, top.vcpus, top.id),
                            Some(size_info(ix, main, top, count)),
                        )
                    }
                },
                // One small server at MVP: a bigger server is simpler than a second one.
                Tier::Web if instances == 1 && target == Stage::Mvp => match larger(needed32, main_size.memory_mb) {
                    Some(s) => (
                        ScalingDecision::ScaleUp,
                        format!("{head} At MVP one larger server is simpler than two plus a load balancer: scale up to {}.", s.id),
                        Some(size_info(ix, main, s, 1)),
                    ),
                    None => {
                        let count = needed32.div_ceil(main_size.vcpus.max(1)).max(2);
                        (ScalingDecision::ScaleOut, format!("{head} No single size is large enough: scale out to {count} servers behind a load balancer."), Some(size_info(ix, main, main_size, count)))
                    }
                },
                _ => {
                    let count = needed32.div_ceil(main_size.vcpus.max(1)).max(2);
                    let why = match (tier, instances) {
                        (Tier::Web, 0 | 1) => "Web servers keep no state, so adding servers behind the load balancer scales linearly and also removes the single point of failure",
                        (Tier::Web, _) => "Web servers keep no state, so adding servers behind the load balancer scales linearly",
                        _ => "Workers take jobs from a queue, so more workers drain it in parallel",
                    };
                    let how = if autoscaled {
                        format!("raise the auto-scaling maximum so the tier reaches {count} × {}", main_size.id)
                    } else {
                        format!("{count} × {}", main_size.id)
                    };
                    (
                        ScalingDecision::ScaleOut,
                        format!("{head} {why}: {how}."),
                        Some(size_info(ix, main, main_size, count)),
                    )
                }
            }
        }
    };
    // A proposal the main component already meets (the tier's other members carry it) needs
    // no change.
    let fix = proposed
        .as_ref()
        .map(|p| resize_fix(ix, &members, main, main_size, p))
        .filter(|f| {
            !matches!(f.edits.as_slice(), [Edit::UpdateComponent { component }] if component == ix.comp(main))
        });
    Some(TierAdvice {
        tier,
        components,
        decision,
        reasoning,
        current: Some(current),
        proposed,
        fix,
    })
}

fn family_sizes_largest(ix: &DesignIndex<'_>, main: usize) -> Option<&'static SizeSpec> {
    ix.catalog
        .sizes_for(ix.comp(main).kind, ix.provider[main], ix.region[main])
        .last()
        .copied()
}

fn tier_label(tier: Tier) -> &'static str {
    match tier {
        Tier::Web => "web",
        Tier::Workers => "worker",
        Tier::Database => "database",
        Tier::Cache => "cache",
    }
}

/// Applies a proposal to the tier's main component: its size, and its count (or auto-scaling
/// maximum) so the tier reaches the proposed total.
fn resize_fix(
    ix: &DesignIndex<'_>,
    members: &[usize],
    main: usize,
    main_size: &SizeSpec,
    p: &SizeInfo,
) -> Fix {
    let mut c = ix.comp(main).clone();
    let others: u32 = members
        .iter()
        .filter(|&&i| i != main)
        .map(|&i| ix.instances(i))
        .fold(0, u32::saturating_add);
    let count = p.count.saturating_sub(others).max(1);
    c.size = Some(p.size.clone());
    if let Some(scaling) = c.properties.autoscaling.as_mut() {
        scaling.max = scaling.max.max(count);
    } else if matches!(
        c.kind,
        ComponentKind::ManagedDatabase | ComponentKind::SelfHostedDatabase
    ) {
        // Database replicas are standby nodes beyond the primary, not more primaries.
        let replicas = count.saturating_sub(c.count.max(1));
        let standby = c.properties.standby_nodes.unwrap_or(0);
        if replicas > standby {
            c.properties.standby_nodes = Some(replicas);
        }
    } else {
        c.count = c.count.max(count);
    }
    Fix {
        label: if p.size == main_size.id {
            format!("Scale {} out to {} in all", c.name, p.count)
        } else {
            format!("Resize {} to {}", c.name, p.size)
        },
        edits: vec![Edit::UpdateComponent { component: c }],
    }
}

/// Fixable stage and single-point-of-failure findings toward `stage`, each applied to a copy of
/// the design before the next is computed, so every step fits the design the previous left.
fn steps_toward(design: &Design, stage: Stage) -> Vec<Step> {
    let rank = |f: &Finding| {
        rules::ALL
            .iter()
            .position(|r| r.id == f.rule)
            .unwrap_or(usize::MAX)
    };
    let mut working = design.clone();
    let mut steps = Vec::new();
    let mut skipped: Vec<(String, Vec<ComponentId>)> = Vec::new();
    let options = CheckOptions {
        target_stage: Some(stage),
    };
    while steps.len() < MAX_STEPS {
        let report = check(&working, &options);
        let next = report
            .findings
            .iter()
            .filter(|f| {
                (f.rule.starts_with("stage.") || f.rule.starts_with("spof.")) && f.fix.is_some()
            })
            .filter(|f| !skipped.contains(&(f.rule.clone(), f.components.clone())))
            .min_by_key(|f| rank(f));
        let Some(finding) = next else { break };
        let Some(fix) = finding.fix.clone() else {
            break;
        };
        if apply_fix(&mut working, &fix).is_err() {
            skipped.push((finding.rule.clone(), finding.components.clone()));
            continue;
        }
        steps.push(Step {
            title: fix.label.clone(),
            why: format!("{}. {}", finding.message, finding.why),
            fix,
        });
    }
    steps
}

fn link_advice(ix: &DesignIndex<'_>, design: &Design) -> Vec<LinkAdvice> {
    let network_resource = |p: Provider| {
        ix.catalog
            .catalog
            .group_kinds
            .iter()
            .find(|g| g.kind == GroupKind::PrivateNetwork)
            .and_then(|g| g.resources.iter().find(|r| r.provider == p))
            .map_or_else(
                || "a private network".to_owned(),
                |r| format!("a private network (`{}`)", r.resource),
            )
    };
    let report = check(design, &CheckOptions::default());
    let link_rules = [
        rules::NET_PUBLIC_LINK.id,
        rules::NET_PRIVATE_WITHOUT_NETWORK.id,
        rules::NET_CROSS_SITE.id,
        rules::NET_VPN_MISSING.id,
    ];
    let mut out = Vec::new();
    for k in 0..design.connections.len() {
        let Some((f, t)) = ix.ends[k] else { continue };
        if !(ix.is_host(f) && ix.is_host(t)) {
            continue;
        }
        let conn = ix.conn(k);
        let (pf, pt) = (ix.provider[f], ix.provider[t]);
        let situation = if pf != pt && pf != Provider::Unassigned && pt != Provider::Unassigned {
            LinkSituation::CrossProvider
        } else if matches!((ix.region[f], ix.region[t]), (Some(a), Some(b)) if a != b) {
            LinkSituation::CrossRegion
        } else if ix.private_network[f].is_some() && ix.private_network[f] == ix.private_network[t]
        {
            LinkSituation::SamePrivateNetwork
        } else {
            LinkSituation::SameRegion
        };
        let (from, to) = (&ix.comp(f).name, &ix.comp(t).name);
        let advice = match situation {
            LinkSituation::SamePrivateNetwork => {
                let g = ix.group(ix.private_network[f].unwrap_or_default());
                format!(
                    "{from} and {to} share the private network {}{}: connect over its private addresses and keep the port closed on the public interface.",
                    g.name,
                    g.cidr.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
                )
            }
            LinkSituation::SameRegion => format!(
                "{from} and {to} run on {} in the same region: put both in {} and connect over private addresses.",
                pf.label(),
                network_resource(pf)
            ),
            LinkSituation::CrossRegion => format!(
                "{from} and {to} are in different {} regions: a private network does not span them; run a WireGuard (or Tailscale) link between the two servers, or use the provider's network peering, and allow the port only over it.",
                pf.label()
            ),
            LinkSituation::CrossProvider => format!(
                "{from} ({}) and {to} ({}) are on different providers: private networks stop at each provider's edge; run a WireGuard (or Tailscale) link between them, open UDP 51820 only to the other server's address, and send the traffic over the tunnel.",
                pf.label(),
                pt.label()
            ),
        };
        let pair = vec![ix.comp(f).id.clone(), ix.comp(t).id.clone()];
        let fix = report
            .findings
            .iter()
            .find(|x| link_rules.contains(&x.rule.as_str()) && x.components == pair)
            .and_then(|x| x.fix.clone());
        out.push(LinkAdvice {
            connection: conn.id.clone(),
            from: pair[0].clone(),
            to: pair[1].clone(),
            situation,
            advice,
            fix,
        });
    }
    out
}
