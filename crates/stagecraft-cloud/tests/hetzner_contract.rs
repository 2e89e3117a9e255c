//! Contract: every request kind the Hetzner client sends, checked by `prism mock --errors`
//! against Hetzner's own OpenAPI description. Any violation comes back as an error answer, which
//! the client turns into an `Err`, so every call below must succeed.

mod common;

use std::time::Duration;

use serde_json::json;
use stagecraft_cloud::engine::ResolvedIds;
use stagecraft_cloud::hetzner::{
    balancer_actions, borrow_label, create_body, service_body, Collection, HetznerClient,
};
use stagecraft_cloud::resources::{
    DesiredResource, FirewallRuleSpec, LbServiceSpec, ResourceKey, ResourceSpec,
};
use stagecraft_cloud::{ClientConfig, ProviderErrorKind, RetryPolicy, Secret};
use stagecraft_model::{DesignId, Direction, FirewallProtocol, Protocol, Provider};

fn resource(key: &str, spec: ResourceSpec) -> DesiredResource {
    let key = ResourceKey(key.into());
    DesiredResource {
        name: key.local().to_owned(),
        key,
        provider: Provider::Hetzner,
        component: Some("cmp_app".into()),
        spec,
        reason: String::new(),
    }
}

fn every_spec() -> Vec<DesiredResource> {
    let k = |s: &str| ResourceKey(s.into());
    vec![
        resource(
            "design/ssh-key",
            ResourceSpec::SshKey {
                public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE test".into(),
            },
        ),
        resource(
            "grp_net/network",
            ResourceSpec::Network {
                ip_range: "10.0.0.0/16".into(),
                subnet: "10.0.1.0/24".into(),
                region: "fsn1".into(),
            },
        ),
        resource(
            "cmp_app/firewall",
            ResourceSpec::Firewall {
                rules: vec![
                    FirewallRuleSpec {
                        direction: Direction::Inbound,
                        protocol: FirewallProtocol::Tcp,
                        port: Some("443".into()),
                        addresses: vec!["0.0.0.0/0".into(), "::/0".into()],
                        description: "from users".into(),
                    },
                    FirewallRuleSpec {
                        direction: Direction::Outbound,
                        protocol: FirewallProtocol::Icmp,
                        port: None,
                        addresses: vec!["0.0.0.0/0".into()],
                        description: String::new(),
                    },
                ],
                network: None,
            },
        ),
        resource("cmp_app/placement", ResourceSpec::PlacementGroup),
        resource(
            "cmp_app/ip-0",
            ResourceSpec::PrimaryIp {
                region: "fsn1".into(),
            },
        ),
        resource(
            "cmp_app/server-0",
            ResourceSpec::Server {
                size: "cx22".into(),
                region: "fsn1".into(),
                image: "ubuntu-24.04".into(),
                user_data: Some("#cloud-config\npackages: [docker.io]\n".into()),
                networks: vec![k("grp_net/network")],
                firewalls: vec![k("cmp_app/firewall")],
                placement_group: Some(k("cmp_app/placement")),
                primary_ip: Some(k("cmp_app/ip-0")),
                ssh_keys: vec![k("design/ssh-key")],
            },
        ),
        resource(
            "cmp_vol/volume",
            ResourceSpec::Volume {
                size_gb: 20,
                region: "fsn1".into(),
                server: Some(k("cmp_app/server-0")),
            },
        ),
        resource(
            "cmp_vol2/volume",
            ResourceSpec::Volume {
                size_gb: 10,
                region: "fsn1".into(),
                server: None,
            },
        ),
        resource(
            "cmp_lb/load-balancer",
            ResourceSpec::LoadBalancer {
                size: "lb11".into(),
                region: "fsn1".into(),
                network: Some(k("grp_net/network")),
                services: vec![
                    LbServiceSpec {
                        protocol: Protocol::Http,
                        listen_port: 80,
                        destination_port: 80,
                        health_path: Some("/health".into()),
                    },
                    LbServiceSpec {
                        protocol: Protocol::Tcp,
                        listen_port: 443,
                        destination_port: 443,
                        health_path: None,
                    },
                ],
                targets: vec![k("cmp_app/server-0")],
                round_robin: false,
            },
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hetzner_request_matches_the_openapi_spec() {
    let prism = common::prism_mock("hetzner-cloud.openapi.json");
    // Between the client and Prism: records every violation, warnings included.
    let recorder = common::record_violations(&prism.url()).await;
    let mut config = ClientConfig::new(recorder.url.clone());
    config.retry = RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(10),
        request_timeout: Duration::from_secs(20),
    };
    let client = HetznerClient::new(config, Secret::new("contract-test-token")).unwrap();
    let design = DesignId::parse("dsg_contract").unwrap();

    client.verify().await.expect("GET /locations");
    let selector = stagecraft_cloud::hetzner::design_selector(&design);
    for collection in Collection::ALL {
        client
            .list(collection, Some(&selector))
            .await
            .unwrap_or_else(|e| panic!("list {collection:?}: {e}"));
        client
            .list(collection, None)
            .await
            .unwrap_or_else(|e| panic!("list {collection:?} without selector: {e}"));
        client
            .get(collection, 42)
            .await
            .unwrap_or_else(|e| panic!("get {collection:?}: {e}"));
        client
            .update(collection, 42, &json!({ "name": "renamed", "labels": { "managed-by": "stagecraft", "stagecraft-design": "dsg_contract" } }))
            .await
            .unwrap_or_else(|e| panic!("update {collection:?}: {e}"));
        client
            .delete(collection, 42)
            .await
            .unwrap_or_else(|e| panic!("delete {collection:?}: {e}"));
    }

    let ids: ResolvedIds = every_spec()
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key.clone(), (100 + i).to_string()))
        .collect();
    for desired in every_spec() {
        let collection = Collection::of(desired.spec.kind());
        let body = create_body(&design, &desired, &ids).expect("references resolve");
        client
            .create(collection, &body)
            .await
            .unwrap_or_else(|e| panic!("create {} with {body}: {e}", desired.key));
    }

    let rules = json!({ "rules": [{ "direction": "in", "protocol": "tcp", "port": "22", "source_ips": ["10.0.0.0/16"], "description": "ssh" }] });
    client
        .action(Collection::Firewalls, 42, "set_rules", &rules)
        .await
        .expect("POST set_rules");
    client.action_status(42).await.expect("GET /actions/{id}");

    // Every action that changes a load balancer in place, from one with nothing set.
    let balancer = every_spec().pop().unwrap();
    let nothing = json!({ "services": [{ "listen_port": 8443, "protocol": "tcp", "destination_port": 1, "proxyprotocol": false, "health_check": {} }], "targets": [{ "type": "server", "server": { "id": 7 } }] });
    let actions = balancer_actions(&nothing, &balancer.spec, |k| {
        ids.get(k)
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| k.to_string())
    })
    .unwrap();
    let names: Vec<&str> = actions.iter().map(|(name, _)| *name).collect();
    for name in [
        "change_type",
        "change_algorithm",
        "attach_to_network",
        "add_service",
        "delete_service",
        "add_target",
        "remove_target",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    for (name, body) in &actions {
        client
            .action(Collection::LoadBalancers, 42, name, body)
            .await
            .unwrap_or_else(|e| panic!("POST /load_balancers/{{id}}/actions/{name} {body}: {e}"));
    }
    let update = service_body(&LbServiceSpec {
        protocol: Protocol::Http,
        listen_port: 80,
        destination_port: 8080,
        health_path: Some("/up".into()),
    });
    client
        .action(Collection::LoadBalancers, 42, "update_service", &update)
        .await
        .expect("POST update_service");
    // A borrowed key: only its labels change.
    let label = borrow_label(&design);
    client
        .update(
            Collection::SshKeys,
            42,
            &json!({ "labels": { "team": "ops", label.clone(): "design.ssh-key-hetzner", format!("{label}-spec"): "0123456789abcdef", format!("{label}-name"): "stagecraft-key-x" } }),
        )
        .await
        .expect("PUT /ssh_keys/{id} labels");
    client
        .list(Collection::SshKeys, Some(&label))
        .await
        .expect("GET /ssh_keys by a label's presence");
    recorder.assert_none();

    // Without a token Prism answers 401, as Hetzner does: the client must say so.
    let anonymous = HetznerClient::new(ClientConfig::new(prism.url()), Secret::new("")).unwrap();
    let refused = anonymous.verify().await.expect_err("no token, no access");
    assert_eq!(refused.kind, ProviderErrorKind::Unauthorized, "{refused}");

    // A body that breaks the spec: Prism answers 422, here without an sl-violations header
    // (seen with this spec and Prism 5.14.2); the DigitalOcean contract test shows the record
    // catching the header.
    let refused = client
        .create(Collection::Firewalls, &json!({ "name": 7 }))
        .await
        .expect_err("Prism refuses a firewall named by a number");
    assert_eq!(refused.kind, ProviderErrorKind::InvalidRequest, "{refused}");
}
