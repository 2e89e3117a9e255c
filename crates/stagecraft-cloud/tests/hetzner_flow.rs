//! Flow and fault tests on Hetzner: the engine against the stateful fake, with
//! `prism proxy --errors` in front of it so both the requests and the fake's answers are held
//! to Hetzner's OpenAPI description.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::hetzner_fake::{Fake, Fault, FaultKind};
use serde_json::{json, Value};
use stagecraft_cloud::engine::CrashPoint;
use stagecraft_cloud::hetzner::{HetznerClient, HetznerDriver};
use stagecraft_cloud::resources::{ResourceKey, LABEL_DESIGN};
use stagecraft_cloud::state::{state_path, EntryStatus, StateFile};
use stagecraft_cloud::{
    ApplyProgress, ChangeAction, ClientConfig, Engine, EngineError, EngineOptions, ResourceStatus,
    RetryPolicy, Secret,
};
use stagecraft_model::{save_file, template_by_slug};

const TOKEN: &str = "hz-flow-secret-token-5f0c2a9e";

fn design_file(dir: &Path, slug: &str) -> PathBuf {
    let design = template_by_slug(slug).unwrap().design().unwrap();
    let path = dir.join(format!("{slug}.stagecraft.json"));
    save_file(&path, &design).unwrap();
    path
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
        ..Default::default()
    };
    let client = HetznerClient::new(config(url), Secret::new(TOKEN)).unwrap();
    // Plans are costed with the embedded prices, not the developer's stored refreshes.
    Engine::new(options)
        .with_driver(Arc::new(HetznerDriver::new(client)))
        .with_prices(stagecraft_pricing::StoredPrices::embedded_only())
}

fn ours(fake: &Fake, design_id: &str) -> Vec<(String, Value)> {
    fake.all()
        .into_iter()
        .filter(|(_, o)| o["labels"][LABEL_DESIGN] == json!(design_id))
        .collect()
}

/// No two objects of the design carry the same resource key, and the journal records exactly
/// the objects that exist, with their ids.
fn assert_consistent(fake: &Fake, file: &Path, design_id: &str) {
    let objects = ours(fake, design_id);
    let mut keys: Vec<String> = objects
        .iter()
        .map(|(_, o)| {
            format!(
                "{}/{}",
                o["labels"]["stagecraft-component"].as_str().unwrap(),
                o["labels"]["stagecraft-resource"].as_str().unwrap()
            )
        })
        .collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    assert_eq!(before, keys.len(), "a resource was created twice: {keys:?}");
    let state = StateFile::load(&state_path(file), design_id).unwrap();
    for (_, object) in &objects {
        let key = ResourceKey::new(
            object["labels"]["stagecraft-component"].as_str().unwrap(),
            object["labels"]["stagecraft-resource"].as_str().unwrap(),
        );
        let entry = state
            .resources
            .get(&key)
            .unwrap_or_else(|| panic!("{key} exists but is not recorded"));
        assert_eq!(entry.status, EntryStatus::Created, "{key}");
        assert_eq!(
            entry.provider_id.as_deref(),
            Some(object["id"].to_string().as_str()),
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

/// The design's balancer targets exactly its app servers, by their current ids.
fn assert_balancer_targets(fake: &Fake, design_id: &str) -> Value {
    let objects = ours(fake, design_id);
    let mut apps: Vec<i64> = objects
        .iter()
        .filter(|(c, o)| c == "servers" && o["labels"]["stagecraft-component"] == "cmp_app")
        .map(|(_, o)| o["id"].as_i64().unwrap())
        .collect();
    apps.sort();
    let balancer = objects
        .iter()
        .find(|(c, _)| c == "load_balancers")
        .map(|(_, o)| o.clone())
        .expect("a balancer");
    let mut targets: Vec<i64> = balancer["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["server"]["id"].as_i64().unwrap())
        .collect();
    targets.sort();
    assert_eq!(targets, apps, "the balancer targets the app servers");
    balancer
}

fn seed_foreign(fake: &Fake) -> i64 {
    fake.seed(
        "servers",
        json!({ "name": "someone-else", "server_type": "cx22", "location": "fsn1",
                "labels": { "managed-by": "stagecraft", "stagecraft-design": "dsg_other", "stagecraft-component": "cmp_app", "stagecraft-resource": "server-0" } }),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn growth_template_plan_apply_refresh_destroy() {
    let fake = Fake::start(&common::spec_path("hetzner-cloud.openapi.json")).await;
    let proxy = common::prism_proxy("hetzner-cloud.openapi.json", &fake.url());
    let foreign = seed_foreign(&fake);
    let dir = tempfile::tempdir().unwrap();
    let file = design_file(dir.path(), "growth");
    let design_id = "dsg_template_growth";
    let events: Events = Arc::default();
    let engine = engine(&proxy.url(), &events, None);

    let plan = engine.plan(&file).await.expect("plan");
    assert!(
        plan.count(ChangeAction::Create) >= 12,
        "growth needs networks, firewalls, servers, a volume and a balancer: {:#?}",
        plan.changes
    );
    assert_eq!(
        plan.count(ChangeAction::Delete),
        0,
        "another design's server is not ours to delete"
    );
    assert!(
        plan.not_provisioned
            .iter()
            .any(|n| n.reason.contains("hetzner_object_storage_bucket")),
        "{:#?}",
        plan.not_provisioned
    );

    let report = engine.apply(&file).await.expect("apply");
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(report.created.len(), plan.count(ChangeAction::Create));
    assert_eq!(ours(&fake, design_id).len(), report.created.len());
    assert_consistent(&fake, &file, design_id);
    let servers: Vec<Value> = ours(&fake, design_id)
        .into_iter()
        .filter(|(c, _)| c == "servers")
        .map(|(_, o)| o)
        .collect();
    assert_eq!(
        servers.len(),
        5,
        "2 app servers, a worker, a database and monitoring"
    );

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
            "{key}"
        );
    }

    let again = engine.plan(&file).await.unwrap();
    assert!(
        again.is_empty(),
        "a second plan has nothing to do: {:#?}",
        again.changes
    );
    let drift = engine.refresh(&file).await.unwrap();
    assert!(drift.drift.is_empty(), "{drift:#?}");

    assert_balancer_targets(&fake, design_id);
    // Someone deletes a server behind the balancer by hand: refresh reports it, apply
    // recreates it and puts it back behind the balancer.
    let victim = servers
        .iter()
        .find(|s| s["labels"]["stagecraft-component"] == "cmp_app")
        .expect("an app server")["id"]
        .as_i64()
        .unwrap();
    fake.state
        .lock()
        .unwrap()
        .objects
        .get_mut("servers")
        .unwrap()
        .remove(&victim);
    let drift = engine.refresh(&file).await.unwrap();
    assert!(
        drift
            .drift
            .iter()
            .any(|d| d.kind == stagecraft_cloud::engine::DriftKind::Missing),
        "{drift:#?}"
    );
    let report = engine.apply(&file).await.unwrap();
    assert_eq!(report.created.len(), 1, "{report:#?}");
    assert_eq!(
        report.updated,
        vec![ResourceKey("cmp_lb/load-balancer".into())],
        "the balancer takes the new server back: {report:#?}"
    );
    assert_consistent(&fake, &file, design_id);
    assert_balancer_targets(&fake, design_id);
    assert!(engine.plan(&file).await.unwrap().is_empty());

    let destroyed = engine.destroy(&file).await.expect("destroy");
    assert!(destroyed.succeeded(), "{destroyed:#?}");
    assert!(
        ours(&fake, design_id).is_empty(),
        "destroy leaves nothing of the design"
    );
    assert!(
        fake.all().iter().any(|(_, o)| o["id"] == json!(foreign)),
        "another design's server survives"
    );
    assert!(StateFile::load(&state_path(&file), design_id)
        .unwrap()
        .resources
        .is_empty());

    // The token never reaches the design, the journal, the events or the reports.
    no_token_in(&file);
    no_token_in(&state_path(&file));
    let log = serde_json::to_string(&*events.lock().unwrap()).unwrap()
        + &serde_json::to_string(&destroyed).unwrap();
    assert!(!log.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_retried_without_duplicates() {
    let fake = Fake::start(&common::spec_path("hetzner-cloud.openapi.json")).await;
    let proxy = common::prism_proxy("hetzner-cloud.openapi.json", &fake.url());
    let faults = [
        (
            "POST",
            "/servers",
            FaultKind::RateLimited { retry_after: 1 },
        ),
        ("GET", "/firewalls", FaultKind::ServerError),
        ("POST", "/networks", FaultKind::ServerErrorAfterProcessing),
        (
            "GET",
            "/placement_groups",
            FaultKind::Delay(Duration::from_secs(4)),
        ),
        ("POST", "/volumes", FaultKind::Locked),
        ("GET", "/actions/", FaultKind::ServerError),
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
    let file = design_file(dir.path(), "growth");
    let events: Events = Arc::default();
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
        fake.count_requests("POST", "/servers") > 5,
        "the rate-limited create was sent again"
    );
    assert_consistent(&fake, &file, "dsg_template_growth");
    // The network created behind the lost answer was found and kept, not made twice.
    let networks = ours(&fake, "dsg_template_growth")
        .into_iter()
        .filter(|(c, _)| c == "networks")
        .count();
    assert_eq!(networks, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_between_journal_and_answer_resumes_cleanly() {
    let fake = Fake::start(&common::spec_path("hetzner-cloud.openapi.json")).await;
    let proxy = common::prism_proxy("hetzner-cloud.openapi.json", &fake.url());
    seed_foreign(&fake);
    let dir = tempfile::tempdir().unwrap();
    let file = design_file(dir.path(), "growth");
    let design_id = "dsg_template_growth";
    let events: Events = Arc::default();

    // Killed after the provider created the server, before the journal heard of it.
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
    let state = StateFile::load(&state_path(&file), design_id).unwrap();
    assert_eq!(
        state.resources[&key].status,
        EntryStatus::Creating,
        "journaled before sending"
    );
    assert!(
        ours(&fake, design_id)
            .iter()
            .any(|(_, o)| o["labels"]["stagecraft-component"] == json!("cmp_db")),
        "the provider did create it"
    );

    // Killed right after the journal write, before sending. The volume is attached to the
    // database server, so it cannot have been sent by the first run, whatever else ran in
    // parallel before that run was stopped.
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
    let state = StateFile::load(&state_path(&file), design_id).unwrap();
    assert_eq!(
        state.resources[&key].status,
        EntryStatus::Created,
        "the unrecorded server was adopted from its labels"
    );
    assert_eq!(state.resources[&key2].status, EntryStatus::Creating);
    let dbs = ours(&fake, design_id)
        .into_iter()
        .filter(|(_, o)| {
            o["labels"]["stagecraft-component"] == json!("cmp_db")
                && o["labels"]["stagecraft-resource"] == json!("server-0")
        })
        .count();
    assert_eq!(dbs, 1, "the database server exists once");

    // A fresh engine resumes: creates the rest, nothing twice.
    let report = engine(&proxy.url(), &events, None)
        .apply(&file)
        .await
        .expect("resume");
    assert!(report.succeeded(), "{report:#?}");
    assert!(report.created.contains(&key2), "{report:#?}");
    assert!(!report.created.contains(&key));
    assert_consistent(&fake, &file, design_id);
    let state = StateFile::load(&state_path(&file), design_id).unwrap();
    assert!(
        state
            .resources
            .values()
            .all(|e| e.status == EntryStatus::Created),
        "nothing left half-recorded"
    );
    let foreign_count = fake
        .all()
        .iter()
        .filter(|(_, o)| o["labels"][LABEL_DESIGN] == json!("dsg_other"))
        .count();
    assert_eq!(foreign_count, 1, "nothing of another design touched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_stops_only_its_dependants() {
    let fake = Fake::start(&common::spec_path("hetzner-cloud.openapi.json")).await;
    let proxy = common::prism_proxy("hetzner-cloud.openapi.json", &fake.url());
    // Every server create fails: the volume (attached to the database server) and the balancer
    // (targets the app servers) must not be attempted; networks and firewalls still are.
    fake.inject(Fault {
        method: "POST",
        path_prefix: "/servers".into(),
        kind: FaultKind::ServerError,
        times: 1000,
    });
    let dir = tempfile::tempdir().unwrap();
    let file = design_file(dir.path(), "growth");
    let events: Events = Arc::default();
    let report = engine(&proxy.url(), &events, None)
        .apply(&file)
        .await
        .expect("apply runs to the end");
    assert!(!report.succeeded());
    assert_eq!(report.failed.len(), 5, "{report:#?}");
    assert!(
        report
            .failed
            .iter()
            .all(|f| f.key.local().starts_with("server-") && f.message.contains("HTTP 500")),
        "{:#?}",
        report.failed
    );
    assert!(
        report.not_attempted.iter().any(|k| k.local() == "volume"),
        "{report:#?}"
    );
    assert!(
        report
            .not_attempted
            .iter()
            .any(|k| k.local() == "load-balancer"),
        "{report:#?}"
    );
    assert!(
        report.created.iter().any(|k| k.local() == "network"),
        "{report:#?}"
    );
    assert_eq!(fake.count_requests("POST", "/volumes"), 0);
    assert_consistent(&fake, &file, "dsg_template_growth");
    // The failed creates stay journaled as `creating` (their outcome was unknown), nothing else.
    let state = StateFile::load(&state_path(&file), "dsg_template_growth").unwrap();
    let mut pending: Vec<&ResourceKey> = state
        .resources
        .iter()
        .filter(|(_, e)| e.status != EntryStatus::Created)
        .map(|(k, _)| k)
        .collect();
    let mut failed: Vec<&ResourceKey> = report.failed.iter().map(|f| &f.key).collect();
    pending.sort();
    failed.sort();
    assert_eq!(pending, failed);
}

/// A balancer's new type, algorithm and targets are changed in place through its actions (same
/// balancer, same address); the user's SSH key, already in the project, is used rather than
/// copied (Hetzner refuses a copy), its use recorded in labels that destroy takes off again,
/// and the key itself survives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balancer_changes_in_place_and_an_existing_key_is_used() {
    let fake = Fake::start(&common::spec_path("hetzner-cloud.openapi.json")).await;
    let proxy = common::prism_proxy("hetzner-cloud.openapi.json", &fake.url());
    let users_key = fake.seed(
        "ssh_keys",
        json!({ "name": "laptop", "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz me@laptop", "labels": { "team": "ops" } }),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = design_file(dir.path(), "growth");
    let mut design = stagecraft_model::load_file(&file).unwrap().design;
    let design_id = design.id.to_string();
    let events: Events = Arc::default();
    let sink = events.clone();
    let client = HetznerClient::new(config(&proxy.url()), Secret::new(TOKEN)).unwrap();
    let engine = Engine::new(EngineOptions {
        parallelism: 6,
        progress: Some(Arc::new(move |e| sink.lock().unwrap().push(e))),
        mapping: stagecraft_cloud::resources::MappingOptions {
            ssh_public_key: Some("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz hz-flow@test".into()),
            ..Default::default()
        },
        ..Default::default()
    })
    .with_driver(Arc::new(HetznerDriver::new(client)))
    .with_prices(stagecraft_pricing::StoredPrices::embedded_only());

    let report = engine.apply(&file).await.expect("apply");
    assert!(report.succeeded(), "{report:#?}");
    let keys: Vec<Value> = fake
        .all()
        .into_iter()
        .filter(|(c, _)| c == "ssh_keys")
        .map(|(_, o)| o)
        .collect();
    assert_eq!(keys.len(), 1, "the key is used, not copied: {keys:#?}");
    let key_key = ResourceKey("design/ssh-key-hetzner".into());
    let state = StateFile::load(&state_path(&file), &design_id).unwrap();
    assert_eq!(
        state.resources[&key_key].provider_id,
        Some(users_key.to_string()),
        "the servers get the user's key"
    );
    assert_eq!(keys[0]["name"], json!("laptop"), "the key keeps its name");
    let again = engine.plan(&file).await.unwrap();
    assert!(again.is_empty(), "{:#?}", again.changes);

    // A bigger balancer, least connections, in front of three app servers instead of two.
    let before = assert_balancer_targets(&fake, &design_id);
    for component in &mut design.components {
        match component.id.as_str() {
            "cmp_lb" => {
                component.size = Some("lb21".into());
                component.properties.algorithm =
                    Some(stagecraft_model::LbAlgorithm::LeastConnections);
            }
            "cmp_app" => component.count = 3,
            _ => {}
        }
    }
    save_file(&file, &design).unwrap();
    let lb_key = ResourceKey("cmp_lb/load-balancer".into());
    let plan = engine.plan(&file).await.unwrap();
    let change = plan.changes.iter().find(|c| c.key == lb_key).unwrap();
    assert_eq!(change.action, ChangeAction::Update, "{change:#?}");
    assert!(
        change.reasons.iter().any(|r| r == "resize lb11 → lb21"),
        "{change:#?}"
    );
    let report = engine.apply(&file).await.expect("apply the change");
    assert!(report.succeeded(), "{report:#?}");
    assert!(report.updated.contains(&lb_key), "{report:#?}");
    assert!(report.replaced.is_empty(), "{report:#?}");
    let after = assert_balancer_targets(&fake, &design_id);
    assert_eq!(after["id"], before["id"], "the same balancer");
    assert_eq!(after["load_balancer_type"]["name"], json!("lb21"));
    assert_eq!(after["algorithm"]["type"], json!("least_connections"));
    assert_eq!(after["targets"].as_array().unwrap().len(), 3);
    assert!(engine.plan(&file).await.unwrap().is_empty());

    let destroyed = engine.destroy(&file).await.expect("destroy");
    assert!(destroyed.succeeded(), "{destroyed:#?}");
    assert!(ours(&fake, &design_id).is_empty());
    let key = fake
        .all()
        .into_iter()
        .find(|(c, o)| c == "ssh_keys" && o["id"] == json!(users_key))
        .expect("the user's key survives destroy")
        .1;
    assert_eq!(
        key["labels"],
        json!({ "team": "ops" }),
        "only the labels recording the use are taken off"
    );
}

/// The design's volume is attached to its database server, by the server's current id.
fn assert_volume_on_db_server(fake: &Fake, design_id: &str) -> i64 {
    let objects = ours(fake, design_id);
    let db = objects
        .iter()
        .find(|(c, o)| c == "servers" && o["labels"]["stagecraft-component"] == "cmp_db")
        .map(|(_, o)| o["id"].as_i64().unwrap())
        .expect("a database server");
    let volume = objects
        .iter()
        .find(|(c, _)| c == "volumes")
        .map(|(_, o)| o.clone())
        .expect("a volume");
    assert_eq!(
        volume["server"].as_i64(),
        Some(db),
        "the volume is attached to the database server: {volume:#}"
    );
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recreated_server_gets_its_volume_back() {
    let fake = Fake::start(&common::spec_path("hetzner-cloud.openapi.json")).await;
    let proxy = common::prism_proxy("hetzner-cloud.openapi.json", &fake.url());
    let dir = tempfile::tempdir().unwrap();
    let file = design_file(dir.path(), "growth");
    let design_id = "dsg_template_growth";
    let engine = engine(&proxy.url(), &Events::default(), None);
    assert!(engine.apply(&file).await.unwrap().succeeded());
    let first = assert_volume_on_db_server(&fake, design_id);

    // Replaced: a bigger server type is a new server, and the volume follows it.
    let mut design = template_by_slug("growth").unwrap().design().unwrap();
    design
        .components
        .iter_mut()
        .find(|c| c.id.as_str() == "cmp_db")
        .unwrap()
        .size = Some("ccx23".into());
    save_file(&file, &design).unwrap();
    let plan = engine.plan(&file).await.unwrap();
    let volume = plan
        .changes
        .iter()
        .find(|c| c.key.0 == "cmp_volume/volume")
        .unwrap_or_else(|| panic!("the volume is planned: {:#?}", plan.changes));
    assert_eq!(volume.action, ChangeAction::Update);
    assert_eq!(
        volume.reasons,
        ["attach to recreated server cmp_db/server-0"]
    );
    let report = engine.apply(&file).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    let replaced = assert_volume_on_db_server(&fake, design_id);
    assert_ne!(replaced, first, "the server was replaced");
    assert!(engine.plan(&file).await.unwrap().is_empty());

    // Drift: the server deleted behind Stagecraft's back (Hetzner detaches its volume) is
    // created again, and the volume attached to it.
    let client = HetznerClient::new(config(&fake.url()), Secret::new(TOKEN)).unwrap();
    if let Some(action) = client
        .delete(stagecraft_cloud::hetzner::Collection::Servers, replaced)
        .await
        .unwrap()
    {
        client.wait_action(action).await.unwrap();
    }
    let report = engine.apply(&file).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert!(
        report
            .updated
            .contains(&ResourceKey("cmp_volume/volume".into())),
        "{report:#?}"
    );
    let recreated = assert_volume_on_db_server(&fake, design_id);
    assert_ne!(recreated, replaced);
    assert!(engine.plan(&file).await.unwrap().is_empty());
}
