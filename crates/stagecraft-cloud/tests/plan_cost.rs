//! The plan's monthly cost change on each provider: each create, resize and delete priced with
//! the embedded catalogue (prices of 2025-09-01, net), and the total; an unknown price is `None`,
//! never a silent zero. Hetzner from hand-made observed resources; DigitalOcean through the
//! engine against the DigitalOcean fake, so the prices come from the attributes the driver reads
//! back; AWS from the attributes the AWS driver reads (see `aws::driver` unit tests).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use stagecraft_cloud::digitalocean::{DigitalOceanClient, DigitalOceanDriver};
use stagecraft_cloud::engine::ObservedResource;
use stagecraft_cloud::fake_digitalocean::DoFake;
use stagecraft_cloud::plan::diff;
use stagecraft_cloud::resources::{map_design, MappingOptions, ResourceKey, ResourceKind};
use stagecraft_cloud::ChangeAction;
use stagecraft_cloud::{ClientConfig, Engine, EngineOptions, Plan, RetryPolicy, Secret};
use stagecraft_model::{
    save_file, template_by_slug, ComponentKind, Currency, Design, Engine as DbEngine, Provider,
};
use stagecraft_pricing::{embedded, StoredPrices};

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn observed(key: &str, kind: ResourceKind, attributes: &[(&str, &str)]) -> ObservedResource {
    let (owner, local) = key.split_once('/').unwrap();
    ObservedResource {
        key: ResourceKey::new(owner, local),
        provider: Provider::Hetzner,
        kind,
        provider_id: "42".into(),
        name: local.into(),
        fingerprint: Some("old".into()),
        attributes: attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
    }
}

#[test]
fn plan_changes_carry_their_monthly_cost_change() {
    let design = template_by_slug("mvp").unwrap().design().unwrap();
    let mapping = map_design(&design, &MappingOptions::default());
    let server = mapping
        .resources
        .iter()
        .find(|r| r.spec.kind() == ResourceKind::Server)
        .expect("the MVP has a server");
    let server_key = server.key.to_string();

    // Nothing exists yet: every change is a create, priced at the new resource's price.
    let mut plan = diff(design.id.as_str(), &design.name, &mapping, &[]);
    assert_eq!(plan.monthly_cost_change, None, "diff alone does not price");
    plan.price(&mapping, &[], Currency::Eur, &[embedded()]);
    let change = |plan: &stagecraft_cloud::Plan, key: &str| {
        plan.changes
            .iter()
            .find(|c| c.key.to_string() == key)
            .unwrap_or_else(|| panic!("no change for {key}: {:#?}", plan.changes))
            .clone()
    };
    let create = change(&plan, &server_key);
    assert_eq!(create.action, ChangeAction::Create);
    // A cx22 in the EU: €3.79 a month.
    assert_eq!(create.monthly_cost_change, Some(d("3.79")));
    for c in &plan.changes {
        if matches!(
            c.kind,
            ResourceKind::Firewall | ResourceKind::Network | ResourceKind::SshKey
        ) {
            assert_eq!(c.monthly_cost_change, Some(Decimal::ZERO), "{c:?}");
        }
    }
    let sum: Decimal = plan
        .changes
        .iter()
        .filter_map(|c| c.monthly_cost_change)
        .sum();
    assert_eq!(
        plan.monthly_cost_change,
        Some(sum),
        "the total adds the changes"
    );
    assert!(sum >= d("3.79"));

    // The server exists as a cx32 (€6.80) and will be replaced by a cx22 (€3.79): −€3.01; its
    // address is its own primary IP (public_ipv4 in the design), priced apart, never with the
    // server. A 100 GB volume no longer in the design is deleted: 100 × €0.044 = −€4.40.
    let ip_key = mapping
        .resources
        .iter()
        .find(|r| r.spec.kind() == ResourceKind::PrimaryIp)
        .expect("the MVP's server has a primary IP")
        .key
        .to_string();
    let existing = vec![
        observed(
            &server_key,
            ResourceKind::Server,
            &[
                ("server_type", "cx32"),
                ("location", "fsn1"),
                ("public_ipv4", "203.0.113.7"),
            ],
        ),
        observed(&ip_key, ResourceKind::PrimaryIp, &[("location", "fsn1")]),
        observed(
            "cmp_gone/volume",
            ResourceKind::Volume,
            &[("size", "100"), ("location", "fsn1")],
        ),
    ];
    let mut plan = diff(design.id.as_str(), &design.name, &mapping, &existing);
    plan.price(&mapping, &existing, Currency::Eur, &[embedded()]);
    let replace = change(&plan, &server_key);
    assert_eq!(replace.action, ChangeAction::Replace);
    assert_eq!(replace.monthly_cost_change, Some(d("-3.01")));
    let delete = change(&plan, "cmp_gone/volume");
    assert_eq!(delete.action, ChangeAction::Delete);
    assert_eq!(delete.monthly_cost_change, Some(d("-4.40")));
    let sum: Decimal = plan
        .changes
        .iter()
        .filter_map(|c| c.monthly_cost_change)
        .sum();
    assert_eq!(plan.monthly_cost_change, Some(sum));

    // In dollars at the default rate (1 EUR = 1.17 USD): the cx22 costs $4.43.
    let mut plan = diff(design.id.as_str(), &design.name, &mapping, &[]);
    plan.price(&mapping, &[], Currency::Usd, &[embedded()]);
    assert_eq!(
        change(&plan, &server_key).monthly_cost_change,
        Some(d("4.43"))
    );

    // A server type the catalogue does not know: that change and the total are unknown.
    let existing = vec![observed(
        &server_key,
        ResourceKind::Server,
        &[("server_type", "cx999"), ("location", "fsn1")],
    )];
    let mut plan = diff(design.id.as_str(), &design.name, &mapping, &existing);
    plan.price(&mapping, &existing, Currency::Eur, &[embedded()]);
    assert_eq!(change(&plan, &server_key).monthly_cost_change, None);
    assert_eq!(
        plan.monthly_cost_change, None,
        "an unpriced change leaves the total unknown, never a silent zero"
    );
    assert_eq!(
        plan.currency,
        Some(Currency::Eur),
        "the plan says its currency"
    );
    assert_eq!(
        plan.prices,
        vec![format!("embedded price catalogue of {}", embedded().as_of)]
    );
}

/// The growth template on DigitalOcean (Frankfurt), in dollars, its database a managed
/// PostgreSQL cluster of 100 GB.
fn growth_on_digitalocean() -> Design {
    let mut design = template_by_slug("growth").unwrap().design().unwrap();
    design.assumptions.currency = Currency::Usd;
    for component in &mut design.components {
        if component.provider == Provider::Unassigned {
            continue;
        }
        component.provider = Provider::Digitalocean;
        component.region = component.region.as_deref().map(|r| match r {
            "hel1" => "ams3".to_owned(),
            _ => "fra1".to_owned(),
        });
        component.size = match component.size.as_deref() {
            Some("cx32") => Some("s-2vcpu-4gb".into()),
            Some("lb11") => Some("lb-1".into()),
            _ => None,
        };
        if component.id.as_str() == "cmp_db" {
            component.kind = ComponentKind::ManagedDatabase;
            component.size = Some("db-s-1vcpu-2gb".into());
            component.properties.engine = Some(DbEngine::Postgresql);
        }
    }
    for group in &mut design.groups {
        group.provider = Provider::Digitalocean;
        group.region = group.region.as_deref().map(|r| match r {
            "hel1" => "ams3".to_owned(),
            _ => "fra1".to_owned(),
        });
    }
    design
}

fn do_engine(url: &str) -> Engine {
    let mut config = ClientConfig::new(url);
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(1),
        request_timeout: Duration::from_secs(5),
    };
    config.poll_interval = Duration::from_millis(10);
    config.action_timeout = Duration::from_secs(10);
    let options = EngineOptions {
        parallelism: 4,
        progress: None,
        crash_at: None,
        mapping: MappingOptions {
            ssh_public_key: Some("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz plan-cost@test".into()),
            ..MappingOptions::default()
        },
    };
    let client = DigitalOceanClient::new(config, Secret::new("plan-cost-token")).unwrap();
    Engine::new(options)
        .with_driver(Arc::new(DigitalOceanDriver::new(client)))
        .with_prices(StoredPrices::embedded_only())
}

fn cost_of(plan: &Plan, key: &str) -> Option<Decimal> {
    plan.changes
        .iter()
        .find(|c| c.key.to_string() == key)
        .unwrap_or_else(|| panic!("no change for {key}: {:#?}", plan.changes))
        .monthly_cost_change
}

fn assert_total_adds_up(plan: &Plan) {
    let sum: Option<Decimal> = plan.changes.iter().map(|c| c.monthly_cost_change).sum();
    assert!(sum.is_some(), "every change is priced: {:#?}", plan.changes);
    assert_eq!(plan.monthly_cost_change, sum, "the total adds the changes");
}

fn save(dir: &Path, design: &Design) -> std::path::PathBuf {
    let path = dir.join("growth-do.stagecraft.json");
    save_file(&path, design).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digitalocean_plan_prices_what_the_driver_reads_back() {
    let fake = DoFake::start(&common::spec_path("digitalocean.openapi.json")).await;
    let engine = do_engine(&fake.url());
    let dir = tempfile::tempdir().unwrap();
    let design = growth_on_digitalocean();
    let file = save(dir.path(), &design);

    // Nothing exists: every resource is created at its price (US dollars, net).
    let plan = engine.plan(&file).await.unwrap();
    assert_eq!(plan.currency, Some(Currency::Usd));
    assert_total_adds_up(&plan);
    // s-2vcpu-4gb droplet: $24.
    assert_eq!(cost_of(&plan, "cmp_app/server-0"), Some(d("24")));
    // db-s-1vcpu-2gb, one node: $30, plus 100 GB − 25 GB included = 75 GB × $0.21 = $15.75.
    assert_eq!(cost_of(&plan, "cmp_db/database"), Some(d("45.75")));
    // 100 GB volume × $0.10.
    assert_eq!(cost_of(&plan, "cmp_volume/volume"), Some(d("10.00")));
    // lb-1: one node, $12.
    assert_eq!(cost_of(&plan, "cmp_lb/load-balancer"), Some(d("12")));

    let report = engine.apply(&file).await.unwrap();
    assert!(report.failed.is_empty(), "{report:#?}");
    let plan = engine.plan(&file).await.unwrap();
    assert!(plan.changes.is_empty(), "applied: {:#?}", plan.changes);
    assert_eq!(plan.monthly_cost_change, Some(Decimal::ZERO));

    // Bigger app droplets, a standby database node, no volume, a two-node balancer: each change
    // is the new price minus the price of what DigitalOcean reports now.
    let mut bigger = design.clone();
    bigger.components.retain(|c| c.id.as_str() != "cmp_volume");
    bigger.layout.nodes.remove("cmp_volume");
    for c in &mut bigger.components {
        match c.id.as_str() {
            "cmp_app" => c.size = Some("s-4vcpu-8gb".into()),
            "cmp_db" => c.properties.standby_nodes = Some(1),
            "cmp_lb" => c.size = Some("lb-2".into()),
            _ => {}
        }
    }
    save(dir.path(), &bigger);
    let plan = engine.plan(&file).await.unwrap();
    assert_total_adds_up(&plan);
    // $48 − $24 per droplet.
    assert_eq!(cost_of(&plan, "cmp_app/server-0"), Some(d("24")));
    assert_eq!(cost_of(&plan, "cmp_app/server-1"), Some(d("24")));
    // A second node at $30; the storage is billed once.
    assert_eq!(cost_of(&plan, "cmp_db/database"), Some(d("30")));
    assert_eq!(cost_of(&plan, "cmp_volume/volume"), Some(d("-10.00")));
    assert_eq!(cost_of(&plan, "cmp_lb/load-balancer"), Some(d("12")));
    assert_eq!(
        plan.monthly_cost_change,
        Some(d("80")),
        "{:#?}",
        plan.changes
    );
}

#[test]
fn aws_plan_prices_every_resource_the_scale_template_maps_to() {
    let design = template_by_slug("scale").unwrap().design().unwrap();
    let mapping = map_design(&design, &MappingOptions::default());
    let mut plan = diff(design.id.as_str(), &design.name, &mapping, &[]);
    plan.price(&mapping, &[], Currency::Usd, &[embedded()]);
    assert_eq!(plan.currency, Some(Currency::Usd));
    assert_total_adds_up(&plan);
    // RDS db.m7g.large Multi-AZ in us-east-1: 2 × $0.168 × 730 h = $245.28, plus 2 copies of
    // 500 GB × $0.115 = $115.00.
    assert_eq!(cost_of(&plan, "cmp_db_use1/database"), Some(d("360.28")));
    // Single-AZ: $122.64 + 500 GB × $0.115 = $180.14 (eu-central-1 priced as the catalogue says).
    let pricer = stagecraft_pricing::ResourcePricer::new(
        &[embedded()],
        Currency::Usd,
        &stagecraft_pricing::CostOptions::default(),
    );
    let euc1 = pricer
        .monthly(
            Provider::Aws,
            stagecraft_pricing::Resource::Database {
                engine: DbEngine::Postgresql,
                size: "db.m7g.large",
                nodes: 1,
                storage_gb: Some(500),
                region: "eu-central-1",
            },
        )
        .expect("RDS in eu-central-1 is in the catalogue");
    assert_eq!(cost_of(&plan, "cmp_db_euc1/database"), Some(euc1));
    // An ALB: $0.0225 × 730 h = $16.43, plus one capacity unit $0.008 × 730 h = $5.84.
    assert_eq!(
        cost_of(&plan, "cmp_alb_use1/load-balancer"),
        Some(d("22.27"))
    );
}
