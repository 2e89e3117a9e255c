//! WireGuard across regions: the mapping (tunnel addresses that stay put, the port open only to
//! the peer), cloud-init without key material, and the `link` step that exchanges public keys,
//! run against the Hetzner fake behind `prism proxy --errors` with a fake SSH for the servers.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::hetzner_fake::Fake;
use serde_json::{json, Value};
use stagecraft_cloud::digitalocean::{DigitalOceanClient, DigitalOceanDriver};
use stagecraft_cloud::engine::BoxFuture;
use stagecraft_cloud::fake_digitalocean::DoFake;
use stagecraft_cloud::hetzner::{HetznerClient, HetznerDriver};
use stagecraft_cloud::resources::{
    map_design, map_design_with_endpoints, Mapping, MappingOptions, ResourceKey, ResourceSpec,
    WireguardEndpoints,
};
use stagecraft_cloud::state::state_path;
use stagecraft_cloud::wireguard::{self, link, RemoteShell, READ_PUBLIC_KEY, WRITE_PEERS};
use stagecraft_cloud::{ClientConfig, Engine, EngineOptions, RetryPolicy, Secret};
use stagecraft_model::{load_str, save_file, Design, FirewallProtocol};

/// Users reach `web` in Falkenstein; `web` talks to `db` in Ashburn privately (no Hetzner network
/// spans both, so WireGuard carries it) and to `worker` in Falkenstein (a private network does).
/// An admin firewall opens SSH from the operator's address, which `link` needs.
const TWO_REGIONS: &str = r#"{
  "schema_version": 2,
  "id": "dsg_two_regions",
  "name": "Two regions",
  "assumptions": { "target_stage": "growth", "currency": "EUR" },
  "practices": { "config_in_git": true, "migration_in_progress": false },
  "groups": [],
  "components": [
    { "id": "cmp_users", "kind": "users", "name": "Users", "provider": "unassigned", "count": 1 },
    { "id": "cmp_web", "kind": "app_server", "name": "web", "provider": "hetzner", "region": "fsn1", "size": "cx22", "count": 1 },
    { "id": "cmp_worker", "kind": "worker", "name": "worker", "provider": "hetzner", "region": "fsn1", "size": "cx22", "count": 1 },
    { "id": "cmp_db", "kind": "self_hosted_database", "name": "db", "provider": "hetzner", "region": "ash", "size": "cpx21", "count": 1,
      "properties": { "engine": "postgresql" } },
    { "id": "cmp_admin", "kind": "firewall", "name": "admin-ssh", "provider": "hetzner", "count": 1,
      "properties": {
        "default_inbound": "deny",
        "firewall_rules": [{ "direction": "inbound", "protocol": "tcp", "port": "22", "addresses": ["192.0.2.10/32"], "description": "SSH from the operator" }],
        "applies_to": ["cmp_web", "cmp_db"]
      } }
  ],
  "connections": [
    { "id": "con_users_web", "from": "cmp_users", "to": "cmp_web", "protocol": "https", "ports": [443], "network": "public" },
    { "id": "con_web_db", "from": "cmp_web", "to": "cmp_db", "protocol": "postgresql", "ports": [5432], "network": "private" },
    { "id": "con_web_worker", "from": "cmp_web", "to": "cmp_worker", "protocol": "tcp", "ports": [6379], "network": "private" }
  ],
  "layout": { "nodes": {} }
}"#;

fn design() -> Design {
    load_str(TWO_REGIONS, "two-regions.stagecraft.json")
        .expect("the fixture loads")
        .design
}

fn resource<'a>(mapping: &'a Mapping, key: &str) -> &'a ResourceSpec {
    &mapping
        .resources
        .iter()
        .find(|r| r.key.0 == key)
        .unwrap_or_else(|| panic!("no {key}"))
        .spec
}

/// What a reviewer needs to see of the mapping: firewalls, networks, tunnel addresses.
fn summary(mapping: &Mapping) -> String {
    let mut lines = Vec::new();
    for r in &mapping.resources {
        match &r.spec {
            ResourceSpec::Firewall { rules, .. } => {
                lines.push(format!("{} firewall", r.key));
                for rule in rules {
                    lines.push(format!(
                        "    {:?} {:?} {} from {} ({})",
                        rule.direction,
                        rule.protocol,
                        rule.port.as_deref().unwrap_or("any"),
                        rule.addresses.join(" "),
                        rule.description
                    ));
                }
            }
            ResourceSpec::Server {
                region,
                networks,
                firewalls,
                user_data,
                ..
            } => {
                let tunnel = user_data
                    .as_deref()
                    .and_then(|u| u.lines().find(|l| l.contains("Address = ")))
                    .map_or("none".to_owned(), |l| l.trim().to_owned());
                lines.push(format!(
                    "{} server in {region}; networks [{}]; firewalls [{}]; tunnel {tunnel}",
                    r.key,
                    networks
                        .iter()
                        .map(|k| k.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    firewalls
                        .iter()
                        .map(|k| k.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ));
            }
            other => lines.push(format!("{} {:?}", r.key, other.kind())),
        }
    }
    lines.join("\n")
}

fn wireguard_rule_sources(mapping: &Mapping, firewall: &str) -> Vec<Vec<String>> {
    let ResourceSpec::Firewall { rules, .. } = resource(mapping, firewall) else {
        panic!("{firewall} is a firewall")
    };
    rules
        .iter()
        .filter(|r| r.port.as_deref() == Some("51820"))
        .map(|r| {
            assert_eq!(r.protocol, FirewallProtocol::Udp, "WireGuard is UDP");
            r.addresses.clone()
        })
        .collect()
}

#[test]
fn two_region_mapping_opens_wireguard_only_to_the_peer() {
    let design = design();
    let before = map_design(&design, &MappingOptions::default());
    let endpoints: WireguardEndpoints = [
        (
            ResourceKey("cmp_web/server-0".into()),
            "198.51.100.10".into(),
        ),
        (ResourceKey("cmp_db/server-0".into()), "203.0.113.20".into()),
        (
            ResourceKey("cmp_worker/server-0".into()),
            "198.51.100.11".into(),
        ),
    ]
    .into();
    let after = map_design_with_endpoints(&design, &MappingOptions::default(), &endpoints);

    assert!(
        wireguard_rule_sources(&before, "cmp_db/firewall").is_empty(),
        "before the peer exists its address is unknown, so the port stays closed"
    );
    assert_eq!(
        wireguard_rule_sources(&after, "cmp_db/firewall"),
        vec![vec!["198.51.100.10/32".to_owned()]],
        "db accepts WireGuard from web's address only"
    );
    assert_eq!(
        wireguard_rule_sources(&after, "cmp_web/firewall"),
        vec![vec!["203.0.113.20/32".to_owned()]],
        "web accepts WireGuard from db's address only"
    );
    assert!(
        wireguard_rule_sources(&after, "cmp_worker/firewall").is_empty(),
        "the worker shares web's region: a private network, no tunnel"
    );
    let ResourceSpec::Server { networks, .. } = resource(&after, "cmp_db/server-0") else {
        panic!()
    };
    assert!(networks.is_empty(), "no Hetzner network spans fsn1 and ash");
    // Learning the addresses changes only the firewalls: servers are never replaced for it.
    for (a, b) in before.resources.iter().zip(&after.resources) {
        assert_eq!(a.key, b.key);
        if !matches!(a.spec, ResourceSpec::Firewall { .. }) {
            assert_eq!(a.spec, b.spec, "{} must not change", a.key);
        }
    }
    insta::assert_snapshot!(
        "two_regions_mapping",
        format!(
            "before the servers exist:\n{}\n\nonce their addresses are known:\n{}",
            summary(&before),
            summary(&after)
        )
    );
}

#[test]
fn tunnel_addresses_stay_put_when_the_design_changes() {
    let design = design();
    let addresses = wireguard::tunnel_addresses(&design);
    assert_eq!(
        addresses.keys().map(|k| k.0.as_str()).collect::<Vec<_>>(),
        ["cmp_db/server-0", "cmp_web/server-0"],
        "only the tunnel's two ends get addresses"
    );
    let values: Vec<&String> = addresses.values().collect();
    assert_ne!(values[0], values[1]);
    for address in &values {
        assert!(address.starts_with("10.99.0."), "{address}");
    }

    // Components reordered, the worker removed, and a new cross-region pair added.
    let mut changed = design.clone();
    changed.components.reverse();
    changed.components.retain(|c| c.id.as_str() != "cmp_worker");
    changed
        .connections
        .retain(|c| c.id.as_str() != "con_web_worker");
    let mut text: Value = serde_json::from_str(TWO_REGIONS).unwrap();
    let components = text["components"].as_array_mut().unwrap();
    components.push(json!({ "id": "cmp_cache", "kind": "app_server", "name": "cache", "provider": "hetzner", "region": "hel1", "count": 2 }));
    text["connections"].as_array_mut().unwrap().push(json!({ "id": "con_web_cache", "from": "cmp_web", "to": "cmp_cache", "protocol": "tcp", "ports": [6379], "network": "private" }));
    let grown = load_str(&text.to_string(), "grown.stagecraft.json")
        .unwrap()
        .design;
    for other in [changed, grown.clone()] {
        let again = wireguard::tunnel_addresses(&other);
        for (key, address) in &addresses {
            assert_eq!(again.get(key), Some(address), "{key} keeps its address");
        }
    }
    let grown_addresses = wireguard::tunnel_addresses(&grown);
    assert_eq!(grown_addresses.len(), 4, "web, db and both cache replicas");
    let mut distinct: Vec<&String> = grown_addresses.values().collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        4,
        "addresses are unique: {grown_addresses:?}"
    );
}

#[test]
fn cloud_init_carries_no_key_material() {
    let mapping = map_design(&design(), &MappingOptions::default());
    for key in ["cmp_web/server-0", "cmp_db/server-0"] {
        let ResourceSpec::Server { user_data, .. } = resource(&mapping, key) else {
            panic!()
        };
        let user_data = user_data
            .as_deref()
            .expect("a tunnel server gets cloud-init");
        assert!(user_data.starts_with("#cloud-config\n"));
        assert!(
            user_data.contains("wg genkey > /etc/wireguard/private.key"),
            "the key pair is made on the server: {user_data}"
        );
        assert!(
            user_data.contains("umask 077"),
            "the private key file is 0600"
        );
        assert!(user_data.contains("ListenPort = 51820"));
        assert!(
            !user_data.contains("PrivateKey") && !user_data.contains("PresharedKey"),
            "no key in the configuration written from user data: {user_data}"
        );
        // No base64 WireGuard key (44 characters ending in `=`) anywhere in the text.
        for word in user_data.split(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
            assert!(
                !wireguard::is_public_key(word),
                "{key}: user data holds a key: {word}"
            );
        }
        assert!(!user_data.contains("BEGIN"), "no PEM block");
    }
    let ResourceSpec::Server { user_data, .. } = resource(&mapping, "cmp_worker/server-0") else {
        panic!()
    };
    assert!(
        user_data.is_none(),
        "a server without tunnels gets no WireGuard: {user_data:?}"
    );
}

/// The servers, as far as `link` can tell over SSH: each answers only at its fake public
/// address, makes its key pair when cloud-init runs, and keeps the peers file it is sent.
#[derive(Default)]
struct FakeServers {
    fake: Option<Fake>,
    /// Droplets answer too, at their public address on the DigitalOcean fake.
    do_fake: Option<DoFake>,
    public_keys: Mutex<BTreeMap<String, String>>,
    peers_files: Mutex<BTreeMap<String, String>>,
    commands: Mutex<Vec<(String, String, String)>>,
}

impl FakeServers {
    fn server_at(&self, address: &str) -> Option<Value> {
        let hetzner = self.fake.as_ref().and_then(|fake| {
            fake.all().into_iter().find_map(|(c, o)| {
                (c == "servers" && o["public_net"]["ipv4"]["ip"] == json!(address)).then_some(o)
            })
        });
        hetzner.or_else(|| {
            self.do_fake.as_ref()?.all().into_iter().find_map(|(c, o)| {
                (c == "droplets" && droplet_public_ip(&o).as_deref() == Some(address)).then_some(o)
            })
        })
    }
}

/// A well-formed, made-up WireGuard public key for a server.
fn public_key_for(address: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut hash: u64 = 0x1234_5678;
    let mut out = String::new();
    for i in 0..42 {
        for b in address.bytes().chain([i as u8]) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        out.push(ALPHABET[(hash % 64) as usize] as char);
    }
    out.push_str("A=");
    out
}

impl RemoteShell for FakeServers {
    fn run<'a>(
        &'a self,
        address: &'a str,
        command: &'a str,
        input: &'a str,
    ) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            self.commands
                .lock()
                .unwrap()
                .push((address.into(), command.into(), input.into()));
            if self.server_at(address).is_none() {
                return Err(format!(
                    "ssh: connect to host {address} port 22: No route to host"
                ));
            }
            match command {
                READ_PUBLIC_KEY => Ok(format!(
                    "{}\n",
                    self.public_keys
                        .lock()
                        .unwrap()
                        .entry(address.into())
                        .or_insert_with(|| public_key_for(address))
                )),
                WRITE_PEERS => {
                    self.peers_files
                        .lock()
                        .unwrap()
                        .insert(address.into(), input.into());
                    Ok(String::new())
                }
                other => Err(format!("unexpected command {other}")),
            }
        })
    }
}

fn engine(url: &str) -> Engine {
    let mut config = ClientConfig::new(url);
    config.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(1),
        request_timeout: Duration::from_secs(5),
    };
    config.poll_interval = Duration::from_millis(10);
    let options = EngineOptions {
        mapping: MappingOptions {
            ssh_public_key: Some("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGj0YkD2x7tTqv0mUc1H0f5i8mLQ1a2b3c4d5e6f7g8h me@laptop".into()),
            ..MappingOptions::default()
        },
        ..Default::default()
    };
    let client = HetznerClient::new(config, Secret::new("hz-wireguard-token")).unwrap();
    Engine::new(options)
        .with_driver(Arc::new(HetznerDriver::new(client)))
        .with_prices(stagecraft_pricing::StoredPrices::embedded_only())
}

fn firewall_of(fake: &Fake, component: &str) -> Value {
    firewall_of_design(fake, component, "dsg_two_regions")
}

fn firewall_of_design(fake: &Fake, component: &str, design: &str) -> Value {
    fake.all()
        .into_iter()
        .find(|(c, o)| {
            c == "firewalls"
                && o["labels"]["stagecraft-component"] == json!(component)
                && o["labels"]["stagecraft-design"] == json!(design)
        })
        .unwrap_or_else(|| panic!("no firewall of {component}"))
        .1
}

fn ip_of(fake: &Fake, component: &str) -> String {
    fake.all()
        .into_iter()
        .find(|(c, o)| c == "servers" && o["labels"]["stagecraft-component"] == json!(component))
        .and_then(|(_, o)| o["public_net"]["ipv4"]["ip"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no server of {component}"))
}

fn write_design(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("two-regions.stagecraft.json");
    save_file(&path, &design()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_exchanges_public_keys_through_the_hetzner_fake() {
    let fake = Fake::start(&common::spec_path("hetzner-cloud.openapi.json")).await;
    let proxy = common::prism_proxy("hetzner-cloud.openapi.json", &fake.url());
    let dir = tempfile::tempdir().unwrap();
    let file = write_design(dir.path());
    let engine = engine(&proxy.url());
    let servers = FakeServers {
        fake: Some(fake.clone()),
        ..Default::default()
    };

    let report = link(&engine, &file, &servers).await.expect("link");
    assert_eq!(
        report.applies, 2,
        "the first apply creates the servers, the second opens each WireGuard port to the peer's address"
    );
    let web_ip = ip_of(&fake, "cmp_web");
    let db_ip = ip_of(&fake, "cmp_db");
    assert_ne!(web_ip, db_ip);

    // The firewalls at the provider: 51820/udp from the peer's address and nowhere else.
    for (component, peer_ip) in [("cmp_web", &db_ip), ("cmp_db", &web_ip)] {
        let rules = firewall_of(&fake, component)["rules"].clone();
        let wireguard: Vec<&Value> = rules
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["port"] == json!("51820"))
            .collect();
        assert_eq!(wireguard.len(), 1, "{component}: {rules:#}");
        assert_eq!(wireguard[0]["protocol"], json!("udp"));
        assert_eq!(
            wireguard[0]["source_ips"],
            json!([format!("{peer_ip}/32")]),
            "{component} accepts WireGuard from its peer only"
        );
    }

    // Each server got the other's public key, endpoint and tunnel address, and not its own.
    let addresses = wireguard::tunnel_addresses(&design());
    let keys = servers.public_keys.lock().unwrap().clone();
    let files = servers.peers_files.lock().unwrap().clone();
    assert_eq!(files.len(), 2, "both ends were configured: {files:#?}");
    for (me, peer, peer_component) in [(&web_ip, &db_ip, "cmp_db"), (&db_ip, &web_ip, "cmp_web")] {
        let file = &files[me];
        assert!(
            file.contains(&format!("PublicKey = {}", keys[peer])),
            "{file}"
        );
        assert!(
            !file.contains(&keys[me]),
            "a server is not its own peer: {file}"
        );
        assert!(file.contains(&format!("Endpoint = {peer}:51820")), "{file}");
        let tunnel = &addresses[&ResourceKey(format!("{peer_component}/server-0"))];
        assert!(
            file.contains(&format!("AllowedIPs = {tunnel}/32")),
            "{file}"
        );
        assert!(!file.contains("PrivateKey"), "{file}");
    }
    assert_eq!(report.servers.len(), 2);
    assert!(
        !servers
            .commands
            .lock()
            .unwrap()
            .iter()
            .any(|(_, c, _)| c.contains("private")),
        "link never reads a private key"
    );

    // Nothing left to do: learning the addresses settled the design.
    assert!(engine.plan(&file).await.unwrap().is_empty());
    // The journal and the design hold no key of any kind.
    for path in [state_path(&file), file.clone()] {
        let text = std::fs::read_to_string(&path).unwrap();
        for key in keys.values() {
            assert!(
                !text.contains(key.as_str()),
                "{} holds a key",
                path.display()
            );
        }
        assert!(!text.contains("PrivateKey"));
    }

    // Linking again changes nothing and rewrites the same peers.
    let again = link(&engine, &file, &servers).await.expect("link again");
    assert_eq!(again.applies, 0);
    assert_eq!(*servers.peers_files.lock().unwrap(), files);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_names_the_server_it_cannot_reach() {
    let fake = Fake::start(&common::spec_path("hetzner-cloud.openapi.json")).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_design(dir.path());
    let engine = engine(&fake.url());
    // SSH reaches nothing (no fake behind the shell).
    let unreachable = FakeServers::default();
    let error = link(&engine, &file, &unreachable)
        .await
        .expect_err("no server answers");
    let text = error.to_string();
    assert!(
        text.contains("No route to host") && (text.contains("web") || text.contains("db")),
        "{text}"
    );
}

/// `web` at Hetzner in Falkenstein talks privately to `db`, a self-hosted database on a
/// DigitalOcean droplet in Frankfurt: no private network spans two providers, so WireGuard does.
/// `cache` shares `db`'s provider and region (a VPC carries that, no tunnel).
const TWO_PROVIDERS: &str = r#"{
  "schema_version": 2,
  "id": "dsg_two_providers",
  "name": "Two providers",
  "assumptions": { "target_stage": "growth", "currency": "EUR" },
  "practices": { "config_in_git": true, "migration_in_progress": false },
  "groups": [],
  "components": [
    { "id": "cmp_users", "kind": "users", "name": "Users", "provider": "unassigned", "count": 1 },
    { "id": "cmp_web", "kind": "app_server", "name": "web", "provider": "hetzner", "region": "fsn1", "size": "cx22", "count": 1 },
    { "id": "cmp_db", "kind": "self_hosted_database", "name": "db", "provider": "digitalocean", "region": "fra1", "size": "s-2vcpu-4gb", "count": 1,
      "properties": { "engine": "postgresql" } },
    { "id": "cmp_cache", "kind": "worker", "name": "cache", "provider": "digitalocean", "region": "fra1", "size": "s-1vcpu-1gb", "count": 1 }
  ],
  "connections": [
    { "id": "con_users_web", "from": "cmp_users", "to": "cmp_web", "protocol": "https", "ports": [443], "network": "public" },
    { "id": "con_web_db", "from": "cmp_web", "to": "cmp_db", "protocol": "postgresql", "ports": [5432], "network": "private" },
    { "id": "con_cache_db", "from": "cmp_cache", "to": "cmp_db", "protocol": "postgresql", "ports": [5432], "network": "private" }
  ],
  "layout": { "nodes": {} }
}"#;

/// [`summary`] plus each firewall's reason, which is what the plan shows for it.
fn summary_with_reasons(mapping: &Mapping) -> String {
    let mut out = summary(mapping);
    out.push_str("\n\nfirewall reasons:");
    for r in &mapping.resources {
        if matches!(r.spec, ResourceSpec::Firewall { .. }) {
            out.push_str(&format!("\n{} ({:?}): {}", r.key, r.provider, r.reason));
        }
    }
    out
}

#[test]
fn a_hetzner_to_digitalocean_link_gets_a_tunnel() {
    let design = load_str(TWO_PROVIDERS, "two-providers.stagecraft.json")
        .expect("the fixture loads")
        .design;
    let links = wireguard::tunnel_links(&design);
    assert_eq!(
        links
            .iter()
            .map(|l| (l.connection.as_str(), l.reason.as_str()))
            .collect::<Vec<_>>(),
        [("con_web_db", "Hetzner → DigitalOcean")],
        "the cross-provider link is a tunnel; the same-provider, same-region one is not"
    );
    let before = map_design(&design, &MappingOptions::default());
    assert!(
        before.resources.iter().any(|r| r.key.0 == "cmp_db/server-0"
            && r.provider == stagecraft_model::Provider::Digitalocean),
        "the database is a droplet"
    );
    for key in ["cmp_web/server-0", "cmp_db/server-0"] {
        let ResourceSpec::Server { user_data, .. } = resource(&before, key) else {
            panic!()
        };
        assert!(
            user_data
                .as_deref()
                .is_some_and(|u| u.contains("wg-quick@wg0")),
            "{key} runs WireGuard: {user_data:?}"
        );
    }
    let ResourceSpec::Server { user_data, .. } = resource(&before, "cmp_cache/server-0") else {
        panic!()
    };
    assert!(user_data.is_none(), "cache has no tunnel: {user_data:?}");

    let endpoints: WireguardEndpoints = [
        (
            ResourceKey("cmp_web/server-0".into()),
            "198.51.100.10".into(),
        ),
        (ResourceKey("cmp_db/server-0".into()), "203.0.113.20".into()),
        (
            ResourceKey("cmp_cache/server-0".into()),
            "203.0.113.21".into(),
        ),
    ]
    .into();
    let after = map_design_with_endpoints(&design, &MappingOptions::default(), &endpoints);
    assert_eq!(
        wireguard_rule_sources(&after, "cmp_db/firewall"),
        vec![vec!["198.51.100.10/32".to_owned()]],
        "the droplet accepts WireGuard from the Hetzner server only"
    );
    assert_eq!(
        wireguard_rule_sources(&after, "cmp_web/firewall"),
        vec![vec!["203.0.113.20/32".to_owned()]],
        "the Hetzner server accepts WireGuard from the droplet only"
    );
    assert!(wireguard_rule_sources(&after, "cmp_cache/firewall").is_empty());
    let ResourceSpec::Firewall { rules, .. } = resource(&after, "cmp_db/firewall") else {
        panic!()
    };
    let postgres: Vec<&str> = rules
        .iter()
        .filter(|r| r.port.as_deref() == Some("5432"))
        .map(|r| r.description.as_str())
        .collect();
    assert_eq!(
        postgres,
        ["from cache over the private network"],
        "web's traffic comes through the tunnel, not the VPC; only cache needs the VPC rule"
    );
    insta::assert_snapshot!(
        "hetzner_digitalocean_mapping",
        format!(
            "before the servers exist:\n{}\n\nonce their addresses are known:\n{}",
            summary_with_reasons(&before),
            summary_with_reasons(&after)
        )
    );
}

#[test]
fn digitalocean_droplets_report_their_public_address() {
    use stagecraft_cloud::digitalocean::{design_tag, key_tag, observed, DoCollection};
    let design = load_str(TWO_PROVIDERS, "two-providers.stagecraft.json")
        .unwrap()
        .design;
    let key = ResourceKey("cmp_db/server-0".into());
    // A droplet as DigitalOcean's API shows it: private and public IPv4 interfaces.
    let droplet = json!({
        "id": 3164444, "name": "db-0-two-providers", "status": "active", "size_slug": "s-2vcpu-4gb",
        "region": { "slug": "fra1" },
        "tags": [design_tag(&design.id), key_tag(&key)],
        "networks": { "v4": [
            { "ip_address": "10.96.1.5", "netmask": "255.255.255.0", "gateway": "", "type": "private" },
            { "ip_address": "203.0.113.20", "netmask": "255.255.240.0", "gateway": "203.0.113.1", "type": "public" }
        ], "v6": [] }
    });
    let found = observed(DoCollection::Droplets, &droplet, &design.id).expect("ours");
    assert_eq!(found.key, key);
    assert_eq!(
        wireguard::endpoints(&[found]).get(&key).map(String::as_str),
        Some("203.0.113.20"),
        "the public address, not the private one"
    );
}

/// The two-region design without its drawn SSH firewall: only the admin address opens SSH.
fn two_regions_without_admin_firewall() -> Design {
    let mut design = design();
    design.components.retain(|c| c.id.as_str() != "cmp_admin");
    design
}

fn ssh_sources(mapping: &Mapping, firewall: &str) -> Vec<Vec<String>> {
    let ResourceSpec::Firewall { rules, .. } = resource(mapping, firewall) else {
        panic!("{firewall} is a firewall")
    };
    rules
        .iter()
        .filter(|r| r.port.as_deref() == Some("22"))
        .map(|r| r.addresses.clone())
        .collect()
}

#[test]
fn the_admin_address_opens_ssh_on_tunnel_servers_only() {
    let design = two_regions_without_admin_firewall();
    let closed = map_design(&design, &MappingOptions::default());
    for firewall in ["cmp_web/firewall", "cmp_db/firewall", "cmp_worker/firewall"] {
        assert!(
            ssh_sources(&closed, firewall).is_empty(),
            "{firewall}: derived firewalls deny SSH"
        );
    }
    let options = MappingOptions {
        admin_cidr: Some(wireguard::parse_admin_cidr("198.51.100.7").unwrap()),
        ..MappingOptions::default()
    };
    let open = map_design(&design, &options);
    for firewall in ["cmp_web/firewall", "cmp_db/firewall"] {
        assert_eq!(
            ssh_sources(&open, firewall),
            vec![vec!["198.51.100.7/32".to_owned()]],
            "{firewall}: SSH from the admin address only"
        );
        let reason = &open
            .resources
            .iter()
            .find(|r| r.key.0 == firewall)
            .unwrap()
            .reason;
        assert!(
            reason.contains("22/tcp from 198.51.100.7/32 (admin address, for link)"),
            "the plan says why SSH is open: {reason}"
        );
    }
    assert!(
        ssh_sources(&open, "cmp_worker/firewall").is_empty(),
        "the worker has no tunnel, so link never logs in there"
    );
    // Only firewalls change: no server is replaced to open SSH.
    for (a, b) in closed.resources.iter().zip(&open.resources) {
        if !matches!(a.spec, ResourceSpec::Firewall { .. }) {
            assert_eq!(a.spec, b.spec, "{} must not change", a.key);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_shows_ssh_opening_for_the_admin_address_and_link_reaches_the_servers() {
    let fake = Fake::start(&common::spec_path("hetzner-cloud.openapi.json")).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two-regions.stagecraft.json");
    save_file(&file, &two_regions_without_admin_firewall()).unwrap();
    let closed = engine(&fake.url());
    let report = closed.apply(&file).await.expect("apply");
    assert!(report.succeeded());

    let mut config = ClientConfig::new(fake.url());
    config.poll_interval = Duration::from_millis(10);
    let options = EngineOptions {
        mapping: MappingOptions {
            admin_cidr: Some("198.51.100.7/32".into()),
            ..MappingOptions::default()
        },
        ..Default::default()
    };
    let client = HetznerClient::new(config, Secret::new("hz-wireguard-token")).unwrap();
    let open = Engine::new(options)
        .with_driver(Arc::new(HetznerDriver::new(client)))
        .with_prices(stagecraft_pricing::StoredPrices::embedded_only());
    let plan = open.plan(&file).await.unwrap();
    let ssh_changes: Vec<(String, String)> = plan
        .changes
        .iter()
        .filter(|c| {
            c.reasons
                .iter()
                .any(|r| r.contains("22/tcp from 198.51.100.7/32"))
        })
        .map(|c| (c.key.0.clone(), c.reasons.join("; ")))
        .collect();
    assert_eq!(
        ssh_changes
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>(),
        ["cmp_db/firewall", "cmp_web/firewall"],
        "the plan shows SSH opening on the tunnel servers: {:#?}",
        plan.changes
    );
    assert!(
        ssh_changes[0].1.starts_with("firewall rules changed: "),
        "{ssh_changes:?}"
    );

    let servers = FakeServers {
        fake: Some(fake.clone()),
        ..Default::default()
    };
    let steps = Mutex::new(Vec::new());
    let linked = wireguard::link_with_progress(&open, &file, &servers, &|p| {
        steps.lock().unwrap().push((p.name.clone(), p.step));
    })
    .await
    .expect("link");
    assert_eq!(linked.servers.len(), 2);
    for component in ["cmp_web", "cmp_db"] {
        let rules = firewall_of(&fake, component)["rules"].clone();
        assert!(
            rules
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["port"] == json!("22")
                    && r["protocol"] == json!("tcp")
                    && r["source_ips"] == json!(["198.51.100.7/32"])),
            "{component} lets the admin address in over SSH: {rules:#}"
        );
    }
    let steps = steps.into_inner().unwrap();
    use wireguard::LinkStep::*;
    for step in [ReadingKey, KeyRead, WritingPeers, Linked] {
        assert_eq!(
            steps.iter().filter(|(_, s)| *s == step).count(),
            2,
            "{step:?} once per server: {steps:?}"
        );
    }
    assert!(
        steps.iter().position(|(_, s)| *s == WritingPeers)
            > steps.iter().rposition(|(_, s)| *s == KeyRead),
        "peers are written once every key is known: {steps:?}"
    );
}

/// The droplet's public IPv4 as the API lists it in `networks.v4`.
fn droplet_public_ip(droplet: &Value) -> Option<String> {
    droplet["networks"]["v4"].as_array()?.iter().find_map(|n| {
        (n["type"] == "public")
            .then(|| n["ip_address"].as_str().map(str::to_owned))
            .flatten()
    })
}

fn retry_config(url: &str) -> ClientConfig {
    let mut config = ClientConfig::new(url);
    config.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(1),
        request_timeout: Duration::from_secs(5),
    };
    config.poll_interval = Duration::from_millis(10);
    config
}

/// One engine driving both providers, each through its own fake.
fn two_provider_engine(hetzner_url: &str, digitalocean_url: &str) -> Engine {
    let options = EngineOptions {
        mapping: MappingOptions {
            ssh_public_key: Some("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGj0YkD2x7tTqv0mUc1H0f5i8mLQ1a2b3c4d5e6f7g8h me@laptop".into()),
            admin_cidr: Some("198.51.100.7/32".into()),
        },
        ..Default::default()
    };
    let hetzner =
        HetznerClient::new(retry_config(hetzner_url), Secret::new("hz-wireguard-token")).unwrap();
    let digitalocean = DigitalOceanClient::new(
        retry_config(digitalocean_url),
        Secret::new("do-wireguard-token"),
    )
    .unwrap();
    Engine::new(options)
        .with_driver(Arc::new(HetznerDriver::new(hetzner)))
        .with_driver(Arc::new(DigitalOceanDriver::new(digitalocean)))
        .with_prices(stagecraft_pricing::StoredPrices::embedded_only())
}

fn droplet_of(fake: &DoFake, component: &str) -> Value {
    let tag =
        stagecraft_cloud::digitalocean::key_tag(&ResourceKey(format!("{component}/server-0")));
    fake.all()
        .into_iter()
        .find(|(c, o)| {
            c == "droplets"
                && o["tags"]
                    .as_array()
                    .is_some_and(|t| t.contains(&json!(tag)))
        })
        .unwrap_or_else(|| panic!("no droplet of {component}"))
        .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_exchanges_public_keys_between_hetzner_and_digitalocean() {
    let hetzner = Fake::start(&common::spec_path("hetzner-cloud.openapi.json")).await;
    let digitalocean = DoFake::start(&common::spec_path("digitalocean.openapi.json")).await;
    let hetzner_proxy = common::prism_proxy("hetzner-cloud.openapi.json", &hetzner.url());
    let digitalocean_proxy = common::prism_proxy("digitalocean.openapi.json", &digitalocean.url());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two-providers.stagecraft.json");
    let design = load_str(TWO_PROVIDERS, "two-providers.stagecraft.json")
        .unwrap()
        .design;
    save_file(&file, &design).unwrap();
    let engine = two_provider_engine(&hetzner_proxy.url(), &digitalocean_proxy.url());
    let servers = FakeServers {
        fake: Some(hetzner.clone()),
        do_fake: Some(digitalocean.clone()),
        ..Default::default()
    };

    let report = link(&engine, &file, &servers).await.expect("link");
    assert_eq!(
        report.applies, 2,
        "the first apply creates the servers, the second opens each WireGuard port to the peer"
    );
    let web_ip = ip_of(&hetzner, "cmp_web");
    let db = droplet_of(&digitalocean, "cmp_db");
    let db_ip = droplet_public_ip(&db).expect("the droplet has a public address");
    let db_private = db["networks"]["v4"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "private")
        .and_then(|n| n["ip_address"].as_str())
        .expect("and a private one")
        .to_owned();
    assert_ne!(db_private, db_ip);

    // Hetzner's firewall takes WireGuard from the droplet's public address only ...
    let rules = firewall_of_design(&hetzner, "cmp_web", "dsg_two_providers")["rules"].clone();
    let wireguard: Vec<&Value> = rules
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["port"] == json!("51820"))
        .collect();
    assert_eq!(wireguard.len(), 1, "{rules:#}");
    assert_eq!(wireguard[0]["source_ips"], json!([format!("{db_ip}/32")]));
    // ... and DigitalOcean's takes it from the Hetzner server's only.
    let do_firewall = digitalocean
        .all()
        .into_iter()
        .map(|(_, o)| o)
        .filter(|o| o["inbound_rules"].is_array())
        .find(|o| {
            o["inbound_rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["ports"] == json!("51820"))
        })
        .expect("a DigitalOcean firewall opens WireGuard");
    let wireguard: Vec<&Value> = do_firewall["inbound_rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ports"] == json!("51820"))
        .collect();
    assert_eq!(wireguard.len(), 1, "{do_firewall:#}");
    assert_eq!(wireguard[0]["protocol"], json!("udp"));
    assert_eq!(
        wireguard[0]["sources"]["addresses"],
        json!([format!("{web_ip}/32")]),
        "{do_firewall:#}"
    );

    // Each end got the other's key, public endpoint and tunnel address; SSH went to the
    // droplet's public address, never its private one.
    let addresses = wireguard::tunnel_addresses(&design);
    let keys = servers.public_keys.lock().unwrap().clone();
    let files = servers.peers_files.lock().unwrap().clone();
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        {
            let mut both = vec![&db_ip, &web_ip];
            both.sort();
            both
        },
        "both ends were configured at their public addresses: {files:#?}"
    );
    for (me, peer, peer_component) in [(&web_ip, &db_ip, "cmp_db"), (&db_ip, &web_ip, "cmp_web")] {
        let file = &files[me];
        assert!(
            file.contains(&format!("PublicKey = {}", keys[peer])),
            "{file}"
        );
        assert!(file.contains(&format!("Endpoint = {peer}:51820")), "{file}");
        let tunnel = &addresses[&ResourceKey(format!("{peer_component}/server-0"))];
        assert!(
            file.contains(&format!("AllowedIPs = {tunnel}/32")),
            "{file}"
        );
    }
    assert!(
        !servers
            .commands
            .lock()
            .unwrap()
            .iter()
            .any(|(address, _, _)| address == &db_private),
        "nothing reaches for the droplet's private address"
    );
    // Settled: nothing more to do on either provider.
    assert!(engine.plan(&file).await.unwrap().is_empty());
}

/// A shell whose first command cancels the run and then never answers, as a server that hangs
/// while the user presses Cancel.
struct CancelsOnFirstCommand {
    cancel: tokio_util::sync::CancellationToken,
    commands: Mutex<Vec<(String, String)>>,
}

impl RemoteShell for CancelsOnFirstCommand {
    fn run<'a>(
        &'a self,
        address: &'a str,
        command: &'a str,
        _input: &'a str,
    ) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            self.commands
                .lock()
                .unwrap()
                .push((address.into(), command.into()));
            self.cancel.cancel();
            std::future::pending().await
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_stops_the_ssh_steps_between_servers() {
    let fake = Fake::start(&common::spec_path("hetzner-cloud.openapi.json")).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_design(dir.path());
    let engine = engine(&fake.url());
    let shell = CancelsOnFirstCommand {
        cancel: tokio_util::sync::CancellationToken::new(),
        commands: Mutex::default(),
    };
    let steps = Mutex::new(Vec::new());
    let error = tokio::time::timeout(
        Duration::from_secs(20),
        wireguard::link_cancellable(
            &engine,
            &file,
            &shell,
            &|p| steps.lock().unwrap().push((p.name.clone(), p.step)),
            &shell.cancel,
        ),
    )
    .await
    .expect("a cancelled link returns instead of waiting on the server")
    .expect_err("cancelled");
    let stagecraft_cloud::wireguard::LinkError::Engine(stagecraft_cloud::EngineError::Provider(
        provider_error,
    )) = &error
    else {
        panic!("a cancelled link is a provider cancellation, as a cancelled apply is: {error:?}");
    };
    assert_eq!(
        provider_error.kind,
        stagecraft_cloud::ProviderErrorKind::Cancelled
    );
    assert!(
        error.to_string().contains("link cancelled before"),
        "{error}"
    );
    let commands = shell.commands.into_inner().unwrap();
    assert_eq!(
        commands.len(),
        1,
        "no server is reached after the cancel: {commands:?}"
    );
    let steps = steps.into_inner().unwrap();
    assert_eq!(
        steps.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        [wireguard::LinkStep::ReadingKey],
        "{steps:?}"
    );
}
