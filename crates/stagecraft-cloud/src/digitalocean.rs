//! DigitalOcean: the API client (SSH keys, VPCs, droplets, firewalls, load balancers, volumes,
//! managed databases; action polling). The engine driver is not written yet.
//!
//! Limits it respects: 5,000 requests per hour and 250 per minute (ratelimit-* and
//! retry-after headers, handled by the transport), `per_page` at most 200. DigitalOcean has no
//! idempotency key, so creates are deduplicated by tag: every object carries
//! `stagecraft-key:<owner>:<local>` and [`DigitalOceanClient::create_deduplicated`] looks for it
//! before creating and again after an answer is lost.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{json, Value};
use stagecraft_model::{DesignId, Direction, FirewallProtocol, Protocol, Provider};

use crate::resources::{FirewallRuleSpec, LbServiceSpec, ResourceKey};
use crate::secret::Secret;
use crate::transport::{ClientConfig, Dialect, ProviderError, ProviderErrorKind, Transport};

/// The production API (paths carry `/v2`).
pub const DIGITALOCEAN_API: &str = "https://api.digitalocean.com";
/// DigitalOcean's page size limit.
pub const PER_PAGE: u32 = 200;

struct DigitalOceanDialect;

impl Dialect for DigitalOceanDialect {
    fn provider(&self) -> Provider {
        Provider::Digitalocean
    }
    fn error_of(&self, body: &Value) -> (Option<String>, Option<String>) {
        (
            body["id"].as_str().map(str::to_owned),
            body["message"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| body["detail"].as_str().map(str::to_owned)),
        )
    }
    fn retryable_code(&self, code: &str) -> bool {
        matches!(code, "too_many_requests" | "service_unavailable")
    }
}

/// The collections the client reads and writes: (path, list key, object key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoCollection {
    SshKeys,
    Vpcs,
    Droplets,
    Firewalls,
    LoadBalancers,
    Volumes,
    Databases,
}

impl DoCollection {
    pub const ALL: [DoCollection; 7] = [
        DoCollection::SshKeys,
        DoCollection::Vpcs,
        DoCollection::Droplets,
        DoCollection::Firewalls,
        DoCollection::LoadBalancers,
        DoCollection::Volumes,
        DoCollection::Databases,
    ];

    pub fn path(self) -> &'static str {
        match self {
            DoCollection::SshKeys => "/v2/account/keys",
            DoCollection::Vpcs => "/v2/vpcs",
            DoCollection::Droplets => "/v2/droplets",
            DoCollection::Firewalls => "/v2/firewalls",
            DoCollection::LoadBalancers => "/v2/load_balancers",
            DoCollection::Volumes => "/v2/volumes",
            DoCollection::Databases => "/v2/databases",
        }
    }

    /// Key of the list in list answers.
    pub fn list_key(self) -> &'static str {
        match self {
            DoCollection::SshKeys => "ssh_keys",
            DoCollection::Vpcs => "vpcs",
            DoCollection::Droplets => "droplets",
            DoCollection::Firewalls => "firewalls",
            DoCollection::LoadBalancers => "load_balancers",
            DoCollection::Volumes => "volumes",
            DoCollection::Databases => "databases",
        }
    }

    /// Key of the object in create and get answers.
    pub fn object_key(self) -> &'static str {
        match self {
            DoCollection::SshKeys => "ssh_key",
            DoCollection::Vpcs => "vpc",
            DoCollection::Droplets => "droplet",
            DoCollection::Firewalls => "firewall",
            DoCollection::LoadBalancers => "load_balancer",
            DoCollection::Volumes => "volume",
            DoCollection::Databases => "database",
        }
    }

    /// Whether the list can be filtered by tag on the server (`tag_name`).
    fn filters_by_tag(self) -> bool {
        matches!(self, DoCollection::Droplets | DoCollection::Databases)
    }

    /// Whether objects carry tags (VPCs and SSH keys do not: they are matched by name).
    pub fn tagged(self) -> bool {
        !matches!(self, DoCollection::SshKeys | DoCollection::Vpcs)
    }
}

/// The tag that identifies a resource of a design.
pub fn key_tag(key: &ResourceKey) -> String {
    format!("stagecraft-key:{}:{}", key.owner(), key.local())
}

/// The tag every resource of a design carries.
pub fn design_tag(design: &DesignId) -> String {
    format!("stagecraft-design:{}", design.as_str())
}

/// A created object and the actions to wait for.
#[derive(Debug, Clone)]
pub struct DoCreated {
    pub object: Value,
    pub actions: Vec<i64>,
}

/// A DigitalOcean API client. Clones share the connection pool, rate-limit state and counter.
#[derive(Clone)]
pub struct DigitalOceanClient {
    transport: Arc<Transport>,
}

impl DigitalOceanClient {
    /// A client for `config.base_url` with `token`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(config: ClientConfig, token: Secret) -> Result<Self, ProviderError> {
        Ok(Self {
            transport: Transport::new(config, token, Box::new(DigitalOceanDialect))?,
        })
    }

    /// HTTP requests sent so far.
    pub fn calls(&self) -> u64 {
        self.transport.calls()
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

    fn unexpected(&self, message: impl Into<String>) -> ProviderError {
        self.transport
            .error(ProviderErrorKind::UnexpectedResponse, message)
    }

    /// A cheap authenticated call (`GET /v2/account`).
    ///
    /// # Errors
    /// [`ProviderErrorKind::Unauthorized`] for a refused token; transport errors.
    pub async fn verify(&self) -> Result<(), ProviderError> {
        self.call(Method::GET, "/v2/account", &[], None)
            .await
            .map(|_| ())
    }

    /// Every object of `collection` (all pages), narrowed to those tagged `tag` when given.
    ///
    /// # Errors
    /// Transport errors; an answer without the list.
    pub async fn list(
        &self,
        collection: DoCollection,
        tag: Option<&str>,
    ) -> Result<Vec<Value>, ProviderError> {
        let mut out = Vec::new();
        let mut page = 1u32;
        loop {
            let mut query = Vec::new();
            if collection != DoCollection::Databases {
                query.push(("page", page.to_string()));
                query.push(("per_page", PER_PAGE.to_string()));
            }
            if let (Some(tag), true) = (tag, collection.filters_by_tag()) {
                query.push(("tag_name", tag.to_owned()));
            }
            let body = self
                .call(Method::GET, collection.path(), &query, None)
                .await?;
            let items = match &body[collection.list_key()] {
                Value::Array(items) => items.clone(),
                // An account without databases answers `{"databases": null}`.
                Value::Null if body.is_object() => Vec::new(),
                _ => {
                    return Err(self.unexpected(format!(
                        "GET {}: no `{}` list",
                        collection.path(),
                        collection.list_key()
                    )))
                }
            };
            let count = items.len();
            out.extend(items);
            let has_next = body["links"]["pages"]["next"].as_str().is_some();
            if !has_next || count == 0 || collection == DoCollection::Databases || page >= 10_000 {
                break;
            }
            page += 1;
        }
        if let Some(tag) = tag {
            out.retain(|o| {
                o["tags"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|v| v.as_str() == Some(tag)))
            });
        }
        Ok(out)
    }

    /// Creates an object and returns it with the actions it started.
    ///
    /// # Errors
    /// Transport errors; `maybe_processed` when the outcome is unknown.
    pub async fn create(
        &self,
        collection: DoCollection,
        body: &Value,
    ) -> Result<DoCreated, ProviderError> {
        let answer = self
            .call(Method::POST, collection.path(), &[], Some(body))
            .await?;
        let object = answer[collection.object_key()].clone();
        if object.is_null() {
            return Err(self.unexpected(format!(
                "POST {}: no `{}` in the answer",
                collection.path(),
                collection.object_key()
            )));
        }
        let actions = answer["links"]["actions"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x["id"].as_i64()).collect())
            .unwrap_or_default();
        Ok(DoCreated { object, actions })
    }

    /// Creates unless an object tagged with `key`'s tag exists already (checked before, and
    /// again when an answer is lost): DigitalOcean has no idempotency key.
    ///
    /// # Errors
    /// Transport errors once retries are spent.
    pub async fn create_deduplicated(
        &self,
        collection: DoCollection,
        key: &ResourceKey,
        body: &Value,
    ) -> Result<DoCreated, ProviderError> {
        let tag = key_tag(key);
        let find = || async {
            if collection.tagged() {
                self.list(collection, Some(&tag))
                    .await
                    .map(|found| found.into_iter().next())
            } else {
                let name = body["name"].as_str().unwrap_or_default().to_owned();
                self.list(collection, None).await.map(|found| {
                    found
                        .into_iter()
                        .find(|o| o["name"].as_str() == Some(name.as_str()))
                })
            }
        };
        if let Some(object) = find().await? {
            return Ok(DoCreated {
                object,
                actions: Vec::new(),
            });
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.create(collection, body).await {
                Ok(created) => return Ok(created),
                Err(e) if e.maybe_processed && attempt < 4 => {
                    if let Some(object) = find().await? {
                        return Ok(DoCreated {
                            object,
                            actions: Vec::new(),
                        });
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Deletes an object; a missing one counts as deleted.
    ///
    /// # Errors
    /// Transport errors other than 404.
    pub async fn delete(&self, collection: DoCollection, id: &str) -> Result<(), ProviderError> {
        match self
            .call(
                Method::DELETE,
                &format!("{}/{id}", collection.path()),
                &[],
                None,
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ProviderErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// One object by id.
    ///
    /// # Errors
    /// [`ProviderErrorKind::NotFound`]; transport errors.
    pub async fn get(&self, collection: DoCollection, id: &str) -> Result<Value, ProviderError> {
        let body = self
            .call(
                Method::GET,
                &format!("{}/{id}", collection.path()),
                &[],
                None,
            )
            .await?;
        Ok(body[collection.object_key()].clone())
    }

    /// `in-progress`, `completed` or `errored`.
    ///
    /// # Errors
    /// Transport errors.
    pub async fn action_status(&self, id: i64) -> Result<String, ProviderError> {
        let body = self
            .call(Method::GET, &format!("/v2/actions/{id}"), &[], None)
            .await?;
        Ok(body["action"]["status"]
            .as_str()
            .unwrap_or("in-progress")
            .to_owned())
    }

    /// Polls an action until it completes.
    ///
    /// # Errors
    /// [`ProviderErrorKind::ActionFailed`] when it errors; `Timeout`; transport errors.
    pub async fn wait_action(&self, id: i64) -> Result<(), ProviderError> {
        let config = self.transport.config();
        let deadline = tokio::time::Instant::now() + config.action_timeout;
        loop {
            match self.action_status(id).await?.as_str() {
                "completed" => return Ok(()),
                "errored" => {
                    return Err(self.transport.error(
                        ProviderErrorKind::ActionFailed,
                        format!("action {id} errored"),
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
}

fn tags(design: &DesignId, key: &ResourceKey) -> Value {
    json!([design_tag(design), key_tag(key), "managed-by:stagecraft"])
}

/// `POST /v2/account/keys`.
pub fn ssh_key_body(name: &str, public_key: &str) -> Value {
    json!({ "name": name, "public_key": public_key })
}

/// `POST /v2/vpcs`. VPCs carry no tags: the description records ownership.
pub fn vpc_body(
    design: &DesignId,
    key: &ResourceKey,
    name: &str,
    region: &str,
    ip_range: &str,
) -> Value {
    json!({ "name": name, "region": region, "ip_range": ip_range, "description": format!("managed-by=stagecraft {} {}", design_tag(design), key_tag(key)) })
}

/// `POST /v2/droplets`.
#[allow(clippy::too_many_arguments)]
pub fn droplet_body(
    design: &DesignId,
    key: &ResourceKey,
    name: &str,
    region: &str,
    size: &str,
    image: &str,
    ssh_keys: &[String],
    user_data: Option<&str>,
    vpc_uuid: Option<&str>,
    firewall_tags: &[String],
) -> Value {
    let mut all_tags = tags(design, key);
    if let Value::Array(list) = &mut all_tags {
        list.extend(firewall_tags.iter().map(|t| json!(t)));
    }
    let mut body = json!({ "name": name, "region": region, "size": size, "image": image, "ssh_keys": ssh_keys, "tags": all_tags, "monitoring": true, "ipv6": true });
    if let Some(user_data) = user_data {
        body["user_data"] = json!(user_data);
    }
    if let Some(vpc) = vpc_uuid {
        body["vpc_uuid"] = json!(vpc);
    }
    body
}

fn do_rule(rule: &FirewallRuleSpec) -> Value {
    let protocol = match rule.protocol {
        FirewallProtocol::Tcp => "tcp",
        FirewallProtocol::Udp => "udp",
        FirewallProtocol::Icmp => "icmp",
    };
    // `ports` is required; "0" means every port (and is what ICMP rules carry).
    let ports = match rule.protocol {
        FirewallProtocol::Icmp => "0".to_owned(),
        _ => rule.port.clone().unwrap_or_else(|| "0".into()),
    };
    let mut body = json!({ "protocol": protocol, "ports": ports });
    let target = if rule.direction == Direction::Inbound {
        "sources"
    } else {
        "destinations"
    };
    body[target] = json!({ "addresses": rule.addresses });
    body
}

/// `POST /v2/firewalls`: the rules, applied to every droplet tagged `applies_to_tag`.
pub fn firewall_body(name: &str, rules: &[FirewallRuleSpec], applies_to_tag: &str) -> Value {
    json!({
        "name": name,
        "inbound_rules": rules.iter().filter(|r| r.direction == Direction::Inbound).map(do_rule).collect::<Vec<_>>(),
        "outbound_rules": rules.iter().filter(|r| r.direction == Direction::Outbound).map(do_rule).collect::<Vec<_>>(),
        "tags": [applies_to_tag],
    })
}

/// `POST /v2/load_balancers`, balancing to the droplets tagged `target_tag`.
pub fn load_balancer_body(
    name: &str,
    region: &str,
    services: &[LbServiceSpec],
    target_tag: &str,
    vpc_uuid: Option<&str>,
) -> Value {
    let proto = |p: Protocol| if p == Protocol::Http { "http" } else { "tcp" };
    let check = services.first().map(|s| {
        json!({ "protocol": proto(s.protocol), "port": s.destination_port, "path": s.health_path.clone().unwrap_or_else(|| "/".into()),
                "check_interval_seconds": 10, "response_timeout_seconds": 5, "unhealthy_threshold": 3, "healthy_threshold": 3 })
    });
    let mut body = json!({
        "name": name,
        "region": region,
        "size_unit": 1,
        "forwarding_rules": services.iter().map(|s| json!({ "entry_protocol": proto(s.protocol), "entry_port": s.listen_port, "target_protocol": proto(s.protocol), "target_port": s.destination_port })).collect::<Vec<_>>(),
        "tag": target_tag,
    });
    if let Some(check) = check {
        body["health_check"] = check;
    }
    if let Some(vpc) = vpc_uuid {
        body["vpc_uuid"] = json!(vpc);
    }
    body
}

/// `POST /v2/volumes`.
pub fn volume_body(
    design: &DesignId,
    key: &ResourceKey,
    name: &str,
    region: &str,
    size_gb: u32,
) -> Value {
    json!({ "name": name, "region": region, "size_gigabytes": size_gb, "filesystem_type": "ext4", "tags": tags(design, key) })
}

/// `POST /v2/databases`.
#[allow(clippy::too_many_arguments)]
pub fn database_body(
    design: &DesignId,
    key: &ResourceKey,
    name: &str,
    engine: &str,
    version: Option<&str>,
    size: &str,
    region: &str,
    nodes: u32,
    private_network_uuid: Option<&str>,
) -> Value {
    let mut body = json!({ "name": name, "engine": engine, "size": size, "region": region, "num_nodes": nodes, "tags": tags(design, key) });
    if let Some(version) = version {
        body["version"] = json!(version);
    }
    if let Some(vpc) = private_network_uuid {
        body["private_network_uuid"] = json!(vpc);
    }
    body
}
