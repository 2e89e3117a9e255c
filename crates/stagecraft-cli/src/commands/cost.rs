//! `stagecraft cost FILE`: the monthly and hourly cost of a design, line by line, on the
//! providers it is placed on, moved onto one provider (`--provider`), or on all three side by
//! side (`--compare`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;

use clap::ValueEnum;
use serde_json::json;
use stagecraft_model::{load_file, Currency, Provider};
use stagecraft_pricing::rust_decimal::Decimal;
use stagecraft_pricing::{
    compare_with, cost_findings, estimate_with, refresh, retarget, CostOptions, Severity,
    StoredPrices,
};

use crate::output::{Failure, Output};

#[derive(Debug, Clone, clap::Args)]
pub struct CostArgs {
    /// The design file to price.
    pub file: PathBuf,
    /// Price the design moved onto this provider (each component mapped to the closest size).
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,
    /// Price the design on Hetzner, DigitalOcean and AWS side by side.
    #[arg(long)]
    pub compare: bool,
    /// Print CSV, one row per cost line.
    #[arg(long, conflicts_with = "markdown")]
    pub csv: bool,
    /// Print Markdown (for a pull-request comment or a wiki).
    #[arg(long)]
    pub markdown: bool,
    /// Hours in a billing month.
    #[arg(long, default_value_t = 730)]
    pub hours: u32,
    /// Currency to show (defaults to the design's).
    #[arg(long, value_enum)]
    pub currency: Option<CurrencyArg>,
    /// Add VAT at this rate, in percent (for example 19).
    #[arg(long, value_name = "PERCENT")]
    pub vat: Option<String>,
    /// Exchange rate: US dollars per euro.
    #[arg(long, value_name = "RATE", default_value = "1.17")]
    pub usd_per_eur: String,
    /// Which prices: `stored` (the default: refreshes stored by `stagecraft prices refresh`,
    /// then the embedded catalogue), `embedded` (the built-in catalogue only), or a catalogue
    /// FILE to use before the embedded one.
    #[arg(long, value_name = "stored|embedded|FILE")]
    pub prices: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProviderArg {
    Hetzner,
    Digitalocean,
    Aws,
}

impl From<ProviderArg> for Provider {
    fn from(p: ProviderArg) -> Self {
        match p {
            ProviderArg::Hetzner => Provider::Hetzner,
            ProviderArg::Digitalocean => Provider::Digitalocean,
            ProviderArg::Aws => Provider::Aws,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CurrencyArg {
    #[value(name = "EUR", alias = "eur")]
    Eur,
    #[value(name = "USD", alias = "usd")]
    Usd,
}

impl From<CurrencyArg> for Currency {
    fn from(c: CurrencyArg) -> Self {
        match c {
            CurrencyArg::Eur => Currency::Eur,
            CurrencyArg::Usd => Currency::Usd,
        }
    }
}

/// A non-negative decimal from the command line, or a usage error naming the flag.
pub fn decimal_arg(flag: &str, text: &str) -> Result<Decimal, Failure> {
    Decimal::from_str(text.trim())
        .ok()
        .filter(|d| !d.is_sign_negative())
        .ok_or_else(|| Failure::Usage(format!("{flag} {text}: not a non-negative decimal number")))
}

/// The options shared by `cost` and `cost-diff`.
pub fn options(
    hours: u32,
    currency: Option<CurrencyArg>,
    vat: Option<&str>,
    usd_per_eur: &str,
) -> Result<CostOptions, Failure> {
    if hours == 0 {
        return Err(Failure::Usage("--hours must be at least 1".into()));
    }
    let rate = decimal_arg("--usd-per-eur", usd_per_eur)?;
    if rate.is_zero() {
        return Err(Failure::Usage("--usd-per-eur must be above 0".into()));
    }
    Ok(CostOptions {
        hours_per_month: Decimal::from(hours),
        currency: currency.map(Into::into),
        usd_per_eur: rate,
        vat_percent: vat.map(|v| decimal_arg("--vat", v)).transpose()?,
        default_provider: None,
    })
}

/// The catalogues `--prices` names: the stored refreshes (default), the embedded catalogue
/// only, or a catalogue file. Stored files that cannot be used are said on stderr, never
/// skipped silently.
pub fn load_prices(arg: Option<&str>) -> Result<StoredPrices, Failure> {
    let prices = match arg {
        None | Some("stored") => StoredPrices::load_default(),
        Some("embedded") => StoredPrices::embedded_only(),
        Some(file) => {
            let catalog = refresh::load_catalog(Path::new(file))
                .map_err(|e| Failure::Usage(format!("--prices {file}: {e}")))?;
            StoredPrices {
                catalogs: vec![catalog],
                ..Default::default()
            }
        }
    };
    for problem in &prices.problems {
        eprintln!(
            "warning: stored prices {} are not used ({}): the embedded catalogue prices {} instead",
            problem.path,
            problem.message,
            problem.provider.label()
        );
    }
    Ok(prices)
}

pub fn run(out: &Output, args: &CostArgs) -> Result<ExitCode, Failure> {
    let formats = [out.json, args.csv, args.markdown]
        .iter()
        .filter(|f| **f)
        .count();
    if formats > 1 {
        return Err(Failure::Usage(
            "choose one of --json, --csv and --markdown".into(),
        ));
    }
    if args.compare && args.csv {
        return Err(Failure::Usage(
            "--compare has no CSV form: use --json or --markdown".into(),
        ));
    }
    if args.compare && args.provider.is_some() {
        return Err(Failure::Usage(
            "--compare already prices every provider: drop --provider".into(),
        ));
    }
    let mut options = options(
        args.hours,
        args.currency,
        args.vat.as_deref(),
        &args.usd_per_eur,
    )?;
    let prices = load_prices(args.prices.as_deref())?;
    let catalogs = prices.layers();

    let loaded = load_file(&args.file)?;
    let design = loaded.design;

    if args.compare {
        let comparison = compare_with(&design, &options, &catalogs);
        if args.markdown {
            print!("{}", comparison.to_markdown());
        } else {
            out.print(&comparison, || comparison.to_text());
        }
        return Ok(ExitCode::SUCCESS);
    }

    let (design, mappings, gaps) = match args.provider {
        Some(p) => {
            let provider = Provider::from(p);
            options.default_provider = Some(provider);
            let moved = retarget(&design, provider, &options);
            (moved.design, moved.mappings, moved.gaps)
        }
        None => (design, Vec::new(), Vec::new()),
    };
    let estimate = estimate_with(&design, &options, &catalogs);
    let findings = cost_findings(&design, &estimate);
    if args.csv {
        print!("{}", estimate.to_csv());
    } else if args.markdown {
        print!("{}", estimate.to_markdown());
        for f in &findings {
            println!(
                "- **{}** ({:?}): {} {}",
                f.rule, f.severity, f.message, f.why
            );
        }
    } else {
        out.print(
            &json!({"ok": true, "estimate": estimate, "findings": findings, "mappings": mappings, "gaps": gaps, "prices": prices.status()}),
            || {
                let mut text = estimate.to_text();
                for g in &gaps {
                    text.push_str(&format!("gap: {} {}: {}\n", g.provider.label(), g.kind.slug(), g.message));
                }
                for f in &findings {
                    let severity = match f.severity {
                        Severity::Info => "info",
                        Severity::Warning => "warning",
                        Severity::Error => "error",
                    };
                    text.push_str(&format!("{severity} {}: {}\n  why: {}\n", f.rule, f.message, f.why));
                }
                text
            },
        );
    }
    Ok(ExitCode::SUCCESS)
}
