//! Flow and fault tests on DigitalOcean: the engine against the stateful DigitalOcean fake, with
//! `prism proxy --errors` in front of it so both the requests and the fake's answers are held
//! to DigitalOcean's OpenAPI description. The templates are retargeted to DigitalOcean with
//! regions and sizes from the catalogue.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use stagecraft_cloud::digitalocean::{
    design_tag, observed, DigitalOceanClient, DigitalOceanDriver, DoCollection,
};
use stagecraft_cloud::engine::{CrashPoint, DriftKind};
use stagecraft_cloud::fake_digitalocean::{DoFake, Fault, FaultKind};
use stagecraft_cloud::resources::{
    map_design, Mapping, MappingOptions, ResourceKey, ResourceKind, ResourceSpec,
};
use stagecraft_cloud::state::{state_path, EntryStatus, StateFile};
use stagecraft_cloud::{
    ApplyProgress, ChangeAction, ClientConfig, Engine, EngineError, EngineOptions, ResourceStatus,
    RetryPolicy, Secret,
};
use stagecraft_model::{catalog, save_file, template_by_slug, Design, DesignId, Provider};

const TOKEN: &str = "do-flow-secret-token-8c1d7e42";
const SPEC: &str = "digitalocean.openapi.json";

/// The template moved to DigitalOcean: every provider, region and size replaced by a
/// DigitalOcean one from the catalogue (sizes the catalogue does not list fall back to the
/// kind's default offering).
fn retargeted(slug: &str) -> Design {
    let mut design = template_by_slug(slug).unwrap().design().unwrap();
    let region = |r: &str| {
        match r {
            "fsn1" | "nbg1" | "eu-central-1" => "fra1",
            "hel1" => "ams3",
            "us-east-1" => "nyc3",
            "eu-west-1" => "lon1",
            other => panic!("no DigitalOcean region for {other}"),
        }
        .to_owned()
    };
    let size = |s: &str| -> Option<String> {
        match s {
            "cx32" | "m7i.large" => Some("s-2vcpu-4gb".into()),
            "ccx13" => Some("c-2".into()),
            "c7i.large" => Some("c-2".into()),
            "db.m7g.large" => Some("db-s-2vcpu-4gb".into()),
            "cache.m7g.large" => Some("db-s-1vcpu-2gb".into()),
            "lb11" | "alb" => Some("lb-1".into()),
            _ => None,
        }
    };
    let do_catalog = catalog().provider(Provider::Digitalocean).unwrap();
    for component in &mut design.components {
        if component.provider == Provider::Unassigned {
            continue;
        }
        component.provider = Provider::Digitalocean;
        component.region = component.region.as_deref().map(region);
        component.size = component.size.as_deref().and_then(size);
        if let Some(size) = &component.size {
            assert!(
                do_catalog.sizes.iter().any(|s| &s.id == size),
                "{size} is a DigitalOcean size in the catalogue"
            );
        }
        if let Some(region) = &component.region {
            assert!(do_catalog.regions.iter().any(|r| &r.id == region));
        }
    }
    for group in &mut design.groups {
        if group.provider != Provider::Unassigned {
            group.provider = Provider::Digitalocean;
        }
        group.region = group.region.as_deref().map(region);
    }
    design
}

fn design_file(dir: &Path, slug: &str) -> (PathBuf, Design) {
    let design = retargeted(slug);
    let path = dir.join(format!("{slug}-do.stagecraft.json"));
    save_file(&path, &design).unwrap();
    (path, design)
}

fn config(url: &str) -> ClientConfig {
    let mut config = ClientConfig::new(url);
    config.retry = RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(2),
        request_timeout: Duration::from_millis(2500),
    };
    config.poll_interval = Duration::from_millis(10);
    config.action_timeout = Duration::from_secs(10);
    config
}

type Events = Arc<Mutex<Vec<ApplyProgress>>>;

fn engine(url: &str, events: &Events, crash_at: Option<CrashPoint>) -> Engine {
    let sink_events = events.clone();
    let options = EngineOptions {
        parallelism: 6,
        progress: Some(Arc::new(move |e| sink_events.lock().unwrap().push(e))),
        crash_at,
        mapping: MappingOptions {
            ssh_public_key: Some("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz do-flow@test".into()),
            ..MappingOptions::default()
        },
    };
    let client = DigitalOceanClient::new(config(url), Secret::new(TOKEN)).unwrap();
    // Plans are costed with the embedded prices, not the developer's stored refreshes.
    Engine::new(options)
        .with_driver(Arc::new(DigitalOceanDriver::new(client)))
        .with_prices(stagecraft_pricing::StoredPrices::embedded_only())
}

fn collection_of(name: &str) -> DoCollection {
    DoCollection::ALL
        .into_iter()
        .find(|c| c.list_key() == name)
        .unwrap_or_else(|| panic!("unknown collection {name}"))
}

/// The fake's objects that belong to `design`, by resource key (several if duplicated).
fn ours(fake: &DoFake, design: &str) -> BTreeMap<ResourceKey, Vec<(ResourceKind, String)>> {
    let design = DesignId::parse(design).unwrap();
    let mut out: BTreeMap<ResourceKey, Vec<(ResourceKind, String)>> = BTreeMap::new();
    for (collection, object) in fake.all() {
        if let Some(found) = observed(collection_of(&collection), &object, &design) {
            out.entry(found.key)
                .or_default()
                .push((found.kind, found.provider_id));
        }
    }
    out
}

/// No resource exists twice, the journal records exactly what exists with its id, and what
/// exists is exactly what the design maps to.
fn assert_consistent(fake: &DoFake, file: &Path, design: &Design) {
    let id = design.id.as_str();
    let objects = ours(fake, id);
    for (key, found) in &objects {
        assert_eq!(found.len(), 1, "{key} was created twice: {found:?}");
    }
    let state = StateFile::load(&state_path(file), id).unwrap();
    for (key, found) in &objects {
        let entry = state
            .resources
            .get(key)
            .unwrap_or_else(|| panic!("{key} exists but is not recorded"));
        assert_eq!(entry.status, EntryStatus::Created, "{key}");
        assert_eq!(
            entry.provider_id.as_deref(),
            Some(found[0].1.as_str()),
            "{key} id"
        );
    }
    let created = state
        .resources
        .values()
        .filter(|e| e.status == EntryStatus::Created)
        .count();
    assert_eq!(
        created,
        objects.len(),
        "the journal records as created only what exists"
    );
}

fn assert_matches_design(fake: &DoFake, design: &Design, options: &MappingOptions) {
    let wanted: Vec<ResourceKey> = map_design(design, options)
        .resources
        .into_iter()
        .filter(|r| r.provider == Provider::Digitalocean)
        .map(|r| r.key)
        .collect();
    let have: Vec<ResourceKey> = ours(fake, design.id.as_str()).into_keys().collect();
    let mut wanted_sorted = wanted.clone();
    wanted_sorted.sort();
    assert_eq!(
        have, wanted_sorted,
        "what exists is what {} maps to",
        design.id
    );
}

fn seed_foreign(fake: &DoFake) -> String {
    fake.seed(
        "droplets",
        json!({ "name": "someone-else", "size": "s-1vcpu-1gb", "region": "fra1", "image": "ubuntu-24-04-x64",
                "tags": ["managed-by:stagecraft", "stagecraft-design:dsg_other", "stagecraft-component:cmp_app", "stagecraft-key:cmp_app:server-0", "stagecraft-spec:0"] }),
    )
}

fn no_token_in(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        !text.contains(TOKEN),
        "{} contains the token",
        path.display()
    );
}

fn options() -> MappingOptions {
    MappingOptions {
        ssh_public_key: Some("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz do-flow@test".into()),
        ..MappingOptions::default()
    }
}

fn object(fake: &DoFake, collection: &str, id: &str) -> Value {
    fake.state.lock().unwrap().objects[collection][id].clone()
}

/// Each balancer balances to exactly the droplets its design targets (by their current ids).
fn assert_balancers_reach_their_targets(fake: &DoFake, design: &Design, mapping: &Mapping) {
    let objects = ours(fake, design.id.as_str());
    for resource in &mapping.resources {
        let ResourceSpec::LoadBalancer { targets, .. } = &resource.spec else {
            continue;
        };
        let lb_id = &objects[&resource.key][0].1;
        let balancer = fake
            .all()
            .into_iter()
            .find(|(c, o)| c == "load_balancers" && o["id"] == json!(lb_id))
            .map(|(_, o)| o)
            .unwrap();
        let tag = balancer["tag"].as_str().unwrap().to_owned();
        let mut want: Vec<i64> = targets
            .iter()
            .map(|t| objects[t][0].1.parse().unwrap())
            .collect();
        want.sort();
        let mut have: Vec<i64> = fake
            .all()
            .into_iter()
            .filter(|(c, o)| c == "droplets" && o["tags"].as_array().unwrap().contains(&json!(tag)))
            .map(|(_, o)| o["id"].as_i64().unwrap())
            .collect();
        have.sort();
        assert_eq!(have, want, "{} balances to its targets", resource.key);
    }
}

/// After destroy, no tag naming the design is left, and every Stagecraft tag left is still
/// carried by something or listed by a firewall (another design's, which keeps its own).
fn assert_no_stray_tags(fake: &DoFake, design: &Design) {
    let state = fake.state.lock().unwrap();
    let in_use = |tag: &str| {
        state.objects.values().flat_map(|m| m.values()).any(|o| {
            o["tags"]
                .as_array()
                .is_some_and(|t| t.contains(&json!(tag)))
                || o["tag"] == json!(tag)
        })
    };
    for tag in &state.tags {
        assert!(
            !tag.contains(design.id.as_str()),
            "{tag} names {} and outlives it",
            design.id
        );
        if tag.starts_with("stagecraft") || tag.starts_with("managed-by") {
            assert!(in_use(tag), "{tag} is left behind, carried by nothing");
        }
    }
}

/// Plan, apply, plan again, refresh, drift, destroy of one template. Other designs' resources
/// already in the fake must come through untouched.
async fn round_trip(fake: &DoFake, url: &str, dir: &Path, slug: &str) {
    let (file, design) = design_file(dir, slug);
    let events: Events = Arc::default();
    let engine = engine(url, &events, None);
    let before_others: BTreeMap<String, Value> = fake
        .all()
        .into_iter()
        .filter(|(_, o)| !o.to_string().contains(&design_tag(&design.id)))
        .map(|(c, o)| (format!("{c}/{}", o["id"]), o))
        .collect();

    let plan = engine.plan(&file).await.expect("plan");
    let creates = plan.count(ChangeAction::Create);
    assert!(creates >= 3, "{slug}: {:#?}", plan.changes);
    assert_eq!(
        plan.count(ChangeAction::Delete),
        0,
        "{slug}: nothing of another design is ours"
    );

    let report = engine.apply(&file).await.expect("apply");
    assert!(report.succeeded(), "{slug}: {report:#?}");
    assert_eq!(report.created.len(), creates, "{slug}");
    assert_consistent(fake, &file, &design);
    assert_matches_design(fake, &design, &options());
    let events_now = events.lock().unwrap().clone();
    for key in &report.created {
        let statuses: Vec<ResourceStatus> = events_now
            .iter()
            .filter(|e| &e.resource == key)
            .map(|e| e.status)
            .collect();
        assert_eq!(
            statuses,
            vec![
                ResourceStatus::Pending,
                ResourceStatus::Creating,
                ResourceStatus::Ready
            ],
            "{slug} {key}"
        );
    }

    let again = engine.plan(&file).await.unwrap();
    assert!(
        again.is_empty(),
        "{slug}: a second plan has nothing to do: {:#?}",
        again.changes
    );
    let drift = engine.refresh(&file).await.unwrap();
    assert!(drift.drift.is_empty(), "{slug}: {drift:#?}");
    let mapping = map_design(&design, &options());
    assert_balancers_reach_their_targets(fake, &design, &mapping);
    // Every cluster gets the disk the design asks for.
    for resource in &mapping.resources {
        if let ResourceSpec::Database {
            storage_gb: Some(gb),
            ..
        } = &resource.spec
        {
            let id = &ours(fake, design.id.as_str())[&resource.key][0].1;
            let cluster = object(fake, "databases", id);
            assert_eq!(
                cluster["storage_size_mib"],
                json!(u64::from(*gb) * 1024),
                "{slug} {}: storage_gb is sent as storage_size_mib",
                resource.key
            );
        }
    }

    // Someone deletes a droplet by hand (a balancer's target where there is one): refresh
    // reports it, apply recreates it and puts it back behind its balancer.
    let targets: Vec<(ResourceKey, ResourceKey)> = mapping
        .resources
        .iter()
        .filter_map(|r| match &r.spec {
            ResourceSpec::LoadBalancer { targets, .. } => {
                Some(targets.iter().map(|t| (t.clone(), r.key.clone())))
            }
            _ => None,
        })
        .flatten()
        .collect();
    let (victim_key, victim) = ours(fake, design.id.as_str())
        .into_iter()
        .filter(|(_, found)| found[0].0 == ResourceKind::Server)
        .max_by_key(|(k, _)| targets.iter().any(|(t, _)| t == k))
        .map(|(k, found)| (k, found[0].1.clone()))
        .expect("a droplet");
    let balancer = targets
        .iter()
        .find(|(t, _)| *t == victim_key)
        .map(|(_, lb)| lb.clone());
    fake.remove("droplets", &victim)
        .expect("the droplet existed");
    let drift = engine.refresh(&file).await.unwrap();
    assert!(
        drift
            .drift
            .iter()
            .any(|d| d.kind == DriftKind::Missing && d.key == victim_key),
        "{slug}: {drift:#?}"
    );
    let plan = engine.plan(&file).await.unwrap();
    if let Some(balancer) = &balancer {
        let change = plan
            .changes
            .iter()
            .find(|c| &c.key == balancer)
            .unwrap_or_else(|| panic!("{slug}: the balancer is updated: {:#?}", plan.changes));
        assert_eq!(change.action, ChangeAction::Update, "{slug}: {change:#?}");
        assert!(
            change.reasons[0].contains(victim_key.0.as_str()),
            "{slug}: {change:#?}"
        );
    }
    let report = engine.apply(&file).await.unwrap();
    assert_eq!(
        report.created,
        vec![victim_key.clone()],
        "{slug}: {report:#?}"
    );
    assert_eq!(
        report.updated,
        balancer.iter().cloned().collect::<Vec<_>>(),
        "{slug}: only the recreated droplet's balancer is updated: {report:#?}"
    );
    assert_consistent(fake, &file, &design);
    assert_balancers_reach_their_targets(fake, &design, &mapping);
    assert!(engine.plan(&file).await.unwrap().is_empty(), "{slug}");

    let destroyed = engine.destroy(&file).await.expect("destroy");
    assert!(destroyed.succeeded(), "{slug}: {destroyed:#?}");
    assert!(
        ours(fake, design.id.as_str()).is_empty(),
        "{slug}: destroy leaves nothing"
    );
    assert!(StateFile::load(&state_path(&file), design.id.as_str())
        .unwrap()
        .resources
        .is_empty());
    let after_others: BTreeMap<String, Value> = fake
        .all()
        .into_iter()
        .filter(|(_, o)| !o.to_string().contains(&design_tag(&design.id)))
        .map(|(c, o)| (format!("{c}/{}", o["id"]), o))
        .collect();
    assert_eq!(
        before_others.keys().collect::<Vec<_>>(),
        after_others.keys().collect::<Vec<_>>(),
        "{slug}: nothing of another design was created or deleted"
    );

    assert_no_stray_tags(fake, &design);

    no_token_in(&file);
    no_token_in(&state_path(&file));
    let log = serde_json::to_string(&*events.lock().unwrap()).unwrap()
        + &serde_json::to_string(&destroyed).unwrap();
    assert!(!log.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_template_plans_applies_refreshes_and_destroys() {
    let fake = DoFake::start(&common::spec_path(SPEC)).await;
    let proxy = common::prism_proxy(SPEC, &fake.url());
    let foreign = seed_foreign(&fake);
    let dir = tempfile::tempdir().unwrap();

    // What each template becomes on DigitalOcean, beyond droplets and firewalls.
    let growth = map_design(&retargeted("growth"), &options());
    let kinds = |m: &stagecraft_cloud::resources::Mapping, kind| {
        m.resources.iter().filter(|r| r.spec.kind() == kind).count()
    };
    assert_eq!(
        kinds(&growth, ResourceKind::Network),
        1,
        "the drawn private network"
    );
    assert_eq!(kinds(&growth, ResourceKind::Volume), 1);
    assert_eq!(kinds(&growth, ResourceKind::LoadBalancer), 1);
    assert_eq!(
        kinds(&growth, ResourceKind::PlacementGroup),
        0,
        "DigitalOcean has none"
    );
    let scale = map_design(&retargeted("scale"), &options());
    assert_eq!(
        kinds(&scale, ResourceKind::Database),
        4,
        "two PostgreSQL clusters and two Valkey caches: {:#?}",
        scale.resources.iter().map(|r| &r.key).collect::<Vec<_>>()
    );

    for slug in ["mvp", "growth", "scale"] {
        round_trip(&fake, &proxy.url(), dir.path(), slug).await;
    }
    assert!(
        fake.all()
            .iter()
            .any(|(_, o)| o["id"] == json!(foreign.parse::<i64>().unwrap())),
        "another design's droplet survives"
    );
    let limits = fake
        .state
        .lock()
        .unwrap()
        .requests
        .iter()
        .filter(|(m, p)| m == "GET" && p == "/v2/droplets")
        .count();
    assert!(limits > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_retried_without_duplicates() {
    let fake = DoFake::start(&common::spec_path(SPEC)).await;
    let proxy = common::prism_proxy(SPEC, &fake.url());
    let faults = [
        (
            "POST",
            "/v2/droplets",
            FaultKind::RateLimited { retry_after: 1 },
        ),
        ("GET", "/v2/firewalls", FaultKind::ServerError),
        ("POST", "/v2/vpcs", FaultKind::ServerErrorAfterProcessing),
        ("POST", "/v2/volumes", FaultKind::ServerErrorAfterProcessing),
        (
            "GET",
            "/v2/load_balancers",
            FaultKind::Delay(Duration::from_secs(4)),
        ),
        ("GET", "/v2/actions/", FaultKind::ServerError),
        (
            "POST",
            "/v2/tags",
            FaultKind::RateLimited { retry_after: 1 },
        ),
    ];
    for (method, prefix, kind) in faults.iter().cloned() {
        fake.inject(Fault {
            method,
            path_prefix: prefix.into(),
            kind,
            times: 1,
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let (file, design) = design_file(dir.path(), "growth");
    let events: Events = Arc::default();
    let started = std::time::Instant::now();
    let report = engine(&proxy.url(), &events, None)
        .apply(&file)
        .await
        .expect("apply");
    assert!(report.succeeded(), "{report:#?}");
    let injected = fake.state.lock().unwrap().injected.clone();
    assert_eq!(
        injected.len(),
        faults.len(),
        "every fault fired: {injected:#?}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was waited for"
    );
    assert_consistent(&fake, &file, &design);
    assert_matches_design(&fake, &design, &options());
    // The VPC and volume created behind lost answers were found and kept, not made twice.
    let objects = ours(&fake, design.id.as_str());
    assert_eq!(
        objects
            .values()
            .filter(|f| f[0].0 == ResourceKind::Network)
            .count(),
        1
    );
    assert_eq!(
        fake.all().iter().filter(|(c, _)| c == "volumes").count(),
        1,
        "one volume"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_between_journal_and_answer_resumes_cleanly() {
    let fake = DoFake::start(&common::spec_path(SPEC)).await;
    let proxy = common::prism_proxy(SPEC, &fake.url());
    let foreign = seed_foreign(&fake);
    let dir = tempfile::tempdir().unwrap();
    let (file, design) = design_file(dir.path(), "growth");
    let id = design.id.as_str();
    let events: Events = Arc::default();

    // Killed after DigitalOcean created the droplet, before the journal heard of it.
    let key = ResourceKey("cmp_db/server-0".into());
    let crashed = engine(
        &proxy.url(),
        &events,
        Some(CrashPoint::AfterSend(key.clone())),
    )
    .apply(&file)
    .await;
    assert!(
        matches!(crashed, Err(EngineError::Aborted(ref k)) if *k == key),
        "{crashed:?}"
    );
    let state = StateFile::load(&state_path(&file), id).unwrap();
    assert_eq!(
        state.resources[&key].status,
        EntryStatus::Creating,
        "journaled before sending"
    );
    assert!(
        ours(&fake, id).contains_key(&key),
        "DigitalOcean did create it"
    );

    // Killed right after the journal write, before sending. The volume is attached to the
    // database droplet, so the first run cannot have sent it.
    let key2 = ResourceKey("cmp_volume/volume".into());
    let crashed = engine(
        &proxy.url(),
        &events,
        Some(CrashPoint::BeforeSend(key2.clone())),
    )
    .apply(&file)
    .await;
    assert!(
        matches!(crashed, Err(EngineError::Aborted(ref k)) if *k == key2),
        "{crashed:?}"
    );
    let state = StateFile::load(&state_path(&file), id).unwrap();
    assert_eq!(
        state.resources[&key].status,
        EntryStatus::Created,
        "the unrecorded droplet was adopted from its tags"
    );
    assert_eq!(state.resources[&key2].status, EntryStatus::Creating);
    assert_eq!(
        ours(&fake, id)[&key].len(),
        1,
        "the database droplet exists once"
    );

    // A fresh engine resumes: creates the rest, nothing twice.
    let report = engine(&proxy.url(), &events, None)
        .apply(&file)
        .await
        .expect("resume");
    assert!(report.succeeded(), "{report:#?}");
    assert!(report.created.contains(&key2), "{report:#?}");
    assert!(!report.created.contains(&key));
    assert_consistent(&fake, &file, &design);
    assert_matches_design(&fake, &design, &options());
    let state = StateFile::load(&state_path(&file), id).unwrap();
    assert!(
        state
            .resources
            .values()
            .all(|e| e.status == EntryStatus::Created),
        "nothing left half-recorded"
    );
    // The volume is attached to the database droplet.
    let volume = fake
        .all()
        .into_iter()
        .find(|(c, _)| c == "volumes")
        .unwrap()
        .1;
    assert_eq!(
        volume["droplet_ids"],
        json!([ours(&fake, id)[&key][0].1.parse::<i64>().unwrap()])
    );
    assert!(
        fake.all()
            .iter()
            .any(|(_, o)| o["id"] == json!(foreign.parse::<i64>().unwrap())),
        "nothing of another design touched"
    );
}

/// A balancer's new size and targets are changed in place (same balancer, same address), the
/// tag of its old settings goes; the user's SSH key, already in the account, is used rather
/// than copied (DigitalOcean refuses a copy) and survives destroy; no tag is left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balancer_changes_in_place_and_an_existing_key_is_used() {
    let fake = DoFake::start(&common::spec_path(SPEC)).await;
    let proxy = common::prism_proxy(SPEC, &fake.url());
    // The same key as the design's, under another comment: DigitalOcean holds it once.
    let users_key = fake.seed(
        "ssh_keys",
        json!({ "name": "laptop", "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz me@laptop" }),
    );
    let dir = tempfile::tempdir().unwrap();
    let (file, mut design) = design_file(dir.path(), "growth");
    let events: Events = Arc::default();
    let engine = engine(&proxy.url(), &events, None);
    let key_key = ResourceKey("design/ssh-key-digitalocean".into());

    let report = engine.apply(&file).await.expect("apply");
    assert!(report.succeeded(), "{report:#?}");
    let keys: Vec<Value> = fake
        .all()
        .into_iter()
        .filter(|(c, _)| c == "ssh_keys")
        .map(|(_, o)| o)
        .collect();
    assert_eq!(keys.len(), 1, "the key is used, not copied: {keys:#?}");
    let state = StateFile::load(&state_path(&file), design.id.as_str()).unwrap();
    assert_eq!(
        state.resources[&key_key].provider_id.as_deref(),
        Some(users_key.as_str()),
        "the droplets get the user's key"
    );
    let again = engine.plan(&file).await.unwrap();
    assert!(again.is_empty(), "{:#?}", again.changes);

    // A bigger balancer in front of three app droplets instead of two.
    let lb_key = ResourceKey("cmp_lb/load-balancer".into());
    let lb_id = ours(&fake, design.id.as_str())[&lb_key][0].1.clone();
    let old_tag = object(&fake, "load_balancers", &lb_id)["tag"]
        .as_str()
        .unwrap()
        .to_owned();
    for component in &mut design.components {
        match component.id.as_str() {
            "cmp_lb" => component.size = Some("lb-2".into()),
            "cmp_app" => component.count = 3,
            _ => {}
        }
    }
    save_file(&file, &design).unwrap();
    let plan = engine.plan(&file).await.unwrap();
    let change = plan.changes.iter().find(|c| c.key == lb_key).unwrap();
    assert_eq!(
        change.action,
        ChangeAction::Update,
        "changed in place, not replaced: {change:#?}"
    );
    assert!(
        change.reasons.iter().any(|r| r == "resize lb-1 → lb-2"),
        "{change:#?}"
    );
    assert_eq!(plan.count(ChangeAction::Replace), 0, "{:#?}", plan.changes);
    let report = engine.apply(&file).await.expect("apply the change");
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(report.updated, vec![lb_key.clone()], "{report:#?}");
    let balancer = object(&fake, "load_balancers", &lb_id);
    assert_eq!(
        balancer["size_unit"],
        json!(2),
        "the same balancer, resized"
    );
    let mapping = map_design(&design, &options());
    assert_balancers_reach_their_targets(&fake, &design, &mapping);
    assert!(
        fake.state.lock().unwrap().deleted_tags.contains(&old_tag),
        "the old settings' tag is deleted"
    );
    assert!(engine.plan(&file).await.unwrap().is_empty());

    let destroyed = engine.destroy(&file).await.expect("destroy");
    assert!(destroyed.succeeded(), "{destroyed:#?}");
    let key = object(&fake, "ssh_keys", &users_key);
    assert_eq!(key["name"], json!("laptop"), "the user's key is untouched");
    assert!(ours(&fake, design.id.as_str()).is_empty());
    assert_no_stray_tags(&fake, &design);
}

/// The id of `key`'s one object at the fake.
fn id_of(fake: &DoFake, design: &str, key: &str) -> String {
    let objects = ours(fake, design);
    let found = objects
        .get(&ResourceKey(key.into()))
        .unwrap_or_else(|| panic!("no {key}: {objects:#?}"));
    assert_eq!(found.len(), 1, "{key}: {found:?}");
    found[0].1.clone()
}

/// The droplets the volume `id` is attached to.
fn volume_droplets(fake: &DoFake, id: &str) -> Value {
    fake.all()
        .into_iter()
        .find(|(c, o)| c == "volumes" && o["id"] == json!(id))
        .map(|(_, o)| o["droplet_ids"].clone())
        .unwrap_or_else(|| panic!("no volume {id}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recreated_droplet_gets_its_volume_back() {
    let fake = DoFake::start(&common::spec_path(SPEC)).await;
    let proxy = common::prism_proxy(SPEC, &fake.url());
    let dir = tempfile::tempdir().unwrap();
    let (file, design) = design_file(dir.path(), "growth");
    let id = design.id.as_str();
    let engine = engine(&proxy.url(), &Events::default(), None);
    assert!(engine.apply(&file).await.unwrap().succeeded());
    let volume = id_of(&fake, id, "cmp_volume/volume");
    let db = id_of(&fake, id, "cmp_db/server-0");
    assert_eq!(
        volume_droplets(&fake, &volume),
        json!([db.parse::<i64>().unwrap()])
    );

    // Drift: the droplet deleted behind Stagecraft's back (DigitalOcean detaches its volume).
    let client = DigitalOceanClient::new(config(&fake.url()), Secret::new(TOKEN)).unwrap();
    client.delete(DoCollection::Droplets, &db).await.unwrap();
    assert_eq!(volume_droplets(&fake, &volume), json!([]));
    let plan = engine.plan(&file).await.unwrap();
    let change = plan
        .changes
        .iter()
        .find(|c| c.key.0 == "cmp_volume/volume")
        .unwrap_or_else(|| panic!("the volume is planned: {:#?}", plan.changes));
    assert_eq!(change.action, ChangeAction::Update);
    assert_eq!(
        change.reasons,
        ["attach to recreated server cmp_db/server-0"]
    );
    let report = engine.apply(&file).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    let recreated = id_of(&fake, id, "cmp_db/server-0");
    assert_ne!(recreated, db);
    assert_eq!(
        volume_droplets(&fake, &volume),
        json!([recreated.parse::<i64>().unwrap()]),
        "the same volume, attached to the new droplet"
    );
    assert!(engine.plan(&file).await.unwrap().is_empty());
    assert_consistent(&fake, &file, &design);
}
