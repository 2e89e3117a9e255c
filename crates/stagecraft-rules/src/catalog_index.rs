//! Hash lookups over the catalogue, built once per process. The catalogue's own lookups scan its
//! lists, which is fine for one question but not for ten thousand components per check.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::OnceLock;

use stagecraft_model::catalog::{KindSpec, Offering, SizeFamily, SizeSpec};
use stagecraft_model::{catalog, Catalog, ComponentKind, Protocol, Provider};

pub(crate) struct CatalogIndex {
    pub catalog: &'static Catalog,
    kinds: HashMap<ComponentKind, &'static KindSpec>,
    offerings: HashMap<(ComponentKind, Provider), &'static Offering>,
    sizes: HashMap<(Provider, &'static str), &'static SizeSpec>,
    regions: HashMap<(Provider, &'static str), &'static str>,
    families: HashMap<(ComponentKind, Provider), Option<SizeFamily>>,
    /// Ports that data services (databases, caches) listen on, from the catalogue.
    pub data_ports: HashSet<u16>,
}

pub(crate) fn catalog_index() -> &'static CatalogIndex {
    static INDEX: OnceLock<CatalogIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let catalog = catalog();
        let mut offerings = HashMap::default();
        let mut kinds = HashMap::default();
        let mut data_ports = HashSet::default();
        let mut families = HashMap::default();
        for spec in &catalog.kinds {
            kinds.insert(spec.kind, spec);
            for offering in &spec.offerings {
                offerings.insert((spec.kind, offering.provider), offering);
                families.insert(
                    (spec.kind, offering.provider),
                    catalog.size_family(spec.kind, offering.provider),
                );
            }
            if matches!(
                spec.kind,
                ComponentKind::ManagedDatabase
                    | ComponentKind::SelfHostedDatabase
                    | ComponentKind::Cache
            ) {
                data_ports.extend(
                    spec.ports
                        .iter()
                        .filter(|p| p.protocol != Protocol::Ssh)
                        .map(|p| p.port),
                );
            }
        }
        let mut sizes = HashMap::default();
        let mut regions = HashMap::default();
        for provider in &catalog.providers {
            for size in &provider.sizes {
                sizes.insert((provider.provider, size.id.as_str()), size);
            }
            for region in &provider.regions {
                regions.insert(
                    (provider.provider, region.id.as_str()),
                    region.area.as_str(),
                );
            }
        }
        CatalogIndex {
            catalog,
            kinds,
            offerings,
            sizes,
            regions,
            families,
            data_ports,
        }
    })
}

impl CatalogIndex {
    pub fn kind(&self, kind: ComponentKind) -> Option<&'static KindSpec> {
        self.kinds.get(&kind).copied()
    }

    pub fn offering(&self, kind: ComponentKind, provider: Provider) -> Option<&'static Offering> {
        self.offerings.get(&(kind, provider)).copied()
    }

    pub fn size(&self, provider: Provider, size: &str) -> Option<&'static SizeSpec> {
        self.sizes.get(&(provider, size)).copied()
    }

    /// The broad area (`eu`, `us`, `ap`) of a provider's region, if the region exists.
    pub fn region_area(&self, provider: Provider, region: &str) -> Option<&'static str> {
        self.regions.get(&(provider, region)).copied()
    }

    /// The size list a kind picks from on a provider (see `Catalog::size_family`).
    pub fn size_family(&self, kind: ComponentKind, provider: Provider) -> Option<SizeFamily> {
        self.families.get(&(kind, provider)).copied().flatten()
    }

    pub fn natively_offered(&self, kind: ComponentKind, provider: Provider) -> bool {
        self.offering(kind, provider).is_some_and(|o| o.native)
    }

    /// Providers that offer `kind` natively, in the catalogue's order.
    pub fn native_providers(&self, kind: ComponentKind) -> Vec<Provider> {
        Provider::REAL
            .into_iter()
            .filter(|p| self.natively_offered(kind, *p))
            .collect()
    }

    /// The provider's default size for a kind, if it has one.
    pub fn default_size(&self, kind: ComponentKind, provider: Provider) -> Option<&'static str> {
        self.offering(kind, provider)?.default_size.as_deref()
    }

    /// Sizes a kind can take on a provider in a region, smallest first (vCPUs, then memory).
    pub fn sizes_for(
        &self,
        kind: ComponentKind,
        provider: Provider,
        region: Option<&str>,
    ) -> Vec<&'static SizeSpec> {
        let mut sizes = self.catalog.sizes_for(kind, provider, region);
        sizes.sort_by_key(|s| (s.vcpus, s.memory_mb, s.dedicated_cpu, s.id.as_str()));
        sizes
    }

    /// Another region of the provider, preferring the same area, for a copy that must not share
    /// a failure domain with `region`.
    pub fn other_region(&self, provider: Provider, region: Option<&str>) -> Option<&'static str> {
        let spec = self.catalog.provider(provider)?;
        let area = region.and_then(|r| self.region_area(provider, r));
        let others = spec
            .regions
            .iter()
            .filter(|r| Some(r.id.as_str()) != region);
        let mut fallback = None;
        for candidate in others {
            if Some(candidate.area.as_str()) == area || area.is_none() {
                return Some(candidate.id.as_str());
            }
            fallback.get_or_insert(candidate.id.as_str());
        }
        fallback
    }
}
