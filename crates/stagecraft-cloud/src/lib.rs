//! # stagecraft-cloud
//!
//! Provisioning: turns a design into real resources at Hetzner Cloud, DigitalOcean and AWS, and
//! keeps track of them.
//!
//! - [`credentials`]: provider tokens in the OS keyring, never anywhere else.
//! - [`hetzner`]: the Hetzner Cloud client and driver; [`digitalocean`]: the DigitalOcean
//!   client and driver; [`aws`]: SigV4-signed Query API calls and the AWS driver;
//!   [`transport`]: the retrying HTTP core shared by all three.
//! - [`wireguard`]: tunnels between servers of different providers or regions, and the link
//!   step that exchanges their public keys over SSH.
//! - [`resources`]: the mapping of a design to provider resources through the catalogue.
//! - [`plan`], [`engine`], [`state`]: plan, apply, destroy and refresh, with a crash-safe journal.
//!
//! Invariants:
//! - A token is a [`Secret`]: no `Serialize`, no `Display`, wiped on drop. It is read from the
//!   keyring only to put it on the wire.
//! - Every resource carries the labels `managed-by=stagecraft`, `stagecraft-design=<design id>`
//!   and `stagecraft-component=<owner id>`; nothing without this design's label is ever changed.
//! - Every create is journaled before it is sent and after it succeeds, so a crashed apply
//!   resumes without duplicates and without unrecorded resources.
//!
//! Types that the app shows (plans, progress, reports, credential status) derive `Serialize`
//! and `specta::Type`.

pub mod aws;
pub mod cloud_init;
pub mod credentials;
pub mod digitalocean;
pub mod engine;
#[cfg(feature = "fake")]
pub mod fake;
#[cfg(feature = "fake")]
pub mod fake_digitalocean;
pub mod hetzner;
pub mod plan;
pub mod resources;
pub mod secret;
pub mod ssh_key;
pub mod state;
pub mod transport;
pub mod wireguard;

use std::sync::Arc;

use stagecraft_model::Provider;

pub use credentials::{CredentialError, CredentialKey, CredentialStatus};
pub use engine::{
    ApplyProgress, ApplyReport, DriftReport, Engine, EngineError, EngineOptions, ProviderDriver,
    ResourceStatus,
};
pub use plan::{ChangeAction, Plan, PlannedChange};
pub use secret::Secret;
pub use transport::{ClientConfig, ProviderError, ProviderErrorKind, RetryPolicy};

/// Environment variable overriding a provider's API base URL (tests point these at local peers).
pub fn base_url_variable(provider: Provider) -> &'static str {
    match provider {
        Provider::Hetzner => "STAGECRAFT_HETZNER_URL",
        Provider::Digitalocean => "STAGECRAFT_DIGITALOCEAN_URL",
        Provider::Aws => "STAGECRAFT_AWS_URL",
        Provider::Unassigned => "STAGECRAFT_UNASSIGNED_URL",
    }
}

/// The API base URL of `provider`: the environment override, else production.
pub fn base_url(provider: Provider) -> String {
    std::env::var(base_url_variable(provider)).unwrap_or_else(|_| match provider {
        Provider::Hetzner => hetzner::HETZNER_API.to_owned(),
        Provider::Digitalocean => digitalocean::DIGITALOCEAN_API.to_owned(),
        Provider::Aws => aws::AWS_API.to_owned(),
        Provider::Unassigned => String::new(),
    })
}

/// A driver for `provider` with `token`, talking to `config.base_url`.
///
/// # Errors
/// [`ProviderErrorKind::Unsupported`] for providers this build cannot provision yet.
pub fn driver_for(
    provider: Provider,
    config: ClientConfig,
    token: Secret,
) -> Result<Arc<dyn ProviderDriver>, ProviderError> {
    match provider {
        Provider::Hetzner => Ok(Arc::new(hetzner::HetznerDriver::new(
            hetzner::HetznerClient::new(config, token)?,
        ))),
        Provider::Digitalocean => Ok(Arc::new(digitalocean::DigitalOceanDriver::new(
            digitalocean::DigitalOceanClient::new(config, token)?,
        ))),
        // The keyring secret is `ACCESS_KEY_ID:SECRET_ACCESS_KEY`.
        Provider::Aws => Ok(Arc::new(aws::AwsDriver::new(aws::AwsClient::new(
            config, token,
        )?))),
        other => Err(ProviderError::new(
            other,
            ProviderErrorKind::Unsupported,
            format!("provisioning on {} is not implemented yet", other.label()),
        )),
    }
}

/// Checks a token with a cheap authenticated call.
///
/// # Errors
/// [`ProviderErrorKind::Unauthorized`] when the provider refuses it; other provider errors.
pub async fn verify_token(
    provider: Provider,
    config: ClientConfig,
    token: Secret,
) -> Result<(), ProviderError> {
    match provider {
        Provider::Hetzner => hetzner::HetznerClient::new(config, token)?.verify().await,
        Provider::Digitalocean => {
            digitalocean::DigitalOceanClient::new(config, token)?
                .verify()
                .await
        }
        Provider::Aws => aws::AwsClient::new(config, token)?.verify().await,
        other => Err(ProviderError::new(
            other,
            ProviderErrorKind::Unsupported,
            format!("checking {} tokens is not implemented yet", other.label()),
        )),
    }
}

/// Runs a future to completion on a fresh multi-threaded runtime, for callers without one (the
/// CLI). The app calls the async API from its own runtime instead.
///
/// # Panics
/// When the OS refuses to start the runtime's threads.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("the OS starts the runtime threads")
        .block_on(future)
}

/// Why an engine could not be set up for a design.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
}

/// The providers a run over `design_file` talks to: those of the design's resources and those
/// recorded in its journal.
///
/// # Errors
/// A design that does not load; an unreadable journal.
pub fn providers_needed(
    design_file: &std::path::Path,
    mapping: &resources::MappingOptions,
) -> Result<std::collections::BTreeSet<Provider>, EngineError> {
    let loaded = stagecraft_model::load_file(design_file)
        .map_err(|e| EngineError::InvalidDesign(e.problems))?;
    let mapping = resources::map_design(&loaded.design, mapping);
    let state = state::StateFile::load(&state::state_path(design_file), loaded.design.id.as_str())?;
    Ok(mapping
        .resources
        .iter()
        .map(|r| r.provider)
        .chain(state.resources.values().map(|e| e.provider))
        .collect())
}

/// An engine for `design_file` with a driver per provider it needs, each using the token stored
/// in the keyring for `account` and the base URL from [`base_url`].
///
/// # Errors
/// Missing credentials (naming the provider), keyring errors, a design that does not load.
pub fn engine_from_keyring(
    design_file: &std::path::Path,
    account: Option<&str>,
    options: EngineOptions,
) -> Result<Engine, SetupError> {
    let providers = providers_needed(design_file, &options.mapping)?;
    let mut engine = Engine::new(options);
    for provider in providers {
        let token = credentials::read_credentials(&CredentialKey::new(provider, account))?;
        engine = engine.with_driver(driver_for(
            provider,
            ClientConfig::new(base_url(provider)),
            token,
        )?);
    }
    Ok(engine)
}
