//! The price catalogue: every price Stagecraft uses, each with its provider, product, size,
//! regions, unit, amount (a decimal string), currency, the date it was taken and its source.
//!
//! The embedded catalogue lives in `catalog/prices.json` so it can be reviewed without reading
//! code; it is parsed with `deny_unknown_fields` and checked by tests (unique ids, every size of
//! the model catalogue priced, amounts never negative). `catalog/README.md` records which
//! entries were checked against which public page, and which were not.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use stagecraft_model::{Provider, PurchaseOption};

const PRICES_JSON: &str = include_str!("../catalog/prices.json");

/// The file format version of a stored catalogue.
pub const CATALOG_FORMAT: u32 = 1;

/// A set of dated, sourced prices: the embedded one, or one fetched from a provider's API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct PriceCatalog {
    /// Format version of this file (see [`CATALOG_FORMAT`]).
    pub format: u32,
    /// The date the prices were taken (ISO 8601 date).
    pub as_of: String,
    /// Where the catalogue came from.
    pub origin: CatalogOrigin,
    /// A sentence for people reading the file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    pub entries: Vec<PriceEntry>,
}

/// Where a catalogue came from. Estimates name it, so embedded and refreshed prices never mix
/// silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CatalogOrigin {
    /// Built into Stagecraft; the offline default.
    Embedded,
    /// Fetched from a provider's API when the user asked for it.
    Refreshed {
        provider: Provider,
        /// The API endpoints read.
        endpoints: Vec<String>,
        /// The date of the fetch (ISO 8601 date).
        fetched_at: String,
    },
}

/// One price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct PriceEntry {
    /// Stable id, unique in its catalogue (`hetzner.server.cx22.eu`).
    pub id: String,
    pub provider: Provider,
    pub product: Product,
    /// The size, plan or instance type the price is for, when the product has sizes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// A variant of the product (an engine such as `valkey`, or a backup schedule such as `daily`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Regions the price applies in; empty means every region of the provider.
    #[serde(default)]
    pub regions: Vec<String>,
    /// How the capacity is bought; `None` for products with a single way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase: Option<PurchaseOption>,
    pub unit: Unit,
    /// The price of one unit, net of VAT.
    pub amount: Decimal,
    pub currency: Currency,
    /// The date the price was taken (ISO 8601 date).
    pub as_of: String,
    /// The public price page or API endpoint it was read from.
    pub source: String,
    /// True when the figure is derived (for example a spot price), not read off a price list.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub estimate: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What one unit includes at no extra charge (traffic, storage).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<Allowance>,
    /// For tiered prices: the band of monthly quantity the price applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
}

/// Currency of a price. Kept apart from the model's `Currency` so the price file can be read on
/// its own; conversions go through [`crate::CostOptions::usd_per_eur`].
pub type Currency = stagecraft_model::Currency;

/// What is priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Product {
    /// A virtual machine: Hetzner server, DigitalOcean droplet, EC2 instance.
    Server,
    /// Provider-run server backups, as a percentage of the server price.
    ServerBackup,
    Snapshot,
    Volume,
    LoadBalancer,
    /// Capacity units of a load balancer (AWS LCU and NLCU).
    LoadBalancerCapacity,
    PrimaryIpv4,
    /// The fixed part of object storage (Hetzner base price, Spaces subscription).
    ObjectStorage,
    /// Object storage per stored volume.
    ObjectStorageStorage,
    ManagedDatabase,
    DatabaseStorage,
    Cache,
    /// Traffic out to the internet.
    Egress,
    Cdn,
    /// Traffic out of a CDN.
    CdnEgress,
    NatGateway,
    NatGatewayData,
    DnsZone,
    Firewall,
    PrivateNetwork,
    Monitoring,
    VpnLink,
    BackupJob,
}

impl Product {
    /// Whether the product is stored data billed by the month (volumes, snapshots, database
    /// and object storage), as opposed to traffic.
    pub fn is_storage(self) -> bool {
        matches!(
            self,
            Product::Volume
                | Product::Snapshot
                | Product::DatabaseStorage
                | Product::ObjectStorageStorage
        )
    }
}

/// The unit an amount is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Hour,
    Month,
    GbMonth,
    TbMonth,
    /// A decimal gigabyte (10^9 bytes) of traffic: AWS and Hetzner count traffic this way.
    Gb,
    /// A decimal terabyte (1,000 GB).
    Tb,
    /// A gibibyte (2^30 bytes, 1.073741824 GB): DigitalOcean counts droplet transfer
    /// allowances and bills overage per GiB, and bills volumes, snapshots, database and Spaces
    /// storage per GiB a month (for a storage product the amount is per GiB-month). Design
    /// assumptions are in GB; see [`gb_to_gib`].
    Gib,
    /// A capacity unit for one hour (AWS LCU-hour, NLCU-hour).
    LcuHour,
    /// A percentage of another price (Hetzner and DigitalOcean backups).
    Percent,
}

impl Unit {
    /// Whether the amount is per hour, so a month costs `hours_per_month` of it.
    pub fn is_hourly(self) -> bool {
        matches!(self, Unit::Hour | Unit::LcuHour)
    }

    pub fn label(self) -> &'static str {
        match self {
            Unit::Hour => "hour",
            Unit::Month => "month",
            Unit::GbMonth => "GB-month",
            Unit::TbMonth => "TB-month",
            Unit::Gb => "GB",
            Unit::Tb => "TB",
            Unit::Gib => "GiB",
            Unit::LcuHour => "LCU-hour",
            Unit::Percent => "%",
        }
    }
}

/// Something included with a price at no extra charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Allowance {
    pub what: AllowanceKind,
    pub quantity: Decimal,
    /// `gb`, `tb` (1 TB = 1000 GB) or `gib` (1 GiB = 1.073741824 GB), as the provider counts it.
    pub unit: Unit,
}

impl Allowance {
    /// The allowance in (decimal) GB, the unit of the design's egress assumption.
    pub fn gb(&self) -> Decimal {
        match self.unit {
            Unit::Tb | Unit::TbMonth => self.quantity * Decimal::ONE_THOUSAND,
            Unit::Gib => (self.quantity * gb_per_gib()).normalize(),
            _ => self.quantity,
        }
    }
}

/// Decimal gigabytes in one gibibyte: 2^30 / 10^9, exactly.
pub fn gb_per_gib() -> Decimal {
    Decimal::new(1_073_741_824, 9)
}

/// A GB amount as people read it: to the hundredth (a GiB allowance is 1073.741824 GB), without
/// trailing zeros.
pub fn gb_display(gb: Decimal) -> Decimal {
    gb.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// `gb` decimal gigabytes in gibibytes, to the hundredth of a GiB (what a bill shows).
pub fn gb_to_gib(gb: Decimal) -> Decimal {
    (gb / gb_per_gib())
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AllowanceKind {
    Egress,
    Storage,
}

/// A band of monthly quantity (in the entry's unit) a tiered price applies to: `from` inclusive,
/// `to` exclusive, open-ended without `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub from: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Decimal>,
}

/// Why a catalogue was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The text is not a catalogue: the message names the field and position.
    #[error("price catalogue is malformed at {path}: {message}")]
    Malformed { path: String, message: String },
    /// The catalogue parsed but breaks an invariant (duplicate id, negative amount...).
    #[error("price catalogue is invalid: {0}")]
    Invalid(String),
}

impl PriceCatalog {
    /// Parses and checks a catalogue.
    ///
    /// # Errors
    /// [`CatalogError::Malformed`] naming the field when the JSON does not fit the format (unknown
    /// fields included); [`CatalogError::Invalid`] for duplicate ids, negative amounts, a wrong
    /// format version, or an empty catalogue.
    pub fn from_json(text: &str) -> Result<Self, CatalogError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let catalog: PriceCatalog =
            serde_path_to_error::deserialize(&mut de).map_err(|e| CatalogError::Malformed {
                path: e.path().to_string(),
                message: e.inner().to_string(),
            })?;
        catalog.check()?;
        Ok(catalog)
    }

    /// Checks the invariants every catalogue keeps.
    ///
    /// # Errors
    /// [`CatalogError::Invalid`] naming the first broken entry.
    pub fn check(&self) -> Result<(), CatalogError> {
        if self.format != CATALOG_FORMAT {
            return Err(CatalogError::Invalid(format!(
                "format {} is not the supported format {CATALOG_FORMAT}",
                self.format
            )));
        }
        if self.entries.is_empty() {
            return Err(CatalogError::Invalid("it has no entries".into()));
        }
        let mut seen = std::collections::HashSet::new();
        for entry in &self.entries {
            if !seen.insert(entry.id.as_str()) {
                return Err(CatalogError::Invalid(format!(
                    "entry id `{}` appears twice",
                    entry.id
                )));
            }
            if entry.amount.is_sign_negative() {
                return Err(CatalogError::Invalid(format!(
                    "entry `{}` has a negative amount {}",
                    entry.id, entry.amount
                )));
            }
            if entry.source.trim().is_empty() || entry.as_of.trim().is_empty() {
                return Err(CatalogError::Invalid(format!(
                    "entry `{}` has no source or date",
                    entry.id
                )));
            }
        }
        Ok(())
    }

    /// A one-line description: where the prices come from and their date.
    pub fn describe(&self) -> CatalogInfo {
        CatalogInfo {
            origin: self.origin.clone(),
            as_of: self.as_of.clone(),
            entries: self.entries.len(),
        }
    }
}

/// Which catalogue an estimate used, and its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CatalogInfo {
    pub origin: CatalogOrigin,
    pub as_of: String,
    pub entries: usize,
}

/// The embedded catalogue, parsed once.
pub fn embedded() -> &'static PriceCatalog {
    static CATALOG: OnceLock<PriceCatalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // The file is part of the build and checked by tests; a parse failure is a build defect.
        PriceCatalog::from_json(PRICES_JSON).expect("catalog/prices.json must parse")
    })
}

/// Looks prices up by provider, product, size and purchase option in constant time; the region
/// filter then runs over the few entries that differ only by region.
#[derive(Debug)]
pub(crate) struct PriceIndex<'a> {
    by_key: HashMap<Key<'a>, Vec<&'a PriceEntry>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key<'a> {
    provider: Provider,
    product: Product,
    sku: Option<&'a str>,
    purchase: Option<PurchaseOption>,
}

impl<'a> PriceIndex<'a> {
    /// Indexes `layers` in order: an entry of an earlier layer hides the entries of later layers
    /// for the same key and region (a refreshed catalogue laid over the embedded one).
    pub(crate) fn new(layers: &[&'a PriceCatalog]) -> Self {
        let mut by_key: HashMap<Key<'a>, Vec<&'a PriceEntry>> = HashMap::default();
        for catalog in layers {
            for entry in &catalog.entries {
                let key = Key {
                    provider: entry.provider,
                    product: entry.product,
                    sku: entry.sku.as_deref(),
                    purchase: entry.purchase,
                };
                let list = by_key.entry(key).or_default();
                let hidden = list.iter().any(|e| {
                    e.variant == entry.variant
                        && e.tier == entry.tier
                        && (e.regions.is_empty() || e.regions == entry.regions)
                });
                if !hidden {
                    list.push(entry);
                }
            }
        }
        Self { by_key }
    }

    /// Every entry for the key that applies in `region`, in catalogue order.
    pub(crate) fn all<'s>(
        &'s self,
        provider: Provider,
        product: Product,
        sku: Option<&'s str>,
        purchase: Option<PurchaseOption>,
        region: Option<&'s str>,
    ) -> impl Iterator<Item = &'a PriceEntry> + 's {
        let key = Key {
            provider,
            product,
            sku,
            purchase,
        };
        self.by_key
            .get(&key)
            .into_iter()
            .flatten()
            .copied()
            .filter(move |e| {
                e.regions.is_empty() || region.is_some_and(|r| e.regions.iter().any(|x| x == r))
            })
    }

    /// The entry for the key in `region`, preferring the given variant, then one without.
    pub(crate) fn find(
        &self,
        provider: Provider,
        product: Product,
        sku: Option<&str>,
        purchase: Option<PurchaseOption>,
        region: Option<&str>,
        variant: Option<&str>,
    ) -> Option<&'a PriceEntry> {
        let mut fallback = None;
        for entry in self.all(provider, product, sku, purchase, region) {
            if entry.variant.as_deref() == variant {
                return Some(entry);
            }
            if entry.variant.is_none() && fallback.is_none() {
                fallback = Some(entry);
            }
        }
        fallback
    }
}
