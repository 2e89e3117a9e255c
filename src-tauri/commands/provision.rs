//! Provisioning commands (issue 7): credentials in the OS keyring, plan, apply, destroy and
//! refresh of the open design through `stagecraft-cloud`.
//!
//! Invariants:
//! - A token travels UI -> Rust once, in `provision_set_credentials`, and goes straight into the
//!   keyring as a [`Secret`]. No command returns it, no error message contains it, nothing here
//!   logs it; the UI only ever learns [`CredentialStatus::has_credentials`].
//! - Keyring calls block (a D-Bus round trip): they run on the blocking pool, never on the UI
//!   thread or an async worker. Provider calls run on the async runtime.
//! - Runs act on the design *file* (the journal lives beside it), so a command refuses when the
//!   design the UI shows differs from the saved file, and refuses a design with findings at error
//!   level before contacting any provider.
//! - Base URLs come from [`stagecraft_cloud::base_url`], so `STAGECRAFT_HETZNER_URL` and the other
//!   overrides point the app at local peers in tests.
//! - One apply, destroy or link runs at a time; [`provision_cancel`] stops it through the
//!   cancellation token every client of the run (and a link's SSH steps) watches.
//! - Linking WireGuard tunnels ([`provision_link`]) reaches the servers with the system's `ssh`
//!   and the user's agent or a private key file *path*; no key material crosses IPC.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use stagecraft_cloud::credentials::{self, CredentialKey};
use stagecraft_cloud::engine::ProgressSink;
use stagecraft_cloud::resources::{MappingOptions, ResourceKind};
use stagecraft_cloud::wireguard::{
    LinkError, LinkProgress, LinkReport, OpenSsh, SshProblem, TunnelLink,
};
use stagecraft_cloud::{
    ApplyProgress, ApplyReport, ClientConfig, CredentialError, CredentialStatus, DriftReport,
    Engine, EngineError, EngineOptions, Plan, ProviderError, Secret, SetupError,
};
use stagecraft_model::{Design, Provider};
use stagecraft_rules::{CheckOptions, Severity};
use tauri::ipc::Channel;
use tauri::State;
use tokio_util::sync::CancellationToken;

use crate::error::ApiError;

/// Providers the credentials dialog lists, in menu order.
pub const PROVIDERS: [Provider; 3] = [Provider::Hetzner, Provider::Digitalocean, Provider::Aws];

/// The keyring account to use for one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ProviderAccount {
    pub provider: Provider,
    pub account: String,
}

/// What a plan, apply, destroy or refresh runs with besides the design: the keyring account per
/// provider (credentials are keyed `<provider>:<account>`; a provider not listed uses the
/// default account) and the SSH public key to install on every server. Never a token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunOptions {
    pub accounts: Vec<ProviderAccount>,
    pub ssh_public_key: Option<String>,
    /// The admin address (CIDR) that may reach tunnel servers on 22/tcp, for linking; none
    /// keeps SSH closed.
    #[serde(default)]
    pub admin_cidr: Option<String>,
}

impl From<Option<String>> for RunOptions {
    /// One account for every provider, no SSH key.
    fn from(account: Option<String>) -> Self {
        Self {
            accounts: account
                .map(|account| {
                    PROVIDERS
                        .iter()
                        .map(|provider| ProviderAccount {
                            provider: *provider,
                            account: account.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            ssh_public_key: None,
            admin_cidr: None,
        }
    }
}

impl RunOptions {
    fn account_for(&self, provider: Provider) -> Option<&str> {
        self.accounts
            .iter()
            .find(|a| a.provider == provider)
            .map(|a| a.account.as_str())
    }

    /// The mapping options, with the SSH key checked: a private key is refused here too, so
    /// nothing the UI sends by mistake reaches a provider.
    fn mapping(&self) -> Result<MappingOptions, ApiError> {
        let ssh_public_key = match self.ssh_public_key.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                stagecraft_cloud::ssh_key::parse_public_key(text)
                    .map_err(|e| ApiError::Credentials(e.to_string()))?,
            ),
        };
        let admin_cidr = match self.admin_cidr.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                stagecraft_cloud::wireguard::parse_admin_cidr(text)
                    .map_err(ApiError::InvalidOption)?,
            ),
        };
        Ok(MappingOptions {
            ssh_public_key,
            admin_cidr,
        })
    }
}

/// The running apply or destroy, if any, so it can be cancelled (app state).
#[derive(Default)]
pub struct ProvisionRuns {
    running: Mutex<Option<CancellationToken>>,
}

/// Clears the running slot when a run ends, however it ends.
struct RunSlot<'a> {
    runs: &'a ProvisionRuns,
    cancel: CancellationToken,
}

impl ProvisionRuns {
    fn begin(&self) -> Result<RunSlot<'_>, ApiError> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if running.is_some() {
            return Err(ApiError::Busy(
                "an apply or destroy is already running; wait for it or cancel it".into(),
            ));
        }
        let cancel = CancellationToken::new();
        *running = Some(cancel.clone());
        Ok(RunSlot { runs: self, cancel })
    }

    /// Cancels the running apply or destroy. Returns whether one was running.
    pub fn cancel(&self) -> bool {
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        match running.as_ref() {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Whether an apply or destroy is running.
    pub fn is_running(&self) -> bool {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}

impl Drop for RunSlot<'_> {
    fn drop(&mut self) {
        *self.runs.running.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// One resource Destroy would delete, for the confirmation (count and names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DestroyTarget {
    pub resource: String,
    pub provider: Provider,
    pub kind: ResourceKind,
    pub name: String,
    pub component: Option<String>,
}

/// The outcome of an apply or destroy as the UI receives it: the cloud crate's [`ApplyReport`]
/// with counters as plain numbers (TypeScript has no 64-bit integers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct RunReport {
    pub design_id: String,
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub replaced: Vec<String>,
    pub deleted: Vec<String>,
    /// Labelled resources found at the provider that the journal had not recorded.
    pub adopted: Vec<String>,
    /// Not attempted because something they depend on failed.
    pub not_attempted: Vec<String>,
    /// HTTP requests sent, retries and polls included.
    pub api_calls: u32,
    pub wall_ms: u32,
}

impl From<&ApplyReport> for RunReport {
    fn from(report: &ApplyReport) -> Self {
        let keys = |list: &[stagecraft_cloud::resources::ResourceKey]| {
            list.iter().map(ToString::to_string).collect()
        };
        Self {
            design_id: report.design_id.clone(),
            created: keys(&report.created),
            updated: keys(&report.updated),
            replaced: keys(&report.replaced),
            deleted: keys(&report.deleted),
            adopted: keys(&report.adopted),
            not_attempted: keys(&report.not_attempted),
            api_calls: u32::try_from(report.api_calls).unwrap_or(u32::MAX),
            wall_ms: u32::try_from(report.wall_ms).unwrap_or(u32::MAX),
        }
    }
}

/// A finding at error level that stops provisioning (the rules' finding without its fix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct BlockingFinding {
    pub rule: String,
    pub message: String,
    pub why: String,
    /// The components concerned, the first being the one to select.
    pub components: Vec<String>,
}

impl From<CredentialError> for ApiError {
    fn from(error: CredentialError) -> Self {
        match error {
            CredentialError::Missing(key) => ApiError::CredentialsMissing {
                provider: key.provider,
                account: key.account,
            },
            e @ CredentialError::KeyringUnavailable(_) => {
                ApiError::KeyringUnavailable(e.to_string())
            }
            e @ CredentialError::KeyringLocked(_) => ApiError::KeyringLocked(e.to_string()),
            e @ (CredentialError::Invalid(_) | CredentialError::Keyring(_)) => {
                ApiError::Credentials(e.to_string())
            }
        }
    }
}

impl From<ProviderError> for ApiError {
    fn from(error: ProviderError) -> Self {
        ApiError::Provider {
            provider: error.provider,
            reason: error.kind,
            resource: None,
            message: error.to_string(),
            retryable: error.retryable,
            created: Vec::new(),
            not_attempted: Vec::new(),
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> Self {
        match error {
            EngineError::InvalidDesign(problems) => ApiError::InvalidDesign(problems),
            EngineError::Provider(e) => e.into(),
            EngineError::MissingDriver(provider) => ApiError::CredentialsMissing {
                provider,
                account: credentials::DEFAULT_ACCOUNT.into(),
            },
            other @ (EngineError::State(_) | EngineError::Aborted(_)) => {
                ApiError::Io(other.to_string())
            }
        }
    }
}

impl From<SetupError> for ApiError {
    fn from(error: SetupError) -> Self {
        match error {
            SetupError::Engine(e) => e.into(),
            SetupError::Credentials(e) => e.into(),
            SetupError::Provider(e) => e.into(),
        }
    }
}

/// Runs blocking work (keyring calls) on the blocking pool.
async fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Io(format!("a background task failed: {e}")))?
}

fn key(provider: Provider, account: Option<&str>) -> CredentialKey {
    CredentialKey::new(provider, account.filter(|a| !a.trim().is_empty()))
}

/// Whether credentials exist for each provider under `account` (never their value).
///
/// # Errors
/// `keyringUnavailable` / `keyringLocked` when the OS keyring cannot be used.
pub async fn credentials_status(
    account: Option<String>,
) -> Result<Vec<CredentialStatus>, ApiError> {
    off_thread(move || {
        PROVIDERS
            .iter()
            .map(|p| {
                Ok(credentials::credential_status(&key(
                    *p,
                    account.as_deref(),
                ))?)
            })
            .collect()
    })
    .await
}

/// Stores `token` for `provider` and `account`; returns the new status (never the token).
///
/// # Errors
/// `credentials` for an empty token; keyring errors.
pub async fn set_credentials(
    provider: Provider,
    account: Option<String>,
    token: String,
) -> Result<CredentialStatus, ApiError> {
    // Wrapped at once: from here the token is wiped on drop and cannot be printed.
    let token = Secret::new(token);
    off_thread(move || {
        let key = key(provider, account.as_deref());
        credentials::set_credentials(&key, &token)?;
        Ok(credentials::credential_status(&key)?)
    })
    .await
}

/// Checks the stored token with a cheap authenticated call to the provider.
///
/// # Errors
/// `credentialsMissing`; `provider` with reason `unauthorized` when the provider refuses it.
pub async fn test_credentials(provider: Provider, account: Option<String>) -> Result<(), ApiError> {
    let token = off_thread(move || {
        Ok(credentials::read_credentials(&key(
            provider,
            account.as_deref(),
        ))?)
    })
    .await?;
    let config = ClientConfig::new(stagecraft_cloud::base_url(provider));
    Ok(stagecraft_cloud::verify_token(provider, config, token).await?)
}

/// Removes the stored token; returns the new status.
///
/// # Errors
/// Keyring errors.
pub async fn delete_credentials(
    provider: Provider,
    account: Option<String>,
) -> Result<CredentialStatus, ApiError> {
    off_thread(move || {
        let key = key(provider, account.as_deref());
        credentials::delete_credentials(&key)?;
        Ok(credentials::credential_status(&key)?)
    })
    .await
}

/// Checks that `design` is what `path` holds (runs act on the file and its journal) and that it
/// has no finding at error level.
fn runnable(path: &str, design: &Design) -> Result<PathBuf, ApiError> {
    let saved = stagecraft_model::load_file(Path::new(path))?;
    if saved.design != *design {
        return Err(ApiError::UnsavedChanges(format!(
            "{path} differs from the design on screen; save it first (provisioning works on the saved file and keeps its journal beside it)"
        )));
    }
    let report = stagecraft_rules::check(design, &CheckOptions::default());
    if report.has_errors() {
        return Err(ApiError::BlockingFindings(
            report
                .findings
                .into_iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| BlockingFinding {
                    rule: f.rule,
                    message: f.message,
                    why: f.why,
                    components: f.components.iter().map(ToString::to_string).collect(),
                })
                .collect(),
        ));
    }
    Ok(PathBuf::from(path))
}

/// An engine for the design file with a driver per provider it needs, each with the keyring's
/// token for `account`, the base URL from the environment override or production, and `cancel`.
fn engine_for(
    path: &Path,
    run: &RunOptions,
    progress: Option<ProgressSink>,
    cancel: &CancellationToken,
) -> Result<Engine, ApiError> {
    let options = EngineOptions {
        progress,
        mapping: run.mapping()?,
        ..EngineOptions::default()
    };
    let providers = stagecraft_cloud::providers_needed(path, &options.mapping)?;
    let mut engine = Engine::new(options);
    for provider in providers {
        let token = credentials::read_credentials(&key(provider, run.account_for(provider)))?;
        let mut config = ClientConfig::new(stagecraft_cloud::base_url(provider));
        config.cancel = cancel.clone();
        engine = engine.with_driver(stagecraft_cloud::driver_for(provider, config, token)?);
    }
    Ok(engine)
}

async fn prepared_engine(
    path: String,
    design: Design,
    run: RunOptions,
    progress: Option<ProgressSink>,
    cancel: CancellationToken,
) -> Result<(PathBuf, Engine), ApiError> {
    off_thread(move || {
        let file = runnable(&path, &design)?;
        let engine = engine_for(&file, &run, progress, &cancel)?;
        Ok((file, engine))
    })
    .await
}

/// What Apply would do for the saved design at `path`.
///
/// # Errors
/// `unsavedChanges`, `blockingFindings`, `credentialsMissing`, keyring and `provider` errors.
pub async fn plan(
    path: String,
    design: Design,
    run: impl Into<RunOptions>,
) -> Result<Plan, ApiError> {
    let (file, engine) =
        prepared_engine(path, design, run.into(), None, CancellationToken::new()).await?;
    Ok(engine.plan(&file).await?)
}

/// Compares the providers with the design and the journal.
///
/// # Errors
/// As [`plan`].
pub async fn refresh(
    path: String,
    design: Design,
    run: impl Into<RunOptions>,
) -> Result<DriftReport, ApiError> {
    let (file, engine) =
        prepared_engine(path, design, run.into(), None, CancellationToken::new()).await?;
    Ok(engine.refresh(&file).await?)
}

/// What Destroy would delete: the resources labelled for this design at its providers.
///
/// # Errors
/// As [`plan`].
pub async fn destroy_preview(
    path: String,
    design: Design,
    run: impl Into<RunOptions>,
) -> Result<Vec<DestroyTarget>, ApiError> {
    let design_id = design.id.clone();
    let (file, run) = (path.clone(), run.into());
    let drivers = off_thread(move || {
        let file = runnable(&file, &design)?;
        let providers = stagecraft_cloud::providers_needed(&file, &run.mapping()?)?;
        providers
            .into_iter()
            .map(|provider| {
                let token =
                    credentials::read_credentials(&key(provider, run.account_for(provider)))?;
                let config = ClientConfig::new(stagecraft_cloud::base_url(provider));
                Ok(stagecraft_cloud::driver_for(provider, config, token)?)
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await?;
    let mut targets = Vec::new();
    for driver in drivers {
        for found in driver.observe(&design_id).await? {
            targets.push(DestroyTarget {
                resource: found.key.to_string(),
                provider: found.provider,
                kind: found.kind,
                component: found
                    .key
                    .owner()
                    .starts_with("cmp_")
                    .then(|| found.key.owner().to_owned()),
                name: found.name,
            });
        }
    }
    targets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(targets)
}

/// Turns a finished run into the command's answer: the report when everything succeeded, else a
/// `provider` error naming the first failed resource, why, and what was created before it.
fn outcome(report: ApplyReport) -> Result<RunReport, ApiError> {
    let Some(failed) = report.failed.first() else {
        return Ok(RunReport::from(&report));
    };
    let more = report.failed.len() - 1;
    let (provider, reason, retryable) = match &failed.error {
        Some(e) => (e.provider, e.kind, e.retryable),
        None => (
            Provider::Unassigned,
            stagecraft_cloud::ProviderErrorKind::UnexpectedResponse,
            false,
        ),
    };
    Err(ApiError::Provider {
        provider,
        reason,
        resource: Some(format!("{} ({})", failed.name, failed.key)),
        message: if more > 0 {
            format!("{} (and {more} more failed)", failed.message)
        } else {
            failed.message.clone()
        },
        retryable,
        created: report
            .created
            .iter()
            .chain(&report.replaced)
            .chain(&report.adopted)
            .map(ToString::to_string)
            .collect(),
        not_attempted: report
            .not_attempted
            .iter()
            .map(ToString::to_string)
            .collect(),
    })
}

/// Which run: apply or destroy.
#[derive(Clone, Copy)]
pub enum RunKind {
    Apply,
    Destroy,
}

/// Runs an apply or destroy, sending every progress event to `progress`; `runs` lets
/// [`provision_cancel`] stop it.
///
/// # Errors
/// `busy` when a run is already going; as [`plan`]; `provider` naming the failed resource.
pub async fn run(
    runs: &ProvisionRuns,
    kind: RunKind,
    path: String,
    design: Design,
    run: impl Into<RunOptions>,
    progress: impl Fn(ApplyProgress) + Send + Sync + 'static,
) -> Result<RunReport, ApiError> {
    let slot = runs.begin()?;
    let sink: ProgressSink = Arc::new(progress);
    let (file, engine) =
        prepared_engine(path, design, run.into(), Some(sink), slot.cancel.clone()).await?;
    let report = match kind {
        RunKind::Apply => engine.apply(&file).await?,
        RunKind::Destroy => engine.destroy(&file).await?,
    };
    drop(slot);
    outcome(report)
}

fn channel_sink(channel: Channel<ApplyProgress>) -> impl Fn(ApplyProgress) + Send + Sync + 'static {
    // A closed window drops events; the run itself goes on and is journaled.
    move |event| {
        let _ = channel.send(event);
    }
}

/// How `ssh` logs in to the servers when linking: the user, and a private key file (only its
/// path: the key itself never crosses IPC); none means the agent and `~/.ssh` decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LinkSettings {
    pub ssh_user: String,
    pub identity_file: Option<String>,
}

/// One progress event of a link: an apply step, or a step on one tunnel server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "type", content = "event", rename_all = "camelCase")]
pub enum LinkEvent {
    Apply(ApplyProgress),
    Server(LinkProgress),
}

impl From<LinkError> for ApiError {
    fn from(error: LinkError) -> Self {
        match error {
            LinkError::Engine(e) => e.into(),
            LinkError::Remote {
                server,
                message,
                problem,
            } => ApiError::Link {
                server: Some(server),
                problem: Some(problem),
                message,
                fix: problem.fix().to_owned(),
            },
            LinkError::NotCreated(server) => ApiError::Link {
                fix: "Apply the design, then link again.".into(),
                message: "does not exist at its provider yet".into(),
                server: Some(server),
                problem: None,
            },
            LinkError::BadPublicKey { server, found } => ApiError::Link {
                message: format!(
                    "answered something that is not a WireGuard public key ({found} characters)"
                ),
                fix: SshProblem::CommandFailed.fix().to_owned(),
                server: Some(server),
                problem: Some(SshProblem::CommandFailed),
            },
            other @ (LinkError::ApplyFailed(_) | LinkError::NoAddress(_)) => ApiError::Link {
                server: None,
                problem: None,
                message: other.to_string(),
                fix: "See the log for the resource that failed; fix it and link again.".into(),
            },
        }
    }
}

/// The design's connections that WireGuard tunnels carry (what Link tunnels would link).
pub fn tunnels(design: &Design) -> Vec<TunnelLink> {
    stagecraft_cloud::wireguard::tunnel_links(design)
}

/// Applies until the providers match the design, then exchanges the tunnel servers' WireGuard
/// public keys over SSH, sending every step to `progress`.
///
/// # Errors
/// `busy`; as [`plan`]; `invalidOption` for a bad admin address or key file; `link` naming the
/// server, the SSH problem and what to fix.
pub async fn link(
    runs: &ProvisionRuns,
    path: String,
    design: Design,
    run: RunOptions,
    settings: LinkSettings,
    progress: impl Fn(LinkEvent) + Send + Sync + 'static,
) -> Result<LinkReport, ApiError> {
    let slot = runs.begin()?;
    let user = settings.ssh_user.trim();
    let ssh = OpenSsh {
        user: if user.is_empty() {
            "root".into()
        } else {
            user.to_owned()
        },
        identity: settings
            .identity_file
            .filter(|p| !p.trim().is_empty())
            .map(PathBuf::from),
        ..OpenSsh::default()
    };
    if let Some(identity) = ssh.identity.as_ref().filter(|p| !p.is_file()) {
        return Err(ApiError::InvalidOption(format!(
            "private key file {} does not exist",
            identity.display()
        )));
    }
    let progress = Arc::new(progress);
    let apply_progress = progress.clone();
    let sink: ProgressSink = Arc::new(move |event| apply_progress(LinkEvent::Apply(event)));
    let (file, engine) =
        prepared_engine(path, design, run, Some(sink), slot.cancel.clone()).await?;
    // The run's one token stops the applies (the clients watch it) and the SSH steps alike.
    let report = stagecraft_cloud::wireguard::link_cancellable(
        &engine,
        &file,
        &ssh,
        &|step| progress(LinkEvent::Server(step)),
        &slot.cancel,
    )
    .await?;
    drop(slot);
    Ok(report)
}

/// Whether credentials exist for each provider (Hetzner, DigitalOcean, AWS) under `account`.
#[tauri::command]
#[specta::specta]
pub async fn provision_credentials_status(
    account: Option<String>,
) -> Result<Vec<CredentialStatus>, ApiError> {
    credentials_status(account).await
}

/// Stores a provider token in the OS keyring. The token is never returned.
#[tauri::command]
#[specta::specta]
pub async fn provision_set_credentials(
    provider: Provider,
    account: Option<String>,
    token: String,
) -> Result<CredentialStatus, ApiError> {
    set_credentials(provider, account, token).await
}

/// Checks the stored token against the provider.
#[tauri::command]
#[specta::specta]
pub async fn provision_test_credentials(
    provider: Provider,
    account: Option<String>,
) -> Result<(), ApiError> {
    test_credentials(provider, account).await
}

/// Deletes the stored token.
#[tauri::command]
#[specta::specta]
pub async fn provision_delete_credentials(
    provider: Provider,
    account: Option<String>,
) -> Result<CredentialStatus, ApiError> {
    delete_credentials(provider, account).await
}

/// The plan for the saved design at `path`.
#[tauri::command]
#[specta::specta]
pub async fn provision_plan(
    path: String,
    design: Design,
    options: RunOptions,
) -> Result<Plan, ApiError> {
    plan(path, design, options).await
}

/// Applies the saved design at `path`, streaming progress on `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn provision_apply(
    runs: State<'_, ProvisionRuns>,
    path: String,
    design: Design,
    options: RunOptions,
    on_progress: Channel<ApplyProgress>,
) -> Result<RunReport, ApiError> {
    run(
        &runs,
        RunKind::Apply,
        path,
        design,
        options,
        channel_sink(on_progress),
    )
    .await
}

/// What Destroy would delete, for the confirmation.
#[tauri::command]
#[specta::specta]
pub async fn provision_destroy_preview(
    path: String,
    design: Design,
    options: RunOptions,
) -> Result<Vec<DestroyTarget>, ApiError> {
    destroy_preview(path, design, options).await
}

/// Destroys everything this design owns, streaming progress on `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn provision_destroy(
    runs: State<'_, ProvisionRuns>,
    path: String,
    design: Design,
    options: RunOptions,
    on_progress: Channel<ApplyProgress>,
) -> Result<RunReport, ApiError> {
    run(
        &runs,
        RunKind::Destroy,
        path,
        design,
        options,
        channel_sink(on_progress),
    )
    .await
}

/// The connections of `design` that WireGuard tunnels carry.
#[tauri::command]
#[specta::specta]
pub fn provision_tunnels(design: Design) -> Vec<TunnelLink> {
    tunnels(&design)
}

/// Links the saved design's WireGuard tunnels, streaming progress on `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn provision_link(
    runs: State<'_, ProvisionRuns>,
    path: String,
    design: Design,
    options: RunOptions,
    settings: LinkSettings,
    on_progress: Channel<LinkEvent>,
) -> Result<LinkReport, ApiError> {
    link(&runs, path, design, options, settings, move |event| {
        let _ = on_progress.send(event);
    })
    .await
}

/// Cancels the running apply or destroy; returns whether one was running.
#[tauri::command]
#[specta::specta]
pub fn provision_cancel(runs: State<'_, ProvisionRuns>) -> bool {
    runs.cancel()
}

/// Compares what exists with the design (drift), recording unrecorded resources.
#[tauri::command]
#[specta::specta]
pub async fn provision_refresh(
    path: String,
    design: Design,
    options: RunOptions,
) -> Result<DriftReport, ApiError> {
    refresh(path, design, options).await
}

/// Reads an SSH public key file (picked in the native dialog) and returns its key line. Refuses a
/// private key, or anything that is not one public key, without echoing the file's content.
///
/// # Errors
/// `credentials` naming what is wrong with the file; `io` / `notFound` when it cannot be read.
pub fn read_public_key(path: &str) -> Result<String, ApiError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ApiError::NotFound(path.to_owned()),
        _ => ApiError::Io(format!("cannot read {path}: {e}")),
    })?;
    // A public key is well under 16 KiB; reading no more keeps a wrong pick from loading a big file.
    let mut text = String::new();
    file.take(16 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| ApiError::Credentials(format!("{path} is not a text SSH public key ({e})")))?;
    stagecraft_cloud::ssh_key::parse_public_key(&text)
        .map_err(|e| ApiError::Credentials(format!("{path}: {e}")))
}

/// The SSH public key in the file at `path`, checked (never a private key).
#[tauri::command]
#[specta::specta]
pub async fn provision_read_public_key(path: String) -> Result<String, ApiError> {
    off_thread(move || read_public_key(&path)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGj0YkD2x7tTqv0mUc1H0f5i8mLQ1a2b3c4d5e6f7g8h me@laptop";
    const PRIVATE: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";

    #[test]
    fn run_options_pick_the_account_per_provider() {
        let options: RunOptions = serde_json::from_value(serde_json::json!({
            "accounts": [{ "provider": "hetzner", "account": "prod" }, { "provider": "digitalocean", "account": "lab" }],
            "sshPublicKey": PUBLIC,
        }))
        .expect("the UI's shape");
        assert_eq!(options.account_for(Provider::Hetzner), Some("prod"));
        assert_eq!(options.account_for(Provider::Digitalocean), Some("lab"));
        assert_eq!(options.account_for(Provider::Aws), None, "default account");
        assert_eq!(
            options.mapping().unwrap().ssh_public_key.as_deref(),
            Some(PUBLIC)
        );
        let legacy = RunOptions::from(Some("ci".to_owned()));
        assert!(PROVIDERS
            .iter()
            .all(|p| legacy.account_for(*p) == Some("ci")));
    }

    #[test]
    fn the_admin_address_is_checked_and_link_failures_say_what_to_fix() {
        let options: RunOptions = serde_json::from_value(serde_json::json!({
            "accounts": [], "sshPublicKey": null, "adminCidr": " 198.51.100.7 ",
        }))
        .unwrap();
        assert_eq!(
            options.mapping().unwrap().admin_cidr.as_deref(),
            Some("198.51.100.7/32")
        );
        let older: RunOptions =
            serde_json::from_value(serde_json::json!({ "accounts": [], "sshPublicKey": null }))
                .expect("the admin address is optional on the wire");
        assert_eq!(older.mapping().unwrap().admin_cidr, None);
        let wide = RunOptions {
            admin_cidr: Some("0.0.0.0/0".into()),
            ..RunOptions::default()
        };
        let Err(ApiError::InvalidOption(message)) = wide.mapping() else {
            panic!("SSH for everyone must be refused")
        };
        assert!(message.contains("0.0.0.0/0"), "{message}");

        let error = ApiError::from(LinkError::Remote {
            server: "db-0 (203.0.113.7)".into(),
            message: "ssh: connect to host 203.0.113.7 port 22: Connection timed out".into(),
            problem: SshProblem::Unreachable,
        });
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["kind"], "link");
        assert_eq!(json["detail"]["server"], "db-0 (203.0.113.7)");
        assert_eq!(json["detail"]["problem"], "unreachable");
        assert!(
            json["detail"]["fix"]
                .as_str()
                .unwrap()
                .contains("Admin address"),
            "{json}"
        );
    }

    #[test]
    fn a_private_key_is_refused_and_never_echoed() {
        let options = RunOptions {
            ssh_public_key: Some(PRIVATE.into()),
            ..RunOptions::default()
        };
        let Err(ApiError::Credentials(message)) = options.mapping() else {
            panic!("a private key must be refused")
        };
        assert!(message.contains("PRIVATE key"), "{message}");
        assert!(
            !message.contains("b3BlbnNz"),
            "the key is not echoed: {message}"
        );

        let dir = tempfile::tempdir().unwrap();
        let private = dir.path().join("id_ed25519");
        std::fs::write(&private, PRIVATE).unwrap();
        let Err(ApiError::Credentials(message)) = read_public_key(&private.display().to_string())
        else {
            panic!("a private key file must be refused")
        };
        assert!(
            message.contains("id_ed25519") && message.contains("PRIVATE key"),
            "{message}"
        );
        assert!(!message.contains("b3BlbnNz"));

        let public = dir.path().join("id_ed25519.pub");
        std::fs::write(&public, format!("{PUBLIC}\n")).unwrap();
        assert_eq!(
            read_public_key(&public.display().to_string()).unwrap(),
            PUBLIC
        );
        assert!(matches!(
            read_public_key(&dir.path().join("missing.pub").display().to_string()),
            Err(ApiError::NotFound(_))
        ));
    }
}
