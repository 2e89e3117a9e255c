//! The same design on Hetzner, DigitalOcean and AWS side by side: each component mapped to the
//! closest size (vCPUs, memory, disk) and region of each provider, the gaps where a provider has
//! no such product, and the three totals.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use stagecraft_model::catalog::{SizeFamily, SizeSpec};
use stagecraft_model::{catalog, Component, ComponentKind, Currency, Design, Provider};

use crate::catalog::{embedded, CatalogInfo, PriceCatalog};
use crate::estimate::{
    dense_ids, price_design, totals, Charge, ChargeSink, Converted, CostOptions, CostWarning, Ctx,
    EgressSummary, Placement, Priced, PropertyKey, Subtotal, Totals,
};

/// How well a mapped size fits the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Fit {
    /// The component already is on this provider: nothing changes.
    Same,
    /// Same vCPUs and memory.
    Equal,
    /// The smallest size with at least the original's vCPUs and memory.
    Larger,
    /// No size is as large: the largest there is.
    Smaller,
    /// The original has no size; the provider's default for the kind.
    Default,
    /// The kind is not sized on this provider.
    NotSized,
}

/// One mapping of a (kind, provider, size, region) onto another provider, with how many
/// components it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SizeMapping {
    pub kind: ComponentKind,
    pub from_provider: Provider,
    pub from_size: Option<String>,
    pub from_region: Option<String>,
    pub to_provider: Provider,
    pub to_size: Option<String>,
    pub to_region: Option<String>,
    pub fit: Fit,
    pub components: u32,
}

/// Something a provider does not offer as the design asks, and what stands in for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Gap {
    pub provider: Provider,
    pub kind: ComponentKind,
    pub message: String,
    pub components: u32,
}

/// The design priced on each provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Comparison {
    pub design: String,
    pub currency: Currency,
    pub catalogs: Vec<CatalogInfo>,
    pub columns: Vec<ProviderColumn>,
    pub mappings: Vec<SizeMapping>,
    pub gaps: Vec<Gap>,
    /// The provider with the lowest monthly total among those that priced every component.
    pub cheapest: Option<Provider>,
}

/// One provider's side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ProviderColumn {
    pub provider: Provider,
    pub totals: Totals,
    /// Monthly cost per component kind.
    pub by_kind: Vec<Subtotal>,
    pub egress: Option<EgressSummary>,
    /// Warnings, one per distinct message, with how many components each concerns.
    pub warnings: Vec<GroupedWarning>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct GroupedWarning {
    pub message: String,
    pub components: u32,
    /// The first component concerned, to point at.
    pub example: Option<CostWarning>,
}

/// Where a component lands on `to`: region by area, size by closest fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mapped {
    pub region: Option<String>,
    pub size: Option<String>,
    pub fit: Fit,
}

fn region_area(provider: Provider, region: &str) -> Option<&'static str> {
    catalog()
        .provider(provider)?
        .regions
        .iter()
        .find(|r| r.id == region)
        .map(|r| r.area.as_str())
}

/// The first region of `to` in the same area as `region` on `from` (or the first region at all).
fn map_region(from: Provider, region: Option<&str>, to: Provider) -> Option<String> {
    let region = region?;
    let regions = &catalog().provider(to)?.regions;
    let area = region_area(from, region);
    regions
        .iter()
        .find(|r| Some(r.area.as_str()) == area)
        .or(regions.first())
        .map(|r| r.id.clone())
}

/// The closest size on `to` for a component of `kind` now sized `size` on `from`.
pub(crate) fn map_component(
    kind: ComponentKind,
    from: Provider,
    region: Option<&str>,
    size: Option<&str>,
    to: Provider,
) -> Mapped {
    if from == to {
        return Mapped {
            region: region.map(str::to_owned),
            size: size.map(str::to_owned),
            fit: Fit::Same,
        };
    }
    let model = catalog();
    let to_region = map_region(from, region, to);
    let Some(family) = model.size_family(kind, to) else {
        return Mapped {
            region: to_region,
            size: None,
            fit: Fit::NotSized,
        };
    };
    let default = || {
        let offering = model.offering(kind, to);
        offering.and_then(|o| o.default_size.clone()).or_else(|| {
            let fallback = offering?.fallback?;
            model.offering(fallback, to)?.default_size.clone()
        })
    };
    let source = size.and_then(|s| model.size(from, s)).or_else(|| {
        let default = model.offering(kind, from)?.default_size.as_deref()?;
        model.size(from, default)
    });
    let Some(source) = source else {
        return Mapped {
            region: to_region,
            size: default(),
            fit: Fit::Default,
        };
    };
    let candidates: Vec<&SizeSpec> = model
        .provider(to)
        .map(|p| {
            p.sizes
                .iter()
                .filter(|s| s.families.contains(&family))
                .filter(|s| to_region.as_deref().is_none_or(|r| s.offered_in(r)))
                .collect()
        })
        .unwrap_or_default();
    if family == SizeFamily::LoadBalancer {
        // Load balancer sizes carry no CPU or memory: map by rank (smallest to smallest).
        let from_list: Vec<&SizeSpec> = model
            .provider(from)
            .map(|p| {
                p.sizes
                    .iter()
                    .filter(|s| s.families.contains(&SizeFamily::LoadBalancer))
                    .collect()
            })
            .unwrap_or_default();
        let rank = from_list
            .iter()
            .position(|s| s.id == source.id)
            .unwrap_or(0);
        let pick = candidates.get(rank.min(candidates.len().saturating_sub(1)));
        return Mapped {
            region: to_region,
            size: pick.map(|s| s.id.clone()).or_else(default),
            fit: if rank < candidates.len() {
                Fit::Equal
            } else {
                Fit::Smaller
            },
        };
    }
    let fits = |s: &&SizeSpec| {
        s.vcpus >= source.vcpus
            && s.memory_mb >= source.memory_mb
            && (s.disk_gb >= source.disk_gb || s.disk_gb == 0 || source.disk_gb == 0)
    };
    // Closest: same kind of CPU (dedicated or shared) and architecture first, then the least
    // memory, vCPUs and disk that still fit.
    let key = |s: &&SizeSpec| {
        (
            s.dedicated_cpu != source.dedicated_cpu,
            s.arch != source.arch,
            s.memory_mb,
            s.vcpus,
            s.disk_gb,
        )
    };
    if let Some(best) = candidates.iter().filter(|s| fits(s)).min_by_key(|s| key(s)) {
        let fit = if best.vcpus == source.vcpus && best.memory_mb == source.memory_mb {
            Fit::Equal
        } else {
            Fit::Larger
        };
        return Mapped {
            region: to_region,
            size: Some(best.id.clone()),
            fit,
        };
    }
    match candidates.iter().max_by_key(|s| (s.memory_mb, s.vcpus)) {
        Some(largest) => Mapped {
            region: to_region,
            size: Some(largest.id.clone()),
            fit: Fit::Smaller,
        },
        None => Mapped {
            region: to_region,
            size: default(),
            fit: Fit::Default,
        },
    }
}

/// The design moved onto one provider, with the mapping of each component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Retargeted {
    pub design: Design,
    pub mappings: Vec<SizeMapping>,
    pub gaps: Vec<Gap>,
}

type MapKey<'a> = (ComponentKind, Provider, Option<&'a str>, Option<&'a str>);

struct Mapper<'a> {
    to: Provider,
    /// Position in `mapped` of each distinct key.
    cache: HashMap<MapKey<'a>, usize>,
    /// Each distinct mapping, its key and how many components it covers, in first-seen order.
    mapped: Vec<(MapKey<'a>, Mapped, u32)>,
}

impl<'a> Mapper<'a> {
    fn new(to: Provider) -> Self {
        Self {
            to,
            cache: HashMap::default(),
            mapped: Vec::new(),
        }
    }

    /// The index of the component's mapping in `mapped`.
    fn map(&mut self, c: &'a Component, from: Provider) -> usize {
        self.map_key((c.kind, from, c.region.as_deref(), c.size.as_deref()), 1)
    }

    /// The index in `mapped` of the mapping of `components` components with `key`.
    fn map_key(&mut self, key: MapKey<'a>, components: u32) -> usize {
        let to = self.to;
        let mapped = &mut self.mapped;
        let i = *self.cache.entry(key).or_insert_with(|| {
            mapped.push((key, map_component(key.0, key.1, key.2, key.3, to), 0));
            mapped.len() - 1
        });
        self.mapped[i].2 += components;
        i
    }

    fn get(&self, i: usize) -> &Mapped {
        &self.mapped[i].1
    }

    fn mappings(&self) -> Vec<SizeMapping> {
        self.mapped
            .iter()
            .filter(|(key, mapped, _)| mapped.fit != Fit::Same && key.0 != ComponentKind::Users)
            .map(|(key, mapped, n)| SizeMapping {
                kind: key.0,
                from_provider: key.1,
                from_size: key.3.map(str::to_owned),
                from_region: key.2.map(str::to_owned),
                to_provider: self.to,
                to_size: mapped.size.clone(),
                to_region: mapped.region.clone(),
                fit: mapped.fit,
                components: *n,
            })
            .collect()
    }
}

fn gaps_for(
    design: &Design,
    to: Provider,
    from_of: &dyn Fn(&Component) -> Option<Provider>,
) -> Vec<Gap> {
    let model = catalog();
    let mut gaps: BTreeMap<ComponentKind, u32> = BTreeMap::new();
    for c in &design.components {
        if from_of(c) == Some(to) || c.kind == ComponentKind::Users {
            continue;
        }
        if model.offering(c.kind, to).is_some_and(|o| !o.native) {
            *gaps.entry(c.kind).or_default() += 1;
        }
    }
    gaps.into_iter()
        .filter_map(|(kind, n)| {
            let offering = model.offering(kind, to)?;
            Some(Gap {
                provider: to,
                kind,
                message: offering.note.clone(),
                components: n,
            })
        })
        .collect()
}

fn source_provider(c: &Component, options: &CostOptions) -> Option<Provider> {
    match c.provider {
        Provider::Unassigned => options.default_provider,
        p => Some(p),
    }
}

/// `design` with every component (and group) moved onto `provider`: size, region and provider
/// rewritten by the closest mapping. Components not yet placed move too.
pub fn retarget(design: &Design, provider: Provider, options: &CostOptions) -> Retargeted {
    let mut mapper = Mapper::new(provider);
    let mut out = design.clone();
    for (c, new) in design.components.iter().zip(out.components.iter_mut()) {
        if c.kind == ComponentKind::Users {
            continue;
        }
        let from = source_provider(c, options).unwrap_or(provider);
        let i = mapper.map(c, from);
        let mapped = mapper.get(i).clone();
        new.provider = provider;
        new.region = mapped.region;
        new.size = mapped.size;
    }
    for g in &mut out.groups {
        if g.provider != Provider::Unassigned && g.provider != provider {
            g.region = map_region(g.provider, g.region.as_deref(), provider);
            g.provider = provider;
        }
    }
    let gaps = gaps_for(design, provider, &|c| source_provider(c, options));
    Retargeted {
        design: out,
        mappings: mapper.mappings(),
        gaps,
    }
}

/// Prices `design` on each of Hetzner, DigitalOcean and AWS with the embedded catalogue.
pub fn compare(design: &Design, options: &CostOptions) -> Comparison {
    compare_with(design, options, &[embedded()])
}

/// [`compare`] with layered catalogues (see [`crate::estimate_with`]).
pub fn compare_with(
    design: &Design,
    options: &CostOptions,
    catalogs: &[&PriceCatalog],
) -> Comparison {
    let ctx = Ctx::new(design, options, catalogs, false);
    let mut columns = Vec::new();
    let mut mappings = Vec::new();
    let mut gaps = Vec::new();
    // What does not depend on the target provider is classified once: where each component
    // comes from (kind, provider, region, size) and its priced properties. Each provider's pass
    // then maps every distinct origin once and prices every distinct (mapping, properties) once,
    // so a large design costs a few array reads per component and provider.
    type Origin<'d> = (
        ComponentKind,
        Option<Provider>,
        Option<&'d str>,
        Option<&'d str>,
    );
    let mut origin_index: HashMap<Origin<'_>, usize> = HashMap::default();
    let mut origins: Vec<(Origin<'_>, u32)> = Vec::new();
    let origin_of: Vec<usize> = design
        .components
        .iter()
        .map(|c| {
            let key = (
                c.kind,
                source_provider(c, options),
                c.region.as_deref(),
                c.size.as_deref(),
            );
            let i = *origin_index.entry(key).or_insert_with(|| {
                origins.push((key, 0));
                origins.len() - 1
            });
            origins[i].1 += 1;
            i
        })
        .collect();
    let properties = dense_ids(design.components.iter().map(PropertyKey::of));
    for provider in Provider::REAL {
        let mut mapper = Mapper::new(provider);
        let targets: Vec<usize> = origins
            .iter()
            .map(|&((kind, from, region, size), n)| {
                mapper.map_key((kind, from.unwrap_or(provider), region, size), n)
            })
            .collect();
        let classes: Vec<u64> = origin_of
            .iter()
            .zip(&properties)
            .map(|(&o, &p)| ((targets[o] as u64) << 32) | p)
            .collect();
        let mut sink = TotalSink::default();
        price_design(
            &ctx,
            design,
            &|i, _c| {
                let m = mapper.get(targets[origin_of[i]]);
                Some(Placement {
                    provider,
                    region: m.region.as_deref(),
                    size: m.size.as_deref(),
                })
            },
            &classes,
            &mut sink,
        );
        columns.push(sink.finish(&ctx, provider));
        mappings.extend(mapper.mappings());
        gaps.extend(gaps_for(design, provider, &|c| source_provider(c, options)));
    }
    let cheapest = columns
        .iter()
        .filter(|c| c.totals.unpriced_components == 0)
        .min_by_key(|c| c.totals.monthly)
        .map(|c| c.provider);
    Comparison {
        design: design.name.clone(),
        currency: ctx.currency,
        catalogs: ctx.catalogs.clone(),
        columns,
        mappings,
        gaps,
        cheapest,
    }
}

/// Totals only: what the comparison needs from each provider's pass.
#[derive(Default)]
struct TotalSink {
    converted: Converted,
    monthly: Decimal,
    savings: Decimal,
    /// Monthly cost per component kind; the last slot holds design-level charges.
    by_kind: [Decimal; ComponentKind::ALL.len() + 1],
    egress: Option<EgressSummary>,
    warnings: Vec<GroupedWarning>,
    warning_index: std::collections::HashMap<String, usize>,
    unpriced: u32,
}

impl<'a> ChargeSink<'a> for TotalSink {
    fn charge(
        &mut self,
        ctx: &Ctx<'a>,
        component: Option<&'a Component>,
        place: Placement<'a>,
        charge: Charge<'a>,
    ) {
        let priced = self.converted.priced(ctx, &charge);
        self.charge_priced(ctx, component, place, charge, priced);
    }

    fn charge_priced(
        &mut self,
        _ctx: &Ctx<'a>,
        component: Option<&'a Component>,
        _place: Placement<'a>,
        _charge: Charge<'a>,
        priced: Priced,
    ) {
        let monthly = priced.monthly;
        self.monthly += monthly;
        if let Some(od) = priced.on_demand_monthly {
            self.savings += od - monthly;
        }
        let slot = component.map_or(ComponentKind::ALL.len(), |c| c.kind as usize);
        self.by_kind[slot] += monthly;
    }

    fn warn(&mut self, component: Option<&'a Component>, provider: Provider, message: String) {
        if component.is_some() {
            self.unpriced += 1;
        }
        match self.warning_index.get(&message) {
            Some(&i) => self.warnings[i].components += 1,
            None => {
                self.warning_index
                    .insert(message.clone(), self.warnings.len());
                self.warnings.push(GroupedWarning {
                    message: message.clone(),
                    components: u32::from(component.is_some()),
                    example: Some(CostWarning {
                        component: component.map(|c| c.id.clone()),
                        name: component.map_or_else(|| "design".to_owned(), |c| c.name.clone()),
                        provider,
                        message,
                    }),
                });
            }
        }
    }

    fn egress(&mut self, summary: EgressSummary) {
        self.egress = Some(summary);
    }
}

impl TotalSink {
    fn finish(self, ctx: &Ctx<'_>, provider: Provider) -> ProviderColumn {
        ProviderColumn {
            provider,
            totals: totals(ctx, self.monthly, self.savings, self.unpriced),
            by_kind: ComponentKind::ALL
                .iter()
                .map(|k| k.slug())
                .chain(["egress_and_network"])
                .zip(self.by_kind)
                .filter(|(_, monthly)| !monthly.is_zero())
                .map(|(key, monthly)| Subtotal {
                    label: key.replace('_', " "),
                    key: key.to_owned(),
                    monthly,
                })
                .collect(),
            egress: self.egress,
            warnings: self.warnings,
        }
    }
}
