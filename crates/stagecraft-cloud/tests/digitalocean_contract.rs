//! Contract: every request kind the DigitalOcean client sends, checked by `prism mock --errors`
//! against DigitalOcean's own OpenAPI description (any violation becomes an error answer):
//! reads, creates, changes in place, actions, tags and deletes, with the bodies the driver sends.

mod common;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use stagecraft_cloud::digitalocean::{
    borrowed_key_tag, database_body, database_firewall_body, database_resize_body, droplet_body,
    firewall_body, firewall_tag, load_balancer_body, rename_body, spec_tag, ssh_key_body,
    volume_action_body, volume_body, vpc_body, vpc_update_body, DatabaseSettings,
    DigitalOceanClient, DoCollection, Ownership,
};
use stagecraft_cloud::resources::{FirewallRuleSpec, LbServiceSpec, ResourceKey};
use stagecraft_cloud::{ClientConfig, ProviderErrorKind, RetryPolicy, Secret};
use stagecraft_model::{DesignId, Direction, Engine, FirewallProtocol, Protocol};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_digitalocean_request_matches_the_openapi_spec() {
    let prism = common::prism_mock("digitalocean.openapi.json");
    // Between the client and Prism: records every violation, warnings included.
    let recorder = common::record_violations(&prism.url()).await;
    let mut config = ClientConfig::new(recorder.url.clone());
    config.retry = RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(10),
        request_timeout: Duration::from_secs(30),
    };
    let client = DigitalOceanClient::new(config, Secret::new("contract-test-token")).unwrap();
    let design = DesignId::parse("dsg_contract").unwrap();
    let key = |s: &str| ResourceKey(s.into());

    client.verify().await.expect("GET /v2/account");
    for collection in DoCollection::ALL {
        client
            .list(collection, None)
            .await
            .unwrap_or_else(|e| panic!("list {collection:?}: {e}"));
        client
            .list(collection, Some("stagecraft-design:dsg_contract"))
            .await
            .unwrap_or_else(|e| panic!("list {collection:?} by tag: {e}"));
        let id = match collection {
            DoCollection::Droplets | DoCollection::SshKeys => "3164444",
            _ => "4de7ac8b-495b-4884-9a69-1050c6793cd6",
        };
        client
            .get(collection, id)
            .await
            .unwrap_or_else(|e| panic!("get {collection:?}: {e}"));
        client
            .delete(collection, id)
            .await
            .unwrap_or_else(|e| panic!("delete {collection:?}: {e}"));
    }

    let rules = vec![
        FirewallRuleSpec {
            direction: Direction::Inbound,
            protocol: FirewallProtocol::Tcp,
            port: Some("443".into()),
            addresses: vec!["0.0.0.0/0".into(), "::/0".into()],
            description: "users".into(),
        },
        FirewallRuleSpec {
            direction: Direction::Outbound,
            protocol: FirewallProtocol::Icmp,
            port: None,
            addresses: vec!["0.0.0.0/0".into()],
            description: String::new(),
        },
    ];
    let services = vec![LbServiceSpec {
        protocol: Protocol::Http,
        listen_port: 80,
        destination_port: 8080,
        health_path: Some("/health".into()),
    }];
    let vpc = "4de7ac8b-495b-4884-9a69-1050c6793cd6";
    let owner = |k: &'static str| Ownership {
        design: &design,
        key: Box::leak(Box::new(key(k))),
        fingerprint: "0123456789abcdef".into(),
    };
    let settings = DatabaseSettings {
        version: Some("17".into()),
        storage_gb: Some(100),
        network: Some(key("grp_net/network")),
    };
    let bodies = [
        (
            DoCollection::SshKeys,
            ssh_key_body(
                &owner("design/ssh-key-digitalocean"),
                "stagecraft-key",
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE test",
            ),
        ),
        (
            DoCollection::Vpcs,
            vpc_body(&owner("grp_net/network"), "net", "fra1", "10.10.0.0/16"),
        ),
        (
            DoCollection::Droplets,
            droplet_body(
                &owner("cmp_app/server-0"),
                "app-0",
                "fra1",
                "s-1vcpu-1gb",
                "ubuntu-24-04-x64",
                &[289794],
                Some("#cloud-config\n"),
                Some(vpc),
                &[firewall_tag(&design, &key("cmp_app/firewall"))],
            ),
        ),
        (
            DoCollection::Firewalls,
            firewall_body(&owner("cmp_app/firewall"), "app-fw", &rules),
        ),
        (
            DoCollection::LoadBalancers,
            load_balancer_body(
                &owner("cmp_lb/load-balancer"),
                "lb",
                "fra1",
                "lb-2",
                &services,
                Some(vpc),
            ),
        ),
        (
            DoCollection::Volumes,
            volume_body(&owner("cmp_vol/volume"), "data", "fra1", 20),
        ),
        (
            DoCollection::Databases,
            database_body(
                &owner("cmp_db/database"),
                "db",
                Engine::Postgresql,
                "db-s-1vcpu-1gb",
                "fra1",
                2,
                &settings,
                Some(vpc),
            ),
        ),
    ];
    for (collection, body) in &bodies {
        client
            .create(*collection, body)
            .await
            .unwrap_or_else(|e| panic!("create {collection:?} with {body}: {e}"));
    }

    // Changes in place: the same bodies the driver sends.
    let uuid = "4de7ac8b-495b-4884-9a69-1050c6793cd6";
    let ssh_name = &bodies[0].1["name"];
    client
        .update(
            Method::PUT,
            DoCollection::SshKeys,
            "512189",
            &json!({ "name": ssh_name }),
        )
        .await
        .expect("PUT /v2/account/keys/{id}");
    client
        .update(
            Method::PATCH,
            DoCollection::Vpcs,
            uuid,
            &vpc_update_body(&owner("grp_net/network"), "net"),
        )
        .await
        .expect("PATCH /v2/vpcs/{id}");
    client
        .update(Method::PUT, DoCollection::Firewalls, uuid, &bodies[3].1)
        .await
        .expect("PUT /v2/firewalls/{id}");
    client
        .update(Method::PUT, DoCollection::LoadBalancers, uuid, &bodies[4].1)
        .await
        .expect("PUT /v2/load_balancers/{id}");
    client
        .action(DoCollection::Droplets, "3164444", &rename_body("app-0"))
        .await
        .expect("POST /v2/droplets/{id}/actions rename");
    for attach in [true, false] {
        client
            .action(
                DoCollection::Volumes,
                uuid,
                &volume_action_body(attach, 3164444, "fra1"),
            )
            .await
            .unwrap_or_else(|e| panic!("POST /v2/volumes/{{id}}/actions attach={attach}: {e}"));
    }
    let tag = spec_tag("0123456789abcdef");
    client.create_tag(&tag).await.expect("POST /v2/tags");
    client
        .create_tag(&borrowed_key_tag(
            &design,
            &key("design/ssh-key-digitalocean"),
            "512189",
            "0123456789abcdef",
            "stagecraft-key-contract",
        ))
        .await
        .expect("POST /v2/tags (a borrowed key's tag)");
    client.tag_names().await.expect("GET /v2/tags");
    client.tag_count(&tag).await.expect("GET /v2/tags/{tag}");
    client
        .delete_tag(&tag)
        .await
        .expect("DELETE /v2/tags/{tag}");
    for method in [Method::POST, Method::DELETE] {
        for resource_type in ["droplet", "volume"] {
            client
                .tag_resources(method.clone(), &tag, resource_type, &["3164444".into()])
                .await
                .unwrap_or_else(|e| {
                    panic!("{method} /v2/tags/{{tag}}/resources {resource_type}: {e}")
                });
        }
    }
    client
        .set_database_firewall(uuid, &database_firewall_body(&design))
        .await
        .expect("PUT /v2/databases/{id}/firewall");
    client
        .resize_database(uuid, &database_resize_body("db-s-2vcpu-4gb", 3))
        .await
        .expect("PUT /v2/databases/{id}/resize");
    client
        .action_status(36804636)
        .await
        .expect("GET /v2/actions/{id}");

    assert_eq!(
        bodies[6].1["storage_size_mib"],
        json!(100 * 1024),
        "storage_gb is sent"
    );
    recorder.assert_none();

    // The checker itself: a body that breaks the spec is refused, so the passes above mean
    // something, and its violations reach the record.
    let broken = json!({ "name": "fw", "inbound_rules": [{ "protocol": "sctp", "ports": "1", "sources": {} }] });
    let refused = client
        .create(DoCollection::Firewalls, &broken)
        .await
        .expect_err("Prism refuses a firewall rule with an unknown protocol");
    assert_eq!(refused.kind, ProviderErrorKind::InvalidRequest, "{refused}");
    assert!(
        recorder
            .violations
            .lock()
            .unwrap()
            .iter()
            .any(|v| v.starts_with("POST /v2/firewalls") && v.contains("\"severity\"")),
        "the record holds Prism's sl-violations header"
    );

    let anonymous =
        DigitalOceanClient::new(ClientConfig::new(prism.url()), Secret::new("")).unwrap();
    let refused = anonymous.verify().await.expect_err("no token, no access");
    assert_eq!(refused.kind, ProviderErrorKind::Unauthorized, "{refused}");
}
