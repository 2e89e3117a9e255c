//! From a design to the provider resources that realise it, through the catalogue.
//!
//! The mapping follows the networking practice: every server gets a firewall that denies by
//! default and opens only the ports its incoming connections need; servers that talk to each
//! other privately share a private network; links across providers or regions get WireGuard;
//! an MVP server runs its stack with Docker Compose from cloud-init.
//!
//! Resources are provider-neutral here ([`ResourceSpec`]); each driver turns them into API calls.
//! Every resource has a stable [`ResourceKey`] (`<component or group id>/<local name>`) that is
//! also written into the provider's labels, so a resource can be found again after a crash.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use stagecraft_model::{
    catalog, Component, ComponentKind, Design, Direction, Engine, FirewallProtocol, GroupKind,
    NetworkPath, Protocol, Provider, Runtime, Stage,
};

use crate::{cloud_init, wireguard};

/// Label keys written on every resource Stagecraft creates.
pub const LABEL_MANAGED_BY: &str = "managed-by";
pub const LABEL_MANAGED_BY_VALUE: &str = "stagecraft";
pub const LABEL_DESIGN: &str = "stagecraft-design";
pub const LABEL_COMPONENT: &str = "stagecraft-component";
pub const LABEL_RESOURCE: &str = "stagecraft-resource";
pub const LABEL_SPEC: &str = "stagecraft-spec";

/// Stable identity of one resource within a design: `<owner id>/<local name>`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(transparent)]
pub struct ResourceKey(pub String);

impl ResourceKey {
    pub fn new(owner: &str, local: &str) -> Self {
        Self(format!("{owner}/{local}"))
    }

    /// The component, group or `design` that owns the resource.
    pub fn owner(&self) -> &str {
        self.0.split_once('/').map_or(self.0.as_str(), |(o, _)| o)
    }

    /// The name within the owner (`server-0`, `firewall`).
    pub fn local(&self) -> &str {
        self.0.split_once('/').map_or("", |(_, l)| l)
    }
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Kinds of provider resource Stagecraft creates.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    SshKey,
    Network,
    Firewall,
    PlacementGroup,
    PrimaryIp,
    Server,
    Volume,
    LoadBalancer,
    /// A managed database or cache cluster (DigitalOcean databases, AWS RDS).
    Database,
}

impl ResourceKind {
    /// Deletion order: lower first. Dependants go before what they depend on (a load balancer
    /// before its targets, servers before the firewalls and networks they use).
    pub fn delete_rank(self) -> u8 {
        match self {
            ResourceKind::LoadBalancer => 0,
            ResourceKind::Volume => 1,
            ResourceKind::Server => 2,
            ResourceKind::Database => 2,
            ResourceKind::PrimaryIp => 3,
            ResourceKind::Firewall => 4,
            ResourceKind::PlacementGroup => 5,
            ResourceKind::Network => 6,
            ResourceKind::SshKey => 7,
        }
    }
}

/// One firewall rule as the provider gets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct FirewallRuleSpec {
    pub direction: Direction,
    pub protocol: FirewallProtocol,
    /// `"443"` or `"8000-8100"`; none for ICMP.
    pub port: Option<String>,
    /// Sources (inbound) or destinations (outbound).
    pub addresses: Vec<String>,
    pub description: String,
}

/// One listener of a load balancer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LbServiceSpec {
    pub protocol: Protocol,
    pub listen_port: u16,
    pub destination_port: u16,
    pub health_path: Option<String>,
}

/// What to create, provider-neutral. Keys point at other resources of the same design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResourceSpec {
    SshKey {
        public_key: String,
    },
    Network {
        ip_range: String,
        subnet: String,
        /// Provider region the subnet serves (the network zone is derived from it).
        region: String,
    },
    Firewall {
        rules: Vec<FirewallRuleSpec>,
        /// The network the firewall belongs to, where the provider ties firewalls to one (an
        /// AWS security group lives in a VPC); absent elsewhere, which keeps fingerprints.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        network: Option<ResourceKey>,
    },
    PlacementGroup,
    PrimaryIp {
        region: String,
    },
    Server {
        size: String,
        region: String,
        image: String,
        user_data: Option<String>,
        networks: Vec<ResourceKey>,
        firewalls: Vec<ResourceKey>,
        placement_group: Option<ResourceKey>,
        primary_ip: Option<ResourceKey>,
        ssh_keys: Vec<ResourceKey>,
    },
    Volume {
        size_gb: u32,
        region: String,
        server: Option<ResourceKey>,
    },
    LoadBalancer {
        size: String,
        region: String,
        network: Option<ResourceKey>,
        services: Vec<LbServiceSpec>,
        targets: Vec<ResourceKey>,
        round_robin: bool,
    },
    /// A managed database or cache: the provider runs the engine, Stagecraft sizes and places it.
    Database {
        engine: Engine,
        /// Major version (`"17"`); none takes the provider's default.
        version: Option<String>,
        /// The provider's size (`db-s-1vcpu-2gb`, `db.m7g.large`).
        size: String,
        /// Nodes in all: the primary and its standbys.
        nodes: u32,
        region: String,
        /// Disk, where the provider sizes it separately from `size`.
        storage_gb: Option<u32>,
        /// The private network the database is reachable in.
        network: Option<ResourceKey>,
    },
}

impl ResourceSpec {
    pub fn kind(&self) -> ResourceKind {
        match self {
            ResourceSpec::SshKey { .. } => ResourceKind::SshKey,
            ResourceSpec::Network { .. } => ResourceKind::Network,
            ResourceSpec::Firewall { .. } => ResourceKind::Firewall,
            ResourceSpec::PlacementGroup => ResourceKind::PlacementGroup,
            ResourceSpec::PrimaryIp { .. } => ResourceKind::PrimaryIp,
            ResourceSpec::Server { .. } => ResourceKind::Server,
            ResourceSpec::Volume { .. } => ResourceKind::Volume,
            ResourceSpec::LoadBalancer { .. } => ResourceKind::LoadBalancer,
            ResourceSpec::Database { .. } => ResourceKind::Database,
        }
    }

    /// Resources this one refers to, which must exist first.
    pub fn depends_on(&self) -> Vec<ResourceKey> {
        match self {
            ResourceSpec::Server {
                networks,
                firewalls,
                placement_group,
                primary_ip,
                ssh_keys,
                ..
            } => networks
                .iter()
                .chain(firewalls)
                .chain(placement_group)
                .chain(primary_ip)
                .chain(ssh_keys)
                .cloned()
                .collect(),
            ResourceSpec::Volume { server, .. } => server.iter().cloned().collect(),
            ResourceSpec::LoadBalancer {
                network, targets, ..
            } => network.iter().chain(targets).cloned().collect(),
            ResourceSpec::Database { network, .. } => network.iter().cloned().collect(),
            ResourceSpec::Firewall { network, .. } => network.iter().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// A short, stable fingerprint of the settings, written as a label so a plan can tell a
    /// changed resource from an unchanged one without reading every field back.
    pub fn fingerprint(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        // FNV-1a: stable across Rust versions, unlike the std hasher.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in text.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }
}

/// One resource the design needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct DesiredResource {
    pub key: ResourceKey,
    pub provider: Provider,
    /// The component this resource realises, if any (groups and design-wide resources have none).
    pub component: Option<String>,
    /// Name at the provider: unique per design, a valid host name.
    pub name: String,
    pub spec: ResourceSpec,
    /// Why the resource exists, for the plan view.
    pub reason: String,
}

/// A component (or group) that is not provisioned, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct NotProvisioned {
    pub owner: String,
    pub name: String,
    pub reason: String,
}

/// The outcome of mapping a design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Mapping {
    pub resources: Vec<DesiredResource>,
    pub not_provisioned: Vec<NotProvisioned>,
}

/// Options that are not part of the design.
#[derive(Debug, Clone, Default)]
pub struct MappingOptions {
    /// An SSH public key to install on every server (one key resource per provider).
    pub ssh_public_key: Option<String>,
    /// The admin source address (a CIDR checked by [`wireguard::parse_admin_cidr`]) that may
    /// reach tunnel servers on 22/tcp, so `stagecraft link` can exchange WireGuard keys; none
    /// keeps SSH closed, as every derived firewall is.
    pub admin_cidr: Option<String>,
}

/// Providers this build can provision.
pub const SUPPORTED_PROVIDERS: [Provider; 3] =
    [Provider::Hetzner, Provider::Digitalocean, Provider::Aws];

const DEFAULT_IMAGE: &str = "ubuntu-24.04";

/// The same Ubuntu release under DigitalOcean's image slug.
const DIGITALOCEAN_IMAGE: &str = "ubuntu-24-04-x64";

/// Catalogue resources that become servers (Hetzner servers, DigitalOcean droplets, EC2
/// instances; an autoscale pool or group becomes its minimum number of servers).
const SERVER_RESOURCES: [&str; 5] = [
    "hcloud_server",
    "digitalocean_droplet",
    "digitalocean_droplet_autoscale",
    "aws_instance",
    "aws_autoscaling_group",
];

/// Lower-case host-name-safe slug of a display name.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    let out: String = out.chars().take(24).collect();
    if out.is_empty() {
        "x".into()
    } else {
        out.trim_end_matches('-').to_owned()
    }
}

/// The part of a prefixed id after the prefix, host-name safe.
fn id_tail(id: &str) -> String {
    let tail = id.split_once('_').map_or(id, |(_, t)| t);
    let tail: String = tail
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    tail.trim_matches('-').chars().take(16).collect()
}

fn default_region(provider: Provider) -> &'static str {
    match provider {
        Provider::Hetzner => "fsn1",
        Provider::Digitalocean => "fra1",
        Provider::Aws => "eu-central-1",
        Provider::Unassigned => "",
    }
}

/// The region a component runs in: its own, else its nearest group's, else the provider's default.
pub(crate) fn region_of(design: &Design, component: &Component) -> String {
    component
        .region
        .clone()
        .or_else(|| {
            design
                .groups_of(component)
                .iter()
                .find_map(|g| g.region.clone())
        })
        .unwrap_or_else(|| default_region(component.provider).to_owned())
}

fn protocol_ports(protocol: Protocol, ports: &[u16]) -> Vec<u16> {
    if ports.is_empty() {
        protocol.default_port().into_iter().collect()
    } else {
        ports.to_vec()
    }
}

fn transport_of(protocol: Protocol) -> FirewallProtocol {
    match protocol {
        Protocol::Udp | Protocol::Wireguard | Protocol::Dns => FirewallProtocol::Udp,
        _ => FirewallProtocol::Tcp,
    }
}

const WORLD: [&str; 2] = ["0.0.0.0/0", "::/0"];

/// Maps a loaded design to the resources its supported providers need.
pub fn map_design(design: &Design, options: &MappingOptions) -> Mapping {
    map_design_with_endpoints(design, options, &WireguardEndpoints::new())
}

/// Public IPv4 addresses of servers that exist, by server key: what WireGuard firewalls open
/// their port to. Before a peer exists its address is unknown, and its port stays closed.
pub type WireguardEndpoints = BTreeMap<ResourceKey, String>;

/// As [`map_design`], with the public addresses of servers that already exist (the engine reads
/// them from the provider), so each WireGuard port opens to its peers' addresses only.
pub fn map_design_with_endpoints(
    design: &Design,
    options: &MappingOptions,
    endpoints: &WireguardEndpoints,
) -> Mapping {
    let catalog = catalog();
    let mut resources: Vec<DesiredResource> = Vec::new();
    let mut not_provisioned = Vec::new();
    let design_tail = id_tail(design.id.as_str());
    let name_of = |what: &str, local: &str| -> String {
        let base = if local.is_empty() {
            format!("{}-{}", slug(what), design_tail)
        } else {
            format!("{}-{}-{}", slug(what), local, design_tail)
        };
        base.chars()
            .take(63)
            .collect::<String>()
            .trim_end_matches('-')
            .to_owned()
    };

    let providers_used: BTreeSet<Provider> = design
        .components
        .iter()
        .map(|c| c.provider)
        .filter(|p| SUPPORTED_PROVIDERS.contains(p))
        .collect();

    // SSH keys: one per provider when the user gave a key.
    let mut ssh_key_of: BTreeMap<Provider, ResourceKey> = BTreeMap::new();
    let mut aws_ssh_key_of: BTreeMap<String, ResourceKey> = BTreeMap::new();
    if let Some(public_key) = &options.ssh_public_key {
        // AWS key pairs are regional: one per region with AWS servers.
        for component in design
            .components
            .iter()
            .filter(|c| c.provider == Provider::Aws && provisions_servers(c))
        {
            let region = region_of(design, component);
            aws_ssh_key_of.entry(region.clone()).or_insert_with(|| {
                let key = ResourceKey::new("design", &crate::aws::mapping::ssh_key_local(&region));
                resources.push(DesiredResource {
                    key: key.clone(),
                    provider: Provider::Aws,
                    component: None,
                    name: name_of("stagecraft", &format!("key-{region}")),
                    spec: ResourceSpec::SshKey {
                        public_key: public_key.trim().to_owned(),
                    },
                    reason: format!("SSH access to the servers in {region} with your key"),
                });
                key
            });
        }
        for provider in providers_used.iter().filter(|p| **p != Provider::Aws) {
            let key = ResourceKey::new("design", &format!("ssh-key-{}", provider.slug()));
            ssh_key_of.insert(*provider, key.clone());
            resources.push(DesiredResource {
                key,
                provider: *provider,
                component: None,
                name: name_of("stagecraft", "key"),
                spec: ResourceSpec::SshKey {
                    public_key: public_key.trim().to_owned(),
                },
                reason: "SSH access to the servers with your key".into(),
            });
        }
    }

    // Private networks drawn as groups.
    let mut network_of_group: BTreeMap<String, (ResourceKey, String)> = BTreeMap::new();
    for group in &design.groups {
        if group.kind != GroupKind::PrivateNetwork {
            continue;
        }
        if !SUPPORTED_PROVIDERS.contains(&group.provider) {
            not_provisioned.push(NotProvisioned {
                owner: group.id.to_string(),
                name: group.name.clone(),
                reason: format!(
                    "{} is not provisioned by this build yet",
                    group.provider.label()
                ),
            });
            continue;
        }
        let ip_range = group.cidr.clone().unwrap_or_else(|| "10.0.0.0/16".into());
        let key = ResourceKey::new(group.id.as_str(), "network");
        let region = group
            .region
            .clone()
            .unwrap_or_else(|| default_region(group.provider).to_owned());
        network_of_group.insert(group.id.to_string(), (key.clone(), ip_range.clone()));
        resources.push(DesiredResource {
            key,
            provider: group.provider,
            component: None,
            name: name_of(&group.name, ""),
            spec: ResourceSpec::Network {
                subnet: first_subnet(&ip_range),
                ip_range,
                region,
            },
            reason: format!("private network `{}` from the design", group.name),
        });
    }

    let component_network = |component: &Component| -> Option<ResourceKey> {
        design
            .groups_of(component)
            .iter()
            .find_map(|g| network_of_group.get(g.id.as_str()).map(|(k, _)| k.clone()))
    };

    // Server components that need a private path to another server, but sit in no drawn network,
    // share one design-wide network per provider.
    let mut needs_shared_network: BTreeSet<String> = BTreeSet::new();
    for connection in &design.connections {
        if connection.network != NetworkPath::Private {
            continue;
        }
        for (a, b) in [
            (&connection.from, &connection.to),
            (&connection.to, &connection.from),
        ] {
            if let (Some(ca), Some(cb)) = (design.component(a), design.component(b)) {
                // Across regions no private network reaches: WireGuard carries that traffic.
                if ca.provider == cb.provider
                    && ca.provider != Provider::Aws
                    && region_of(design, ca) == region_of(design, cb)
                    && SUPPORTED_PROVIDERS.contains(&ca.provider)
                    && (provisions_servers(ca) || is_managed_database(ca))
                    && component_network(ca).is_none()
                    && (provisions_servers(cb)
                        || is_managed_database(cb)
                        || cb.kind == ComponentKind::LoadBalancer)
                {
                    needs_shared_network.insert(ca.id.to_string());
                }
            }
        }
    }
    let mut shared_network_of: BTreeMap<Provider, ResourceKey> = BTreeMap::new();
    for id in &needs_shared_network {
        let Some(component) = design.components.iter().find(|c| c.id.as_str() == id) else {
            continue;
        };
        shared_network_of
            .entry(component.provider)
            .or_insert_with(|| {
                let key =
                    ResourceKey::new("design", &format!("network-{}", component.provider.slug()));
                let ip_range = "10.96.0.0/16".to_owned();
                resources.push(DesiredResource {
                    key: key.clone(),
                    provider: component.provider,
                    component: None,
                    name: name_of("stagecraft-private", ""),
                    spec: ResourceSpec::Network {
                        subnet: first_subnet(&ip_range),
                        ip_range,
                        region: region_of(design, component),
                    },
                    reason: "private network for server-to-server traffic".into(),
                });
                key
            });
    }
    // Every EC2 instance and RDS database lives in a VPC: those in no drawn network share one
    // per region.
    let mut aws_network_of: BTreeMap<String, ResourceKey> = BTreeMap::new();
    for component in design.components.iter().filter(|c| {
        c.provider == Provider::Aws
            && (provisions_servers(c) || is_managed_database(c))
            && component_network(c).is_none()
    }) {
        let region = region_of(design, component);
        aws_network_of.entry(region.clone()).or_insert_with(|| {
            let key = ResourceKey::new(
                "design",
                &crate::aws::mapping::default_network_local(&region),
            );
            let ip_range = crate::aws::mapping::DEFAULT_VPC_RANGE.to_owned();
            resources.push(DesiredResource {
                key: key.clone(),
                provider: Provider::Aws,
                component: None,
                name: name_of("stagecraft-vpc", &region),
                spec: ResourceSpec::Network {
                    subnet: first_subnet(&ip_range),
                    ip_range,
                    region: region.clone(),
                },
                reason: format!("a VPC for the design's AWS resources in {region}"),
            });
            key
        });
    }
    let network_for = |component: &Component| -> Option<ResourceKey> {
        component_network(component)
            .or_else(|| {
                needs_shared_network
                    .contains(component.id.as_str())
                    .then(|| shared_network_of.get(&component.provider).cloned())
                    .flatten()
            })
            .or_else(|| {
                (component.provider == Provider::Aws)
                    .then(|| aws_network_of.get(&region_of(design, component)).cloned())
                    .flatten()
            })
    };
    // An AWS security group belongs to the VPC of what it protects.
    let aws_network_for = |component: &Component| -> Option<ResourceKey> {
        (component.provider == Provider::Aws)
            .then(|| network_for(component))
            .flatten()
    };

    // Firewall components drawn in the design: their rules, applied to the servers they name.
    let mut extra_firewalls: BTreeMap<String, Vec<ResourceKey>> = BTreeMap::new();
    for component in design
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::Firewall)
    {
        if !SUPPORTED_PROVIDERS.contains(&component.provider) {
            continue;
        }
        let key = ResourceKey::new(component.id.as_str(), "firewall");
        let rules = component
            .properties
            .firewall_rules
            .iter()
            .map(|r| FirewallRuleSpec {
                direction: r.direction,
                protocol: r.protocol,
                port: r.port.clone(),
                addresses: r.addresses.clone(),
                description: r.description.clone().unwrap_or_default(),
            })
            .collect();
        for target in &component.properties.applies_to {
            extra_firewalls
                .entry(target.to_string())
                .or_default()
                .push(key.clone());
        }
        let network = (component.provider == Provider::Aws)
            .then(|| {
                component
                    .properties
                    .applies_to
                    .iter()
                    .filter_map(|id| design.component(id))
                    .find_map(network_for)
            })
            .flatten();
        resources.push(DesiredResource {
            key,
            provider: component.provider,
            component: Some(component.id.to_string()),
            name: name_of(&component.name, ""),
            spec: ResourceSpec::Firewall { rules, network },
            reason: format!("firewall `{}` drawn in the design", component.name),
        });
    }

    // Servers, each with a derived default-deny firewall.
    let mut servers_of: BTreeMap<String, Vec<ResourceKey>> = BTreeMap::new();
    for component in &design.components {
        if component.kind == ComponentKind::Firewall {
            continue;
        }
        let offering = catalog.offering(component.kind, component.provider);
        if component.kind == ComponentKind::Users {
            continue;
        }
        if !SUPPORTED_PROVIDERS.contains(&component.provider) {
            not_provisioned.push(NotProvisioned {
                owner: component.id.to_string(),
                name: component.name.clone(),
                reason: if component.provider == Provider::Unassigned {
                    "no provider chosen".into()
                } else {
                    format!(
                        "{} is not provisioned by this build yet",
                        component.provider.label()
                    )
                },
            });
            continue;
        }
        let Some(offering) = offering else {
            not_provisioned.push(NotProvisioned {
                owner: component.id.to_string(),
                name: component.name.clone(),
                reason: format!("{} does not offer this kind", component.provider.label()),
            });
            continue;
        };
        let region = region_of(design, component);
        match offering.resource.as_str() {
            "hcloud_server"
            | "digitalocean_droplet"
            | "digitalocean_droplet_autoscale"
            | "aws_instance"
            | "aws_autoscaling_group" => {
                let fw_key = ResourceKey::new(component.id.as_str(), "firewall");
                let mut rules = derived_rules(design, component, endpoints);
                let opened: Vec<String> = rules
                    .iter()
                    .map(|r| {
                        format!("{}/{:?}", r.port.clone().unwrap_or_default(), r.protocol)
                            .to_lowercase()
                    })
                    .collect();
                let admin_ssh = wireguard::admin_ssh_rule(
                    design,
                    component,
                    options.admin_cidr.as_deref(),
                    &rules,
                );
                let admin_note = admin_ssh
                    .as_ref()
                    .map(|r| {
                        format!(
                            "; 22/tcp from {} (admin address, for link)",
                            r.addresses.join(", ")
                        )
                    })
                    .unwrap_or_default();
                rules.extend(admin_ssh);
                let rules = if component.provider == Provider::Digitalocean {
                    let private_range = network_for(component).and_then(|key| {
                        resources
                            .iter()
                            .find(|r| r.key == key)
                            .and_then(|r| match &r.spec {
                                ResourceSpec::Network { ip_range, .. } => Some(ip_range.clone()),
                                _ => None,
                            })
                    });
                    digitalocean_rules(design, component, rules, private_range.as_deref())
                } else if component.provider == Provider::Aws {
                    // Security groups filter traffic inside the VPC too.
                    let range = network_for(component)
                        .and_then(|key| {
                            resources
                                .iter()
                                .find(|r| r.key == key)
                                .and_then(|r| match &r.spec {
                                    ResourceSpec::Network { ip_range, .. } => {
                                        Some(ip_range.clone())
                                    }
                                    _ => None,
                                })
                        })
                        .unwrap_or_else(|| crate::aws::mapping::DEFAULT_VPC_RANGE.to_owned());
                    let mut rules = rules;
                    for rule in crate::aws::mapping::private_rules(
                        design,
                        component,
                        &range,
                        protocol_ports,
                        transport_of,
                    ) {
                        if !rules.iter().any(|r| {
                            r.port == rule.port
                                && r.protocol == rule.protocol
                                && r.addresses == rule.addresses
                        }) {
                            rules.push(rule);
                        }
                    }
                    rules
                } else {
                    rules
                };
                resources.push(DesiredResource {
                    key: fw_key.clone(),
                    provider: component.provider,
                    component: Some(component.id.to_string()),
                    name: name_of(&component.name, "fw"),
                    spec: ResourceSpec::Firewall {
                        rules,
                        network: aws_network_for(component),
                    },
                    reason: if opened.is_empty() {
                        format!(
                            "default deny: no public connection reaches this server{admin_note}"
                        )
                    } else {
                        format!(
                            "default deny; opens only {} for its connections{admin_note}",
                            opened.join(", ")
                        )
                    },
                });
                let count = server_count(component);
                // DigitalOcean has no placement groups: droplets are spread by default.
                let hetzner = component.provider == Provider::Hetzner;
                let placement = (count > 1 && hetzner).then(|| {
                    let key = ResourceKey::new(component.id.as_str(), "placement");
                    resources.push(DesiredResource {
                        key: key.clone(),
                        provider: component.provider,
                        component: Some(component.id.to_string()),
                        name: name_of(&component.name, "spread"),
                        spec: ResourceSpec::PlacementGroup,
                        reason: format!("spreads the {count} replicas over different hosts"),
                    });
                    key
                });
                let size = component
                    .size
                    .clone()
                    .or_else(|| offering.default_size.clone())
                    .unwrap_or_else(|| "cx22".into());
                let mut firewalls = vec![fw_key];
                firewalls.extend(
                    extra_firewalls
                        .get(component.id.as_str())
                        .cloned()
                        .unwrap_or_default(),
                );
                for index in 0..count {
                    let user_data = cloud_init::server_user_data(design, component, index);
                    // A droplet always has a public IPv4 address of its own.
                    let own_ip = component.properties.public_ipv4 == Some(true)
                        && component.provider != Provider::Digitalocean;
                    let primary_ip = own_ip.then(|| {
                        let key = ResourceKey::new(component.id.as_str(), &format!("ip-{index}"));
                        resources.push(DesiredResource {
                            key: key.clone(),
                            provider: component.provider,
                            component: Some(component.id.to_string()),
                            name: name_of(&component.name, &format!("ip-{index}")),
                            spec: ResourceSpec::PrimaryIp {
                                region: region.clone(),
                            },
                            reason: "a public IPv4 address that outlives the server".into(),
                        });
                        key
                    });
                    let key = ResourceKey::new(component.id.as_str(), &format!("server-{index}"));
                    servers_of
                        .entry(component.id.to_string())
                        .or_default()
                        .push(key.clone());
                    resources.push(DesiredResource {
                        key,
                        provider: component.provider,
                        component: Some(component.id.to_string()),
                        name: name_of(&component.name, &index.to_string()),
                        spec: ResourceSpec::Server {
                            size: size.clone(),
                            region: region.clone(),
                            image: if component.provider == Provider::Digitalocean {
                                DIGITALOCEAN_IMAGE.into()
                            } else {
                                DEFAULT_IMAGE.into()
                            },
                            user_data,
                            networks: network_for(component).into_iter().collect(),
                            firewalls: firewalls.clone(),
                            placement_group: placement.clone(),
                            primary_ip,
                            ssh_keys: if component.provider == Provider::Aws {
                                aws_ssh_key_of.get(&region).cloned().into_iter().collect()
                            } else {
                                ssh_key_of
                                    .get(&component.provider)
                                    .cloned()
                                    .into_iter()
                                    .collect()
                            },
                        },
                        reason: format!(
                            "{} `{}` ({size} in {region})",
                            catalog.kind(component.kind).label,
                            component.name
                        ),
                    });
                }
            }
            "hcloud_volume"
            | "hcloud_load_balancer"
            | "digitalocean_volume"
            | "digitalocean_loadbalancer"
            | "digitalocean_database_cluster"
            | "aws_ebs_volume"
            | "aws_lb"
            | "aws_db_instance" => {}
            other => not_provisioned.push(NotProvisioned {
                owner: component.id.to_string(),
                name: component.name.clone(),
                reason: format!(
                    "`{other}` is not provisioned through the {} API by this build",
                    component.provider.label()
                ),
            }),
        }
    }

    // Volumes and load balancers refer to servers, so they come once all servers are known.
    for component in &design.components {
        if !SUPPORTED_PROVIDERS.contains(&component.provider) {
            continue;
        }
        let Some(offering) = catalog.offering(component.kind, component.provider) else {
            continue;
        };
        let region = region_of(design, component);
        match offering.resource.as_str() {
            "hcloud_volume" | "digitalocean_volume" | "aws_ebs_volume" => {
                let server = component
                    .properties
                    .attached_to
                    .as_ref()
                    .and_then(|id| servers_of.get(id.as_str()))
                    .and_then(|servers| servers.first().cloned());
                let size_gb = component.properties.storage_gb.unwrap_or(10).max(10);
                resources.push(DesiredResource {
                    key: ResourceKey::new(component.id.as_str(), "volume"),
                    provider: component.provider,
                    component: Some(component.id.to_string()),
                    name: name_of(&component.name, ""),
                    spec: ResourceSpec::Volume {
                        size_gb,
                        region: region.clone(),
                        server: server.clone(),
                    },
                    reason: format!(
                        "{size_gb} GB volume{}",
                        if server.is_some() {
                            ", attached to its server"
                        } else {
                            ""
                        }
                    ),
                });
            }
            "hcloud_load_balancer" | "digitalocean_loadbalancer" | "aws_lb" => {
                let mut targets = Vec::new();
                let mut services: Vec<LbServiceSpec> = Vec::new();
                for connection in design.connections.iter().filter(|c| c.from == component.id) {
                    if let Some(servers) = servers_of.get(connection.to.as_str()) {
                        targets.extend(servers.iter().cloned());
                        let destination = protocol_ports(connection.protocol, &connection.ports)
                            .first()
                            .copied()
                            .unwrap_or(80);
                        let health_path = component
                            .properties
                            .health_check
                            .as_ref()
                            .and_then(|h| h.path.clone());
                        if services.is_empty() {
                            // Clients reach the balancer on 80 and 443 (the catalogue's ports);
                            // TLS is passed through as TCP so no certificate is needed here.
                            services.push(LbServiceSpec {
                                protocol: Protocol::Http,
                                listen_port: 80,
                                destination_port: destination,
                                health_path: health_path.clone(),
                            });
                            services.push(LbServiceSpec {
                                protocol: Protocol::Tcp,
                                listen_port: 443,
                                destination_port: if destination == 80 { 443 } else { destination },
                                health_path: None,
                            });
                        }
                    }
                }
                let network = targets.first().and_then(|first| {
                    resources
                        .iter()
                        .find(|r| &r.key == first)
                        .and_then(|r| match &r.spec {
                            ResourceSpec::Server { networks, .. } => networks.first().cloned(),
                            _ => None,
                        })
                });
                let size = component
                    .size
                    .clone()
                    .or_else(|| offering.default_size.clone())
                    .unwrap_or_else(|| "lb11".into());
                let services = if component.provider == Provider::Aws {
                    crate::aws::mapping::balancer_services(&size, services)
                } else {
                    services
                };
                resources.push(DesiredResource {
                    key: ResourceKey::new(component.id.as_str(), "load-balancer"),
                    provider: component.provider,
                    component: Some(component.id.to_string()),
                    name: name_of(&component.name, ""),
                    spec: ResourceSpec::LoadBalancer {
                        size: size.clone(),
                        region: region.clone(),
                        network,
                        services,
                        round_robin: !matches!(
                            component.properties.algorithm,
                            Some(stagecraft_model::LbAlgorithm::LeastConnections)
                        ),
                        targets: targets.clone(),
                    },
                    reason: format!(
                        "{size} load balancer in front of {} server(s)",
                        targets.len()
                    ),
                });
            }
            "digitalocean_database_cluster" | "aws_db_instance" => {
                let engine = component.properties.engine.unwrap_or(
                    if component.kind == ComponentKind::Cache {
                        Engine::Valkey
                    } else {
                        Engine::Postgresql
                    },
                );
                let size = component
                    .size
                    .clone()
                    .or_else(|| offering.default_size.clone())
                    .unwrap_or_else(|| "db-s-1vcpu-1gb".into());
                let nodes = 1 + component.properties.standby_nodes.unwrap_or(0);
                resources.push(DesiredResource {
                    key: ResourceKey::new(component.id.as_str(), "database"),
                    provider: component.provider,
                    component: Some(component.id.to_string()),
                    name: name_of(&component.name, ""),
                    spec: ResourceSpec::Database {
                        engine,
                        version: component.properties.engine_version.clone(),
                        size: size.clone(),
                        nodes,
                        region: region.clone(),
                        storage_gb: component.properties.storage_gb,
                        network: network_for(component),
                    },
                    reason: format!(
                        "managed {engine:?} ({size}, {nodes} node{}) in {region}",
                        if nodes == 1 { "" } else { "s" }
                    )
                    .to_lowercase(),
                });
            }
            _ => {}
        }
    }

    resources.sort_by(|a, b| a.key.cmp(&b.key));
    Mapping {
        resources,
        not_provisioned,
    }
}

/// How many servers a server component becomes: its count, or its autoscaling minimum if higher.
pub(crate) fn server_count(component: &Component) -> u32 {
    component
        .properties
        .autoscaling
        .as_ref()
        .map_or(component.count, |a| a.min.max(component.count))
        .max(1)
}

/// Whether the provider runs the component as a managed database or cache cluster.
fn is_managed_database(component: &Component) -> bool {
    catalog()
        .offering(component.kind, component.provider)
        .is_some_and(|o| {
            o.resource == "digitalocean_database_cluster" || o.resource == "aws_db_instance"
        })
}

/// DigitalOcean cloud firewalls filter the private interface and outbound traffic as well
/// (Hetzner's filter inbound public traffic only): private connections need rules from the
/// private network's range, and without outbound rules a droplet could not even fetch packages
/// or container images.
fn digitalocean_rules(
    design: &Design,
    component: &Component,
    mut rules: Vec<FirewallRuleSpec>,
    private_range: Option<&str>,
) -> Vec<FirewallRuleSpec> {
    if let Some(range) = private_range {
        for connection in design
            .connections
            .iter()
            // A tunnel's traffic arrives inside WireGuard (its port is opened to the peer), not
            // from the private network.
            .filter(|c| {
                c.to == component.id
                    && c.network == NetworkPath::Private
                    && !wireguard::is_tunnel(design, c)
            })
        {
            let from = design
                .component(&connection.from)
                .map_or_else(|| connection.from.to_string(), |c| c.name.clone());
            for port in protocol_ports(connection.protocol, &connection.ports) {
                let rule = FirewallRuleSpec {
                    direction: Direction::Inbound,
                    protocol: transport_of(connection.protocol),
                    port: Some(port.to_string()),
                    addresses: vec![range.to_owned()],
                    description: format!("from {from} over the private network"),
                };
                // One rule per port, protocol and source: the first connection names it.
                if !rules.iter().any(|r| {
                    r.port == rule.port
                        && r.protocol == rule.protocol
                        && r.addresses == rule.addresses
                }) {
                    rules.push(rule);
                }
            }
        }
    }
    for protocol in [
        FirewallProtocol::Tcp,
        FirewallProtocol::Udp,
        FirewallProtocol::Icmp,
    ] {
        rules.push(FirewallRuleSpec {
            direction: Direction::Outbound,
            protocol,
            port: None,
            addresses: WORLD.iter().map(|s| s.to_string()).collect(),
            description: "outbound: updates, images, backups".into(),
        });
    }
    rules
}

/// Whether the component becomes servers on its provider.
pub(crate) fn provisions_servers(component: &Component) -> bool {
    catalog()
        .offering(component.kind, component.provider)
        .is_some_and(|o| SERVER_RESOURCES.contains(&o.resource.as_str()))
}

/// `10.0.0.0/16` -> `10.0.1.0/24`: the first /24 after the network address, a common layout.
fn first_subnet(ip_range: &str) -> String {
    let (address, _) = ip_range.split_once('/').unwrap_or((ip_range, "16"));
    let octets: Vec<&str> = address.split('.').collect();
    if octets.len() == 4 {
        format!("{}.{}.1.0/24", octets[0], octets[1])
    } else {
        ip_range.to_owned()
    }
}

/// Inbound rules a server needs: one per port of each public or VPN connection that reaches it.
/// Private connections need none: Hetzner firewalls filter only public interfaces, and the
/// private network admits only the design's own servers.
fn derived_rules(
    design: &Design,
    component: &Component,
    endpoints: &WireguardEndpoints,
) -> Vec<FirewallRuleSpec> {
    let mut rules: Vec<FirewallRuleSpec> = Vec::new();
    for connection in design.connections.iter().filter(|c| c.to == component.id) {
        let from = design
            .component(&connection.from)
            .map_or_else(|| connection.from.to_string(), |c| c.name.clone());
        match connection.network {
            NetworkPath::Private => {}
            NetworkPath::Public => {
                for port in protocol_ports(connection.protocol, &connection.ports) {
                    rules.push(FirewallRuleSpec {
                        direction: Direction::Inbound,
                        protocol: transport_of(connection.protocol),
                        port: Some(port.to_string()),
                        addresses: WORLD.iter().map(|s| s.to_string()).collect(),
                        description: format!("from {from}"),
                    });
                }
            }
            // A VPN from something that is not one of our servers (people, an office): its
            // address is not ours to know, so the WireGuard port opens to everyone.
            NetworkPath::Vpn if !wireguard::is_tunnel(design, connection) => {
                rules.push(FirewallRuleSpec {
                    direction: Direction::Inbound,
                    protocol: FirewallProtocol::Udp,
                    port: Some("51820".into()),
                    addresses: WORLD.iter().map(|s| s.to_string()).collect(),
                    description: format!("WireGuard from {from}"),
                });
            }
            NetworkPath::Vpn => {}
        }
    }
    // Tunnels to our own servers: the WireGuard port opens to each peer's address only, once
    // the peer exists and its address is known.
    let mut peers: Vec<(String, String)> = wireguard::peer_servers(design, component)
        .into_iter()
        .filter_map(|(server, name)| endpoints.get(&server).map(|ip| (ip.clone(), name)))
        .collect();
    peers.sort();
    peers.dedup_by(|a, b| a.0 == b.0);
    if !peers.is_empty() {
        rules.push(FirewallRuleSpec {
            direction: Direction::Inbound,
            protocol: FirewallProtocol::Udp,
            port: Some(wireguard::LISTEN_PORT.to_string()),
            addresses: peers.iter().map(|(ip, _)| format!("{ip}/32")).collect(),
            description: format!(
                "WireGuard from {}",
                peers
                    .iter()
                    .map(|(_, name)| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    // One rule per port and protocol: the first connection names it.
    let mut seen = BTreeSet::new();
    rules.retain(|r| seen.insert((r.port.clone(), r.protocol == FirewallProtocol::Udp)));
    rules.sort_by_key(|r| {
        (
            r.port.as_deref().and_then(|p| p.parse::<u32>().ok()),
            r.protocol == FirewallProtocol::Udp,
        )
    });
    rules
}

/// Whether the component should run its stack with Docker Compose from cloud-init.
pub(crate) fn runs_compose(design: &Design, component: &Component) -> bool {
    component.properties.runtime == Some(Runtime::DockerCompose)
        || (component.properties.runtime.is_none()
            && component.kind == ComponentKind::AppServer
            && design.assumptions.target_stage.unwrap_or(Stage::Mvp) == Stage::Mvp)
}
