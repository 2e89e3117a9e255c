//! Terraform / OpenTofu for the hcloud, digitalocean and aws providers, built as an HCL syntax
//! tree with hcl-rs (never by pasting strings) and printed in `terraform fmt` layout.
//!
//! What it guarantees:
//! - Provider tokens are declared as `sensitive` variables and never given a value.
//! - Every reference points at a resource, data source, variable, local or provider alias that
//!   the file defines (a test parses the output and checks this).
//! - Each component maps to the resource its catalogue offering names, wired to the others by
//!   reference: a CDN in front of its load balancer or bucket, DNS records pointing at the entry
//!   point, backup plans selecting their sources, alarms watching their targets, auto-scaled
//!   pools behind their load balancer. What no provider resource can express (a third-party
//!   CDN, a cron job dumping a database...) is listed in `local.not_provisioned` with the reason,
//!   so nothing is dropped silently.
//! - Secrets are variables, never values: provider tokens and object storage keys are
//!   `sensitive`; the SSH public key and the alert address are plain inputs without defaults.
//!   WireGuard private keys are made on each host at first boot (see [`wireguard`]) and never
//!   reach the Terraform state.
//! - Replicas (`count` > 1) become numbered resources (`app_1`, `app_2`) so firewalls, load
//!   balancers and attachments can refer to each one by id.

use std::collections::{BTreeMap, BTreeSet};

use hcl::expr::{Expression, FuncCall, ObjectKey, Traversal, Variable};
use hcl::{Attribute, Block, Body, Identifier};
use stagecraft_model::{
    catalog, Component, ComponentId, ComponentKind, Design, Direction, Engine, FirewallProtocol,
    GroupKind, Protocol, Provider,
};

use crate::ExportError;

mod services;
use services::minio_alias;
mod wireguard;

const HCLOUD_IMAGE: &str = "ubuntu-24.04";
const DO_IMAGE: &str = "ubuntu-24-04-x64";

/// The design as one Terraform/OpenTofu file (`main.tf`).
///
/// # Errors
/// [`ExportError::Render`] if the HCL formatter fails (a defect of this crate).
pub fn render_terraform(design: &Design) -> Result<String, ExportError> {
    let mut writer = Writer::new(design);
    writer.collect();
    let body = writer.body();
    let text = hcl::format::to_string(&body)
        .map_err(|e| ExportError::Render(format!("HCL formatting: {e}")))?;
    Ok(align_attributes(&text))
}

/// A Terraform address: resource type and local name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Address {
    kind: String,
    name: String,
}

impl Address {
    fn new(kind: &str, name: &str) -> Self {
        Self {
            kind: kind.to_owned(),
            name: name.to_owned(),
        }
    }
    fn attr(&self, attribute: &str) -> Expression {
        traversal(&self.kind, &[&self.name, attribute])
    }
}

fn traversal(root: &str, parts: &[&str]) -> Expression {
    let mut builder = Traversal::builder(Variable::unchecked(root));
    for part in parts {
        builder = builder.attr(Identifier::unchecked(*part));
    }
    Expression::from(builder.build())
}

fn var(name: &str) -> Expression {
    traversal("var", &[name])
}

fn array(items: impl IntoIterator<Item = Expression>) -> Expression {
    Expression::Array(items.into_iter().collect())
}

fn object(entries: impl IntoIterator<Item = (&'static str, Expression)>) -> Expression {
    Expression::Object(
        entries
            .into_iter()
            .map(|(k, v)| (ObjectKey::Identifier(Identifier::unchecked(k)), v))
            .collect(),
    )
}

/// An object with quoted keys (labels and tags, whose keys may hold `-` or `/`).
fn string_map(entries: &[(&str, String)]) -> Expression {
    Expression::Object(
        entries
            .iter()
            .map(|(k, v)| {
                (
                    ObjectKey::Expression(Expression::from(*k)),
                    Expression::from(v.as_str()),
                )
            })
            .collect(),
    )
}

/// A Terraform local name from an id: `cmp_app-1` -> `app_1`.
fn local_name(id: &str) -> String {
    let suffix = id.split_once('_').map_or(id, |(_, rest)| rest);
    let name: String = suffix
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name
    } else {
        format!("c_{name}")
    }
}

/// A provider resource name: lower-case letters, digits and `-`, as all three providers accept.
fn resource_name(text: &str) -> String {
    let name: String = text
        .trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let name = name.trim_matches('-').to_owned();
    if name.is_empty() {
        "stagecraft".to_owned()
    } else {
        name
    }
}

struct Writer<'a> {
    design: &'a Design,
    providers: BTreeSet<Provider>,
    aws_regions: BTreeSet<String>,
    networks: Vec<Block>,
    resources: Vec<Block>,
    data: BTreeMap<String, Block>,
    outputs: Vec<Block>,
    not_provisioned: BTreeMap<String, String>,
    /// Server resources of each component (one per replica).
    servers: BTreeMap<ComponentId, Vec<Address>>,
    /// Network resource of each private network group, with its provider.
    network_of_group: BTreeMap<String, (Provider, Address)>,
    /// Security groups applying to each AWS component.
    security_groups: BTreeMap<ComponentId, Vec<Address>>,
    /// Input variables beyond the provider tokens (SSH key, alert address, storage keys).
    variables: BTreeMap<String, Block>,
    /// SSH key resources already written, by provider (and region for AWS key pairs).
    ssh_keys: BTreeSet<String>,
    /// Hetzner Object Storage locations that need a MinIO provider alias.
    minio_locations: BTreeSet<String>,
    /// DigitalOcean tags a component's droplets carry beyond the design tag, so a load
    /// balancer, firewall or alert can find the droplets of an autoscale pool.
    do_tags: BTreeMap<ComponentId, Vec<Address>>,
    /// Auto-scaled pools (DigitalOcean autoscale pools, AWS auto scaling groups).
    pools: BTreeMap<ComponentId, Address>,
    /// WireGuard addresses of each member server, one per replica, with the link's name.
    wireguard: BTreeMap<ComponentId, wireguard::Membership>,
    /// Locals beyond `design_id` and `not_provisioned` (cloud-init documents, kept readable).
    locals: BTreeMap<String, Expression>,
}

impl<'a> Writer<'a> {
    fn new(design: &'a Design) -> Self {
        Self {
            design,
            providers: BTreeSet::new(),
            aws_regions: BTreeSet::new(),
            networks: Vec::new(),
            resources: Vec::new(),
            data: BTreeMap::new(),
            outputs: Vec::new(),
            not_provisioned: BTreeMap::new(),
            servers: BTreeMap::new(),
            network_of_group: BTreeMap::new(),
            security_groups: BTreeMap::new(),
            variables: BTreeMap::new(),
            ssh_keys: BTreeSet::new(),
            minio_locations: BTreeSet::new(),
            do_tags: BTreeMap::new(),
            pools: BTreeMap::new(),
            wireguard: BTreeMap::new(),
            locals: BTreeMap::new(),
        }
    }

    fn sorted_components(&self) -> Vec<&'a Component> {
        let mut components: Vec<&Component> = self.design.components.iter().collect();
        components.sort_by(|a, b| a.id.cmp(&b.id));
        components
    }

    fn labels(&self, component: &str) -> Expression {
        string_map(&[
            ("stagecraft-design", self.design.id.to_string()),
            ("stagecraft-component", component.to_owned()),
        ])
    }

    fn region_of(&self, component: &Component) -> String {
        component
            .region
            .clone()
            .or_else(|| {
                self.design
                    .groups_of(component)
                    .iter()
                    .find_map(|g| g.region.clone())
            })
            .unwrap_or_else(|| {
                catalog()
                    .provider(component.provider)
                    .and_then(|p| p.regions.first())
                    .map_or_else(String::new, |r| r.id.clone())
            })
    }

    fn aws_provider(&mut self, region: &str) -> Expression {
        self.aws_regions.insert(region.to_owned());
        traversal("aws", &[&local_name(&format!("r_{region}"))])
    }

    /// The private network resource a component sits in, if any (innermost, same provider).
    fn network_of(&self, component: &Component) -> Option<Address> {
        self.design
            .groups_of(component)
            .iter()
            .filter(|g| g.kind == GroupKind::PrivateNetwork)
            .find_map(|g| {
                self.network_of_group
                    .get(g.id.as_str())
                    .filter(|(p, _)| *p == component.provider)
                    .map(|(_, a)| a.clone())
            })
    }

    fn collect(&mut self) {
        self.collect_networks();
        self.collect_wireguard_members();
        self.collect_load_balancer_tags();
        let components = self.sorted_components();
        // Firewalls first (AWS attaches security groups from the protected side), then servers,
        // then everything that refers to servers.
        for component in &components {
            if component.kind == ComponentKind::Firewall && component.provider == Provider::Aws {
                self.aws_security_group(component);
            }
        }
        for component in &components {
            self.server_or_skip(component);
        }
        for component in &components {
            self.dependent(component);
        }
        // CDNs, backup plans, alarms and VPN links refer to servers, pools, load balancers and
        // buckets; DNS records last, as they may point at a CDN.
        for component in &components {
            self.service(component);
        }
        for component in &components {
            if component.kind == ComponentKind::DnsZone {
                self.dns_records(component);
            }
        }
    }

    fn collect_networks(&mut self) {
        let mut groups: Vec<_> = self.design.groups.iter().collect();
        groups.sort_by(|a, b| a.id.cmp(&b.id));
        for group in groups {
            if group.kind != GroupKind::PrivateNetwork {
                continue;
            }
            let name = local_name(group.id.as_str());
            let cidr = group
                .cidr
                .clone()
                .unwrap_or_else(|| "10.0.0.0/16".to_owned());
            let region = group.region.clone().unwrap_or_default();
            match group.provider {
                Provider::Hetzner => {
                    self.providers.insert(Provider::Hetzner);
                    let network = Address::new("hcloud_network", &name);
                    self.networks.push(
                        Block::builder("resource")
                            .add_label("hcloud_network")
                            .add_label(name.as_str())
                            .add_attribute(("name", resource_name(&group.name)))
                            .add_attribute(("ip_range", cidr.as_str()))
                            .add_attribute(("labels", self.labels(group.id.as_str())))
                            .build(),
                    );
                    self.networks.push(
                        Block::builder("resource")
                            .add_label("hcloud_network_subnet")
                            .add_label(name.as_str())
                            .add_attribute(("network_id", network.attr("id")))
                            .add_attribute(("type", "cloud"))
                            .add_attribute(("network_zone", hetzner_zone(&region)))
                            .add_attribute(("ip_range", cidr.as_str()))
                            .build(),
                    );
                    self.network_of_group
                        .insert(group.id.to_string(), (Provider::Hetzner, network));
                }
                Provider::Digitalocean => {
                    self.providers.insert(Provider::Digitalocean);
                    self.networks.push(
                        Block::builder("resource")
                            .add_label("digitalocean_vpc")
                            .add_label(name.as_str())
                            .add_attribute(("name", resource_name(&group.name)))
                            .add_attribute(("region", region.as_str()))
                            .add_attribute(("ip_range", cidr.as_str()))
                            .build(),
                    );
                    self.network_of_group.insert(
                        group.id.to_string(),
                        (
                            Provider::Digitalocean,
                            Address::new("digitalocean_vpc", &name),
                        ),
                    );
                }
                Provider::Aws => {
                    self.providers.insert(Provider::Aws);
                    let provider = self.aws_provider(&region);
                    let vpc = Address::new("aws_vpc", &name);
                    self.networks.push(
                        Block::builder("resource")
                            .add_label("aws_vpc")
                            .add_label(name.as_str())
                            .add_attribute(("provider", provider.clone()))
                            .add_attribute(("cidr_block", cidr.as_str()))
                            .add_attribute(("tags", self.tags(&group.name, group.id.as_str())))
                            .build(),
                    );
                    // Two subnets in two zones: load balancers and database subnet groups need them.
                    for (index, zone) in ["a", "b"].into_iter().enumerate() {
                        self.networks.push(
                            Block::builder("resource")
                                .add_label("aws_subnet")
                                .add_label(format!("{name}_{zone}"))
                                .add_attribute(("provider", provider.clone()))
                                .add_attribute(("vpc_id", vpc.attr("id")))
                                .add_attribute((
                                    "cidr_block",
                                    Expression::from(
                                        FuncCall::builder(Identifier::unchecked("cidrsubnet"))
                                            .arg(vpc.attr("cidr_block"))
                                            .arg(8)
                                            .arg(index as u64)
                                            .build(),
                                    ),
                                ))
                                .add_attribute(("availability_zone", format!("{region}{zone}")))
                                .build(),
                        );
                    }
                    self.network_of_group
                        .insert(group.id.to_string(), (Provider::Aws, vpc));
                }
                Provider::Unassigned => {}
            }
        }
    }

    fn tags(&self, name: &str, id: &str) -> Expression {
        string_map(&[
            ("Name", name.trim().to_owned()),
            ("stagecraft-design", self.design.id.to_string()),
            ("stagecraft-component", id.to_owned()),
        ])
    }

    fn aws_subnets(&self, vpc: &Address) -> Expression {
        array(
            ["a", "b"].map(|z| Address::new("aws_subnet", &format!("{}_{z}", vpc.name)).attr("id")),
        )
    }

    fn skip(&mut self, component: &Component, reason: &str) {
        self.not_provisioned.insert(
            local_name(component.id.as_str()),
            format!("{} ({}): {reason}", component.name.trim(), component.id),
        );
    }

    /// The resource type a component maps to, following a non-native offering's fallback.
    fn resource_of(&self, component: &Component) -> Option<String> {
        let offering = catalog().offering(component.kind, component.provider)?;
        if !offering.native {
            if let Some(fallback) = offering.fallback {
                return catalog()
                    .offering(fallback, component.provider)
                    .map(|o| o.resource.clone());
            }
        }
        Some(offering.resource.clone())
    }

    fn size_of(&self, component: &Component) -> String {
        component
            .size
            .clone()
            .or_else(|| {
                catalog()
                    .offering(component.kind, component.provider)
                    .and_then(|o| o.default_size.clone())
            })
            .unwrap_or_default()
    }

    /// Servers (and anything else without dependencies on servers), or a `not_provisioned` entry.
    fn server_or_skip(&mut self, component: &'a Component) {
        if component.provider == Provider::Unassigned {
            if component.kind != ComponentKind::Users {
                self.skip(component, "no provider assigned yet");
            }
            return;
        }
        let Some(resource) = self.resource_of(component) else {
            self.skip(component, "the catalogue has no offering for this provider");
            return;
        };
        let name = local_name(component.id.as_str());
        let region = self.region_of(component);
        match resource.as_str() {
            "digitalocean_droplet_autoscale" => self.do_autoscale(component, &name, &region),
            "hcloud_server" | "digitalocean_droplet" | "aws_instance" => {
                self.providers.insert(component.provider);
                let replicas = component.count.max(1);
                let mut addresses = Vec::new();
                for i in 1..=replicas {
                    let (local, display) = if replicas == 1 {
                        (name.clone(), resource_name(&component.name))
                    } else {
                        (
                            format!("{name}_{i}"),
                            format!("{}-{i}", resource_name(&component.name)),
                        )
                    };
                    let address = self.server(component, &local, &display, &region, i);
                    addresses.push(address);
                }
                for address in &addresses {
                    let ip = match component.provider {
                        Provider::Hetzner => "ipv4_address",
                        Provider::Digitalocean => "ipv4_address",
                        _ => "public_ip",
                    };
                    self.output(&format!("{}_ipv4", address.name), address.attr(ip));
                }
                self.servers.insert(component.id.clone(), addresses);
            }
            "aws_autoscaling_group" => self.aws_autoscaling(component, &name, &region),
            "digitalocean_database_cluster" => {
                self.providers.insert(Provider::Digitalocean);
                let engine = match component.properties.engine {
                    Some(Engine::Mysql) => "mysql",
                    Some(Engine::Redis) => "redis",
                    Some(Engine::Valkey) => "valkey",
                    Some(Engine::Postgresql) => "pg",
                    None if component.kind == ComponentKind::Cache => "valkey",
                    None => "pg",
                };
                let mut block = Block::builder("resource")
                    .add_label("digitalocean_database_cluster")
                    .add_label(name.as_str())
                    .add_attribute(("name", resource_name(&component.name)))
                    .add_attribute(("engine", engine))
                    .add_attribute(("size", self.size_of(component)))
                    .add_attribute(("region", region.as_str()))
                    .add_attribute((
                        "node_count",
                        1 + u64::from(component.properties.standby_nodes.unwrap_or(0)),
                    ));
                if let Some(version) = &component.properties.engine_version {
                    block = block.add_attribute(("version", version.as_str()));
                }
                if let Some(vpc) = self.network_of(component) {
                    block = block.add_attribute(("private_network_uuid", vpc.attr("id")));
                }
                self.resources.push(block.build());
                let address = Address::new("digitalocean_database_cluster", &name);
                self.output(&format!("{name}_host"), address.attr("private_host"));
            }
            "aws_db_instance" => self.aws_database(component, &name, &region),
            "hetzner_object_storage_bucket" => self.hetzner_bucket(component, &name, &region),
            "aws_elasticache_cluster" => self.aws_cache(component, &name, &region),
            "digitalocean_spaces_bucket" => {
                self.providers.insert(Provider::Digitalocean);
                self.resources.push(
                    Block::builder("resource")
                        .add_label("digitalocean_spaces_bucket")
                        .add_label(name.as_str())
                        .add_attribute(("name", resource_name(&component.name)))
                        .add_attribute(("region", region.as_str()))
                        .build(),
                );
                let address = Address::new("digitalocean_spaces_bucket", &name);
                self.output(
                    &format!("{name}_endpoint"),
                    address.attr("bucket_domain_name"),
                );
            }
            "aws_s3_bucket" => {
                let provider = self.aws_provider(&region);
                self.providers.insert(Provider::Aws);
                self.resources.push(
                    Block::builder("resource")
                        .add_label("aws_s3_bucket")
                        .add_label(name.as_str())
                        .add_attribute(("provider", provider))
                        .add_attribute(("bucket", resource_name(&component.name)))
                        .add_attribute(("tags", self.tags(&component.name, component.id.as_str())))
                        .build(),
                );
                let address = Address::new("aws_s3_bucket", &name);
                self.output(
                    &format!("{name}_endpoint"),
                    address.attr("bucket_regional_domain_name"),
                );
            }
            "hcloud_zone" | "digitalocean_domain" | "aws_route53_zone" => {
                self.providers.insert(component.provider);
                let domain = component
                    .properties
                    .domain
                    .clone()
                    .unwrap_or_else(|| component.name.trim().to_owned());
                let mut block = Block::builder("resource")
                    .add_label(resource.as_str())
                    .add_label(name.as_str())
                    .add_attribute(("name", domain.as_str()));
                match component.provider {
                    Provider::Hetzner => {
                        block = block.add_attribute(("mode", "primary"));
                        if let Some(ttl) = component.properties.dns_ttl_seconds {
                            block = block.add_attribute(("ttl", u64::from(ttl)));
                        }
                    }
                    Provider::Aws => {
                        let provider = self.aws_provider(&region);
                        block = block.add_attribute(("provider", provider));
                    }
                    _ => {}
                }
                self.resources.push(block.build());
            }
            // Resources that refer to servers are written in `dependent`, services that refer to
            // anything in `service`.
            "aws_cloudfront_distribution"
            | "digitalocean_cdn"
            | "aws_backup_plan"
            | "aws_cloudwatch_metric_alarm"
            | "digitalocean_monitor_alert"
            | "wireguard_cloud_init"
            | "hcloud_firewall"
            | "digitalocean_firewall"
            | "aws_security_group"
            | "hcloud_load_balancer"
            | "digitalocean_loadbalancer"
            | "aws_lb"
            | "hcloud_volume"
            | "digitalocean_volume"
            | "aws_ebs_volume" => {}
            _ => {
                let note = catalog()
                    .offering(component.kind, component.provider)
                    .map_or("", |o| o.note.as_str())
                    .to_owned();
                self.skip(
                    component,
                    &format!("no Terraform resource is generated for `{resource}`. {note}"),
                );
            }
        }
    }

    /// One server (a replica of `component`), with the SSH key and, for WireGuard members, the
    /// cloud-init that sets up the tunnel.
    fn server(
        &mut self,
        component: &Component,
        local: &str,
        display: &str,
        region: &str,
        replica: u32,
    ) -> Address {
        let size = self.size_of(component);
        let network = self.network_of(component);
        let ssh_key = self.ssh_key(component.provider, region);
        let user_data = self.wireguard_user_data(&component.id, local, replica);
        let block = match component.provider {
            Provider::Hetzner => {
                let mut b = Block::builder("resource")
                    .add_label("hcloud_server")
                    .add_label(local)
                    .add_attribute(("name", display))
                    .add_attribute(("server_type", size.as_str()))
                    .add_attribute(("image", HCLOUD_IMAGE))
                    .add_attribute(("location", region))
                    .add_attribute(("ssh_keys", array([ssh_key])));
                if let Some(user_data) = user_data {
                    b = b.add_attribute(("user_data", user_data));
                }
                b = b
                    .add_attribute(("labels", self.labels(component.id.as_str())))
                    .add_block(
                        Block::builder("public_net")
                            .add_attribute((
                                "ipv4_enabled",
                                component.properties.public_ipv4.unwrap_or(true),
                            ))
                            .add_attribute(("ipv6_enabled", true))
                            .build(),
                    );
                if let Some(net) = &network {
                    b = b
                        .add_block(
                            Block::builder("network")
                                .add_attribute(("network_id", net.attr("id")))
                                .build(),
                        )
                        .add_attribute((
                            "depends_on",
                            array([Expression::from(
                                Traversal::builder(Variable::unchecked("hcloud_network_subnet"))
                                    .attr(Identifier::unchecked(net.name.as_str()))
                                    .build(),
                            )]),
                        ));
                }
                b.build()
            }
            Provider::Digitalocean => {
                let mut b = Block::builder("resource")
                    .add_label("digitalocean_droplet")
                    .add_label(local)
                    .add_attribute(("name", display))
                    .add_attribute(("size", size.as_str()))
                    .add_attribute(("image", DO_IMAGE))
                    .add_attribute(("region", region))
                    .add_attribute(("ssh_keys", array([ssh_key])));
                if let Some(user_data) = user_data {
                    b = b.add_attribute(("user_data", user_data));
                }
                if let Some(net) = &network {
                    b = b.add_attribute(("vpc_uuid", net.attr("id")));
                }
                b.add_attribute(("tags", self.do_droplet_tags(&component.id)))
                    .build()
            }
            _ => {
                let provider = self.aws_provider(region);
                let ami = self.aws_ami(region);
                let mut b = Block::builder("resource")
                    .add_label("aws_instance")
                    .add_label(local)
                    .add_attribute(("provider", provider))
                    .add_attribute(("ami", ami))
                    .add_attribute(("instance_type", size.as_str()))
                    .add_attribute(("key_name", ssh_key));
                if let Some(user_data) = user_data {
                    b = b.add_attribute(("user_data", user_data));
                }
                if let Some(net) = &network {
                    b = b.add_attribute((
                        "subnet_id",
                        Address::new("aws_subnet", &format!("{}_a", net.name)).attr("id"),
                    ));
                }
                if let Some(groups) = self.security_groups.get(&component.id) {
                    b = b.add_attribute((
                        "vpc_security_group_ids",
                        array(groups.iter().map(|g| g.attr("id"))),
                    ));
                }
                b.add_attribute(("tags", self.tags(display, component.id.as_str())))
                    .build()
            }
        };
        self.resources.push(block);
        let kind = match component.provider {
            Provider::Hetzner => "hcloud_server",
            Provider::Digitalocean => "digitalocean_droplet",
            _ => "aws_instance",
        };
        Address::new(kind, local)
    }

    /// The design-wide tag every droplet carries, then the tags load balancers select by.
    fn do_droplet_tags(&self, component: &ComponentId) -> Expression {
        let mut tags = vec![Expression::from(self.do_design_tag())];
        if let Some(extra) = self.do_tags.get(component) {
            tags.extend(extra.iter().map(|t| t.attr("id")));
        }
        array(tags)
    }

    fn do_design_tag(&self) -> String {
        format!("stagecraft-{}", local_name(self.design.id.as_str()))
    }

    /// The SSH key servers of `provider` log in with, written once from `var.ssh_public_key`
    /// (per region on AWS, where key pairs are regional).
    fn ssh_key(&mut self, provider: Provider, region: &str) -> Expression {
        self.variable(
            "ssh_public_key",
            "Public SSH key (one line, `ssh-ed25519 AAAA...`) installed on every server; the private key stays with you (TF_VAR_ssh_public_key)",
            false,
        );
        let key_name = format!("stagecraft-{}", resource_name(self.design.id.as_str()));
        let (address, reference) = match provider {
            Provider::Hetzner => {
                let a = Address::new("hcloud_ssh_key", "stagecraft");
                let r = a.attr("id");
                (a, r)
            }
            Provider::Digitalocean => {
                let a = Address::new("digitalocean_ssh_key", "stagecraft");
                let r = a.attr("fingerprint");
                (a, r)
            }
            _ => {
                let a = Address::new("aws_key_pair", &local_name(&format!("r_{region}")));
                let r = a.attr("key_name");
                (a, r)
            }
        };
        if self
            .ssh_keys
            .insert(format!("{}.{}", address.kind, address.name))
        {
            let mut block = Block::builder("resource")
                .add_label(address.kind.as_str())
                .add_label(address.name.as_str());
            block = match provider {
                Provider::Hetzner => block
                    .add_attribute(("name", key_name))
                    .add_attribute(("public_key", var("ssh_public_key")))
                    .add_attribute(("labels", self.labels("ssh-key"))),
                Provider::Digitalocean => block
                    .add_attribute(("name", key_name))
                    .add_attribute(("public_key", var("ssh_public_key"))),
                _ => block
                    .add_attribute(("provider", self.aws_provider(region)))
                    .add_attribute(("key_name", key_name))
                    .add_attribute(("public_key", var("ssh_public_key"))),
            };
            self.resources.push(block.build());
        }
        reference
    }

    /// Declares an input variable once. Secrets are `sensitive`; no variable has a default, so
    /// no value is ever written into the file.
    fn variable(&mut self, name: &str, description: &str, sensitive: bool) {
        self.variables
            .entry(name.to_owned())
            .or_insert_with(|| input_variable(name, description, sensitive));
    }

    /// The Ubuntu image of a region, looked up by a data source (AMI ids differ per region).
    fn aws_ami(&mut self, region: &str) -> Expression {
        let name = local_name(&format!("ubuntu_{region}"));
        let provider = self.aws_provider(region);
        self.data.entry(name.clone()).or_insert_with(|| {
            Block::builder("data")
                .add_label("aws_ami")
                .add_label(name.as_str())
                .add_attribute(("provider", provider))
                .add_attribute(("most_recent", true))
                .add_attribute(("owners", array([Expression::from("099720109477")])))
                .add_block(
                    Block::builder("filter")
                        .add_attribute(("name", "name"))
                        .add_attribute((
                            "values",
                            array([Expression::from(
                                "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*",
                            )]),
                        ))
                        .build(),
                )
                .build()
        });
        traversal("data", &["aws_ami", &name, "id"])
    }

    fn aws_security_group(&mut self, component: &Component) {
        let name = local_name(component.id.as_str());
        let region = self.region_of(component);
        let provider = self.aws_provider(&region);
        self.providers.insert(Provider::Aws);
        let mut block = Block::builder("resource")
            .add_label("aws_security_group")
            .add_label(name.as_str())
            .add_attribute(("provider", provider))
            .add_attribute(("name", resource_name(&component.name)));
        if let Some(vpc) = self.network_of(component) {
            block = block.add_attribute(("vpc_id", vpc.attr("id")));
        }
        for rule in &component.properties.firewall_rules {
            let (from, to) = rule.port_range().ok().flatten().unwrap_or((0, 65535));
            let protocol = match rule.protocol {
                FirewallProtocol::Tcp => "tcp",
                FirewallProtocol::Udp => "udp",
                FirewallProtocol::Icmp => "icmp",
            };
            let ident = match rule.direction {
                Direction::Inbound => "ingress",
                Direction::Outbound => "egress",
            };
            let mut b = Block::builder(ident)
                .add_attribute(("from_port", u64::from(from)))
                .add_attribute(("to_port", u64::from(to)))
                .add_attribute(("protocol", protocol))
                .add_attribute((
                    "cidr_blocks",
                    array(
                        rule.addresses
                            .iter()
                            .filter(|a| !a.contains(':'))
                            .map(|a| Expression::from(a.as_str())),
                    ),
                ));
            if let Some(description) = &rule.description {
                b = b.add_attribute(("description", description.as_str()));
            }
            block = block.add_block(b.build());
        }
        block = block.add_block(
            Block::builder("egress")
                .add_attribute(("from_port", 0u64))
                .add_attribute(("to_port", 0u64))
                .add_attribute(("protocol", "-1"))
                .add_attribute(("cidr_blocks", array([Expression::from("0.0.0.0/0")])))
                .build(),
        );
        self.resources.push(block.build());
        let address = Address::new("aws_security_group", &name);
        for target in &component.properties.applies_to {
            self.security_groups
                .entry(target.clone())
                .or_default()
                .push(address.clone());
        }
    }

    fn aws_autoscaling(&mut self, component: &Component, name: &str, region: &str) {
        self.providers.insert(Provider::Aws);
        let provider = self.aws_provider(region);
        let ami = self.aws_ami(region);
        let ssh_key = self.ssh_key(Provider::Aws, region);
        let mut template = Block::builder("resource")
            .add_label("aws_launch_template")
            .add_label(name)
            .add_attribute(("provider", provider.clone()))
            .add_attribute((
                "name_prefix",
                format!("{}-", resource_name(&component.name)),
            ))
            .add_attribute(("image_id", ami))
            .add_attribute(("instance_type", self.size_of(component)))
            .add_attribute(("key_name", ssh_key));
        if let Some(groups) = self.security_groups.get(&component.id) {
            template = template.add_attribute((
                "vpc_security_group_ids",
                array(groups.iter().map(|g| g.attr("id"))),
            ));
        }
        self.resources.push(template.build());
        let (min, max) = component
            .properties
            .autoscaling
            .as_ref()
            .map_or((component.count, component.count), |a| (a.min, a.max));
        let mut group = Block::builder("resource")
            .add_label("aws_autoscaling_group")
            .add_label(name)
            .add_attribute(("provider", provider))
            .add_attribute(("name", resource_name(&component.name)))
            .add_attribute(("min_size", u64::from(min)))
            .add_attribute(("max_size", u64::from(max)))
            .add_attribute((
                "desired_capacity",
                u64::from(component.count.clamp(min, max)),
            ));
        if let Some(vpc) = self.network_of(component) {
            group = group.add_attribute(("vpc_zone_identifier", self.aws_subnets(&vpc)));
        }
        let targets: Vec<Expression> = self
            .load_balancers_into(component)
            .into_iter()
            .map(|lb| Address::new("aws_lb_target_group", &lb).attr("arn"))
            .collect();
        if !targets.is_empty() {
            group = group.add_attribute(("target_group_arns", array(targets)));
        }
        group = group.add_block(
            Block::builder("launch_template")
                .add_attribute(("id", Address::new("aws_launch_template", name).attr("id")))
                .add_attribute(("version", "$Latest"))
                .build(),
        );
        self.resources.push(group.build());
        self.pools.insert(
            component.id.clone(),
            Address::new("aws_autoscaling_group", name),
        );
    }

    /// Load balancers (local names) with a connection to `component`.
    fn load_balancers_into(&self, component: &Component) -> Vec<String> {
        let mut lbs: Vec<String> = self
            .design
            .connections
            .iter()
            .filter(|c| c.to == component.id)
            .filter_map(|c| self.design.component(&c.from))
            .filter(|c| c.kind == ComponentKind::LoadBalancer && c.provider == component.provider)
            .map(|c| local_name(c.id.as_str()))
            .collect();
        lbs.sort();
        lbs.dedup();
        lbs
    }

    fn aws_database(&mut self, component: &Component, name: &str, region: &str) {
        self.providers.insert(Provider::Aws);
        let provider = self.aws_provider(region);
        let engine = match component.properties.engine {
            Some(Engine::Mysql) => "mysql",
            _ => "postgres",
        };
        let mut block = Block::builder("resource")
            .add_label("aws_db_instance")
            .add_label(name)
            .add_attribute(("provider", provider.clone()))
            .add_attribute(("identifier", resource_name(&component.name)))
            .add_attribute(("engine", engine))
            .add_attribute(("instance_class", self.size_of(component)))
            .add_attribute((
                "allocated_storage",
                u64::from(component.properties.storage_gb.unwrap_or(20)),
            ))
            .add_attribute((
                "multi_az",
                component.properties.standby_nodes.unwrap_or(0) > 0,
            ))
            .add_attribute(("username", "stagecraft"))
            // RDS creates the password and keeps it in Secrets Manager: none appears here.
            .add_attribute(("manage_master_user_password", true))
            .add_attribute(("skip_final_snapshot", false))
            .add_attribute((
                "final_snapshot_identifier",
                format!("{}-final", resource_name(&component.name)),
            ));
        if let Some(version) = &component.properties.engine_version {
            block = block.add_attribute(("engine_version", version.as_str()));
        }
        if let Some(days) = component
            .properties
            .backup
            .as_ref()
            .and_then(|b| b.retention_days)
        {
            block = block.add_attribute(("backup_retention_period", u64::from(days.min(35))));
        }
        if let Some(vpc) = self.network_of(component) {
            self.resources.push(
                Block::builder("resource")
                    .add_label("aws_db_subnet_group")
                    .add_label(name)
                    .add_attribute(("provider", provider))
                    .add_attribute(("name", resource_name(&component.name)))
                    .add_attribute(("subnet_ids", self.aws_subnets(&vpc)))
                    .build(),
            );
            block = block.add_attribute((
                "db_subnet_group_name",
                Address::new("aws_db_subnet_group", name).attr("name"),
            ));
        }
        if let Some(groups) = self.security_groups.get(&component.id) {
            block = block.add_attribute((
                "vpc_security_group_ids",
                array(groups.iter().map(|g| g.attr("id"))),
            ));
        }
        self.resources.push(block.build());
        self.output(
            &format!("{name}_endpoint"),
            Address::new("aws_db_instance", name).attr("endpoint"),
        );
    }

    fn aws_cache(&mut self, component: &Component, name: &str, region: &str) {
        self.providers.insert(Provider::Aws);
        let provider = self.aws_provider(region);
        let engine = match component.properties.engine {
            Some(Engine::Valkey) => "valkey",
            _ => "redis",
        };
        let mut block = Block::builder("resource")
            .add_label("aws_elasticache_replication_group")
            .add_label(name)
            .add_attribute(("provider", provider.clone()))
            .add_attribute(("replication_group_id", resource_name(&component.name)))
            .add_attribute(("description", component.name.trim()))
            .add_attribute(("engine", engine))
            .add_attribute(("node_type", self.size_of(component)))
            .add_attribute((
                "num_cache_clusters",
                1 + u64::from(component.properties.standby_nodes.unwrap_or(0)),
            ))
            .add_attribute((
                "automatic_failover_enabled",
                component.properties.standby_nodes.unwrap_or(0) > 0,
            ));
        if let Some(vpc) = self.network_of(component) {
            self.resources.push(
                Block::builder("resource")
                    .add_label("aws_elasticache_subnet_group")
                    .add_label(name)
                    .add_attribute(("provider", provider))
                    .add_attribute(("name", resource_name(&component.name)))
                    .add_attribute(("subnet_ids", self.aws_subnets(&vpc)))
                    .build(),
            );
            block = block.add_attribute((
                "subnet_group_name",
                Address::new("aws_elasticache_subnet_group", name).attr("name"),
            ));
        }
        self.resources.push(block.build());
        self.output(
            &format!("{name}_endpoint"),
            Address::new("aws_elasticache_replication_group", name)
                .attr("primary_endpoint_address"),
        );
    }

    /// Server resources of `ids`, in id order.
    fn targets(&self, ids: &[ComponentId]) -> Vec<Address> {
        let mut ids: Vec<&ComponentId> = ids.iter().collect();
        ids.sort();
        ids.dedup();
        ids.into_iter()
            .filter_map(|id| self.servers.get(id))
            .flatten()
            .cloned()
            .collect()
    }

    /// Firewalls, load balancers and volumes: resources wired to servers by reference.
    fn dependent(&mut self, component: &Component) {
        if component.provider == Provider::Unassigned {
            return;
        }
        let name = local_name(component.id.as_str());
        let region = self.region_of(component);
        match (component.kind, component.provider) {
            (ComponentKind::Firewall, Provider::Hetzner) => {
                self.providers.insert(Provider::Hetzner);
                let mut block = Block::builder("resource")
                    .add_label("hcloud_firewall")
                    .add_label(name.as_str())
                    .add_attribute(("name", resource_name(&component.name)))
                    .add_attribute(("labels", self.labels(component.id.as_str())));
                for rule in &component.properties.firewall_rules {
                    let inbound = rule.direction == Direction::Inbound;
                    let mut b = Block::builder("rule")
                        .add_attribute(("direction", if inbound { "in" } else { "out" }))
                        .add_attribute(("protocol", firewall_protocol(rule.protocol)));
                    if let Some(port) = &rule.port {
                        b = b.add_attribute(("port", port.as_str()));
                    }
                    let addresses =
                        array(rule.addresses.iter().map(|a| Expression::from(a.as_str())));
                    b = b.add_attribute((
                        if inbound {
                            "source_ips"
                        } else {
                            "destination_ips"
                        },
                        addresses,
                    ));
                    if let Some(description) = &rule.description {
                        b = b.add_attribute(("description", description.as_str()));
                    }
                    block = block.add_block(b.build());
                }
                for server in self.targets(&component.properties.applies_to) {
                    block = block.add_block(
                        Block::builder("apply_to")
                            .add_attribute(("server", server.attr("id")))
                            .build(),
                    );
                }
                self.resources.push(block.build());
            }
            (ComponentKind::Firewall, Provider::Digitalocean) => {
                self.providers.insert(Provider::Digitalocean);
                let mut block = Block::builder("resource")
                    .add_label("digitalocean_firewall")
                    .add_label(name.as_str())
                    .add_attribute(("name", resource_name(&component.name)))
                    .add_attribute((
                        "droplet_ids",
                        array(
                            self.targets(&component.properties.applies_to)
                                .iter()
                                .map(|s| s.attr("id")),
                        ),
                    ));
                // Droplets of an autoscale pool come and go: the firewall finds them by tag.
                let pool_tags = self.pool_tags(&component.properties.applies_to);
                if !pool_tags.is_empty() {
                    block = block.add_attribute(("tags", array(pool_tags)));
                }
                for rule in &component.properties.firewall_rules {
                    let inbound = rule.direction == Direction::Inbound;
                    let mut b = Block::builder(if inbound {
                        "inbound_rule"
                    } else {
                        "outbound_rule"
                    })
                    .add_attribute(("protocol", firewall_protocol(rule.protocol)));
                    if rule.protocol != FirewallProtocol::Icmp {
                        b = b.add_attribute((
                            "port_range",
                            rule.port.clone().unwrap_or_else(|| "1-65535".into()),
                        ));
                    }
                    let addresses =
                        array(rule.addresses.iter().map(|a| Expression::from(a.as_str())));
                    b = b.add_attribute((
                        if inbound {
                            "source_addresses"
                        } else {
                            "destination_addresses"
                        },
                        addresses,
                    ));
                    block = block.add_block(b.build());
                }
                self.resources.push(block.build());
            }
            (ComponentKind::LoadBalancer, provider) => {
                self.load_balancer(component, provider, &name, &region)
            }
            (ComponentKind::BlockVolume, provider) => {
                self.providers.insert(provider);
                let size = u64::from(component.properties.storage_gb.unwrap_or(10));
                let server = component
                    .properties
                    .attached_to
                    .as_ref()
                    .and_then(|id| self.servers.get(id))
                    .and_then(|s| s.first().cloned());
                match provider {
                    Provider::Hetzner => {
                        self.resources.push(
                            Block::builder("resource")
                                .add_label("hcloud_volume")
                                .add_label(name.as_str())
                                .add_attribute(("name", resource_name(&component.name)))
                                .add_attribute(("size", size))
                                .add_attribute(("location", region.as_str()))
                                .add_attribute(("format", "ext4"))
                                .build(),
                        );
                        if let Some(server) = server {
                            self.resources.push(
                                Block::builder("resource")
                                    .add_label("hcloud_volume_attachment")
                                    .add_label(name.as_str())
                                    .add_attribute((
                                        "volume_id",
                                        Address::new("hcloud_volume", &name).attr("id"),
                                    ))
                                    .add_attribute(("server_id", server.attr("id")))
                                    .add_attribute(("automount", true))
                                    .build(),
                            );
                        }
                    }
                    Provider::Digitalocean => {
                        self.resources.push(
                            Block::builder("resource")
                                .add_label("digitalocean_volume")
                                .add_label(name.as_str())
                                .add_attribute(("name", resource_name(&component.name)))
                                .add_attribute(("region", region.as_str()))
                                .add_attribute(("size", size))
                                .build(),
                        );
                        if let Some(server) = server {
                            self.resources.push(
                                Block::builder("resource")
                                    .add_label("digitalocean_volume_attachment")
                                    .add_label(name.as_str())
                                    .add_attribute(("droplet_id", server.attr("id")))
                                    .add_attribute((
                                        "volume_id",
                                        Address::new("digitalocean_volume", &name).attr("id"),
                                    ))
                                    .build(),
                            );
                        }
                    }
                    _ => {
                        let provider = self.aws_provider(&region);
                        self.resources.push(
                            Block::builder("resource")
                                .add_label("aws_ebs_volume")
                                .add_label(name.as_str())
                                .add_attribute(("provider", provider.clone()))
                                .add_attribute(("availability_zone", format!("{region}a")))
                                .add_attribute(("size", size))
                                .build(),
                        );
                        if let Some(server) = server {
                            self.resources.push(
                                Block::builder("resource")
                                    .add_label("aws_volume_attachment")
                                    .add_label(name.as_str())
                                    .add_attribute(("provider", provider))
                                    .add_attribute(("device_name", "/dev/sdf"))
                                    .add_attribute((
                                        "volume_id",
                                        Address::new("aws_ebs_volume", &name).attr("id"),
                                    ))
                                    .add_attribute(("instance_id", server.attr("id")))
                                    .build(),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn load_balancer(
        &mut self,
        component: &Component,
        provider: Provider,
        name: &str,
        region: &str,
    ) {
        self.providers.insert(provider);
        let outgoing: Vec<&stagecraft_model::Connection> = {
            let mut c: Vec<_> = self
                .design
                .connections
                .iter()
                .filter(|c| c.from == component.id)
                .collect();
            c.sort_by(|a, b| a.id.cmp(&b.id));
            c
        };
        let target_ids: Vec<ComponentId> = outgoing.iter().map(|c| c.to.clone()).collect();
        let servers = self.targets(&target_ids);
        let port = outgoing
            .first()
            .and_then(|c| c.ports.first().copied().or(c.protocol.default_port()))
            .unwrap_or(80);
        let health = component.properties.health_check.clone();
        let network = self.network_of(component);
        match provider {
            Provider::Hetzner => {
                let lb = Address::new("hcloud_load_balancer", name);
                self.resources.push(
                    Block::builder("resource")
                        .add_label("hcloud_load_balancer")
                        .add_label(name)
                        .add_attribute(("name", resource_name(&component.name)))
                        .add_attribute(("load_balancer_type", self.size_of(component)))
                        .add_attribute(("location", region))
                        .add_attribute(("labels", self.labels(component.id.as_str())))
                        .build(),
                );
                let mut service = Block::builder("resource")
                    .add_label("hcloud_load_balancer_service")
                    .add_label(name)
                    .add_attribute(("load_balancer_id", lb.attr("id")))
                    .add_attribute(("protocol", "http"))
                    .add_attribute(("listen_port", 80u64))
                    .add_attribute(("destination_port", u64::from(port)));
                if let Some(h) = &health {
                    let mut check = Block::builder("health_check")
                        .add_attribute((
                            "protocol",
                            if h.protocol == Protocol::Tcp {
                                "tcp"
                            } else {
                                "http"
                            },
                        ))
                        .add_attribute(("port", u64::from(h.port)))
                        .add_attribute(("interval", u64::from(h.interval_seconds)))
                        .add_attribute(("timeout", u64::from(h.interval_seconds.clamp(1, 10))));
                    if let Some(path) = &h.path {
                        check = check.add_block(
                            Block::builder("http")
                                .add_attribute(("path", path.as_str()))
                                .build(),
                        );
                    }
                    service = service.add_block(check.build());
                }
                self.resources.push(service.build());
                if let Some(net) = &network {
                    self.resources.push(
                        Block::builder("resource")
                            .add_label("hcloud_load_balancer_network")
                            .add_label(name)
                            .add_attribute(("load_balancer_id", lb.attr("id")))
                            .add_attribute(("network_id", net.attr("id")))
                            .build(),
                    );
                }
                for server in &servers {
                    let mut target = Block::builder("resource")
                        .add_label("hcloud_load_balancer_target")
                        .add_label(format!("{name}_{}", server.name))
                        .add_attribute(("type", "server"))
                        .add_attribute(("load_balancer_id", lb.attr("id")))
                        .add_attribute(("server_id", server.attr("id")));
                    if network.is_some() {
                        target = target
                            .add_attribute(("use_private_ip", true))
                            .add_attribute((
                                "depends_on",
                                array([Expression::from(
                                    Traversal::builder(Variable::unchecked(
                                        "hcloud_load_balancer_network",
                                    ))
                                    .attr(Identifier::unchecked(name))
                                    .build(),
                                )]),
                            ));
                    }
                    self.resources.push(target.build());
                }
                self.output(&format!("{name}_ipv4"), lb.attr("ipv4"));
            }
            Provider::Digitalocean => {
                let mut block = Block::builder("resource")
                    .add_label("digitalocean_loadbalancer")
                    .add_label(name)
                    .add_attribute(("name", resource_name(&component.name)))
                    .add_attribute(("region", region))
                    .add_attribute(("size", self.size_of(component)));
                // With an autoscale pool among the targets, every target carries the load
                // balancer's tag (see `collect_load_balancer_tags`) and the balancer selects by it.
                block = if self.lb_selects_by_tag(&component.id) {
                    block.add_attribute((
                        "droplet_tag",
                        Address::new("digitalocean_tag", name).attr("name"),
                    ))
                } else {
                    block
                        .add_attribute(("droplet_ids", array(servers.iter().map(|s| s.attr("id")))))
                };
                if let Some(net) = &network {
                    block = block.add_attribute(("vpc_uuid", net.attr("id")));
                }
                block = block.add_block(
                    Block::builder("forwarding_rule")
                        .add_attribute(("entry_protocol", "http"))
                        .add_attribute(("entry_port", 80u64))
                        .add_attribute(("target_protocol", "http"))
                        .add_attribute(("target_port", u64::from(port)))
                        .build(),
                );
                if let Some(h) = &health {
                    let mut check = Block::builder("healthcheck")
                        .add_attribute((
                            "protocol",
                            if h.protocol == Protocol::Tcp {
                                "tcp"
                            } else {
                                "http"
                            },
                        ))
                        .add_attribute(("port", u64::from(h.port)))
                        .add_attribute(("check_interval_seconds", u64::from(h.interval_seconds)));
                    if let Some(path) = &h.path {
                        check = check.add_attribute(("path", path.as_str()));
                    }
                    block = block.add_block(check.build());
                }
                self.resources.push(block.build());
                self.output(
                    &format!("{name}_ipv4"),
                    Address::new("digitalocean_loadbalancer", name).attr("ip"),
                );
            }
            _ => {
                let provider_ref = self.aws_provider(region);
                let lb = Address::new("aws_lb", name);
                let tg = Address::new("aws_lb_target_group", name);
                let mut block = Block::builder("resource")
                    .add_label("aws_lb")
                    .add_label(name)
                    .add_attribute(("provider", provider_ref.clone()))
                    .add_attribute(("name", resource_name(&component.name)))
                    .add_attribute((
                        "load_balancer_type",
                        if component.size.as_deref() == Some("nlb") {
                            "network"
                        } else {
                            "application"
                        },
                    ));
                if let Some(net) = &network {
                    block = block.add_attribute(("subnets", self.aws_subnets(net)));
                }
                self.resources.push(block.build());
                let mut group = Block::builder("resource")
                    .add_label("aws_lb_target_group")
                    .add_label(name)
                    .add_attribute(("provider", provider_ref.clone()))
                    .add_attribute(("name", resource_name(&component.name)))
                    .add_attribute(("port", u64::from(port)))
                    .add_attribute(("protocol", "HTTP"));
                if let Some(net) = &network {
                    group = group.add_attribute(("vpc_id", net.attr("id")));
                }
                if let Some(h) = &health {
                    let mut check = Block::builder("health_check")
                        .add_attribute(("port", h.port.to_string()))
                        .add_attribute(("interval", u64::from(h.interval_seconds.max(5))));
                    if let Some(path) = &h.path {
                        check = check.add_attribute(("path", path.as_str()));
                    }
                    group = group.add_block(check.build());
                }
                self.resources.push(group.build());
                self.resources.push(
                    Block::builder("resource")
                        .add_label("aws_lb_listener")
                        .add_label(name)
                        .add_attribute(("provider", provider_ref.clone()))
                        .add_attribute(("load_balancer_arn", lb.attr("arn")))
                        .add_attribute(("port", 80u64))
                        .add_attribute(("protocol", "HTTP"))
                        .add_block(
                            Block::builder("default_action")
                                .add_attribute(("type", "forward"))
                                .add_attribute(("target_group_arn", tg.attr("arn")))
                                .build(),
                        )
                        .build(),
                );
                for server in &servers {
                    self.resources.push(
                        Block::builder("resource")
                            .add_label("aws_lb_target_group_attachment")
                            .add_label(format!("{name}_{}", server.name))
                            .add_attribute(("provider", provider_ref.clone()))
                            .add_attribute(("target_group_arn", tg.attr("arn")))
                            .add_attribute(("target_id", server.attr("id")))
                            .add_attribute(("port", u64::from(port)))
                            .build(),
                    );
                }
                self.output(&format!("{name}_dns_name"), lb.attr("dns_name"));
            }
        }
    }

    fn output(&mut self, name: &str, value: Expression) {
        self.outputs.push(
            Block::builder("output")
                .add_label(name)
                .add_attribute(("value", value))
                .build(),
        );
    }

    fn body(self) -> Body {
        let mut required = Vec::new();
        let mut blocks = Vec::new();
        let mut variables = Vec::new();
        for provider in &self.providers {
            match provider {
                Provider::Hetzner => {
                    // 1.56: the first release with generally available DNS zones and RRsets.
                    required.push(("hcloud", "hetznercloud/hcloud", "~> 1.56"));
                    variables.push(token_variable(
                        "hcloud_token",
                        "Hetzner Cloud API token (read from the environment: TF_VAR_hcloud_token)",
                    ));
                    blocks.push(
                        Block::builder("provider")
                            .add_label("hcloud")
                            .add_attribute(("token", var("hcloud_token")))
                            .build(),
                    );
                }
                Provider::Digitalocean => {
                    required.push(("digitalocean", "digitalocean/digitalocean", "~> 2.55"));
                    variables.push(token_variable(
                        "digitalocean_token",
                        "DigitalOcean API token (TF_VAR_digitalocean_token)",
                    ));
                    blocks.push(
                        Block::builder("provider")
                            .add_label("digitalocean")
                            .add_attribute(("token", var("digitalocean_token")))
                            .build(),
                    );
                }
                Provider::Aws => {
                    required.push(("aws", "hashicorp/aws", "~> 5.80"));
                    variables.push(token_variable(
                        "aws_access_key_id",
                        "AWS access key id (TF_VAR_aws_access_key_id)",
                    ));
                    variables.push(token_variable(
                        "aws_secret_access_key",
                        "AWS secret access key (TF_VAR_aws_secret_access_key)",
                    ));
                    for region in &self.aws_regions {
                        blocks.push(
                            Block::builder("provider")
                                .add_label("aws")
                                .add_attribute(("alias", local_name(&format!("r_{region}"))))
                                .add_attribute(("region", region.as_str()))
                                .add_attribute(("access_key", var("aws_access_key_id")))
                                .add_attribute(("secret_key", var("aws_secret_access_key")))
                                .build(),
                        );
                    }
                }
                Provider::Unassigned => {}
            }
        }
        if !self.minio_locations.is_empty() {
            // Hetzner's own guide creates Object Storage buckets with the MinIO provider.
            required.push(("minio", "aminueza/minio", "~> 3.3"));
            for location in &self.minio_locations {
                blocks.push(
                    Block::builder("provider")
                        .add_label("minio")
                        .add_attribute(("alias", minio_alias(location)))
                        .add_attribute((
                            "minio_server",
                            format!("{location}.your-objectstorage.com"),
                        ))
                        .add_attribute(("minio_region", location.as_str()))
                        .add_attribute(("minio_user", var("hetzner_s3_access_key")))
                        .add_attribute(("minio_password", var("hetzner_s3_secret_key")))
                        .add_attribute(("minio_ssl", true))
                        .build(),
                );
            }
        }
        variables.extend(self.variables.into_values());
        let terraform = Block::builder("terraform")
            .add_attribute(("required_version", ">= 1.6"))
            .add_block(
                Block::builder("required_providers")
                    .add_attributes(required.into_iter().map(|(name, source, version)| {
                        Attribute::new(
                            name,
                            object([
                                ("source", Expression::from(source)),
                                ("version", Expression::from(version)),
                            ]),
                        )
                    }))
                    .build(),
            )
            .build();
        let mut body = Body::builder()
            .add_block(terraform)
            .add_blocks(variables)
            .add_blocks(blocks);
        body = body.add_blocks(self.data.into_values());
        body = body.add_blocks(self.networks).add_blocks(self.resources);
        let not_provisioned = Expression::Object(
            self.not_provisioned
                .into_iter()
                .map(|(k, v)| {
                    (
                        ObjectKey::Identifier(Identifier::unchecked(k)),
                        Expression::from(v),
                    )
                })
                .collect(),
        );
        body = body.add_block(
            Block::builder("locals")
                .add_attribute(("design_id", self.design.id.as_str()))
                .add_attribute(("not_provisioned", not_provisioned))
                .add_attributes(
                    self.locals
                        .into_iter()
                        .map(|(k, v)| Attribute::new(Identifier::unchecked(k), v)),
                )
                .build(),
        );
        let mut outputs = self.outputs;
        outputs.sort_by(|a, b| {
            a.labels()
                .first()
                .map(|l| l.as_str().to_owned())
                .cmp(&b.labels().first().map(|l| l.as_str().to_owned()))
        });
        body.add_blocks(outputs).build()
    }
}

fn token_variable(name: &str, description: &str) -> Block {
    input_variable(name, description, true)
}

/// A `string` variable without a default: the value comes from the environment (`TF_VAR_x`) or
/// a `.tfvars` file the user keeps, never from this file.
fn input_variable(name: &str, description: &str, sensitive: bool) -> Block {
    let mut block = Block::builder("variable")
        .add_label(name)
        .add_attribute(("description", description))
        .add_attribute((
            "type",
            Expression::from(Traversal::builder(Variable::unchecked("string")).build()),
        ));
    if sensitive {
        block = block.add_attribute(("sensitive", true));
    }
    block.build()
}

fn firewall_protocol(protocol: FirewallProtocol) -> &'static str {
    match protocol {
        FirewallProtocol::Tcp => "tcp",
        FirewallProtocol::Udp => "udp",
        FirewallProtocol::Icmp => "icmp",
    }
}

/// Hetzner network zone of a location.
fn hetzner_zone(location: &str) -> &'static str {
    match location {
        "ash" => "us-east",
        "hil" => "us-west",
        "sin" => "ap-southeast",
        _ => "eu-central",
    }
}

/// Lines `key = value` at one indent, one after another, get their `=` aligned as `terraform fmt`
/// (hclwrite) does. A line whose value opens a multi-line expression (`key = {`) is not aligned
/// and ends the run, as is any line without an assignment (blank lines, block headers, braces).
fn align_attributes(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let parse = |line: &str| -> Option<(usize, String, String)> {
        let indent = line.len() - line.trim_start().len();
        let (key, rest) = line.trim_start().split_once(" = ")?;
        let valid = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '"');
        let opens = rest.ends_with('{') || rest.ends_with('[') || rest.ends_with('(');
        (valid && !opens).then(|| (indent, key.to_owned(), rest.to_owned()))
    };
    let mut i = 0;
    while i < lines.len() {
        let Some((indent, _, _)) = parse(lines[i]) else {
            out.push(lines[i].to_owned());
            i += 1;
            continue;
        };
        let mut run = Vec::new();
        let mut j = i;
        while let Some((ind, key, value)) = lines.get(j).and_then(|l| parse(l)) {
            if ind != indent {
                break;
            }
            run.push((key, value));
            j += 1;
        }
        let width = run.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (key, value) in run {
            out.push(format!("{}{key:<width$} = {value}", " ".repeat(indent)));
        }
        i = j;
    }
    let mut joined = out.join("\n");
    joined.push('\n');
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_signs_line_up_like_terraform_fmt() {
        let text = "resource \"a\" \"b\" {\n  name = \"x\"\n  server_type = \"cx22\"\n  labels = {\n    k = \"v\"\n  }\n}\n";
        let aligned = align_attributes(text);
        assert!(
            aligned.contains("  name        = \"x\"\n  server_type = \"cx22\"\n  labels = {\n"),
            "{aligned}"
        );
    }

    #[test]
    fn local_names_are_valid_identifiers() {
        assert_eq!(local_name("cmp_app-1"), "app_1");
        assert_eq!(local_name("cmp_1st"), "c_1st");
        assert_eq!(resource_name(" My App! "), "my-app");
    }
}
