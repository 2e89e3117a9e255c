//! Where refreshed catalogues are kept, and which catalogue is in use for each provider.
//!
//! A refresh stores one file per provider, `<prices dir>/<provider>.json` (the user's data
//! folder, `stagecraft/prices`, or the folder named by [`PRICES_DIR_VARIABLE`]). The CLI and the
//! app read the same files, so a refresh made in one is used by the other.
//!
//! Invariants: a stored file that cannot be read or is not a valid catalogue for its provider is
//! never used and never hidden: [`StoredPrices::problems`] says which file and why, and that
//! provider is priced with the embedded catalogue. Refreshed prices are laid over the embedded
//! ones (see [`crate::estimate_with`]); every line names the entry, source and date it used.

use std::path::{Path, PathBuf};

use serde::Serialize;
use stagecraft_model::Provider;

use crate::catalog::{embedded, CatalogOrigin, PriceCatalog};
use crate::refresh::{load_catalog, RefreshError};

/// Environment variable that names the folder refreshed catalogues are stored in (tests point it
/// at a temporary folder).
pub const PRICES_DIR_VARIABLE: &str = "STAGECRAFT_PRICES_DIR";

/// Providers whose prices can be refreshed from their API.
pub const REFRESHABLE: [Provider; 2] = [Provider::Hetzner, Provider::Digitalocean];

/// The folder refreshed catalogues live in: [`PRICES_DIR_VARIABLE`] when set, else
/// `<data dir>/stagecraft/prices` (`~/.local/share` on Linux, `~/Library/Application Support` on
/// macOS, `%APPDATA%` on Windows).
///
/// # Errors
/// [`RefreshError::Store`] when the system has no data folder and the variable is not set.
pub fn prices_dir() -> Result<PathBuf, RefreshError> {
    if let Some(dir) = std::env::var_os(PRICES_DIR_VARIABLE).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join("stagecraft").join("prices"))
        .ok_or_else(|| RefreshError::Store {
            path: "-".into(),
            message: format!(
                "this system has no user data folder; set {PRICES_DIR_VARIABLE} to a folder for refreshed prices"
            ),
        })
}

/// The file a refresh of `provider` is stored in.
pub fn stored_path(dir: &Path, provider: Provider) -> PathBuf {
    dir.join(format!("{}.json", provider.slug()))
}

/// The refreshed catalogues found in a prices folder, and the files that could not be used.
#[derive(Debug, Clone, Default)]
pub struct StoredPrices {
    /// The folder read; `None` when there is none (or the embedded catalogue was forced).
    pub dir: Option<PathBuf>,
    pub catalogs: Vec<PriceCatalog>,
    /// Stored files that are not used, and why.
    pub problems: Vec<StoredProblem>,
    /// Whether the caller asked for the embedded catalogue only.
    pub forced_embedded: bool,
}

/// A stored catalogue that is not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct StoredProblem {
    pub provider: Provider,
    pub path: String,
    pub message: String,
}

impl StoredPrices {
    /// Reads every provider's stored catalogue in `dir`; a missing file is no problem (the
    /// provider was never refreshed), an unusable one is listed in `problems`.
    pub fn load(dir: &Path) -> Self {
        let mut stored = StoredPrices {
            dir: Some(dir.to_owned()),
            ..Default::default()
        };
        for provider in REFRESHABLE {
            let path = stored_path(dir, provider);
            if !path.exists() {
                continue;
            }
            let problem = |message: String| StoredProblem {
                provider,
                path: path.display().to_string(),
                message,
            };
            match load_catalog(&path) {
                Ok(catalog) => match &catalog.origin {
                    CatalogOrigin::Refreshed { provider: p, .. } if *p == provider => {
                        if let Some(other) = catalog.entries.iter().find(|e| e.provider != provider)
                        {
                            stored.problems.push(problem(format!(
                                "entry `{}` is a {} price in the {} file",
                                other.id,
                                other.provider.label(),
                                provider.label()
                            )));
                        } else {
                            stored.catalogs.push(catalog);
                        }
                    }
                    _ => stored.problems.push(problem(format!(
                        "it is not a catalogue refreshed from the {} API",
                        provider.label()
                    ))),
                },
                Err(e) => stored.problems.push(problem(e.to_string())),
            }
        }
        stored
    }

    /// The stored catalogues of [`prices_dir`], or none (with the reason as a problem) when the
    /// folder cannot be named.
    pub fn load_default() -> Self {
        match prices_dir() {
            Ok(dir) => Self::load(&dir),
            Err(e) => StoredPrices {
                problems: vec![StoredProblem {
                    provider: Provider::Unassigned,
                    path: "-".into(),
                    message: e.to_string(),
                }],
                ..Default::default()
            },
        }
    }

    /// No stored catalogue: the embedded one only, because the caller asked for it.
    pub fn embedded_only() -> Self {
        StoredPrices {
            forced_embedded: true,
            ..Default::default()
        }
    }

    /// The catalogues to price with, in order: every refreshed one, then the embedded one.
    pub fn layers(&self) -> Vec<&PriceCatalog> {
        self.catalogs.iter().chain([embedded()]).collect()
    }

    /// The refreshed catalogue of `provider`, if one is in use.
    pub fn refreshed(&self, provider: Provider) -> Option<&PriceCatalog> {
        self.catalogs.iter().find(
            |c| matches!(&c.origin, CatalogOrigin::Refreshed { provider: p, .. } if *p == provider),
        )
    }

    /// Which catalogue each provider is priced with, its date and its sources.
    pub fn status(&self) -> PriceStatus {
        let providers = Provider::REAL
            .iter()
            .map(|&provider| {
                let problem = self
                    .problems
                    .iter()
                    .find(|p| p.provider == provider)
                    .map(|p| p.message.clone());
                let stored_path = self
                    .dir
                    .as_deref()
                    .filter(|_| REFRESHABLE.contains(&provider))
                    .map(|d| stored_path(d, provider).display().to_string());
                match self.refreshed(provider) {
                    Some(catalog) => {
                        let (endpoints, fetched_at) = match &catalog.origin {
                            CatalogOrigin::Refreshed {
                                endpoints,
                                fetched_at,
                                ..
                            } => (endpoints.clone(), fetched_at.clone()),
                            CatalogOrigin::Embedded => (Vec::new(), catalog.as_of.clone()),
                        };
                        ProviderPrices {
                            provider,
                            in_use: PriceSource::Refreshed,
                            as_of: fetched_at,
                            sources: endpoints,
                            entries: catalog.entries.len() as u32,
                            embedded_as_of: embedded().as_of.clone(),
                            stored_path,
                            problem,
                        }
                    }
                    None => {
                        let mut sources: Vec<String> = embedded()
                            .entries
                            .iter()
                            .filter(|e| e.provider == provider)
                            .map(|e| e.source.clone())
                            .collect();
                        sources.sort();
                        sources.dedup();
                        ProviderPrices {
                            provider,
                            in_use: PriceSource::Embedded,
                            as_of: embedded().as_of.clone(),
                            entries: embedded()
                                .entries
                                .iter()
                                .filter(|e| e.provider == provider)
                                .count() as u32,
                            sources,
                            embedded_as_of: embedded().as_of.clone(),
                            stored_path,
                            problem,
                        }
                    }
                }
            })
            .collect();
        PriceStatus {
            dir: self.dir.as_ref().map(|d| d.display().to_string()),
            forced_embedded: self.forced_embedded,
            providers,
        }
    }
}

/// Which catalogue prices a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    /// The catalogue built into Stagecraft.
    Embedded,
    /// A catalogue refreshed from the provider's API and stored; products the API does not
    /// price (object storage, for example) still come from the embedded catalogue, and each
    /// estimate line names the entry it used.
    Refreshed,
}

/// The prices in use for one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ProviderPrices {
    pub provider: Provider,
    pub in_use: PriceSource,
    /// The date of the catalogue in use (the fetch date of a refresh).
    pub as_of: String,
    /// The API endpoints read, or the public price pages of the embedded entries.
    pub sources: Vec<String>,
    /// Price entries of this provider in that catalogue.
    pub entries: u32,
    /// The date of the embedded catalogue, which fills in what a refresh does not price.
    pub embedded_as_of: String,
    /// Where a refresh of this provider is stored; `None` for providers that cannot be refreshed.
    pub stored_path: Option<String>,
    /// Why a stored refresh is not used, when there is one that cannot be.
    pub problem: Option<String>,
}

/// Which catalogue each provider is priced with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PriceStatus {
    /// The folder refreshed catalogues are read from.
    pub dir: Option<String>,
    /// The caller asked for the embedded catalogue only.
    pub forced_embedded: bool,
    pub providers: Vec<ProviderPrices>,
}

impl PriceStatus {
    /// One line per provider, for a terminal or a report header.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if self.forced_embedded {
            out.push_str("Prices: the embedded catalogue only (stored refreshes ignored)\n");
        }
        for p in &self.providers {
            let line = match p.in_use {
                PriceSource::Refreshed => format!(
                    "{}: refreshed from its API on {} ({} prices; {}); the rest from the embedded catalogue of {}",
                    p.provider.label(),
                    p.as_of,
                    p.entries,
                    p.sources.join(", "),
                    p.embedded_as_of
                ),
                PriceSource::Embedded => format!(
                    "{}: embedded catalogue of {} ({} prices; {} price page(s))",
                    p.provider.label(),
                    p.as_of,
                    p.entries,
                    p.sources.len()
                ),
            };
            out.push_str(&line);
            out.push('\n');
            if let Some(problem) = &p.problem {
                out.push_str(&format!("  the stored refresh is not used: {problem}\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_folder_uses_the_embedded_catalogue_for_everyone() {
        let dir = tempfile::tempdir().unwrap();
        let stored = StoredPrices::load(dir.path());
        assert!(stored.catalogs.is_empty() && stored.problems.is_empty());
        let status = stored.status();
        assert_eq!(status.providers.len(), 3);
        assert!(status
            .providers
            .iter()
            .all(|p| p.in_use == PriceSource::Embedded && p.as_of == embedded().as_of));
        assert_eq!(stored.layers().len(), 1);
    }

    #[test]
    fn an_unusable_stored_file_is_reported_not_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(stored_path(dir.path(), Provider::Hetzner), "{not json").unwrap();
        // The embedded catalogue stored under the DigitalOcean name is not a refresh.
        crate::refresh::store_catalog(&stored_path(dir.path(), Provider::Digitalocean), embedded())
            .unwrap();
        let stored = StoredPrices::load(dir.path());
        assert!(stored.catalogs.is_empty());
        assert_eq!(stored.problems.len(), 2, "{:?}", stored.problems);
        let status = stored.status();
        let hetzner = &status.providers[0];
        assert_eq!(hetzner.in_use, PriceSource::Embedded);
        assert!(
            hetzner
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("malformed")),
            "{hetzner:?}"
        );
        assert!(status.to_text().contains("the stored refresh is not used"));
    }
}
