//! Plan: what Apply would do, and why, from the design and what exists at the providers.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;
use stagecraft_model::Provider;

use crate::engine::ObservedResource;
use crate::resources::{
    DesiredResource, Mapping, NotProvisioned, ResourceKey, ResourceKind, ResourceSpec,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    Create,
    Update,
    /// Delete and create again: the change cannot be made in place.
    Replace,
    Delete,
}

/// One change in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PlannedChange {
    pub key: ResourceKey,
    pub provider: Provider,
    pub kind: ResourceKind,
    pub component: Option<String>,
    pub name: String,
    pub action: ChangeAction,
    pub reasons: Vec<String>,
    /// The provider's id of the existing resource (update, replace, delete).
    pub provider_id: Option<String>,
    /// What this change does to the monthly bill: the price of what it leaves minus the price of
    /// what exists now, in the design's currency (see [`Plan::price`]); `None` when unpriced.
    #[specta(type = Option<String>)]
    pub monthly_cost_change: Option<Decimal>,
}

/// What Apply would do.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Plan {
    pub design_id: String,
    pub design_name: String,
    pub changes: Vec<PlannedChange>,
    /// Resources that exist and match the design.
    pub unchanged: Vec<ResourceKey>,
    /// Parts of the design this build does not provision, and why.
    pub not_provisioned: Vec<NotProvisioned>,
    /// Monthly cost change in the design's currency: the sum of the changes' cost changes (see
    /// [`Plan::price`]); `None` when a change that costs money could not be priced.
    #[specta(type = Option<String>)]
    pub monthly_cost_change: Option<Decimal>,
    /// The currency of every cost figure in the plan; `None` until [`Plan::price`] has run.
    pub currency: Option<stagecraft_model::Currency>,
    /// The price catalogues the figures come from, refreshed ones first (`Hetzner prices
    /// refreshed from its API on 2026-11-26`, `embedded price catalogue of 2025-09-01`); empty
    /// until priced.
    pub prices: Vec<String>,
}

impl Plan {
    /// Number of changes of `action`.
    pub fn count(&self, action: ChangeAction) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Why an existing resource differs from the design, and whether it can change in place.
fn compare(
    desired: &DesiredResource,
    existing: &ObservedResource,
) -> Option<(ChangeAction, Vec<String>)> {
    let fingerprint = desired.spec.fingerprint();
    if existing.fingerprint.as_deref() == Some(fingerprint.as_str())
        && existing.name == desired.name
    {
        return None;
    }
    let mut replace_reasons = Vec::new();
    let mut check = |what: &str, attribute: &str, wanted: &str| {
        if let Some(have) = existing.attributes.get(attribute) {
            if have != wanted {
                replace_reasons.push(format!("{what} {have} → {wanted}"));
            }
        }
    };
    match &desired.spec {
        ResourceSpec::Server { size, region, .. } => {
            check("server type", "server_type", size);
            check("location", "location", region);
        }
        ResourceSpec::LoadBalancer { size, region, .. } => {
            if !balancer_changes_in_place(desired.provider) {
                check("load balancer type", "load_balancer_type", size);
            }
            check("location", "location", region);
        }
        ResourceSpec::Network { ip_range, .. } => check("IP range", "ip_range", ip_range),
        ResourceSpec::Volume { size_gb, .. } => check("size (GB)", "size", &size_gb.to_string()),
        ResourceSpec::Database { engine, region, .. } => {
            check("location", "location", region);
            let engine = serde_json::to_value(engine).unwrap_or_default();
            check("engine", "engine", engine.as_str().unwrap_or_default());
        }
        _ => {}
    }
    if !replace_reasons.is_empty() {
        if desired.spec.kind() == ResourceKind::Volume {
            replace_reasons.push("replacing a volume destroys its data".into());
        }
        if desired.spec.kind() == ResourceKind::Database {
            replace_reasons.push("replacing a database destroys its data".into());
        }
        return Some((ChangeAction::Replace, replace_reasons));
    }
    // A database that only needs another size or node count is resized in place.
    if let ResourceSpec::Database { size, nodes, .. } = &desired.spec {
        let mut as_is = desired.spec.clone();
        if let ResourceSpec::Database {
            size: have_size,
            nodes: have_nodes,
            ..
        } = &mut as_is
        {
            if let Some(have) = existing.attributes.get("size") {
                have_size.clone_from(have);
            }
            if let Some(have) = existing
                .attributes
                .get("nodes")
                .and_then(|n| n.parse().ok())
            {
                *have_nodes = have;
            }
        }
        if as_is != desired.spec
            && existing.fingerprint.as_deref() == Some(as_is.fingerprint().as_str())
        {
            return Some((
                ChangeAction::Update,
                vec![format!("resize to {size} with {nodes} node(s)")],
            ));
        }
    }
    // Hetzner (actions) and DigitalOcean (PUT) change a balancer's size, services, targets and
    // algorithm in place: replacing it would give it a new public address.
    if let ResourceSpec::LoadBalancer { size, .. } = &desired.spec {
        if balancer_changes_in_place(desired.provider)
            && existing.fingerprint.is_some()
            && existing.fingerprint.as_deref() != Some(fingerprint.as_str())
        {
            let mut reasons = Vec::new();
            if let Some(have) = existing.attributes.get("load_balancer_type") {
                if have != size {
                    reasons.push(format!("resize {have} → {size}"));
                }
            }
            reasons.push("services, targets or algorithm brought in line".into());
            return Some((ChangeAction::Update, reasons));
        }
    }
    match (&desired.spec, existing.fingerprint.is_some()) {
        (ResourceSpec::Firewall { .. }, _) => Some((
            ChangeAction::Update,
            vec![format!("firewall rules changed: {}", desired.reason)],
        )),
        (_, false) => Some((
            ChangeAction::Update,
            vec!["adopt: record the design's labels on it".into()],
        )),
        _ if existing.name != desired.name => Some((
            ChangeAction::Update,
            vec![format!("rename {} → {}", existing.name, desired.name)],
        )),
        // Other settings (networks, user data; balancers elsewhere) are fixed at creation.
        _ => Some((
            ChangeAction::Replace,
            vec!["settings that cannot change in place differ".into()],
        )),
    }
}

/// Providers whose drivers change a load balancer in place (and take back recreated targets).
fn balancer_changes_in_place(provider: Provider) -> bool {
    matches!(provider, Provider::Hetzner | Provider::Digitalocean)
}

/// Providers whose drivers' updates take back recreated targets and attach volumes to
/// recreated servers (AWS's update registers the target group's instances again and attaches
/// the volume to the instance it names).
fn rejoins_recreated(provider: Provider) -> bool {
    matches!(
        provider,
        Provider::Hetzner | Provider::Digitalocean | Provider::Aws
    )
}

/// A balancer knows its targets by provider id (Hetzner targets, DigitalOcean droplet tags), so
/// a target created again (replaced, or recreated after it was deleted outside Stagecraft) is
/// new to it even though the design did not change. Such a balancer, otherwise unchanged, is
/// updated in place after its targets (the engine orders an update after the changes it
/// depends on), which adds them back.
fn rejoin_recreated_targets(
    mapping: &Mapping,
    changes: &mut Vec<PlannedChange>,
    unchanged: &mut Vec<ResourceKey>,
    existing: &BTreeMap<&ResourceKey, &ObservedResource>,
) {
    let recreated: BTreeSet<ResourceKey> = changes
        .iter()
        .filter(|c| matches!(c.action, ChangeAction::Create | ChangeAction::Replace))
        .map(|c| c.key.clone())
        .collect();
    for desired in &mapping.resources {
        // A balancer takes its recreated targets back; a volume is attached to its recreated
        // server (on every provider a deleted server leaves its volumes detached).
        let (back, reason) = match &desired.spec {
            ResourceSpec::LoadBalancer { targets, .. } => (
                targets
                    .iter()
                    .filter(|t| recreated.contains(*t))
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
                "take back recreated target(s)",
            ),
            ResourceSpec::Volume {
                server: Some(server),
                ..
            } => (
                recreated
                    .contains(server)
                    .then(|| server.to_string())
                    .into_iter()
                    .collect(),
                "attach to recreated server",
            ),
            _ => continue,
        };
        let Some(found) = existing.get(&desired.key) else {
            continue;
        };
        if back.is_empty()
            || !rejoins_recreated(desired.provider)
            || !unchanged.contains(&desired.key)
        {
            continue;
        }
        unchanged.retain(|k| k != &desired.key);
        changes.push(PlannedChange {
            key: desired.key.clone(),
            provider: desired.provider,
            kind: desired.spec.kind(),
            component: desired.component.clone(),
            name: desired.name.clone(),
            action: ChangeAction::Update,
            reasons: vec![format!("{reason} {}", back.join(", "))],
            provider_id: Some(found.provider_id.clone()),
            monthly_cost_change: None,
        });
    }
}

/// Diffs the design's resources with what exists for this design.
pub fn diff(
    design_id: &str,
    design_name: &str,
    mapping: &Mapping,
    observed: &[ObservedResource],
) -> Plan {
    let existing: BTreeMap<&ResourceKey, &ObservedResource> =
        observed.iter().map(|o| (&o.key, o)).collect();
    let wanted: BTreeSet<&ResourceKey> = mapping.resources.iter().map(|r| &r.key).collect();
    let mut changes = Vec::new();
    let mut unchanged = Vec::new();
    for desired in &mapping.resources {
        let change = |action, reasons, provider_id| PlannedChange {
            key: desired.key.clone(),
            provider: desired.provider,
            kind: desired.spec.kind(),
            component: desired.component.clone(),
            name: desired.name.clone(),
            action,
            reasons,
            provider_id,
            monthly_cost_change: None,
        };
        match existing.get(&desired.key) {
            None => changes.push(change(
                ChangeAction::Create,
                vec![desired.reason.clone()],
                None,
            )),
            Some(found) => match compare(desired, found) {
                None => unchanged.push(desired.key.clone()),
                Some((action, reasons)) => {
                    changes.push(change(action, reasons, Some(found.provider_id.clone())))
                }
            },
        }
    }
    for found in observed.iter().filter(|o| !wanted.contains(&o.key)) {
        changes.push(PlannedChange {
            key: found.key.clone(),
            provider: found.provider,
            kind: found.kind,
            component: found
                .key
                .owner()
                .starts_with("cmp_")
                .then(|| found.key.owner().to_owned()),
            name: found.name.clone(),
            action: ChangeAction::Delete,
            reasons: vec!["no longer in the design".into()],
            provider_id: Some(found.provider_id.clone()),
            monthly_cost_change: None,
        });
    }
    rejoin_recreated_targets(mapping, &mut changes, &mut unchanged, &existing);
    changes.sort_by(|a, b| a.action.cmp(&b.action).then(a.key.cmp(&b.key)));
    Plan {
        design_id: design_id.to_owned(),
        design_name: design_name.to_owned(),
        changes,
        unchanged,
        not_provisioned: mapping.not_provisioned.clone(),
        monthly_cost_change: None,
        currency: None,
        prices: Vec::new(),
    }
}

impl Plan {
    /// Fills in what each change does to the monthly bill, and the total: a create adds the
    /// price of the new resource, a delete removes the price of the existing one, an update or
    /// replace is the new price minus the old (a server type change, a bigger volume). Prices
    /// come from `catalogs` (see `stagecraft_pricing::estimate_with`), shown in `currency`.
    /// Networks, firewalls and SSH keys cost nothing; a resource the catalogue has no price for
    /// leaves its change, and so the total, `None` rather than a silent zero.
    pub fn price(
        &mut self,
        mapping: &Mapping,
        observed: &[ObservedResource],
        currency: stagecraft_model::Currency,
        catalogs: &[&stagecraft_pricing::PriceCatalog],
    ) {
        let options = stagecraft_pricing::CostOptions::default();
        let pricer = stagecraft_pricing::ResourcePricer::new(catalogs, currency, &options);
        let desired: BTreeMap<&ResourceKey, &DesiredResource> =
            mapping.resources.iter().map(|r| (&r.key, r)).collect();
        let existing: BTreeMap<&ResourceKey, &ObservedResource> =
            observed.iter().map(|o| (&o.key, o)).collect();
        let mut total = Some(Decimal::ZERO);
        for change in &mut self.changes {
            let new = || {
                let d = desired.get(&change.key)?;
                pricer.monthly(d.provider, desired_resource(&d.spec)?)
            };
            let old = || {
                let o = existing.get(&change.key)?;
                let mut resource = observed_resource(o)?;
                // A server whose address is a primary IP of its own (`ip-N` beside `server-N`)
                // does not pay for it with the server: that IP is priced as its own resource.
                if let stagecraft_pricing::Resource::Server { public_ipv4, .. } = &mut resource {
                    let own_ip = o.key.local().strip_prefix("server-").is_some_and(|n| {
                        existing.contains_key(&ResourceKey::new(o.key.owner(), &format!("ip-{n}")))
                    });
                    *public_ipv4 &= !own_ip;
                }
                pricer.monthly(o.provider, resource)
            };
            change.monthly_cost_change = match change.action {
                ChangeAction::Create => new(),
                ChangeAction::Delete => old().map(|p| -p),
                ChangeAction::Update | ChangeAction::Replace => {
                    new().zip(old()).map(|(new, old)| new - old)
                }
            };
            total = total.zip(change.monthly_cost_change).map(|(t, c)| t + c);
        }
        self.monthly_cost_change = total;
        self.currency = Some(currency);
        self.prices = catalogs
            .iter()
            .map(|c| stagecraft_pricing::catalog_label(&c.describe()))
            .collect();
    }
}

/// What pricing knows of a resource the design wants.
fn desired_resource(spec: &ResourceSpec) -> Option<stagecraft_pricing::Resource<'_>> {
    use stagecraft_pricing::Resource;
    Some(match spec {
        // Without a primary IP of its own the server gets the provider's public IPv4 (Hetzner's
        // automatic one, AWS's MapPublicIpOnLaunch), priced with it.
        ResourceSpec::Server {
            size,
            region,
            primary_ip,
            ..
        } => Resource::Server {
            size,
            region,
            public_ipv4: primary_ip.is_none(),
        },
        ResourceSpec::Volume {
            size_gb, region, ..
        } => Resource::Volume {
            gb: *size_gb,
            region,
        },
        ResourceSpec::LoadBalancer { size, region, .. } => Resource::LoadBalancer { size, region },
        ResourceSpec::PrimaryIp { region } => Resource::PrimaryIpv4 { region },
        ResourceSpec::Database {
            engine,
            size,
            nodes,
            region,
            storage_gb,
            ..
        } => Resource::Database {
            engine: *engine,
            size,
            nodes: *nodes,
            storage_gb: *storage_gb,
            region,
        },
        ResourceSpec::SshKey { .. }
        | ResourceSpec::Network { .. }
        | ResourceSpec::Firewall { .. }
        | ResourceSpec::PlacementGroup => Resource::Free,
        #[allow(unreachable_patterns)]
        _ => return None,
    })
}

/// What pricing knows of a resource that exists, from the attributes its provider reports.
fn observed_resource(o: &ObservedResource) -> Option<stagecraft_pricing::Resource<'_>> {
    use stagecraft_pricing::Resource;
    let get = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| o.attributes.get(*n))
            .map(String::as_str)
    };
    let region = || get(&["location", "region"]);
    Some(match o.kind {
        ResourceKind::Server => Resource::Server {
            size: get(&["server_type", "size"])?,
            region: region()?,
            // A server reported with a public address pays for it.
            public_ipv4: get(&[crate::wireguard::PUBLIC_IPV4, "public_ip"]).is_some(),
        },
        ResourceKind::Volume => Resource::Volume {
            gb: get(&["size", "size_gb"])?.parse().ok()?,
            region: region()?,
        },
        ResourceKind::LoadBalancer => Resource::LoadBalancer {
            size: get(&["load_balancer_type", "size"])?,
            region: region()?,
        },
        ResourceKind::PrimaryIp => Resource::PrimaryIpv4 { region: region()? },
        // DigitalOcean and AWS both report `engine`, `size` and `nodes` (AWS: 2 when Multi-AZ);
        // `storage_gb` where known (a missing one is the provider's minimum).
        ResourceKind::Database => Resource::Database {
            engine: serde_json::from_value(serde_json::Value::String(get(&["engine"])?.to_owned()))
                .ok()?,
            size: get(&["size"])?,
            nodes: get(&["nodes"]).map_or(Some(1), |n| n.parse().ok())?,
            storage_gb: get(&["storage_gb"]).and_then(|g| g.parse().ok()),
            region: region()?,
        },
        ResourceKind::SshKey
        | ResourceKind::Network
        | ResourceKind::Firewall
        | ResourceKind::PlacementGroup => Resource::Free,
        #[allow(unreachable_patterns)]
        _ => return None,
    })
}
