//! The engine's view of AWS: neutral resources in, EC2 / ELBv2 / RDS objects out.
//!
//! Provider ids are `<region>/<id>` (`eu-central-1/vpc-0abc`): AWS ids do not say their region,
//! and every call is regional. Each neutral resource is a set of parts (see the module doc of
//! [`crate::aws`]); creating one means, part by part, "find it by its tags, else create it with
//! its tags", then writing the fingerprint tag on the primary part as the commit. Creating an
//! existing or half-created resource again therefore completes it without a duplicate.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::Engine as _;
use stagecraft_model::{
    catalog, DesignId, Direction, Engine as DbEngine, FirewallProtocol, Protocol, Provider,
};
use tokio::sync::Mutex;

use super::client::{tags_of, AwsClient, Params, Service};
use super::mapping::ssh_key_region;
use super::xml::Element;
use super::{catalogue_regions, CANONICAL_OWNER, TAG_PART};
use crate::engine::{BoxFuture, ObservedResource, ProviderDriver, ResolvedIds};
use crate::resources::{
    DesiredResource, FirewallRuleSpec, LbServiceSpec, ResourceKey, ResourceKind, ResourceSpec,
    LABEL_COMPONENT, LABEL_DESIGN, LABEL_MANAGED_BY, LABEL_MANAGED_BY_VALUE, LABEL_RESOURCE,
    LABEL_SPEC,
};
use crate::transport::{ProviderError, ProviderErrorKind};

// Part names, written in the `stagecraft-part` tag.
const VPC: &str = "vpc";
const SUBNETS: [&str; 2] = ["subnet-a", "subnet-b"];
const IGW: &str = "igw";
const ROUTE_TABLE: &str = "rtb";
const SECURITY_GROUP: &str = "sg";
const KEY_PAIR: &str = "key-pair";
const INSTANCE: &str = "instance";
const ELASTIC_IP: &str = "eip";
const VOLUME: &str = "volume";
const LB_SECURITY_GROUP: &str = "lb-sg";
const TARGET_GROUP_PREFIX: &str = "tg-";
const BALANCER: &str = "lb";
const DB_SECURITY_GROUP: &str = "db-sg";
const DB_SUBNET_GROUP: &str = "db-subnet-group";
const DATABASE: &str = "db";

/// The neutral kind a part belongs to.
fn kind_of_part(part: &str) -> Option<ResourceKind> {
    Some(match part {
        VPC | IGW | ROUTE_TABLE => ResourceKind::Network,
        p if SUBNETS.contains(&p) => ResourceKind::Network,
        SECURITY_GROUP => ResourceKind::Firewall,
        KEY_PAIR => ResourceKind::SshKey,
        INSTANCE => ResourceKind::Server,
        ELASTIC_IP => ResourceKind::PrimaryIp,
        VOLUME => ResourceKind::Volume,
        LB_SECURITY_GROUP | BALANCER => ResourceKind::LoadBalancer,
        p if p.starts_with(TARGET_GROUP_PREFIX) => ResourceKind::LoadBalancer,
        DB_SECURITY_GROUP | DB_SUBNET_GROUP | DATABASE => ResourceKind::Database,
        _ => return None,
    })
}

/// The part whose id is the resource's provider id and which carries the fingerprint tag.
fn primary_part(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Network => VPC,
        ResourceKind::Firewall => SECURITY_GROUP,
        ResourceKind::SshKey => KEY_PAIR,
        ResourceKind::Server => INSTANCE,
        ResourceKind::PrimaryIp => ELASTIC_IP,
        ResourceKind::Volume => VOLUME,
        ResourceKind::LoadBalancer => BALANCER,
        ResourceKind::Database => DATABASE,
        ResourceKind::PlacementGroup => "placement-group",
    }
}

/// The EC2 object types Stagecraft creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ec2Type {
    Vpc,
    Subnet,
    InternetGateway,
    RouteTable,
    SecurityGroup,
    KeyPair,
    Instance,
    Address,
    Volume,
}

impl Ec2Type {
    const ALL: [Ec2Type; 9] = [
        Ec2Type::Vpc,
        Ec2Type::Subnet,
        Ec2Type::InternetGateway,
        Ec2Type::RouteTable,
        Ec2Type::SecurityGroup,
        Ec2Type::KeyPair,
        Ec2Type::Instance,
        Ec2Type::Address,
        Ec2Type::Volume,
    ];

    fn describe_action(self) -> &'static str {
        match self {
            Ec2Type::Vpc => "DescribeVpcs",
            Ec2Type::Subnet => "DescribeSubnets",
            Ec2Type::InternetGateway => "DescribeInternetGateways",
            Ec2Type::RouteTable => "DescribeRouteTables",
            Ec2Type::SecurityGroup => "DescribeSecurityGroups",
            Ec2Type::KeyPair => "DescribeKeyPairs",
            Ec2Type::Instance => "DescribeInstances",
            Ec2Type::Address => "DescribeAddresses",
            Ec2Type::Volume => "DescribeVolumes",
        }
    }

    fn list(self) -> &'static str {
        match self {
            Ec2Type::Vpc => "vpcSet",
            Ec2Type::Subnet => "subnetSet",
            Ec2Type::InternetGateway => "internetGatewaySet",
            Ec2Type::RouteTable => "routeTableSet",
            Ec2Type::SecurityGroup => "securityGroupInfo",
            Ec2Type::KeyPair => "keySet",
            Ec2Type::Instance => "reservationSet",
            Ec2Type::Address => "addressesSet",
            Ec2Type::Volume => "volumeSet",
        }
    }

    fn id_field(self) -> &'static str {
        match self {
            Ec2Type::Vpc => "vpcId",
            Ec2Type::Subnet => "subnetId",
            Ec2Type::InternetGateway => "internetGatewayId",
            Ec2Type::RouteTable => "routeTableId",
            Ec2Type::SecurityGroup => "groupId",
            // Instances name key pairs, not their ids.
            Ec2Type::KeyPair => "keyName",
            Ec2Type::Instance => "instanceId",
            Ec2Type::Address => "allocationId",
            Ec2Type::Volume => "volumeId",
        }
    }

    /// A filter leaving out objects that are gone but still listed (terminated instances).
    fn live_filter(self) -> Option<(&'static str, Vec<String>)> {
        let values = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        match self {
            Ec2Type::Instance => Some((
                "instance-state-name",
                values(&["pending", "running", "stopping", "stopped"]),
            )),
            Ec2Type::Volume => Some(("status", values(&["creating", "available", "in-use"]))),
            _ => None,
        }
    }

    fn of_part(part: &str) -> Option<Ec2Type> {
        Some(match part {
            VPC => Ec2Type::Vpc,
            p if SUBNETS.contains(&p) => Ec2Type::Subnet,
            IGW => Ec2Type::InternetGateway,
            ROUTE_TABLE => Ec2Type::RouteTable,
            SECURITY_GROUP | LB_SECURITY_GROUP | DB_SECURITY_GROUP => Ec2Type::SecurityGroup,
            KEY_PAIR => Ec2Type::KeyPair,
            INSTANCE => Ec2Type::Instance,
            ELASTIC_IP => Ec2Type::Address,
            VOLUME => Ec2Type::Volume,
            _ => return None,
        })
    }
}

/// One AWS object of a design, as found or created.
#[derive(Debug, Clone)]
struct Part {
    region: String,
    owner: String,
    local: String,
    part: String,
    id: String,
    tags: BTreeMap<String, String>,
    /// Settings read back (`server_type`, `ip_range`...).
    attributes: BTreeMap<String, String>,
    element: Element,
}

impl Part {
    fn key(&self) -> ResourceKey {
        ResourceKey::new(&self.owner, &self.local)
    }
}

fn text(element: &Element, path: &str) -> Option<String> {
    element.text_at(path).map(str::to_owned)
}

/// Settings worth reading back from an object, by the attribute names the plan compares.
fn attributes_of(part: &str, element: &Element) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            out.insert(name.to_owned(), value);
        }
    };
    match part {
        VPC => put("ip_range", text(element, "cidrBlock")),
        INSTANCE => {
            put("server_type", text(element, "instanceType"));
            put("status", text(element, "instanceState/name"));
            put("zone", text(element, "placement/availabilityZone"));
            put("public_ip", text(element, "ipAddress"));
            // Where the instance's WireGuard peers reach it.
            put(crate::wireguard::PUBLIC_IPV4, text(element, "ipAddress"));
            put("private_ip", text(element, "privateIpAddress"));
        }
        VOLUME => {
            put("size", text(element, "size"));
            put("status", text(element, "status"));
        }
        ELASTIC_IP => put("public_ip", text(element, "publicIp")),
        BALANCER => {
            put(
                "load_balancer_type",
                text(element, "Type").map(|t| {
                    if t == "network" {
                        "nlb".to_owned()
                    } else {
                        "alb".to_owned()
                    }
                }),
            );
            put("dns_name", text(element, "DNSName"));
            put("status", text(element, "State/Code"));
        }
        DATABASE => {
            put("size", text(element, "DBInstanceClass"));
            put("status", text(element, "DBInstanceStatus"));
            // The neutral names the plan compares with the design.
            put(
                "engine",
                text(element, "Engine").map(|e| match e.as_str() {
                    "postgres" => "postgresql".to_owned(),
                    other => other.to_owned(),
                }),
            );
            put(
                "nodes",
                text(element, "MultiAZ").map(|m| if m == "true" { "2" } else { "1" }.to_owned()),
            );
            put("endpoint", text(element, "Endpoint/Address"));
            // Priced per GB and copy by the plan's cost.
            put("storage_gb", text(element, "AllocatedStorage"));
        }
        _ => {}
    }
    out
}

/// A part from an object and its tags; `None` for objects without Stagecraft's identity tags.
fn part_from(
    region: &str,
    id: String,
    tags: BTreeMap<String, String>,
    element: Element,
) -> Option<Part> {
    let owner = tags.get(LABEL_COMPONENT)?.clone();
    let local = tags.get(LABEL_RESOURCE)?.clone();
    let part = tags.get(TAG_PART)?.clone();
    kind_of_part(&part)?;
    Some(Part {
        region: region.to_owned(),
        attributes: attributes_of(&part, &element),
        owner,
        local,
        part,
        id,
        tags,
        element,
    })
}

/// The parts of one resource as the engine sees it: the primary's id and fingerprint, and every
/// part's id as a `part:<name>` attribute so delete can reach them all.
fn assemble(parts: &[Part]) -> Option<ObservedResource> {
    let first = parts.first()?;
    let kind = kind_of_part(&first.part)?;
    let primary = parts.iter().find(|p| p.part == primary_part(kind));
    let anchor = primary.unwrap_or(first);
    let mut attributes = anchor.attributes.clone();
    attributes.insert("location".into(), anchor.region.clone());
    let mut ids: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for part in parts {
        ids.entry(part.part.as_str()).or_default().push(&part.id);
    }
    for (part, list) in ids {
        attributes.insert(format!("part:{part}"), list.join(","));
    }
    Some(ObservedResource {
        key: first.key(),
        provider: Provider::Aws,
        kind,
        provider_id: format!("{}/{}", anchor.region, anchor.id),
        name: parts
            .iter()
            .find_map(|p| p.tags.get("Name"))
            .cloned()
            .unwrap_or_default(),
        // Written last, on the primary only: without it the resource is incomplete.
        fingerprint: primary.and_then(|p| p.tags.get(LABEL_SPEC).cloned()),
        attributes,
    })
}

/// `(region, id)` of a provider id.
fn split_id(provider_id: &str) -> Option<(&str, &str)> {
    provider_id
        .split_once('/')
        .filter(|(r, i)| !r.is_empty() && !i.is_empty())
}

/// FNV-1a, hex: short stable names and client tokens (not a security hash).
fn short_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// A name for ELBv2 and RDS objects, whose names are short and unique per account and region:
/// `sc-<hash of design and key>-<suffix>` (at most 32 characters, letters, digits, hyphens).
fn aws_name(design: &DesignId, key: &ResourceKey, suffix: &str) -> String {
    let hash = short_hash(&format!("{}/{key}", design.as_str()));
    format!("sc-{}-{suffix}", &hash[..12])
}

/// Security group names may not start with `sg-` and are unique per VPC.
fn group_name(name: &str, suffix: &str) -> String {
    let mut out = format!("stagecraft-{name}");
    if !suffix.is_empty() {
        out.push('-');
        out.push_str(suffix);
    }
    out.chars().take(255).collect()
}

/// The characters AWS accepts in a security group rule description.
fn rule_description(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c) {
                c
            } else {
                ' '
            }
        })
        .take(255)
        .collect()
}

/// One security group permission, as compared and sent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Permission {
    inbound: bool,
    protocol: String,
    from: i64,
    to: i64,
    cidr: String,
}

impl Permission {
    fn v6(&self) -> bool {
        self.cidr.contains(':')
    }
}

/// The permissions a set of neutral rules asks for, with their descriptions.
fn permissions_of(rules: &[FirewallRuleSpec]) -> Result<BTreeMap<Permission, String>, String> {
    let mut out = BTreeMap::new();
    for rule in rules {
        let (protocol, from, to) = match rule.protocol {
            FirewallProtocol::Icmp => ("icmp".to_owned(), -1, -1),
            FirewallProtocol::Tcp | FirewallProtocol::Udp => {
                let protocol = if rule.protocol == FirewallProtocol::Tcp {
                    "tcp"
                } else {
                    "udp"
                };
                let (from, to) = match rule.port.as_deref() {
                    None | Some("any") => (0, 65535),
                    Some(port) => {
                        let (a, b) = port.split_once('-').unwrap_or((port, port));
                        let parse = |p: &str| {
                            p.trim()
                                .parse::<i64>()
                                .map_err(|_| format!("`{port}` is not a port or a port range"))
                        };
                        (parse(a)?, parse(b)?)
                    }
                };
                (protocol.to_owned(), from, to)
            }
        };
        for cidr in &rule.addresses {
            out.insert(
                Permission {
                    inbound: rule.direction == Direction::Inbound,
                    protocol: protocol.clone(),
                    from,
                    to,
                    cidr: cidr.clone(),
                },
                rule_description(&rule.description),
            );
        }
    }
    Ok(out)
}

/// The permissions a security group has now.
fn permissions_in(group: &Element) -> BTreeSet<Permission> {
    let mut out = BTreeSet::new();
    for (list, inbound) in [("ipPermissions", true), ("ipPermissionsEgress", false)] {
        for item in group.items(list) {
            let protocol = item.text_at("ipProtocol").unwrap_or("-1").to_owned();
            let port = |p: &str| item.text_at(p).and_then(|v| v.parse().ok());
            let (from, to) = (port("fromPort").unwrap_or(-1), port("toPort").unwrap_or(-1));
            let cidrs = item
                .items("ipRanges")
                .iter()
                .filter_map(|r| r.text_at("cidrIp"))
                .chain(
                    item.items("ipv6Ranges")
                        .iter()
                        .filter_map(|r| r.text_at("cidrIpv6")),
                );
            for cidr in cidrs {
                out.insert(Permission {
                    inbound,
                    protocol: protocol.clone(),
                    from,
                    to,
                    cidr: cidr.to_owned(),
                });
            }
        }
    }
    out
}

/// `IpPermissions.N.*` for a batch of permissions.
fn permission_params(mut params: Params, permissions: &[(&Permission, Option<&String>)]) -> Params {
    for (index, (permission, description)) in permissions.iter().enumerate() {
        let n = index + 1;
        params = params.set(
            format!("IpPermissions.{n}.IpProtocol"),
            permission.protocol.clone(),
        );
        if permission.protocol != "-1" {
            params = params
                .set(
                    format!("IpPermissions.{n}.FromPort"),
                    permission.from.to_string(),
                )
                .set(
                    format!("IpPermissions.{n}.ToPort"),
                    permission.to.to_string(),
                );
        }
        let range = if permission.v6() {
            ("Ipv6Ranges", "CidrIpv6")
        } else {
            ("IpRanges", "CidrIp")
        };
        params = params.set(
            format!("IpPermissions.{n}.{}.1.{}", range.0, range.1),
            permission.cidr.clone(),
        );
        if let Some(description) = description.filter(|d| !d.trim().is_empty()) {
            params = params.set(
                format!("IpPermissions.{n}.{}.1.Description", range.0),
                description.clone(),
            );
        }
    }
    params
}

/// The next /24 after `subnet` (`10.0.1.0/24` -> `10.0.2.0/24`): the second AZ's subnet.
fn next_subnet(subnet: &str) -> Option<String> {
    let (address, bits) = subnet.split_once('/')?;
    let octets: Vec<u8> = address
        .split('.')
        .map(|o| o.parse().ok())
        .collect::<Option<_>>()?;
    if octets.len() != 4 || bits != "24" || octets[2] == 255 {
        return None;
    }
    Some(format!(
        "{}.{}.{}.0/24",
        octets[0],
        octets[1],
        octets[2] + 1
    ))
}

/// The AWS name of an RDS engine and its port.
fn rds_engine(engine: DbEngine) -> Option<(&'static str, u16)> {
    match engine {
        DbEngine::Postgresql => Some(("postgres", 5432)),
        DbEngine::Mysql => Some(("mysql", 3306)),
        DbEngine::Redis | DbEngine::Valkey => None,
    }
}

/// What a resource needs from the parts it refers to.
struct NetworkParts {
    region: String,
    vpc: String,
    cidr: String,
    subnets: Vec<String>,
}

/// Finds a part, else creates it; after an answer that may hide a create carried out, or a
/// name conflict, looks again before trying once more, so nothing is created twice.
/// `$find` is a future of `Result<Option<Part>>`, `$create` one of `Result<Part>`; returns the
/// part from the enclosing function's errors. (A macro, not a function taking async closures:
/// those futures would not be provably `Send`.)
macro_rules! ensure_part {
    ($driver:expr, $find:expr, $create:expr) => {{
        let found: Option<Part> = $find.await?;
        match found {
            Some(found) => found,
            None => {
                let mut attempt = 0;
                loop {
                    attempt += 1;
                    let created: Result<Part, ProviderError> = $create.await;
                    match created {
                        Ok(created) => break created,
                        Err(e)
                            if (e.maybe_processed && attempt < 3)
                                || e.kind == ProviderErrorKind::Conflict =>
                        {
                            let again: Option<Part> = $find.await?;
                            if let Some(found) = again {
                                break found;
                            }
                            if e.kind == ProviderErrorKind::Conflict {
                                return Err(e);
                            }
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        }
    }};
}

/// Polls `$check` (a block evaluating to `Result<Option<T>>`) until it gives `Some`, failing the
/// enclosing function with a timeout after the client's action timeout.
macro_rules! wait_until {
    ($driver:expr, $what:expr, $check:block) => {{
        let config = $driver.client.config();
        let deadline = tokio::time::Instant::now() + config.action_timeout;
        loop {
            let checked: Result<Option<_>, ProviderError> = async $check.await;
            if let Some(done) = checked? {
                break done;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err($driver.client.error(
                    ProviderErrorKind::Timeout,
                    format!("{}: still not done after {:?}", $what, config.action_timeout),
                ));
            }
            $driver.client.sleep(config.poll_interval).await?;
        }
    }};
}

/// The engine's view of AWS.
pub struct AwsDriver {
    client: AwsClient,
    regions: Vec<String>,
    /// Two available zones per region, read once.
    zones: Mutex<HashMap<String, Vec<String>>>,
    /// Image ids by `(region, image, architecture)`, read once.
    images: Mutex<HashMap<(String, String, &'static str), String>>,
}

impl AwsDriver {
    /// A driver that looks for resources in every AWS region of the catalogue.
    pub fn new(client: AwsClient) -> Self {
        Self::with_regions(client, catalogue_regions())
    }

    /// A driver that looks for resources in `regions` only.
    pub fn with_regions(client: AwsClient, regions: Vec<String>) -> Self {
        Self {
            client,
            regions,
            zones: Mutex::default(),
            images: Mutex::default(),
        }
    }

    pub fn client(&self) -> &AwsClient {
        &self.client
    }

    fn invalid(&self, message: impl Into<String>) -> ProviderError {
        self.client
            .error(ProviderErrorKind::InvalidRequest, message)
    }

    fn unexpected(&self, message: impl Into<String>) -> ProviderError {
        self.client
            .error(ProviderErrorKind::UnexpectedResponse, message)
    }

    /// Identity tags of one part (every part gets them at creation).
    fn tags(design: &DesignId, resource: &DesiredResource, part: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            (
                LABEL_MANAGED_BY.to_owned(),
                LABEL_MANAGED_BY_VALUE.to_owned(),
            ),
            (LABEL_DESIGN.to_owned(), design.as_str().to_owned()),
            (LABEL_COMPONENT.to_owned(), resource.key.owner().to_owned()),
            (LABEL_RESOURCE.to_owned(), resource.key.local().to_owned()),
            (TAG_PART.to_owned(), part.to_owned()),
            ("Name".to_owned(), resource.name.clone()),
        ])
    }

    fn tags_with_spec(
        design: &DesignId,
        resource: &DesiredResource,
        part: &str,
    ) -> BTreeMap<String, String> {
        let mut tags = Self::tags(design, resource, part);
        tags.insert(LABEL_SPEC.to_owned(), resource.spec.fingerprint());
        tags
    }

    // ---- reading ----------------------------------------------------------------------------

    async fn describe_ec2(
        &self,
        region: &str,
        ty: Ec2Type,
        mut filters: Vec<(&str, Vec<String>)>,
    ) -> Result<Vec<Element>, ProviderError> {
        filters.extend(ty.live_filter());
        let params = Params::new().filters(&filters);
        let items = self
            .client
            .describe_all(
                Service::Ec2,
                region,
                ty.describe_action(),
                &params,
                ty.list(),
            )
            .await?;
        Ok(if ty == Ec2Type::Instance {
            items
                .iter()
                .flat_map(|reservation| reservation.items("instancesSet").to_vec())
                .collect()
        } else {
            items
        })
    }

    fn ec2_parts(region: &str, ty: Ec2Type, elements: Vec<Element>) -> Vec<Part> {
        elements
            .into_iter()
            .filter_map(|element| {
                let id = element.text_at(ty.id_field())?.to_owned();
                let tags = tags_of(&element);
                part_from(region, id, tags, element)
            })
            .collect()
    }

    /// The EC2 part `part` of `resource`, found by its tags.
    async fn find_ec2(
        &self,
        region: &str,
        design: &DesignId,
        key: &ResourceKey,
        part: &str,
    ) -> Result<Option<Part>, ProviderError> {
        let ty = Ec2Type::of_part(part)
            .ok_or_else(|| self.invalid(format!("`{part}` is not an EC2 part")))?;
        let filters = vec![
            ("tag:stagecraft-design", vec![design.as_str().to_owned()]),
            ("tag:stagecraft-component", vec![key.owner().to_owned()]),
            ("tag:stagecraft-resource", vec![key.local().to_owned()]),
            ("tag:stagecraft-part", vec![part.to_owned()]),
        ];
        let elements = self.describe_ec2(region, ty, filters).await?;
        Ok(Self::ec2_parts(region, ty, elements)
            .into_iter()
            .find(|p| p.tags.get(LABEL_DESIGN).map(String::as_str) == Some(design.as_str())))
    }

    /// Every part of `design` in `region`.
    async fn observe_region(
        &self,
        design: &DesignId,
        region: &str,
    ) -> Result<Vec<Part>, ProviderError> {
        // One cheap call tells whether the design has anything here at all.
        let index = self
            .client
            .describe_all(
                Service::Ec2,
                region,
                "DescribeTags",
                &Params::new().filters(&[
                    ("key", vec![LABEL_DESIGN.to_owned()]),
                    ("value", vec![design.as_str().to_owned()]),
                ]),
                "tagSet",
            )
            .await?;
        if index.is_empty() {
            // Load balancers and databases sit in a VPC with a security group of ours, created
            // before them and deleted after them: no EC2 object means none of those either.
            return Ok(Vec::new());
        }
        let filter = || vec![("tag:stagecraft-design", vec![design.as_str().to_owned()])];
        let mut parts = Vec::new();
        for ty in Ec2Type::ALL {
            let elements = self.describe_ec2(region, ty, filter()).await?;
            parts.extend(Self::ec2_parts(region, ty, elements));
        }
        parts.extend(self.observe_balancers(design, region).await?);
        parts.extend(self.observe_databases(design, region).await?);
        // A filter answers with this design's objects; checking again keeps a misbehaving peer
        // from handing us another design's object to delete.
        parts.retain(|p| p.tags.get(LABEL_DESIGN).map(String::as_str) == Some(design.as_str()));
        Ok(parts)
    }

    /// ELBv2 tags of up to 20 ARNs per call.
    async fn elb_tags(
        &self,
        region: &str,
        arns: &[String],
    ) -> Result<HashMap<String, BTreeMap<String, String>>, ProviderError> {
        let mut out = HashMap::new();
        for chunk in arns.chunks(20) {
            let answer = self
                .client
                .call(
                    Service::Elbv2,
                    region,
                    "DescribeTags",
                    &Params::new().members("ResourceArns", chunk),
                    true,
                )
                .await?;
            for description in answer.items("DescribeTagsResult/TagDescriptions") {
                if let Some(arn) = description.text_at("ResourceArn") {
                    out.insert(arn.to_owned(), tags_of(description));
                }
            }
        }
        Ok(out)
    }

    /// The load balancer or target group named `name` (`action` is `DescribeLoadBalancers`
    /// or `DescribeTargetGroups`, `list` the answer's list), or `None` when there is none.
    async fn elb_by_name(
        &self,
        region: &str,
        action: &str,
        list: &str,
        name: &str,
    ) -> Result<Option<Element>, ProviderError> {
        let answer = self
            .client
            .call(
                Service::Elbv2,
                region,
                action,
                &Params::new().set("Names.member.1", name),
                true,
            )
            .await;
        Ok(found(answer)?.and_then(|a| a.at(&format!("{action}Result/{list}/member")).cloned()))
    }

    async fn observe_balancers(
        &self,
        design: &DesignId,
        region: &str,
    ) -> Result<Vec<Part>, ProviderError> {
        let mut parts = Vec::new();
        for (action, list, arn_field) in [
            (
                "DescribeLoadBalancers",
                "DescribeLoadBalancersResult/LoadBalancers",
                "LoadBalancerArn",
            ),
            (
                "DescribeTargetGroups",
                "DescribeTargetGroupsResult/TargetGroups",
                "TargetGroupArn",
            ),
        ] {
            let elements = self
                .client
                .describe_all(
                    Service::Elbv2,
                    region,
                    action,
                    &Params::new().set("PageSize", "400"),
                    list,
                )
                .await?;
            let arns: Vec<String> = elements
                .iter()
                .filter_map(|e| e.text_at(arn_field).map(str::to_owned))
                .collect();
            let tags = self.elb_tags(region, &arns).await?;
            for element in elements {
                let Some(arn) = element.text_at(arn_field).map(str::to_owned) else {
                    continue;
                };
                let tags = tags.get(&arn).cloned().unwrap_or_default();
                if tags.get(LABEL_DESIGN).map(String::as_str) == Some(design.as_str()) {
                    parts.extend(part_from(region, arn, tags, element));
                }
            }
        }
        Ok(parts)
    }

    async fn observe_databases(
        &self,
        design: &DesignId,
        region: &str,
    ) -> Result<Vec<Part>, ProviderError> {
        let mut parts = Vec::new();
        let instances = self
            .client
            .describe_all(
                Service::Rds,
                region,
                "DescribeDBInstances",
                &Params::new().set("MaxRecords", "100"),
                "DescribeDBInstancesResult/DBInstances",
            )
            .await?;
        for element in instances {
            let tags = tags_of(&element);
            if tags.get(LABEL_DESIGN).map(String::as_str) != Some(design.as_str()) {
                continue;
            }
            if let Some(id) = element.text_at("DBInstanceIdentifier").map(str::to_owned) {
                parts.extend(part_from(region, id, tags, element));
            }
        }
        let groups = self
            .client
            .describe_all(
                Service::Rds,
                region,
                "DescribeDBSubnetGroups",
                &Params::new().set("MaxRecords", "100"),
                "DescribeDBSubnetGroupsResult/DBSubnetGroups",
            )
            .await?;
        for element in groups {
            let (Some(name), Some(arn)) = (
                element.text_at("DBSubnetGroupName").map(str::to_owned),
                element.text_at("DBSubnetGroupArn").map(str::to_owned),
            ) else {
                continue;
            };
            // Stagecraft's names start with `sc-`: skip the account's other groups unread.
            if !name.starts_with("sc-") {
                continue;
            }
            let tags = self.rds_tags(region, &arn).await?;
            if tags.get(LABEL_DESIGN).map(String::as_str) == Some(design.as_str()) {
                parts.extend(part_from(region, name, tags, element));
            }
        }
        Ok(parts)
    }

    async fn rds_tags(
        &self,
        region: &str,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, ProviderError> {
        let answer = self
            .client
            .call(
                Service::Rds,
                region,
                "ListTagsForResource",
                &Params::new().set("ResourceName", arn),
                true,
            )
            .await?;
        Ok(answer
            .at("ListTagsForResourceResult")
            .map(tags_of)
            .unwrap_or_default())
    }

    // ---- helpers for creating -----------------------------------------------------------------

    /// Runs a delete, treating "not found" as done and retrying while AWS still sees something
    /// that uses the object (a terminating instance's network interface, a balancer's target
    /// group): those clear up on their own.
    async fn delete_call(
        &self,
        service: Service,
        region: &str,
        action: &str,
        params: Params,
    ) -> Result<(), ProviderError> {
        wait_until!(self, action, {
            match self
                .client
                .call(service, region, action, &params, true)
                .await
            {
                Ok(_) => Ok(Some(())),
                Err(e) if e.kind == ProviderErrorKind::NotFound => Ok(Some(())),
                Err(e)
                    if e.code.as_deref().is_some_and(|c| {
                        matches!(
                            c,
                            "DependencyViolation"
                                | "ResourceInUse"
                                | "InvalidDBSubnetGroupStateFault"
                                | "InvalidDBInstanceState"
                                | "IncorrectState"
                        )
                    }) =>
                {
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        });
        Ok(())
    }

    async fn commit_ec2(
        &self,
        region: &str,
        id: &str,
        design: &DesignId,
        resource: &DesiredResource,
        part: &str,
    ) -> Result<(), ProviderError> {
        let tags = Self::tags_with_spec(design, resource, part);
        let mut params = Params::new().set("ResourceId.1", id);
        for (index, (key, value)) in tags.iter().enumerate() {
            params = params
                .set(format!("Tag.{}.Key", index + 1), key.clone())
                .set(format!("Tag.{}.Value", index + 1), value.clone());
        }
        self.client
            .call(Service::Ec2, region, "CreateTags", &params, true)
            .await
            .map(|_| ())
    }

    /// Two available zones of `region`, sorted.
    async fn zones(&self, region: &str) -> Result<Vec<String>, ProviderError> {
        if let Some(zones) = self.zones.lock().await.get(region) {
            return Ok(zones.clone());
        }
        let answer = self
            .client
            .call(
                Service::Ec2,
                region,
                "DescribeAvailabilityZones",
                &Params::new().filters(&[("state", vec!["available".into()])]),
                true,
            )
            .await?;
        let mut zones: Vec<String> = answer
            .items("availabilityZoneInfo")
            .iter()
            .filter_map(|z| z.text_at("zoneName").map(str::to_owned))
            .collect();
        zones.sort();
        zones.truncate(2);
        if zones.len() < 2 {
            return Err(self.unexpected(format!(
                "{region} reports fewer than two available zones; a load balancer and a database need two"
            )));
        }
        self.zones
            .lock()
            .await
            .insert(region.to_owned(), zones.clone());
        Ok(zones)
    }

    /// The image id for a neutral image name: an `ami-…` id as is, else the newest image of that
    /// Ubuntu release published by Canonical's account for the instance's architecture.
    async fn image(&self, region: &str, image: &str, size: &str) -> Result<String, ProviderError> {
        if image.starts_with("ami-") {
            return Ok(image.to_owned());
        }
        let arch = match catalog().size(Provider::Aws, size).map(|s| s.arch) {
            Some(stagecraft_model::catalog::Arch::Arm) => "arm64",
            _ => "x86_64",
        };
        let cache_key = (region.to_owned(), image.to_owned(), arch);
        if let Some(id) = self.images.lock().await.get(&cache_key) {
            return Ok(id.clone());
        }
        let codename = match image {
            "ubuntu-24.04" => "noble-24.04",
            "ubuntu-22.04" => "jammy-22.04",
            other => {
                return Err(self.invalid(format!(
                    "image `{other}` has no AWS equivalent: use ubuntu-24.04, ubuntu-22.04 or an ami- id"
                )))
            }
        };
        let debian_arch = if arch == "arm64" { "arm64" } else { "amd64" };
        let params = Params::new().set("Owner.1", CANONICAL_OWNER).filters(&[
            (
                "name",
                vec![format!(
                    "ubuntu/images/*ubuntu-{codename}-{debian_arch}-server-*"
                )],
            ),
            ("architecture", vec![arch.to_owned()]),
            ("state", vec!["available".into()]),
        ]);
        let answer = self
            .client
            .call(Service::Ec2, region, "DescribeImages", &params, true)
            .await?;
        let newest = answer
            .items("imagesSet")
            .iter()
            .filter_map(|i| {
                Some((
                    i.text_at("creationDate").unwrap_or_default().to_owned(),
                    i.text_at("imageId")?.to_owned(),
                ))
            })
            .max()
            .map(|(_, id)| id)
            .ok_or_else(|| {
                self.client.error(
                    ProviderErrorKind::NotFound,
                    format!(
                        "no {image} {arch} image from Canonical (owner {CANONICAL_OWNER}) in {region}"
                    ),
                )
            })?;
        self.images.lock().await.insert(cache_key, newest.clone());
        Ok(newest)
    }

    /// `(region, id)` of a referenced resource, from the ids the engine resolved.
    fn resolve<'i>(
        &self,
        resource: &DesiredResource,
        ids: &'i ResolvedIds,
        key: &ResourceKey,
    ) -> Result<(&'i str, &'i str), ProviderError> {
        ids.get(key).and_then(|id| split_id(id)).ok_or_else(|| {
            self.invalid(format!(
                "{} needs {key}, which has no AWS id yet",
                resource.key
            ))
        })
    }

    /// The VPC of a network resource, its range and its subnets (sorted by zone).
    async fn network_parts(
        &self,
        resource: &DesiredResource,
        ids: &ResolvedIds,
        network: Option<&ResourceKey>,
    ) -> Result<NetworkParts, ProviderError> {
        let network = network.ok_or_else(|| {
            self.invalid(format!(
                "{}: on AWS this needs a network (a VPC); the mapping gives every AWS resource one",
                resource.key
            ))
        })?;
        let (region, vpc) = self.resolve(resource, ids, network)?;
        let vpcs = self
            .describe_ec2(region, Ec2Type::Vpc, vec![("vpc-id", vec![vpc.to_owned()])])
            .await?;
        let cidr = vpcs
            .first()
            .and_then(|v| v.text_at("cidrBlock"))
            .ok_or_else(|| {
                self.unexpected(format!("VPC {vpc} of {network} not found in {region}"))
            })?
            .to_owned();
        let mut subnets: Vec<(String, String)> = self
            .describe_ec2(
                region,
                Ec2Type::Subnet,
                vec![
                    ("vpc-id", vec![vpc.to_owned()]),
                    ("tag:managed-by", vec![LABEL_MANAGED_BY_VALUE.to_owned()]),
                ],
            )
            .await?
            .iter()
            .filter_map(|s| {
                Some((
                    tags_of(s).get(TAG_PART).cloned().unwrap_or_default(),
                    s.text_at("subnetId")?.to_owned(),
                ))
            })
            .collect();
        subnets.sort();
        Ok(NetworkParts {
            region: region.to_owned(),
            vpc: vpc.to_owned(),
            cidr,
            subnets: subnets.into_iter().map(|(_, id)| id).collect(),
        })
    }

    /// A security group of `resource` in `vpc` holding exactly `rules` (inbound; outbound only
    /// when the rules name any, else AWS's default allow-all egress stays).
    #[allow(clippy::too_many_arguments)]
    async fn ensure_group(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        region: &str,
        vpc: &str,
        part: &str,
        suffix: &str,
        rules: &[FirewallRuleSpec],
    ) -> Result<Part, ProviderError> {
        let wanted =
            permissions_of(rules).map_err(|m| self.invalid(format!("{}: {m}", resource.key)))?;
        let group = ensure_part!(
            self,
            self.find_ec2(region, design, &resource.key, part),
            async {
                let tags = Self::tags(design, resource, part);
                let answer = self
                    .client
                    .call(
                        Service::Ec2,
                        region,
                        "CreateSecurityGroup",
                        &Params::new()
                            .set("GroupName", group_name(&resource.name, suffix))
                            .set(
                                "GroupDescription",
                                format!("Stagecraft {} (default deny)", resource.key),
                            )
                            .set("VpcId", vpc)
                            .tag_specification(1, "security-group", &tags),
                        false,
                    )
                    .await?;
                let id = text(&answer, "groupId")
                    .ok_or_else(|| self.unexpected("CreateSecurityGroup: no groupId"))?;
                part_from(region, id, tags, Element::default())
                    .ok_or_else(|| self.unexpected("a part without tags"))
            }
        );
        // Read the rules it has now (a fresh group has AWS's default egress rule only).
        let current = self
            .describe_ec2(
                region,
                Ec2Type::SecurityGroup,
                vec![("group-id", vec![group.id.clone()])],
            )
            .await?
            .first()
            .map(permissions_in)
            .unwrap_or_default();
        let manage_egress = wanted.keys().any(|p| !p.inbound);
        let managed = |p: &Permission| p.inbound || manage_egress;
        for inbound in [true, false] {
            let missing: Vec<(&Permission, Option<&String>)> = wanted
                .iter()
                .filter(|(p, _)| p.inbound == inbound && !current.contains(*p))
                .map(|(p, d)| (p, Some(d)))
                .collect();
            let extra: Vec<(&Permission, Option<&String>)> = current
                .iter()
                .filter(|p| p.inbound == inbound && managed(p) && !wanted.contains_key(*p))
                .map(|p| (p, None))
                .collect();
            let direction = if inbound { "Ingress" } else { "Egress" };
            if !extra.is_empty() {
                let params =
                    permission_params(Params::new().set("GroupId", group.id.clone()), &extra);
                self.client
                    .call(
                        Service::Ec2,
                        region,
                        &format!("RevokeSecurityGroup{direction}"),
                        &params,
                        true,
                    )
                    .await?;
            }
            if !missing.is_empty() {
                let params =
                    permission_params(Params::new().set("GroupId", group.id.clone()), &missing);
                match self
                    .client
                    .call(
                        Service::Ec2,
                        region,
                        &format!("AuthorizeSecurityGroup{direction}"),
                        &params,
                        true,
                    )
                    .await
                {
                    // Sent twice after a lost answer: the rules are there, which is the goal.
                    Err(e) if e.code.as_deref() == Some("InvalidPermission.Duplicate") => {}
                    other => {
                        other?;
                    }
                }
            }
        }
        Ok(group)
    }

    // ---- creating, one kind at a time -------------------------------------------------------------

    async fn ensure_network(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        ip_range: &str,
        subnet: &str,
        region: &str,
    ) -> Result<Vec<Part>, ProviderError> {
        let key = &resource.key;
        let vpc = ensure_part!(self, self.find_ec2(region, design, key, VPC), async {
            let tags = Self::tags(design, resource, VPC);
            let answer = self
                .client
                .call(
                    Service::Ec2,
                    region,
                    "CreateVpc",
                    &Params::new()
                        .set("CidrBlock", ip_range)
                        .tag_specification(1, "vpc", &tags),
                    false,
                )
                .await?;
            let element = answer.child("vpc").cloned().unwrap_or_default();
            let id =
                text(&element, "vpcId").ok_or_else(|| self.unexpected("CreateVpc: no vpcId"))?;
            part_from(region, id, tags, element)
                .ok_or_else(|| self.unexpected("a part without tags"))
        });
        wait_until!(self, "VPC available", {
            let vpcs = self
                .describe_ec2(region, Ec2Type::Vpc, vec![("vpc-id", vec![vpc.id.clone()])])
                .await?;
            Ok(vpcs
                .first()
                .filter(|v| v.text_at("state") == Some("available"))
                .map(|_| ()))
        });
        let zones = self.zones(region).await?;
        let second = next_subnet(subnet).ok_or_else(|| {
            self.invalid(format!(
                "{key}: subnet {subnet} must be a /24 with room for a second /24 after it"
            ))
        })?;
        let mut parts = vec![vpc.clone()];
        for ((part, cidr), zone) in SUBNETS.iter().zip([subnet.to_owned(), second]).zip(&zones) {
            let created = ensure_part!(self, self.find_ec2(region, design, key, part), async {
                let tags = Self::tags(design, resource, part);
                let answer = self
                    .client
                    .call(
                        Service::Ec2,
                        region,
                        "CreateSubnet",
                        &Params::new()
                            .set("VpcId", vpc.id.clone())
                            .set("CidrBlock", cidr.clone())
                            .set("AvailabilityZone", zone.clone())
                            .tag_specification(1, "subnet", &tags),
                        false,
                    )
                    .await?;
                let element = answer.child("subnet").cloned().unwrap_or_default();
                let id = text(&element, "subnetId")
                    .ok_or_else(|| self.unexpected("CreateSubnet: no subnetId"))?;
                part_from(region, id, tags, element)
                    .ok_or_else(|| self.unexpected("a part without tags"))
            });
            if created.element.text_at("mapPublicIpOnLaunch") != Some("true") {
                // Public subnets: servers get a public address, as on the other providers; their
                // security groups still deny everything the design does not open.
                self.client
                    .call(
                        Service::Ec2,
                        region,
                        "ModifySubnetAttribute",
                        &Params::new()
                            .set("SubnetId", created.id.clone())
                            .set("MapPublicIpOnLaunch.Value", "true"),
                        true,
                    )
                    .await?;
            }
            parts.push(created);
        }
        let gateway = ensure_part!(self, self.find_ec2(region, design, key, IGW), async {
            let tags = Self::tags(design, resource, IGW);
            let answer = self
                .client
                .call(
                    Service::Ec2,
                    region,
                    "CreateInternetGateway",
                    &Params::new().tag_specification(1, "internet-gateway", &tags),
                    false,
                )
                .await?;
            let element = answer.child("internetGateway").cloned().unwrap_or_default();
            let id = text(&element, "internetGatewayId")
                .ok_or_else(|| self.unexpected("CreateInternetGateway: no internetGatewayId"))?;
            part_from(region, id, tags, element)
                .ok_or_else(|| self.unexpected("a part without tags"))
        });
        let attached = gateway
            .element
            .items("attachmentSet")
            .iter()
            .any(|a| a.text_at("vpcId") == Some(vpc.id.as_str()));
        if !attached {
            match self
                .client
                .call(
                    Service::Ec2,
                    region,
                    "AttachInternetGateway",
                    &Params::new()
                        .set("InternetGatewayId", gateway.id.clone())
                        .set("VpcId", vpc.id.clone()),
                    true,
                )
                .await
            {
                Err(e) if e.code.as_deref() == Some("Resource.AlreadyAssociated") => {}
                other => {
                    other?;
                }
            }
        }
        parts.push(gateway.clone());
        let table = ensure_part!(
            self,
            self.find_ec2(region, design, key, ROUTE_TABLE),
            async {
                let tags = Self::tags(design, resource, ROUTE_TABLE);
                let answer = self
                    .client
                    .call(
                        Service::Ec2,
                        region,
                        "CreateRouteTable",
                        &Params::new()
                            .set("VpcId", vpc.id.clone())
                            .tag_specification(1, "route-table", &tags),
                        false,
                    )
                    .await?;
                let element = answer.child("routeTable").cloned().unwrap_or_default();
                let id = text(&element, "routeTableId")
                    .ok_or_else(|| self.unexpected("CreateRouteTable: no routeTableId"))?;
                part_from(region, id, tags, element)
                    .ok_or_else(|| self.unexpected("a part without tags"))
            }
        );
        let has_default_route = table
            .element
            .items("routeSet")
            .iter()
            .any(|r| r.text_at("destinationCidrBlock") == Some("0.0.0.0/0"));
        if !has_default_route {
            match self
                .client
                .call(
                    Service::Ec2,
                    region,
                    "CreateRoute",
                    &Params::new()
                        .set("RouteTableId", table.id.clone())
                        .set("DestinationCidrBlock", "0.0.0.0/0")
                        .set("GatewayId", gateway.id.clone()),
                    true,
                )
                .await
            {
                Err(e) if e.code.as_deref() == Some("RouteAlreadyExists") => {}
                other => {
                    other?;
                }
            }
        }
        let associated: BTreeSet<&str> = table
            .element
            .items("associationSet")
            .iter()
            .filter_map(|a| a.text_at("subnetId"))
            .collect();
        for subnet in parts.iter().filter(|p| SUBNETS.contains(&p.part.as_str())) {
            if !associated.contains(subnet.id.as_str()) {
                self.client
                    .call(
                        Service::Ec2,
                        region,
                        "AssociateRouteTable",
                        &Params::new()
                            .set("RouteTableId", table.id.clone())
                            .set("SubnetId", subnet.id.clone()),
                        true,
                    )
                    .await?;
            }
        }
        parts.push(table);
        self.commit_ec2(region, &vpc.id, design, resource, VPC)
            .await?;
        Ok(parts)
    }

    async fn ensure_key_pair(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        public_key: &str,
    ) -> Result<Vec<Part>, ProviderError> {
        let region = ssh_key_region(resource.key.local()).ok_or_else(|| {
            self.invalid(format!(
                "{}: an AWS key pair resource names its region (ssh-key-aws-<region>)",
                resource.key
            ))
        })?;
        let part = ensure_part!(
            self,
            self.find_ec2(region, design, &resource.key, KEY_PAIR),
            async {
                // One call creates it with every tag, fingerprint included.
                let tags = Self::tags_with_spec(design, resource, KEY_PAIR);
                let answer = self
                    .client
                    .call(
                        Service::Ec2,
                        region,
                        "ImportKeyPair",
                        &Params::new()
                            .set("KeyName", resource.name.clone())
                            .set(
                                "PublicKeyMaterial",
                                base64::engine::general_purpose::STANDARD.encode(public_key),
                            )
                            .tag_specification(1, "key-pair", &tags),
                        false,
                    )
                    .await?;
                let name = text(&answer, "keyName")
                    .ok_or_else(|| self.unexpected("ImportKeyPair: no keyName"))?;
                part_from(region, name, tags, answer)
                    .ok_or_else(|| self.unexpected("a part without tags"))
            }
        );
        Ok(vec![part])
    }

    async fn ensure_elastic_ip(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        region: &str,
    ) -> Result<Vec<Part>, ProviderError> {
        let part = ensure_part!(
            self,
            self.find_ec2(region, design, &resource.key, ELASTIC_IP),
            async {
                let tags = Self::tags_with_spec(design, resource, ELASTIC_IP);
                let answer = self
                    .client
                    .call(
                        Service::Ec2,
                        region,
                        "AllocateAddress",
                        &Params::new().set("Domain", "vpc").tag_specification(
                            1,
                            "elastic-ip",
                            &tags,
                        ),
                        false,
                    )
                    .await?;
                let id = text(&answer, "allocationId")
                    .ok_or_else(|| self.unexpected("AllocateAddress: no allocationId"))?;
                part_from(region, id, tags, answer)
                    .ok_or_else(|| self.unexpected("a part without tags"))
            }
        );
        Ok(vec![part])
    }

    async fn describe_instance(
        &self,
        region: &str,
        id: &str,
    ) -> Result<Option<Element>, ProviderError> {
        let list = self
            .describe_ec2(
                region,
                Ec2Type::Instance,
                vec![("instance-id", vec![id.to_owned()])],
            )
            .await;
        Ok(found(list)?.and_then(|list| list.into_iter().next()))
    }

    async fn describe_volume(
        &self,
        region: &str,
        id: &str,
    ) -> Result<Option<Element>, ProviderError> {
        let list = self
            .describe_ec2(
                region,
                Ec2Type::Volume,
                vec![("volume-id", vec![id.to_owned()])],
            )
            .await;
        Ok(found(list)?.and_then(|list| list.into_iter().next()))
    }

    #[allow(clippy::too_many_arguments)]
    async fn ensure_server(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        ids: &ResolvedIds,
        size: &str,
        region: &str,
        image: &str,
        user_data: Option<&str>,
        networks: &[ResourceKey],
        firewalls: &[ResourceKey],
        primary_ip: Option<&ResourceKey>,
        ssh_keys: &[ResourceKey],
    ) -> Result<Vec<Part>, ProviderError> {
        let key = &resource.key;
        let network = self.network_parts(resource, ids, networks.first()).await?;
        if network.region != region {
            return Err(self.invalid(format!(
                "{key} runs in {region} but its network is in {}",
                network.region
            )));
        }
        if network.subnets.is_empty() {
            return Err(self.unexpected(format!(
                "{key}: the VPC {} has no subnet of ours",
                network.vpc
            )));
        }
        // Replicas alternate between the two zones.
        let index: usize = key
            .local()
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let subnet = network.subnets[index % network.subnets.len()].clone();
        let groups: Vec<String> = firewalls
            .iter()
            .map(|k| self.resolve(resource, ids, k).map(|(_, id)| id.to_owned()))
            .collect::<Result<_, _>>()?;
        let key_name = ssh_keys.iter().find_map(|k| {
            ids.get(k)
                .and_then(|id| split_id(id))
                .filter(|(r, _)| *r == region)
                .map(|(_, name)| name.to_owned())
        });
        let instance = ensure_part!(self, self.find_ec2(region, design, key, INSTANCE), async {
            let image_id = self.image(region, image, size).await?;
            let tags = Self::tags(design, resource, INSTANCE);
            // The same token for the same design, resource and settings: AWS answers a
            // repeated RunInstances with the instance it already started.
            let token = short_hash(&format!(
                "{}/{key}/{}",
                design.as_str(),
                resource.spec.fingerprint()
            ));
            let run = |token: String| {
                let params = Params::new()
                    .set("ImageId", image_id.clone())
                    .set("InstanceType", size)
                    .set("MinCount", "1")
                    .set("MaxCount", "1")
                    .set("SubnetId", subnet.clone())
                    .list("SecurityGroupId", &groups)
                    .set_opt("KeyName", key_name.clone())
                    .set_opt(
                        "UserData",
                        user_data.map(|u| base64::engine::general_purpose::STANDARD.encode(u)),
                    )
                    .set("ClientToken", token)
                    .set("MetadataOptions.HttpTokens", "required")
                    .tag_specification(1, "instance", &tags);
                async move {
                    self.client
                        .call(Service::Ec2, region, "RunInstances", &params, true)
                        .await
                }
            };
            let mut answer = run(token.clone()).await?;
            let state = answer.text_at("instancesSet/item/instanceState/name");
            if matches!(state, Some("shutting-down" | "terminated")) {
                // The token's instance was deleted since (by hand, or a replace with the
                // same settings): start a new one under a new token.
                answer = run(short_hash(&format!("{token}/{}", rand::random::<u64>()))).await?;
            }
            let element = answer.at("instancesSet/item").cloned().unwrap_or_default();
            let id = text(&element, "instanceId")
                .ok_or_else(|| self.unexpected("RunInstances: no instanceId"))?;
            part_from(region, id, tags, element)
                .ok_or_else(|| self.unexpected("a part without tags"))
        });
        let running = wait_until!(self, &format!("{key}: instance {} running", instance.id), {
            let Some(element) = self.describe_instance(region, &instance.id).await? else {
                return Ok(None);
            };
            match element.text_at("instanceState/name") {
                Some("running") => Ok(Some(element)),
                Some(state @ ("shutting-down" | "terminated" | "stopped")) => {
                    Err(self.client.error(
                        ProviderErrorKind::ActionFailed,
                        format!(
                            "{key}: instance {} is {state} instead of running",
                            instance.id
                        ),
                    ))
                }
                _ => Ok(None),
            }
        });
        if let Some(ip) = primary_ip {
            let (_, allocation) = self.resolve(resource, ids, ip)?;
            let addresses = self
                .client
                .call(
                    Service::Ec2,
                    region,
                    "DescribeAddresses",
                    &Params::new().set("AllocationId.1", allocation),
                    true,
                )
                .await?;
            let holder = addresses.text_at("addressesSet/item/instanceId");
            if holder != Some(instance.id.as_str()) {
                self.client
                    .call(
                        Service::Ec2,
                        region,
                        "AssociateAddress",
                        &Params::new()
                            .set("AllocationId", allocation)
                            .set("InstanceId", instance.id.clone()),
                        true,
                    )
                    .await?;
            }
        }
        self.commit_ec2(region, &instance.id, design, resource, INSTANCE)
            .await?;
        let mut part = instance;
        part.attributes = attributes_of(INSTANCE, &running);
        part.element = running;
        Ok(vec![part])
    }

    async fn ensure_volume(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        ids: &ResolvedIds,
        size_gb: u32,
        region: &str,
        server: Option<&ResourceKey>,
    ) -> Result<Vec<Part>, ProviderError> {
        let key = &resource.key;
        let instance = match server {
            Some(server) => {
                let (_, id) = self.resolve(resource, ids, server)?;
                let element = self.describe_instance(region, id).await?.ok_or_else(|| {
                    self.client.error(
                        ProviderErrorKind::NotFound,
                        format!("{key}: its instance {id} is not in {region}"),
                    )
                })?;
                Some((id.to_owned(), element))
            }
            None => None,
        };
        let zone = match &instance {
            Some((_, element)) => element
                .text_at("placement/availabilityZone")
                .map(str::to_owned)
                .ok_or_else(|| self.unexpected("an instance without a zone"))?,
            None => self.zones(region).await?[0].clone(),
        };
        let volume = ensure_part!(self, self.find_ec2(region, design, key, VOLUME), async {
            let tags = Self::tags(design, resource, VOLUME);
            let answer = self
                .client
                .call(
                    Service::Ec2,
                    region,
                    "CreateVolume",
                    &Params::new()
                        .set("AvailabilityZone", zone.clone())
                        .set("Size", size_gb.to_string())
                        .set("VolumeType", "gp3")
                        .set("Encrypted", "true")
                        .set(
                            "ClientToken",
                            short_hash(&format!(
                                "{}/{key}/{}",
                                design.as_str(),
                                resource.spec.fingerprint()
                            )),
                        )
                        .tag_specification(1, "volume", &tags),
                    true,
                )
                .await?;
            let id = text(&answer, "volumeId")
                .ok_or_else(|| self.unexpected("CreateVolume: no volumeId"))?;
            part_from(region, id, tags, answer)
                .ok_or_else(|| self.unexpected("a part without tags"))
        });
        let ready = wait_until!(self, &format!("{key}: volume {} available", volume.id), {
            Ok(self
                .describe_volume(region, &volume.id)
                .await?
                .filter(|v| matches!(v.text_at("status"), Some("available" | "in-use"))))
        });
        let mut element = ready;
        if let Some((instance_id, _)) = &instance {
            let attached = element
                .items("attachmentSet")
                .iter()
                .any(|a| a.text_at("instanceId") == Some(instance_id.as_str()));
            if !attached {
                self.client
                    .call(
                        Service::Ec2,
                        region,
                        "AttachVolume",
                        &Params::new()
                            .set("VolumeId", volume.id.clone())
                            .set("InstanceId", instance_id.clone())
                            .set("Device", "/dev/sdf"),
                        false,
                    )
                    .await?;
                element = wait_until!(self, &format!("{key}: volume {} attached", volume.id), {
                    Ok(self
                        .describe_volume(region, &volume.id)
                        .await?
                        .filter(|v| v.text_at("status") == Some("in-use")))
                });
            }
        }
        self.commit_ec2(region, &volume.id, design, resource, VOLUME)
            .await?;
        let mut part = volume;
        part.attributes = attributes_of(VOLUME, &element);
        part.element = element;
        Ok(vec![part])
    }

    async fn ensure_firewall(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        ids: &ResolvedIds,
        rules: &[FirewallRuleSpec],
        network: Option<&ResourceKey>,
    ) -> Result<Vec<Part>, ProviderError> {
        let network = network.ok_or_else(|| {
            self.invalid(format!(
                "{}: an AWS security group needs the network (VPC) it belongs to",
                resource.key
            ))
        })?;
        let (region, vpc) = self.resolve(resource, ids, network)?;
        let group = self
            .ensure_group(design, resource, region, vpc, SECURITY_GROUP, "", rules)
            .await?;
        self.commit_ec2(region, &group.id, design, resource, SECURITY_GROUP)
            .await?;
        Ok(vec![group])
    }

    /// A target group per destination port, the balancer, a listener per service, the targets.
    #[allow(clippy::too_many_arguments)]
    async fn ensure_balancer(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        ids: &ResolvedIds,
        size: &str,
        network: Option<&ResourceKey>,
        services: &[LbServiceSpec],
        targets: &[ResourceKey],
        round_robin: bool,
    ) -> Result<Vec<Part>, ProviderError> {
        let key = &resource.key;
        let network = self.network_parts(resource, ids, network).await?;
        let region = network.region.as_str();
        let application = size != "nlb";
        if application && services.iter().any(|s| s.protocol != Protocol::Http) {
            return Err(self.invalid(format!(
                "{key}: an application load balancer listens for HTTP only; use size nlb to pass TCP through"
            )));
        }
        if services.is_empty() {
            return Err(self.invalid(format!(
                "{key}: a load balancer needs at least one listener"
            )));
        }
        let open: Vec<FirewallRuleSpec> = services
            .iter()
            .map(|s| FirewallRuleSpec {
                direction: Direction::Inbound,
                protocol: FirewallProtocol::Tcp,
                port: Some(s.listen_port.to_string()),
                addresses: vec!["0.0.0.0/0".into(), "::/0".into()],
                description: "clients of the load balancer".into(),
            })
            .collect();
        let group = self
            .ensure_group(
                design,
                resource,
                region,
                &network.vpc,
                LB_SECURITY_GROUP,
                "lb",
                &open,
            )
            .await?;
        let mut parts = vec![group.clone()];
        let instances: Vec<String> = targets
            .iter()
            .map(|k| self.resolve(resource, ids, k).map(|(_, id)| id.to_owned()))
            .collect::<Result<_, _>>()?;
        let ports: BTreeSet<u16> = services.iter().map(|s| s.destination_port).collect();
        let mut target_groups: BTreeMap<u16, String> = BTreeMap::new();
        for port in ports {
            let part_name = format!("{TARGET_GROUP_PREFIX}{port}");
            let name = aws_name(design, key, &format!("tg{port}"));
            let health = services
                .iter()
                .find(|s| s.destination_port == port)
                .and_then(|s| s.health_path.clone());
            let tags = Self::tags(design, resource, &part_name);
            let mut params = Params::new()
                .set("Name", name.clone())
                .set("Protocol", if application { "HTTP" } else { "TCP" })
                .set("Port", port.to_string())
                .set("VpcId", network.vpc.clone())
                .set("TargetType", "instance")
                .member_tags("Tags", &tags);
            if application {
                params = params
                    .set("HealthCheckProtocol", "HTTP")
                    .set("HealthCheckPath", health.unwrap_or_else(|| "/".into()));
            }
            // An update (or a resumed create) finds the group by its name: AWS answers a
            // second create with the existing group only when every setting matches, and
            // moto never does.
            let element = match self
                .elb_by_name(region, "DescribeTargetGroups", "TargetGroups", &name)
                .await?
            {
                Some(existing) => existing,
                None => self
                    .client
                    .call(Service::Elbv2, region, "CreateTargetGroup", &params, true)
                    .await?
                    .at("CreateTargetGroupResult/TargetGroups/member")
                    .cloned()
                    .unwrap_or_default(),
            };
            let arn = text(&element, "TargetGroupArn")
                .ok_or_else(|| self.unexpected("CreateTargetGroup: no TargetGroupArn"))?;
            if application && !round_robin {
                self.client
                    .call(
                        Service::Elbv2,
                        region,
                        "ModifyTargetGroupAttributes",
                        &Params::new()
                            .set("TargetGroupArn", arn.clone())
                            .set("Attributes.member.1.Key", "load_balancing.algorithm.type")
                            .set("Attributes.member.1.Value", "least_outstanding_requests"),
                        true,
                    )
                    .await?;
            }
            if !instances.is_empty() {
                let mut params = Params::new().set("TargetGroupArn", arn.clone());
                for (index, instance) in instances.iter().enumerate() {
                    params = params
                        .set(format!("Targets.member.{}.Id", index + 1), instance.clone())
                        .set(
                            format!("Targets.member.{}.Port", index + 1),
                            port.to_string(),
                        );
                }
                self.client
                    .call(Service::Elbv2, region, "RegisterTargets", &params, true)
                    .await?;
            }
            target_groups.insert(port, arn.clone());
            parts.extend(part_from(region, arn, tags, element));
        }
        let tags = Self::tags(design, resource, BALANCER);
        let params = Params::new()
            .set("Name", aws_name(design, key, "lb"))
            .members("Subnets", &network.subnets)
            .members("SecurityGroups", std::slice::from_ref(&group.id))
            .set("Scheme", "internet-facing")
            .set(
                "Type",
                if application {
                    "application"
                } else {
                    "network"
                },
            )
            .set("IpAddressType", "ipv4")
            .member_tags("Tags", &tags);
        let element = match self
            .elb_by_name(
                region,
                "DescribeLoadBalancers",
                "LoadBalancers",
                &aws_name(design, key, "lb"),
            )
            .await?
        {
            Some(existing) => existing,
            None => self
                .client
                .call(Service::Elbv2, region, "CreateLoadBalancer", &params, true)
                .await?
                .at("CreateLoadBalancerResult/LoadBalancers/member")
                .cloned()
                .unwrap_or_default(),
        };
        let arn = text(&element, "LoadBalancerArn")
            .ok_or_else(|| self.unexpected("CreateLoadBalancer: no LoadBalancerArn"))?;
        let active = wait_until!(self, &format!("{key}: load balancer active"), {
            let answer = self
                .client
                .call(
                    Service::Elbv2,
                    region,
                    "DescribeLoadBalancers",
                    &Params::new().members("LoadBalancerArns", std::slice::from_ref(&arn)),
                    true,
                )
                .await?;
            let balancer = answer
                .at("DescribeLoadBalancersResult/LoadBalancers/member")
                .cloned();
            match balancer.as_ref().and_then(|b| b.text_at("State/Code")) {
                Some("active") => Ok(balancer),
                Some("failed") => Err(self.client.error(
                    ProviderErrorKind::ActionFailed,
                    format!("{key}: the load balancer failed to provision"),
                )),
                _ => Ok(None),
            }
        });
        let listeners = self
            .client
            .describe_all(
                Service::Elbv2,
                region,
                "DescribeListeners",
                &Params::new().set("LoadBalancerArn", arn.clone()),
                "DescribeListenersResult/Listeners",
            )
            .await?;
        let listening: BTreeSet<u16> = listeners
            .iter()
            .filter_map(|l| l.text_at("Port").and_then(|p| p.parse().ok()))
            .collect();
        for service in services
            .iter()
            .filter(|s| !listening.contains(&s.listen_port))
        {
            let tags = Self::tags(
                design,
                resource,
                &format!("listener-{}", service.listen_port),
            );
            self.client
                .call(
                    Service::Elbv2,
                    region,
                    "CreateListener",
                    &Params::new()
                        .set("LoadBalancerArn", arn.clone())
                        .set("Protocol", if application { "HTTP" } else { "TCP" })
                        .set("Port", service.listen_port.to_string())
                        .set("DefaultActions.member.1.Type", "forward")
                        .set(
                            "DefaultActions.member.1.TargetGroupArn",
                            target_groups[&service.destination_port].clone(),
                        )
                        .member_tags("Tags", &tags),
                    true,
                )
                .await?;
        }
        let spec = BTreeMap::from([(LABEL_SPEC.to_owned(), resource.spec.fingerprint())]);
        self.client
            .call(
                Service::Elbv2,
                region,
                "AddTags",
                &Params::new()
                    .members("ResourceArns", std::slice::from_ref(&arn))
                    .member_tags("Tags", &spec),
                true,
            )
            .await?;
        let mut tags = tags;
        tags.extend(spec);
        parts.extend(part_from(region, arn, tags, active));
        Ok(parts)
    }

    /// The one RDS object `action` finds by `param = value` (its list is `<action>Result/<list>`),
    /// or none when RDS says it does not exist.
    async fn describe_rds_one(
        &self,
        region: &str,
        action: &str,
        param: &str,
        value: &str,
        list: &str,
    ) -> Result<Option<Element>, ProviderError> {
        let answer = self
            .client
            .call(
                Service::Rds,
                region,
                action,
                &Params::new().set(param, value),
                true,
            )
            .await;
        Ok(found(answer)?.and_then(|a| {
            a.at(&format!("{action}Result/{list}"))
                .and_then(|l| l.children.first())
                .cloned()
        }))
    }

    async fn describe_subnet_group(
        &self,
        region: &str,
        name: &str,
    ) -> Result<Option<Element>, ProviderError> {
        self.describe_rds_one(
            region,
            "DescribeDBSubnetGroups",
            "DBSubnetGroupName",
            name,
            "DBSubnetGroups",
        )
        .await
    }

    async fn describe_database(
        &self,
        region: &str,
        identifier: &str,
    ) -> Result<Option<Element>, ProviderError> {
        self.describe_rds_one(
            region,
            "DescribeDBInstances",
            "DBInstanceIdentifier",
            identifier,
            "DBInstances",
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn ensure_database(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        ids: &ResolvedIds,
        engine: DbEngine,
        version: Option<&str>,
        size: &str,
        nodes: u32,
        storage_gb: Option<u32>,
        network: Option<&ResourceKey>,
    ) -> Result<Vec<Part>, ProviderError> {
        let key = &resource.key;
        let (engine_name, port) = rds_engine(engine).ok_or_else(|| {
            self.invalid(format!(
                "{key}: RDS runs PostgreSQL and MySQL; a Redis or Valkey cache is ElastiCache, which this build does not provision"
            ))
        })?;
        let network = self.network_parts(resource, ids, network).await?;
        let region = network.region.as_str();
        let open = [FirewallRuleSpec {
            direction: Direction::Inbound,
            protocol: FirewallProtocol::Tcp,
            port: Some(port.to_string()),
            addresses: vec![network.cidr.clone()],
            description: "database clients inside the VPC".into(),
        }];
        let group = self
            .ensure_group(
                design,
                resource,
                region,
                &network.vpc,
                DB_SECURITY_GROUP,
                "db",
                &open,
            )
            .await?;
        let subnet_group_name = aws_name(design, key, "subnets");
        let subnet_tags = Self::tags(design, resource, DB_SUBNET_GROUP);
        let subnet_group = match self
            .describe_subnet_group(region, &subnet_group_name)
            .await?
        {
            Some(found) => found,
            None => {
                let created = self
                    .client
                    .call(
                        Service::Rds,
                        region,
                        "CreateDBSubnetGroup",
                        &Params::new()
                            .set("DBSubnetGroupName", subnet_group_name.clone())
                            .set("DBSubnetGroupDescription", format!("Stagecraft {key}"))
                            .items("SubnetIds", "SubnetIdentifier", &network.subnets)
                            .item_tags("Tags", "Tag", &subnet_tags),
                        false,
                    )
                    .await;
                match created {
                    Ok(answer) => answer
                        .at("CreateDBSubnetGroupResult/DBSubnetGroup")
                        .cloned()
                        .unwrap_or_default(),
                    // The name is derived from the design and the resource: one that exists
                    // after a conflict or a lost answer is ours.
                    Err(e) if e.kind == ProviderErrorKind::Conflict || e.maybe_processed => {
                        match self
                            .describe_subnet_group(region, &subnet_group_name)
                            .await?
                        {
                            Some(found) => found,
                            None => return Err(e),
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let mut parts = vec![group.clone()];
        parts.extend(part_from(
            region,
            subnet_group_name.clone(),
            subnet_tags,
            subnet_group,
        ));
        let identifier = aws_name(design, key, "db");
        let tags = Self::tags(design, resource, DATABASE);
        let existing = self.describe_database(region, &identifier).await?;
        if let Some(db) = &existing {
            // Size and standby are the settings RDS changes in place.
            let multi_az = if nodes > 1 { "true" } else { "false" };
            if db.text_at("DBInstanceClass") != Some(size)
                || db.text_at("MultiAZ").unwrap_or("false") != multi_az
            {
                wait_until!(self, format!("{key}: database ready to modify"), {
                    Ok(self
                        .describe_database(region, &identifier)
                        .await?
                        .filter(|d| d.text_at("DBInstanceStatus") == Some("available")))
                });
                self.client
                    .call(
                        Service::Rds,
                        region,
                        "ModifyDBInstance",
                        &Params::new()
                            .set("DBInstanceIdentifier", identifier.clone())
                            .set("DBInstanceClass", size)
                            .set("MultiAZ", multi_az)
                            .set("ApplyImmediately", "true"),
                        true,
                    )
                    .await?;
            }
        }
        if existing.is_none() {
            let params = Params::new()
                .set("DBInstanceIdentifier", identifier.clone())
                .set("DBInstanceClass", size)
                .set("Engine", engine_name)
                .set_opt("EngineVersion", version)
                .set(
                    "AllocatedStorage",
                    storage_gb.unwrap_or(20).max(20).to_string(),
                )
                .set("StorageType", "gp3")
                .set("StorageEncrypted", "true")
                .set("MasterUsername", "stagecraft")
                // RDS keeps the password in Secrets Manager: it never passes through Stagecraft.
                .set("ManageMasterUserPassword", "true")
                .set("DBSubnetGroupName", subnet_group_name)
                .items(
                    "VpcSecurityGroupIds",
                    "VpcSecurityGroupId",
                    std::slice::from_ref(&group.id),
                )
                .set("MultiAZ", if nodes > 1 { "true" } else { "false" })
                .set("PubliclyAccessible", "false")
                .set("Port", port.to_string())
                .item_tags("Tags", "Tag", &tags);
            match self
                .client
                .call(Service::Rds, region, "CreateDBInstance", &params, false)
                .await
            {
                Ok(_) => {}
                Err(e)
                    if e.kind == ProviderErrorKind::Conflict
                        || (e.maybe_processed
                            && self.describe_database(region, &identifier).await?.is_some()) => {}
                Err(e) => return Err(e),
            }
        }
        let available = wait_until!(self, &format!("{key}: database available"), {
            let Some(db) = self.describe_database(region, &identifier).await? else {
                return Ok(None);
            };
            match db.text_at("DBInstanceStatus") {
                Some("available") => Ok(Some(db)),
                Some(
                    state @ ("failed"
                    | "deleting"
                    | "incompatible-parameters"
                    | "incompatible-network"
                    | "storage-full"),
                ) => Err(self.client.error(
                    ProviderErrorKind::ActionFailed,
                    format!("{key}: database {identifier} is {state}"),
                )),
                _ => Ok(None),
            }
        });
        let arn = text(&available, "DBInstanceArn")
            .ok_or_else(|| self.unexpected("DescribeDBInstances: no DBInstanceArn"))?;
        let spec = BTreeMap::from([
            (LABEL_SPEC.to_owned(), resource.spec.fingerprint()),
            ("Name".to_owned(), resource.name.clone()),
        ]);
        self.client
            .call(
                Service::Rds,
                region,
                "AddTagsToResource",
                &Params::new()
                    .set("ResourceName", arn)
                    .item_tags("Tags", "Tag", &spec),
                true,
            )
            .await?;
        let mut tags = tags;
        tags.extend(spec);
        parts.extend(part_from(region, identifier, tags, available));
        Ok(parts)
    }

    /// Finds or creates every part of `resource`, completes what is missing, and commits.
    async fn ensure_resource(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        ids: &ResolvedIds,
    ) -> Result<ObservedResource, ProviderError> {
        let parts = match &resource.spec {
            ResourceSpec::Network {
                ip_range,
                subnet,
                region,
            } => self.ensure_network(design, resource, ip_range, subnet, region).await?,
            ResourceSpec::SshKey { public_key } => {
                self.ensure_key_pair(design, resource, public_key).await?
            }
            ResourceSpec::PrimaryIp { region } => {
                self.ensure_elastic_ip(design, resource, region).await?
            }
            ResourceSpec::Firewall { rules, network } => {
                self.ensure_firewall(design, resource, ids, rules, network.as_ref())
                    .await?
            }
            ResourceSpec::Server {
                size,
                region,
                image,
                user_data,
                networks,
                firewalls,
                placement_group: _,
                primary_ip,
                ssh_keys,
            } => {
                self.ensure_server(
                    design,
                    resource,
                    ids,
                    size,
                    region,
                    image,
                    user_data.as_deref(),
                    networks,
                    firewalls,
                    primary_ip.as_ref(),
                    ssh_keys,
                )
                .await?
            }
            ResourceSpec::Volume {
                size_gb,
                region,
                server,
            } => {
                self.ensure_volume(design, resource, ids, *size_gb, region, server.as_ref())
                    .await?
            }
            ResourceSpec::LoadBalancer {
                size,
                region: _,
                network,
                services,
                targets,
                round_robin,
            } => {
                self.ensure_balancer(
                    design,
                    resource,
                    ids,
                    size,
                    network.as_ref(),
                    services,
                    targets,
                    *round_robin,
                )
                .await?
            }
            ResourceSpec::Database {
                engine,
                version,
                size,
                nodes,
                region: _,
                storage_gb,
                network,
            } => {
                self.ensure_database(
                    design,
                    resource,
                    ids,
                    *engine,
                    version.as_deref(),
                    size,
                    *nodes,
                    *storage_gb,
                    network.as_ref(),
                )
                .await?
            }
            ResourceSpec::PlacementGroup => {
                return Err(self.invalid(format!(
                    "{}: AWS replicas are spread over two availability zones instead of a placement group",
                    resource.key
                )))
            }
        };
        let mut observed = assemble(&parts).ok_or_else(|| self.unexpected("no part created"))?;
        // What was just committed, whatever the parts' tags said when they were read.
        observed.fingerprint = Some(resource.spec.fingerprint());
        observed.name = resource.name.clone();
        Ok(observed)
    }

    // ---- deleting ---------------------------------------------------------------------------------

    async fn delete_group(&self, region: &str, id: &str) -> Result<(), ProviderError> {
        self.delete_call(
            Service::Ec2,
            region,
            "DeleteSecurityGroup",
            Params::new().set("GroupId", id),
        )
        .await
    }

    async fn delete_resource(&self, existing: &ObservedResource) -> Result<(), ProviderError> {
        let (region, _) = split_id(&existing.provider_id).ok_or_else(|| {
            self.invalid(format!(
                "{}: `{}` is not an AWS provider id (<region>/<id>)",
                existing.key, existing.provider_id
            ))
        })?;
        let ids = |part: &str| -> Vec<String> {
            existing
                .attributes
                .get(&format!("part:{part}"))
                .map(|list| list.split(',').map(str::to_owned).collect())
                .unwrap_or_default()
        };
        match existing.kind {
            ResourceKind::Server => {
                for id in ids(INSTANCE) {
                    self.delete_call(
                        Service::Ec2,
                        region,
                        "TerminateInstances",
                        Params::new().set("InstanceId.1", id.clone()),
                    )
                    .await?;
                    wait_until!(self, &format!("instance {id} terminated"), {
                        Ok(match self.describe_instance(region, &id).await? {
                            None => Some(()),
                            Some(i) => (i.text_at("instanceState/name") == Some("terminated"))
                                .then_some(()),
                        })
                    });
                }
            }
            ResourceKind::PrimaryIp => {
                for id in ids(ELASTIC_IP) {
                    let association = match self
                        .client
                        .call(
                            Service::Ec2,
                            region,
                            "DescribeAddresses",
                            &Params::new().set("AllocationId.1", id.clone()),
                            true,
                        )
                        .await
                    {
                        Ok(answer) => answer
                            .text_at("addressesSet/item/associationId")
                            .map(str::to_owned),
                        Err(e) if e.kind == ProviderErrorKind::NotFound => continue,
                        Err(e) => return Err(e),
                    };
                    if let Some(association) = association {
                        self.delete_call(
                            Service::Ec2,
                            region,
                            "DisassociateAddress",
                            Params::new().set("AssociationId", association),
                        )
                        .await?;
                    }
                    self.delete_call(
                        Service::Ec2,
                        region,
                        "ReleaseAddress",
                        Params::new().set("AllocationId", id),
                    )
                    .await?;
                }
            }
            ResourceKind::Volume => {
                for id in ids(VOLUME) {
                    let Some(volume) = self.describe_volume(region, &id).await? else {
                        continue;
                    };
                    for attachment in volume.items("attachmentSet") {
                        self.delete_call(
                            Service::Ec2,
                            region,
                            "DetachVolume",
                            Params::new()
                                .set("VolumeId", id.clone())
                                .set_opt("InstanceId", attachment.text_at("instanceId"))
                                .set_opt("Device", attachment.text_at("device")),
                        )
                        .await?;
                    }
                    if !volume.items("attachmentSet").is_empty() {
                        wait_until!(self, &format!("volume {id} detached"), {
                            Ok(self
                                .describe_volume(region, &id)
                                .await?
                                .is_none_or(|v| v.text_at("status") == Some("available"))
                                .then_some(()))
                        });
                    }
                    self.delete_call(
                        Service::Ec2,
                        region,
                        "DeleteVolume",
                        Params::new().set("VolumeId", id.clone()),
                    )
                    .await?;
                }
            }
            ResourceKind::SshKey => {
                for name in ids(KEY_PAIR) {
                    self.delete_call(
                        Service::Ec2,
                        region,
                        "DeleteKeyPair",
                        Params::new().set("KeyName", name),
                    )
                    .await?;
                }
            }
            ResourceKind::Firewall => {
                for id in ids(SECURITY_GROUP) {
                    self.delete_group(region, &id).await?;
                }
            }
            ResourceKind::Network => {
                let vpcs = ids(VPC);
                for table in ids(ROUTE_TABLE) {
                    let tables = match self
                        .describe_ec2(
                            region,
                            Ec2Type::RouteTable,
                            vec![("route-table-id", vec![table.clone()])],
                        )
                        .await
                    {
                        Ok(list) => list,
                        Err(e) if e.kind == ProviderErrorKind::NotFound => Vec::new(),
                        Err(e) => return Err(e),
                    };
                    for association in tables.iter().flat_map(|t| t.items("associationSet")) {
                        if association.text_at("main") == Some("true") {
                            continue;
                        }
                        if let Some(id) = association.text_at("routeTableAssociationId") {
                            self.delete_call(
                                Service::Ec2,
                                region,
                                "DisassociateRouteTable",
                                Params::new().set("AssociationId", id),
                            )
                            .await?;
                        }
                    }
                    self.delete_call(
                        Service::Ec2,
                        region,
                        "DeleteRouteTable",
                        Params::new().set("RouteTableId", table),
                    )
                    .await?;
                }
                for gateway in ids(IGW) {
                    for vpc in &vpcs {
                        match self
                            .client
                            .call(
                                Service::Ec2,
                                region,
                                "DetachInternetGateway",
                                &Params::new()
                                    .set("InternetGatewayId", gateway.clone())
                                    .set("VpcId", vpc.clone()),
                                true,
                            )
                            .await
                        {
                            Ok(_) => {}
                            Err(e)
                                if e.kind == ProviderErrorKind::NotFound
                                    || e.code.as_deref() == Some("Gateway.NotAttached") => {}
                            Err(e) => return Err(e),
                        }
                    }
                    self.delete_call(
                        Service::Ec2,
                        region,
                        "DeleteInternetGateway",
                        Params::new().set("InternetGatewayId", gateway),
                    )
                    .await?;
                }
                for part in SUBNETS {
                    for subnet in ids(part) {
                        self.delete_call(
                            Service::Ec2,
                            region,
                            "DeleteSubnet",
                            Params::new().set("SubnetId", subnet),
                        )
                        .await?;
                    }
                }
                for vpc in vpcs {
                    self.delete_call(
                        Service::Ec2,
                        region,
                        "DeleteVpc",
                        Params::new().set("VpcId", vpc),
                    )
                    .await?;
                }
            }
            ResourceKind::LoadBalancer => {
                for arn in ids(BALANCER) {
                    self.delete_call(
                        Service::Elbv2,
                        region,
                        "DeleteLoadBalancer",
                        Params::new().set("LoadBalancerArn", arn.clone()),
                    )
                    .await?;
                    wait_until!(self, "load balancer deleted", {
                        match self
                            .client
                            .call(
                                Service::Elbv2,
                                region,
                                "DescribeLoadBalancers",
                                &Params::new()
                                    .members("LoadBalancerArns", std::slice::from_ref(&arn)),
                                true,
                            )
                            .await
                        {
                            Ok(answer) => Ok(answer
                                .items("DescribeLoadBalancersResult/LoadBalancers")
                                .is_empty()
                                .then_some(())),
                            Err(e) if e.kind == ProviderErrorKind::NotFound => Ok(Some(())),
                            Err(e) => Err(e),
                        }
                    });
                }
                let groups: Vec<String> = existing
                    .attributes
                    .iter()
                    .filter(|(k, _)| k.starts_with(&format!("part:{TARGET_GROUP_PREFIX}")))
                    .flat_map(|(_, v)| v.split(',').map(str::to_owned))
                    .collect();
                for arn in groups {
                    self.delete_call(
                        Service::Elbv2,
                        region,
                        "DeleteTargetGroup",
                        Params::new().set("TargetGroupArn", arn),
                    )
                    .await?;
                }
                for id in ids(LB_SECURITY_GROUP) {
                    self.delete_group(region, &id).await?;
                }
            }
            ResourceKind::Database => {
                for identifier in ids(DATABASE) {
                    match self.describe_database(region, &identifier).await? {
                        None => continue,
                        Some(db) if db.text_at("DBInstanceStatus") == Some("deleting") => {}
                        Some(_) => {
                            self.delete_call(
                                Service::Rds,
                                region,
                                "DeleteDBInstance",
                                Params::new()
                                    .set("DBInstanceIdentifier", identifier.clone())
                                    // Destroy means gone: the user confirmed it by name.
                                    .set("SkipFinalSnapshot", "true")
                                    .set("DeleteAutomatedBackups", "true"),
                            )
                            .await?;
                        }
                    }
                    wait_until!(self, &format!("database {identifier} deleted"), {
                        Ok(self
                            .describe_database(region, &identifier)
                            .await?
                            .is_none()
                            .then_some(()))
                    });
                }
                for name in ids(DB_SUBNET_GROUP) {
                    self.delete_call(
                        Service::Rds,
                        region,
                        "DeleteDBSubnetGroup",
                        Params::new().set("DBSubnetGroupName", name),
                    )
                    .await?;
                }
                for id in ids(DB_SECURITY_GROUP) {
                    self.delete_group(region, &id).await?;
                }
            }
            ResourceKind::PlacementGroup => {}
        }
        Ok(())
    }
}

impl ProviderDriver for AwsDriver {
    fn provider(&self) -> Provider {
        Provider::Aws
    }

    fn calls(&self) -> u64 {
        self.client.calls()
    }

    fn observe<'a>(
        &'a self,
        design: &'a DesignId,
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        Box::pin(async move {
            // Regions are independent: read them at once.
            let mut reads = tokio::task::JoinSet::new();
            for region in &self.regions {
                let driver = Self {
                    client: self.client.clone(),
                    regions: Vec::new(),
                    zones: Mutex::default(),
                    images: Mutex::default(),
                };
                let design = design.clone();
                let region = region.clone();
                reads.spawn(async move { driver.observe_region(&design, &region).await });
            }
            let mut by_key: BTreeMap<ResourceKey, Vec<Part>> = BTreeMap::new();
            while let Some(joined) = reads.join_next().await {
                let parts =
                    joined.map_err(|e| self.unexpected(format!("a read task failed: {e}")))??;
                for part in parts {
                    by_key.entry(part.key()).or_default().push(part);
                }
            }
            Ok(by_key
                .values()
                .filter_map(|parts| assemble(parts))
                .collect())
        })
    }

    fn create<'a>(
        &'a self,
        design: &'a DesignId,
        resource: &'a DesiredResource,
        ids: &'a ResolvedIds,
    ) -> BoxFuture<'a, Result<ObservedResource, ProviderError>> {
        Box::pin(self.ensure_resource(design, resource, ids))
    }

    fn update<'a>(
        &'a self,
        design: &'a DesignId,
        resource: &'a DesiredResource,
        _existing: &'a ObservedResource,
        ids: &'a ResolvedIds,
    ) -> BoxFuture<'a, Result<ObservedResource, ProviderError>> {
        // Creating is idempotent part by part: it completes a half-created resource, brings
        // security group rules in line, and rewrites the name and fingerprint tags.
        Box::pin(self.ensure_resource(design, resource, ids))
    }

    fn delete<'a>(
        &'a self,
        existing: &'a ObservedResource,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.delete_resource(existing))
    }
}

/// `Ok(Some(_))` for an answer, `Ok(None)` when AWS says the object does not exist.
fn found<T>(answer: Result<T, ProviderError>) -> Result<Option<T>, ProviderError> {
    match answer {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.kind == ProviderErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_aws_limits_and_differ_by_design() {
        let key = ResourceKey::new("cmp_web_use1", "load-balancer");
        let a = aws_name(&DesignId::parse("dsg_a").unwrap(), &key, "tg8080");
        let b = aws_name(&DesignId::parse("dsg_b").unwrap(), &key, "tg8080");
        assert!(a.len() <= 32 && a.starts_with("sc-"), "{a}");
        assert_ne!(a, b, "two designs never share a balancer name");
        assert!(
            !group_name("sg-web", "").starts_with("sg-"),
            "AWS reserves sg-*"
        );
    }

    #[test]
    fn rules_become_permissions_per_address() {
        let rules = [FirewallRuleSpec {
            direction: Direction::Inbound,
            protocol: FirewallProtocol::Tcp,
            port: Some("8000-8100".into()),
            addresses: vec!["0.0.0.0/0".into(), "::/0".into()],
            description: "app's ports <x>".into(),
        }];
        let permissions = permissions_of(&rules).unwrap();
        assert_eq!(permissions.len(), 2);
        let (first, description) = permissions.iter().next().unwrap();
        assert_eq!((first.from, first.to), (8000, 8100));
        assert_eq!(description, "app s ports  x ", "AWS refuses ' < >");
        assert!(permissions_of(&[FirewallRuleSpec {
            port: Some("http".into()),
            ..rules[0].clone()
        }])
        .is_err());
    }

    #[test]
    fn a_second_subnet_follows_the_first() {
        assert_eq!(next_subnet("10.0.1.0/24").as_deref(), Some("10.0.2.0/24"));
        assert_eq!(next_subnet("10.0.255.0/24"), None);
        assert_eq!(next_subnet("10.0.0.0/16"), None);
    }

    #[test]
    fn a_resource_is_complete_only_with_its_primary_fingerprint() {
        let tags = |part: &str, spec: bool| {
            let mut t = BTreeMap::from([
                (LABEL_COMPONENT.to_owned(), "grp_net".to_owned()),
                (LABEL_RESOURCE.to_owned(), "network".to_owned()),
                (TAG_PART.to_owned(), part.to_owned()),
                (LABEL_DESIGN.to_owned(), "dsg_a".to_owned()),
                ("Name".to_owned(), "net".to_owned()),
            ]);
            if spec {
                t.insert(LABEL_SPEC.to_owned(), "f00".to_owned());
            }
            t
        };
        let vpc = part_from(
            "eu-west-1",
            "vpc-1".into(),
            tags(VPC, false),
            Element::default(),
        )
        .unwrap();
        let subnet = part_from(
            "eu-west-1",
            "subnet-1".into(),
            tags("subnet-a", false),
            Element::default(),
        )
        .unwrap();
        let half = assemble(&[subnet.clone(), vpc.clone()]).unwrap();
        assert_eq!(half.provider_id, "eu-west-1/vpc-1", "the VPC is the id");
        assert_eq!(half.fingerprint, None, "not committed yet: incomplete");
        assert_eq!(half.attributes["part:subnet-a"], "subnet-1");
        let mut committed = vpc;
        committed.tags = tags(VPC, true);
        let done = assemble(&[subnet, committed]).unwrap();
        assert_eq!(done.fingerprint.as_deref(), Some("f00"));
        assert_eq!(done.kind, ResourceKind::Network);
    }
    /// What the plan's cost reads from an AWS resource is what this driver reads back: each
    /// existing resource, deleted, takes its monthly price off the bill.
    #[test]
    fn observed_resources_are_priced_from_the_attributes_read_back() {
        use std::str::FromStr;

        use stagecraft_model::Currency;
        use stagecraft_pricing::rust_decimal::Decimal;

        let part = |owner: &str, local: &str, part: &str, xml: &str| {
            let tags = BTreeMap::from([
                (LABEL_COMPONENT.to_owned(), owner.to_owned()),
                (LABEL_RESOURCE.to_owned(), local.to_owned()),
                (TAG_PART.to_owned(), part.to_owned()),
                (LABEL_DESIGN.to_owned(), "dsg_a".to_owned()),
                (LABEL_SPEC.to_owned(), "f00".to_owned()),
            ]);
            let element = crate::aws::xml::parse(xml).unwrap();
            assemble(&[part_from("us-east-1", format!("{part}-1"), tags, element).unwrap()])
                .unwrap()
        };
        let observed = vec![
            part(
                "cmp_app",
                "server-0",
                INSTANCE,
                "<item><instanceId>i-1</instanceId><instanceType>t3.micro</instanceType>\
                 <instanceState><name>running</name></instanceState></item>",
            ),
            part(
                "cmp_data",
                "volume",
                VOLUME,
                "<item><volumeId>vol-1</volumeId><size>50</size><status>in-use</status></item>",
            ),
            part(
                "cmp_alb",
                "load-balancer",
                BALANCER,
                "<member><Type>application</Type><State><Code>active</Code></State></member>",
            ),
            part(
                "cmp_db",
                "database",
                DATABASE,
                "<DBInstance><DBInstanceClass>db.m7g.large</DBInstanceClass>\
                 <Engine>postgres</Engine><MultiAZ>true</MultiAZ>\
                 <AllocatedStorage>100</AllocatedStorage>\
                 <DBInstanceStatus>available</DBInstanceStatus></DBInstance>",
            ),
        ];
        let mapping = crate::resources::Mapping {
            resources: Vec::new(),
            not_provisioned: Vec::new(),
        };
        let mut plan = crate::plan::diff("dsg_a", "a", &mapping, &observed);
        plan.price(
            &mapping,
            &observed,
            Currency::Usd,
            &[stagecraft_pricing::embedded()],
        );
        let cost = |key: &str| {
            plan.changes
                .iter()
                .find(|c| c.key.to_string() == key)
                .and_then(|c| c.monthly_cost_change)
                .map(|c| c.to_string())
        };
        let d = |s: &str| Some(Decimal::from_str(s).unwrap().to_string());
        // t3.micro $7.59 and its 8 GB root volume $0.64.
        assert_eq!(cost("cmp_app/server-0"), d("-8.23"));
        // 50 GB of gp3 at $0.08.
        assert_eq!(cost("cmp_data/volume"), d("-4.00"));
        // ALB hours $16.43 and one capacity unit $5.84.
        assert_eq!(cost("cmp_alb/load-balancer"), d("-22.27"));
        // Multi-AZ db.m7g.large $245.28 and 2 × 100 GB × $0.115.
        assert_eq!(cost("cmp_db/database"), d("-268.28"));
        assert_eq!(
            plan.monthly_cost_change.map(|c| c.to_string()),
            d("-302.78")
        );
    }
}
