//! Live refresh of prices, when the user asks: Hetzner `GET /pricing` and `GET /server_types`,
//! DigitalOcean `GET /v2/sizes`. An answer becomes a [`PriceCatalog`] of origin `Refreshed`,
//! stored with its fetch date in a file written atomically.
//!
//! Invariants: an answer that is malformed (a field missing or of the wrong type) or partial
//! (fewer entries than the API announced, empty lists, a type without prices) is refused with
//! an error naming the endpoint and what is wrong, and nothing is written, so the previous file
//! stays as it was. Prices are read from the JSON text as decimals, never through a float. The
//! token is an [`ApiToken`], which cannot be printed or serialized.

use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
use stagecraft_model::{Currency, Provider};

use crate::catalog::{
    Allowance, AllowanceKind, CatalogError, CatalogOrigin, PriceCatalog, PriceEntry, Product, Unit,
    CATALOG_FORMAT,
};

/// An API token. It has no `Display` and no `Serialize`, and its `Debug` prints `<redacted>`,
/// so it cannot reach a log, a file or the UI by accident.
pub struct ApiToken(String);

impl ApiToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// Why a refresh was refused. No variant carries the token.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// The API could not be reached.
    #[error("could not reach {endpoint}: {message}")]
    Unreachable { endpoint: String, message: String },
    /// The API answered with an error status.
    #[error("{endpoint} answered HTTP {status}")]
    Status { endpoint: String, status: u16 },
    /// The answer does not have the documented shape.
    #[error("{endpoint} answered malformed JSON at {path}: {message}")]
    Malformed {
        endpoint: String,
        path: String,
        message: String,
    },
    /// The answer is well-formed but incomplete.
    #[error("{endpoint} answered a partial price list: {message}")]
    Partial { endpoint: String, message: String },
    /// The catalogue could not be stored or read back.
    #[error("price catalogue file {path}: {message}")]
    Store { path: String, message: String },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// Most pages a paginated list is followed for; the real lists fit in one or two.
const MAX_PAGES: u32 = 20;

fn parse<T: DeserializeOwned>(endpoint: &str, body: &str) -> Result<T, RefreshError> {
    let mut de = serde_json::Deserializer::from_str(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| RefreshError::Malformed {
        endpoint: endpoint.to_owned(),
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// A decimal read from a JSON string (`"1.0000"`) or number literal (`5`, `0.00744`), exactly.
fn decimal(endpoint: &str, field: &str, text: &str) -> Result<Decimal, RefreshError> {
    let text = text.trim().trim_matches('"');
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|e| RefreshError::Malformed {
            endpoint: endpoint.to_owned(),
            path: field.to_owned(),
            message: format!("`{text}` is not a decimal number: {e}"),
        })
}

// ---------------------------------------------------------------- Hetzner

#[derive(Deserialize)]
struct HetznerPricingAnswer {
    pricing: HetznerPricing,
}

#[derive(Deserialize)]
struct HetznerPricing {
    currency: String,
    image: HetznerPerGb,
    load_balancer_types: Vec<HetznerTypePrices>,
    primary_ips: Vec<HetznerIpPrices>,
    server_backup: HetznerBackup,
    server_types: Vec<HetznerTypePrices>,
    volume: HetznerPerGb,
}

#[derive(Deserialize)]
struct HetznerPerGb {
    price_per_gb_month: HetznerPrice,
}

#[derive(Deserialize)]
struct HetznerBackup {
    percentage: String,
}

#[derive(Deserialize)]
struct HetznerPrice {
    net: String,
}

#[derive(Deserialize)]
struct HetznerTypePrices {
    name: String,
    prices: Vec<HetznerLocationPrice>,
}

#[derive(Deserialize)]
struct HetznerLocationPrice {
    location: String,
    price_monthly: HetznerPrice,
    included_traffic: u64,
    price_per_tb_traffic: HetznerPrice,
}

#[derive(Deserialize)]
struct HetznerIpPrices {
    #[serde(rename = "type")]
    ip_type: String,
    prices: Vec<HetznerIpLocationPrice>,
}

#[derive(Deserialize)]
struct HetznerIpLocationPrice {
    location: String,
    price_monthly: HetznerPrice,
}

#[derive(Deserialize)]
struct HetznerServerTypesAnswer {
    server_types: Vec<HetznerServerType>,
    meta: HetznerMeta,
}

#[derive(Deserialize)]
struct HetznerServerType {
    id: u64,
    name: String,
    cores: u32,
    deprecated: Option<bool>,
}

#[derive(Deserialize)]
struct HetznerMeta {
    pagination: HetznerPagination,
}

#[derive(Deserialize)]
struct HetznerPagination {
    next_page: Option<u32>,
    total_entries: Option<u64>,
}

/// The endpoints a Hetzner refresh reads, relative to the API base URL.
pub const HETZNER_PRICING: &str = "/pricing";
pub const HETZNER_SERVER_TYPES: &str = "/server_types";
/// The endpoint a DigitalOcean refresh reads.
pub const DIGITALOCEAN_SIZES: &str = "/v2/sizes";

fn hetzner_currency(endpoint: &str, code: &str) -> Result<Currency, RefreshError> {
    match code {
        "EUR" => Ok(Currency::Eur),
        "USD" => Ok(Currency::Usd),
        other => Err(RefreshError::Malformed {
            endpoint: endpoint.to_owned(),
            path: "pricing.currency".into(),
            message: format!("currency `{other}` is not EUR or USD"),
        }),
    }
}

/// Checks a paginated list is complete: what was collected against what the API announced.
fn complete(
    endpoint: &str,
    what: &str,
    collected: usize,
    announced: Option<u64>,
) -> Result<(), RefreshError> {
    if collected == 0 {
        return Err(RefreshError::Partial {
            endpoint: endpoint.into(),
            message: format!("no {what}"),
        });
    }
    match announced {
        Some(total) if total > collected as u64 => Err(RefreshError::Partial {
            endpoint: endpoint.into(),
            message: format!(
                "{collected} of the {total} {what} the API announced (the following pages repeated or were missing)"
            ),
        }),
        _ => Ok(()),
    }
}

/// Builds a catalogue from Hetzner answers: the `/pricing` body and the `/server_types` pages.
/// Whether the pages are all there is judged by [`fetch_hetzner`], which walks them.
///
/// # Errors
/// [`RefreshError::Malformed`] when a body does not have the documented shape;
/// [`RefreshError::Partial`] when a list is empty or a type has no prices.
pub fn parse_hetzner(
    base_url: &str,
    pricing_body: &str,
    server_type_pages: &[String],
    fetched_at: &str,
) -> Result<PriceCatalog, RefreshError> {
    let pricing_endpoint = format!("{}{HETZNER_PRICING}", base_url.trim_end_matches('/'));
    let types_endpoint = format!("{}{HETZNER_SERVER_TYPES}", base_url.trim_end_matches('/'));
    let answer: HetznerPricingAnswer = parse(&pricing_endpoint, pricing_body)?;
    let pricing = answer.pricing;
    let currency = hetzner_currency(&pricing_endpoint, &pricing.currency)?;

    // The server types the API lists as current; priced types it no longer lists are dropped.
    let mut current = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for page in server_type_pages {
        let answer: HetznerServerTypesAnswer = parse(&types_endpoint, page)?;
        for t in answer.server_types {
            if t.cores == 0 {
                return Err(RefreshError::Malformed {
                    endpoint: types_endpoint,
                    path: format!("server_types[{}].cores", t.name),
                    message: "a server type with no cores".into(),
                });
            }
            ids.insert(t.id);
            if t.deprecated != Some(true) {
                current.insert(t.name);
            }
        }
    }
    if ids.is_empty() {
        return Err(RefreshError::Partial {
            endpoint: types_endpoint,
            message: "no server types".into(),
        });
    }

    let mut entries = Vec::new();
    let entry =
        |id: String, product, sku: Option<String>, regions: Vec<String>, unit, amount: Decimal| {
            PriceEntry {
                id,
                provider: Provider::Hetzner,
                product,
                sku,
                variant: None,
                regions,
                purchase: None,
                unit,
                amount,
                currency,
                as_of: fetched_at.to_owned(),
                source: pricing_endpoint.clone(),
                estimate: false,
                note: None,
                includes: Vec::new(),
                tier: None,
            }
        };
    if pricing.server_types.is_empty() {
        return Err(RefreshError::Partial {
            endpoint: pricing_endpoint,
            message: "no server type prices".into(),
        });
    }
    let mut traffic_locations = BTreeSet::new();
    for (kind, product, list) in [
        ("server_types", Product::Server, &pricing.server_types),
        (
            "load_balancer_types",
            Product::LoadBalancer,
            &pricing.load_balancer_types,
        ),
    ] {
        for t in list {
            if t.prices.is_empty() {
                return Err(RefreshError::Partial {
                    endpoint: pricing_endpoint,
                    message: format!("{kind} `{}` has no prices", t.name),
                });
            }
            if product == Product::Server && !current.contains(&t.name) {
                continue;
            }
            for p in &t.prices {
                let field = format!("pricing.{kind}[{}].prices[{}]", t.name, p.location);
                let amount = decimal(
                    &pricing_endpoint,
                    &format!("{field}.price_monthly.net"),
                    &p.price_monthly.net,
                )?;
                let mut e = entry(
                    format!(
                        "hetzner.{}.{}.{}",
                        if product == Product::Server {
                            "server"
                        } else {
                            "load_balancer"
                        },
                        t.name,
                        p.location
                    ),
                    product,
                    Some(t.name.clone()),
                    vec![p.location.clone()],
                    Unit::Month,
                    amount,
                );
                if product == Product::Server {
                    // Included traffic is given in bytes; 1 TB = 10^12 bytes.
                    let tb =
                        Decimal::from(p.included_traffic) / Decimal::from(1_000_000_000_000u64);
                    e.includes.push(Allowance {
                        what: AllowanceKind::Egress,
                        quantity: tb.normalize(),
                        unit: Unit::Tb,
                    });
                    if traffic_locations.insert(p.location.clone()) {
                        let overage = decimal(
                            &pricing_endpoint,
                            &format!("{field}.price_per_tb_traffic.net"),
                            &p.price_per_tb_traffic.net,
                        )?;
                        entries.push(entry(
                            format!("hetzner.egress.{}", p.location),
                            Product::Egress,
                            None,
                            vec![p.location.clone()],
                            Unit::Tb,
                            overage,
                        ));
                    }
                }
                entries.push(e);
            }
        }
    }
    if !entries.iter().any(|e| e.product == Product::Server) {
        return Err(RefreshError::Partial {
            endpoint: pricing_endpoint,
            message: "none of the priced server types is listed by /server_types".into(),
        });
    }
    for ip in pricing.primary_ips.iter().filter(|ip| ip.ip_type == "ipv4") {
        for p in &ip.prices {
            let amount = decimal(
                &pricing_endpoint,
                "pricing.primary_ips.prices.price_monthly.net",
                &p.price_monthly.net,
            )?;
            entries.push(entry(
                format!("hetzner.primary_ipv4.{}", p.location),
                Product::PrimaryIpv4,
                None,
                vec![p.location.clone()],
                Unit::Month,
                amount,
            ));
        }
    }
    let volume = decimal(
        &pricing_endpoint,
        "pricing.volume.price_per_gb_month.net",
        &pricing.volume.price_per_gb_month.net,
    )?;
    entries.push(entry(
        "hetzner.volume".into(),
        Product::Volume,
        None,
        vec![],
        Unit::GbMonth,
        volume,
    ));
    let image = decimal(
        &pricing_endpoint,
        "pricing.image.price_per_gb_month.net",
        &pricing.image.price_per_gb_month.net,
    )?;
    entries.push(entry(
        "hetzner.snapshot".into(),
        Product::Snapshot,
        None,
        vec![],
        Unit::GbMonth,
        image,
    ));
    let backup = decimal(
        &pricing_endpoint,
        "pricing.server_backup.percentage",
        &pricing.server_backup.percentage,
    )?;
    entries.push(entry(
        "hetzner.server_backup".into(),
        Product::ServerBackup,
        None,
        vec![],
        Unit::Percent,
        backup,
    ));

    let catalog = PriceCatalog {
        format: CATALOG_FORMAT,
        as_of: fetched_at.to_owned(),
        origin: CatalogOrigin::Refreshed {
            provider: Provider::Hetzner,
            endpoints: vec![pricing_endpoint, types_endpoint],
            fetched_at: fetched_at.to_owned(),
        },
        note: "Hetzner prices read from its API, net of VAT".into(),
        entries,
    };
    catalog.check()?;
    Ok(catalog)
}

// ---------------------------------------------------------------- DigitalOcean

#[derive(Deserialize)]
struct DoSizesAnswer {
    sizes: Vec<DoSize>,
    #[serde(default)]
    links: Option<DoLinks>,
    meta: DoMeta,
}

#[derive(Deserialize)]
struct DoSize {
    slug: String,
    vcpus: u32,
    memory: u64,
    /// Transfer allowance in TB, a JSON number (read as text).
    transfer: Box<RawValue>,
    /// Monthly price in USD, a JSON number (read as text, never as a float).
    price_monthly: Box<RawValue>,
    regions: Vec<String>,
    available: bool,
}

#[derive(Deserialize)]
struct DoLinks {
    #[serde(default)]
    pages: Option<DoPages>,
}

#[derive(Deserialize)]
struct DoPages {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct DoMeta {
    total: u64,
}

/// Builds a catalogue from DigitalOcean `/v2/sizes` pages.
///
/// # Errors
/// [`RefreshError::Malformed`] when a page does not have the documented shape or a price is not
/// a number; [`RefreshError::Partial`] when there are no sizes. Whether the pages are all there
/// is judged by [`fetch_digitalocean`], which walks them.
pub fn parse_digitalocean(
    base_url: &str,
    pages: &[String],
    fetched_at: &str,
) -> Result<PriceCatalog, RefreshError> {
    let endpoint = format!("{}{DIGITALOCEAN_SIZES}", base_url.trim_end_matches('/'));
    let mut entries = Vec::new();
    let mut seen = BTreeSet::new();
    for page in pages {
        let answer: DoSizesAnswer = parse(&endpoint, page)?;
        for size in answer.sizes {
            if !seen.insert(size.slug.clone()) {
                continue;
            }
            if size.vcpus == 0 || size.memory == 0 {
                return Err(RefreshError::Malformed {
                    endpoint,
                    path: format!("sizes[{}]", size.slug),
                    message: "a size with no vCPUs or memory".into(),
                });
            }
            let amount = decimal(
                &endpoint,
                &format!("sizes[{}].price_monthly", size.slug),
                size.price_monthly.get(),
            )?;
            let transfer_tb = decimal(
                &endpoint,
                &format!("sizes[{}].transfer", size.slug),
                size.transfer.get(),
            )?;
            entries.push(PriceEntry {
                id: format!("digitalocean.droplet.{}", size.slug),
                provider: Provider::Digitalocean,
                product: Product::Server,
                sku: Some(size.slug.clone()),
                variant: None,
                regions: size.regions,
                purchase: None,
                unit: Unit::Month,
                amount: amount.normalize(),
                currency: Currency::Usd,
                as_of: fetched_at.to_owned(),
                source: endpoint.clone(),
                estimate: false,
                note: (!size.available).then(|| "not available for new droplets".to_owned()),
                // `transfer` is documented in terabytes, but the price page states the same
                // allowance in GiB (1.0 is "1,000 GiB"), and overage is billed per GiB.
                includes: vec![Allowance {
                    what: AllowanceKind::Egress,
                    quantity: (transfer_tb * Decimal::ONE_THOUSAND).normalize(),
                    unit: Unit::Gib,
                }],
                tier: None,
            });
        }
    }
    if seen.is_empty() {
        return Err(RefreshError::Partial {
            endpoint,
            message: "no sizes".into(),
        });
    }
    let catalog = PriceCatalog {
        format: CATALOG_FORMAT,
        as_of: fetched_at.to_owned(),
        origin: CatalogOrigin::Refreshed {
            provider: Provider::Digitalocean,
            endpoints: vec![endpoint],
            fetched_at: fetched_at.to_owned(),
        },
        note: "DigitalOcean droplet prices read from its API".into(),
        entries,
    };
    catalog.check()?;
    Ok(catalog)
}

// ---------------------------------------------------------------- fetching

async fn get(
    client: &reqwest::Client,
    url: &str,
    token: &ApiToken,
) -> Result<String, RefreshError> {
    let endpoint = url.split('?').next().unwrap_or(url).to_owned();
    let response = client
        .get(url)
        .bearer_auth(token.expose())
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| RefreshError::Unreachable {
            endpoint: endpoint.clone(),
            message: e.without_url().to_string(),
        })?;
    let status = response.status();
    if !status.is_success() {
        return Err(RefreshError::Status {
            endpoint,
            status: status.as_u16(),
        });
    }
    response
        .text()
        .await
        .map_err(|e| RefreshError::Unreachable {
            endpoint,
            message: e.without_url().to_string(),
        })
}

fn client() -> Result<reqwest::Client, RefreshError> {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| RefreshError::Unreachable {
            endpoint: "-".into(),
            message: e.to_string(),
        })
}

/// Fetches Hetzner prices from `base_url` (`https://api.hetzner.cloud/v1` in production).
///
/// # Errors
/// Any [`RefreshError`]; nothing is written anywhere.
pub async fn fetch_hetzner(
    base_url: &str,
    token: &ApiToken,
    fetched_at: &str,
) -> Result<PriceCatalog, RefreshError> {
    let base = base_url.trim_end_matches('/');
    let client = client()?;
    let pricing = get(&client, &format!("{base}{HETZNER_PRICING}"), token).await?;
    let mut pages = Vec::new();
    let mut page = 1;
    let mut seen_bodies = BTreeSet::new();
    let mut all_ids = BTreeSet::new();
    let mut announced = None;
    loop {
        let body = get(
            &client,
            &format!("{base}{HETZNER_SERVER_TYPES}?page={page}&per_page=50"),
            token,
        )
        .await?;
        let answer: HetznerServerTypesAnswer =
            parse(&format!("{base}{HETZNER_SERVER_TYPES}"), &body)?;
        let ids: Vec<u64> = answer.server_types.iter().map(|t| t.id).collect();
        all_ids.extend(ids.iter().copied());
        announced = announced.or(answer.meta.pagination.total_entries);
        // A page that brings nothing new ends the walk; completeness is judged after.
        let fresh = seen_bodies.insert(ids);
        if fresh {
            pages.push(body);
        }
        match answer.meta.pagination.next_page {
            Some(next) if fresh && next > page && pages.len() < MAX_PAGES as usize => page = next,
            _ => break,
        }
    }
    complete(
        &format!("{base}{HETZNER_SERVER_TYPES}"),
        "server types",
        all_ids.len(),
        announced,
    )?;
    parse_hetzner(base, &pricing, &pages, fetched_at)
}

/// Fetches DigitalOcean droplet prices from `base_url` (`https://api.digitalocean.com`).
///
/// # Errors
/// Any [`RefreshError`]; nothing is written anywhere.
pub async fn fetch_digitalocean(
    base_url: &str,
    token: &ApiToken,
    fetched_at: &str,
) -> Result<PriceCatalog, RefreshError> {
    let base = base_url.trim_end_matches('/');
    let client = client()?;
    let mut pages: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut slugs_seen = BTreeSet::new();
    let mut announced = None;
    for page in 1..=MAX_PAGES {
        let body = get(
            &client,
            &format!("{base}{DIGITALOCEAN_SIZES}?page={page}&per_page=200"),
            token,
        )
        .await?;
        let answer: DoSizesAnswer = parse(&format!("{base}{DIGITALOCEAN_SIZES}"), &body)?;
        let slugs: Vec<String> = answer.sizes.iter().map(|s| s.slug.clone()).collect();
        slugs_seen.extend(slugs.iter().cloned());
        announced = Some(answer.meta.total);
        let has_next = answer
            .links
            .and_then(|l| l.pages)
            .and_then(|p| p.next)
            .is_some();
        if !seen.insert(slugs) {
            break;
        }
        pages.push(body);
        if !has_next {
            break;
        }
    }
    complete(
        &format!("{base}{DIGITALOCEAN_SIZES}"),
        "sizes",
        slugs_seen.len(),
        announced,
    )?;
    parse_digitalocean(base, &pages, fetched_at)
}

/// Writes `catalog` to `path` atomically: a temporary file in the same folder, synced, then
/// renamed over the old one. A crash leaves either the old or the new file, never a mix.
///
/// # Errors
/// [`RefreshError::Store`] naming the path.
pub fn store_catalog(path: &Path, catalog: &PriceCatalog) -> Result<(), RefreshError> {
    let fail = |message: String| RefreshError::Store {
        path: path.display().to_string(),
        message,
    };
    let mut text = serde_json::to_string_pretty(catalog).map_err(|e| fail(e.to_string()))?;
    text.push('\n');
    stagecraft_model::write_file_atomically(path, text.as_bytes()).map_err(|e| fail(e.to_string()))
}

/// Reads a stored catalogue back.
///
/// # Errors
/// [`RefreshError::Store`] when the file cannot be read; [`RefreshError::Catalog`] when it is not
/// a valid catalogue.
pub fn load_catalog(path: &Path) -> Result<PriceCatalog, RefreshError> {
    let text = std::fs::read_to_string(path).map_err(|e| RefreshError::Store {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(PriceCatalog::from_json(&text)?)
}

/// Fetches Hetzner prices and stores them at `path`; on any error the file is left as it was.
///
/// # Errors
/// Any [`RefreshError`].
pub async fn refresh_hetzner(
    base_url: &str,
    token: &ApiToken,
    path: &Path,
) -> Result<PriceCatalog, RefreshError> {
    let catalog = fetch_hetzner(base_url, token, &today()).await?;
    store_catalog(path, &catalog)?;
    Ok(catalog)
}

/// Fetches DigitalOcean prices and stores them at `path`; on any error the file is left as it was.
///
/// # Errors
/// Any [`RefreshError`].
pub async fn refresh_digitalocean(
    base_url: &str,
    token: &ApiToken,
    path: &Path,
) -> Result<PriceCatalog, RefreshError> {
    let catalog = fetch_digitalocean(base_url, token, &today()).await?;
    store_catalog(path, &catalog)?;
    Ok(catalog)
}

/// Today's date in UTC, ISO 8601.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(secs / 86_400)
}

/// The calendar date `days` after 1970-01-01 (proleptic Gregorian; Howard Hinnant's algorithm).
pub(crate) fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_right() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_332), "2025-09-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }

    #[test]
    fn tokens_never_print() {
        let token = ApiToken::new("hunter2-secret");
        assert!(!format!("{token:?}").contains("hunter2"));
    }

    #[test]
    fn json_numbers_are_read_exactly() {
        assert_eq!(decimal("e", "f", "0.00744").unwrap().to_string(), "0.00744");
        assert_eq!(decimal("e", "f", "5").unwrap(), Decimal::from(5));
        assert_eq!(decimal("e", "f", "1e-2").unwrap().to_string(), "0.01");
        assert!(decimal("e", "f", "\"five\"").is_err());
    }
}
