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
use stagecraft_cloud::resources::{map_design, MappingOptions, ResourceKey, ResourceKind};
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
    Engine::new(options).with_driver(Arc::new(DigitalOceanDriver::new(client)))
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

    // Someone deletes a droplet by hand: refresh reports it, apply recreates it alone.
    let (victim_key, victim) = ours(fake, design.id.as_str())
        .into_iter()
        .find(|(_, found)| found[0].0 == ResourceKind::Server)
        .map(|(k, found)| (k, found[0].1.clone()))
        .expect("a droplet");
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
    let report = engine.apply(&file).await.unwrap();
    assert_eq!(
        report.created,
        vec![victim_key.clone()],
        "{slug}: {report:#?}"
    );
    assert_consistent(fake, &file, &design);

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
            .any(|(_, o)| o["id"].to_string() == foreign),
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
            .any(|(_, o)| o["id"].to_string() == foreign),
        "nothing of another design touched"
    );
}
