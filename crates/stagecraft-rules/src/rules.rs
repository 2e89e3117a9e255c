//! The rules. Each is a [`Rule`] (its documentation, listed in [`ALL`]) and a function that
//! reads the [`DesignIndex`] and pushes findings. A rule function touches each component,
//! connection or firewall rule a bounded number of times, so a check stays linear.

use std::collections::BTreeMap;

use stagecraft_model::catalog::SizeSpec;
use stagecraft_model::{
    Autoscaling, BackupPolicy, Component, ComponentId, ComponentKind, Connection, Direction,
    Engine, FirewallProtocol, FirewallRule, Group, GroupKind, NetworkPath, Policy, Protocol,
    Provider, ProxySoftware, Schedule, Stage, VpnSoftware, Workload,
};

use crate::fix::{beside, id_base, Edit, Fix, IdAllocator};
use crate::index::DesignIndex;
use crate::{Finding, Severity};

/// A rule's documentation: what the reference and SARIF metadata show.
pub(crate) struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub why: &'static str,
    pub fix_hint: &'static str,
}

/// Most DNS resolvers honour TTLs; above this a cut-over takes too long to reach everyone.
const MIGRATION_MAX_TTL_SECONDS: u32 = 300;
/// Addresses a restricted rule falls back to when a component has no private network of its own.
const PRIVATE_RANGE: &str = "10.0.0.0/8";
const WORLD: [&str; 2] = ["0.0.0.0/0", "::/0"];

macro_rules! rule {
    ($name:ident, $id:literal, $severity:ident, $title:literal, $why:literal, $fix:literal) => {
        pub(crate) const $name: Rule = Rule {
            id: $id,
            severity: Severity::$severity,
            title: $title,
            why: $why,
            fix_hint: $fix,
        };
    };
}

rule!(STAGE_BELOW_TARGET, "stage.below-target", Info,
    "The design implements a smaller stage than it targets",
    "The stage is read from the design's shape (load balancer, separate tiers, regions, auto-scaling). A design below its target stage will not carry the expected users; the advisor lists the steps to get there.",
    "Follow the advisor's next-stage steps (`stagecraft_rules::advise`, the app's advisor panel); each applies as one change set.");
rule!(GROWTH_DB_ON_APP, "stage.growth.db-on-app-server", Warning,
    "Database on the app server",
    "At Growth the database competes with the app for CPU and memory, cannot be resized on its own, and a deploy or a crash of the app server takes the data down with it.",
    "Moves the database to its own component: a managed database where the provider offers one natively, otherwise a self-hosted database server, with the backup policy carried over.");
rule!(GROWTH_NO_LB, "stage.growth.app-servers-without-load-balancer", Warning,
    "Two or more app servers without a load balancer",
    "Without a load balancer, traffic reaches the app servers through DNS round robin at best: no health checks, no draining during deploys, and a dead server keeps receiving users.",
    "Adds a load balancer in front of the app servers and routes the public traffic through it.");
rule!(GROWTH_JOBS_ON_WEB, "stage.growth.jobs-on-web-server", Warning,
    "Background jobs on web servers",
    "Background jobs (emails, imports, reports) eat the CPU and memory that requests need, so a burst of jobs slows every page; separate workers scale and restart on their own.",
    "Adds a worker for the jobs with the same data connections, and leaves the web servers serving requests only.");
rule!(SCALE_ONE_REGION, "stage.scale.single-region", Warning,
    "Everything runs in one region",
    "At Scale a region outage (it happens to every provider) takes the whole product down, and users far away pay the latency. One region is also a single point of failure.",
    "Add a second region with its own load balancer and app servers, a database replica, and a CDN or DNS failover in front (see the Scale template).");
rule!(SCALE_NO_CDN, "stage.scale.no-cdn", Warning,
    "No CDN",
    "At Scale most bytes are static assets; a CDN serves them close to users, absorbs spikes and attacks, and takes that load and egress off the servers.",
    "Adds a CDN between the users and the public entry points (a third-party CDN where the provider has none).");
rule!(SCALE_NO_AUTOSCALING, "stage.scale.no-autoscaling", Warning,
    "No auto-scaling",
    "At Scale traffic varies by a factor of several over a day; a fixed pool is either too small at peak or paid for idle at night.",
    "Turns the web app servers into auto-scaling groups where the provider offers them (Hetzner does not: size a fixed pool behind the load balancer for the peak).");
rule!(SCALE_SELF_MANAGED, "stage.scale.self-managed-data", Warning,
    "Self-managed database or cache where a managed one fits",
    "At Scale, failover, point-in-time recovery, patching and replicas take real engineering time; where the provider runs databases and caches as a product, that time is better spent on the product.",
    "Switches the database to the provider's managed database, or moves a cache off its server to the provider's managed cache, at the default size.");
rule!(MVP_MULTI_REGION, "stage.mvp.multi-region", Warning,
    "Several regions for fewer than 1K users",
    "Under 1K users, a second region doubles the servers, the cost and the operational work (replication, failover) for an outage risk that backups in another location already cover.",
    "Removes the servers outside the main region; the saving is stated in sizes.");
rule!(MVP_LOAD_BALANCER, "stage.mvp.load-balancer", Warning,
    "A load balancer where a reverse proxy serves",
    "At MVP one server carries the load; a reverse proxy (Caddy or Traefik) in front of it terminates TLS, redirects and routes for free, so a paid load balancer adds cost and a moving part.",
    "Replaces the load balancer with a Caddy reverse proxy behind a default-deny firewall.");
rule!(SPOF_SINGLE_APP, "spof.single-app-server-behind-load-balancer", Warning,
    "One app server behind a load balancer",
    "At Growth and above, a load balancer in front of a single server balances nothing: when that server is down or being deployed, every request fails.",
    "Runs two instances of the app server.");
rule!(SPOF_DB_NO_REPLICA, "spof.database-without-replica", Warning,
    "The only database has no replica",
    "At Scale, restoring a database from a dump takes hours; a standby replica takes over in minutes and lets maintenance happen without downtime.",
    "Adds one standby node to the database.");
rule!(NET_NO_FIREWALL, "network.public-server-without-firewall", Error,
    "A public server without a firewall",
    "A server reachable from the internet gets scanned within minutes; without a firewall every service that listens (databases, admin panels, debug ports) is exposed.",
    "Adds a default-deny firewall that opens only the ports its internet-facing connections use.");
rule!(NET_DEFAULT_ALLOW, "network.firewall-default-allow", Error,
    "A firewall that does not deny by default",
    "A firewall that allows what no rule matches protects nothing new: the next service someone starts is public.",
    "Sets the firewall's default inbound policy to deny.");
rule!(NET_EXTRA_PORTS, "network.firewall-extra-ports", Warning,
    "A firewall opens ports no connection uses",
    "Only the ports the design's connections use need to be open (plus SSH for administration, and HTTP beside HTTPS for redirects and certificates); every other open port is attack surface nobody watches.",
    "Removes the firewall rules no connection needs.");
rule!(NET_SSH_WORLD, "network.ssh-open-to-world", Warning,
    "SSH open to the whole internet",
    "SSH open to 0.0.0.0/0 invites brute-force attempts around the clock and exposes the server to every future OpenSSH vulnerability.",
    "Allows SSH only from the private network; reach servers over a WireGuard or Tailscale link.");
rule!(NET_DB_PORT_PUBLIC, "network.database-port-public", Error,
    "A database port reachable from the internet",
    "Databases and caches are not built to face the internet: exposed PostgreSQL, MySQL and Redis ports are found by scanners and breached or ransomed routinely.",
    "Restricts the rule to the private network.");
rule!(NET_PUBLIC_LINK, "network.server-traffic-over-internet", Warning,
    "Servers talk over the public internet",
    "Traffic between servers over public addresses is exposed to eavesdropping, needs public ports open, and counts as egress; a private network keeps it off the internet.",
    "Puts both servers in a private network and sends the traffic over it.");
rule!(NET_PRIVATE_WITHOUT_NETWORK, "network.private-link-without-network", Warning,
    "A private connection with no private network",
    "The connection is marked private but its ends are not in the same private network, so nothing provisions the network it claims to use.",
    "Puts both ends in one private network.");
rule!(NET_CROSS_SITE, "network.cross-site-without-vpn", Warning,
    "Traffic between providers or regions without a VPN",
    "Private networks stop at a provider's (and often a region's) edge; traffic between servers across providers or regions crosses the internet unless a WireGuard or Tailscale link carries it.",
    "Adds a WireGuard link joining both servers and sends the traffic over it.");
rule!(NET_VPN_MISSING, "network.vpn-link-missing", Info,
    "A VPN connection with no VPN link drawn",
    "The connection says it crosses a VPN, but no VPN link joins its two ends, so provisioning has nothing to set up.",
    "Adds a WireGuard link joining both ends.");
rule!(NET_DNS_TTL, "network.high-dns-ttl-during-migration", Warning,
    "High DNS TTL during a migration",
    "While a migration is under way, a long TTL keeps resolvers pointing at the old servers for hours after the cut-over, and makes a rollback just as slow.",
    "Lowers the TTL to 300 seconds until the migration is done.");
rule!(BACKUP_NO_DUMP, "backup.database-not-dumped-daily", Warning,
    "A database without daily dumps to object storage",
    "Replicas and snapshots copy mistakes too; a daily logical dump stored in object storage is what restores a dropped table or a bad migration, and what moves data to another provider.",
    "Dumps the database daily (and before changes) to object storage in another location.");
rule!(BACKUP_BEFORE_CHANGES, "backup.database-no-dump-before-changes", Warning,
    "No database dump before changes",
    "Migrations, upgrades and risky deploys are when data gets damaged; a dump taken just before them is the cheapest way back.",
    "Takes a dump before every change.");
rule!(BACKUP_VOLUME, "backup.volume-not-snapshotted", Warning,
    "A volume without weekly snapshots",
    "A volume holds data no image can recreate; a weekly snapshot bounds what a failed disk or a mistaken `rm` can lose.",
    "Snapshots the volume weekly.");
rule!(BACKUP_CONFIG_GIT, "backup.config-not-in-git", Warning,
    "Configuration is not kept in Git",
    "Configuration (this design, Compose files, cloud-init) is what rebuilds servers after a loss; in Git it is versioned, reviewed and never only on one machine.",
    "Marks the design's configuration as kept in Git; commit the design file and the server configuration.");
rule!(BACKUP_SAME_DOMAIN, "backup.same-failure-domain", Warning,
    "Backups share the failure domain of their data",
    "A backup in the same provider region as its data is lost in the same outage, fire or account problem; keep it in another location.",
    "Sends the backups to object storage in another region.");
rule!(PROVIDER_NOT_NATIVE, "provider.kind-not-native", Warning,
    "The provider does not offer this kind natively",
    "The provider has no product for this kind, so it cannot be provisioned as drawn; the catalogue names what to use instead on that provider.",
    "Switches to the catalogue's equivalent on the provider (a self-hosted database for a managed one on Hetzner), or pick a provider that offers it.");
rule!(PROVIDER_SELF_RUN, "provider.kind-runs-on-server", Info,
    "The provider runs this kind on a server you manage",
    "The provider has no product for this kind; it is provisioned as software on a server, which you patch, monitor and back up.",
    "Nothing to change if that is intended; otherwise pick a provider that offers it natively.");
rule!(PROVIDER_UNKNOWN_SIZE, "provider.size-unknown", Error,
    "A size the provider does not have for this kind",
    "The size is not in the provider's catalogue for this kind, so the design can be neither priced nor provisioned.",
    "Uses the provider's default size for the kind.");
rule!(PROVIDER_SIZE_REGION, "provider.size-not-in-region", Error,
    "A size not offered in the chosen region",
    "Providers offer some sizes only in some regions; provisioning this one fails.",
    "Uses the closest size offered in the region (at least as many vCPUs and as much memory when possible).");
rule!(PROVIDER_UNKNOWN_REGION, "provider.region-unknown", Error,
    "A region the provider does not have",
    "The region is not one of the provider's regions, so the design can be neither priced nor provisioned.",
    "Pick one of the provider's regions (`stagecraft catalog` lists them).");
rule!(DOC_UNCONNECTED, "document.unconnected", Warning,
    "A component that needs connections has none",
    "The catalogue says this kind does nothing on its own (users reach something, servers talk to data); unconnected, it is probably forgotten or misdrawn.",
    "Connect it, or remove it.");
rule!(DOC_EMPTY_GROUP, "document.empty-group", Warning,
    "An empty group",
    "A group with nothing in it is left over from an edit, and would still provision a network or appear in exports.",
    "Removes the group.");
rule!(DOC_BAD_CONNECTION, "document.connection-not-allowed", Warning,
    "A connection the catalogue does not allow",
    "The catalogue lists which kinds open connections to which; anything else is drawn the wrong way round or makes no sense (a DNS zone does not talk to a volume).",
    "Reverses the connection when the other direction is allowed; otherwise remove it.");

/// Every rule, in reference order.
pub(crate) const ALL: &[&Rule] = &[
    &STAGE_BELOW_TARGET,
    &MVP_MULTI_REGION,
    &MVP_LOAD_BALANCER,
    &GROWTH_DB_ON_APP,
    &GROWTH_NO_LB,
    &GROWTH_JOBS_ON_WEB,
    &SCALE_ONE_REGION,
    &SCALE_NO_CDN,
    &SCALE_NO_AUTOSCALING,
    &SCALE_SELF_MANAGED,
    &SPOF_SINGLE_APP,
    &SPOF_DB_NO_REPLICA,
    &NET_NO_FIREWALL,
    &NET_DEFAULT_ALLOW,
    &NET_EXTRA_PORTS,
    &NET_SSH_WORLD,
    &NET_DB_PORT_PUBLIC,
    &NET_PUBLIC_LINK,
    &NET_PRIVATE_WITHOUT_NETWORK,
    &NET_CROSS_SITE,
    &NET_VPN_MISSING,
    &NET_DNS_TTL,
    &BACKUP_NO_DUMP,
    &BACKUP_BEFORE_CHANGES,
    &BACKUP_VOLUME,
    &BACKUP_CONFIG_GIT,
    &BACKUP_SAME_DOMAIN,
    &PROVIDER_NOT_NATIVE,
    &PROVIDER_SELF_RUN,
    &PROVIDER_UNKNOWN_SIZE,
    &PROVIDER_SIZE_REGION,
    &PROVIDER_UNKNOWN_REGION,
    &DOC_UNCONNECTED,
    &DOC_EMPTY_GROUP,
    &DOC_BAD_CONNECTION,
];

pub(crate) struct Ctx<'a, 'd> {
    pub ix: &'a DesignIndex<'d>,
    pub target: Stage,
    pub detected: Stage,
    pub out: Vec<Finding>,
    /// The first object storage component of each provider and region, in design order: the
    /// candidates for a backup destination (one per failure domain keeps the choice cheap).
    storages: Vec<usize>,
}

impl<'a, 'd> Ctx<'a, 'd> {
    fn emit(
        &mut self,
        rule: &Rule,
        message: String,
        components: Vec<ComponentId>,
        fix: Option<Fix>,
    ) {
        self.out.push(Finding {
            rule: rule.id.to_owned(),
            severity: rule.severity,
            message,
            why: rule.why.to_owned(),
            components,
            fix,
        });
    }

    fn name(&self, i: usize) -> &'d str {
        &self.ix.comp(i).name
    }

    fn id(&self, i: usize) -> ComponentId {
        self.ix.comp(i).id.clone()
    }
}

pub(crate) fn run_all(ix: &DesignIndex<'_>, detected: Stage, target: Stage) -> Vec<Finding> {
    let mut storages: Vec<usize> = Vec::new();
    let mut seen: Vec<(Provider, Option<&str>)> = Vec::new();
    for i in 0..ix.components_len() {
        let domain = (ix.provider[i], ix.region[i]);
        if ix.comp(i).kind == ComponentKind::ObjectStorage && !seen.contains(&domain) {
            seen.push(domain);
            storages.push(i);
        }
    }
    let mut ctx = Ctx {
        ix,
        target,
        detected,
        out: Vec::new(),
        storages,
    };
    stage_rules(&mut ctx);
    spof_rules(&mut ctx);
    firewall_rules(&mut ctx);
    link_rules(&mut ctx);
    backup_rules(&mut ctx);
    provider_rules(&mut ctx);
    document_rules(&mut ctx);
    ctx.out
}

// ---------------------------------------------------------------------------------------------
// Shared pieces of fixes

fn engine_protocol(engine: Option<Engine>) -> (Protocol, u16) {
    match engine {
        Some(Engine::Mysql) => (Protocol::Mysql, 3306),
        Some(Engine::Redis | Engine::Valkey) => (Protocol::Redis, 6379),
        _ => (Protocol::Postgresql, 5432),
    }
}

fn connection(
    ids: &mut IdAllocator<'_, '_>,
    from: &ComponentId,
    to: &ComponentId,
    protocol: Protocol,
    port: u16,
    network: NetworkPath,
) -> Connection {
    let base = format!("{}-{}", id_base(from.as_str()), id_base(to.as_str()));
    Connection {
        id: ids.connection(&base),
        from: from.clone(),
        to: to.clone(),
        protocol,
        ports: vec![port],
        network,
        label: None,
    }
}

/// A size for `kind` in the region: the provider's default when offered there, else the
/// smallest offered there.
fn size_in_region(
    ix: &DesignIndex<'_>,
    kind: ComponentKind,
    provider: Provider,
    region: Option<&str>,
) -> Option<String> {
    let default = ix.catalog.default_size(kind, provider);
    let sizes = ix.catalog.sizes_for(kind, provider, region);
    if let Some(d) = default {
        if sizes.iter().any(|s| s.id == d) {
            return Some(d.to_owned());
        }
    }
    sizes
        .first()
        .map(|s| s.id.clone())
        .or(default.map(str::to_owned))
}

fn new_component(
    id: ComponentId,
    kind: ComponentKind,
    name: String,
    like: &Component,
    size: Option<String>,
) -> Component {
    Component {
        id,
        kind,
        name,
        provider: like.provider,
        region: like.region.clone(),
        size,
        count: 1,
        group: like.group.clone(),
        properties: Default::default(),
    }
}

/// The private CIDR of the component's network, else the RFC 1918 range.
fn private_cidr(ix: &DesignIndex<'_>, i: usize) -> String {
    ix.private_network[i]
        .and_then(|g| ix.group(g).cidr.clone())
        .unwrap_or_else(|| PRIVATE_RANGE.to_owned())
}

/// Ports a component needs open: those of its incoming connections, plus HTTP beside a public
/// HTTPS endpoint (redirects, ACME HTTP-01).
fn needed_ports(ix: &DesignIndex<'_>, i: usize, internet_only: bool) -> Vec<u16> {
    let mut ports = Vec::new();
    for &c in ix.incoming(i) {
        let conn = ix.conn(c);
        if internet_only {
            let Some((from, _)) = ix.ends[c] else {
                continue;
            };
            let internet = conn.network == NetworkPath::Public
                && matches!(
                    ix.comp(from).kind,
                    ComponentKind::Users
                        | ComponentKind::Cdn
                        | ComponentKind::DnsZone
                        | ComponentKind::LoadBalancer
                );
            if !internet {
                continue;
            }
        }
        let conn_ports: Vec<u16> = if conn.ports.is_empty() {
            conn.protocol.default_port().into_iter().collect()
        } else {
            conn.ports.clone()
        };
        for p in conn_ports {
            if internet_only && ix.catalog.data_ports.contains(&p) {
                continue;
            }
            if !ports.contains(&p) {
                ports.push(p);
            }
            if p == 443
                && conn.protocol == Protocol::Https
                && conn.network == NetworkPath::Public
                && !ports.contains(&80)
            {
                ports.push(80);
            }
        }
    }
    ports.sort_unstable();
    ports
}

/// A default-deny firewall for component `i` opening `ports` to the internet.
fn firewall_for(
    ix: &DesignIndex<'_>,
    ids: &mut IdAllocator<'_, '_>,
    i: usize,
    ports: &[u16],
) -> Edit {
    let c = ix.comp(i);
    let mut fw = new_component(
        ids.component(&format!("{}-firewall", id_base(c.id.as_str()))),
        ComponentKind::Firewall,
        format!("{}-firewall", c.name),
        c,
        None,
    );
    fw.provider = ix.provider[i];
    fw.properties.default_inbound = Some(Policy::Deny);
    fw.properties.applies_to = vec![c.id.clone()];
    fw.properties.firewall_rules = ports
        .iter()
        .map(|p| FirewallRule {
            direction: Direction::Inbound,
            protocol: FirewallProtocol::Tcp,
            port: Some(p.to_string()),
            addresses: WORLD.iter().map(|a| (*a).to_owned()).collect(),
            description: Some("from the internet, for the design's connections".into()),
        })
        .collect();
    let placement = beside(ix, c.id.as_str(), 1);
    Edit::AddComponent {
        component: fw,
        placement,
    }
}

/// Edits that give components `a` and `b` a common private network.
fn private_network_edits(
    ix: &DesignIndex<'_>,
    ids: &mut IdAllocator<'_, '_>,
    a: usize,
    b: usize,
) -> Vec<Edit> {
    let (na, nb) = (ix.private_network[a], ix.private_network[b]);
    let move_into = |who: usize, group: &stagecraft_model::GroupId| {
        let mut c = ix.comp(who).clone();
        c.group = Some(group.clone());
        Edit::UpdateComponent { component: c }
    };
    match (na, nb) {
        (Some(x), Some(y)) if x == y => Vec::new(),
        (Some(x), _) => vec![move_into(b, &ix.group(x).id)],
        (None, Some(y)) => vec![move_into(a, &ix.group(y).id)],
        (None, None) => {
            let add = new_private_network(ix, ids, a);
            let Edit::AddGroup { group, .. } = &add else {
                return Vec::new();
            };
            let id = group.id.clone();
            vec![add, move_into(a, &id), move_into(b, &id)]
        }
    }
}

/// A new private network in component `a`'s provider and region (inside its region group), with
/// an address range no other group uses.
fn new_private_network(ix: &DesignIndex<'_>, ids: &mut IdAllocator<'_, '_>, a: usize) -> Edit {
    let used: Vec<&str> = ix
        .design
        .groups
        .iter()
        .filter_map(|g| g.cidr.as_deref())
        .collect();
    let cidr = (0..=255u16)
        .map(|n| format!("10.{n}.0.0/16"))
        .find(|c| !used.contains(&c.as_str()))
        .unwrap_or_else(|| "10.0.0.0/16".to_owned());
    let region = ix.region[a].map(str::to_owned);
    let parent = ix.comp(a).group.clone().filter(|g| {
        ix.group_index(g.as_str())
            .is_some_and(|gi| ix.group(gi).kind != GroupKind::PrivateNetwork)
    });
    let group = Group {
        id: ids.group(&format!("net-{}", region.as_deref().unwrap_or("private"))),
        kind: GroupKind::PrivateNetwork,
        name: "private-network".into(),
        provider: ix.provider[a],
        region,
        cidr: Some(cidr),
        parent,
    };
    let placement = ix
        .placement(ix.comp(a).id.as_str())
        .map(|p| stagecraft_model::Placement {
            x: p.x - 30.0,
            y: p.y - 50.0,
            width: Some(560.0),
            height: Some(300.0),
        });
    Edit::AddGroup { group, placement }
}

/// An object storage component in another failure domain than `i`, with the edits that create
/// it and connect `i` to it when needed.
fn storage_elsewhere(
    ctx: &Ctx<'_, '_>,
    ids: &mut IdAllocator<'_, '_>,
    i: usize,
) -> Option<(ComponentId, Vec<Edit>)> {
    let ix = ctx.ix;
    let (provider, region) = (ix.provider[i], ix.region[i]);
    let elsewhere = |s: usize| {
        ix.provider[s] != Provider::Unassigned
            && ix.region[s].is_some()
            && (ix.provider[s] != provider || ix.region[s] != region)
    };
    let existing = ctx
        .storages
        .iter()
        .copied()
        .filter(|&s| elsewhere(s))
        .min_by_key(|&s| (ix.provider[s] != provider, s));
    let mut edits = Vec::new();
    let storage_id = match existing {
        Some(s) => ix.comp(s).id.clone(),
        None => {
            if provider == Provider::Unassigned {
                return None;
            }
            let other = ix.catalog.other_region(provider, region)?;
            let c = ix.comp(i);
            let mut storage = new_component(
                ids.component(&format!("{}-backups", id_base(c.id.as_str()))),
                ComponentKind::ObjectStorage,
                format!("{}-backups", c.name),
                c,
                None,
            );
            storage.provider = provider;
            storage.region = Some(other.to_owned());
            storage.group = None;
            storage.properties.storage_gb = c.properties.storage_gb;
            let id = storage.id.clone();
            edits.push(Edit::AddComponent {
                component: storage,
                placement: beside(ix, c.id.as_str(), 2),
            });
            id
        }
    };
    let c = ix.comp(i);
    let allowed = ix
        .catalog
        .kind(c.kind)
        .is_some_and(|k| k.connects_to.contains(&ComponentKind::ObjectStorage));
    let connected = ix.outgoing(i).iter().any(|&k| ix.conn(k).to == storage_id);
    if allowed && !connected {
        edits.push(Edit::AddConnection {
            connection: connection(
                ids,
                &c.id,
                &storage_id,
                Protocol::S3,
                443,
                NetworkPath::Public,
            ),
        });
    }
    Some((storage_id, edits))
}

fn size_text(size: &SizeSpec, count: u32) -> String {
    let memory = f64::from(size.memory_mb) / 1024.0;
    if size.vcpus == 0 {
        return format!("{count} × {}", size.id);
    }
    format!(
        "{count} × {} ({} vCPU, {} GB)",
        size.id,
        size.vcpus,
        trim_float(memory)
    )
}

pub(crate) fn trim_float(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

// ---------------------------------------------------------------------------------------------
// Stage fit

fn stage_rules(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    if ix.components_len() > 0 && ctx.detected < ctx.target {
        let message = format!(
            "The design implements {} but targets {}",
            ctx.detected.label(),
            ctx.target.label()
        );
        ctx.emit(&STAGE_BELOW_TARGET, message, Vec::new(), None);
    }
    if ctx.target == Stage::Mvp {
        mvp_multi_region(ctx);
        mvp_load_balancer(ctx);
    }
    if ctx.target >= Stage::Growth {
        growth_db_on_app(ctx);
        growth_no_load_balancer(ctx);
        growth_jobs_on_web(ctx);
    }
    if ctx.target >= Stage::Scale {
        scale_rules(ctx);
    }
}

fn mvp_multi_region(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    let mut by_region: BTreeMap<(Provider, &str), (usize, Vec<usize>)> = BTreeMap::new();
    let mut order = 0;
    for i in 0..ix.components_len() {
        let compute = ix.is_host(i) || ix.comp(i).kind == ComponentKind::LoadBalancer;
        if let (true, Some(region)) = (compute, ix.region[i]) {
            let entry = by_region
                .entry((ix.provider[i], region))
                .or_insert_with(|| {
                    order += 1;
                    (order, Vec::new())
                });
            entry.1.push(i);
        }
    }
    if by_region.len() < 2 {
        return;
    }
    // The main region holds the most hosts; ties go to the one drawn first.
    let main = by_region
        .iter()
        .max_by_key(|(_, (first, members))| (members.len(), std::cmp::Reverse(*first)))
        .map(|(key, _)| *key);
    let mut removed = Vec::new();
    let (mut vcpus, mut memory_mb, mut servers) = (0u64, 0u64, 0u64);
    let mut sized = Vec::new();
    for (key, (_, members)) in &by_region {
        if Some(*key) == main {
            continue;
        }
        for &i in members {
            let c = ix.comp(i);
            removed.push(i);
            servers += u64::from(c.count);
            if let Some(size) = c
                .size
                .as_deref()
                .and_then(|s| ix.catalog.size(ix.provider[i], s))
            {
                vcpus += u64::from(size.vcpus) * u64::from(c.count);
                memory_mb += u64::from(size.memory_mb) * u64::from(c.count);
                sized.push(size_text(size, c.count));
            }
        }
    }
    let regions: Vec<String> = by_region.keys().map(|(_, r)| (*r).to_owned()).collect();
    let message = format!(
        "Compute runs in {} regions ({}) for fewer than 1K users; one region saves {servers} instance(s): {} vCPU, {} GB memory{}",
        regions.len(),
        regions.join(", "),
        vcpus,
        trim_float(memory_mb as f64 / 1024.0),
        if sized.is_empty() { String::new() } else { format!(" ({})", sized.join(", ")) }
    );
    let fix = Fix {
        label: format!("Keep {} only", main.map_or("one region", |m| m.1)),
        edits: removed
            .iter()
            .map(|&i| Edit::RemoveComponent { id: ctx.id(i) })
            .collect(),
    };
    let components = removed.iter().map(|&i| ctx.id(i)).collect();
    ctx.emit(&MVP_MULTI_REGION, message, components, Some(fix));
}

fn mvp_load_balancer(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    for i in 0..ix.components_len() {
        let c = ix.comp(i);
        if c.kind != ComponentKind::LoadBalancer {
            continue;
        }
        let provider = ix.provider[i];
        let saving = c
            .size
            .as_deref()
            .and_then(|s| ix.catalog.size(provider, s))
            .map_or_else(|| "the load balancer".to_owned(), |s| size_text(s, c.count));
        let mut ids = IdAllocator::new(ix);
        let proxy_size = size_in_region(ix, ComponentKind::ReverseProxy, provider, ix.region[i]);
        let mut proxy = c.clone();
        proxy.kind = ComponentKind::ReverseProxy;
        proxy.size = proxy_size.clone();
        proxy.properties = Default::default();
        proxy.properties.proxy = Some(ProxySoftware::Caddy);
        proxy.properties.public_ipv4 = Some(true);
        let mut edits = vec![Edit::UpdateComponent { component: proxy }];
        let mut ports = needed_ports(ix, i, true);
        for p in [80, 443] {
            if !ports.contains(&p) {
                ports.push(p);
            }
        }
        ports.sort_unstable();
        edits.push(firewall_for(ix, &mut ids, i, &ports));
        let message = format!(
            "Load balancer {} at MVP: a Caddy reverse proxy ({}) does the job; saves {saving}",
            c.name,
            proxy_size.as_deref().unwrap_or("a small server")
        );
        let fix = Fix {
            label: format!("Replace {} with a Caddy reverse proxy", c.name),
            edits,
        };
        ctx.emit(&MVP_LOAD_BALANCER, message, vec![c.id.clone()], Some(fix));
    }
}

fn growth_db_on_app(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    for i in 0..ix.components_len() {
        let app = ix.comp(i);
        if !app.kind.is_server()
            || app.kind == ComponentKind::SelfHostedDatabase
            || !ix.runs(i, Workload::Database)
        {
            continue;
        }
        let provider = ix.provider[i];
        let kind = if ix
            .catalog
            .natively_offered(ComponentKind::ManagedDatabase, provider)
        {
            ComponentKind::ManagedDatabase
        } else {
            ComponentKind::SelfHostedDatabase
        };
        let mut ids = IdAllocator::new(ix);
        let size = size_in_region(ix, kind, provider, ix.region[i]);
        let mut db = new_component(
            ids.component(&format!("{}-db", id_base(app.id.as_str()))),
            kind,
            format!("{}-db", app.name),
            app,
            size.clone(),
        );
        db.provider = provider;
        db.properties.engine = Some(app.properties.engine.unwrap_or(Engine::Postgresql));
        db.properties.engine_version = app.properties.engine_version.clone();
        db.properties.storage_gb = app.properties.storage_gb;
        let old_backup = app.properties.backup.clone().unwrap_or_default();
        db.properties.backup = Some(BackupPolicy {
            dumps: old_backup.dumps,
            snapshots: None,
            before_changes: old_backup.before_changes,
            retention_days: old_backup.retention_days,
            destination: old_backup.destination.clone(),
        });
        let mut new_app = app.clone();
        new_app
            .properties
            .workloads
            .retain(|w| *w != Workload::Database);
        new_app.properties.engine = None;
        new_app.properties.engine_version = None;
        new_app.properties.backup = old_backup.snapshots.map(|s| BackupPolicy {
            snapshots: Some(s),
            retention_days: old_backup.retention_days,
            ..BackupPolicy::default()
        });
        let (protocol, port) = engine_protocol(db.properties.engine);
        // The app reaches its database privately: when the app is in no private network yet,
        // one is added around both.
        let network = if ix.private_network[i].is_none() {
            let add = new_private_network(ix, &mut ids, i);
            if let Edit::AddGroup { group, .. } = &add {
                db.group = Some(group.id.clone());
                new_app.group = Some(group.id.clone());
            }
            Some(add)
        } else {
            None
        };
        let db_id = db.id.clone();
        let mut edits: Vec<Edit> = network.into_iter().collect();
        edits.extend([
            Edit::AddComponent {
                component: db,
                placement: beside(ix, app.id.as_str(), 0),
            },
            Edit::UpdateComponent { component: new_app },
            Edit::AddConnection {
                connection: connection(
                    &mut ids,
                    &app.id,
                    &db_id,
                    protocol,
                    port,
                    NetworkPath::Private,
                ),
            },
        ]);
        // Others reaching the database through the app server now reach the database.
        for &k in ix.incoming(i) {
            let conn = ix.conn(k);
            if matches!(conn.protocol, Protocol::Postgresql | Protocol::Mysql) {
                let mut moved = conn.clone();
                moved.to = db_id.clone();
                edits.push(Edit::UpdateConnection { connection: moved });
            }
        }
        if let Some(dest) = &old_backup.destination {
            edits.push(Edit::AddConnection {
                connection: connection(
                    &mut ids,
                    &db_id,
                    dest,
                    Protocol::S3,
                    443,
                    NetworkPath::Public,
                ),
            });
        }
        let message = format!(
            "{} runs the database on the app server; at Growth give it its own {} ({})",
            app.name,
            ix.catalog
                .kind(kind)
                .map_or("database", |k| k.label.as_str()),
            size.as_deref().unwrap_or("default size")
        );
        let fix = Fix {
            label: format!("Move the database off {}", app.name),
            edits,
        };
        ctx.emit(&GROWTH_DB_ON_APP, message, vec![app.id.clone()], Some(fix));
    }
}

fn is_web(ix: &DesignIndex<'_>, i: usize) -> bool {
    let c = ix.comp(i);
    matches!(
        c.kind,
        ComponentKind::AppServer | ComponentKind::AutoscalingGroup
    ) && (c.properties.workloads.is_empty() || c.properties.workloads.contains(&Workload::Web))
}

fn fronted(ix: &DesignIndex<'_>, i: usize) -> bool {
    ix.incoming(i).iter().any(|&k| {
        ix.ends[k].is_some_and(|(f, _)| {
            matches!(
                ix.comp(f).kind,
                ComponentKind::LoadBalancer | ComponentKind::ReverseProxy
            )
        })
    })
}

fn growth_no_load_balancer(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    let apps: Vec<usize> = (0..ix.components_len())
        .filter(|&i| ix.comp(i).kind == ComponentKind::AppServer && is_web(ix, i))
        .collect();
    let total: u32 = apps
        .iter()
        .map(|&i| ix.comp(i).count)
        .fold(0, u32::saturating_add);
    let unfronted: Vec<usize> = apps.iter().copied().filter(|&i| !fronted(ix, i)).collect();
    if total < 2 || unfronted.is_empty() {
        return;
    }
    let first = unfronted[0];
    let anchor = ix.comp(first);
    let provider = ix.provider[first];
    let mut ids = IdAllocator::new(ix);
    let mut lb = new_component(
        ids.component("web-lb"),
        ComponentKind::LoadBalancer,
        "web-lb".into(),
        anchor,
        size_in_region(ix, ComponentKind::LoadBalancer, provider, ix.region[first]),
    );
    lb.provider = provider;
    let lb_id = lb.id.clone();
    let mut edits = vec![Edit::AddComponent {
        component: lb,
        placement: beside(ix, anchor.id.as_str(), 0).map(|mut p| {
            p.x -= 480.0;
            p
        }),
    }];
    let mut sources: Vec<ComponentId> = Vec::new();
    for &a in &unfronted {
        let app = ix.comp(a);
        edits.push(Edit::AddConnection {
            connection: connection(
                &mut ids,
                &lb_id,
                &app.id,
                Protocol::Http,
                80,
                NetworkPath::Private,
            ),
        });
        for &k in ix.incoming(a) {
            let Some((from, _)) = ix.ends[k] else {
                continue;
            };
            if matches!(
                ix.comp(from).kind,
                ComponentKind::Users | ComponentKind::Cdn
            ) {
                edits.push(Edit::RemoveConnection {
                    id: ix.conn(k).id.clone(),
                });
                if !sources.contains(&ix.comp(from).id) {
                    sources.push(ix.comp(from).id.clone());
                }
            }
        }
    }
    for source in &sources {
        edits.push(Edit::AddConnection {
            connection: connection(
                &mut ids,
                source,
                &lb_id,
                Protocol::Https,
                443,
                NetworkPath::Public,
            ),
        });
    }
    let names: Vec<&str> = unfronted.iter().map(|&i| ctx.name(i)).collect();
    let message = format!(
        "{total} app server instances ({}) receive traffic without a load balancer",
        names.join(", ")
    );
    let fix = Fix {
        label: "Add a load balancer in front of the app servers".into(),
        edits,
    };
    let components = unfronted.iter().map(|&i| ctx.id(i)).collect();
    ctx.emit(&GROWTH_NO_LB, message, components, Some(fix));
}

fn growth_jobs_on_web(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    for i in 0..ix.components_len() {
        let app = ix.comp(i);
        let w = &app.properties.workloads;
        let web_server = matches!(
            app.kind,
            ComponentKind::AppServer | ComponentKind::AutoscalingGroup
        );
        if !(web_server && w.contains(&Workload::Web) && w.contains(&Workload::Jobs)) {
            continue;
        }
        let provider = ix.provider[i];
        let mut ids = IdAllocator::new(ix);
        let mut worker = new_component(
            ids.component(&format!("{}-worker", id_base(app.id.as_str()))),
            ComponentKind::Worker,
            format!("{}-worker", app.name),
            app,
            size_in_region(ix, ComponentKind::Worker, provider, ix.region[i]),
        );
        worker.provider = provider;
        worker.properties.workloads = vec![Workload::Jobs];
        worker.properties.runtime = app.properties.runtime;
        let worker_id = worker.id.clone();
        let worker_targets = ix
            .catalog
            .kind(ComponentKind::Worker)
            .map(|k| k.connects_to.clone())
            .unwrap_or_default();
        let mut edits = vec![Edit::AddComponent {
            component: worker,
            placement: beside(ix, app.id.as_str(), 1),
        }];
        let mut new_app = app.clone();
        new_app
            .properties
            .workloads
            .retain(|x| *x != Workload::Jobs);
        edits.push(Edit::UpdateComponent { component: new_app });
        let mut linked = false;
        for &k in ix.outgoing(i) {
            let Some((_, to)) = ix.ends[k] else { continue };
            let conn = ix.conn(k);
            if worker_targets.contains(&ix.comp(to).kind) {
                let mut copy = conn.clone();
                copy.id = ids.connection(&format!(
                    "{}-{}",
                    id_base(worker_id.as_str()),
                    id_base(ix.comp(to).id.as_str())
                ));
                copy.from = worker_id.clone();
                copy.label = None;
                edits.push(Edit::AddConnection { connection: copy });
                linked = true;
            }
        }
        if ix.runs(i, Workload::Database) {
            let (protocol, port) = engine_protocol(app.properties.engine);
            edits.push(Edit::AddConnection {
                connection: connection(
                    &mut ids,
                    &worker_id,
                    &app.id,
                    protocol,
                    port,
                    NetworkPath::Private,
                ),
            });
        } else if !linked {
            edits.push(Edit::AddConnection {
                connection: connection(
                    &mut ids,
                    &worker_id,
                    &app.id,
                    Protocol::Http,
                    80,
                    NetworkPath::Private,
                ),
            });
        }
        let message = format!(
            "{} runs background jobs beside web requests; move them to a worker",
            app.name
        );
        let fix = Fix {
            label: format!("Move the jobs off {} to a worker", app.name),
            edits,
        };
        ctx.emit(
            &GROWTH_JOBS_ON_WEB,
            message,
            vec![app.id.clone()],
            Some(fix),
        );
    }
}

fn scale_rules(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    let hosts: Vec<usize> = (0..ix.components_len())
        .filter(|&i| ix.is_host(i))
        .collect();
    let mut regions: Vec<(Provider, &str)> = hosts
        .iter()
        .filter_map(|&i| ix.region[i].map(|r| (ix.provider[i], r)))
        .collect();
    regions.sort_unstable();
    regions.dedup();
    if !hosts.is_empty() && regions.len() <= 1 {
        let message = format!(
            "All {} servers and data services run in {}",
            hosts.len(),
            regions.first().map_or("one region", |r| r.1)
        );
        let components = hosts.iter().map(|&i| ctx.id(i)).collect();
        ctx.emit(&SCALE_ONE_REGION, message, components, None);
    }

    let has = |kind: ComponentKind| (0..ix.components_len()).any(|i| ix.comp(i).kind == kind);
    if !hosts.is_empty() && !has(ComponentKind::Cdn) {
        let mut fix = None;
        let users: Vec<usize> = (0..ix.components_len())
            .filter(|&i| ix.comp(i).kind == ComponentKind::Users)
            .collect();
        let entries: Vec<usize> = users
            .iter()
            .flat_map(|&u| ix.outgoing(u).iter().copied())
            .filter(|&k| {
                ix.ends[k].is_some_and(|(_, to)| {
                    !matches!(
                        ix.comp(to).kind,
                        ComponentKind::DnsZone | ComponentKind::Users
                    )
                }) && matches!(ix.conn(k).protocol, Protocol::Http | Protocol::Https)
            })
            .collect();
        if let (Some(&first_entry), Some(&u)) = (entries.first(), users.first()) {
            let mut ids = IdAllocator::new(ix);
            let (_, entry_to) = ix.ends[first_entry].unwrap_or((u, u));
            let provider = ix.provider[entry_to];
            let mut cdn = new_component(
                ids.component("cdn"),
                ComponentKind::Cdn,
                "cdn".into(),
                ix.comp(entry_to),
                None,
            );
            cdn.provider = if ix.catalog.natively_offered(ComponentKind::Cdn, provider) {
                provider
            } else {
                Provider::Unassigned
            };
            cdn.region = None;
            cdn.group = None;
            let cdn_id = cdn.id.clone();
            let mut edits = vec![Edit::AddComponent {
                component: cdn,
                placement: beside(ix, ix.comp(u).id.as_str(), 0),
            }];
            edits.push(Edit::AddConnection {
                connection: connection(
                    &mut ids,
                    &ix.comp(u).id,
                    &cdn_id,
                    Protocol::Https,
                    443,
                    NetworkPath::Public,
                ),
            });
            for &k in &entries {
                let conn = ix.conn(k);
                edits.push(Edit::RemoveConnection {
                    id: conn.id.clone(),
                });
                edits.push(Edit::AddConnection {
                    connection: connection(
                        &mut ids,
                        &cdn_id,
                        &conn.to,
                        Protocol::Https,
                        443,
                        NetworkPath::Public,
                    ),
                });
            }
            fix = Some(Fix {
                label: "Put a CDN in front of the public entry points".into(),
                edits,
            });
        }
        let components = users.iter().map(|&i| ctx.id(i)).collect();
        ctx.emit(
            &SCALE_NO_CDN,
            "No CDN serves static assets or absorbs traffic at the edge".into(),
            components,
            fix,
        );
    }

    let autoscaling = (0..ix.components_len()).any(|i| {
        ix.comp(i).kind == ComponentKind::AutoscalingGroup
            || ix.comp(i).properties.autoscaling.is_some()
    });
    let web: Vec<usize> = (0..ix.components_len())
        .filter(|&i| ix.comp(i).kind == ComponentKind::AppServer && is_web(ix, i))
        .collect();
    if !autoscaling && !web.is_empty() {
        let edits: Vec<Edit> = web
            .iter()
            .filter(|&&i| {
                ix.catalog
                    .natively_offered(ComponentKind::AutoscalingGroup, ix.provider[i])
            })
            .map(|&i| {
                let mut c = ix.comp(i).clone();
                let min = c.count.max(2);
                c.kind = ComponentKind::AutoscalingGroup;
                c.count = min;
                c.properties.autoscaling = Some(Autoscaling {
                    min,
                    max: min.saturating_mul(4),
                    target_cpu_percent: Some(60),
                });
                Edit::UpdateComponent { component: c }
            })
            .collect();
        let fix = (!edits.is_empty()).then(|| Fix {
            label: "Turn the web servers into auto-scaling groups".into(),
            edits,
        });
        let names: Vec<&str> = web.iter().map(|&i| ctx.name(i)).collect();
        let message = format!("The web tier ({}) has a fixed size", names.join(", "));
        let components = web.iter().map(|&i| ctx.id(i)).collect();
        ctx.emit(&SCALE_NO_AUTOSCALING, message, components, fix);
    }

    for i in 0..ix.components_len() {
        let c = ix.comp(i);
        let provider = ix.provider[i];
        if c.kind.is_server()
            && c.kind != ComponentKind::SelfHostedDatabase
            && ix.runs(i, Workload::Cache)
            && ix.catalog.natively_offered(ComponentKind::Cache, provider)
        {
            scale_managed_cache(ctx, i);
            continue;
        }
        if c.kind != ComponentKind::SelfHostedDatabase
            || !ix
                .catalog
                .natively_offered(ComponentKind::ManagedDatabase, provider)
        {
            continue;
        }
        let mut managed = c.clone();
        managed.kind = ComponentKind::ManagedDatabase;
        managed.size = size_in_region(ix, ComponentKind::ManagedDatabase, provider, ix.region[i]);
        let message = format!(
            "{} is a self-hosted database; {} runs managed databases ({})",
            c.name,
            provider.label(),
            managed.size.as_deref().unwrap_or("default size")
        );
        let fix = Fix {
            label: format!("Switch {} to a managed database", c.name),
            edits: vec![Edit::UpdateComponent { component: managed }],
        };
        ctx.emit(&SCALE_SELF_MANAGED, message, vec![c.id.clone()], Some(fix));
    }
}

/// A cache run on a server where the provider runs caches as a product: a managed cache
/// beside it takes the workload.
fn scale_managed_cache(ctx: &mut Ctx<'_, '_>, i: usize) {
    let ix = ctx.ix;
    let c = ix.comp(i);
    let provider = ix.provider[i];
    let mut ids = IdAllocator::new(ix);
    let size = size_in_region(ix, ComponentKind::Cache, provider, ix.region[i]);
    let mut cache = new_component(
        ids.component(&format!("{}-cache", id_base(c.id.as_str()))),
        ComponentKind::Cache,
        format!("{}-cache", c.name),
        c,
        size.clone(),
    );
    cache.provider = provider;
    cache.properties.engine = Some(Engine::Valkey);
    let cache_id = cache.id.clone();
    let mut server = c.clone();
    server
        .properties
        .workloads
        .retain(|w| *w != Workload::Cache);
    let edits = vec![
        Edit::AddComponent {
            component: cache,
            placement: beside(ix, c.id.as_str(), 1),
        },
        Edit::UpdateComponent { component: server },
        Edit::AddConnection {
            connection: connection(
                &mut ids,
                &c.id,
                &cache_id,
                Protocol::Redis,
                6379,
                NetworkPath::Private,
            ),
        },
    ];
    let message = format!(
        "{} runs its own cache; {} runs managed caches ({})",
        c.name,
        provider.label(),
        size.as_deref().unwrap_or("default size")
    );
    let fix = Fix {
        label: format!("Move the cache off {} to a managed cache", c.name),
        edits,
    };
    ctx.emit(&SCALE_SELF_MANAGED, message, vec![c.id.clone()], Some(fix));
}

// ---------------------------------------------------------------------------------------------
// Single points of failure

fn spof_rules(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    if ctx.target >= Stage::Growth {
        for i in 0..ix.components_len() {
            if ix.comp(i).kind != ComponentKind::LoadBalancer {
                continue;
            }
            let targets: Vec<usize> = ix
                .outgoing(i)
                .iter()
                .filter_map(|&k| ix.ends[k].map(|e| e.1))
                .filter(|&t| {
                    matches!(
                        ix.comp(t).kind,
                        ComponentKind::AppServer
                            | ComponentKind::AutoscalingGroup
                            | ComponentKind::ReverseProxy
                    )
                })
                .collect();
            let total: u32 = targets
                .iter()
                .map(|&t| ix.instances(t))
                .fold(0, u32::saturating_add);
            if targets.len() != 1 || total != 1 {
                continue;
            }
            let t = targets[0];
            let mut two = ix.comp(t).clone();
            two.count = 2;
            let message = format!(
                "Load balancer {} sends all traffic to one instance of {}",
                ctx.name(i),
                ctx.name(t)
            );
            let fix = Fix {
                label: format!("Run two instances of {}", ctx.name(t)),
                edits: vec![Edit::UpdateComponent { component: two }],
            };
            ctx.emit(
                &SPOF_SINGLE_APP,
                message,
                vec![ctx.id(t), ctx.id(i)],
                Some(fix),
            );
        }
    }
    if ctx.target >= Stage::Scale {
        let databases: Vec<usize> = (0..ix.components_len())
            .filter(|&i| {
                matches!(
                    ix.comp(i).kind,
                    ComponentKind::ManagedDatabase | ComponentKind::SelfHostedDatabase
                )
            })
            .collect();
        for &d in &databases {
            let c = ix.comp(d);
            let engine = c.properties.engine;
            let standby = c.properties.standby_nodes.unwrap_or(0);
            let replicated_elsewhere = databases
                .iter()
                .any(|&o| o != d && ix.comp(o).properties.engine == engine);
            if standby > 0 || c.count > 1 || replicated_elsewhere {
                continue;
            }
            let mut with_standby = c.clone();
            with_standby.properties.standby_nodes = Some(1);
            let fix = Fix {
                label: format!("Add a standby node to {}", c.name),
                edits: vec![Edit::UpdateComponent {
                    component: with_standby,
                }],
            };
            let message = format!(
                "{} is the only database and has no standby or replica",
                c.name
            );
            ctx.emit(&SPOF_DB_NO_REPLICA, message, vec![c.id.clone()], Some(fix));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Networking: firewalls

fn is_public(ix: &DesignIndex<'_>, i: usize) -> bool {
    ix.comp(i).properties.public_ipv4 == Some(true)
        || ix
            .incoming(i)
            .iter()
            .any(|&k| ix.ends[k].is_some() && ix.conn(k).network == NetworkPath::Public)
}

fn range_of(rule: &FirewallRule) -> (u16, u16) {
    match rule.port_range() {
        Ok(Some(range)) => range,
        // No port means every port; a malformed one is reported by the loader, read it as all.
        Ok(None) | Err(_) => (1, u16::MAX),
    }
}

fn firewall_rules(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    for i in 0..ix.components_len() {
        let c = ix.comp(i);
        if c.kind.is_server() && ix.firewalls_of[i].is_empty() && is_public(ix, i) {
            let mut ids = IdAllocator::new(ix);
            let ports = needed_ports(ix, i, true);
            let message = format!(
                "{} is reachable from the internet and no firewall protects it",
                c.name
            );
            let fix = Fix {
                label: format!("Add a default-deny firewall to {}", c.name),
                edits: vec![firewall_for(ix, &mut ids, i, &ports)],
            };
            ctx.emit(&NET_NO_FIREWALL, message, vec![c.id.clone()], Some(fix));
        }
        if c.kind != ComponentKind::Firewall {
            continue;
        }
        if c.properties.default_inbound != Some(Policy::Deny) {
            let mut fixed = c.clone();
            fixed.properties.default_inbound = Some(Policy::Deny);
            let message = match c.properties.default_inbound {
                Some(_) => format!("Firewall {} allows inbound traffic no rule matches", c.name),
                None => format!(
                    "Firewall {} does not set a default inbound policy of deny",
                    c.name
                ),
            };
            let fix = Fix {
                label: format!("Deny by default on {}", c.name),
                edits: vec![Edit::UpdateComponent { component: fixed }],
            };
            ctx.emit(&NET_DEFAULT_ALLOW, message, vec![c.id.clone()], Some(fix));
        }
        let targets: Vec<usize> = c
            .properties
            .applies_to
            .iter()
            .filter_map(|id| ix.component_index(id))
            .collect();
        if targets.is_empty() {
            continue;
        }
        let needed: Vec<u16> = {
            let mut all: Vec<u16> = targets
                .iter()
                .flat_map(|&t| needed_ports(ix, t, false))
                .collect();
            all.push(22);
            all.sort_unstable();
            all.dedup();
            all
        };
        let holds_data = targets.iter().any(|&t| {
            ix.is_database(t)
                || ix.comp(t).kind == ComponentKind::Cache
                || ix.runs(t, Workload::Cache)
        });
        let inbound = |r: &&FirewallRule| r.direction == Direction::Inbound;
        let mut extra = Vec::new();
        let mut ssh_world = false;
        let mut data_world = Vec::new();
        for rule in c.properties.firewall_rules.iter().filter(inbound) {
            let (lo, hi) = range_of(rule);
            if !needed.iter().any(|p| (lo..=hi).contains(p)) || rule.port.is_none() {
                extra.push(rule.port.clone().unwrap_or_else(|| "all".into()));
            }
            if rule.open_to_world()
                && (lo..=hi).contains(&22)
                && rule.protocol == FirewallProtocol::Tcp
            {
                ssh_world = true;
            }
            if rule.open_to_world() && holds_data {
                let mut hit: Vec<u16> = ix
                    .catalog
                    .data_ports
                    .iter()
                    .copied()
                    .filter(|p| (lo..=hi).contains(p))
                    .collect();
                hit.sort_unstable();
                data_world.extend(hit);
            }
        }
        let private = private_cidr(ix, targets[0]);
        if !extra.is_empty() {
            let mut fixed = c.clone();
            fixed.properties.firewall_rules.retain(|r| {
                let (lo, hi) = range_of(r);
                r.direction != Direction::Inbound
                    || (r.port.is_some() && needed.iter().any(|p| (lo..=hi).contains(p)))
            });
            let message = format!(
                "Firewall {} opens port(s) {} that no connection uses",
                c.name,
                extra.join(", ")
            );
            let fix = Fix {
                label: format!("Close the unused ports on {}", c.name),
                edits: vec![Edit::UpdateComponent { component: fixed }],
            };
            ctx.emit(&NET_EXTRA_PORTS, message, vec![c.id.clone()], Some(fix));
        }
        if ssh_world {
            let mut fixed = c.clone();
            for r in &mut fixed.properties.firewall_rules {
                let (lo, hi) = range_of(r);
                if r.direction == Direction::Inbound
                    && r.open_to_world()
                    && (lo..=hi).contains(&22)
                    && lo == hi
                {
                    r.addresses = vec![private.clone()];
                }
            }
            // A rule opening a range that includes 22 to the world cannot be narrowed to SSH
            // alone without splitting it; the extra-ports fix handles broad rules.
            let fix = fixed != *c;
            let message = format!("Firewall {} opens SSH (22) to the whole internet", c.name);
            let fix = fix.then(|| Fix {
                label: format!("Allow SSH only from {private}"),
                edits: vec![Edit::UpdateComponent { component: fixed }],
            });
            ctx.emit(&NET_SSH_WORLD, message, vec![c.id.clone()], fix);
        }
        if !data_world.is_empty() {
            data_world.dedup();
            let mut fixed = c.clone();
            for r in &mut fixed.properties.firewall_rules {
                let (lo, hi) = range_of(r);
                if r.direction == Direction::Inbound
                    && r.open_to_world()
                    && data_world.iter().any(|p| (lo..=hi).contains(p))
                {
                    r.addresses = vec![private.clone()];
                }
            }
            let ports: Vec<String> = data_world.iter().map(u16::to_string).collect();
            let message = format!(
                "Firewall {} opens database port(s) {} to the internet",
                c.name,
                ports.join(", ")
            );
            let fix = Fix {
                label: format!("Allow database ports only from {private}"),
                edits: vec![Edit::UpdateComponent { component: fixed }],
            };
            let mut components = vec![c.id.clone()];
            components.extend(targets.iter().map(|&t| ctx.id(t)));
            ctx.emit(&NET_DB_PORT_PUBLIC, message, components, Some(fix));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Networking: links between servers, DNS

fn link_rules(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    for k in 0..ix.design.connections.len() {
        let Some((f, t)) = ix.ends[k] else { continue };
        let conn = ix.conn(k);
        if conn.network == NetworkPath::Vpn
            && !ix.vpn_links_of[f]
                .iter()
                .any(|l| ix.vpn_links_of[t].contains(l))
        {
            let mut ids = IdAllocator::new(ix);
            let message = format!(
                "{} → {} is marked VPN but no VPN link joins them",
                ctx.name(f),
                ctx.name(t)
            );
            let fix = Fix {
                label: "Add a WireGuard link between them".into(),
                edits: vpn_edits(ix, &mut ids, k, f, t),
            };
            ctx.emit(
                &NET_VPN_MISSING,
                message,
                vec![ctx.id(f), ctx.id(t)],
                Some(fix),
            );
        }
        if !(ix.is_host(f) && ix.is_host(t)) {
            continue;
        }
        let (pf, pt) = (ix.provider[f], ix.provider[t]);
        let cross_provider = pf != pt && pf != Provider::Unassigned && pt != Provider::Unassigned;
        let cross_region =
            !cross_provider && matches!((ix.region[f], ix.region[t]), (Some(a), Some(b)) if a != b);
        if (cross_provider && conn.network != NetworkPath::Vpn)
            || (cross_region && conn.network == NetworkPath::Public)
        {
            let mut ids = IdAllocator::new(ix);
            let across = if cross_provider {
                format!("{} and {}", pf.label(), pt.label())
            } else {
                format!(
                    "{} and {}",
                    ix.region[f].unwrap_or_default(),
                    ix.region[t].unwrap_or_default()
                )
            };
            let message = format!(
                "{} → {} crosses {across} over the {} network without a VPN",
                ctx.name(f),
                ctx.name(t),
                if conn.network == NetworkPath::Private {
                    "private"
                } else {
                    "public"
                }
            );
            let fix = Fix {
                label: "Carry the traffic over a WireGuard link".into(),
                edits: vpn_edits(ix, &mut ids, k, f, t),
            };
            ctx.emit(
                &NET_CROSS_SITE,
                message,
                vec![ctx.id(f), ctx.id(t)],
                Some(fix),
            );
            continue;
        }
        if cross_provider || cross_region {
            continue;
        }
        let shared_network =
            ix.private_network[f].is_some() && ix.private_network[f] == ix.private_network[t];
        if conn.network == NetworkPath::Public {
            let mut ids = IdAllocator::new(ix);
            let mut edits = private_network_edits(ix, &mut ids, f, t);
            let mut private = conn.clone();
            private.network = NetworkPath::Private;
            edits.push(Edit::UpdateConnection {
                connection: private,
            });
            let message = format!(
                "{} → {} ({:?}) goes over the public internet",
                ctx.name(f),
                ctx.name(t),
                conn.protocol
            )
            .replace("(Postgresql)", "(PostgreSQL)");
            let fix = Fix {
                label: "Send it over a private network".into(),
                edits,
            };
            ctx.emit(
                &NET_PUBLIC_LINK,
                message,
                vec![ctx.id(f), ctx.id(t)],
                Some(fix),
            );
        } else if conn.network == NetworkPath::Private && !shared_network {
            let mut ids = IdAllocator::new(ix);
            let message = format!(
                "{} → {} is marked private but they share no private network",
                ctx.name(f),
                ctx.name(t)
            );
            let fix = Fix {
                label: "Put both in one private network".into(),
                edits: private_network_edits(ix, &mut ids, f, t),
            };
            ctx.emit(
                &NET_PRIVATE_WITHOUT_NETWORK,
                message,
                vec![ctx.id(f), ctx.id(t)],
                Some(fix),
            );
        }
    }
    if ix.design.practices.migration_in_progress {
        for i in 0..ix.components_len() {
            let c = ix.comp(i);
            match c.properties.dns_ttl_seconds {
                Some(ttl)
                    if c.kind == ComponentKind::DnsZone && ttl > MIGRATION_MAX_TTL_SECONDS =>
                {
                    let mut fixed = c.clone();
                    fixed.properties.dns_ttl_seconds = Some(MIGRATION_MAX_TTL_SECONDS);
                    let message = format!(
                        "DNS zone {} has a TTL of {ttl} s while a migration is under way",
                        c.name
                    );
                    let fix = Fix {
                        label: format!("Lower the TTL to {MIGRATION_MAX_TTL_SECONDS} s"),
                        edits: vec![Edit::UpdateComponent { component: fixed }],
                    };
                    ctx.emit(&NET_DNS_TTL, message, vec![c.id.clone()], Some(fix));
                }
                _ => {}
            }
        }
    }
}

fn vpn_edits(
    ix: &DesignIndex<'_>,
    ids: &mut IdAllocator<'_, '_>,
    k: usize,
    f: usize,
    t: usize,
) -> Vec<Edit> {
    let (from, to) = (ix.comp(f), ix.comp(t));
    let mut link = new_component(
        ids.component(&format!(
            "vpn-{}-{}",
            id_base(from.id.as_str()),
            id_base(to.id.as_str())
        )),
        ComponentKind::VpnLink,
        format!("wireguard {} ↔ {}", from.name, to.name),
        from,
        None,
    );
    link.provider = ix.provider[f];
    link.group = None;
    link.properties.vpn = Some(VpnSoftware::Wireguard);
    link.properties.members = vec![from.id.clone(), to.id.clone()];
    let mut conn = ix.conn(k).clone();
    conn.network = NetworkPath::Vpn;
    vec![
        Edit::AddComponent {
            component: link,
            placement: beside(ix, from.id.as_str(), 1),
        },
        Edit::UpdateConnection { connection: conn },
    ]
}

// ---------------------------------------------------------------------------------------------
// Backups

/// The most frequent schedule among the component's own policy and the backup jobs covering it,
/// and whether any takes a copy before changes, and where copies go.
struct Coverage {
    dumps: Option<Schedule>,
    snapshots: Option<Schedule>,
    before_changes: bool,
    destinations: Vec<ComponentId>,
}

fn coverage(ix: &DesignIndex<'_>, i: usize) -> Coverage {
    let mut cov = Coverage {
        dumps: None,
        snapshots: None,
        before_changes: false,
        destinations: Vec::new(),
    };
    let policies = ix.comp(i).properties.backup.iter().chain(
        ix.backup_jobs_of[i]
            .iter()
            .filter_map(|&j| ix.comp(j).properties.backup.as_ref()),
    );
    for p in policies {
        cov.dumps = match (cov.dumps, p.dumps) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        cov.snapshots = match (cov.snapshots, p.snapshots) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        cov.before_changes |= p.before_changes;
        cov.destinations.extend(p.destination.iter().cloned());
    }
    cov
}

fn backup_rules(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    if ix.components_len() > 0 && !ix.design.practices.config_in_git {
        let mut practices = ix.design.practices.clone();
        practices.config_in_git = true;
        ctx.emit(
            &BACKUP_CONFIG_GIT,
            "The design does not say its configuration is kept in Git".into(),
            Vec::new(),
            Some(Fix {
                label: "Mark the configuration as kept in Git".into(),
                edits: vec![Edit::SetPractices { practices }],
            }),
        );
    }
    for i in 0..ix.components_len() {
        let c = ix.comp(i);
        if ix.is_database(i) {
            let cov = coverage(ix, i);
            let daily = cov.dumps.is_some_and(|s| s <= Schedule::Daily);
            let stored = cov.destinations.iter().any(|d| {
                ix.component_index(d)
                    .is_some_and(|d| ix.comp(d).kind == ComponentKind::ObjectStorage)
            });
            if !daily || !stored {
                let mut ids = IdAllocator::new(ix);
                let problem = match (daily, stored) {
                    (false, false) => "is not dumped daily to object storage",
                    (false, true) => "is not dumped daily",
                    _ => "has no object storage for its dumps",
                };
                let message = format!("Database {} {problem}", c.name);
                let fix = storage_elsewhere(ctx, &mut ids, i).map(|(dest, mut edits)| {
                    let mut fixed = c.clone();
                    let mut policy = fixed.properties.backup.clone().unwrap_or_default();
                    policy.dumps = Some(
                        policy
                            .dumps
                            .map_or(Schedule::Daily, |s| s.min(Schedule::Daily)),
                    );
                    policy.before_changes = true;
                    if !stored {
                        policy.destination = Some(dest);
                    }
                    fixed.properties.backup = Some(policy);
                    edits.insert(0, Edit::UpdateComponent { component: fixed });
                    if stored {
                        // Only the schedule was missing: no new storage or connection needed.
                        edits.truncate(1);
                    }
                    Fix {
                        label: format!("Dump {} daily to object storage elsewhere", c.name),
                        edits,
                    }
                });
                ctx.emit(&BACKUP_NO_DUMP, message, vec![c.id.clone()], fix);
            }
            if !cov.before_changes {
                let mut fixed = c.clone();
                let mut policy = fixed.properties.backup.clone().unwrap_or_default();
                policy.before_changes = true;
                fixed.properties.backup = Some(policy);
                ctx.emit(
                    &BACKUP_BEFORE_CHANGES,
                    format!("Database {} is not dumped before changes", c.name),
                    vec![c.id.clone()],
                    Some(Fix {
                        label: format!("Dump {} before every change", c.name),
                        edits: vec![Edit::UpdateComponent { component: fixed }],
                    }),
                );
            }
        }
        if c.kind == ComponentKind::BlockVolume {
            let cov = coverage(ix, i);
            if cov.snapshots.is_none_or(|s| s > Schedule::Weekly) {
                let mut fixed = c.clone();
                let mut policy = fixed.properties.backup.clone().unwrap_or_default();
                policy.snapshots = Some(Schedule::Weekly);
                fixed.properties.backup = Some(policy);
                ctx.emit(
                    &BACKUP_VOLUME,
                    format!("Volume {} is not snapshotted weekly", c.name),
                    vec![c.id.clone()],
                    Some(Fix {
                        label: format!("Snapshot {} weekly", c.name),
                        edits: vec![Edit::UpdateComponent { component: fixed }],
                    }),
                );
            }
        }
        // Backup destinations in the same failure domain as the data they protect.
        let Some(dest) = c
            .properties
            .backup
            .as_ref()
            .and_then(|b| b.destination.as_ref())
            .and_then(|d| ix.component_index(d))
        else {
            continue;
        };
        let sources: Vec<usize> = if c.kind == ComponentKind::BackupJob {
            c.properties
                .backup_sources
                .iter()
                .filter_map(|s| ix.component_index(s))
                .collect()
        } else {
            vec![i]
        };
        let same_domain = |s: usize| {
            ix.provider[s] != Provider::Unassigned
                && ix.provider[s] == ix.provider[dest]
                && ix.region[s].is_some()
                && ix.region[s] == ix.region[dest]
        };
        if let Some(&s) = sources.iter().find(|&&s| same_domain(s)) {
            let mut ids = IdAllocator::new(ix);
            let message = format!(
                "Backups of {} go to {} in the same region ({})",
                ctx.name(s),
                ctx.name(dest),
                ix.region[s].unwrap_or_default()
            );
            let fix = storage_elsewhere(ctx, &mut ids, s).map(|(new_dest, mut edits)| {
                let mut fixed = c.clone();
                if let Some(b) = fixed.properties.backup.as_mut() {
                    b.destination = Some(new_dest);
                }
                edits.insert(0, Edit::UpdateComponent { component: fixed });
                Fix {
                    label: format!("Send the backups of {} to another region", ctx.name(s)),
                    edits,
                }
            });
            ctx.emit(
                &BACKUP_SAME_DOMAIN,
                message,
                vec![c.id.clone(), ctx.id(dest)],
                fix,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Provider fit

fn provider_rules(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    for i in 0..ix.components_len() {
        let c = ix.comp(i);
        let provider = c.provider;
        if provider == Provider::Unassigned {
            continue;
        }
        let Some(offering) = ix.catalog.offering(c.kind, provider) else {
            continue;
        };
        let label = ix
            .catalog
            .kind(c.kind)
            .map_or("component", |k| k.label.as_str());
        if !offering.native {
            if let Some(fallback) = offering.fallback {
                let others: Vec<&str> = ix
                    .catalog
                    .native_providers(c.kind)
                    .into_iter()
                    .map(Provider::label)
                    .collect();
                let fallback_label = ix
                    .catalog
                    .kind(fallback)
                    .map_or("equivalent", |k| k.label.as_str());
                let mut fixed = c.clone();
                fixed.kind = fallback;
                let fits = c.size.as_deref().is_some_and(|s| {
                    ix.catalog
                        .sizes_for(fallback, provider, c.region.as_deref())
                        .iter()
                        .any(|x| x.id == s)
                });
                if !fits {
                    fixed.size = size_in_region(ix, fallback, provider, c.region.as_deref());
                }
                if let Some(scaling) = fixed.properties.autoscaling.take() {
                    fixed.count = fixed.count.max(scaling.min);
                }
                let message = format!(
                    "{} is a {label}, which {} does not offer natively; use a {fallback_label}{}",
                    c.name,
                    provider.label(),
                    if others.is_empty() {
                        String::new()
                    } else {
                        format!(" or {}", others.join(" / "))
                    }
                );
                let fix = Fix {
                    label: format!("Make {} a {fallback_label}", c.name),
                    edits: vec![Edit::UpdateComponent { component: fixed }],
                };
                ctx.emit(&PROVIDER_NOT_NATIVE, message, vec![c.id.clone()], Some(fix));
                continue;
            }
            ctx.emit(
                &PROVIDER_SELF_RUN,
                format!(
                    "{} ({label}) on {}: {}",
                    c.name,
                    provider.label(),
                    offering.note
                ),
                vec![c.id.clone()],
                None,
            );
        }
        if let Some(region) = c.region.as_deref() {
            if ix.catalog.region_area(provider, region).is_none() {
                ctx.emit(
                    &PROVIDER_UNKNOWN_REGION,
                    format!(
                        "{} is in region `{region}`, which {} does not have",
                        c.name,
                        provider.label()
                    ),
                    vec![c.id.clone()],
                    None,
                );
                continue;
            }
        }
        let Some(size) = c.size.as_deref() else {
            continue;
        };
        let family = ix.catalog.size_family(c.kind, provider);
        let spec = ix.catalog.size(provider, size);
        match (spec, family) {
            (Some(spec), Some(family)) if spec.families.contains(&family) => {
                let Some(region) = c.region.as_deref() else {
                    continue;
                };
                if spec.offered_in(region) {
                    continue;
                }
                let candidates = ix.catalog.sizes_for(c.kind, provider, Some(region));
                // The smallest size at least as large, preferring the same kind of vCPU
                // (shared or dedicated), else the largest offered.
                let closest = candidates
                    .iter()
                    .filter(|s| s.vcpus >= spec.vcpus && s.memory_mb >= spec.memory_mb)
                    .min_by_key(|s| (s.dedicated_cpu != spec.dedicated_cpu, s.vcpus, s.memory_mb))
                    .or(candidates.last());
                let fix = closest.map(|s| {
                    let mut fixed = c.clone();
                    fixed.size = Some(s.id.clone());
                    Fix {
                        label: format!("Use {} instead", s.id),
                        edits: vec![Edit::UpdateComponent { component: fixed }],
                    }
                });
                ctx.emit(
                    &PROVIDER_SIZE_REGION,
                    format!(
                        "{} uses size {size}, which {} does not offer in {region}",
                        c.name,
                        provider.label()
                    ),
                    vec![c.id.clone()],
                    fix,
                );
            }
            (_, None) => {}
            (_, Some(_)) => {
                let fix = size_in_region(ix, c.kind, provider, c.region.as_deref()).map(|s| {
                    let mut fixed = c.clone();
                    fixed.size = Some(s.clone());
                    Fix {
                        label: format!("Use {s}"),
                        edits: vec![Edit::UpdateComponent { component: fixed }],
                    }
                });
                ctx.emit(
                    &PROVIDER_UNKNOWN_SIZE,
                    format!(
                        "{} uses size `{size}`, which {} has no {label} in",
                        c.name,
                        provider.label()
                    ),
                    vec![c.id.clone()],
                    fix,
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Document sanity

fn document_rules(ctx: &mut Ctx<'_, '_>) {
    let ix = ctx.ix;
    for i in 0..ix.components_len() {
        let c = ix.comp(i);
        let needs = ix.catalog.kind(c.kind).is_some_and(|k| k.needs_connection);
        if needs && ix.outgoing(i).is_empty() && ix.incoming(i).is_empty() {
            ctx.emit(
                &DOC_UNCONNECTED,
                format!("{} is not connected to anything", c.name),
                vec![c.id.clone()],
                None,
            );
        }
    }
    for (g, group) in ix.design.groups.iter().enumerate() {
        if ix.group_members[g] == 0 {
            ctx.emit(
                &DOC_EMPTY_GROUP,
                format!("Group {} is empty", group.name),
                Vec::new(),
                Some(Fix {
                    label: format!("Remove group {}", group.name),
                    edits: vec![Edit::RemoveGroup {
                        id: group.id.clone(),
                    }],
                }),
            );
        }
    }
    for k in 0..ix.design.connections.len() {
        let Some((f, t)) = ix.ends[k] else { continue };
        let (kf, kt) = (ix.comp(f).kind, ix.comp(t).kind);
        if ix
            .catalog
            .kind(kf)
            .is_some_and(|s| s.connects_to.contains(&kt))
        {
            continue;
        }
        let reason = ix
            .catalog
            .catalog
            .connection_allowed(kf, kt)
            .err()
            .unwrap_or_default();
        let reversible = ix
            .catalog
            .kind(kt)
            .is_some_and(|s| s.connects_to.contains(&kf));
        let fix = reversible.then(|| {
            let mut reversed = ix.conn(k).clone();
            std::mem::swap(&mut reversed.from, &mut reversed.to);
            Fix {
                label: "Reverse the connection".into(),
                edits: vec![Edit::UpdateConnection {
                    connection: reversed,
                }],
            }
        });
        ctx.emit(
            &DOC_BAD_CONNECTION,
            format!("{} → {}: {reason}", ctx.name(f), ctx.name(t)),
            vec![ctx.id(f), ctx.id(t)],
            fix,
        );
    }
}
