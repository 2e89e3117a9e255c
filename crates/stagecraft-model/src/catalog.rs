//! The component catalogue: for every kind, what it is, its ports, which connections make sense,
//! and how each provider offers it (natively or not, the resource it maps to, the default size);
//! plus each provider's regions and sizes. The palette, the rules, pricing, export and
//! provisioning all read this one table, so they cannot disagree about what a kind means.
//!
//! The data lives in `catalog/catalog.json` (embedded at build time) so it can be reviewed and
//! extended without touching code; tests check it covers every kind and refers only to real
//! sizes and regions.

use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::design::{ComponentKind, GroupKind, Protocol, Provider};

const CATALOG_JSON: &str = include_str!("../catalog/catalog.json");

/// The whole catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// When the provider data (regions, sizes) was taken, ISO 8601.
    pub as_of: String,
    pub kinds: Vec<KindSpec>,
    pub group_kinds: Vec<GroupKindSpec>,
    pub providers: Vec<ProviderSpec>,
}

/// How the canvas groups kinds in the palette.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Edge,
    Compute,
    Data,
    Network,
    Operations,
}

/// Which list of sizes a kind is sized from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum SizeFamily {
    Server,
    Database,
    Cache,
    LoadBalancer,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct KindSpec {
    pub kind: ComponentKind,
    pub label: String,
    pub category: Category,
    pub description: String,
    /// Icon name the canvas and exports draw.
    pub icon: String,
    /// Ports the kind listens on.
    pub ports: Vec<PortSpec>,
    /// The size list this kind picks from, if it is sized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizing: Option<SizeFamily>,
    /// Kinds this kind may open connections to.
    pub connects_to: Vec<ComponentKind>,
    /// Whether a design is incomplete while this kind has no connection.
    pub needs_connection: bool,
    /// How each provider offers the kind, keyed by provider.
    pub offerings: Vec<Offering>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    pub port: u16,
    pub protocol: Protocol,
    pub purpose: String,
}

/// How one provider offers a kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Offering {
    pub provider: Provider,
    /// Whether the provider runs it as a product, rather than the user running it on a server.
    pub native: bool,
    /// The provider resource it maps to (`hcloud_server`, `digitalocean_database_cluster`, `aws_db_instance`).
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_size: Option<String>,
    /// The kind to use instead when the provider has no native offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<ComponentKind>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct GroupKindSpec {
    pub kind: GroupKind,
    pub label: String,
    pub description: String,
    /// Provider resource per provider (`hcloud_network`, `digitalocean_vpc`, `aws_vpc`); empty for
    /// groups that only organise the drawing.
    pub resources: Vec<GroupResource>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct GroupResource {
    pub provider: Provider,
    pub resource: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    pub provider: Provider,
    pub label: String,
    /// Where the region and size data came from.
    pub source: String,
    pub regions: Vec<RegionSpec>,
    pub sizes: Vec<SizeSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    pub id: String,
    pub label: String,
    /// Broad area, used to tell whether two regions are far apart (`eu`, `us`, `ap`).
    pub area: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    X86,
    Arm,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct SizeSpec {
    pub id: String,
    /// What the size can be used for (DigitalOcean's `db-s-*` sizes serve databases and caches).
    pub families: Vec<SizeFamily>,
    pub vcpus: u32,
    pub memory_mb: u32,
    pub disk_gb: u32,
    pub arch: Arch,
    /// Dedicated (not shared) vCPUs.
    pub dedicated_cpu: bool,
    /// Regions offering the size; empty means every region of the provider.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
}

impl SizeSpec {
    pub fn offered_in(&self, region: &str) -> bool {
        self.regions.is_empty() || self.regions.iter().any(|r| r == region)
    }
}

/// The embedded catalogue, parsed once.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // The file is part of the build and checked by tests; a parse failure is a build defect.
        serde_json::from_str(CATALOG_JSON).expect("catalog/catalog.json must parse")
    })
}

impl Catalog {
    /// The spec of a kind. Every kind has one (a test checks it).
    pub fn kind(&self, kind: ComponentKind) -> &KindSpec {
        self.kinds
            .iter()
            .find(|k| k.kind == kind)
            .expect("every ComponentKind has a catalogue entry")
    }

    pub fn provider(&self, provider: Provider) -> Option<&ProviderSpec> {
        self.providers.iter().find(|p| p.provider == provider)
    }

    /// How `provider` offers `kind`, if it does at all.
    pub fn offering(&self, kind: ComponentKind, provider: Provider) -> Option<&Offering> {
        self.kind(kind)
            .offerings
            .iter()
            .find(|o| o.provider == provider)
    }

    /// A size by id on a provider.
    pub fn size(&self, provider: Provider, size: &str) -> Option<&SizeSpec> {
        self.provider(provider)?.sizes.iter().find(|s| s.id == size)
    }

    /// The size list a kind picks from on a provider. A kind the provider does not offer
    /// natively runs on a server (its fallback's sizes, or its default server size's).
    pub fn size_family(&self, kind: ComponentKind, provider: Provider) -> Option<SizeFamily> {
        let offering = self.offering(kind, provider)?;
        if offering.native {
            return self.kind(kind).sizing;
        }
        if let Some(fallback) = offering.fallback {
            return self.size_family(fallback, provider);
        }
        let default = self.size(provider, offering.default_size.as_deref()?)?;
        default.families.first().copied()
    }

    /// Sizes a kind can take on a provider in a region (all regions when `region` is `None`).
    pub fn sizes_for(
        &self,
        kind: ComponentKind,
        provider: Provider,
        region: Option<&str>,
    ) -> Vec<&SizeSpec> {
        let Some(family) = self.size_family(kind, provider) else {
            return Vec::new();
        };
        let Some(spec) = self.provider(provider) else {
            return Vec::new();
        };
        spec.sizes
            .iter()
            .filter(|s| s.families.contains(&family) && region.is_none_or(|r| s.offered_in(r)))
            .collect()
    }

    /// Whether a connection from `from` to `to` makes sense.
    ///
    /// # Errors
    /// The reason it does not, written for the person drawing it.
    pub fn connection_allowed(&self, from: ComponentKind, to: ComponentKind) -> Result<(), String> {
        if self.kind(from).connects_to.contains(&to) {
            return Ok(());
        }
        let (from_label, to_label) = (&self.kind(from).label, &self.kind(to).label);
        let hint = if self.kind(to).connects_to.contains(&from) {
            format!(" Draw it the other way, from {to_label} to {from_label}.")
        } else {
            String::new()
        };
        Err(format!(
            "{} cannot connect to {}.{hint}",
            capitalized(&with_article(from_label)),
            with_article(to_label)
        ))
    }
}

/// A kind's label as a sentence needs it: "a DNS zone", "an App server", "Users" (plural).
pub fn with_article(label: &str) -> String {
    if label.ends_with('s') && !label.ends_with("ss") {
        return label.to_owned();
    }
    match label.chars().next() {
        Some(c) if "AEIOUaeiou".contains(c) => format!("an {label}"),
        _ => format!("a {label}"),
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_exactly_one_entry_with_all_providers() {
        let catalog = catalog();
        for kind in ComponentKind::ALL {
            let entries = catalog.kinds.iter().filter(|k| k.kind == kind).count();
            assert_eq!(entries, 1, "{kind:?} must have exactly one catalogue entry");
            for provider in Provider::REAL {
                assert!(
                    catalog.offering(kind, provider).is_some(),
                    "{kind:?} must say how {provider:?} offers it"
                );
            }
        }
    }

    #[test]
    fn default_sizes_exist_and_fit_the_kind() {
        let catalog = catalog();
        for spec in &catalog.kinds {
            for offering in &spec.offerings {
                let Some(size) = &offering.default_size else {
                    continue;
                };
                let found = catalog.size(offering.provider, size).unwrap_or_else(|| {
                    panic!(
                        "{:?} default size {size} on {:?} is not in the size list",
                        spec.kind, offering.provider
                    )
                });
                let family = catalog.size_family(spec.kind, offering.provider);
                assert!(
                    family.is_some_and(|f| found.families.contains(&f)),
                    "{:?} default size {size} on {:?} must come from its size family {family:?}",
                    spec.kind,
                    offering.provider
                );
            }
        }
    }

    #[test]
    fn size_regions_are_real_regions() {
        for provider in &catalog().providers {
            for size in &provider.sizes {
                for region in &size.regions {
                    assert!(
                        provider.regions.iter().any(|r| &r.id == region),
                        "{} lists unknown region {region}",
                        size.id
                    );
                }
            }
        }
    }

    #[test]
    fn non_native_offerings_name_a_native_fallback() {
        let catalog = catalog();
        for spec in &catalog.kinds {
            for offering in spec.offerings.iter().filter(|o| !o.native) {
                if let Some(fallback) = offering.fallback {
                    assert_ne!(fallback, spec.kind);
                }
            }
        }
        let hetzner_db = catalog
            .offering(ComponentKind::ManagedDatabase, Provider::Hetzner)
            .unwrap();
        assert!(!hetzner_db.native, "Hetzner has no managed database");
        assert_eq!(hetzner_db.fallback, Some(ComponentKind::SelfHostedDatabase));
    }

    #[test]
    fn nonsense_connections_are_refused_with_a_reason() {
        let catalog = catalog();
        let err = catalog
            .connection_allowed(ComponentKind::DnsZone, ComponentKind::BlockVolume)
            .unwrap_err();
        assert!(
            err.contains("DNS zone") && err.contains("Block volume"),
            "{err}"
        );
        assert!(catalog
            .connection_allowed(ComponentKind::AppServer, ComponentKind::ManagedDatabase)
            .is_ok());
        let reversed = catalog
            .connection_allowed(ComponentKind::ManagedDatabase, ComponentKind::AppServer)
            .unwrap_err();
        assert_eq!(
            reversed,
            "A Managed database cannot connect to an App server. Draw it the other way, from App server to Managed database."
        );
        let plural = catalog
            .connection_allowed(ComponentKind::AppServer, ComponentKind::Users)
            .unwrap_err();
        assert!(
            plural.starts_with("An App server cannot connect to Users."),
            "{plural}"
        );
    }
}
