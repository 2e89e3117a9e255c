//! The engine: observe, plan, apply, destroy and refresh a design through provider drivers.
//!
//! Invariants:
//! - Only resources labelled with this design's id are ever updated or deleted.
//! - Every create is journaled before it is sent and after it succeeds; a resumed apply adopts
//!   a labelled resource the journal missed instead of creating it again.
//! - A failure stops the failed resource's dependants only; what succeeded stays and is recorded.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use stagecraft_model::{Design, DesignId, LoadProblem, Provider};
use tokio::sync::Mutex;
use tokio::task::JoinSet;

use crate::plan::{diff, ChangeAction, Plan, PlannedChange};
use crate::resources::{
    map_design, map_design_with_endpoints, DesiredResource, Mapping, MappingOptions, ResourceKey,
    ResourceKind,
};
use crate::state::{state_path, EntryStatus, StateEntry, StateError, StateFile};
use crate::transport::ProviderError;

/// A boxed future, so drivers can sit behind `dyn ProviderDriver`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Provider ids of the design's resources, by key.
pub type ResolvedIds = HashMap<ResourceKey, String>;

/// A resource as it exists at the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ObservedResource {
    pub key: ResourceKey,
    pub provider: Provider,
    pub kind: ResourceKind,
    pub provider_id: String,
    pub name: String,
    /// The settings fingerprint label, if the resource carries one.
    pub fingerprint: Option<String>,
    /// Settings read back (`server_type`, `location`...), for plan reasons and drift.
    pub attributes: BTreeMap<String, String>,
}

/// What the engine needs from a provider.
pub trait ProviderDriver: Send + Sync {
    fn provider(&self) -> Provider;
    /// HTTP requests sent so far.
    fn calls(&self) -> u64;
    /// Every resource labelled as owned by `design`.
    fn observe<'a>(
        &'a self,
        design: &'a DesignId,
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>>;
    /// Creates `resource` (or finds it, when an earlier attempt may have created it) and waits
    /// until it is ready.
    fn create<'a>(
        &'a self,
        design: &'a DesignId,
        resource: &'a DesiredResource,
        ids: &'a ResolvedIds,
    ) -> BoxFuture<'a, Result<ObservedResource, ProviderError>>;
    /// Changes what can change in place.
    fn update<'a>(
        &'a self,
        design: &'a DesignId,
        resource: &'a DesiredResource,
        existing: &'a ObservedResource,
        ids: &'a ResolvedIds,
    ) -> BoxFuture<'a, Result<ObservedResource, ProviderError>>;
    /// Deletes and waits; a resource already gone is not an error.
    fn delete<'a>(
        &'a self,
        existing: &'a ObservedResource,
    ) -> BoxFuture<'a, Result<(), ProviderError>>;
}

/// Status of one resource during apply or destroy, as the canvas shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ResourceStatus {
    Pending,
    Creating,
    Updating,
    Deleting,
    Ready,
    Deleted,
    Failed,
}

/// One progress event. The app turns these into live status on the canvas and a log line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ApplyProgress {
    /// The component the resource belongs to, to colour it on the canvas.
    pub component: Option<String>,
    pub resource: ResourceKey,
    pub name: String,
    pub status: ResourceStatus,
    pub message: String,
}

/// Receives progress events; called from engine tasks, so it must be quick and thread-safe.
pub type ProgressSink = Arc<dyn Fn(ApplyProgress) + Send + Sync>;

/// A resource that failed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FailedResource {
    pub key: ResourceKey,
    pub name: String,
    pub component: Option<String>,
    pub message: String,
    pub error: Option<ProviderError>,
}

/// The outcome of an apply or destroy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct ApplyReport {
    pub design_id: String,
    pub created: Vec<ResourceKey>,
    pub updated: Vec<ResourceKey>,
    pub replaced: Vec<ResourceKey>,
    pub deleted: Vec<ResourceKey>,
    /// Labelled resources found at the provider that the journal had not recorded.
    pub adopted: Vec<ResourceKey>,
    pub failed: Vec<FailedResource>,
    /// Not attempted because something they depend on failed.
    pub not_attempted: Vec<ResourceKey>,
    /// HTTP requests sent, retries and polls included.
    pub api_calls: u64,
    /// Wall time of the whole run.
    pub wall_ms: u64,
    /// Time spent reading what exists (sequential by nature).
    pub observe_ms: u64,
    /// Longest chain of dependent operations, by their measured durations: no scheduler with
    /// unbounded parallelism could finish the changes faster.
    pub critical_path_ms: u64,
}

impl ApplyReport {
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty() && self.not_attempted.is_empty()
    }
}

/// Drift between the design, the journal and the providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    /// Recorded as created but gone at the provider.
    Missing,
    /// Exists but its settings differ from the design.
    Changed,
    /// Exists, labelled for this design, but was not in the journal (now recorded).
    Unrecorded,
    /// Exists but the design no longer has it.
    NotInDesign,
    /// In the design but not created yet.
    NotCreated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Drift {
    pub key: ResourceKey,
    pub component: Option<String>,
    pub kind: DriftKind,
    pub detail: String,
}

/// What refresh found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DriftReport {
    pub design_id: String,
    pub drift: Vec<Drift>,
    pub in_sync: Vec<ResourceKey>,
}

/// Why an engine run could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the design cannot be loaded:\n{}", .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    InvalidDesign(Vec<LoadProblem>),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error("no {} credentials or client configured for this run", .0.label())]
    MissingDriver(Provider),
    /// A test hook stopped the run as a crash would.
    #[error("aborted at {0} (simulated crash)")]
    Aborted(ResourceKey),
}

/// Where a simulated crash happens (tests only): right after the `creating` journal entry is
/// written, before the request is sent, or after the provider answered but before `created`
/// is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrashPoint {
    BeforeSend(ResourceKey),
    AfterSend(ResourceKey),
}

/// Settings of one engine.
#[derive(Clone)]
pub struct EngineOptions {
    /// Operations in flight at once.
    pub parallelism: usize,
    pub mapping: MappingOptions,
    pub progress: Option<ProgressSink>,
    #[doc(hidden)]
    pub crash_at: Option<CrashPoint>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            parallelism: 8,
            mapping: MappingOptions::default(),
            progress: None,
            crash_at: None,
        }
    }
}

/// Plans and applies designs through a set of provider drivers.
pub struct Engine {
    drivers: BTreeMap<Provider, Arc<dyn ProviderDriver>>,
    options: EngineOptions,
    /// The prices a plan is costed with; `None` reads the stored refreshes of the user's data
    /// folder (as `stagecraft cost` does) at each plan.
    prices: Option<stagecraft_pricing::StoredPrices>,
}

/// A loaded design and its journal path.
struct Target {
    design: Design,
    state_path: PathBuf,
    mapping: Mapping,
}

/// The journal shared by the tasks of one run.
struct Journal {
    path: PathBuf,
    state: Mutex<StateFile>,
}

impl Journal {
    async fn record(&self, key: &ResourceKey, entry: Option<StateEntry>) -> Result<(), StateError> {
        let mut state = self.state.lock().await;
        match entry {
            Some(entry) => {
                state.resources.insert(key.clone(), entry);
            }
            None => {
                state.resources.remove(key);
            }
        }
        state.save(&self.path)
    }
}

/// One operation of an apply.
#[derive(Clone)]
struct Operation {
    change: PlannedChange,
    desired: Option<DesiredResource>,
    existing: Option<ObservedResource>,
    deps: Vec<ResourceKey>,
}

struct Shared {
    design_id: DesignId,
    drivers: BTreeMap<Provider, Arc<dyn ProviderDriver>>,
    journal: Journal,
    ids: Mutex<ResolvedIds>,
    progress: Option<ProgressSink>,
    crash_at: Option<CrashPoint>,
}

impl Shared {
    fn emit(
        &self,
        component: Option<String>,
        resource: &ResourceKey,
        name: &str,
        status: ResourceStatus,
        message: impl Into<String>,
    ) {
        if let Some(sink) = &self.progress {
            sink(ApplyProgress {
                component,
                resource: resource.clone(),
                name: name.to_owned(),
                status,
                message: message.into(),
            });
        }
    }

    fn driver(&self, provider: Provider) -> Result<&Arc<dyn ProviderDriver>, EngineError> {
        self.drivers
            .get(&provider)
            .ok_or(EngineError::MissingDriver(provider))
    }
}

enum OpOutcome {
    Done(ChangeAction),
    Failed(FailedResource),
    Abort(EngineError),
}

impl Engine {
    pub fn new(options: EngineOptions) -> Self {
        Self {
            drivers: BTreeMap::new(),
            options,
            prices: None,
        }
    }

    /// Costs plans with `prices` instead of the user's stored refreshes (tests pass
    /// `StoredPrices::embedded_only()` so a developer's data folder changes nothing).
    pub fn with_prices(mut self, prices: stagecraft_pricing::StoredPrices) -> Self {
        self.prices = Some(prices);
        self
    }

    /// Adds (or replaces) the driver of its provider.
    pub fn with_driver(mut self, driver: Arc<dyn ProviderDriver>) -> Self {
        self.drivers.insert(driver.provider(), driver);
        self
    }

    fn load(&self, design_file: &Path) -> Result<Target, EngineError> {
        let loaded = stagecraft_model::load_file(design_file)
            .map_err(|e| EngineError::InvalidDesign(e.problems))?;
        let mapping = map_design(&loaded.design, &self.options.mapping);
        Ok(Target {
            state_path: state_path(design_file),
            design: loaded.design,
            mapping,
        })
    }

    /// Maps the design again with the public addresses of the servers that exist, so each
    /// WireGuard port opens to its peers' addresses (unknown before the peers exist).
    fn remap_with_endpoints(&self, target: &mut Target, observed: &[ObservedResource]) {
        let endpoints = crate::wireguard::endpoints(observed);
        if !endpoints.is_empty() {
            target.mapping =
                map_design_with_endpoints(&target.design, &self.options.mapping, &endpoints);
        }
    }

    /// The design at `design_file` and every resource its providers hold for it. Reads only.
    ///
    /// # Errors
    /// As [`Engine::plan`].
    pub async fn observe_design(
        &self,
        design_file: &Path,
    ) -> Result<(Design, Vec<ObservedResource>), EngineError> {
        let target = self.load(design_file)?;
        let state = StateFile::load(&target.state_path, target.design.id.as_str())?;
        let providers = self.providers_of(&target, &state)?;
        let observed = self.observe(&target.design.id, &providers).await?;
        Ok((target.design, observed))
    }

    fn providers_of(
        &self,
        target: &Target,
        state: &StateFile,
    ) -> Result<BTreeSet<Provider>, EngineError> {
        let providers: BTreeSet<Provider> = target
            .mapping
            .resources
            .iter()
            .map(|r| r.provider)
            .chain(state.resources.values().map(|e| e.provider))
            .collect();
        for provider in &providers {
            if !self.drivers.contains_key(provider) {
                return Err(EngineError::MissingDriver(*provider));
            }
        }
        Ok(providers)
    }

    async fn observe(
        &self,
        design: &DesignId,
        providers: &BTreeSet<Provider>,
    ) -> Result<Vec<ObservedResource>, EngineError> {
        let mut all = Vec::new();
        for provider in providers {
            all.extend(self.drivers[provider].observe(design).await?);
        }
        Ok(all)
    }

    fn api_calls(&self) -> u64 {
        self.drivers.values().map(|d| d.calls()).sum()
    }

    /// What apply would do. Reads only.
    ///
    /// # Errors
    /// A design that does not load; an unreadable state file; a provider without a driver;
    /// provider errors while reading.
    pub async fn plan(&self, design_file: &Path) -> Result<Plan, EngineError> {
        let mut target = self.load(design_file)?;
        let state = StateFile::load(&target.state_path, target.design.id.as_str())?;
        let providers = self.providers_of(&target, &state)?;
        let observed = self.observe(&target.design.id, &providers).await?;
        self.remap_with_endpoints(&mut target, &observed);
        let mut plan = diff(
            target.design.id.as_str(),
            &target.design.name,
            &target.mapping,
            &observed,
        );
        // Priced as `stagecraft cost` prices: stored refreshes first, then the embedded prices.
        let stored;
        let prices = match &self.prices {
            Some(prices) => prices,
            None => {
                stored = stagecraft_pricing::StoredPrices::load_default();
                &stored
            }
        };
        let currency = target.design.assumptions.currency;
        plan.price(&target.mapping, &observed, currency, &prices.layers());
        Ok(plan)
    }

    /// Compares the design, the journal and the providers; records unrecorded resources and
    /// forgets missing ones in the journal.
    ///
    /// # Errors
    /// As [`Engine::plan`], and a state file that cannot be written.
    pub async fn refresh(&self, design_file: &Path) -> Result<DriftReport, EngineError> {
        let mut target = self.load(design_file)?;
        let mut state = StateFile::load(&target.state_path, target.design.id.as_str())?;
        let providers = self.providers_of(&target, &state)?;
        let observed = self.observe(&target.design.id, &providers).await?;
        self.remap_with_endpoints(&mut target, &observed);
        let plan = diff(
            target.design.id.as_str(),
            &target.design.name,
            &target.mapping,
            &observed,
        );
        let mut drift = Vec::new();
        let seen: BTreeSet<&ResourceKey> = observed.iter().map(|o| &o.key).collect();
        for (key, entry) in &state.resources {
            if entry.status == EntryStatus::Created && !seen.contains(key) {
                drift.push(Drift {
                    key: key.clone(),
                    component: component_of(key),
                    kind: DriftKind::Missing,
                    detail: format!("{} was deleted outside Stagecraft", entry.name),
                });
            }
        }
        for found in &observed {
            if state
                .resources
                .get(&found.key)
                .is_none_or(|e| e.status != EntryStatus::Created)
            {
                drift.push(Drift {
                    key: found.key.clone(),
                    component: component_of(&found.key),
                    kind: DriftKind::Unrecorded,
                    detail: format!(
                        "{} exists (id {}) but was not recorded; recorded now",
                        found.name, found.provider_id
                    ),
                });
            }
        }
        for change in &plan.changes {
            let kind = match change.action {
                ChangeAction::Create => DriftKind::NotCreated,
                ChangeAction::Delete => DriftKind::NotInDesign,
                ChangeAction::Update | ChangeAction::Replace => DriftKind::Changed,
            };
            drift.push(Drift {
                key: change.key.clone(),
                component: change.component.clone(),
                kind,
                detail: change.reasons.join("; "),
            });
        }
        reconcile(&mut state, &observed);
        state.save(&target.state_path)?;
        Ok(DriftReport {
            design_id: target.design.id.to_string(),
            drift,
            in_sync: plan.unchanged,
        })
    }

    /// Makes the providers match the design.
    ///
    /// # Errors
    /// Errors that stop the run before it starts (as [`Engine::plan`]), a journal that cannot be
    /// written, and a simulated crash. A resource that fails does not stop the run: it is in
    /// [`ApplyReport::failed`], with its dependants in `not_attempted`.
    pub async fn apply(&self, design_file: &Path) -> Result<ApplyReport, EngineError> {
        let started = Instant::now();
        let calls_before = self.api_calls();
        let mut target = self.load(design_file)?;
        let mut state = StateFile::load(&target.state_path, target.design.id.as_str())?;
        let providers = self.providers_of(&target, &state)?;
        let observed = self.observe(&target.design.id, &providers).await?;
        self.remap_with_endpoints(&mut target, &observed);
        let observe_ms = started.elapsed().as_millis() as u64;
        let adopted = reconcile(&mut state, &observed);
        state.save(&target.state_path)?;
        let plan = diff(
            target.design.id.as_str(),
            &target.design.name,
            &target.mapping,
            &observed,
        );

        let mut report = ApplyReport {
            design_id: target.design.id.to_string(),
            adopted,
            ..Default::default()
        };
        let desired: HashMap<&ResourceKey, &DesiredResource> = target
            .mapping
            .resources
            .iter()
            .map(|r| (&r.key, r))
            .collect();
        let existing: HashMap<&ResourceKey, &ObservedResource> =
            observed.iter().map(|o| (&o.key, o)).collect();
        let ids: ResolvedIds = observed
            .iter()
            .map(|o| (o.key.clone(), o.provider_id.clone()))
            .collect();
        let shared = Arc::new(Shared {
            design_id: target.design.id.clone(),
            drivers: self.drivers.clone(),
            journal: Journal {
                path: target.state_path.clone(),
                state: Mutex::new(state),
            },
            ids: Mutex::new(ids),
            progress: self.options.progress.clone(),
            crash_at: self.options.crash_at.clone(),
        });

        let changing: BTreeSet<&ResourceKey> = plan
            .changes
            .iter()
            .filter(|c| c.action != ChangeAction::Delete)
            .map(|c| &c.key)
            .collect();
        let mut operations: Vec<Operation> = Vec::new();
        let mut deletions: Vec<Operation> = Vec::new();
        for change in &plan.changes {
            let op = Operation {
                change: change.clone(),
                desired: desired.get(&change.key).map(|d| (*d).clone()),
                existing: existing.get(&change.key).map(|o| (*o).clone()),
                deps: desired
                    .get(&change.key)
                    .map(|d| {
                        d.spec
                            .depends_on()
                            .into_iter()
                            .filter(|k| changing.contains(k))
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            shared.emit(
                change.component.clone(),
                &change.key,
                &change.name,
                ResourceStatus::Pending,
                format!("{:?}: {}", change.action, change.reasons.join("; ")).to_lowercase(),
            );
            if change.action == ChangeAction::Delete {
                deletions.push(op);
            } else {
                operations.push(op);
            }
        }

        let durations = self
            .run_graph(&shared, operations.clone(), &mut report)
            .await?;
        let mut critical = critical_path(&operations, &durations);
        let deletion_path = self.run_deletions(&shared, deletions, &mut report).await?;
        critical += deletion_path;

        report.api_calls = self.api_calls() - calls_before;
        report.wall_ms = started.elapsed().as_millis() as u64;
        report.observe_ms = observe_ms;
        report.critical_path_ms = critical.as_millis() as u64;
        Ok(report)
    }

    /// Deletes everything this design owns (and nothing else), dependants first.
    ///
    /// # Errors
    /// As [`Engine::apply`].
    pub async fn destroy(&self, design_file: &Path) -> Result<ApplyReport, EngineError> {
        let started = Instant::now();
        let calls_before = self.api_calls();
        let target = self.load(design_file)?;
        let mut state = StateFile::load(&target.state_path, target.design.id.as_str())?;
        let providers: BTreeSet<Provider> = target
            .mapping
            .resources
            .iter()
            .map(|r| r.provider)
            .chain(state.resources.values().map(|e| e.provider))
            .filter(|p| self.drivers.contains_key(p))
            .collect();
        let observed = self.observe(&target.design.id, &providers).await?;
        let observe_ms = started.elapsed().as_millis() as u64;
        let adopted = reconcile(&mut state, &observed);
        state.save(&target.state_path)?;
        let shared = Arc::new(Shared {
            design_id: target.design.id.clone(),
            drivers: self.drivers.clone(),
            journal: Journal {
                path: target.state_path.clone(),
                state: Mutex::new(state),
            },
            ids: Mutex::new(ResolvedIds::new()),
            progress: self.options.progress.clone(),
            crash_at: self.options.crash_at.clone(),
        });
        let deletions: Vec<Operation> = observed
            .iter()
            .map(|o| Operation {
                change: PlannedChange {
                    key: o.key.clone(),
                    provider: o.provider,
                    kind: o.kind,
                    component: component_of(&o.key),
                    name: o.name.clone(),
                    action: ChangeAction::Delete,
                    reasons: vec!["destroy".into()],
                    provider_id: Some(o.provider_id.clone()),
                    monthly_cost_change: None,
                },
                desired: None,
                existing: Some(o.clone()),
                deps: Vec::new(),
            })
            .collect();
        for op in &deletions {
            shared.emit(
                op.change.component.clone(),
                &op.change.key,
                &op.change.name,
                ResourceStatus::Pending,
                "delete",
            );
        }
        let mut report = ApplyReport {
            design_id: target.design.id.to_string(),
            adopted,
            ..Default::default()
        };
        let path = self.run_deletions(&shared, deletions, &mut report).await?;
        report.api_calls = self.api_calls() - calls_before;
        report.wall_ms = started.elapsed().as_millis() as u64;
        report.observe_ms = observe_ms;
        report.critical_path_ms = path.as_millis() as u64;
        Ok(report)
    }

    /// Runs creates, updates and replaces as a dependency graph, at most `parallelism` at once.
    async fn run_graph(
        &self,
        shared: &Arc<Shared>,
        operations: Vec<Operation>,
        report: &mut ApplyReport,
    ) -> Result<HashMap<ResourceKey, Duration>, EngineError> {
        let mut waiting: HashMap<ResourceKey, usize> = HashMap::new();
        let mut dependants: HashMap<ResourceKey, Vec<ResourceKey>> = HashMap::new();
        let mut by_key: HashMap<ResourceKey, Operation> = HashMap::new();
        let mut ready: Vec<ResourceKey> = Vec::new();
        for op in operations {
            for dep in &op.deps {
                dependants
                    .entry(dep.clone())
                    .or_default()
                    .push(op.change.key.clone());
            }
            if op.deps.is_empty() {
                ready.push(op.change.key.clone());
            } else {
                waiting.insert(op.change.key.clone(), op.deps.len());
            }
            by_key.insert(op.change.key.clone(), op);
        }
        ready.sort();
        ready.reverse();
        let mut durations = HashMap::new();
        let mut running: JoinSet<(ResourceKey, OpOutcome, Duration)> = JoinSet::new();
        let parallelism = self.options.parallelism.max(1);
        loop {
            while running.len() < parallelism {
                let Some(key) = ready.pop() else { break };
                let op = by_key[&key].clone();
                let shared = shared.clone();
                running.spawn(async move {
                    let started = Instant::now();
                    let outcome = run_operation(&shared, &op).await;
                    (op.change.key.clone(), outcome, started.elapsed())
                });
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            let (key, outcome, took) = joined.map_err(|e| {
                EngineError::Provider(ProviderError::new(
                    Provider::Unassigned,
                    crate::transport::ProviderErrorKind::UnexpectedResponse,
                    format!("an engine task panicked: {e}"),
                ))
            })?;
            durations.insert(key.clone(), took);
            match outcome {
                OpOutcome::Abort(error) => {
                    running.abort_all();
                    return Err(error);
                }
                OpOutcome::Done(action) => {
                    match action {
                        ChangeAction::Create => report.created.push(key.clone()),
                        ChangeAction::Update => report.updated.push(key.clone()),
                        ChangeAction::Replace => report.replaced.push(key.clone()),
                        ChangeAction::Delete => report.deleted.push(key.clone()),
                    }
                    for next in dependants.get(&key).cloned().unwrap_or_default() {
                        if let Some(count) = waiting.get_mut(&next) {
                            *count -= 1;
                            if *count == 0 {
                                waiting.remove(&next);
                                ready.push(next);
                            }
                        }
                    }
                }
                OpOutcome::Failed(failed) => {
                    // Stop everything that depends on it, transitively; keep the rest going.
                    let mut stack = dependants.get(&key).cloned().unwrap_or_default();
                    while let Some(next) = stack.pop() {
                        if waiting.remove(&next).is_some() {
                            let op = &by_key[&next];
                            shared.emit(
                                op.change.component.clone(),
                                &next,
                                &op.change.name,
                                ResourceStatus::Failed,
                                format!("not attempted: depends on {} which failed", failed.key),
                            );
                            report.not_attempted.push(next.clone());
                            stack.extend(dependants.get(&next).cloned().unwrap_or_default());
                        }
                    }
                    report.failed.push(failed);
                }
            }
        }
        report.not_attempted.sort();
        Ok(durations)
    }

    /// Deletes in waves by [`ResourceKind::delete_rank`]; returns the sum of the waves' longest
    /// deletes (their critical path).
    async fn run_deletions(
        &self,
        shared: &Arc<Shared>,
        mut deletions: Vec<Operation>,
        report: &mut ApplyReport,
    ) -> Result<Duration, EngineError> {
        deletions.sort_by_key(|op| (op.change.kind.delete_rank(), op.change.key.clone()));
        let mut path = Duration::ZERO;
        let parallelism = self.options.parallelism.max(1);
        let mut blocked_after: Option<u8> = None;
        let mut index = 0;
        while index < deletions.len() {
            let rank = deletions[index].change.kind.delete_rank();
            let wave_end = deletions[index..]
                .iter()
                .position(|op| op.change.kind.delete_rank() != rank)
                .map_or(deletions.len(), |n| index + n);
            let wave = &deletions[index..wave_end];
            index = wave_end;
            if blocked_after.is_some() {
                // A failed delete of something that depends on these may still hold them.
                for op in wave {
                    shared.emit(
                        op.change.component.clone(),
                        &op.change.key,
                        &op.change.name,
                        ResourceStatus::Failed,
                        "not attempted: an earlier delete failed",
                    );
                    report.not_attempted.push(op.change.key.clone());
                }
                continue;
            }
            let mut longest = Duration::ZERO;
            for chunk in wave.chunks(parallelism) {
                let mut running = JoinSet::new();
                for op in chunk.iter().cloned() {
                    let shared = shared.clone();
                    running.spawn(async move {
                        let started = Instant::now();
                        let outcome = run_operation(&shared, &op).await;
                        (op.change.key.clone(), outcome, started.elapsed())
                    });
                }
                let mut chunk_longest = Duration::ZERO;
                while let Some(joined) = running.join_next().await {
                    let Ok((key, outcome, took)) = joined else {
                        continue;
                    };
                    chunk_longest = chunk_longest.max(took);
                    match outcome {
                        OpOutcome::Done(_) => report.deleted.push(key),
                        OpOutcome::Failed(failed) => {
                            blocked_after = Some(rank);
                            report.failed.push(failed);
                        }
                        OpOutcome::Abort(error) => {
                            running.abort_all();
                            return Err(error);
                        }
                    }
                }
                longest += chunk_longest;
            }
            path += longest;
        }
        Ok(path)
    }
}

fn component_of(key: &ResourceKey) -> Option<String> {
    key.owner()
        .starts_with("cmp_")
        .then(|| key.owner().to_owned())
}

/// Brings the journal in line with what exists: records labelled resources it missed (the
/// answer to a create lost in a crash), forgets entries whose resource is gone. Returns the
/// adopted keys.
fn reconcile(state: &mut StateFile, observed: &[ObservedResource]) -> Vec<ResourceKey> {
    let mut adopted = Vec::new();
    let seen: BTreeSet<&ResourceKey> = observed.iter().map(|o| &o.key).collect();
    state.resources.retain(|key, _| seen.contains(key));
    for found in observed {
        let entry = state.resources.get(&found.key);
        if entry.is_none_or(|e| {
            e.status != EntryStatus::Created
                || e.provider_id.as_deref() != Some(found.provider_id.as_str())
        }) {
            if entry.is_none_or(|e| e.status != EntryStatus::Created) {
                adopted.push(found.key.clone());
            }
            state.resources.insert(found.key.clone(), entry_of(found));
        }
    }
    adopted
}

fn entry_of(found: &ObservedResource) -> StateEntry {
    StateEntry {
        provider: found.provider,
        kind: found.kind,
        name: found.name.clone(),
        status: EntryStatus::Created,
        provider_id: Some(found.provider_id.clone()),
        fingerprint: found.fingerprint.clone(),
    }
}

/// Longest chain of dependent operations by measured duration.
fn critical_path(operations: &[Operation], durations: &HashMap<ResourceKey, Duration>) -> Duration {
    let by_key: HashMap<&ResourceKey, &Operation> =
        operations.iter().map(|o| (&o.change.key, o)).collect();
    let mut finish: HashMap<ResourceKey, Duration> = HashMap::new();
    fn visit(
        key: &ResourceKey,
        by_key: &HashMap<&ResourceKey, &Operation>,
        durations: &HashMap<ResourceKey, Duration>,
        finish: &mut HashMap<ResourceKey, Duration>,
    ) -> Duration {
        if let Some(done) = finish.get(key) {
            return *done;
        }
        let Some(op) = by_key.get(key) else {
            return Duration::ZERO;
        };
        let before = op
            .deps
            .iter()
            .map(|d| visit(d, by_key, durations, finish))
            .max()
            .unwrap_or_default();
        let total = before + durations.get(key).copied().unwrap_or_default();
        finish.insert(key.clone(), total);
        total
    }
    operations
        .iter()
        .map(|o| visit(&o.change.key, &by_key, durations, &mut finish))
        .max()
        .unwrap_or_default()
}

async fn run_operation(shared: &Shared, op: &Operation) -> OpOutcome {
    let change = &op.change;
    let emit = |status, message: String| {
        shared.emit(
            change.component.clone(),
            &change.key,
            &change.name,
            status,
            message,
        )
    };
    let driver = match shared.driver(change.provider) {
        Ok(d) => d.clone(),
        Err(e) => return OpOutcome::Abort(e),
    };
    let fail = |message: String, error: Option<ProviderError>| {
        emit(ResourceStatus::Failed, message.clone());
        OpOutcome::Failed(FailedResource {
            key: change.key.clone(),
            name: change.name.clone(),
            component: change.component.clone(),
            message,
            error,
        })
    };
    match change.action {
        ChangeAction::Delete => {
            let Some(existing) = &op.existing else {
                return OpOutcome::Done(ChangeAction::Delete);
            };
            emit(ResourceStatus::Deleting, "deleting".into());
            let mut entry = entry_of(existing);
            entry.status = EntryStatus::Deleting;
            if let Err(e) = shared.journal.record(&change.key, Some(entry)).await {
                return OpOutcome::Abort(e.into());
            }
            if let Err(e) = driver.delete(existing).await {
                return fail(format!("delete failed: {e}"), Some(e));
            }
            if let Err(e) = shared.journal.record(&change.key, None).await {
                return OpOutcome::Abort(e.into());
            }
            emit(ResourceStatus::Deleted, "deleted".into());
            OpOutcome::Done(ChangeAction::Delete)
        }
        ChangeAction::Update => {
            let (Some(desired), Some(existing)) = (&op.desired, &op.existing) else {
                return OpOutcome::Done(ChangeAction::Update);
            };
            emit(ResourceStatus::Updating, change.reasons.join("; "));
            let ids = shared.ids.lock().await.clone();
            match driver
                .update(&shared.design_id, desired, existing, &ids)
                .await
            {
                Ok(updated) => {
                    if let Err(e) = shared
                        .journal
                        .record(&change.key, Some(entry_of(&updated)))
                        .await
                    {
                        return OpOutcome::Abort(e.into());
                    }
                    emit(ResourceStatus::Ready, "updated".into());
                    OpOutcome::Done(ChangeAction::Update)
                }
                Err(e) => fail(format!("update failed: {e}"), Some(e)),
            }
        }
        ChangeAction::Create | ChangeAction::Replace => {
            let Some(desired) = &op.desired else {
                return OpOutcome::Done(change.action);
            };
            if change.action == ChangeAction::Replace {
                if let Some(existing) = &op.existing {
                    emit(
                        ResourceStatus::Deleting,
                        format!("replacing: {}", change.reasons.join("; ")),
                    );
                    if let Err(e) = driver.delete(existing).await {
                        return fail(
                            format!("replace failed while deleting the old resource: {e}"),
                            Some(e),
                        );
                    }
                    if let Err(e) = shared.journal.record(&change.key, None).await {
                        return OpOutcome::Abort(e.into());
                    }
                }
            }
            emit(ResourceStatus::Creating, desired.reason.clone());
            let journal_entry = StateEntry {
                provider: desired.provider,
                kind: desired.spec.kind(),
                name: desired.name.clone(),
                status: EntryStatus::Creating,
                provider_id: None,
                fingerprint: Some(desired.spec.fingerprint()),
            };
            if let Err(e) = shared
                .journal
                .record(&change.key, Some(journal_entry))
                .await
            {
                return OpOutcome::Abort(e.into());
            }
            if shared.crash_at == Some(CrashPoint::BeforeSend(change.key.clone())) {
                return OpOutcome::Abort(EngineError::Aborted(change.key.clone()));
            }
            let ids = shared.ids.lock().await.clone();
            match driver.create(&shared.design_id, desired, &ids).await {
                Ok(created) => {
                    if shared.crash_at == Some(CrashPoint::AfterSend(change.key.clone())) {
                        return OpOutcome::Abort(EngineError::Aborted(change.key.clone()));
                    }
                    if let Err(e) = shared
                        .journal
                        .record(&change.key, Some(entry_of(&created)))
                        .await
                    {
                        return OpOutcome::Abort(e.into());
                    }
                    shared
                        .ids
                        .lock()
                        .await
                        .insert(change.key.clone(), created.provider_id.clone());
                    emit(
                        ResourceStatus::Ready,
                        format!("ready (id {})", created.provider_id),
                    );
                    OpOutcome::Done(change.action)
                }
                Err(e) => {
                    // A refused create left nothing behind: forget it. An unknown outcome stays
                    // `creating`, and the next run adopts the resource if it exists.
                    if !e.maybe_processed {
                        if let Err(journal) = shared.journal.record(&change.key, None).await {
                            return OpOutcome::Abort(journal.into());
                        }
                    }
                    fail(format!("create failed: {e}"), Some(e))
                }
            }
        }
    }
}
