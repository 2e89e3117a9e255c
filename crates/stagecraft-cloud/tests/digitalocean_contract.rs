//! Contract: every request kind the DigitalOcean client sends, checked by `prism mock --errors`
//! against DigitalOcean's own OpenAPI description (any violation becomes an error answer).

mod common;

use std::time::Duration;

use stagecraft_cloud::digitalocean::{
    database_body, droplet_body, firewall_body, load_balancer_body, ssh_key_body, volume_body,
    vpc_body, DigitalOceanClient, DoCollection,
};
use stagecraft_cloud::resources::{FirewallRuleSpec, LbServiceSpec, ResourceKey};
use stagecraft_cloud::{ClientConfig, ProviderErrorKind, RetryPolicy, Secret};
use stagecraft_model::{DesignId, Direction, FirewallProtocol, Protocol};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_digitalocean_request_matches_the_openapi_spec() {
    let prism = common::prism_mock("digitalocean.openapi.json");
    let mut config = ClientConfig::new(prism.url());
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
    let bodies = [
        (
            DoCollection::SshKeys,
            ssh_key_body(
                "stagecraft-key",
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE test",
            ),
        ),
        (
            DoCollection::Vpcs,
            vpc_body(
                &design,
                &key("grp_net/network"),
                "net",
                "fra1",
                "10.10.0.0/16",
            ),
        ),
        (
            DoCollection::Droplets,
            droplet_body(
                &design,
                &key("cmp_app/server-0"),
                "app-0",
                "fra1",
                "s-1vcpu-1gb",
                "ubuntu-24-04-x64",
                &["289794".into()],
                Some("#cloud-config\n"),
                Some(vpc),
                &["stagecraft-fw:cmp_app".into()],
            ),
        ),
        (
            DoCollection::Firewalls,
            firewall_body("app-fw", &rules, "stagecraft-fw:cmp_app"),
        ),
        (
            DoCollection::LoadBalancers,
            load_balancer_body("lb", "fra1", &services, "stagecraft-key:cmp_app", Some(vpc)),
        ),
        (
            DoCollection::Volumes,
            volume_body(&design, &key("cmp_vol/volume"), "data", "fra1", 20),
        ),
        (
            DoCollection::Databases,
            database_body(
                &design,
                &key("cmp_db/database"),
                "db",
                "pg",
                Some("16"),
                "db-s-1vcpu-1gb",
                "fra1",
                1,
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
    // The deduplicating create sends a tag lookup, then the create.
    client
        .create_deduplicated(
            DoCollection::Droplets,
            &key("cmp_app/server-1"),
            &bodies[2].1,
        )
        .await
        .expect("dedup create");
    client
        .action_status(36804636)
        .await
        .expect("GET /v2/actions/{id}");

    let anonymous =
        DigitalOceanClient::new(ClientConfig::new(prism.url()), Secret::new("")).unwrap();
    let refused = anonymous.verify().await.expect_err("no token, no access");
    assert_eq!(refused.kind, ProviderErrorKind::Unauthorized, "{refused}");
}
