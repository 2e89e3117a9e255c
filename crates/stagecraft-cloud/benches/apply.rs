//! Apply of a ~60-resource Hetzner design (and the same design on DigitalOcean, 48 resources) against the in-memory fake answering every request
//! after 100 ms, as a slow real API would. Reports, besides criterion's timing, the wall time
//! against the critical-path lower bound measured in the same run (observe + the longest chain
//! of dependent operations by their measured durations), and API calls per resource.
//!
//! Run: `cargo bench -p stagecraft-cloud --bench apply -- --warm-up-time 1 --measurement-time 3`

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use stagecraft_cloud::digitalocean::{DigitalOceanClient, DigitalOceanDriver};
use stagecraft_cloud::fake::Fake;
use stagecraft_cloud::fake_digitalocean::DoFake;
use stagecraft_cloud::hetzner::{HetznerClient, HetznerDriver};
use stagecraft_cloud::{
    ApplyReport, ClientConfig, Engine, EngineOptions, ProviderDriver, RetryPolicy, Secret,
};
use stagecraft_model::{
    save_file, Component, ComponentKind, Connection, ConnectionId, Design, Group, GroupId,
    GroupKind, NetworkPath, Protocol, Provider,
};
use stagecraft_testkit::peers::spec_path;

/// One run: wall ms, critical-path bound ms, API calls, resources created.
type Figures = (u64, u64, u64, usize);

const LATENCY: Duration = Duration::from_millis(100);

/// 1 network, 12 app servers x2 (each with a firewall and a placement group), 2 workers (with
/// firewalls), 6 volumes, 1 load balancer: 60 resources in three dependency levels.
fn design() -> Design {
    design_on(Provider::Hetzner, "fsn1")
}

/// The same design on another provider (DigitalOcean has no placement groups: 48 resources).
fn design_on(provider: Provider, region: &str) -> Design {
    let mut design = Design::new("bench");
    let group = Group {
        id: GroupId::parse("grp_net").unwrap(),
        kind: GroupKind::PrivateNetwork,
        name: "net".into(),
        provider,
        region: Some(region.into()),
        cidr: Some("10.0.0.0/16".into()),
        parent: None,
    };
    design.groups.push(group.clone());
    let make = |kind, name: String, count| {
        let mut c = Component::new(kind, name);
        c.provider = provider;
        c.region = Some(region.into());
        c.count = count;
        c.group = Some(group.id.clone());
        c
    };
    let apps: Vec<Component> = (0..12)
        .map(|i| make(ComponentKind::AppServer, format!("app {i}"), 2))
        .collect();
    design.components.extend(apps.iter().cloned());
    for i in 0..2 {
        design
            .components
            .push(make(ComponentKind::Worker, format!("worker {i}"), 1));
    }
    for (i, app) in apps.iter().take(6).enumerate() {
        let mut volume = make(ComponentKind::BlockVolume, format!("data {i}"), 1);
        volume.properties.attached_to = Some(app.id.clone());
        volume.properties.storage_gb = Some(20);
        design.components.push(volume);
    }
    let lb = make(ComponentKind::LoadBalancer, "lb".into(), 1);
    design.components.push(lb.clone());
    design.connections.push(Connection {
        id: ConnectionId::generate(),
        from: lb.id.clone(),
        to: apps[0].id.clone(),
        protocol: Protocol::Http,
        ports: vec![80],
        network: NetworkPath::Private,
        label: None,
    });
    design
}

/// A client configuration for the fakes: polls at the fake's latency, generous timeouts.
fn bench_config(url: String) -> ClientConfig {
    let mut config = ClientConfig::new(url);
    config.retry = RetryPolicy {
        request_timeout: Duration::from_secs(10),
        ..RetryPolicy::default()
    };
    config.poll_interval = LATENCY;
    config
}

/// One apply of `file` through `driver` with the benchmark's parallelism.
async fn apply_with(driver: Arc<dyn ProviderDriver>, file: &Path) -> ApplyReport {
    Engine::new(EngineOptions {
        parallelism: 32,
        ..Default::default()
    })
    .with_driver(driver)
    .apply(file)
    .await
    .unwrap()
}

/// Checks a run succeeded, keeps its figures, and gives its wall time.
fn record(report: &ApplyReport, figures: &Mutex<Vec<Figures>>) -> Duration {
    assert!(report.succeeded(), "{report:#?}");
    figures.lock().unwrap().push((
        report.wall_ms,
        report.observe_ms + report.critical_path_ms,
        report.api_calls,
        report.created.len(),
    ));
    Duration::from_millis(report.wall_ms)
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench.stagecraft.json");
    save_file(&file, &design()).unwrap();
    let figures: Arc<Mutex<Vec<Figures>>> = Arc::default();

    let mut group = c.benchmark_group("apply");
    group.sample_size(10);
    group.bench_function("hetzner_60_resources_100ms_latency", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let _ = std::fs::remove_file(stagecraft_cloud::state::state_path(&file));
                let report = runtime.block_on(async {
                    let fake = Fake::start(&spec_path("hetzner-cloud.openapi.json")).await;
                    {
                        let mut state = fake.state.lock().unwrap();
                        state.latency = LATENCY;
                        state.action_polls = 1;
                    }
                    let config = bench_config(fake.url());
                    let client = HetznerClient::new(config, Secret::new("bench")).unwrap();
                    apply_with(Arc::new(HetznerDriver::new(client)), &file).await
                });
                total += record(&report, &figures);
            }
            total
        })
    });
    let do_file = dir.path().join("bench-do.stagecraft.json");
    save_file(&do_file, &design_on(Provider::Digitalocean, "fra1")).unwrap();
    let do_figures: Arc<Mutex<Vec<Figures>>> = Arc::default();
    group.bench_function("digitalocean_100ms_latency", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let _ = std::fs::remove_file(stagecraft_cloud::state::state_path(&do_file));
                let report = runtime.block_on(async {
                    let fake = DoFake::start(&spec_path("digitalocean.openapi.json")).await;
                    {
                        let mut state = fake.state.lock().unwrap();
                        state.latency = LATENCY;
                        state.action_polls = 1;
                    }
                    let config = bench_config(fake.url());
                    let client = DigitalOceanClient::new(config, Secret::new("bench")).unwrap();
                    apply_with(Arc::new(DigitalOceanDriver::new(client)), &do_file).await
                });
                total += record(&report, &do_figures);
            }
            total
        })
    });
    group.finish();

    print_figures("hetzner", &figures.lock().unwrap());
    print_figures("digitalocean", &do_figures.lock().unwrap());
}

fn print_figures(provider: &str, figures: &[Figures]) {
    let n = figures.len().max(1) as f64;
    let ratio: f64 = figures
        .iter()
        .map(|(w, lb, _, _)| *w as f64 / (*lb).max(1) as f64)
        .sum::<f64>()
        / n;
    let worst = figures
        .iter()
        .map(|(w, lb, _, _)| *w as f64 / (*lb).max(1) as f64)
        .fold(0.0, f64::max);
    let (wall, bound, calls, resources) = figures.last().copied().unwrap_or_default();
    eprintln!(
        "{provider} apply figures over {} runs: {resources} resources, last wall {wall} ms vs critical-path bound {bound} ms; wall/bound mean {ratio:.3}, worst {worst:.3}; {:.2} API calls per resource ({calls} calls)",
        figures.len(),
        calls as f64 / resources.max(1) as f64
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
