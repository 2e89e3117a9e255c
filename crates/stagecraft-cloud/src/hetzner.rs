//! Hetzner Cloud: the API client and the driver that turns [`ResourceSpec`]s into its calls.
//!
//! Limits it respects: 3,600 requests per hour (RateLimit-* headers), `per_page` at most 50,
//! names unique per project, asynchronous actions polled to completion.

use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::Method;
use serde_json::{json, Map, Value};
use stagecraft_model::{DesignId, Direction, FirewallProtocol, Protocol, Provider};

use crate::engine::{BoxFuture, ObservedResource, ProviderDriver, ResolvedIds};
use crate::resources::{
    DesiredResource, FirewallRuleSpec, LbServiceSpec, ResourceKey, ResourceKind, ResourceSpec,
    LABEL_COMPONENT, LABEL_DESIGN, LABEL_MANAGED_BY, LABEL_MANAGED_BY_VALUE, LABEL_RESOURCE,
    LABEL_SPEC,
};
use crate::secret::Secret;
use crate::transport::{ClientConfig, Dialect, ProviderError, ProviderErrorKind, Transport};

/// The production API.
pub const HETZNER_API: &str = "https://api.hetzner.cloud/v1";
/// Hetzner's page size limit.
pub const PER_PAGE: u32 = 50;

struct HetznerDialect;

impl Dialect for HetznerDialect {
    fn provider(&self) -> Provider {
        Provider::Hetzner
    }
    fn error_of(&self, body: &Value) -> (Option<String>, Option<String>) {
        let error = &body["error"];
        // Validating peers (Prism) answer with problem+json: keep their detail, it names the field.
        let detail = body["validation"].as_array().map(|v| {
            v.iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e["location"]
                            .as_array()
                            .map(|l| l
                                .iter()
                                .map(|p| p.to_string())
                                .collect::<Vec<_>>()
                                .join("."))
                            .unwrap_or_default(),
                        e["message"].as_str().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        });
        (
            error["code"].as_str().map(str::to_owned),
            error["message"]
                .as_str()
                .map(str::to_owned)
                .or(detail)
                .or_else(|| body["detail"].as_str().map(str::to_owned)),
        )
    }
    fn retryable_code(&self, code: &str) -> bool {
        matches!(
            code,
            "locked"
                | "rate_limit_exceeded"
                | "conflict"
                | "timeout"
                | "maintenance"
                | "resource_unavailable"
        )
    }
}

/// The collections the client reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    SshKeys,
    Networks,
    Firewalls,
    PlacementGroups,
    PrimaryIps,
    Servers,
    Volumes,
    LoadBalancers,
}

impl Collection {
    pub const ALL: [Collection; 8] = [
        Collection::SshKeys,
        Collection::Networks,
        Collection::Firewalls,
        Collection::PlacementGroups,
        Collection::PrimaryIps,
        Collection::Servers,
        Collection::Volumes,
        Collection::LoadBalancers,
    ];

    /// URL path segment, which is also the list key of its answers.
    pub fn path(self) -> &'static str {
        match self {
            Collection::SshKeys => "ssh_keys",
            Collection::Networks => "networks",
            Collection::Firewalls => "firewalls",
            Collection::PlacementGroups => "placement_groups",
            Collection::PrimaryIps => "primary_ips",
            Collection::Servers => "servers",
            Collection::Volumes => "volumes",
            Collection::LoadBalancers => "load_balancers",
        }
    }

    /// Key of the single object in create and get answers.
    pub fn singular(self) -> &'static str {
        match self {
            Collection::SshKeys => "ssh_key",
            Collection::Networks => "network",
            Collection::Firewalls => "firewall",
            Collection::PlacementGroups => "placement_group",
            Collection::PrimaryIps => "primary_ip",
            Collection::Servers => "server",
            Collection::Volumes => "volume",
            Collection::LoadBalancers => "load_balancer",
        }
    }

    pub fn of(kind: ResourceKind) -> Collection {
        match kind {
            ResourceKind::SshKey => Collection::SshKeys,
            ResourceKind::Network => Collection::Networks,
            ResourceKind::Firewall => Collection::Firewalls,
            ResourceKind::PlacementGroup => Collection::PlacementGroups,
            ResourceKind::PrimaryIp => Collection::PrimaryIps,
            ResourceKind::Server => Collection::Servers,
            ResourceKind::Volume => Collection::Volumes,
            ResourceKind::LoadBalancer => Collection::LoadBalancers,
            // Hetzner runs no managed databases: the mapping never asks for one here, and
            // `create_body` refuses it before any request is sent.
            ResourceKind::Database => Collection::Servers,
        }
    }

    pub fn kind(self) -> ResourceKind {
        match self {
            Collection::SshKeys => ResourceKind::SshKey,
            Collection::Networks => ResourceKind::Network,
            Collection::Firewalls => ResourceKind::Firewall,
            Collection::PlacementGroups => ResourceKind::PlacementGroup,
            Collection::PrimaryIps => ResourceKind::PrimaryIp,
            Collection::Servers => ResourceKind::Server,
            Collection::Volumes => ResourceKind::Volume,
            Collection::LoadBalancers => ResourceKind::LoadBalancer,
        }
    }

    /// Whether DELETE answers with an action to wait for (servers) or nothing (the rest).
    fn delete_returns_action(self) -> bool {
        self == Collection::Servers
    }
}

/// A created object and the actions to wait for before it is usable.
#[derive(Debug, Clone)]
pub struct Created {
    pub object: Value,
    pub actions: Vec<i64>,
}

/// A Hetzner Cloud API client. Cheap to clone; clones share the connection pool, the rate-limit
/// state and the call counter.
#[derive(Clone)]
pub struct HetznerClient {
    transport: Arc<Transport>,
}

fn id_of(value: &Value) -> Option<i64> {
    value["id"].as_i64()
}

impl HetznerClient {
    /// A client for `config.base_url` with `token`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built (TLS setup).
    pub fn new(config: ClientConfig, token: Secret) -> Result<Self, ProviderError> {
        Ok(Self {
            transport: Transport::new(config, token, Box::new(HetznerDialect))?,
        })
    }

    /// HTTP requests sent so far (retries and polls included).
    pub fn calls(&self) -> u64 {
        self.transport.calls()
    }

    fn err(&self, message: impl Into<String>) -> ProviderError {
        self.transport
            .error(ProviderErrorKind::UnexpectedResponse, message)
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ProviderError> {
        Ok(self
            .transport
            .send(method, path, query, body)
            .await?
            .unwrap_or(Value::Null))
    }

    /// A cheap authenticated call: proves the token is accepted.
    ///
    /// # Errors
    /// [`ProviderErrorKind::Unauthorized`] for a refused token; transport errors.
    pub async fn verify(&self) -> Result<(), ProviderError> {
        self.call(Method::GET, "/locations", &[("per_page", "1".into())], None)
            .await
            .map(|_| ())
    }

    /// Every object of `collection`, optionally filtered by a label selector, all pages.
    ///
    /// # Errors
    /// Transport errors; an answer without the list.
    pub async fn list(
        &self,
        collection: Collection,
        label_selector: Option<&str>,
    ) -> Result<Vec<Value>, ProviderError> {
        let mut out = Vec::new();
        let mut page = 1u64;
        loop {
            let mut query = vec![
                ("page", page.to_string()),
                ("per_page", PER_PAGE.to_string()),
            ];
            if let Some(selector) = label_selector {
                query.push(("label_selector", selector.to_owned()));
            }
            let body = self
                .call(
                    Method::GET,
                    &format!("/{}", collection.path()),
                    &query,
                    None,
                )
                .await?;
            let items = body[collection.path()].as_array().ok_or_else(|| {
                self.err(format!(
                    "GET /{}: no `{}` list in the answer",
                    collection.path(),
                    collection.path()
                ))
            })?;
            out.extend(items.iter().cloned());
            match body["meta"]["pagination"]["next_page"].as_u64() {
                // Guard against a peer that repeats a page forever.
                Some(next) if next > page && !items.is_empty() => page = next,
                _ => break,
            }
        }
        Ok(out)
    }

    /// One object by id.
    ///
    /// # Errors
    /// [`ProviderErrorKind::NotFound`]; transport errors.
    pub async fn get(&self, collection: Collection, id: i64) -> Result<Value, ProviderError> {
        let body = self
            .call(
                Method::GET,
                &format!("/{}/{id}", collection.path()),
                &[],
                None,
            )
            .await?;
        Ok(body[collection.singular()].clone())
    }

    /// Creates an object from a request body (see the `*_body` builders) and returns it with the
    /// actions it started.
    ///
    /// # Errors
    /// Transport errors; `maybe_processed` is set when the outcome is unknown.
    pub async fn create(
        &self,
        collection: Collection,
        body: &Value,
    ) -> Result<Created, ProviderError> {
        let answer = self
            .call(
                Method::POST,
                &format!("/{}", collection.path()),
                &[],
                Some(body),
            )
            .await?;
        let object = answer[collection.singular()].clone();
        if id_of(&object).is_none() {
            return Err(self.err(format!(
                "POST /{}: the answer has no `{}.id`",
                collection.path(),
                collection.singular()
            )));
        }
        let mut actions: Vec<i64> = answer["action"]
            .as_object()
            .and_then(|a| a.get("id"))
            .and_then(Value::as_i64)
            .into_iter()
            .collect();
        if let Some(list) = answer["actions"].as_array() {
            actions.extend(list.iter().filter_map(id_of));
        }
        if let Some(list) = answer["next_actions"].as_array() {
            actions.extend(list.iter().filter_map(id_of));
        }
        Ok(Created { object, actions })
    }

    /// Replaces the labels (and name) of an object.
    ///
    /// # Errors
    /// Transport errors.
    pub async fn update(
        &self,
        collection: Collection,
        id: i64,
        body: &Value,
    ) -> Result<Value, ProviderError> {
        let answer = self
            .call(
                Method::PUT,
                &format!("/{}/{id}", collection.path()),
                &[],
                Some(body),
            )
            .await?;
        Ok(answer[collection.singular()].clone())
    }

    /// Deletes an object; returns the action to wait for, if the API gives one. A missing object
    /// counts as deleted.
    ///
    /// # Errors
    /// Transport errors other than 404.
    pub async fn delete(
        &self,
        collection: Collection,
        id: i64,
    ) -> Result<Option<i64>, ProviderError> {
        match self
            .call(
                Method::DELETE,
                &format!("/{}/{id}", collection.path()),
                &[],
                None,
            )
            .await
        {
            Ok(answer) if collection.delete_returns_action() => Ok(answer["action"]["id"].as_i64()),
            Ok(_) => Ok(None),
            Err(e) if e.kind == ProviderErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Runs an action on an object (`POST /{collection}/{id}/actions/{action}`); returns the
    /// action id to wait for.
    ///
    /// # Errors
    /// Transport errors (a `locked` answer is retried by the transport).
    pub async fn action(
        &self,
        collection: Collection,
        id: i64,
        action: &str,
        body: &Value,
    ) -> Result<Option<i64>, ProviderError> {
        let answer = self
            .call(
                Method::POST,
                &format!("/{}/{id}/actions/{action}", collection.path()),
                &[],
                Some(body),
            )
            .await?;
        Ok(answer["action"]["id"].as_i64())
    }

    /// The status of an action: `running`, `success` or `error`, with the error message.
    ///
    /// # Errors
    /// Transport errors.
    pub async fn action_status(&self, id: i64) -> Result<(String, Option<String>), ProviderError> {
        let body = self
            .call(Method::GET, &format!("/actions/{id}"), &[], None)
            .await?;
        let action = &body["action"];
        let status = action["status"].as_str().unwrap_or("running").to_owned();
        let message = action["error"]["message"].as_str().map(str::to_owned);
        Ok((status, message))
    }

    /// Polls an action until it succeeds.
    ///
    /// # Errors
    /// [`ProviderErrorKind::ActionFailed`] when it ends in error; `Timeout` after
    /// `action_timeout`; transport errors.
    pub async fn wait_action(&self, id: i64) -> Result<(), ProviderError> {
        let config = self.transport.config();
        let deadline = tokio::time::Instant::now() + config.action_timeout;
        loop {
            let (status, message) = self.action_status(id).await?;
            match status.as_str() {
                "success" => return Ok(()),
                "error" => {
                    return Err(self.transport.error(
                        ProviderErrorKind::ActionFailed,
                        format!(
                            "action {id} failed: {}",
                            message.unwrap_or_else(|| "no reason given".into())
                        ),
                    ))
                }
                _ => {}
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(self.transport.error(
                    ProviderErrorKind::Timeout,
                    format!(
                        "action {id} still running after {:?}",
                        config.action_timeout
                    ),
                ));
            }
            self.transport.sleep(config.poll_interval).await?;
        }
    }

    async fn wait_all(&self, actions: &[i64]) -> Result<(), ProviderError> {
        for id in actions {
            self.wait_action(*id).await?;
        }
        Ok(())
    }
}

/// Labels of a design's resource: ownership, identity and settings fingerprint.
fn labels(design: &DesignId, resource: &DesiredResource) -> Value {
    let mut map = Map::new();
    map.insert(LABEL_MANAGED_BY.into(), json!(LABEL_MANAGED_BY_VALUE));
    map.insert(LABEL_DESIGN.into(), json!(design.as_str()));
    map.insert(LABEL_COMPONENT.into(), json!(resource.key.owner()));
    map.insert(LABEL_RESOURCE.into(), json!(resource.key.local()));
    map.insert(LABEL_SPEC.into(), json!(resource.spec.fingerprint()));
    Value::Object(map)
}

/// `managed-by=stagecraft,stagecraft-design=<id>`: everything this design owns, nothing else.
pub fn design_selector(design: &DesignId) -> String {
    format!(
        "{LABEL_MANAGED_BY}={LABEL_MANAGED_BY_VALUE},{LABEL_DESIGN}={}",
        design.as_str()
    )
}

fn network_zone(region: &str) -> &'static str {
    match region {
        "ash" => "us-east",
        "hil" => "us-west",
        "sin" => "ap-southeast",
        _ => "eu-central",
    }
}

fn rule_body(rule: &FirewallRuleSpec) -> Value {
    let mut body = json!({
        "direction": match rule.direction { Direction::Inbound => "in", Direction::Outbound => "out" },
        "protocol": match rule.protocol { FirewallProtocol::Tcp => "tcp", FirewallProtocol::Udp => "udp", FirewallProtocol::Icmp => "icmp" },
        "description": rule.description,
    });
    if rule.protocol != FirewallProtocol::Icmp {
        body["port"] = json!(rule.port.clone().unwrap_or_else(|| "any".into()));
    }
    let field = if rule.direction == Direction::Inbound {
        "source_ips"
    } else {
        "destination_ips"
    };
    body[field] = json!(rule.addresses);
    body
}

/// A load balancer service, as `POST /load_balancers` and the `add_service` and
/// `update_service` actions take it.
pub fn service_body(s: &LbServiceSpec) -> Value {
    let http = s.protocol == Protocol::Http;
    let mut check = json!({
        "protocol": if http { "http" } else { "tcp" },
        "port": s.destination_port, "interval": 15, "timeout": 10, "retries": 3,
    });
    if http {
        check["http"] = json!({ "domain": null, "path": s.health_path.clone().unwrap_or_else(|| "/".into()), "status_codes": ["2??", "3??"], "tls": false });
    }
    json!({
        "protocol": if http { "http" } else { "tcp" },
        "listen_port": s.listen_port,
        "destination_port": s.destination_port,
        "proxyprotocol": false,
        "health_check": check,
    })
}

/// A server target, as `POST /load_balancers` and the `add_target` action take it.
pub fn target_body(server: i64, use_private_ip: bool) -> Value {
    json!({ "type": "server", "server": { "id": server }, "use_private_ip": use_private_ip })
}

/// Whether an existing service differs from `wanted` in what Stagecraft sets.
fn service_differs(have: &Value, wanted: &Value) -> bool {
    ["protocol", "destination_port", "proxyprotocol"]
        .iter()
        .any(|f| have[*f] != wanted[*f])
        || ["protocol", "port"]
            .iter()
            .any(|f| have["health_check"][*f] != wanted["health_check"][*f])
        || have["health_check"]["http"]["path"] != wanted["health_check"]["http"]["path"]
}

/// The actions that bring an existing load balancer (`current`, as `GET` answers it) in line
/// with `spec`, in order: type, algorithm, network, services, then targets (which may use the
/// network). Ids of the spec's references come from `resolve`.
///
/// # Errors
/// A message naming a reference that has no Hetzner id yet.
pub fn balancer_actions(
    current: &Value,
    spec: &ResourceSpec,
    resolve: impl Fn(&ResourceKey) -> Result<i64, String>,
) -> Result<Vec<(&'static str, Value)>, String> {
    let ResourceSpec::LoadBalancer {
        size,
        network,
        services,
        targets,
        round_robin,
        ..
    } = spec
    else {
        return Ok(Vec::new());
    };
    let mut actions = Vec::new();
    if current["load_balancer_type"]["name"].as_str() != Some(size.as_str()) {
        actions.push(("change_type", json!({ "load_balancer_type": size })));
    }
    let algorithm = if *round_robin {
        "round_robin"
    } else {
        "least_connections"
    };
    if current["algorithm"]["type"].as_str() != Some(algorithm) {
        actions.push(("change_algorithm", json!({ "type": algorithm })));
    }
    if let Some(network) = network {
        let id = resolve(network)?;
        let attached = current["private_net"]
            .as_array()
            .is_some_and(|n| n.iter().any(|n| n["network"].as_i64() == Some(id)));
        if !attached {
            actions.push(("attach_to_network", json!({ "network": id })));
        }
    }
    let have: BTreeMap<i64, &Value> = current["services"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["listen_port"].as_i64().map(|p| (p, s)))
        .collect();
    for service in services {
        let wanted = service_body(service);
        match have.get(&i64::from(service.listen_port)) {
            None => actions.push(("add_service", wanted)),
            Some(existing) if service_differs(existing, &wanted) => {
                actions.push(("update_service", wanted))
            }
            Some(_) => {}
        }
    }
    for port in have.keys() {
        if !services.iter().any(|s| i64::from(s.listen_port) == *port) {
            actions.push(("delete_service", json!({ "listen_port": port })));
        }
    }
    let have: Vec<i64> = current["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["type"] == "server")
        .filter_map(|t| t["server"]["id"].as_i64())
        .collect();
    let want = targets
        .iter()
        .map(&resolve)
        .collect::<Result<Vec<_>, _>>()?;
    for id in want.iter().filter(|id| !have.contains(id)) {
        actions.push(("add_target", target_body(*id, network.is_some())));
    }
    for id in have.iter().filter(|id| !want.contains(id)) {
        actions.push((
            "remove_target",
            json!({ "type": "server", "server": { "id": id } }),
        ));
    }
    Ok(actions)
}

/// Request body to create `resource`, with references resolved to provider ids.
///
/// # Errors
/// A message naming a reference that has no provider id yet.
pub fn create_body(
    design: &DesignId,
    resource: &DesiredResource,
    ids: &ResolvedIds,
) -> Result<Value, String> {
    let resolve = |key: &ResourceKey| -> Result<i64, String> {
        ids.get(key)
            .and_then(|id| id.parse::<i64>().ok())
            .ok_or_else(|| format!("{} needs {key}, which has no Hetzner id yet", resource.key))
    };
    let mut body = match &resource.spec {
        ResourceSpec::SshKey { public_key } => json!({ "public_key": public_key }),
        ResourceSpec::Database { .. } => {
            return Err(format!(
                "{}: Hetzner Cloud has no managed databases",
                resource.key
            ))
        }
        ResourceSpec::Network {
            ip_range,
            subnet,
            region,
        } => json!({
            "ip_range": ip_range,
            "subnets": [{ "type": "cloud", "ip_range": subnet, "network_zone": network_zone(region) }],
        }),
        ResourceSpec::Firewall { rules, .. } => {
            json!({ "rules": rules.iter().map(rule_body).collect::<Vec<_>>() })
        }
        ResourceSpec::PlacementGroup => json!({ "type": "spread" }),
        ResourceSpec::PrimaryIp { region } => json!({
            "type": "ipv4", "assignee_type": "server", "location": region, "auto_delete": false,
        }),
        ResourceSpec::Server {
            size,
            region,
            image,
            user_data,
            networks,
            firewalls,
            placement_group,
            primary_ip,
            ssh_keys,
        } => {
            let mut body = json!({
                "server_type": size,
                "image": image,
                "location": region,
                "start_after_create": true,
                "networks": networks.iter().map(resolve).collect::<Result<Vec<_>, _>>()?,
                "firewalls": firewalls.iter().map(|k| resolve(k).map(|id| json!({ "firewall": id }))).collect::<Result<Vec<_>, _>>()?,
                "ssh_keys": ssh_keys.iter().map(|k| resolve(k).map(|id| id.to_string())).collect::<Result<Vec<_>, _>>()?,
            });
            if let Some(user_data) = user_data {
                body["user_data"] = json!(user_data);
            }
            if let Some(group) = placement_group {
                body["placement_group"] = json!(resolve(group)?);
            }
            if let Some(ip) = primary_ip {
                body["public_net"] =
                    json!({ "enable_ipv4": true, "enable_ipv6": true, "ipv4": resolve(ip)? });
            }
            body
        }
        ResourceSpec::Volume {
            size_gb,
            region,
            server,
        } => match server {
            Some(server) => {
                json!({ "size": size_gb, "server": resolve(server)?, "automount": true, "format": "ext4" })
            }
            None => json!({ "size": size_gb, "location": region, "format": "ext4" }),
        },
        ResourceSpec::LoadBalancer {
            size,
            region,
            network,
            services,
            targets,
            round_robin,
        } => {
            let private = network.is_some();
            let mut body = json!({
                "load_balancer_type": size,
                "location": region,
                "algorithm": { "type": if *round_robin { "round_robin" } else { "least_connections" } },
                "public_interface": true,
                "services": services.iter().map(service_body).collect::<Vec<_>>(),
                "targets": targets.iter().map(|k| resolve(k).map(|id| target_body(id, private))).collect::<Result<Vec<_>, _>>()?,
            });
            if let Some(network) = network {
                body["network"] = json!(resolve(network)?);
            }
            body
        }
    };
    body["name"] = json!(resource.name);
    body["labels"] = labels(design, resource);
    Ok(body)
}

/// What a Hetzner object says about itself, as the engine compares it.
fn observed(collection: Collection, object: &Value) -> Option<ObservedResource> {
    let labels = object["labels"].as_object()?;
    let label = |k: &str| labels.get(k).and_then(Value::as_str).map(str::to_owned);
    let owner = label(LABEL_COMPONENT)?;
    let local = label(LABEL_RESOURCE)?;
    let mut attributes = BTreeMap::new();
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            attributes.insert(k.to_owned(), v.to_owned());
        }
    };
    put("server_type", object["server_type"]["name"].as_str());
    put(
        "location",
        object["datacenter"]["location"]["name"]
            .as_str()
            .or(object["location"]["name"].as_str()),
    );
    put(
        "load_balancer_type",
        object["load_balancer_type"]["name"].as_str(),
    );
    put("ip_range", object["ip_range"].as_str());
    put("status", object["status"].as_str());
    // A server's public IPv4: where its WireGuard peers reach it.
    put(
        crate::wireguard::PUBLIC_IPV4,
        object["public_net"]["ipv4"]["ip"].as_str(),
    );
    let size = object["size"].as_i64().map(|s| s.to_string());
    put("size", size.as_deref());
    Some(ObservedResource {
        key: ResourceKey::new(&owner, &local),
        provider: Provider::Hetzner,
        kind: collection.kind(),
        provider_id: id_of(object)?.to_string(),
        name: object["name"].as_str().unwrap_or_default().to_owned(),
        fingerprint: label(LABEL_SPEC),
        attributes,
    })
}

/// Attribute of an observed SSH key that belongs to someone else: the label key recording its
/// use by this design.
pub const ATTRIBUTE_BORROWED: &str = "borrowed";

/// The label key recording that `design` uses an SSH key it did not create (Hetzner refuses a
/// second key with the same fingerprint). Label keys are short, so the design id is hashed;
/// `<key>` holds the resource key, `<key>-spec` and `<key>-name` the fingerprint and name the
/// design wants, so the plan sees the key as in line.
pub fn borrow_label(design: &DesignId) -> String {
    // FNV-1a, as the settings fingerprint: stable across Rust versions.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in design.as_str().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("stagecraft-uses-{hash:016x}")
}

/// An OpenSSH public key without its comment (`<type> <base64>`), to recognise the same key.
fn key_material(public_key: &str) -> String {
    public_key
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A key this design uses but did not create, from the labels recording the use.
fn borrowed(object: &Value, label: &str) -> Option<ObservedResource> {
    let labels = &object["labels"];
    let (owner, local) = labels[label].as_str()?.split_once('.')?;
    Some(ObservedResource {
        key: ResourceKey::new(owner, local),
        provider: Provider::Hetzner,
        kind: ResourceKind::SshKey,
        provider_id: id_of(object)?.to_string(),
        name: labels[format!("{label}-name")].as_str()?.to_owned(),
        fingerprint: labels[format!("{label}-spec")].as_str().map(str::to_owned),
        attributes: [(ATTRIBUTE_BORROWED.to_owned(), label.to_owned())].into(),
    })
}

/// The engine's view of Hetzner.
pub struct HetznerDriver {
    client: HetznerClient,
}

impl HetznerDriver {
    pub fn new(client: HetznerClient) -> Self {
        Self { client }
    }

    pub fn client(&self) -> &HetznerClient {
        &self.client
    }

    /// The resource with this key, if it exists (found by labels, never by name alone).
    async fn find(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
    ) -> Result<Option<ObservedResource>, ProviderError> {
        let selector = format!(
            "{},{LABEL_COMPONENT}={},{LABEL_RESOURCE}={}",
            design_selector(design),
            resource.key.owner(),
            resource.key.local()
        );
        let collection = Collection::of(resource.spec.kind());
        Ok(self
            .client
            .list(collection, Some(&selector))
            .await?
            .iter()
            .find_map(|o| observed(collection, o)))
    }

    /// Records on the key `id` (someone else's) that this design uses it, and answers it as
    /// the engine sees it. The key's name and other labels stay as they are.
    async fn borrow_key(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        id: i64,
    ) -> Result<ObservedResource, ProviderError> {
        let label = borrow_label(design);
        let key = self.client.get(Collection::SshKeys, id).await?;
        let mut labels = key["labels"].as_object().cloned().unwrap_or_default();
        labels.insert(
            label.clone(),
            json!(format!("{}.{}", resource.key.owner(), resource.key.local())),
        );
        labels.insert(format!("{label}-spec"), json!(resource.spec.fingerprint()));
        labels.insert(format!("{label}-name"), json!(resource.name));
        let key = self
            .client
            .update(Collection::SshKeys, id, &json!({ "labels": labels }))
            .await?;
        borrowed(&key, &label).ok_or_else(|| {
            self.client
                .err("PUT /ssh_keys: the answer lacks the labels sent")
        })
    }

    /// The project's key with the same key material as `public_key`, if there is one.
    async fn same_key(&self, public_key: &str) -> Result<Option<i64>, ProviderError> {
        let wanted = key_material(public_key);
        Ok(self
            .client
            .list(Collection::SshKeys, None)
            .await?
            .iter()
            .find(|k| k["public_key"].as_str().map(key_material).as_deref() == Some(&wanted))
            .and_then(id_of))
    }

    async fn create_inner(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        ids: &ResolvedIds,
    ) -> Result<ObservedResource, ProviderError> {
        let collection = Collection::of(resource.spec.kind());
        let body = create_body(design, resource, ids).map_err(|m| {
            self.client
                .transport
                .error(ProviderErrorKind::InvalidRequest, m)
        })?;
        let mut attempt = 0;
        let created = loop {
            attempt += 1;
            match self.client.create(collection, &body).await {
                Ok(created) => break created,
                // The create may have happened: look for it by its labels before trying again,
                // so a lost answer never becomes a duplicate.
                Err(e) if e.maybe_processed && attempt < 4 => {
                    if let Some(found) = self.find(design, resource).await? {
                        return Ok(found);
                    }
                }
                Err(e) if e.kind == ProviderErrorKind::Conflict => {
                    if let Some(found) = self.find(design, resource).await? {
                        return Ok(found);
                    }
                    // Hetzner keeps one key per fingerprint: use the one that is there.
                    if let ResourceSpec::SshKey { public_key } = &resource.spec {
                        if let Some(id) = self.same_key(public_key).await? {
                            return self.borrow_key(design, resource, id).await;
                        }
                    }
                    return Err(e);
                }
                Err(e) => return Err(e),
            }
        };
        self.client.wait_all(&created.actions).await?;
        observed(collection, &created.object).ok_or_else(|| {
            self.client.err(format!(
                "POST /{}: the answer lacks the labels sent",
                collection.path()
            ))
        })
    }
}

impl ProviderDriver for HetznerDriver {
    fn provider(&self) -> Provider {
        Provider::Hetzner
    }

    fn calls(&self) -> u64 {
        self.client.calls()
    }

    fn observe<'a>(
        &'a self,
        design: &'a DesignId,
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        Box::pin(async move {
            let selector = design_selector(design);
            // The collections are independent: read them at once, not one after another.
            let mut reads = tokio::task::JoinSet::new();
            for collection in Collection::ALL {
                let client = self.client.clone();
                let selector = selector.clone();
                reads.spawn(
                    async move { (collection, client.list(collection, Some(&selector)).await) },
                );
            }
            let borrowed_keys = {
                let client = self.client.clone();
                let label = borrow_label(design);
                tokio::spawn(async move {
                    let keys = client.list(Collection::SshKeys, Some(&label)).await?;
                    Ok::<_, ProviderError>(
                        keys.iter()
                            .filter_map(|k| borrowed(k, &label))
                            .collect::<Vec<_>>(),
                    )
                })
            };
            let mut out = Vec::new();
            while let Some(joined) = reads.join_next().await {
                let (collection, objects) =
                    joined.map_err(|e| self.client.err(format!("a read task failed: {e}")))?;
                for object in objects? {
                    // The selector already filters; checking again keeps a misbehaving peer
                    // from handing us another design's resource to delete.
                    if object["labels"][LABEL_DESIGN].as_str() == Some(design.as_str()) {
                        out.extend(observed(collection, &object));
                    }
                }
            }
            out.extend(
                borrowed_keys
                    .await
                    .map_err(|e| self.client.err(format!("a read task failed: {e}")))??,
            );
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(out)
        })
    }

    fn create<'a>(
        &'a self,
        design: &'a DesignId,
        resource: &'a DesiredResource,
        ids: &'a ResolvedIds,
    ) -> BoxFuture<'a, Result<ObservedResource, ProviderError>> {
        Box::pin(self.create_inner(design, resource, ids))
    }

    fn update<'a>(
        &'a self,
        design: &'a DesignId,
        resource: &'a DesiredResource,
        existing: &'a ObservedResource,
        ids: &'a ResolvedIds,
    ) -> BoxFuture<'a, Result<ObservedResource, ProviderError>> {
        Box::pin(async move {
            let collection = Collection::of(existing.kind);
            let id: i64 = existing
                .provider_id
                .parse()
                .map_err(|_| self.client.err("a Hetzner id is a number"))?;
            if existing.attributes.contains_key(ATTRIBUTE_BORROWED) {
                // Someone else's key: only the labels recording its use change.
                return self.borrow_key(design, resource, id).await;
            }
            if let ResourceSpec::LoadBalancer { .. } = &resource.spec {
                let current = self.client.get(collection, id).await?;
                let resolve = |key: &ResourceKey| -> Result<i64, String> {
                    ids.get(key).and_then(|id| id.parse().ok()).ok_or_else(|| {
                        format!("{} needs {key}, which has no Hetzner id yet", resource.key)
                    })
                };
                let actions = balancer_actions(&current, &resource.spec, resolve).map_err(|m| {
                    self.client
                        .transport
                        .error(ProviderErrorKind::InvalidRequest, m)
                })?;
                for (action, body) in actions {
                    if let Some(running) = self.client.action(collection, id, action, &body).await?
                    {
                        self.client.wait_action(running).await?;
                    }
                }
            }
            if let ResourceSpec::Volume {
                server: Some(server),
                ..
            } = &resource.spec
            {
                // A server created again (replaced, or recreated after it was deleted) left
                // its volume detached: attach it to the server the design names.
                let want: i64 =
                    ids.get(server)
                        .and_then(|id| id.parse().ok())
                        .ok_or_else(|| {
                            self.client.err(format!(
                                "{} needs {server}, which has no Hetzner id yet",
                                resource.key
                            ))
                        })?;
                let current = self.client.get(collection, id).await?;
                let have = current["server"].as_i64();
                if have != Some(want) {
                    if have.is_some() {
                        if let Some(action) = self
                            .client
                            .action(collection, id, "detach", &json!({}))
                            .await?
                        {
                            self.client.wait_action(action).await?;
                        }
                    }
                    if let Some(action) = self
                        .client
                        .action(
                            collection,
                            id,
                            "attach",
                            &json!({ "server": want, "automount": true }),
                        )
                        .await?
                    {
                        self.client.wait_action(action).await?;
                    }
                }
            }
            if let ResourceSpec::Firewall { rules, .. } = &resource.spec {
                let body = json!({ "rules": rules.iter().map(rule_body).collect::<Vec<_>>() });
                if let Some(action) = self
                    .client
                    .action(collection, id, "set_rules", &body)
                    .await?
                {
                    self.client.wait_action(action).await?;
                }
            }
            let object = self
                .client
                .update(
                    collection,
                    id,
                    &json!({ "name": resource.name, "labels": labels(design, resource) }),
                )
                .await?;
            Ok(observed(collection, &object).unwrap_or_else(|| {
                let mut updated = existing.clone();
                updated.fingerprint = Some(resource.spec.fingerprint());
                updated
            }))
        })
    }

    fn delete<'a>(
        &'a self,
        existing: &'a ObservedResource,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let collection = Collection::of(existing.kind);
            let id: i64 = existing
                .provider_id
                .parse()
                .map_err(|_| self.client.err("a Hetzner id is a number"))?;
            if existing.attributes.contains_key(ATTRIBUTE_BORROWED) {
                // Never delete a key this design did not create: forget that it used it.
                let prefix = &existing.attributes[ATTRIBUTE_BORROWED];
                let key = self.client.get(collection, id).await?;
                let mut labels = key["labels"].as_object().cloned().unwrap_or_default();
                labels.retain(|k, _| !k.starts_with(prefix.as_str()));
                self.client
                    .update(collection, id, &json!({ "labels": labels }))
                    .await?;
                return Ok(());
            }
            if let Some(action) = self.client.delete(collection, id).await? {
                self.client.wait_action(action).await?;
            }
            Ok(())
        })
    }
}
