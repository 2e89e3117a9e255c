//! The analysis commands: what the rules engine and the pricing crate say about the open design.
//! Each command is a one-line delegation to a function below; those functions are the only glue
//! (merging pricing's cost findings into the rules report, moving a design onto one provider
//! before pricing it) and are tested directly on the templates (src-tauri/tests/analysis.rs).
//!
//! Every pricing command is pure but for the stored price refreshes it reads (the same files as
//! `stagecraft prices`; the cost findings and the advisor's tier costs read them too, so no figure
//! in the app comes from another catalogue than the cost panel's, and each says which it used):
//! the design travels with the call and nothing is kept between calls, so the UI can cancel a
//! stale answer simply by ignoring it. `refresh_prices` is the one command that writes (the
//! refreshed catalogue, atomically); it reads the token from the keyring off the async workers
//! and never returns it. Tests call the functions below with explicit prices, never the
//! developer's stored refreshes.

use serde::{Deserialize, Serialize};
use stagecraft_cloud::base_url;
use stagecraft_cloud::credentials::{read_credentials, CredentialKey};
use stagecraft_model::{Currency, Design, Provider, Stage};
use stagecraft_pricing::refresh::{refresh_digitalocean, refresh_hetzner, ApiToken, RefreshError};
use stagecraft_pricing::rust_decimal::Decimal;
use stagecraft_pricing::store::{stored_path, REFRESHABLE};
use stagecraft_pricing::{
    Comparison, CostOptions, Estimate, Gap, PriceStatus, SizeMapping, StoredPrices,
};
use stagecraft_rules::{Advice, CheckOptions, Finding, Fix, Report, Severity};

use crate::error::ApiError;

/// Checks the design against every rule for `target_stage` (else the design's own target), with
/// pricing's cost findings merged in at their severity.
#[tauri::command]
#[specta::specta]
pub async fn check_design(design: Design, target_stage: Option<Stage>) -> Report {
    check_with_costs(&design, target_stage, &StoredPrices::load_default())
}

/// What to do next for the design's expected load: scale up or out per tier, the steps to the
/// next stage, how to link services across servers.
#[tauri::command]
#[specta::specta]
pub async fn advise_design(design: Design) -> PricedAdvice {
    priced_advice(&design, &StoredPrices::load_default())
}

/// The design with `fix` applied (all its edits or none). The UI records the answer as one
/// undoable step labelled with the fix's label.
#[tauri::command]
#[specta::specta]
pub async fn apply_fix(design: Design, fix: Fix) -> Result<Design, ApiError> {
    fixed(design, &fix)
}

/// The monthly and hourly cost of the design where it is placed, or moved onto `provider`.
#[tauri::command]
#[specta::specta]
pub async fn estimate_cost(
    design: Design,
    provider: Option<Provider>,
    options: CostOptions,
) -> ProviderEstimate {
    estimate_on(&design, provider, &options)
}

/// The design priced on Hetzner, DigitalOcean and AWS side by side, with the size mapping and
/// the gaps.
#[tauri::command]
#[specta::specta]
pub async fn compare_providers(design: Design, options: CostOptions) -> ProviderComparison {
    compare_on(&design, &options, &StoredPrices::load_default())
}

/// Which price catalogue each provider is priced with (embedded or refreshed), with dates and
/// sources.
#[tauri::command]
#[specta::specta]
pub async fn price_status() -> PriceStatus {
    StoredPrices::load_default().status()
}

/// Fetches `provider`'s current prices with the token stored for `account` and stores them for
/// every later estimate (the CLI's `stagecraft prices refresh`); answers the new status.
#[tauri::command]
#[specta::specta]
pub async fn refresh_prices(
    provider: Provider,
    account: Option<String>,
) -> Result<PriceStatus, ApiError> {
    refreshed_prices(provider, account, &base_url(provider), None).await
}

/// The advisor's answers with, for each tier's change, what it does to the monthly bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct PricedAdvice {
    pub advice: Advice,
    /// One per `advice.tiers`, in order: the monthly cost after the tier's fix minus the cost now
    /// (in the estimate's currency); `None` when the tier has no fix or the fix does not apply.
    pub tier_cost_changes: Vec<Option<Decimal>>,
    pub currency: Currency,
    /// The catalogues the cost changes were priced with, refreshed ones first (`Hetzner prices
    /// refreshed from its API on 2026-11-26`, `embedded price catalogue of 2025-09-01`).
    pub prices: Vec<String>,
}

/// An estimate, and when the design was moved onto another provider first, how each size was
/// mapped and what that provider lacks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ProviderEstimate {
    #[specta(type = wire::Estimate)]
    pub estimate: Estimate,
    /// Empty when the design was priced where it is placed.
    pub mappings: Vec<SizeMapping>,
    pub gaps: Vec<Gap>,
}

/// [`Comparison`] as sent to the UI (its TypeScript shape is [`wire::Comparison`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(transparent)]
#[specta(transparent)]
pub struct ProviderComparison(#[specta(type = wire::Comparison)] pub Comparison);

/// TypeScript shapes of pricing's answers. Pricing's `CatalogInfo.entries` is a `usize`, which
/// the bindings exporter refuses (it could exceed a JS number); these mirrors declare it `u32`
/// (the count of one catalogue's entries, in the hundreds). They are never built: serde sends
/// the real values. Drop them once stagecraft-pricing declares `entries` as `u32`.
pub mod wire {
    use serde::Serialize;
    use stagecraft_model::{Currency, Provider};
    use stagecraft_pricing::rust_decimal::Decimal;
    use stagecraft_pricing::{
        CatalogOrigin, CostLine, CostWarning, EgressSummary, Gap, ProviderColumn, SizeMapping,
        Subtotal, Totals,
    };

    #[derive(Serialize, specta::Type)]
    #[serde(rename = "CatalogInfo")]
    pub struct CatalogInfo {
        pub origin: CatalogOrigin,
        pub as_of: String,
        pub entries: u32,
    }

    #[derive(Serialize, specta::Type)]
    #[serde(rename = "Estimate")]
    pub struct Estimate {
        pub design: String,
        pub currency: Currency,
        pub hours_per_month: Decimal,
        pub usd_per_eur: Decimal,
        pub catalogs: Vec<CatalogInfo>,
        pub lines: Vec<CostLine>,
        pub warnings: Vec<CostWarning>,
        pub egress: Vec<EgressSummary>,
        pub totals: Totals,
        pub by_group: Vec<Subtotal>,
        pub by_region: Vec<Subtotal>,
        pub by_provider: Vec<Subtotal>,
    }

    #[derive(Serialize, specta::Type)]
    #[serde(rename = "Comparison")]
    pub struct Comparison {
        pub design: String,
        pub currency: Currency,
        pub catalogs: Vec<CatalogInfo>,
        pub columns: Vec<ProviderColumn>,
        pub mappings: Vec<SizeMapping>,
        pub gaps: Vec<Gap>,
        pub cheapest: Option<Provider>,
    }
}

/// The rules report with pricing's cost findings (priced with the default options and `prices`,
/// as the cost panel prices; each finding names its catalogues) merged in, in the report's order
/// (severity, rule id, first component) and with the counts updated.
pub fn check_with_costs(
    design: &Design,
    target_stage: Option<Stage>,
    prices: &StoredPrices,
) -> Report {
    let mut report = stagecraft_rules::check(design, &CheckOptions { target_stage });
    let estimate =
        stagecraft_pricing::estimate_with(design, &CostOptions::default(), &prices.layers());
    let costs = stagecraft_pricing::cost_findings(design, &estimate);
    if costs.is_empty() {
        return report;
    }
    report
        .findings
        .extend(costs.into_iter().map(|cost| Finding {
            rule: cost.rule,
            severity: match cost.severity {
                stagecraft_pricing::Severity::Error => Severity::Error,
                stagecraft_pricing::Severity::Warning => Severity::Warning,
                stagecraft_pricing::Severity::Info => Severity::Info,
            },
            message: cost.message,
            why: cost.why,
            components: cost.components,
            fix: None,
        }));
    report.findings.sort_by(|a, b| {
        (a.severity, &a.rule, a.components.first()).cmp(&(
            b.severity,
            &b.rule,
            b.components.first(),
        ))
    });
    report.counts = Default::default();
    for finding in &report.findings {
        match finding.severity {
            Severity::Error => report.counts.error += 1,
            Severity::Warning => report.counts.warning += 1,
            Severity::Info => report.counts.info += 1,
        }
    }
    report
}

/// [`stagecraft_rules::advise`], each tier's change priced with the default cost options and
/// `prices` (as the cost panel prices), naming the catalogues used.
pub fn priced_advice(design: &Design, prices: &StoredPrices) -> PricedAdvice {
    let advice = stagecraft_rules::advise(design);
    let options = CostOptions::default();
    let layers = prices.layers();
    let now = stagecraft_pricing::estimate_with(design, &options, &layers);
    let tier_cost_changes = advice
        .tiers
        .iter()
        .map(|tier| {
            let mut changed = design.clone();
            stagecraft_rules::apply_fix(&mut changed, tier.fix.as_ref()?).ok()?;
            let after = stagecraft_pricing::estimate_with(&changed, &options, &layers);
            Some(after.totals.monthly - now.totals.monthly)
        })
        .collect();
    PricedAdvice {
        advice,
        tier_cost_changes,
        currency: now.currency,
        prices: now
            .catalogs
            .iter()
            .map(stagecraft_pricing::catalog_label)
            .collect(),
    }
}

/// `design` with every edit of `fix` applied.
///
/// # Errors
/// [`ApiError::InvalidFix`] when the fix does not fit this version of the design (an id it names
/// is gone or taken) or would leave it inconsistent; nothing is changed then.
pub fn fixed(mut design: Design, fix: &Fix) -> Result<Design, ApiError> {
    stagecraft_rules::apply_fix(&mut design, fix).map_err(ApiError::InvalidFix)?;
    Ok(design)
}

/// [`estimate_with_prices`] with the stored refreshes (see `stagecraft prices show`).
pub fn estimate_on(
    design: &Design,
    provider: Option<Provider>,
    options: &CostOptions,
) -> ProviderEstimate {
    estimate_with_prices(design, provider, options, &StoredPrices::load_default())
}

/// The comparison priced with `prices` (stored refreshes over the embedded catalogue).
pub fn compare_on(
    design: &Design,
    options: &CostOptions,
    prices: &StoredPrices,
) -> ProviderComparison {
    ProviderComparison(stagecraft_pricing::compare_with(
        design,
        options,
        &prices.layers(),
    ))
}

/// Fetches and stores `provider`'s prices: the token is read from the keyring off the async
/// workers, goes into the request header only, and a refused answer leaves the stored prices
/// as they were. `prices_dir` overrides the stored prices' folder (tests).
///
/// # Errors
/// [`ApiError::CredentialsMissing`] (and the other keyring kinds) when no token can be read;
/// [`ApiError::PriceRefresh`] when the provider has no price API or the answer is refused;
/// [`ApiError::Io`] when the prices folder cannot be made.
pub async fn refreshed_prices(
    provider: Provider,
    account: Option<String>,
    base_url: &str,
    prices_dir: Option<std::path::PathBuf>,
) -> Result<PriceStatus, ApiError> {
    if !REFRESHABLE.contains(&provider) {
        return Err(ApiError::PriceRefresh {
            provider,
            message: format!(
                "Stagecraft reads no price API of {}: its prices come from the embedded catalogue",
                provider.label()
            ),
        });
    }
    let key = CredentialKey::new(
        provider,
        account.as_deref().filter(|a| !a.trim().is_empty()),
    );
    let secret = tauri::async_runtime::spawn_blocking(move || read_credentials(&key))
        .await
        .map_err(|e| ApiError::Io(format!("a background task failed: {e}")))??;
    let token = ApiToken::new(secret.expose());
    drop(secret);
    let dir = match prices_dir {
        Some(dir) => dir,
        None => stagecraft_pricing::prices_dir().map_err(|e| ApiError::Io(e.to_string()))?,
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        ApiError::Io(format!(
            "cannot create the prices folder {}: {e}",
            dir.display()
        ))
    })?;
    let path = stored_path(&dir, provider);
    let refused = |e: RefreshError| ApiError::PriceRefresh {
        provider,
        message: format!("{e} (the stored prices are unchanged)"),
    };
    match provider {
        Provider::Hetzner => refresh_hetzner(base_url, &token, &path).await,
        _ => refresh_digitalocean(base_url, &token, &path).await,
    }
    .map_err(refused)?;
    Ok(StoredPrices::load(&dir).status())
}

/// Prices `design` where it is placed, or (with `provider`) moved onto that provider, each
/// component mapped to the closest size, as `stagecraft cost --provider` does, with `prices`.
pub fn estimate_with_prices(
    design: &Design,
    provider: Option<Provider>,
    options: &CostOptions,
    prices: &StoredPrices,
) -> ProviderEstimate {
    let layers = prices.layers();
    match provider {
        Some(provider) => {
            let options = CostOptions {
                default_provider: Some(provider),
                ..options.clone()
            };
            let moved = stagecraft_pricing::retarget(design, provider, &options);
            ProviderEstimate {
                estimate: stagecraft_pricing::estimate_with(&moved.design, &options, &layers),
                mappings: moved.mappings,
                gaps: moved.gaps,
            }
        }
        None => ProviderEstimate {
            estimate: stagecraft_pricing::estimate_with(design, options, &layers),
            mappings: Vec::new(),
            gaps: Vec::new(),
        },
    }
}
