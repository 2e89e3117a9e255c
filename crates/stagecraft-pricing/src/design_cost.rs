//! Monthly cost as numbers, without the text of an estimate: the cost of a design and of each
//! of its components ([`design_cost`]), and the monthly price of one resource at a provider (a
//! server of a size in a region) as a provisioning plan sees it ([`ResourcePricer`]).
//!
//! Both use the same catalogue entries, rules and rounding as [`crate::estimate_with`]: the sum
//! of a component's lines in an estimate equals its [`ComponentCost::monthly`] here.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;
use stagecraft_model::{
    catalog, Component, ComponentId, Currency, Design, Engine, Provider, PurchaseOption,
};

use crate::catalog::{CatalogInfo, PriceCatalog, PriceEntry, PriceIndex, Product, Unit};
use crate::estimate::{
    cents, own_classes, own_placement, price_design, Charge, ChargeSink, Converted, CostOptions,
    Ctx, EgressSummary, Placement,
};

/// What a design costs a month, in total and per component.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct DesignCost {
    pub currency: Currency,
    /// Net of VAT, the sum of the components and the design-level charges.
    pub monthly: Decimal,
    /// Every component with at least one charge, in design order.
    pub components: Vec<ComponentCost>,
    /// Charges of no single component: egress, NAT gateways.
    pub design_level: Decimal,
    /// Components with a price missing; the totals are then a lower bound.
    pub unpriced_components: u32,
    pub catalogs: Vec<CatalogInfo>,
}

/// What one component costs a month.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ComponentCost {
    pub component: ComponentId,
    pub name: String,
    pub monthly: Decimal,
}

impl DesignCost {
    /// The monthly cost of one component (zero when it has no charge).
    pub fn of(&self, id: &ComponentId) -> Decimal {
        self.components
            .iter()
            .find(|c| &c.component == id)
            .map_or(Decimal::ZERO, |c| c.monthly)
    }
}

/// The monthly cost of `design` where its components are placed, with `catalogs` layered as in
/// [`crate::estimate_with`].
pub fn design_cost(
    design: &Design,
    options: &CostOptions,
    catalogs: &[&PriceCatalog],
) -> DesignCost {
    let ctx = Ctx::new(design, options, catalogs, false);
    let mut sink = CostSink::default();
    let classes = own_classes(design, options);
    price_design(
        &ctx,
        design,
        &|_, c| own_placement(c, options),
        &classes,
        &mut sink,
    );
    DesignCost {
        currency: ctx.currency,
        monthly: sink.components.iter().map(|c| c.monthly).sum::<Decimal>() + sink.design_level,
        components: sink.components,
        design_level: sink.design_level,
        unpriced_components: sink.unpriced.len() as u32,
        catalogs: ctx.catalogs.clone(),
    }
}

#[derive(Default)]
struct CostSink<'a> {
    converted: Converted,
    components: Vec<ComponentCost>,
    index: HashMap<&'a ComponentId, usize>,
    design_level: Decimal,
    unpriced: rustc_hash::FxHashSet<&'a ComponentId>,
}

impl<'a> ChargeSink<'a> for CostSink<'a> {
    fn charge(
        &mut self,
        ctx: &Ctx<'a>,
        component: Option<&'a Component>,
        _place: Placement<'a>,
        charge: Charge<'a>,
    ) {
        let (monthly, _) = self
            .converted
            .get(ctx, charge.native_monthly, charge.entry.currency);
        let Some(c) = component else {
            self.design_level += monthly;
            return;
        };
        let components = &mut self.components;
        let i = *self.index.entry(&c.id).or_insert_with(|| {
            components.push(ComponentCost {
                component: c.id.clone(),
                name: c.name.clone(),
                monthly: Decimal::ZERO,
            });
            components.len() - 1
        });
        self.components[i].monthly += monthly;
    }

    fn warn(&mut self, component: Option<&'a Component>, _provider: Provider, _message: String) {
        if let Some(c) = component {
            self.unpriced.insert(&c.id);
        }
    }

    fn egress(&mut self, _summary: EgressSummary) {}
}

/// One resource at a provider, as a provisioning plan knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// A server (Hetzner server, droplet, EC2 instance on demand) of a size in a region.
    /// `public_ipv4`: the server takes a public IPv4 address of its own when created (Hetzner's
    /// automatic primary IPv4, AWS's MapPublicIpOnLaunch), priced with it as the estimate's
    /// "primary IPv4" line; false when it uses a separate [`Resource::PrimaryIpv4`] or has none.
    /// A droplet's address is included in its price either way.
    Server {
        size: &'a str,
        region: &'a str,
        public_ipv4: bool,
    },
    /// A block volume of `gb` GB.
    Volume { gb: u32, region: &'a str },
    /// A load balancer of a size (DigitalOcean `lb-N` sizes are N nodes; AWS adds the
    /// one-capacity-unit minimum).
    LoadBalancer { size: &'a str, region: &'a str },
    /// A public IPv4 address kept apart from a server (included in a droplet's price).
    PrimaryIpv4 { region: &'a str },
    /// A managed database or cache cluster: DigitalOcean prices `size` per node (`nodes` in all,
    /// standbys cost as much as the primary) plus storage beyond the size's own disk; AWS RDS
    /// prices the instance class by the hour, doubled for Multi-AZ (`nodes` > 1: one standby,
    /// as RDS provisions it), plus gp3 storage (`storage_gb`, at least RDS's 20 GB) for each copy.
    /// A Redis or Valkey engine is priced as a cache node.
    Database {
        engine: Engine,
        size: &'a str,
        nodes: u32,
        storage_gb: Option<u32>,
        region: &'a str,
    },
    /// Something the provider does not charge for (networks, firewalls, SSH keys).
    Free,
}

/// The smallest disk RDS allocates, and what the AWS driver asks for when the design names none.
pub const RDS_MIN_STORAGE_GB: u32 = 20;

/// The root volume an EC2 instance launches with (the Ubuntu images' 8 GB), priced as EBS like
/// the estimate's "8 GB root volume".
pub const EC2_ROOT_VOLUME_GB: u32 = 8;

/// Prices single resources with the same catalogue and options as an estimate.
pub struct ResourcePricer<'a> {
    index: PriceIndex<'a>,
    currency: Currency,
    options: CostOptions,
}

impl<'a> ResourcePricer<'a> {
    /// A pricer showing amounts in `currency`, converting at `options.usd_per_eur`.
    pub fn new(catalogs: &[&'a PriceCatalog], currency: Currency, options: &CostOptions) -> Self {
        Self {
            index: PriceIndex::new(catalogs),
            currency,
            options: options.clone(),
        }
    }

    fn hours(&self) -> Decimal {
        if self.options.hours_per_month > Decimal::ZERO {
            self.options.hours_per_month
        } else {
            Decimal::from(730)
        }
    }

    fn monthly_of(&self, entry: &PriceEntry, quantity: Decimal) -> Decimal {
        let native = if entry.unit.is_hourly() {
            quantity * entry.amount * self.hours()
        } else if entry.unit == Unit::Percent {
            Decimal::ZERO
        } else {
            quantity * entry.amount
        };
        let converted = match (entry.currency, self.currency) {
            (a, b) if a == b => native,
            (Currency::Eur, Currency::Usd) => native * self.options.usd_per_eur,
            (Currency::Usd, Currency::Eur) if !self.options.usd_per_eur.is_zero() => {
                native / self.options.usd_per_eur
            }
            _ => native,
        };
        cents(converted)
    }

    fn find(
        &self,
        provider: Provider,
        product: Product,
        sku: Option<&str>,
        region: &str,
    ) -> Option<&'a PriceEntry> {
        self.find_variant(provider, product, sku, region, None)
    }

    fn find_variant(
        &self,
        provider: Provider,
        product: Product,
        sku: Option<&str>,
        region: &str,
        variant: Option<&str>,
    ) -> Option<&'a PriceEntry> {
        let purchase = (provider == Provider::Aws && product == Product::Server)
            .then_some(PurchaseOption::OnDemand);
        self.index
            .find(provider, product, sku, purchase, Some(region), variant)
    }

    fn database(
        &self,
        provider: Provider,
        engine: Engine,
        size: &str,
        nodes: u32,
        storage_gb: Option<u32>,
        region: &str,
    ) -> Option<Decimal> {
        let (product, variant) = match engine {
            Engine::Redis => (Product::Cache, Some("redis")),
            Engine::Valkey => (Product::Cache, Some("valkey")),
            Engine::Postgresql | Engine::Mysql => (Product::ManagedDatabase, None),
        };
        let node = self.find_variant(provider, product, Some(size), region, variant)?;
        let nodes = nodes.max(1);
        match provider {
            Provider::Aws if product == Product::ManagedDatabase => {
                // RDS Multi-AZ keeps one standby, whatever the node count: two copies of the
                // instance and of its storage.
                let copies = Decimal::from(nodes.min(2));
                let gb = storage_gb
                    .unwrap_or(RDS_MIN_STORAGE_GB)
                    .max(RDS_MIN_STORAGE_GB);
                let storage = self.find(provider, Product::DatabaseStorage, None, region)?;
                Some(
                    self.monthly_of(node, copies)
                        + self.monthly_of(storage, Decimal::from(gb) * copies),
                )
            }
            _ => {
                let mut monthly = self.monthly_of(node, Decimal::from(nodes));
                if product == Product::ManagedDatabase {
                    // Storage beyond what the size includes is billed once for the cluster.
                    let included = catalog().size(provider, size).map_or(0, |s| s.disk_gb);
                    let extra = storage_gb.unwrap_or(0).saturating_sub(included);
                    if extra > 0 {
                        let storage =
                            self.find(provider, Product::DatabaseStorage, None, region)?;
                        monthly += self.monthly_of(storage, Decimal::from(extra));
                    }
                }
                Some(monthly)
            }
        }
    }

    /// The monthly price of `resource` on `provider`, rounded to cents; `None` when the
    /// catalogue has no price for it (never a silent zero).
    pub fn monthly(&self, provider: Provider, resource: Resource<'_>) -> Option<Decimal> {
        match resource {
            Resource::Free => Some(Decimal::ZERO),
            Resource::Server {
                size,
                region,
                public_ipv4,
            } => {
                let entry = self.find(provider, Product::Server, Some(size), region)?;
                let mut monthly = self.monthly_of(entry, Decimal::ONE);
                if public_ipv4 && provider != Provider::Digitalocean {
                    let ip = self.find(provider, Product::PrimaryIpv4, None, region)?;
                    monthly += self.monthly_of(ip, Decimal::ONE);
                }
                if provider == Provider::Aws {
                    let ebs = self.find(provider, Product::Volume, None, region)?;
                    monthly += self.monthly_of(ebs, Decimal::from(EC2_ROOT_VOLUME_GB));
                }
                Some(monthly)
            }
            Resource::Database {
                engine,
                size,
                nodes,
                storage_gb,
                region,
            } => self.database(provider, engine, size, nodes, storage_gb, region),
            Resource::Volume { gb, region } => {
                let entry = self.find(provider, Product::Volume, None, region)?;
                Some(self.monthly_of(entry, Decimal::from(gb)))
            }
            Resource::PrimaryIpv4 { region } => {
                if provider == Provider::Digitalocean {
                    return Some(Decimal::ZERO);
                }
                let entry = self.find(provider, Product::PrimaryIpv4, None, region)?;
                Some(self.monthly_of(entry, Decimal::ONE))
            }
            Resource::LoadBalancer { size, region } => match provider {
                Provider::Digitalocean => {
                    let nodes = size
                        .strip_prefix("lb-")
                        .and_then(|n| n.parse::<u32>().ok())
                        .unwrap_or(1);
                    let entry = self.find(provider, Product::LoadBalancer, None, region)?;
                    Some(self.monthly_of(entry, Decimal::from(nodes)))
                }
                Provider::Aws => {
                    let hours = self.find(provider, Product::LoadBalancer, Some(size), region)?;
                    let lcu =
                        self.find(provider, Product::LoadBalancerCapacity, Some(size), region)?;
                    Some(self.monthly_of(hours, Decimal::ONE) + self.monthly_of(lcu, Decimal::ONE))
                }
                _ => {
                    let entry = self.find(provider, Product::LoadBalancer, Some(size), region)?;
                    Some(self.monthly_of(entry, Decimal::ONE))
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use stagecraft_model::{ComponentKind, TEMPLATES};

    use super::*;
    use crate::catalog::embedded;
    use crate::estimate::estimate_with;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn design_cost_matches_the_estimate_per_component_and_in_total() {
        for template in TEMPLATES {
            let design = template.design().unwrap();
            let options = CostOptions::default();
            let estimate = estimate_with(&design, &options, &[embedded()]);
            let cost = design_cost(&design, &options, &[embedded()]);
            assert_eq!(cost.monthly, estimate.totals.monthly, "{}", template.slug);
            assert_eq!(cost.currency, estimate.currency);
            for c in &design.components {
                assert_eq!(
                    cost.of(&c.id),
                    estimate.component_monthly(&c.id),
                    "{} {}",
                    template.slug,
                    c.name
                );
            }
            assert_eq!(
                cost.unpriced_components,
                estimate.totals.unpriced_components
            );
        }
    }

    #[test]
    fn a_single_server_costs_what_the_price_list_says() {
        let mut design = Design::new("one");
        design.assumptions.monthly_egress_gb = Some(0);
        let mut c = Component::new(ComponentKind::Worker, "w");
        c.provider = Provider::Hetzner;
        c.region = Some("fsn1".into());
        c.size = Some("cx22".into());
        design.components.push(c.clone());
        let cost = design_cost(&design, &CostOptions::default(), &[embedded()]);
        // cx22 in the EU: €3.79 a month, plus its primary IPv4 €0.50.
        assert_eq!(cost.of(&c.id), d("4.29"));
        assert_eq!(cost.monthly, d("4.29"));
    }

    #[test]
    fn resources_are_priced_in_the_asked_currency() {
        let options = CostOptions::default();
        let pricer = ResourcePricer::new(&[embedded()], Currency::Eur, &options);
        let server = Resource::Server {
            size: "cx22",
            region: "fsn1",
            public_ipv4: false,
        };
        assert_eq!(pricer.monthly(Provider::Hetzner, server), Some(d("3.79")));
        // With the primary IPv4 Hetzner gives it: €3.79 + €0.50.
        let public = Resource::Server {
            size: "cx22",
            region: "fsn1",
            public_ipv4: true,
        };
        assert_eq!(pricer.monthly(Provider::Hetzner, public), Some(d("4.29")));
        // 40 GB × €0.044 = €1.76.
        let volume = Resource::Volume {
            gb: 40,
            region: "fsn1",
        };
        assert_eq!(pricer.monthly(Provider::Hetzner, volume), Some(d("1.76")));
        let lb = Resource::LoadBalancer {
            size: "lb11",
            region: "fsn1",
        };
        assert_eq!(pricer.monthly(Provider::Hetzner, lb), Some(d("5.39")));
        let ip = Resource::PrimaryIpv4 { region: "fsn1" };
        assert_eq!(pricer.monthly(Provider::Hetzner, ip), Some(d("0.50")));
        // A droplet in euros: $6 ÷ 1.17 = €5.128… -> €5.13.
        let droplet = Resource::Server {
            size: "s-1vcpu-1gb",
            region: "fra1",
            public_ipv4: true,
        };
        assert_eq!(
            pricer.monthly(Provider::Digitalocean, droplet),
            Some(d("5.13"))
        );
        let unknown = Resource::Server {
            size: "cx999",
            region: "fsn1",
            public_ipv4: true,
        };
        assert_eq!(
            pricer.monthly(Provider::Hetzner, unknown),
            None,
            "an unknown size is no price, never zero"
        );
    }
    #[test]
    fn managed_databases_are_priced_per_node_with_their_storage() {
        let options = CostOptions::default();
        let pricer = ResourcePricer::new(&[embedded()], Currency::Usd, &options);
        let db = |engine, size, nodes, storage_gb, region| Resource::Database {
            engine,
            size,
            nodes,
            storage_gb,
            region,
        };
        // DigitalOcean: 2 nodes × $60, plus 100 GB wanted − 38 GB included = 62 GB × $0.21 = $13.02.
        assert_eq!(
            pricer.monthly(
                Provider::Digitalocean,
                db(Engine::Postgresql, "db-s-2vcpu-4gb", 2, Some(100), "nyc3")
            ),
            Some(d("133.02"))
        );
        // Storage within the size's disk costs nothing more: one node, $15.
        assert_eq!(
            pricer.monthly(
                Provider::Digitalocean,
                db(Engine::Postgresql, "db-s-1vcpu-1gb", 1, Some(10), "fra1")
            ),
            Some(d("15"))
        );
        // A Valkey cluster is priced as cache nodes: 3 × $30.
        assert_eq!(
            pricer.monthly(
                Provider::Digitalocean,
                db(Engine::Valkey, "db-s-1vcpu-2gb", 3, None, "fra1")
            ),
            Some(d("90"))
        );
        // RDS Multi-AZ: 2 × $0.168 × 730 h = $245.28, plus 2 × 100 GB × $0.115 = $23.00.
        assert_eq!(
            pricer.monthly(
                Provider::Aws,
                db(
                    Engine::Postgresql,
                    "db.m7g.large",
                    2,
                    Some(100),
                    "us-east-1"
                )
            ),
            Some(d("268.28"))
        );
        // Single-AZ with the 20 GB RDS minimum: $122.64 + 20 × $0.115 = $124.94.
        assert_eq!(
            pricer.monthly(
                Provider::Aws,
                db(Engine::Postgresql, "db.m7g.large", 1, None, "us-east-1")
            ),
            Some(d("124.94"))
        );
        // Hetzner sells no managed database: no price, never zero.
        assert_eq!(
            pricer.monthly(
                Provider::Hetzner,
                db(Engine::Postgresql, "cx22", 1, None, "fsn1")
            ),
            None
        );
        assert_eq!(
            pricer.monthly(
                Provider::Digitalocean,
                db(Engine::Postgresql, "db-s-99", 1, None, "fra1")
            ),
            None
        );
    }

    #[test]
    fn a_database_resource_costs_what_its_component_costs_in_an_estimate() {
        let mut design = Design::new("db");
        design.assumptions.monthly_egress_gb = Some(0);
        design.assumptions.currency = Currency::Usd;
        for (provider, size, region) in [
            (Provider::Digitalocean, "db-s-2vcpu-4gb", "nyc3"),
            (Provider::Aws, "db.m7g.large", "us-east-1"),
        ] {
            let mut c = Component::new(ComponentKind::ManagedDatabase, "db");
            c.provider = provider;
            c.region = Some(region.into());
            c.size = Some(size.into());
            c.properties.standby_nodes = Some(1);
            c.properties.storage_gb = Some(100);
            design.components = vec![c.clone()];
            let options = CostOptions::default();
            let cost = design_cost(&design, &options, &[embedded()]);
            let pricer = ResourcePricer::new(&[embedded()], Currency::Usd, &options);
            let resource = Resource::Database {
                engine: Engine::Postgresql,
                size,
                nodes: 2,
                storage_gb: Some(100),
                region,
            };
            assert_eq!(
                pricer.monthly(provider, resource),
                Some(cost.of(&c.id)),
                "{provider:?}: the plan and the estimate agree"
            );
        }
    }

    #[test]
    fn rds_with_two_standbys_costs_one_multi_az_standby_in_estimate_and_plan() {
        // The AWS driver creates a Multi-AZ DB instance deployment (MultiAZ=true) for any
        // standby count: AWS bills two copies of the instance and of its storage.
        let mut design = Design::new("rds");
        design.assumptions.monthly_egress_gb = Some(0);
        design.assumptions.currency = Currency::Usd;
        let mut c = Component::new(ComponentKind::ManagedDatabase, "db");
        c.provider = Provider::Aws;
        c.region = Some("us-east-1".into());
        c.size = Some("db.t4g.micro".into());
        c.properties.engine = Some(Engine::Postgresql);
        c.properties.standby_nodes = Some(2);
        c.properties.storage_gb = Some(20);
        design.components = vec![c.clone()];
        let options = CostOptions::default();
        let cost = design_cost(&design, &options, &[embedded()]);
        let pricer = ResourcePricer::new(&[embedded()], Currency::Usd, &options);
        let resource = Resource::Database {
            engine: Engine::Postgresql,
            size: "db.t4g.micro",
            nodes: 3,
            storage_gb: Some(20),
            region: "us-east-1",
        };
        // $0.016 × 730 h × 2 = $23.36, plus 20 GB × $0.115 × 2 = $4.60.
        assert_eq!(pricer.monthly(Provider::Aws, resource), Some(d("27.96")));
        assert_eq!(
            cost.of(&c.id),
            d("27.96"),
            "the estimate agrees with the plan"
        );
        let e = crate::estimate(&design, &options);
        let line = e
            .lines
            .iter()
            .find(|l| l.item.starts_with("managed database"))
            .unwrap();
        assert!(
            line.rule
                .contains("standby_nodes 2 asked; RDS provisions one"),
            "{}",
            line.rule
        );
    }

    #[test]
    fn an_ec2_instance_carries_its_root_volume_as_in_the_estimate() {
        let options = CostOptions::default();
        let pricer = ResourcePricer::new(&[embedded()], Currency::Usd, &options);
        // t3.micro: $0.0104 × 730 h = $7.592 -> $7.59, plus 8 GB × $0.08 = $0.64, plus its
        // public IPv4 $0.005 × 730 h = $3.65.
        let server = Resource::Server {
            size: "t3.micro",
            region: "us-east-1",
            public_ipv4: true,
        };
        assert_eq!(pricer.monthly(Provider::Aws, server), Some(d("11.88")));
        let mut design = Design::new("one");
        design.assumptions.monthly_egress_gb = Some(0);
        design.assumptions.currency = Currency::Usd;
        let mut c = Component::new(ComponentKind::Worker, "w");
        c.provider = Provider::Aws;
        c.region = Some("us-east-1".into());
        c.size = Some("t3.micro".into());
        design.components.push(c.clone());
        let cost = design_cost(&design, &options, &[embedded()]);
        assert_eq!(cost.of(&c.id), d("11.88"));
    }
}
