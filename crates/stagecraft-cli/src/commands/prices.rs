//! `stagecraft prices refresh --provider P [--account A]` and `stagecraft prices show`: fetch a
//! provider's current prices from its API (Hetzner `/pricing` and `/server_types`,
//! DigitalOcean `/v2/sizes`) with the token stored in the OS keyring, store them with their date
//! in the user's data folder (`STAGECRAFT_PRICES_DIR` overrides it), and say which catalogue
//! each provider is priced with.
//!
//! A refused answer (malformed, partial, an HTTP error) leaves the stored catalogue as it was.
//! The token goes from the keyring to the request header and nowhere else.

use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use serde_json::json;
use stagecraft_cloud::credentials::{read_credentials, CredentialKey};
use stagecraft_model::Provider;
use stagecraft_pricing::refresh::{refresh_digitalocean, refresh_hetzner, ApiToken};
use stagecraft_pricing::store::stored_path;
use stagecraft_pricing::{prices_dir, CatalogOrigin, StoredPrices};

use crate::output::{Failure, Output};

/// A provider whose prices can be refreshed.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RefreshableProvider {
    Hetzner,
    Digitalocean,
}

impl From<RefreshableProvider> for Provider {
    fn from(p: RefreshableProvider) -> Self {
        match p {
            RefreshableProvider::Hetzner => Provider::Hetzner,
            RefreshableProvider::Digitalocean => Provider::Digitalocean,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// Fetch current prices from the provider's API and store them for `cost` to use.
    Refresh {
        #[arg(long, value_enum)]
        provider: RefreshableProvider,
        /// Account whose stored token is used (see `stagecraft credentials set`).
        #[arg(long)]
        account: Option<String>,
    },
    /// Say which price catalogue is in use for each provider, with its date and sources.
    Show,
}

pub fn run(out: &Output, command: &PricesCommand) -> Result<ExitCode, Failure> {
    match command {
        PricesCommand::Show => {
            let status = StoredPrices::load_default().status();
            out.print(&status, || status.to_text());
            Ok(ExitCode::SUCCESS)
        }
        PricesCommand::Refresh { provider, account } => {
            refresh(out, (*provider).into(), account.as_deref())
        }
    }
}

fn refresh(out: &Output, provider: Provider, account: Option<&str>) -> Result<ExitCode, Failure> {
    let key = CredentialKey::new(provider, account);
    let secret = read_credentials(&key).map_err(|e| Failure::Usage(e.to_string()))?;
    let token = ApiToken::new(secret.expose());
    drop(secret);
    let dir = prices_dir().map_err(|e| Failure::Usage(e.to_string()))?;
    std::fs::create_dir_all(&dir).map_err(|e| {
        Failure::Usage(format!(
            "cannot create the prices folder {}: {e}",
            dir.display()
        ))
    })?;
    let path = stored_path(&dir, provider);
    let base = stagecraft_cloud::base_url(provider);
    let result = stagecraft_cloud::block_on(async {
        match provider {
            Provider::Hetzner => refresh_hetzner(&base, &token, &path).await,
            _ => refresh_digitalocean(&base, &token, &path).await,
        }
    });
    let catalog = result.map_err(|e| {
        Failure::Usage(format!(
            "{} prices were not refreshed (the stored prices are unchanged): {e}",
            provider.label()
        ))
    })?;
    let endpoints = match &catalog.origin {
        CatalogOrigin::Refreshed { endpoints, .. } => endpoints.clone(),
        CatalogOrigin::Embedded => Vec::new(),
    };
    out.print(
        &json!({
            "ok": true,
            "provider": provider,
            "as_of": catalog.as_of,
            "entries": catalog.entries.len(),
            "endpoints": endpoints,
            "path": path.display().to_string(),
        }),
        || {
            format!(
                "Stored {} {} prices of {} (from {}) in {}.\n`stagecraft cost` now uses them; `--prices embedded` ignores them.",
                catalog.entries.len(),
                provider.label(),
                catalog.as_of,
                endpoints.join(" and "),
                path.display()
            )
        },
    );
    Ok(ExitCode::SUCCESS)
}
