//! Monthly and hourly cost of a design: one line per charge of each component, each traceable to
//! the price entry it used and with the rule applied written out; totals per group, region and
//! provider; egress against each provider's included traffic; reserved and spot savings.
//!
//! The pricing rules live in one place (`price_design`) and feed two sinks: the detailed
//! [`Estimate`] and the totals-only pass the cross-provider comparison runs three times.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use stagecraft_model::catalog::{Offering, SizeSpec};
use stagecraft_model::{
    catalog, Component, ComponentId, ComponentKind, Currency, Design, Engine, Group, GroupId,
    GroupKind, Provider, PurchaseOption, Schedule,
};

use crate::catalog::{
    embedded, AllowanceKind, CatalogInfo, PriceCatalog, PriceEntry, PriceIndex, Product, Unit,
};
use crate::render::money;

/// How to price a design. Every figure that is a choice (hours, exchange rate, VAT) is explicit
/// here and repeated in the estimate, so two estimates can be told apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(default, deny_unknown_fields)]
pub struct CostOptions {
    /// Hours in a billing month; providers use 730 (365 × 24 / 12).
    pub hours_per_month: Decimal,
    /// Currency to show; `None` takes the design's `assumptions.currency`.
    pub currency: Option<Currency>,
    /// Exchange rate: how many US dollars one euro buys. Used whenever a price's currency is not
    /// the one shown. Default: 1.17, the ECB reference rate around the catalogue date.
    pub usd_per_eur: Decimal,
    /// VAT to add, in percent (`19` for Germany); `None` shows net prices only.
    pub vat_percent: Option<Decimal>,
    /// The provider components marked `unassigned` are priced on; `None` leaves them unpriced
    /// with a warning.
    pub default_provider: Option<Provider>,
}

impl Default for CostOptions {
    fn default() -> Self {
        Self {
            hours_per_month: Decimal::from(730),
            currency: None,
            usd_per_eur: Decimal::new(117, 2),
            vat_percent: None,
            default_provider: None,
        }
    }
}

/// The cost of a design on the providers its components are placed on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Estimate {
    pub design: String,
    pub currency: Currency,
    pub hours_per_month: Decimal,
    pub usd_per_eur: Decimal,
    /// The catalogues the prices came from, newest layer first.
    pub catalogs: Vec<CatalogInfo>,
    pub lines: Vec<CostLine>,
    /// Prices that could not be found or assumptions that are missing: never a silent zero.
    pub warnings: Vec<CostWarning>,
    /// Traffic to the internet: assumed, included, charged.
    pub egress: Vec<EgressSummary>,
    pub totals: Totals,
    pub by_group: Vec<Subtotal>,
    pub by_region: Vec<Subtotal>,
    pub by_provider: Vec<Subtotal>,
}

/// One charge: a component's server, its IPv4 address, its backups, or the design's egress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct CostLine {
    /// The component charged; `None` for design-level charges (egress, NAT gateways).
    pub component: Option<ComponentId>,
    pub name: String,
    pub kind: Option<ComponentKind>,
    pub provider: Provider,
    pub region: Option<String>,
    pub group: Option<GroupId>,
    /// What is charged (`server cx22`, `primary IPv4`, `backups`).
    pub item: String,
    /// How many units (in `unit`, after replicas and nodes).
    pub quantity: Decimal,
    pub unit: Unit,
    /// Price of one unit in the price's own currency.
    pub unit_price: Decimal,
    pub price_currency: Currency,
    /// Monthly cost in the estimate's currency, net of VAT, rounded to cents.
    pub monthly: Decimal,
    pub hourly: Decimal,
    /// The arithmetic applied, written out.
    pub rule: String,
    pub price: PriceRef,
    /// What buying reserved or spot capacity saves against on demand.
    pub saving: Option<Saving>,
}

/// The catalogue entry a line used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct PriceRef {
    pub id: String,
    pub source: String,
    pub as_of: String,
    /// The figure is derived, not read off a price list (spot prices, for example).
    pub estimate: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Saving {
    pub purchase: PurchaseOption,
    /// What the same capacity costs on demand, per month.
    pub on_demand_monthly: Decimal,
    pub monthly_saving: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CostWarning {
    pub component: Option<ComponentId>,
    pub name: String,
    pub provider: Provider,
    pub message: String,
}

/// Egress on one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct EgressSummary {
    pub provider: Provider,
    pub assumed_gb: Decimal,
    pub included_gb: Decimal,
    pub charged_gb: Decimal,
    pub monthly: Decimal,
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Totals {
    pub monthly: Decimal,
    pub hourly: Decimal,
    pub vat_percent: Option<Decimal>,
    pub vat: Decimal,
    pub monthly_with_vat: Decimal,
    pub hourly_with_vat: Decimal,
    /// Total monthly saving from reserved and spot capacity.
    pub savings: Decimal,
    /// Components with at least one price missing; the totals are then a lower bound.
    pub unpriced_components: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Subtotal {
    pub key: String,
    pub label: String,
    pub monthly: Decimal,
}

/// Prices `design` with the embedded catalogue.
pub fn estimate(design: &Design, options: &CostOptions) -> Estimate {
    estimate_with(design, options, &[embedded()])
}

/// Prices `design` with `catalogs` layered in order (a refreshed catalogue first, then the
/// embedded one). Each line names its entry, and the estimate lists every catalogue it used.
pub fn estimate_with(
    design: &Design,
    options: &CostOptions,
    catalogs: &[&PriceCatalog],
) -> Estimate {
    let ctx = Ctx::new(design, options, catalogs, true);
    let mut sink = LineSink {
        // Most components have one or two lines.
        lines: Vec::with_capacity(design.components.len() * 2),
        ..LineSink::default()
    };
    let classes = own_classes(design, options);
    price_design(
        &ctx,
        design,
        &|_, c| own_placement(c, options),
        &classes,
        &mut sink,
    );
    sink.finish(&ctx, design)
}

/// Where a component is priced: its provider, region and size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placement<'a> {
    pub provider: Provider,
    pub region: Option<&'a str>,
    pub size: Option<&'a str>,
}

pub(crate) fn own_placement<'a>(c: &'a Component, options: &CostOptions) -> Option<Placement<'a>> {
    let provider = match c.provider {
        Provider::Unassigned => options.default_provider?,
        p => p,
    };
    Some(Placement {
        provider,
        region: c.region.as_deref(),
        size: c.size.as_deref(),
    })
}

pub(crate) struct Ctx<'a> {
    pub index: PriceIndex<'a>,
    pub catalogs: Vec<CatalogInfo>,
    pub currency: Currency,
    pub hours: Decimal,
    pub usd_per_eur: Decimal,
    pub vat_percent: Option<Decimal>,
    pub detail: bool,
    pub egress_gb: Option<Decimal>,
    sizes: HashMap<(Provider, &'static str), &'static SizeSpec>,
    offerings: [[Option<(&'static Offering, bool)>; 4]; ComponentKind::ALL.len()],
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        design: &Design,
        options: &CostOptions,
        catalogs: &[&'a PriceCatalog],
        detail: bool,
    ) -> Self {
        let hours = if options.hours_per_month > Decimal::ZERO {
            options.hours_per_month
        } else {
            Decimal::from(730)
        };
        Self {
            index: PriceIndex::new(catalogs),
            catalogs: catalogs.iter().map(|c| c.describe()).collect(),
            currency: options.currency.unwrap_or(design.assumptions.currency),
            hours,
            usd_per_eur: options.usd_per_eur,
            vat_percent: options.vat_percent,
            detail,
            egress_gb: design.assumptions.monthly_egress_gb.map(Decimal::from),
            sizes: catalog()
                .providers
                .iter()
                .flat_map(|p| {
                    p.sizes
                        .iter()
                        .map(move |s| ((p.provider, s.id.as_str()), s))
                })
                .collect(),
            offerings: {
                let mut table = [[None; 4]; ComponentKind::ALL.len()];
                for kind in ComponentKind::ALL {
                    for provider in Provider::REAL {
                        table[kind as usize][provider as usize] = catalog()
                            .offering(kind, provider)
                            .map(|o| (o, is_server_resource(&o.resource)));
                    }
                }
                table
            },
        }
    }

    /// Text built only when the context keeps text (not in the comparison's totals pass).
    pub(crate) fn text<'t>(&self, build: impl FnOnce() -> String) -> Cow<'t, str> {
        if self.detail {
            Cow::Owned(build())
        } else {
            Cow::Borrowed("")
        }
    }

    /// The model catalogue's spec of a size, by a hash lookup instead of a linear search.
    pub(crate) fn size(&self, provider: Provider, size: &str) -> Option<&'static SizeSpec> {
        self.sizes.get(&(provider, size)).copied()
    }

    /// How `provider` offers `kind`, and whether it is priced as a server.
    pub(crate) fn offering(
        &self,
        kind: ComponentKind,
        provider: Provider,
    ) -> Option<(&'static Offering, bool)> {
        self.offerings[kind as usize][provider as usize]
    }

    /// Converts an amount from `from` into the estimate's currency.
    pub(crate) fn convert(&self, amount: Decimal, from: Currency) -> Decimal {
        match (from, self.currency) {
            (a, b) if a == b => amount,
            (Currency::Eur, Currency::Usd) => amount * self.usd_per_eur,
            (Currency::Usd, Currency::Eur) if !self.usd_per_eur.is_zero() => {
                amount / self.usd_per_eur
            }
            _ => amount,
        }
    }
}

/// One charge found by the rules, before it is turned into a line or a total.
#[derive(Clone)]
pub(crate) struct Charge<'a> {
    pub entry: &'a PriceEntry,
    /// What is charged; empty when the context builds no text (the comparison's totals pass).
    pub item: Cow<'a, str>,
    pub quantity: Decimal,
    /// The monthly cost in the entry's currency, unrounded.
    pub native_monthly: Decimal,
    pub rule: String,
    pub saving: Option<(PurchaseOption, Decimal)>,
    /// A design-level charge, attributed to a group when it has one (NAT gateways).
    pub group: Option<&'a GroupId>,
}

/// Receives the charges and warnings of a design.
pub(crate) trait ChargeSink<'a> {
    fn charge(
        &mut self,
        ctx: &Ctx<'a>,
        component: Option<&'a Component>,
        place: Placement<'a>,
        charge: Charge<'a>,
    );
    /// A charge whose amounts were already converted (replayed for a component priced like an
    /// earlier one); sinks that convert override it to skip the conversion.
    fn charge_priced(
        &mut self,
        ctx: &Ctx<'a>,
        component: Option<&'a Component>,
        place: Placement<'a>,
        charge: Charge<'a>,
        priced: Priced,
    ) {
        let _ = priced;
        self.charge(ctx, component, place, charge);
    }
    fn warn(&mut self, component: Option<&'a Component>, provider: Provider, message: String);
    fn egress(&mut self, summary: EgressSummary);
}

/// A charge's amounts in the estimate's currency: monthly (cents), hourly, and for reserved or
/// spot capacity the on-demand monthly cost it is compared against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Priced {
    pub monthly: Decimal,
    pub hourly: Decimal,
    pub on_demand_monthly: Option<Decimal>,
}

impl Converted {
    /// The amounts of `charge`, converted.
    pub(crate) fn priced(&mut self, ctx: &Ctx<'_>, charge: &Charge<'_>) -> Priced {
        let currency = charge.entry.currency;
        let (monthly, hourly) = self.get(ctx, charge.native_monthly, currency);
        Priced {
            monthly,
            hourly,
            on_demand_monthly: charge.saving.map(|(_, od)| self.get(ctx, od, currency).0),
        }
    }
}

/// Monthly cost of `quantity` units of `entry`, in the entry's currency.
fn monthly_of(ctx: &Ctx<'_>, entry: &PriceEntry, quantity: Decimal) -> Decimal {
    match entry.unit {
        Unit::Hour | Unit::LcuHour => quantity * entry.amount * ctx.hours,
        Unit::Percent => quantity * entry.amount / Decimal::ONE_HUNDRED,
        _ => quantity * entry.amount,
    }
}

fn sym(c: Currency) -> &'static str {
    match c {
        Currency::Eur => "€",
        Currency::Usd => "$",
    }
}

/// Said of DigitalOcean storage sized in GiB: the driver asks for `storage_gb` GiB
/// (`size_gigabytes`, `storage_size_mib` = GiB × 1024), so that is what is billed.
const GIB_SIZED: &str = " ; storage_gb taken as GiB, as DigitalOcean provisions and bills it";

/// The rule for `quantity × price per unit`, written out.
fn unit_rule(ctx: &Ctx<'_>, what: &str, quantity: Decimal, entry: &PriceEntry) -> String {
    if !ctx.detail {
        return String::new();
    }
    let price = format!("{}{}", sym(entry.currency), entry.amount);
    let q = quantity.normalize();
    match entry.unit {
        Unit::Hour | Unit::LcuHour => format!(
            "{q} {what} × {price} per {} × {} h",
            entry.unit.label(),
            ctx.hours.normalize()
        ),
        Unit::Month => format!("{q} {what} × {price} per month"),
        // DigitalOcean bills storage per GiB a month; its traffic per GiB.
        Unit::Gib if entry.product.is_storage() => {
            format!("{q} GiB-month × {price} per GiB-month ({what})")
        }
        unit => format!(
            "{q} {unit_label} × {price} per {unit_label} ({what})",
            unit_label = unit.label()
        ),
    }
}

struct Tracker<'a> {
    /// Groups by id, to walk a component's chain of groups without a linear search.
    groups: HashMap<&'a GroupId, &'a Group>,
    /// Included egress (GB) per provider, from the allowances of the servers priced.
    included_egress: [Decimal; 4],
    /// Server-like components per provider, to decide who carries the design's egress.
    servers: [Option<(u32, Option<&'a str>)>; 4],
    /// AWS private networks holding servers: each needs a NAT gateway for outbound traffic.
    nat_groups: Vec<(&'a GroupId, Option<&'a str>)>,
    nat_seen: HashSet<&'a GroupId>,
    /// AWS servers in a private network: its id, the component and how many servers it has.
    nat_servers: Vec<(&'a GroupId, &'a ComponentId, u32)>,
    /// Servers that send traffic to the internet (not databases or caches on servers).
    egress_servers: u32,
    cdn: HashSet<Provider>,
}

/// Applies the pricing rules to every component of `design`, placed by `place`.
///
/// `classes[i]` is the pricing class of component `i`: components of one class must be priced
/// alike (see [`own_classes`]); the rules then run once per class.
pub(crate) fn price_design<'a, S: ChargeSink<'a>>(
    ctx: &Ctx<'a>,
    design: &'a Design,
    place: &dyn Fn(usize, &'a Component) -> Option<Placement<'a>>,
    classes: &[u64],
    sink: &mut S,
) {
    let model = catalog();
    let aws_lbs = design
        .components
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == ComponentKind::LoadBalancer)
        .filter_map(|(i, c)| place(i, c))
        .filter(|p| p.provider == Provider::Aws)
        .count()
        .max(1);
    let mut tracker = Tracker {
        groups: design.groups.iter().map(|g| (&g.id, g)).collect(),
        included_egress: [Decimal::ZERO; 4],
        servers: [None; 4],
        nat_groups: Vec::new(),
        nat_seen: HashSet::default(),
        nat_servers: Vec::new(),
        egress_servers: 0,
        cdn: HashSet::default(),
    };
    // Components priced alike (same kind, placement, count and priced properties) get the same
    // charges: the rules run once per distinct component and the charges are replayed, which
    // keeps a 10,000-component design fast (most of an estimate's cost was building the same
    // rule texts again).
    let mut memo: HashMap<u64, (Vec<Recorded<'a>>, Effects<'a>)> = HashMap::default();
    let mut converted = Converted::default();
    for (i, component) in design.components.iter().enumerate() {
        if component.kind == ComponentKind::Users {
            // Nothing is provisioned for the users box: it marks where traffic comes from.
            continue;
        }
        let Some(mut placement) = place(i, component) else {
            sink.warn(
                Some(component),
                Provider::Unassigned,
                "not placed on a provider and no default provider chosen: not priced".into(),
            );
            continue;
        };
        if placement.region.is_none()
            && !matches!(component.kind, ComponentKind::DnsZone | ComponentKind::Cdn)
        {
            // A regional product with no region is priced in the provider's first region.
            placement.region = model
                .provider(placement.provider)
                .and_then(|p| p.regions.first())
                .map(|r| r.id.as_str());
        }
        let Some((offering, server_like)) = ctx.offering(component.kind, placement.provider) else {
            sink.warn(
                Some(component),
                placement.provider,
                format!(
                    "{} does not offer a {}: not priced",
                    placement.provider.label(),
                    component.kind.slug()
                ),
            );
            continue;
        };
        let (events, effects) = memo.entry(classes[i]).or_insert_with(|| {
            let mut recorder = Recorder::default();
            let mut effects = Effects::default();
            price_component(
                ctx,
                component,
                placement,
                offering,
                server_like,
                aws_lbs,
                &mut effects,
                &mut recorder,
            );
            for event in &mut recorder.events {
                if let Recorded::Charge(charge, priced) = event {
                    *priced = Some(converted.priced(ctx, charge));
                }
            }
            (recorder.events, effects)
        });
        for event in events.iter() {
            match event {
                Recorded::Charge(charge, Some(priced)) => {
                    sink.charge_priced(ctx, Some(component), placement, charge.clone(), *priced)
                }
                Recorded::Charge(charge, None) => {
                    sink.charge(ctx, Some(component), placement, charge.clone())
                }
                Recorded::Warn(provider, message) => {
                    sink.warn(Some(component), *provider, message.clone())
                }
            }
        }
        tracker.apply(component, placement, effects);
    }
    let nat_traffic = NatTraffic::new(design, &tracker);
    for (group, region) in tracker.nat_groups.clone() {
        let Some(entry) =
            ctx.index
                .find(Provider::Aws, Product::NatGateway, None, None, region, None)
        else {
            continue;
        };
        let quantity = Decimal::ONE;
        let rule = if ctx.detail {
            format!(
                "{} (private subnets reach the internet through it)",
                unit_rule(ctx, "NAT gateway", quantity, entry)
            )
        } else {
            String::new()
        };
        let placement = Placement {
            provider: Provider::Aws,
            region,
            size: None,
        };
        sink.charge(
            ctx,
            None,
            placement,
            Charge {
                entry,
                item: "NAT gateway".into(),
                quantity,
                native_monthly: monthly_of(ctx, entry, quantity),
                rule,
                saving: None,
                group: Some(group),
            },
        );
        price_nat_data(ctx, &nat_traffic, group, placement, sink);
    }
    price_egress(ctx, &tracker, sink);
}

/// What pricing one component adds to the design-wide tallies (egress allowance, servers, CDN).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Effects<'a> {
    /// Egress included with the component's servers, in GB.
    included_egress: Decimal,
    /// Set when the component is priced as servers: the region they run in.
    server: Option<Option<&'a str>>,
    /// The component is a CDN (AWS egress then goes through CloudFront).
    cdn: bool,
}

impl<'a> Tracker<'a> {
    /// Adds one component's effects to the design-wide tallies.
    fn apply(&mut self, c: &'a Component, place: Placement<'a>, effects: &Effects<'a>) {
        let provider = place.provider;
        if effects.cdn {
            self.cdn.insert(provider);
        }
        let Some(region) = effects.server else {
            return;
        };
        self.included_egress[provider as usize] += effects.included_egress;
        let seen = self.servers[provider as usize].get_or_insert((0, region));
        seen.0 += c.count;
        let sends_egress = sends_egress(c.kind);
        if sends_egress {
            self.egress_servers += c.count;
        }
        if provider != Provider::Aws {
            return;
        }
        // Servers in a private network reach the internet through that network's NAT gateway.
        let mut network = None;
        let mut next = c.group.as_ref();
        // Bounded by the number of groups, so a cycle in an unvalidated design cannot loop.
        for _ in 0..self.groups.len() {
            let Some(g) = next.and_then(|id| self.groups.get(id)) else {
                break;
            };
            if g.kind == GroupKind::PrivateNetwork {
                network = Some(*g);
                break;
            }
            next = g.parent.as_ref();
        }
        if let Some(g) = network {
            if self.nat_seen.insert(&g.id) {
                self.nat_groups.push((&g.id, region));
            }
            if sends_egress {
                self.nat_servers.push((&g.id, &c.id, c.count));
            }
        }
    }
}

/// Everything the pricing rules read from a component besides its kind and placement (and
/// apart from its id, name and group): with the same kind and placement, components with equal
/// keys get equal charges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PropertyKey {
    count: u32,
    engine: Option<Engine>,
    storage_gb: Option<u32>,
    standby_nodes: Option<u32>,
    snapshots: Option<Schedule>,
    purchase: Option<PurchaseOption>,
    public_ipv4: Option<bool>,
}

impl PropertyKey {
    pub(crate) fn of(c: &Component) -> Self {
        let p = &c.properties;
        Self {
            count: c.count,
            engine: p.engine,
            storage_gb: p.storage_gb,
            standby_nodes: p.standby_nodes,
            snapshots: p.backup.as_ref().and_then(|b| b.snapshots),
            purchase: p.purchase,
            public_ipv4: p.public_ipv4,
        }
    }
}

/// Dense ids of distinct values, in first-seen order.
pub(crate) fn dense_ids<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> Vec<u64> {
    let mut seen: HashMap<K, u64> = HashMap::default();
    keys.map(|k| {
        let next = seen.len() as u64;
        *seen.entry(k).or_insert(next)
    })
    .collect()
}

/// Pricing classes of components priced where they are placed: same kind, placement and
/// priced properties.
pub(crate) fn own_classes(design: &Design, options: &CostOptions) -> Vec<u64> {
    dense_ids(design.components.iter().map(|c| {
        let place = own_placement(c, options);
        (
            c.kind,
            place.map(|p| (p.provider, p.region, p.size)),
            PropertyKey::of(c),
        )
    }))
}

/// What the rules said about one component, to replay for the components priced alike.
enum Recorded<'a> {
    Charge(Charge<'a>, Option<Priced>),
    Warn(Provider, String),
}

#[derive(Default)]
struct Recorder<'a> {
    events: Vec<Recorded<'a>>,
}

impl<'a> ChargeSink<'a> for Recorder<'a> {
    fn charge(
        &mut self,
        _ctx: &Ctx<'a>,
        _component: Option<&'a Component>,
        _place: Placement<'a>,
        charge: Charge<'a>,
    ) {
        self.events.push(Recorded::Charge(charge, None));
    }

    fn warn(&mut self, _component: Option<&'a Component>, provider: Provider, message: String) {
        self.events.push(Recorded::Warn(provider, message));
    }

    fn egress(&mut self, _summary: EgressSummary) {}
}

/// How much of the design's egress leaves through each NAT gateway. The assumed egress is
/// shared evenly by the design's application servers, workers and proxies (databases and caches
/// on servers send nothing to the internet); such a server in an AWS private network sends its share out
/// through that network's NAT gateway, unless a load balancer sends it traffic (it then answers
/// through the load balancer, which the NAT gateway never sees).
struct NatTraffic<'a> {
    /// Servers behind each NAT gateway that no load balancer reaches.
    behind_nat: HashMap<&'a GroupId, u32>,
    /// Servers of the design that send traffic to the internet, on every provider.
    servers: u32,
}

impl<'a> NatTraffic<'a> {
    fn new(design: &'a Design, tracker: &Tracker<'a>) -> Self {
        let mut behind_nat: HashMap<&'a GroupId, u32> = HashMap::default();
        if !tracker.nat_servers.is_empty() {
            let balancers: HashSet<&ComponentId> = design
                .components
                .iter()
                .filter(|c| c.kind == ComponentKind::LoadBalancer)
                .map(|c| &c.id)
                .collect();
            let fronted: HashSet<&ComponentId> = design
                .connections
                .iter()
                .filter(|k| balancers.contains(&k.from))
                .map(|k| &k.to)
                .collect();
            for (group, component, count) in &tracker.nat_servers {
                let n = behind_nat.entry(*group).or_default();
                if !fronted.contains(component) {
                    *n += count;
                }
            }
        }
        Self {
            behind_nat,
            servers: tracker.egress_servers,
        }
    }
}

/// Kinds whose servers send the design's traffic to the internet; databases and caches running
/// on servers talk only to the application.
fn sends_egress(kind: ComponentKind) -> bool {
    matches!(
        kind,
        ComponentKind::AppServer
            | ComponentKind::Worker
            | ComponentKind::AutoscalingGroup
            | ComponentKind::ReverseProxy
    )
}

/// The per-GB data processing charge of one NAT gateway, from the egress assumption.
fn price_nat_data<'a, S: ChargeSink<'a>>(
    ctx: &Ctx<'a>,
    traffic: &NatTraffic<'a>,
    group: &'a GroupId,
    placement: Placement<'a>,
    sink: &mut S,
) {
    let Some(assumed) = ctx.egress_gb else {
        // The missing assumption is already a design-level warning (see price_egress).
        return;
    };
    let behind = traffic.behind_nat.get(group).copied().unwrap_or(0);
    if behind == 0 || traffic.servers == 0 {
        return;
    }
    let Some(entry) = ctx.index.find(
        Provider::Aws,
        Product::NatGatewayData,
        None,
        None,
        placement.region,
        None,
    ) else {
        sink.warn(
            None,
            Provider::Aws,
            "no price for NAT gateway data processing: not priced".into(),
        );
        return;
    };
    let gb = (assumed * Decimal::from(behind) / Decimal::from(traffic.servers)).round_dp(2);
    let rule = if ctx.detail {
        format!(
            "{} ; {behind} of the design's {} application server(s) and worker(s) sit in this private network with no load balancer in front: their share of the {assumed} GB egress leaves through the NAT gateway",
            unit_rule(ctx, "processed", gb, entry),
            traffic.servers
        )
    } else {
        String::new()
    };
    sink.charge(
        ctx,
        None,
        placement,
        Charge {
            entry,
            item: "NAT gateway data".into(),
            quantity: gb,
            native_monthly: monthly_of(ctx, entry, gb),
            rule,
            saving: None,
            group: Some(group),
        },
    );
}

fn is_server_resource(resource: &str) -> bool {
    matches!(
        resource,
        "hcloud_server"
            | "digitalocean_droplet"
            | "digitalocean_droplet_autoscale"
            | "aws_instance"
            | "aws_autoscaling_group"
    )
}

#[allow(clippy::too_many_arguments)]
fn price_component<'a, S: ChargeSink<'a>>(
    ctx: &Ctx<'a>,
    c: &'a Component,
    place: Placement<'a>,
    offering: &'a Offering,
    server_like: bool,
    aws_lbs: usize,
    effects: &mut Effects<'a>,
    sink: &mut S,
) {
    let model = catalog();
    let provider = place.provider;
    let count = Decimal::from(c.count);
    let emit = |sink: &mut S,
                entry: &'a PriceEntry,
                item: Cow<'a, str>,
                quantity: Decimal,
                rule: String| {
        let native_monthly = monthly_of(ctx, entry, quantity);
        sink.charge(
            ctx,
            Some(c),
            place,
            Charge {
                entry,
                item,
                quantity,
                native_monthly,
                rule,
                saving: None,
                group: None,
            },
        );
    };
    let missing = |sink: &mut S, what: String| {
        sink.warn(
            Some(c),
            provider,
            format!("no price for {what} in the catalogue: not priced"),
        );
    };

    // A kind the provider does not run natively is priced as what replaces it.
    if server_like {
        let fallback_default = offering
            .fallback
            .and_then(|k| model.offering(k, provider))
            .and_then(|o| o.default_size.as_deref());
        let Some(size) = place
            .size
            .or(offering.default_size.as_deref())
            .or(fallback_default)
        else {
            missing(sink, format!("a {} without a size", c.kind.slug()));
            return;
        };
        price_server(ctx, c, place, offering, size, effects, sink);
        return;
    }
    if !offering.native {
        sink.warn(Some(c), provider, format!("{} (not priced)", offering.note));
        return;
    }
    let region = place.region;
    let free = |product: Product| ctx.index.find(provider, product, None, None, region, None);
    match c.kind {
        ComponentKind::LoadBalancer => {
            let size = place
                .size
                .or(offering.default_size.as_deref())
                .unwrap_or("");
            match provider {
                Provider::Digitalocean => {
                    let nodes = size
                        .strip_prefix("lb-")
                        .and_then(|n| n.parse::<u32>().ok())
                        .unwrap_or(1);
                    let Some(entry) =
                        ctx.index
                            .find(provider, Product::LoadBalancer, None, None, region, None)
                    else {
                        return missing(sink, "a load balancer node".into());
                    };
                    let q = count * Decimal::from(nodes);
                    let rule = unit_rule(
                        ctx,
                        &format!("node(s) ({} × {size} with {nodes} node(s))", c.count),
                        q,
                        entry,
                    );
                    emit(
                        sink,
                        entry,
                        ctx.text(|| format!("load balancer {size}")),
                        q,
                        rule,
                    );
                }
                Provider::Aws => {
                    let Some(entry) = ctx.index.find(
                        provider,
                        Product::LoadBalancer,
                        Some(size),
                        None,
                        region,
                        None,
                    ) else {
                        return missing(
                            sink,
                            format!("load balancer {size} in {}", region.unwrap_or("any region")),
                        );
                    };
                    let rule = unit_rule(ctx, size, count, entry);
                    emit(
                        sink,
                        entry,
                        ctx.text(|| format!("load balancer {size}")),
                        count,
                        rule,
                    );
                    let Some(lcu) = ctx.index.find(
                        provider,
                        Product::LoadBalancerCapacity,
                        Some(size),
                        None,
                        region,
                        None,
                    ) else {
                        return missing(sink, format!("{size} capacity units"));
                    };
                    // One capacity unit processes 1 GB an hour; the design's egress is spread
                    // over its load balancers, with the one-unit minimum AWS bills.
                    let per_hour =
                        ctx.egress_gb.unwrap_or_default() / ctx.hours / Decimal::from(aws_lbs);
                    let units = per_hour.max(Decimal::ONE).round_dp(2);
                    let q = count * units;
                    let rule = if ctx.detail {
                        format!(
                            "{} ; {units} units = max(1, {} GB egress ÷ {} h ÷ {aws_lbs} load balancer(s))",
                            unit_rule(ctx, "capacity units", q, lcu),
                            ctx.egress_gb.unwrap_or_default(),
                            ctx.hours.normalize()
                        )
                    } else {
                        String::new()
                    };
                    emit(
                        sink,
                        lcu,
                        ctx.text(|| format!("{size} capacity units")),
                        q,
                        rule,
                    );
                }
                _ => {
                    let Some(entry) = ctx.index.find(
                        provider,
                        Product::LoadBalancer,
                        Some(size),
                        None,
                        region,
                        None,
                    ) else {
                        return missing(sink, format!("load balancer {size}"));
                    };
                    let rule = unit_rule(ctx, size, count, entry);
                    emit(
                        sink,
                        entry,
                        ctx.text(|| format!("load balancer {size}")),
                        count,
                        rule,
                    );
                }
            }
        }
        ComponentKind::ManagedDatabase | ComponentKind::Cache => {
            let size = place
                .size
                .or(offering.default_size.as_deref())
                .unwrap_or("");
            let product = if c.kind == ComponentKind::Cache {
                Product::Cache
            } else {
                Product::ManagedDatabase
            };
            let variant = match c.properties.engine {
                Some(Engine::Redis) => Some("redis"),
                Some(Engine::Valkey) | None if c.kind == ComponentKind::Cache => Some("valkey"),
                _ => None,
            };
            let Some(od_entry) =
                ctx.index
                    .find(provider, product, Some(size), None, region, variant)
            else {
                return missing(
                    sink,
                    format!(
                        "{} {size} in {}",
                        c.kind.slug(),
                        region.unwrap_or("any region")
                    ),
                );
            };
            let asked = c.properties.standby_nodes.unwrap_or(0);
            // RDS is provisioned as a Multi-AZ DB instance deployment: one standby, whatever
            // the count asked, so two copies of the instance and of its storage (as the AWS
            // driver creates it and `ResourcePricer` prices it).
            let rds = provider == Provider::Aws && c.kind == ComponentKind::ManagedDatabase;
            let standby = if rds { asked.min(1) } else { asked };
            let nodes = Decimal::from(1 + standby);
            let q = count * nodes;
            let (entry, saving) = reserved_node(
                ctx, c, provider, product, size, region, variant, od_entry, q, sink,
            );
            let why = if rds && standby > 0 {
                "Multi-AZ DB instance: one standby doubles the instance and its storage"
            } else if standby > 0 {
                "standby nodes cost as much as the primary"
            } else {
                "single node"
            };
            let rule = if ctx.detail {
                let bought = match saving {
                    Some((p, _)) => format!(" ; bought {p:?}"),
                    None => String::new(),
                };
                let asked_more = if standby != asked {
                    format!(" (standby_nodes {asked} asked; RDS provisions one)")
                } else {
                    String::new()
                };
                format!(
                    "{} ; {} × (1 primary + {standby} standby{asked_more}): {why}{bought}",
                    unit_rule(ctx, &format!("node(s) of {size}"), q, entry),
                    c.count
                )
            } else {
                String::new()
            };
            sink.charge(
                ctx,
                Some(c),
                place,
                Charge {
                    entry,
                    item: ctx.text(|| format!("{} {size}", c.kind.slug().replace('_', " "))),
                    quantity: q,
                    native_monthly: monthly_of(ctx, entry, q),
                    rule,
                    saving,
                    group: None,
                },
            );
            if c.kind == ComponentKind::ManagedDatabase {
                let included = ctx.size(provider, size).map_or(0, |s| s.disk_gb);
                let wanted = c
                    .properties
                    .storage_gb
                    .unwrap_or(if provider == Provider::Aws { 20 } else { 0 });
                if wanted > included {
                    let Some(storage) = ctx.index.find(
                        provider,
                        Product::DatabaseStorage,
                        None,
                        None,
                        region,
                        None,
                    ) else {
                        return missing(sink, "database storage".into());
                    };
                    let extra = Decimal::from(wanted - included);
                    let copies = if provider == Provider::Aws {
                        nodes
                    } else {
                        Decimal::ONE
                    };
                    let q = count * extra * copies;
                    let rule = if ctx.detail {
                        let unit = if storage.unit == Unit::Gib {
                            "GiB"
                        } else {
                            "GB"
                        };
                        format!(
                            "{} ; {wanted} {unit} wanted, {included} {unit} included with the size, × {copies} cop(ies){}",
                            unit_rule(ctx, "storage", q, storage),
                            if storage.unit == Unit::Gib { GIB_SIZED } else { "" }
                        )
                    } else {
                        String::new()
                    };
                    emit(sink, storage, "database storage".into(), q, rule);
                }
            }
        }
        ComponentKind::ObjectStorage => {
            let gb = c.properties.storage_gb.map(Decimal::from);
            if let Some(base) = free(Product::ObjectStorage) {
                let rule = unit_rule(ctx, "bucket subscription", count, base);
                emit(sink, base, "object storage base".into(), count, rule);
                let included: Decimal = base
                    .includes
                    .iter()
                    .filter(|a| a.what == AllowanceKind::Storage)
                    .map(|a| a.gb())
                    .sum();
                if let (Some(gb), Some(extra_entry)) = (gb, free(Product::ObjectStorageStorage)) {
                    let extra_gb = (gb - included).max(Decimal::ZERO);
                    let q = match extra_entry.unit {
                        Unit::TbMonth => extra_gb / Decimal::ONE_THOUSAND,
                        // Stored data is assumed in GB; DigitalOcean bills Spaces per GiB.
                        Unit::Gib => crate::catalog::gb_to_gib(extra_gb),
                        _ => extra_gb,
                    } * count;
                    let rule = if ctx.detail {
                        let included = if extra_entry.unit == Unit::Gib {
                            format!(
                                "{} GiB included ({} GB); 1 GiB = {} GB",
                                crate::catalog::gb_to_gib(included).normalize(),
                                included.normalize(),
                                crate::catalog::gb_per_gib().normalize()
                            )
                        } else {
                            format!("{included} GB included")
                        };
                        format!(
                            "{} ; {gb} GB stored − {included}",
                            unit_rule(ctx, "extra storage", q, extra_entry)
                        )
                    } else {
                        String::new()
                    };
                    emit(sink, extra_entry, "extra storage".into(), q, rule);
                }
            } else if let Some(entry) = free(Product::ObjectStorageStorage) {
                let Some(gb) = gb else {
                    return sink.warn(
                        Some(c),
                        provider,
                        "object storage without storage_gb: storage not estimated".into(),
                    );
                };
                let q = gb * count;
                let rule = unit_rule(ctx, "stored", q, entry);
                emit(sink, entry, "object storage".into(), q, rule);
            } else {
                missing(
                    sink,
                    format!("object storage in {}", region.unwrap_or("any region")),
                );
            }
        }
        ComponentKind::BlockVolume => {
            let Some(gb) = c.properties.storage_gb else {
                return sink.warn(
                    Some(c),
                    provider,
                    "block volume without storage_gb: not priced".into(),
                );
            };
            let Some(entry) = free(Product::Volume) else {
                return missing(
                    sink,
                    format!("volumes in {}", region.unwrap_or("any region")),
                );
            };
            let q = Decimal::from(gb) * count;
            let mut rule = unit_rule(ctx, "volume", q, entry);
            if ctx.detail && entry.unit == Unit::Gib {
                rule.push_str(GIB_SIZED);
            }
            emit(sink, entry, "volume".into(), q, rule);
            if c.properties
                .backup
                .as_ref()
                .is_some_and(|b| b.snapshots.is_some())
            {
                if let Some(snap) = free(Product::Snapshot) {
                    let rule = if ctx.detail {
                        format!(
                            "{} ; one full-size snapshot kept",
                            unit_rule(ctx, "snapshot", q, snap)
                        )
                    } else {
                        String::new()
                    };
                    emit(sink, snap, "snapshots".into(), q, rule);
                } else {
                    missing(sink, "snapshots".into());
                }
            }
        }
        ComponentKind::Cdn => {
            effects.cdn = true;
            match free(Product::Cdn) {
                Some(entry) => {
                    let rule = if ctx.detail {
                        format!(
                            "{} ; its traffic is priced with the design's egress",
                            unit_rule(ctx, "distribution", count, entry)
                        )
                    } else {
                        String::new()
                    };
                    emit(sink, entry, "CDN".into(), count, rule);
                }
                None => missing(sink, "a CDN".into()),
            }
        }
        ComponentKind::Monitoring if provider == Provider::Aws => {
            let Some(entry) = free(Product::Monitoring) else {
                return missing(sink, "alarms".into());
            };
            let q = Decimal::from(10) * count;
            let rule = if ctx.detail {
                format!(
                    "{} ; assumed 10 standard alarms",
                    unit_rule(ctx, "alarms", q, entry)
                )
            } else {
                String::new()
            };
            emit(sink, entry, "alarms".into(), q, rule);
        }
        kind => {
            let product = match kind {
                ComponentKind::DnsZone => Product::DnsZone,
                ComponentKind::Firewall => Product::Firewall,
                ComponentKind::VpnLink => Product::VpnLink,
                ComponentKind::BackupJob => Product::BackupJob,
                ComponentKind::Monitoring => Product::Monitoring,
                _ => return missing(sink, kind.slug().to_owned()),
            };
            let Some(entry) = free(product) else {
                return missing(sink, kind.slug().to_owned());
            };
            let rule = unit_rule(ctx, kind.slug(), count, entry);
            emit(
                sink,
                entry,
                ctx.text(|| kind.slug().replace('_', " ")),
                count,
                rule,
            );
        }
    }
}

/// The price entry a managed database or cache node is bought at: the reserved one the
/// component asks for when the catalogue has it, else on demand with a warning saying why.
/// Returns the entry and, when reserved, the on-demand monthly cost it is compared against.
#[allow(clippy::too_many_arguments)]
fn reserved_node<'a, S: ChargeSink<'a>>(
    ctx: &Ctx<'a>,
    c: &'a Component,
    provider: Provider,
    product: Product,
    size: &str,
    region: Option<&str>,
    variant: Option<&str>,
    od_entry: &'a PriceEntry,
    quantity: Decimal,
    sink: &mut S,
) -> (&'a PriceEntry, Option<(PurchaseOption, Decimal)>) {
    let purchase = c.properties.purchase.unwrap_or_default();
    if purchase == PurchaseOption::OnDemand {
        return (od_entry, None);
    }
    let what = if product == Product::Cache {
        "cache nodes"
    } else {
        "managed databases"
    };
    let why = if provider != Provider::Aws {
        format!(
            "{} sells no reserved or spot {what}: priced on demand",
            provider.label()
        )
    } else if let Some(bought) = ctx.index.find(
        provider,
        product,
        Some(size),
        Some(purchase),
        region,
        variant,
    ) {
        return (
            bought,
            Some((purchase, monthly_of(ctx, od_entry, quantity))),
        );
    } else if purchase == PurchaseOption::Spot {
        format!("AWS sells no spot {what}: priced on demand")
    } else if purchase == PurchaseOption::Reserved3y && product == Product::ManagedDatabase {
        "AWS sells 3-year RDS reservations only with an upfront payment (no-upfront is 1-year only): priced on demand".to_owned()
    } else {
        format!(
            "no {purchase:?} price for {size} in {}: priced on demand",
            region.unwrap_or("any region")
        )
    };
    sink.warn(Some(c), provider, why);
    (od_entry, None)
}

/// How a provider bills a server's public IPv4 address, for the line's rule.
fn ipv4_billing(provider: Provider) -> &'static str {
    match provider {
        Provider::Hetzner => "Hetzner bills a server's primary IPv4 by the month unless it is disabled",
        Provider::Aws => "AWS bills every public IPv4 address by the hour since February 2024; instances in Stagecraft's public subnets get one (MapPublicIpOnLaunch)",
        Provider::Digitalocean => "a droplet's public IPv4 is included in its price: no charge",
        _ => "the provider's price for a public IPv4 address",
    }
}

fn price_server<'a, S: ChargeSink<'a>>(
    ctx: &Ctx<'a>,
    c: &'a Component,
    place: Placement<'a>,
    offering: &'a Offering,
    size: &'a str,
    effects: &mut Effects<'a>,
    sink: &mut S,
) {
    let provider = place.provider;
    let region = place.region;
    let count = Decimal::from(c.count);
    let charge = |sink: &mut S,
                  entry: &'a PriceEntry,
                  item: Cow<'a, str>,
                  quantity: Decimal,
                  rule: String,
                  saving| {
        let native_monthly = monthly_of(ctx, entry, quantity);
        sink.charge(
            ctx,
            Some(c),
            place,
            Charge {
                entry,
                item,
                quantity,
                native_monthly,
                rule,
                saving,
                group: None,
            },
        );
    };
    let purchase = c.properties.purchase.unwrap_or_default();
    let on_demand = if provider == Provider::Aws {
        Some(PurchaseOption::OnDemand)
    } else {
        None
    };
    let Some(od_entry) = ctx.index.find(
        provider,
        Product::Server,
        Some(size),
        on_demand,
        region,
        None,
    ) else {
        sink.warn(
            Some(c),
            provider,
            format!(
                "no price for server size {size} in {}: not priced",
                region.unwrap_or("any region")
            ),
        );
        return;
    };
    let mut entry = od_entry;
    let mut saving = None;
    if purchase != PurchaseOption::OnDemand {
        if provider != Provider::Aws {
            sink.warn(
                Some(c),
                provider,
                format!(
                    "{} sells no reserved or spot capacity: priced on demand",
                    provider.label()
                ),
            );
        } else if let Some(bought) = ctx.index.find(
            provider,
            Product::Server,
            Some(size),
            Some(purchase),
            region,
            None,
        ) {
            entry = bought;
            saving = Some((purchase, monthly_of(ctx, od_entry, count)));
        } else {
            sink.warn(
                Some(c),
                provider,
                format!("no {purchase:?} price for {size}: priced on demand"),
            );
        }
    }
    let server_monthly = monthly_of(ctx, entry, count);
    let what = if c.kind.is_server() || offering.native {
        String::from("server(s)")
    } else {
        format!("server(s) standing in: {}", offering.note)
    };
    let mut rule = unit_rule(ctx, &what, count, entry);
    if ctx.detail {
        if place.size.is_none() {
            rule.push_str(&format!(" ; no size set: catalogue default {size}"));
        }
        if let Some((p, _)) = saving {
            rule.push_str(&format!(" ; bought {p:?}"));
        }
    }
    let item = ctx.text(|| format!("server {size}"));
    charge(sink, entry, item, count, rule, saving);

    // Included traffic, for the egress line.
    let allowance: Decimal = entry
        .includes
        .iter()
        .filter(|a| a.what == AllowanceKind::Egress)
        .map(|a| a.gb())
        .sum();
    effects.included_egress = allowance * count;
    effects.server = Some(region);

    // Public IPv4: every server has one unless the design says `public_ipv4: false` (a Hetzner
    // server gets a primary IPv4 unless disabled; an AWS instance gets one in the public subnets
    // Stagecraft creates, MapPublicIpOnLaunch; a droplet's is part of its price).
    if c.properties.public_ipv4 != Some(false) {
        if let Some(ip) = ctx
            .index
            .find(provider, Product::PrimaryIpv4, None, None, region, None)
        {
            let mut rule = unit_rule(ctx, "public IPv4", count, ip);
            if ctx.detail {
                let set = if c.properties.public_ipv4 == Some(true) {
                    "public_ipv4 true"
                } else {
                    "public_ipv4 not set: public by default; set it false to go without"
                };
                rule.push_str(&format!(" ; {set} ; {}", ipv4_billing(provider)));
            }
            charge(sink, ip, "primary IPv4".into(), count, rule, None);
        } else {
            sink.warn(
                Some(c),
                provider,
                "no price for a public IPv4 address: not priced".into(),
            );
        }
    }

    // Storage beyond the server's own disk goes on a volume.
    let disk = ctx.size(provider, size).map_or(0, |s| s.disk_gb);
    let wanted = match c.properties.storage_gb {
        Some(gb) => Some(gb),
        None if provider == Provider::Aws => Some(8),
        None => None,
    };
    if let Some(gb) = wanted.filter(|gb| *gb > disk) {
        if let Some(vol) = ctx
            .index
            .find(provider, Product::Volume, None, None, region, None)
        {
            let q = Decimal::from(gb) * count;
            let rule = if ctx.detail {
                let why = if c.properties.storage_gb.is_some() {
                    format!("storage_gb {gb} > the size's {disk} GB disk")
                } else {
                    "8 GB root volume".to_owned()
                };
                format!("{} ; {why}", unit_rule(ctx, "volume", q, vol))
            } else {
                String::new()
            };
            charge(sink, vol, "volume".into(), q, rule, None);
        } else {
            sink.warn(
                Some(c),
                provider,
                "no price for volumes: storage not priced".into(),
            );
        }
    }

    // Provider backups of the server: asked for by a snapshot schedule, and always for a
    // database that replaces a managed one (nobody else is taking its backups).
    let schedule = c.properties.backup.as_ref().and_then(|b| b.snapshots);
    let replaces_managed = c.kind == ComponentKind::ManagedDatabase && !offering.native;
    if schedule.is_some() || replaces_managed {
        match provider {
            Provider::Aws => {
                let gb = wanted.unwrap_or(8);
                if let Some(snap) =
                    ctx.index
                        .find(provider, Product::Snapshot, None, None, region, None)
                {
                    let q = Decimal::from(gb) * count;
                    let rule = if ctx.detail {
                        format!(
                            "{} ; one full-size EBS snapshot kept",
                            unit_rule(ctx, "snapshot", q, snap)
                        )
                    } else {
                        String::new()
                    };
                    charge(sink, snap, "snapshots".into(), q, rule, None);
                }
            }
            _ => {
                let variant = match schedule {
                    Some(Schedule::Daily | Schedule::Hourly) => Some("daily"),
                    _ => Some("weekly"),
                };
                if let Some(backup) =
                    ctx.index
                        .find(provider, Product::ServerBackup, None, None, region, variant)
                {
                    let rule = if ctx.detail {
                        let why = if replaces_managed {
                            " (self-hosted database replacing a managed one)"
                        } else {
                            ""
                        };
                        format!(
                            "{}% of the server price {}{}{why}",
                            backup.amount.normalize(),
                            sym(entry.currency),
                            server_monthly.round_dp(2)
                        )
                    } else {
                        String::new()
                    };
                    charge(sink, backup, "backups".into(), server_monthly, rule, None);
                } else {
                    sink.warn(
                        Some(c),
                        provider,
                        "no price for server backups: not priced".into(),
                    );
                }
            }
        }
    }
}

fn price_egress<'a, S: ChargeSink<'a>>(ctx: &Ctx<'a>, tracker: &Tracker<'a>, sink: &mut S) {
    // The design's egress is carried by the provider running most of its servers.
    let Some((provider, (_, region))) = Provider::REAL
        .iter()
        .filter_map(|&p| tracker.servers[p as usize].map(|s| (p, s)))
        .max_by_key(|(p, (n, _))| (*n, std::cmp::Reverse(*p)))
    else {
        return;
    };
    let Some(assumed) = ctx.egress_gb else {
        sink.warn(
            None,
            provider,
            "assumptions.monthly_egress_gb is not set: traffic to the internet is not priced"
                .into(),
        );
        return;
    };
    let place = Placement {
        provider,
        region,
        size: None,
    };
    let included = tracker.included_egress[provider as usize];
    let mut total_native = Decimal::ZERO;
    let mut currency = None;
    let mut charged = Decimal::ZERO;
    let mut free_gb = Decimal::ZERO;
    let rule_head;
    if provider == Provider::Aws {
        let cdn = tracker.cdn.contains(&Provider::Aws);
        let (product, region) = if cdn {
            (Product::CdnEgress, None)
        } else {
            (Product::Egress, region)
        };
        rule_head = if cdn {
            "through CloudFront, by tier"
        } else {
            "data transfer out, by tier"
        };
        let mut tiers: Vec<&PriceEntry> = ctx
            .index
            .all(provider, product, None, None, region)
            .collect();
        tiers.sort_by_key(|e| e.tier.as_ref().map(|t| t.from));
        for entry in tiers {
            let Some(tier) = &entry.tier else { continue };
            let top = tier.to.map_or(assumed, |to| assumed.min(to));
            let q = (top - tier.from).max(Decimal::ZERO);
            if q.is_zero() {
                continue;
            }
            if entry.amount.is_zero() {
                free_gb += q;
            } else {
                charged += q;
            }
            let rule = if ctx.detail {
                format!(
                    "{} GB in the band {}–{} GB",
                    q.normalize(),
                    tier.from.normalize(),
                    tier.to
                        .map_or("∞".to_owned(), |t| t.normalize().to_string())
                )
            } else {
                String::new()
            };
            let native = monthly_of(ctx, entry, q);
            total_native += native;
            currency = Some(entry.currency);
            sink.charge(
                ctx,
                None,
                place,
                Charge {
                    entry,
                    item: "egress".into(),
                    quantity: q,
                    native_monthly: native,
                    rule: if ctx.detail {
                        format!(
                            "{rule} × {}{} per GB ; {rule_head}",
                            sym(entry.currency),
                            entry.amount
                        )
                    } else {
                        rule
                    },
                    saving: None,
                    group: None,
                },
            );
        }
    } else {
        let Some(entry) = ctx
            .index
            .find(provider, Product::Egress, None, None, region, None)
        else {
            sink.warn(
                None,
                provider,
                "no price for egress beyond the included traffic: not priced".into(),
            );
            return;
        };
        rule_head = if provider == Provider::Hetzner {
            "each server includes traffic (20 TB in the EU), counted together here"
        } else {
            "droplet transfer is pooled across the account"
        };
        free_gb = included.min(assumed);
        charged = (assumed - included).max(Decimal::ZERO);
        // The assumption is in GB; the price is per the provider's own unit.
        let q = match entry.unit {
            Unit::Tb => charged / Decimal::ONE_THOUSAND,
            Unit::Gib => crate::catalog::gb_to_gib(charged),
            _ => charged,
        };
        let native = monthly_of(ctx, entry, q);
        total_native = native;
        currency = Some(entry.currency);
        let rule = if ctx.detail {
            let gb = crate::catalog::gb_display;
            if entry.unit == Unit::Gib {
                format!(
                    "{assumed} GB assumed − {} GiB included ({} GB) = {} GB charged = {} GiB (1 GiB = {} GB) ; {} ; {rule_head}",
                    gb(included / crate::catalog::gb_per_gib()),
                    gb(included),
                    gb(charged),
                    q.normalize(),
                    crate::catalog::gb_per_gib().normalize(),
                    unit_rule(ctx, "overage", q, entry)
                )
            } else {
                format!(
                    "{assumed} GB assumed − {} GB included = {} GB charged ; {} ; {rule_head}",
                    included.normalize(),
                    charged.normalize(),
                    unit_rule(ctx, "overage", q, entry)
                )
            }
        } else {
            String::new()
        };
        sink.charge(
            ctx,
            None,
            place,
            Charge {
                entry,
                item: "egress".into(),
                quantity: q,
                native_monthly: native,
                rule,
                saving: None,
                group: None,
            },
        );
    }
    let monthly = ctx
        .convert(total_native, currency.unwrap_or(ctx.currency))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    sink.egress(EgressSummary {
        provider,
        assumed_gb: assumed,
        included_gb: if provider == Provider::Aws {
            free_gb
        } else {
            included
        },
        charged_gb: charged,
        monthly,
        rule: rule_head.to_owned(),
    });
}

/// Conversion and rounding of native amounts, memoized: a large design repeats the same few
/// amounts, and decimal division is the costliest step of an estimate.
#[derive(Default)]
pub(crate) struct Converted {
    /// Keyed by the amount's exact representation: `Decimal`'s own `Hash` normalizes the value
    /// first, which cost more than the division it saves. Equal amounts of different scale only
    /// miss the memo, never get a wrong answer.
    memo: HashMap<([u8; 16], Currency), (Decimal, Decimal)>,
}

impl Converted {
    /// The monthly amount in the estimate's currency, rounded to cents, and its hourly share.
    pub(crate) fn get(
        &mut self,
        ctx: &Ctx<'_>,
        native: Decimal,
        currency: Currency,
    ) -> (Decimal, Decimal) {
        *self
            .memo
            .entry((native.serialize(), currency))
            .or_insert_with(|| {
                let converted = ctx.convert(native, currency);
                (cents(converted), (converted / ctx.hours).round_dp(4))
            })
    }
}

/// Rounds to cents, half away from zero, always with two decimals (`6.50`, not `6.5`).
pub(crate) fn cents(d: Decimal) -> Decimal {
    let mut rounded = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// Builds the detailed estimate.
#[derive(Default)]
struct LineSink {
    converted: Converted,
    /// The rule's note on currency conversion, the same for every converted line.
    conversion_note: Option<String>,
    lines: Vec<CostLine>,
    warnings: Vec<CostWarning>,
    egress: Vec<EgressSummary>,
    unpriced: HashSet<ComponentId>,
}

impl<'a> ChargeSink<'a> for LineSink {
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
        ctx: &Ctx<'a>,
        component: Option<&'a Component>,
        place: Placement<'a>,
        charge: Charge<'a>,
        priced: Priced,
    ) {
        let entry = charge.entry;
        let Priced {
            monthly, hourly, ..
        } = priced;
        let mut rule = charge.rule;
        if entry.currency != ctx.currency && ctx.detail {
            let note = self.conversion_note.get_or_insert_with(|| {
                format!(
                    " ; converted at 1 EUR = {} USD",
                    ctx.usd_per_eur.normalize()
                )
            });
            rule.push_str(note);
        }
        let saving = charge.saving.zip(priced.on_demand_monthly).map(
            |((purchase, _), on_demand_monthly)| Saving {
                purchase,
                on_demand_monthly,
                monthly_saving: on_demand_monthly - monthly,
            },
        );
        self.lines.push(CostLine {
            component: component.map(|c| c.id.clone()),
            name: component.map_or_else(|| charge.item.clone().into_owned(), |c| c.name.clone()),
            kind: component.map(|c| c.kind),
            provider: place.provider,
            region: place.region.map(str::to_owned),
            group: component
                .and_then(|c| c.group.clone())
                .or(charge.group.cloned()),
            item: charge.item.into_owned(),
            quantity: charge.quantity.round_dp(4).normalize(),
            unit: entry.unit,
            unit_price: entry.amount,
            price_currency: entry.currency,
            monthly,
            hourly,
            rule,
            price: PriceRef {
                id: entry.id.clone(),
                source: entry.source.clone(),
                as_of: entry.as_of.clone(),
                estimate: entry.estimate,
            },
            saving,
        });
    }

    fn warn(&mut self, component: Option<&'a Component>, provider: Provider, message: String) {
        if let Some(c) = component {
            self.unpriced.insert(c.id.clone());
        }
        self.warnings.push(CostWarning {
            component: component.map(|c| c.id.clone()),
            name: component.map_or_else(|| "design".to_owned(), |c| c.name.clone()),
            provider,
            message,
        });
    }

    fn egress(&mut self, summary: EgressSummary) {
        self.egress.push(summary);
    }
}

impl LineSink {
    fn finish(self, ctx: &Ctx<'_>, design: &Design) -> Estimate {
        let monthly: Decimal = self.lines.iter().map(|l| l.monthly).sum();
        let savings: Decimal = self
            .lines
            .iter()
            .filter_map(|l| l.saving.as_ref())
            .map(|s| s.monthly_saving)
            .sum();
        let names: HashMap<&GroupId, &str> = design
            .groups
            .iter()
            .map(|g| (&g.id, g.name.as_str()))
            .collect();
        // Hash maps while summing (one lookup per line); the sorted maps below order the output.
        let mut group_sums: HashMap<Option<&GroupId>, Decimal> = HashMap::default();
        let mut region_sums: HashMap<Option<&str>, Decimal> = HashMap::default();
        let mut by_provider: BTreeMap<Provider, Decimal> = BTreeMap::new();
        for line in &self.lines {
            *group_sums.entry(line.group.as_ref()).or_default() += line.monthly;
            *region_sums.entry(line.region.as_deref()).or_default() += line.monthly;
            *by_provider.entry(line.provider).or_default() += line.monthly;
        }
        let mut by_group: BTreeMap<String, (String, Decimal)> = BTreeMap::new();
        for (group, monthly) in group_sums {
            let (key, label) = match group {
                Some(g) => (
                    g.to_string(),
                    names
                        .get(g)
                        .map_or_else(|| g.to_string(), |n| (*n).to_owned()),
                ),
                None => ("-".to_owned(), "(no group)".to_owned()),
            };
            by_group.insert(key, (label, monthly));
        }
        let by_region: BTreeMap<String, Decimal> = region_sums
            .into_iter()
            .map(|(r, m)| (r.unwrap_or("-").to_owned(), m))
            .collect();
        let totals = totals(ctx, monthly, savings, self.unpriced.len() as u32);
        Estimate {
            design: design.name.clone(),
            currency: ctx.currency,
            hours_per_month: ctx.hours,
            usd_per_eur: ctx.usd_per_eur,
            catalogs: ctx.catalogs.clone(),
            lines: self.lines,
            warnings: self.warnings,
            egress: self.egress,
            totals,
            by_group: by_group
                .into_iter()
                .map(|(key, (label, monthly))| Subtotal {
                    key,
                    label,
                    monthly,
                })
                .collect(),
            by_region: by_region
                .into_iter()
                .map(|(key, monthly)| Subtotal {
                    label: if key == "-" {
                        "(no region)".into()
                    } else {
                        key.clone()
                    },
                    key,
                    monthly,
                })
                .collect(),
            by_provider: by_provider
                .into_iter()
                .map(|(p, monthly)| Subtotal {
                    key: p.slug().into(),
                    label: p.label().into(),
                    monthly,
                })
                .collect(),
        }
    }
}

pub(crate) fn totals(ctx: &Ctx<'_>, monthly: Decimal, savings: Decimal, unpriced: u32) -> Totals {
    let vat = ctx
        .vat_percent
        .map_or(Decimal::ZERO, |p| cents(monthly * p / Decimal::ONE_HUNDRED));
    Totals {
        monthly,
        hourly: (monthly / ctx.hours).round_dp(4),
        vat_percent: ctx.vat_percent,
        vat,
        monthly_with_vat: monthly + vat,
        hourly_with_vat: ((monthly + vat) / ctx.hours).round_dp(4),
        savings,
        unpriced_components: unpriced,
    }
}

impl Estimate {
    /// The lines of one component.
    pub fn lines_of<'a>(&'a self, id: &'a ComponentId) -> impl Iterator<Item = &'a CostLine> + 'a {
        self.lines
            .iter()
            .filter(move |l| l.component.as_ref() == Some(id))
    }

    /// The monthly cost of one component.
    pub fn component_monthly(&self, id: &ComponentId) -> Decimal {
        self.lines_of(id).map(|l| l.monthly).sum()
    }

    /// The total as text in the estimate's currency (`€12.34`).
    pub fn total_text(&self) -> String {
        money(self.totals.monthly, self.currency)
    }
}
