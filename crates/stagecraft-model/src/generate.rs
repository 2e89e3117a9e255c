//! Generated designs of any size, for benchmarks and tests in every crate: a repeating pattern of
//! realistic tiers (load balancer, app servers, workers, database, cache, storage, firewall) so
//! that rules, pricing and export see the same mix as in a real design.

use crate::design::*;
use crate::ids::{ComponentId, ConnectionId, DesignId, GroupId};

/// Components in one repeated tier block.
const BLOCK: usize = 8;

/// A valid design with about `components` components and 1.5 connections per component,
/// deterministic for a given size (ids are derived from positions, not random).
pub fn generated_design(components: usize) -> Design {
    let mut design = Design::new(format!("generated-{components}"));
    design.id = DesignId::parse("dsg_generated").unwrap_or_else(|_| DesignId::generate());
    design.assumptions.expected_users = Some(20_000);
    design.assumptions.target_stage = Some(Stage::Growth);
    let blocks = components.div_ceil(BLOCK).max(1);
    let regions = ["fsn1", "nbg1", "hel1"];
    for b in 0..blocks {
        let region = regions[b % regions.len()];
        let group_id = GroupId::parse(&format!("grp_b{b}")).expect("generated group id is valid");
        design.groups.push(Group {
            id: group_id.clone(),
            kind: GroupKind::PrivateNetwork,
            name: format!("network-{b}"),
            provider: Provider::Hetzner,
            region: Some(region.to_owned()),
            cidr: Some(format!("10.{}.0.0/16", b % 250)),
            parent: None,
        });
        let id =
            |n: &str| ComponentId::parse(&format!("cmp_b{b}_{n}")).expect("generated id is valid");
        let mut add =
            |name: &str, kind: ComponentKind, size: Option<&str>, properties: Properties| {
                let component = Component {
                    id: id(name),
                    kind,
                    name: format!("{name}-{b}"),
                    provider: Provider::Hetzner,
                    region: Some(region.to_owned()),
                    size: size.map(str::to_owned),
                    count: 1,
                    group: Some(group_id.clone()),
                    properties,
                };
                let n = design.components.len();
                design.layout.nodes.insert(
                    component.id.to_string(),
                    Placement {
                        x: (n % 40) as f64 * 220.0,
                        y: (n / 40) as f64 * 140.0,
                        width: None,
                        height: None,
                    },
                );
                design.components.push(component);
            };
        add(
            "lb",
            ComponentKind::LoadBalancer,
            Some("lb11"),
            Properties::default(),
        );
        add(
            "app1",
            ComponentKind::AppServer,
            Some("cx22"),
            Properties {
                workloads: vec![Workload::Web],
                ..Properties::default()
            },
        );
        add(
            "app2",
            ComponentKind::AppServer,
            Some("cx22"),
            Properties {
                workloads: vec![Workload::Web],
                ..Properties::default()
            },
        );
        add(
            "worker",
            ComponentKind::Worker,
            Some("cx22"),
            Properties {
                workloads: vec![Workload::Jobs],
                ..Properties::default()
            },
        );
        add(
            "db",
            ComponentKind::SelfHostedDatabase,
            Some("ccx13"),
            Properties {
                engine: Some(Engine::Postgresql),
                backup: Some(BackupPolicy {
                    dumps: Some(Schedule::Daily),
                    before_changes: true,
                    destination: Some(id("store")),
                    ..BackupPolicy::default()
                }),
                ..Properties::default()
            },
        );
        add(
            "cache",
            ComponentKind::Cache,
            Some("cx22"),
            Properties {
                engine: Some(Engine::Valkey),
                ..Properties::default()
            },
        );
        add(
            "store",
            ComponentKind::ObjectStorage,
            None,
            Properties {
                storage_gb: Some(100),
                ..Properties::default()
            },
        );
        add(
            "fw",
            ComponentKind::Firewall,
            None,
            Properties {
                default_inbound: Some(Policy::Deny),
                applies_to: vec![id("app1"), id("app2"), id("worker"), id("db")],
                firewall_rules: vec![FirewallRule {
                    direction: Direction::Inbound,
                    protocol: FirewallProtocol::Tcp,
                    port: Some("80".into()),
                    addresses: vec!["10.0.0.0/8".into()],
                    description: None,
                }],
                ..Properties::default()
            },
        );
        let links: [(&str, &str, Protocol, u16); 12] = [
            ("lb", "app1", Protocol::Http, 80),
            ("lb", "app2", Protocol::Http, 80),
            ("app1", "db", Protocol::Postgresql, 5432),
            ("app2", "db", Protocol::Postgresql, 5432),
            ("worker", "db", Protocol::Postgresql, 5432),
            ("app1", "cache", Protocol::Redis, 6379),
            ("app2", "cache", Protocol::Redis, 6379),
            ("worker", "cache", Protocol::Redis, 6379),
            ("db", "store", Protocol::S3, 443),
            ("app1", "store", Protocol::S3, 443),
            ("app2", "store", Protocol::S3, 443),
            ("worker", "store", Protocol::S3, 443),
        ];
        for (i, (from, to, protocol, port)) in links.into_iter().enumerate() {
            design.connections.push(Connection {
                id: ConnectionId::parse(&format!("con_b{b}_{i}")).expect("generated id is valid"),
                from: id(from),
                to: id(to),
                protocol,
                ports: vec![port],
                network: if to == "store" {
                    NetworkPath::Public
                } else {
                    NetworkPath::Private
                },
                label: None,
            });
        }
    }
    design
}
