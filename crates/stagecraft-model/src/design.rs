//! The design document: what a person drew, as data. Meaning (components, connections, groups,
//! assumptions) is kept apart from layout (positions and sizes on the canvas), so moving a box
//! changes only the `layout` section of the file and never reads as an infrastructure change.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{ComponentId, ConnectionId, DesignId, GroupId};

/// The schema version this build writes. Older files are migrated on load (see `migrate`).
pub const CURRENT_SCHEMA_VERSION: u32 = 2;

/// One infrastructure design: the whole content of a `*.stagecraft.json` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// Version of the file format; see `CURRENT_SCHEMA_VERSION`.
    pub schema_version: u32,
    /// Stable id of the design; provisioning labels every resource with it.
    pub id: DesignId,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub assumptions: Assumptions,
    #[serde(default)]
    pub practices: Practices,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub components: Vec<Component>,
    #[serde(default)]
    pub connections: Vec<Connection>,
    /// Where things are drawn. Kept last and apart so layout changes stay out of meaningful diffs.
    #[serde(default)]
    pub layout: Layout,
}

impl Design {
    /// An empty design with a fresh id.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            schema_version: CURRENT_SCHEMA_VERSION,
            id: DesignId::generate(),
            name: name.into(),
            description: String::new(),
            assumptions: Assumptions::default(),
            practices: Practices::default(),
            groups: Vec::new(),
            components: Vec::new(),
            connections: Vec::new(),
            layout: Layout::default(),
        }
    }

    /// The component with this id, if any.
    pub fn component(&self, id: &ComponentId) -> Option<&Component> {
        self.components.iter().find(|c| &c.id == id)
    }

    /// The group with this id, if any.
    pub fn group(&self, id: &GroupId) -> Option<&Group> {
        self.groups.iter().find(|g| &g.id == id)
    }

    /// The chain of groups a component sits in, innermost first. Stops at a cycle or a missing
    /// parent instead of looping, so it is safe on unvalidated documents.
    pub fn groups_of(&self, component: &Component) -> Vec<&Group> {
        let mut chain: Vec<&Group> = Vec::new();
        let mut next = component.group.as_ref();
        while let Some(id) = next {
            match self.group(id) {
                Some(group) if !chain.iter().any(|g| g.id == group.id) => {
                    chain.push(group);
                    next = group.parent.as_ref();
                }
                _ => break,
            }
        }
        chain
    }
}

/// What the design is expected to serve; rules, the advisor and pricing read these.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(deny_unknown_fields)]
pub struct Assumptions {
    /// Expected monthly active users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_users: Option<u32>,
    /// Expected peak requests per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rps: Option<u32>,
    /// Expected traffic out to the internet per month, in GB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_egress_gb: Option<u32>,
    /// Expected growth of users per month, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_growth_percent: Option<u32>,
    /// The stage the design should be fit for; rules judge against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_stage: Option<Stage>,
    /// Currency costs are shown in.
    #[serde(default)]
    pub currency: Currency,
}

/// Design-level operational facts that no single component carries.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(deny_unknown_fields)]
pub struct Practices {
    /// Configuration (this file, Compose files, cloud-init) is kept in Git.
    #[serde(default)]
    pub config_in_git: bool,
    /// A migration (of DNS, provider or servers) is under way; DNS TTLs should be low.
    #[serde(default)]
    pub migration_in_progress: bool,
}

/// Growth stages, from the stage table: MVP (<1K users), Growth (1K-50K), Scale (50K+).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Mvp,
    Growth,
    Scale,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Mvp, Stage::Growth, Stage::Scale];

    /// The stage that fits an expected number of users, by the stage table.
    pub fn for_users(users: u32) -> Stage {
        match users {
            0..1_000 => Stage::Mvp,
            1_000..50_000 => Stage::Growth,
            _ => Stage::Scale,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Mvp => "MVP",
            Stage::Growth => "Growth",
            Stage::Scale => "Scale",
        }
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    specta::Type,
)]
pub enum Currency {
    #[default]
    #[serde(rename = "EUR")]
    Eur,
    #[serde(rename = "USD")]
    Usd,
}

/// Cloud providers Stagecraft prices and provisions. `Unassigned` is a component not yet placed.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Hetzner,
    Digitalocean,
    Aws,
    #[default]
    Unassigned,
}

impl Provider {
    /// The providers that exist, without `Unassigned`.
    pub const REAL: [Provider; 3] = [Provider::Hetzner, Provider::Digitalocean, Provider::Aws];

    pub fn label(self) -> &'static str {
        match self {
            Provider::Hetzner => "Hetzner",
            Provider::Digitalocean => "DigitalOcean",
            Provider::Aws => "AWS",
            Provider::Unassigned => "Unassigned",
        }
    }

    /// The lower-case name used in files, labels and the CLI.
    pub fn slug(self) -> &'static str {
        match self {
            Provider::Hetzner => "hetzner",
            Provider::Digitalocean => "digitalocean",
            Provider::Aws => "aws",
            Provider::Unassigned => "unassigned",
        }
    }
}

/// The kinds of component in the catalogue (see `catalog`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    Users,
    DnsZone,
    Cdn,
    LoadBalancer,
    ReverseProxy,
    AppServer,
    Worker,
    AutoscalingGroup,
    ManagedDatabase,
    SelfHostedDatabase,
    Cache,
    ObjectStorage,
    BlockVolume,
    Firewall,
    VpnLink,
    BackupJob,
    Monitoring,
}

impl ComponentKind {
    pub const ALL: [ComponentKind; 17] = [
        ComponentKind::Users,
        ComponentKind::DnsZone,
        ComponentKind::Cdn,
        ComponentKind::LoadBalancer,
        ComponentKind::ReverseProxy,
        ComponentKind::AppServer,
        ComponentKind::Worker,
        ComponentKind::AutoscalingGroup,
        ComponentKind::ManagedDatabase,
        ComponentKind::SelfHostedDatabase,
        ComponentKind::Cache,
        ComponentKind::ObjectStorage,
        ComponentKind::BlockVolume,
        ComponentKind::Firewall,
        ComponentKind::VpnLink,
        ComponentKind::BackupJob,
        ComponentKind::Monitoring,
    ];

    /// The name used in files and the CLI (`app_server`).
    pub fn slug(self) -> &'static str {
        match self {
            ComponentKind::Users => "users",
            ComponentKind::DnsZone => "dns_zone",
            ComponentKind::Cdn => "cdn",
            ComponentKind::LoadBalancer => "load_balancer",
            ComponentKind::ReverseProxy => "reverse_proxy",
            ComponentKind::AppServer => "app_server",
            ComponentKind::Worker => "worker",
            ComponentKind::AutoscalingGroup => "autoscaling_group",
            ComponentKind::ManagedDatabase => "managed_database",
            ComponentKind::SelfHostedDatabase => "self_hosted_database",
            ComponentKind::Cache => "cache",
            ComponentKind::ObjectStorage => "object_storage",
            ComponentKind::BlockVolume => "block_volume",
            ComponentKind::Firewall => "firewall",
            ComponentKind::VpnLink => "vpn_link",
            ComponentKind::BackupJob => "backup_job",
            ComponentKind::Monitoring => "monitoring",
        }
    }

    /// Kinds that run as servers (machines a person could SSH into).
    pub fn is_server(self) -> bool {
        matches!(
            self,
            ComponentKind::AppServer
                | ComponentKind::Worker
                | ComponentKind::AutoscalingGroup
                | ComponentKind::SelfHostedDatabase
                | ComponentKind::ReverseProxy
        )
    }

    /// Kinds that hold data worth backing up.
    pub fn holds_data(self) -> bool {
        matches!(
            self,
            ComponentKind::ManagedDatabase
                | ComponentKind::SelfHostedDatabase
                | ComponentKind::BlockVolume
                | ComponentKind::ObjectStorage
        )
    }
}

/// One box on the canvas: a piece of infrastructure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub id: ComponentId,
    pub kind: ComponentKind,
    pub name: String,
    #[serde(default)]
    pub provider: Provider,
    /// Provider region or location (`fsn1`, `fra1`, `eu-central-1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Provider size or plan (`cx22`, `s-2vcpu-4gb`, `t3.medium`), from the catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// Number of identical replicas.
    #[serde(default = "one")]
    pub count: u32,
    /// The innermost group the component sits in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupId>,
    #[serde(default, skip_serializing_if = "Properties::is_empty")]
    pub properties: Properties,
}

fn one() -> u32 {
    1
}

impl Component {
    /// A component of `kind` with no provider, size or properties yet.
    pub fn new(kind: ComponentKind, name: impl Into<String>) -> Self {
        Self {
            id: ComponentId::generate(),
            kind,
            name: name.into(),
            provider: Provider::Unassigned,
            region: None,
            size: None,
            count: 1,
            group: None,
            properties: Properties::default(),
        }
    }
}

/// Kind-specific settings. Every field is optional; the catalogue says which apply to a kind and
/// the rules engine flags settings that make no sense for it.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(deny_unknown_fields)]
pub struct Properties {
    /// Database or cache engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    /// Storage in GB (database disk, volume size, bucket estimate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_gb: Option<u32>,
    /// Standby or replica nodes of a database or cache, beyond the primary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standby_nodes: Option<u32>,
    /// What runs on a server (web, background jobs, a database...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<Workload>,
    /// How software is run on a server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Runtime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<BackupPolicy>,
    /// What a backup job copies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backup_sources: Vec<ComponentId>,
    /// Reverse proxy software.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<ProxySoftware>,
    /// Load balancer algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<LbAlgorithm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    /// Firewall policy for traffic no rule matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_inbound: Option<Policy>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub firewall_rules: Vec<FirewallRule>,
    /// Components a firewall protects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<ComponentId>,
    /// DNS domain of a zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// DNS record TTL in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_ttl_seconds: Option<u32>,
    /// VPN software of a VPN link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpn: Option<VpnSoftware>,
    /// Components a VPN link joins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<ComponentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Autoscaling>,
    /// The server a block volume is attached to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached_to: Option<ComponentId>,
    /// Whether a server has a public IPv4 address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ipv4: Option<bool>,
    /// How capacity is bought (on demand, reserved, spot); pricing reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase: Option<PurchaseOption>,
}

impl Properties {
    pub fn is_empty(&self) -> bool {
        self == &Properties::default()
    }

    /// Every component id these properties refer to, with the field that holds it.
    pub fn references(&self) -> Vec<(&'static str, &ComponentId)> {
        let mut refs = Vec::new();
        refs.extend(self.backup_sources.iter().map(|id| ("backup_sources", id)));
        refs.extend(self.applies_to.iter().map(|id| ("applies_to", id)));
        refs.extend(self.members.iter().map(|id| ("members", id)));
        if let Some(id) = &self.attached_to {
            refs.push(("attached_to", id));
        }
        if let Some(id) = self.backup.as_ref().and_then(|b| b.destination.as_ref()) {
            refs.push(("backup.destination", id));
        }
        refs
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    Postgresql,
    Mysql,
    Redis,
    Valkey,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    Web,
    Jobs,
    Database,
    Cache,
    ReverseProxy,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Runtime {
    DockerCompose,
    Systemd,
    Kubernetes,
}

/// How and when data is backed up.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(deny_unknown_fields)]
pub struct BackupPolicy {
    /// Logical dumps (databases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dumps: Option<Schedule>,
    /// Disk or volume snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots: Option<Schedule>,
    /// A backup is taken before every change (migration, upgrade, deploy).
    #[serde(default)]
    pub before_changes: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
    /// Where backups are written (an object storage component).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<ComponentId>,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    Hourly,
    Daily,
    Weekly,
    Monthly,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum ProxySoftware {
    Caddy,
    Traefik,
    Nginx,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum LbAlgorithm {
    RoundRobin,
    LeastConnections,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    pub protocol: Protocol,
    pub port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub interval_seconds: u32,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    Deny,
    Allow,
}

/// One firewall rule. `port` is a single port (`"22"`) or a range (`"8000-8100"`); none means all
/// ports of the protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct FirewallRule {
    pub direction: Direction,
    pub protocol: FirewallProtocol,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// Source (inbound) or destination (outbound) CIDRs, such as `0.0.0.0/0` or `10.0.0.0/16`.
    pub addresses: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl FirewallRule {
    /// The inclusive port range of the rule, or `None` for all ports; `Err` names a malformed port.
    pub fn port_range(&self) -> Result<Option<(u16, u16)>, String> {
        let Some(text) = &self.port else {
            return Ok(None);
        };
        let parse = |part: &str| {
            part.trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| {
                    format!("`{text}` is not a port (1-65535) or a range like 8000-8100")
                })
        };
        match text.split_once('-') {
            None => parse(text).map(|p| Some((p, p))),
            Some((from, to)) => {
                let (from, to) = (parse(from)?, parse(to)?);
                if from > to {
                    return Err(format!("`{text}`: the range starts after it ends"));
                }
                Ok(Some((from, to)))
            }
        }
    }

    /// Whether the rule admits traffic from anywhere on the internet.
    pub fn open_to_world(&self) -> bool {
        self.addresses
            .iter()
            .any(|a| a == "0.0.0.0/0" || a == "::/0")
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum FirewallProtocol {
    Tcp,
    Udp,
    Icmp,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum VpnSoftware {
    Wireguard,
    Tailscale,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Autoscaling {
    pub min: u32,
    pub max: u32,
    /// Average CPU utilisation the group scales to hold, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_cpu_percent: Option<u32>,
}

#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseOption {
    #[default]
    OnDemand,
    Reserved1y,
    Reserved3y,
    Spot,
}

/// A line between two components: traffic of one protocol on some ports, over some network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    pub id: ConnectionId,
    pub from: ComponentId,
    pub to: ComponentId,
    pub protocol: Protocol,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<u16>,
    #[serde(default)]
    pub network: NetworkPath,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Http,
    Https,
    Tcp,
    Udp,
    Grpc,
    Postgresql,
    Mysql,
    Redis,
    Dns,
    Ssh,
    Wireguard,
    S3,
}

impl Protocol {
    /// The port the protocol usually runs on, if it has one.
    pub fn default_port(self) -> Option<u16> {
        match self {
            Protocol::Http => Some(80),
            Protocol::Https | Protocol::S3 => Some(443),
            Protocol::Postgresql => Some(5432),
            Protocol::Mysql => Some(3306),
            Protocol::Redis => Some(6379),
            Protocol::Dns => Some(53),
            Protocol::Ssh => Some(22),
            Protocol::Wireguard => Some(51820),
            Protocol::Grpc => Some(443),
            Protocol::Tcp | Protocol::Udp => None,
        }
    }
}

/// The network a connection's traffic crosses.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum NetworkPath {
    #[default]
    Public,
    Private,
    Vpn,
}

/// A container on the canvas: a region, a private network (VPC) or an availability zone. Groups
/// nest through `parent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: GroupId,
    pub kind: GroupKind,
    pub name: String,
    #[serde(default)]
    pub provider: Provider,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Address range of a private network, such as `10.0.0.0/16`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<GroupId>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    Region,
    PrivateNetwork,
    AvailabilityZone,
}

/// Canvas geometry, keyed by component or group id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    #[serde(default)]
    pub nodes: BTreeMap<String, Placement>,
}

/// Where a node is drawn. Groups carry a size; components use the canvas default when none is set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    pub x: f64,
    pub y: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
}
