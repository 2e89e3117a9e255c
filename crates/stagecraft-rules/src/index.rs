//! One pass over a design that every rule then reads: ids to positions, connections per
//! component, which firewalls, backup jobs and VPN links cover each component, and where each
//! component runs. Built once per check so no rule scans the design per component.

use rustc_hash::FxHashMap as HashMap;

use stagecraft_model::{
    Component, ComponentId, ComponentKind, Connection, Design, Group, GroupKind, Placement,
    Provider, Workload,
};

use crate::catalog_index::{catalog_index, CatalogIndex};

/// Deepest group nesting followed; deeper chains (or cycles) are cut off rather than looped on.
const MAX_GROUP_DEPTH: usize = 32;

pub(crate) struct DesignIndex<'d> {
    pub design: &'d Design,
    pub catalog: &'static CatalogIndex,
    components: HashMap<&'d str, usize>,
    groups: HashMap<&'d str, usize>,
    connections: HashMap<&'d str, usize>,
    /// Connection indices leaving / entering each component, as compressed rows: the
    /// connections of component `i` are `out_list[out_start[i]..out_start[i + 1]]`.
    out_start: Vec<usize>,
    out_list: Vec<usize>,
    in_start: Vec<usize>,
    in_list: Vec<usize>,
    /// Resolved ends of each connection (`None` when an end dangles or it loops on itself).
    pub ends: Vec<Option<(usize, usize)>>,
    /// Firewall components that list the component in `applies_to`.
    pub firewalls_of: Vec<Vec<usize>>,
    /// Backup jobs that list the component in `backup_sources`.
    pub backup_jobs_of: Vec<Vec<usize>>,
    /// VPN links that list the component in `members`.
    pub vpn_links_of: Vec<Vec<usize>>,
    /// The private network group (index) the component sits in, if any.
    pub private_network: Vec<Option<usize>>,
    /// Effective provider and region: the component's own, else its groups'.
    pub provider: Vec<Provider>,
    pub region: Vec<Option<&'d str>>,
    /// Components (directly) and child groups of each group.
    pub group_members: Vec<usize>,
}

impl<'d> DesignIndex<'d> {
    pub fn new(design: &'d Design) -> Self {
        let n = design.components.len();
        let mut components = HashMap::with_capacity_and_hasher(n, Default::default());
        for (i, c) in design.components.iter().enumerate() {
            components.entry(c.id.as_str()).or_insert(i);
        }
        let mut groups = HashMap::with_capacity_and_hasher(design.groups.len(), Default::default());
        for (i, g) in design.groups.iter().enumerate() {
            groups.entry(g.id.as_str()).or_insert(i);
        }
        let mut connections =
            HashMap::with_capacity_and_hasher(design.connections.len(), Default::default());
        let mut ends = Vec::with_capacity(design.connections.len());
        let mut out_start = vec![0usize; n + 1];
        let mut in_start = vec![0usize; n + 1];
        for (i, c) in design.connections.iter().enumerate() {
            connections.entry(c.id.as_str()).or_insert(i);
            let from = components.get(c.from.as_str()).copied();
            let to = components.get(c.to.as_str()).copied();
            match (from, to) {
                (Some(f), Some(t)) if f != t => {
                    out_start[f + 1] += 1;
                    in_start[t + 1] += 1;
                    ends.push(Some((f, t)));
                }
                _ => ends.push(None),
            }
        }
        for i in 0..n {
            out_start[i + 1] += out_start[i];
            in_start[i + 1] += in_start[i];
        }
        let mut out_list = vec![0usize; out_start[n]];
        let mut in_list = vec![0usize; in_start[n]];
        let (mut out_fill, mut in_fill) = (out_start.clone(), in_start.clone());
        for (k, end) in ends.iter().enumerate() {
            if let Some((f, t)) = *end {
                out_list[out_fill[f]] = k;
                out_fill[f] += 1;
                in_list[in_fill[t]] = k;
                in_fill[t] += 1;
            }
        }
        let mut firewalls_of = vec![Vec::new(); n];
        let mut backup_jobs_of = vec![Vec::new(); n];
        let mut vpn_links_of = vec![Vec::new(); n];
        let mut group_members = vec![0; design.groups.len()];
        for (i, c) in design.components.iter().enumerate() {
            let (list, targets): (&mut Vec<Vec<usize>>, &[ComponentId]) = match c.kind {
                ComponentKind::Firewall => (&mut firewalls_of, &c.properties.applies_to),
                ComponentKind::BackupJob => (&mut backup_jobs_of, &c.properties.backup_sources),
                ComponentKind::VpnLink => (&mut vpn_links_of, &c.properties.members),
                _ => (&mut firewalls_of, &[]),
            };
            for target in targets {
                if let Some(&t) = components.get(target.as_str()) {
                    if !list[t].contains(&i) {
                        list[t].push(i);
                    }
                }
            }
            if let Some(g) = c.group.as_ref().and_then(|g| groups.get(g.as_str())) {
                group_members[*g] += 1;
            }
        }
        for g in &design.groups {
            if let Some(p) = g.parent.as_ref().and_then(|p| groups.get(p.as_str())) {
                group_members[*p] += 1;
            }
        }
        let mut index = Self {
            design,
            catalog: catalog_index(),
            components,
            groups,
            connections,
            out_start,
            out_list,
            in_start,
            in_list,
            ends,
            firewalls_of,
            backup_jobs_of,
            vpn_links_of,
            private_network: Vec::with_capacity(n),
            provider: Vec::with_capacity(n),
            region: Vec::with_capacity(n),
            group_members,
        };
        for c in &design.components {
            let (network, provider, region) = index.placement_of(c);
            index.private_network.push(network);
            index.provider.push(provider);
            index.region.push(region);
        }
        index
    }

    /// Private network, provider and region from the component and its group chain.
    fn placement_of(&self, c: &'d Component) -> (Option<usize>, Provider, Option<&'d str>) {
        let mut network = None;
        let mut provider = c.provider;
        let mut region = c.region.as_deref();
        let mut next = c.group.as_ref();
        for _ in 0..MAX_GROUP_DEPTH {
            let Some(g) = next.and_then(|id| self.groups.get(id.as_str())) else {
                break;
            };
            let group = &self.design.groups[*g];
            if network.is_none() && group.kind == GroupKind::PrivateNetwork {
                network = Some(*g);
            }
            if provider == Provider::Unassigned {
                provider = group.provider;
            }
            if region.is_none() {
                region = group.region.as_deref();
            }
            next = group.parent.as_ref();
        }
        (network, provider, region)
    }

    /// Connections leaving component `i`, in design order.
    pub fn outgoing(&self, i: usize) -> &[usize] {
        &self.out_list[self.out_start[i]..self.out_start[i + 1]]
    }

    /// Connections entering component `i`, in design order.
    pub fn incoming(&self, i: usize) -> &[usize] {
        &self.in_list[self.in_start[i]..self.in_start[i + 1]]
    }

    pub fn comp(&self, i: usize) -> &'d Component {
        &self.design.components[i]
    }

    pub fn conn(&self, i: usize) -> &'d Connection {
        &self.design.connections[i]
    }

    pub fn group(&self, i: usize) -> &'d Group {
        &self.design.groups[i]
    }

    pub fn component_index(&self, id: &ComponentId) -> Option<usize> {
        self.components.get(id.as_str()).copied()
    }

    pub fn group_index(&self, id: &str) -> Option<usize> {
        self.groups.get(id).copied()
    }

    pub fn has_id(&self, id: &str) -> bool {
        self.components.contains_key(id)
            || self.groups.contains_key(id)
            || self.connections.contains_key(id)
    }

    pub fn components_len(&self) -> usize {
        self.design.components.len()
    }

    pub fn placement(&self, id: &str) -> Option<Placement> {
        self.design.layout.nodes.get(id).copied()
    }

    /// Whether the component runs the workload (by kind or by its `workloads`).
    pub fn runs(&self, i: usize, workload: Workload) -> bool {
        self.comp(i).properties.workloads.contains(&workload)
    }

    /// Whether the component holds a database: a database kind, or a server running one.
    pub fn is_database(&self, i: usize) -> bool {
        let c = self.comp(i);
        matches!(
            c.kind,
            ComponentKind::ManagedDatabase | ComponentKind::SelfHostedDatabase
        ) || (c.kind.is_server() && self.runs(i, Workload::Database))
    }

    /// Machines and data services that talk to each other over a network: servers, managed
    /// databases and caches. Load balancers are left out: providers attach them to a private
    /// network through their targets, so where one is drawn says nothing about its network.
    pub fn is_host(&self, i: usize) -> bool {
        let kind = self.comp(i).kind;
        kind.is_server() || matches!(kind, ComponentKind::ManagedDatabase | ComponentKind::Cache)
    }

    /// Serving instances of a component: its count, or an auto-scaling minimum when larger.
    pub fn instances(&self, i: usize) -> u32 {
        let c = self.comp(i);
        let min = c.properties.autoscaling.as_ref().map_or(0, |a| a.min);
        c.count.max(min)
    }
}
