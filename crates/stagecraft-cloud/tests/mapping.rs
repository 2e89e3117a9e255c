//! The mapping from designs to provider resources: the networking practice (default deny, only
//! needed ports, private networks, Compose on an MVP server) and the plan people see, snapshotted.

use stagecraft_cloud::engine::ObservedResource;
use stagecraft_cloud::plan::diff;
use stagecraft_cloud::resources::{
    map_design, MappingOptions, ResourceKey, ResourceKind, ResourceSpec,
};
use stagecraft_cloud::ChangeAction;
use stagecraft_model::{template_by_slug, Direction, FirewallProtocol, Provider};

fn mapping(slug: &str) -> stagecraft_cloud::resources::Mapping {
    map_design(
        &template_by_slug(slug).unwrap().design().unwrap(),
        &MappingOptions::default(),
    )
}

fn spec<'a>(mapping: &'a stagecraft_cloud::resources::Mapping, key: &str) -> &'a ResourceSpec {
    &mapping
        .resources
        .iter()
        .find(|r| r.key.0 == key)
        .unwrap_or_else(|| {
            panic!(
                "no {key} in {:#?}",
                mapping.resources.iter().map(|r| &r.key).collect::<Vec<_>>()
            )
        })
        .spec
}

#[test]
fn mvp_server_opens_only_https_and_runs_compose() {
    let mapping = mapping("mvp");
    let ResourceSpec::Firewall { rules, .. } = spec(&mapping, "cmp_app/firewall") else {
        panic!("a firewall")
    };
    assert_eq!(
        rules.len(),
        1,
        "only the port a connection needs: {rules:#?}"
    );
    assert_eq!(rules[0].direction, Direction::Inbound);
    assert_eq!(rules[0].protocol, FirewallProtocol::Tcp);
    assert_eq!(rules[0].port.as_deref(), Some("443"));
    let ResourceSpec::Server {
        user_data,
        firewalls,
        networks,
        ..
    } = spec(&mapping, "cmp_app/server-0")
    else {
        panic!("a server")
    };
    let user_data = user_data
        .as_deref()
        .expect("an MVP app server gets cloud-init");
    assert!(user_data.starts_with("#cloud-config\n"));
    assert!(
        user_data.contains("docker compose -f /opt/stagecraft/compose.yaml up -d")
            || user_data.contains("[docker, compose, -f, /opt/stagecraft/compose.yaml, up, -d]"),
        "{user_data}"
    );
    assert!(firewalls.contains(&ResourceKey("cmp_app/firewall".into())));
    assert!(
        networks.is_empty(),
        "a single server needs no private network"
    );
    // Object storage and DNS have no Hetzner Cloud API: said, not silently dropped.
    assert!(mapping
        .not_provisioned
        .iter()
        .any(|n| n.reason.contains("hetzner_object_storage_bucket")));
}

#[test]
fn growth_keeps_private_traffic_private_and_denies_the_rest() {
    let mapping = mapping("growth");
    for key in ["cmp_db/firewall", "cmp_app/firewall", "cmp_worker/firewall"] {
        let ResourceSpec::Firewall { rules, .. } = spec(&mapping, key) else {
            panic!("a firewall")
        };
        assert!(
            rules.is_empty(),
            "{key}: reached only over the private network, so nothing is open: {rules:#?}"
        );
    }
    for key in [
        "cmp_db/server-0",
        "cmp_app/server-0",
        "cmp_app/server-1",
        "cmp_worker/server-0",
    ] {
        let ResourceSpec::Server { networks, .. } = spec(&mapping, key) else {
            panic!("a server")
        };
        assert_eq!(
            networks,
            &vec![ResourceKey("grp_net/network".into())],
            "{key} joins the drawn private network"
        );
    }
    let ResourceSpec::LoadBalancer {
        targets, network, ..
    } = spec(&mapping, "cmp_lb/load-balancer")
    else {
        panic!("a balancer")
    };
    assert_eq!(targets.len(), 2, "both app replicas");
    assert!(
        network.is_some(),
        "the balancer reaches its targets privately"
    );
    let ResourceSpec::Server {
        placement_group, ..
    } = spec(&mapping, "cmp_app/server-1")
    else {
        panic!()
    };
    assert!(placement_group.is_some(), "replicas are spread over hosts");
    assert!(mapping
        .resources
        .iter()
        .all(|r| r.provider == Provider::Hetzner));
    // Every reference points at a resource of the mapping: apply can order them.
    let keys: Vec<&ResourceKey> = mapping.resources.iter().map(|r| &r.key).collect();
    for resource in &mapping.resources {
        for dep in resource.spec.depends_on() {
            assert!(
                keys.contains(&&dep),
                "{} depends on missing {dep}",
                resource.key
            );
        }
    }
}

#[test]
fn plan_reasons_for_people() {
    let design = template_by_slug("growth").unwrap().design().unwrap();
    let mapping = map_design(&design, &MappingOptions::default());
    // One server exists with another size; one stray resource is no longer in the design.
    let mut observed: Vec<ObservedResource> = Vec::new();
    let app = mapping
        .resources
        .iter()
        .find(|r| r.key.0 == "cmp_app/server-0")
        .unwrap();
    observed.push(ObservedResource {
        key: app.key.clone(),
        provider: Provider::Hetzner,
        kind: ResourceKind::Server,
        provider_id: "11".into(),
        name: app.name.clone(),
        fingerprint: Some("0000000000000000".into()),
        attributes: [
            ("server_type".to_owned(), "cx22".to_owned()),
            ("location".to_owned(), "fsn1".to_owned()),
        ]
        .into(),
    });
    observed.push(ObservedResource {
        key: ResourceKey("cmp_gone/server-0".into()),
        provider: Provider::Hetzner,
        kind: ResourceKind::Server,
        provider_id: "12".into(),
        name: "old-0".into(),
        fingerprint: None,
        attributes: Default::default(),
    });
    let plan = diff(design.id.as_str(), &design.name, &mapping, &observed);
    assert_eq!(plan.count(ChangeAction::Replace), 1);
    assert_eq!(plan.count(ChangeAction::Delete), 1);
    let lines: Vec<String> = plan
        .changes
        .iter()
        .map(|c| {
            format!(
                "{:?} {:?} {} `{}`: {}",
                c.action,
                c.kind,
                c.key,
                c.name,
                c.reasons.join("; ")
            )
        })
        .chain(
            plan.not_provisioned
                .iter()
                .map(|n| format!("not provisioned {} `{}`: {}", n.owner, n.name, n.reason)),
        )
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

/// The growth template moved to DigitalOcean (Frankfurt, the catalogue's default sizes).
fn growth_on_digitalocean() -> stagecraft_model::Design {
    let mut design = template_by_slug("growth").unwrap().design().unwrap();
    for component in &mut design.components {
        if component.provider != Provider::Unassigned {
            component.provider = Provider::Digitalocean;
            component.region = Some("fra1".into());
            component.size = None;
        }
    }
    for group in &mut design.groups {
        if group.provider != Provider::Unassigned {
            group.provider = Provider::Digitalocean;
        }
        group.region = Some("fra1".into());
    }
    design
}

/// DigitalOcean firewalls filter private and outbound traffic too: each droplet admits from
/// the VPC's range only the ports its private connections use, nothing from the world unless a
/// public connection reaches it, and may reach out.
#[test]
fn digitalocean_firewalls_admit_only_needed_private_ports_and_allow_outbound() {
    let design = growth_on_digitalocean();
    let mapping = map_design(&design, &MappingOptions::default());
    let ResourceSpec::Network { ip_range, .. } = spec(&mapping, "grp_net/network") else {
        panic!("a VPC")
    };
    let world = vec!["0.0.0.0/0".to_owned(), "::/0".to_owned()];
    let mut lines = Vec::new();
    // Each droplet's own firewall (a drawn firewall component becomes a firewall of its own,
    // without rules here: DigitalOcean applies the union of a droplet's firewalls).
    let of_droplets: Vec<ResourceKey> = mapping
        .resources
        .iter()
        .filter_map(|r| match &r.spec {
            ResourceSpec::Server { firewalls, .. } => Some(
                firewalls
                    .iter()
                    .filter(|f| f.owner() == r.key.owner())
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .flatten()
        .collect();
    for resource in &mapping.resources {
        let ResourceSpec::Firewall { rules, .. } = &resource.spec else {
            continue;
        };
        if !of_droplets.contains(&resource.key) {
            continue;
        }
        let inbound: Vec<_> = rules
            .iter()
            .filter(|r| r.direction == Direction::Inbound)
            .collect();
        let outbound: Vec<_> = rules
            .iter()
            .filter(|r| r.direction == Direction::Outbound)
            .collect();
        // Outbound: TCP, UDP and ICMP to anywhere, every port (updates, images, backups).
        assert_eq!(
            outbound.len(),
            3,
            "{}: outbound rules {outbound:#?}",
            resource.key
        );
        for protocol in [
            FirewallProtocol::Tcp,
            FirewallProtocol::Udp,
            FirewallProtocol::Icmp,
        ] {
            assert!(
                outbound
                    .iter()
                    .any(|r| r.protocol == protocol && r.port.is_none() && r.addresses == world),
                "{}: {protocol:?} out to anywhere",
                resource.key
            );
        }
        // Inbound: one rule per port a connection needs, from the VPC for private connections
        // and from anywhere for public ones; no port range, no "every port".
        let owner = resource.key.owner();
        let needed: Vec<(String, bool)> = design
            .connections
            .iter()
            .filter(|c| c.to.as_str() == owner)
            .flat_map(|c| {
                let ports = if c.ports.is_empty() {
                    c.protocol.default_port().into_iter().collect()
                } else {
                    c.ports.clone()
                };
                ports.into_iter().map(move |p| {
                    (
                        p.to_string(),
                        c.network == stagecraft_model::NetworkPath::Private,
                    )
                })
            })
            .collect();
        for rule in &inbound {
            let port = rule.port.clone().expect("an inbound rule names its port");
            assert!(
                !port.contains('-') && port != "0",
                "{}: a single port, not {port}",
                resource.key
            );
            let private = rule.addresses == vec![ip_range.clone()];
            assert!(
                private || rule.addresses == world,
                "{}: from the VPC or from anywhere: {rule:#?}",
                resource.key
            );
            assert!(
                needed.contains(&(port.clone(), private)),
                "{}: port {port} (private: {private}) is not needed by a connection: {needed:?}",
                resource.key
            );
        }
        for (port, private) in &needed {
            assert!(
                inbound.iter().any(|r| r.port.as_deref() == Some(port)
                    && (r.addresses == vec![ip_range.clone()]) == *private),
                "{}: port {port} is open for its connection",
                resource.key
            );
        }
        for rule in rules {
            lines.push(format!(
                "{} {:?} {:?} {} {}  # {}",
                resource.key,
                rule.direction,
                rule.protocol,
                rule.port.as_deref().unwrap_or("all"),
                rule.addresses.join(","),
                rule.description
            ));
        }
    }
    assert!(!lines.is_empty(), "the design has firewalls");
    insta::assert_snapshot!(lines.join("\n"));
}
