//! # stagecraft-pricing
//!
//! What a design costs, and why: the price catalogue (embedded, dated, every price with its
//! source), live refresh from the providers' APIs, estimates with one traceable line per charge,
//! the same design compared on Hetzner, DigitalOcean and AWS, the cost change between two
//! versions, and cost findings for the rules engine.
//!
//! Invariants this crate keeps:
//! - Money is [`rust_decimal::Decimal`], serialized as strings; floating point never touches a
//!   price (`clippy::float_arithmetic` is denied, and a test fails if a floating point type name appears in `src/`).
//! - Every line of an estimate names the catalogue entry (id, source, date) it was priced with.
//! - A price that cannot be found is a warning, never a silent zero; totals then say how many
//!   components are unpriced.
//! - Refreshed prices never mix silently with embedded ones: each line carries its entry's date
//!   and source, and the estimate lists every catalogue used. Refreshes are stored one file per
//!   provider in the user's data folder ([`store`]), shared by the CLI and the app; a stored file
//!   that cannot be used is reported, never skipped quietly.
//! - A price is counted in its provider's own unit ([`Unit`]): DigitalOcean transfer in GiB,
//!   AWS and Hetzner traffic in GB and TB; the design's GB are converted, never assumed equal.
//! - Cost findings name the catalogues they were priced with.
//! - [`design_cost()`] and [`ResourcePricer`] give the same figures as an estimate without its text
//!   (a design's and each component's monthly cost; one provider resource's monthly price, for
//!   the provisioning plan's cost change).
//!
//! Depends on `stagecraft-model` only among our crates.

#![deny(clippy::float_arithmetic)]

pub mod catalog;
pub mod compare;
pub mod design_cost;
pub mod diff;
pub mod estimate;
pub mod findings;
pub mod refresh;
pub mod render;
pub mod store;

pub use catalog::{embedded, CatalogInfo, CatalogOrigin, PriceCatalog, PriceEntry, Product, Unit};
pub use compare::{
    compare, compare_with, retarget, Comparison, Fit, Gap, ProviderColumn, Retargeted, SizeMapping,
};
pub use design_cost::{design_cost, ComponentCost, DesignCost, Resource, ResourcePricer};
pub use diff::{diff, diff_estimates, diff_with, Change, ComponentCostChange, CostDiff};
pub use estimate::{
    estimate, estimate_with, CostLine, CostOptions, CostWarning, EgressSummary, Estimate, PriceRef,
    Saving, Subtotal, Totals,
};
pub use findings::{cost_findings, CostFinding, Severity};
pub use refresh::{ApiToken, RefreshError};
pub use render::{catalog_label, money};
/// The decimal type of every amount, re-exported so callers use the same version.
pub use rust_decimal;
pub use store::{prices_dir, PriceSource, PriceStatus, ProviderPrices, StoredPrices};
