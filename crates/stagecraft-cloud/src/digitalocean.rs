//! DigitalOcean: the API client (SSH keys, VPCs, droplets, firewalls, load balancers, volumes,
//! managed databases; action polling) and the engine's driver.
//!
//! Limits it respects: 5,000 requests per hour and 250 per minute (ratelimit-* and
//! retry-after headers, handled by the transport), `per_page` at most 200.
//!
//! DigitalOcean has no key=value labels and no idempotency key, so ownership lives in tags
//! (letters, digits, `_`, `-` and `:` only), and every create first looks for a resource
//! carrying its key and looks again when an answer is lost:
//! - droplets and volumes carry `managed-by:stagecraft`, `stagecraft-design:<id>`,
//!   `stagecraft-component:<owner>`, `stagecraft-key:<owner>:<local>` and
//!   `stagecraft-spec:<fingerprint>`;
//! - database clusters carry the same but, because their tags cannot change after creation,
//!   record the settings DigitalOcean does not show (`stagecraft-db-version:`,
//!   `stagecraft-db-storage:`, `stagecraft-db-network:`) instead of a fingerprint, which is
//!   recomputed from what the cluster reports (so a resize is seen as done);
//! - a firewall's tags are the droplet tags it applies to, so it lists only
//!   `stagecraft-fw:<design>:<owner>:<local>` (which the design's droplets carry) and
//!   `stagecraft-spec:<fingerprint>` (which no droplet carries);
//! - a load balancer has no tags at all: it balances to the droplets tagged
//!   `stagecraft-lb:<design>:<owner>:<local>:<fingerprint>`, and that tag identifies it;
//! - VPCs keep the same words in their description, SSH keys at the end of their name.
//!
//! Unlike Hetzner's, DigitalOcean firewalls filter private and outbound traffic too; the
//! mapping adds the rules for that.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{json, Value};
use stagecraft_model::{DesignId, Direction, Engine, FirewallProtocol, Protocol, Provider};

use crate::engine::{BoxFuture, ObservedResource, ProviderDriver, ResolvedIds};
use crate::resources::{
    DesiredResource, FirewallRuleSpec, LbServiceSpec, ResourceKey, ResourceKind, ResourceSpec,
};
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

    /// The collection that holds resources of `kind`, if DigitalOcean has one.
    pub fn of(kind: ResourceKind) -> Option<DoCollection> {
        match kind {
            ResourceKind::SshKey => Some(DoCollection::SshKeys),
            ResourceKind::Network => Some(DoCollection::Vpcs),
            ResourceKind::Firewall => Some(DoCollection::Firewalls),
            ResourceKind::Server => Some(DoCollection::Droplets),
            ResourceKind::Volume => Some(DoCollection::Volumes),
            ResourceKind::LoadBalancer => Some(DoCollection::LoadBalancers),
            ResourceKind::Database => Some(DoCollection::Databases),
            ResourceKind::PlacementGroup | ResourceKind::PrimaryIp => None,
        }
    }

    pub fn kind(self) -> ResourceKind {
        match self {
            DoCollection::SshKeys => ResourceKind::SshKey,
            DoCollection::Vpcs => ResourceKind::Network,
            DoCollection::Firewalls => ResourceKind::Firewall,
            DoCollection::Droplets => ResourceKind::Server,
            DoCollection::Volumes => ResourceKind::Volume,
            DoCollection::LoadBalancers => ResourceKind::LoadBalancer,
            DoCollection::Databases => ResourceKind::Database,
        }
    }
}

/// The tag every resource Stagecraft creates carries.
pub const TAG_MANAGED_BY: &str = "managed-by:stagecraft";

/// `text` within DigitalOcean's tag alphabet (letters, digits, `_`, `-`, `:`) and length (255).
/// Stagecraft ids and local names already are; this only guards against a future id format.
pub fn tag_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':') {
                c
            } else {
                '-'
            }
        })
        .take(255)
        .collect()
}

/// The tag every resource of a design carries.
pub fn design_tag(design: &DesignId) -> String {
    tag_safe(&format!("stagecraft-design:{}", design.as_str()))
}

/// The tag of the component (or group, or `design`) that owns the resource.
pub fn component_tag(key: &ResourceKey) -> String {
    tag_safe(&format!("stagecraft-component:{}", key.owner()))
}

/// The tag that identifies one resource of a design.
pub fn key_tag(key: &ResourceKey) -> String {
    tag_safe(&format!("stagecraft-key:{}:{}", key.owner(), key.local()))
}

/// The tag recording the settings fingerprint.
pub fn spec_tag(fingerprint: &str) -> String {
    tag_safe(&format!("stagecraft-spec:{fingerprint}"))
}

/// The droplet tag a firewall applies to; it names the firewall's design and key.
pub fn firewall_tag(design: &DesignId, key: &ResourceKey) -> String {
    tag_safe(&format!(
        "stagecraft-fw:{}:{}:{}",
        design.as_str(),
        key.owner(),
        key.local()
    ))
}

/// The droplet tag a load balancer balances to; it names the balancer's design, key and
/// fingerprint (a load balancer has no tags of its own).
pub fn balancer_tag(design: &DesignId, key: &ResourceKey, fingerprint: &str) -> String {
    tag_safe(&format!(
        "stagecraft-lb:{}:{}:{}:{fingerprint}",
        design.as_str(),
        key.owner(),
        key.local()
    ))
}

/// The tag recording that `design` uses an SSH key it did not create (DigitalOcean refuses a
/// second copy of a public key): the key's id, and the fingerprint and name the design wants,
/// so the plan sees the key as in line. The key itself is never changed or deleted.
pub fn borrowed_key_tag(
    design: &DesignId,
    key: &ResourceKey,
    id: &str,
    fingerprint: &str,
    name: &str,
) -> String {
    tag_safe(&format!(
        "{}{}:{}:{id}:{fingerprint}:{name}",
        borrowed_key_prefix(design),
        key.owner(),
        key.local()
    ))
}

fn borrowed_key_prefix(design: &DesignId) -> String {
    tag_safe(&format!("stagecraft-sshkey:{}:", design.as_str()))
}

/// An OpenSSH public key without its comment (`<type> <base64>`), to recognise the same key.
pub fn key_material(public_key: &str) -> String {
    public_key
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Attribute of an observed SSH key that belongs to someone else: the tag that records its use.
pub const ATTRIBUTE_BORROWED: &str = "borrowed";

/// Who owns a resource and what it was created from: the words written into its tags.
#[derive(Debug, Clone)]
pub struct Ownership<'a> {
    pub design: &'a DesignId,
    pub key: &'a ResourceKey,
    pub fingerprint: String,
}

impl<'a> Ownership<'a> {
    pub fn of(design: &'a DesignId, resource: &'a DesiredResource) -> Self {
        Self {
            design,
            key: &resource.key,
            fingerprint: resource.spec.fingerprint(),
        }
    }

    /// Ownership and identity, without the fingerprint.
    fn identity_tags(&self) -> Vec<String> {
        vec![
            TAG_MANAGED_BY.to_owned(),
            design_tag(self.design),
            component_tag(self.key),
            key_tag(self.key),
        ]
    }

    /// The tags of a droplet or volume.
    pub fn tags(&self) -> Vec<String> {
        let mut tags = self.identity_tags();
        tags.push(spec_tag(&self.fingerprint));
        tags
    }

    /// The same words, for the free-text fields of objects without tags.
    pub fn description(&self) -> String {
        self.tags().join(" ")
    }
}

/// The DigitalOcean engine slug of an engine.
pub fn engine_slug(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgresql => "pg",
        Engine::Mysql => "mysql",
        Engine::Redis => "redis",
        Engine::Valkey => "valkey",
    }
}

fn engine_of_slug(slug: &str) -> Option<Engine> {
    match slug {
        "pg" => Some(Engine::Postgresql),
        "mysql" => Some(Engine::Mysql),
        "redis" => Some(Engine::Redis),
        "valkey" => Some(Engine::Valkey),
        _ => None,
    }
}

/// The engine's name as designs spell it (`postgresql`), for plan reasons.
pub fn engine_name(engine: Engine) -> String {
    serde_json::to_value(engine)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A load balancer size from the catalogue (`lb-2`) as DigitalOcean's node count.
pub fn size_unit(size: &str) -> u32 {
    size.strip_prefix("lb-")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .clamp(1, 100)
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

    /// `PUT` (or `PATCH`) one object; answers its new state.
    ///
    /// # Errors
    /// Transport errors.
    pub async fn update(
        &self,
        method: Method,
        collection: DoCollection,
        id: &str,
        body: &Value,
    ) -> Result<Value, ProviderError> {
        let answer = self
            .call(
                method,
                &format!("{}/{id}", collection.path()),
                &[],
                Some(body),
            )
            .await?;
        Ok(answer[collection.object_key()].clone())
    }

    /// Starts an action on a droplet or volume (`rename`, `attach`, `detach`); answers its id.
    ///
    /// # Errors
    /// Transport errors; an answer without an action.
    pub async fn action(
        &self,
        collection: DoCollection,
        id: &str,
        body: &Value,
    ) -> Result<i64, ProviderError> {
        let path = format!("{}/{id}/actions", collection.path());
        let answer = self.call(Method::POST, &path, &[], Some(body)).await?;
        answer["action"]["id"]
            .as_i64()
            .ok_or_else(|| self.unexpected(format!("POST {path}: no action in the answer")))
    }

    /// Creates a tag (DigitalOcean answers the existing one when it is there already).
    ///
    /// # Errors
    /// Transport errors.
    pub async fn create_tag(&self, tag: &str) -> Result<(), ProviderError> {
        self.call(Method::POST, "/v2/tags", &[], Some(&json!({ "name": tag })))
            .await
            .map(|_| ())
    }

    /// How many resources carry `tag`; `None` when there is no such tag. (References from
    /// firewalls and load balancers are not counted: DigitalOcean counts tagged resources.)
    ///
    /// # Errors
    /// Transport errors other than 404.
    pub async fn tag_count(&self, tag: &str) -> Result<Option<u64>, ProviderError> {
        match self
            .call(Method::GET, &format!("/v2/tags/{tag}"), &[], None)
            .await
        {
            Ok(body) => Ok(Some(
                body["tag"]["resources"]["count"].as_u64().unwrap_or(0),
            )),
            Err(e) if e.kind == ProviderErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Deletes a tag, which also takes it off whatever carries it; a missing tag counts as
    /// deleted.
    ///
    /// # Errors
    /// Transport errors other than 404.
    pub async fn delete_tag(&self, tag: &str) -> Result<(), ProviderError> {
        match self
            .call(Method::DELETE, &format!("/v2/tags/{tag}"), &[], None)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ProviderErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The names of every tag in the account (all pages).
    ///
    /// # Errors
    /// Transport errors; an answer without the list.
    pub async fn tag_names(&self) -> Result<Vec<String>, ProviderError> {
        let mut out = Vec::new();
        for page in 1u32..=10_000 {
            let query = [
                ("page", page.to_string()),
                ("per_page", PER_PAGE.to_string()),
            ];
            let body = self.call(Method::GET, "/v2/tags", &query, None).await?;
            let tags = body["tags"]
                .as_array()
                .ok_or_else(|| self.unexpected("GET /v2/tags: no `tags` list"))?;
            out.extend(
                tags.iter()
                    .filter_map(|t| t["name"].as_str())
                    .map(str::to_owned),
            );
            if tags.is_empty() || body["links"]["pages"]["next"].as_str().is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// Adds (`POST`) or removes (`DELETE`) `tag` on resources of `resource_type`
    /// (`droplet`, `volume`).
    ///
    /// # Errors
    /// Transport errors; [`ProviderErrorKind::NotFound`] when the tag does not exist.
    pub async fn tag_resources(
        &self,
        method: Method,
        tag: &str,
        resource_type: &str,
        ids: &[String],
    ) -> Result<(), ProviderError> {
        if ids.is_empty() {
            return Ok(());
        }
        let body = json!({ "resources": ids.iter().map(|id| json!({ "resource_id": id, "resource_type": resource_type })).collect::<Vec<_>>() });
        self.call(
            method,
            &format!("/v2/tags/{tag}/resources"),
            &[],
            Some(&body),
        )
        .await
        .map(|_| ())
    }

    /// Sets who may connect to a database cluster.
    ///
    /// # Errors
    /// Transport errors.
    pub async fn set_database_firewall(&self, id: &str, body: &Value) -> Result<(), ProviderError> {
        self.call(
            Method::PUT,
            &format!("/v2/databases/{id}/firewall"),
            &[],
            Some(body),
        )
        .await
        .map(|_| ())
    }

    /// Resizes a database cluster (size and node count).
    ///
    /// # Errors
    /// Transport errors.
    pub async fn resize_database(&self, id: &str, body: &Value) -> Result<(), ProviderError> {
        self.call(
            Method::PUT,
            &format!("/v2/databases/{id}/resize"),
            &[],
            Some(body),
        )
        .await
        .map(|_| ())
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

/// `POST /v2/account/keys`. An SSH key has no tags or description: the ownership words go at
/// the end of its name, in brackets.
pub fn ssh_key_body(owner: &Ownership<'_>, name: &str, public_key: &str) -> Value {
    json!({ "name": format!("{name} [{} {}]", design_tag(owner.design), key_tag(owner.key)), "public_key": public_key })
}

/// `POST /v2/vpcs`. VPCs carry no tags: the description records ownership.
pub fn vpc_body(owner: &Ownership<'_>, name: &str, region: &str, ip_range: &str) -> Value {
    json!({ "name": name, "region": region, "ip_range": ip_range, "description": owner.description() })
}

/// `PATCH /v2/vpcs/{id}`.
pub fn vpc_update_body(owner: &Ownership<'_>, name: &str) -> Value {
    json!({ "name": name, "description": owner.description() })
}

/// `POST /v2/droplets`. `firewall_tags` put the droplet behind its firewalls from first boot.
#[allow(clippy::too_many_arguments)]
pub fn droplet_body(
    owner: &Ownership<'_>,
    name: &str,
    region: &str,
    size: &str,
    image: &str,
    ssh_keys: &[i64],
    user_data: Option<&str>,
    vpc_uuid: Option<&str>,
    firewall_tags: &[String],
) -> Value {
    let mut tags = owner.tags();
    tags.extend(firewall_tags.iter().cloned());
    let mut body = json!({ "name": name, "region": region, "size": size, "image": image, "ssh_keys": ssh_keys, "tags": tags, "monitoring": true, "ipv6": true });
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

/// The tags a firewall lists: the droplet tag it applies to, and its fingerprint.
pub fn firewall_tags(owner: &Ownership<'_>) -> Vec<String> {
    vec![
        firewall_tag(owner.design, owner.key),
        spec_tag(&owner.fingerprint),
    ]
}

/// `POST /v2/firewalls` (and `PUT`, which takes the same body): the rules, applied to every
/// droplet tagged with [`firewall_tag`]. Both tags must exist first ([`firewall_tags`]).
pub fn firewall_body(owner: &Ownership<'_>, name: &str, rules: &[FirewallRuleSpec]) -> Value {
    json!({
        "name": name,
        "inbound_rules": rules.iter().filter(|r| r.direction == Direction::Inbound).map(do_rule).collect::<Vec<_>>(),
        "outbound_rules": rules.iter().filter(|r| r.direction == Direction::Outbound).map(do_rule).collect::<Vec<_>>(),
        "tags": firewall_tags(owner),
    })
}

/// `POST /v2/load_balancers` (and `PUT`), balancing to the droplets tagged
/// [`balancer_tag`], which must exist first.
pub fn load_balancer_body(
    owner: &Ownership<'_>,
    name: &str,
    region: &str,
    size: &str,
    services: &[LbServiceSpec],
    vpc_uuid: Option<&str>,
) -> Value {
    let proto = |p: Protocol| if p == Protocol::Http { "http" } else { "tcp" };
    let mut body = json!({
        "name": name,
        "region": region,
        "size_unit": size_unit(size),
        "forwarding_rules": services.iter().map(|s| json!({ "entry_protocol": proto(s.protocol), "entry_port": s.listen_port, "target_protocol": proto(s.protocol), "target_port": s.destination_port })).collect::<Vec<_>>(),
        "tag": balancer_tag(owner.design, owner.key, &owner.fingerprint),
    });
    if let Some(s) = services.first() {
        body["health_check"] = json!({ "protocol": proto(s.protocol), "port": s.destination_port, "path": s.health_path.clone().unwrap_or_else(|| "/".into()),
            "check_interval_seconds": 10, "response_timeout_seconds": 5, "unhealthy_threshold": 3, "healthy_threshold": 3 });
        if s.protocol != Protocol::Http {
            body["health_check"]
                .as_object_mut()
                .map(|c| c.remove("path"));
        }
    }
    if let Some(vpc) = vpc_uuid {
        body["vpc_uuid"] = json!(vpc);
    }
    body
}

/// `POST /v2/volumes`.
pub fn volume_body(owner: &Ownership<'_>, name: &str, region: &str, size_gb: u32) -> Value {
    json!({ "name": name, "region": region, "size_gigabytes": size_gb, "filesystem_type": "ext4", "tags": owner.tags() })
}

/// `POST /v2/volumes/{id}/actions`: attach to or detach from a droplet.
pub fn volume_action_body(attach: bool, droplet_id: i64, region: &str) -> Value {
    json!({ "type": if attach { "attach" } else { "detach" }, "droplet_id": droplet_id, "region": region })
}

/// `POST /v2/droplets/{id}/actions` to rename a droplet.
pub fn rename_body(name: &str) -> Value {
    json!({ "type": "rename", "name": name })
}

/// The settings of a database cluster, as its tags record them (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSettings {
    pub version: Option<String>,
    pub storage_gb: Option<u32>,
    pub network: Option<ResourceKey>,
}

impl DatabaseSettings {
    fn tags(&self) -> Vec<String> {
        vec![
            tag_safe(&format!(
                "stagecraft-db-version:{}",
                // Tags allow no `.`: `8.0` is written `8_0`.
                self.version
                    .as_deref()
                    .unwrap_or("default")
                    .replace('.', "_")
            )),
            tag_safe(&format!(
                "stagecraft-db-storage:{}",
                self.storage_gb
                    .map_or_else(|| "default".to_owned(), |g| g.to_string())
            )),
            tag_safe(&format!(
                "stagecraft-db-network:{}",
                self.network.as_ref().map_or_else(
                    || "none".to_owned(),
                    |k| format!("{}:{}", k.owner(), k.local())
                )
            )),
        ]
    }

    fn from_tags(tags: &[&str]) -> Option<Self> {
        let word = |prefix: &str| {
            tags.iter()
                .find_map(|t| t.strip_prefix(prefix))
                .map(str::to_owned)
        };
        let version = word("stagecraft-db-version:")?;
        let storage = word("stagecraft-db-storage:")?;
        let network = word("stagecraft-db-network:")?;
        Some(Self {
            version: (version != "default").then(|| version.replace('_', ".")),
            storage_gb: storage.parse().ok(),
            network: network
                .split_once(':')
                .map(|(owner, local)| ResourceKey::new(owner, local)),
        })
    }
}

/// `POST /v2/databases`. `storage_gb` becomes `storage_size_mib`, the cluster's disk (sizes
/// come with a base disk; DigitalOcean accepts larger disks in the steps its pricing lists and
/// refuses others, with a message naming the allowed range); none keeps the size's base disk.
#[allow(clippy::too_many_arguments)]
pub fn database_body(
    owner: &Ownership<'_>,
    name: &str,
    engine: Engine,
    size: &str,
    region: &str,
    nodes: u32,
    settings: &DatabaseSettings,
    private_network_uuid: Option<&str>,
) -> Value {
    let mut tags = owner.identity_tags();
    tags.extend(settings.tags());
    let mut body = json!({ "name": name, "engine": engine_slug(engine), "size": size, "region": region, "num_nodes": nodes, "tags": tags });
    if let Some(version) = &settings.version {
        body["version"] = json!(version);
    }
    if let Some(gb) = settings.storage_gb {
        body["storage_size_mib"] = json!(u64::from(gb) * 1024);
    }
    if let Some(vpc) = private_network_uuid {
        body["private_network_uuid"] = json!(vpc);
    }
    body
}

/// `PUT /v2/databases/{id}/resize`.
pub fn database_resize_body(size: &str, nodes: u32) -> Value {
    json!({ "size": size, "num_nodes": nodes })
}

/// `PUT /v2/databases/{id}/firewall`: only the design's droplets may connect (a new cluster
/// accepts connections from anywhere).
pub fn database_firewall_body(design: &DesignId) -> Value {
    json!({ "rules": [{ "type": "tag", "value": design_tag(design) }] })
}

fn id_of(object: &Value) -> Option<String> {
    match &object["id"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn tags_of(object: &Value) -> Vec<&str> {
    object["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn region_slug(object: &Value) -> Option<&str> {
    object["region"]["slug"]
        .as_str()
        .or(object["region"].as_str())
}

fn key_of(text: &str) -> Option<ResourceKey> {
    text.split_once(':')
        .map(|(owner, local)| ResourceKey::new(owner, local))
}

/// What a DigitalOcean object says about itself, if it belongs to `design` (see the module doc
/// for where each kind keeps its ownership).
pub fn observed(
    collection: DoCollection,
    object: &Value,
    design: &DesignId,
) -> Option<ObservedResource> {
    let tags = tags_of(object);
    let word = |words: &[&str], prefix: &str| {
        words
            .iter()
            .find_map(|t| t.strip_prefix(prefix))
            .map(str::to_owned)
    };
    let mut name = object["name"].as_str().unwrap_or_default().to_owned();
    let mut attributes = std::collections::BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            attributes.insert(k.to_owned(), v);
        }
    };
    let (key, fingerprint) = match collection {
        DoCollection::Droplets | DoCollection::Volumes | DoCollection::Databases => {
            if !tags.contains(&design_tag(design).as_str()) {
                return None;
            }
            (
                key_of(&word(&tags, "stagecraft-key:")?)?,
                word(&tags, "stagecraft-spec:"),
            )
        }
        DoCollection::Firewalls => {
            let prefix = format!("stagecraft-fw:{}:", tag_safe(design.as_str()));
            (
                key_of(&word(&tags, &prefix)?)?,
                word(&tags, "stagecraft-spec:"),
            )
        }
        DoCollection::LoadBalancers => {
            let prefix = format!("stagecraft-lb:{}:", tag_safe(design.as_str()));
            let rest = object["tag"].as_str()?.strip_prefix(&prefix)?;
            let (key, fingerprint) = rest.rsplit_once(':')?;
            (key_of(key)?, Some(fingerprint.to_owned()))
        }
        DoCollection::Vpcs => {
            let description = object["description"].as_str()?;
            let words: Vec<&str> = description.split_whitespace().collect();
            if !words.contains(&design_tag(design).as_str()) {
                return None;
            }
            (
                key_of(&word(&words, "stagecraft-key:")?)?,
                word(&words, "stagecraft-spec:"),
            )
        }
        DoCollection::SshKeys => {
            let full = object["name"].as_str()?;
            let (display, marker) = full.rsplit_once(" [")?;
            let words: Vec<&str> = marker.trim_end_matches(']').split_whitespace().collect();
            if !words.contains(&design_tag(design).as_str()) {
                return None;
            }
            name = display.to_owned();
            // The key's only setting is the public key, which DigitalOcean shows.
            let public_key = object["public_key"].as_str()?.trim().to_owned();
            (
                key_of(&word(&words, "stagecraft-key:")?)?,
                Some(ResourceSpec::SshKey { public_key }.fingerprint()),
            )
        }
    };
    let region = region_slug(object).map(str::to_owned);
    // The tags, so a delete can clear away the ones nothing uses any more.
    if !tags.is_empty() {
        put("tags", Some(tags.join(" ")));
    }
    if collection == DoCollection::LoadBalancers {
        put("tag", object["tag"].as_str().map(str::to_owned));
    }
    let fingerprint = match collection {
        DoCollection::Droplets => {
            put(
                "server_type",
                object["size_slug"].as_str().map(str::to_owned),
            );
            put("location", region);
            put("status", object["status"].as_str().map(str::to_owned));
            // The droplet's public IPv4: where its WireGuard peers reach it.
            put(
                crate::wireguard::PUBLIC_IPV4,
                object["networks"]["v4"].as_array().and_then(|v4| {
                    v4.iter()
                        .find(|n| n["type"] == "public")
                        .and_then(|n| n["ip_address"].as_str().map(str::to_owned))
                }),
            );
            fingerprint
        }
        DoCollection::Volumes => {
            put(
                "size",
                object["size_gigabytes"].as_i64().map(|s| s.to_string()),
            );
            put("location", region);
            fingerprint
        }
        DoCollection::LoadBalancers => {
            put(
                "load_balancer_type",
                object["size_unit"].as_i64().map(|u| format!("lb-{u}")),
            );
            put("location", region);
            put("status", object["status"].as_str().map(str::to_owned));
            fingerprint
        }
        DoCollection::Vpcs => {
            put("ip_range", object["ip_range"].as_str().map(str::to_owned));
            put("location", region);
            fingerprint
        }
        DoCollection::Databases => {
            let engine = object["engine"].as_str().and_then(engine_of_slug);
            let size = object["size"].as_str().map(str::to_owned);
            let nodes = object["num_nodes"].as_u64().map(|n| n as u32);
            put("engine", engine.map(engine_name));
            put("size", size.clone());
            put("nodes", nodes.map(|n| n.to_string()));
            put(
                "storage_gb",
                object["storage_size_mib"]
                    .as_u64()
                    .map(|m| (m / 1024).to_string()),
            );
            put("location", region.clone());
            put("status", object["status"].as_str().map(str::to_owned));
            // Recomputed from what the cluster reports and what its tags record, so a resize
            // done outside (or by an earlier run) shows as such.
            let settings = DatabaseSettings::from_tags(&tags);
            match (engine, size, nodes, region, settings) {
                (Some(engine), Some(size), Some(nodes), Some(region), Some(settings)) => Some(
                    ResourceSpec::Database {
                        engine,
                        version: settings.version,
                        size,
                        nodes,
                        region,
                        storage_gb: settings.storage_gb,
                        network: settings.network,
                    }
                    .fingerprint(),
                ),
                _ => None,
            }
        }
        _ => fingerprint,
    };
    Some(ObservedResource {
        key,
        provider: Provider::Digitalocean,
        kind: collection.kind(),
        provider_id: id_of(object)?,
        name,
        fingerprint,
        attributes,
    })
}

/// The tags an observed resource carried.
fn tag_words(existing: &ObservedResource) -> Vec<&str> {
    existing
        .attributes
        .get("tags")
        .map(|t| t.split_whitespace().collect())
        .unwrap_or_default()
}

/// An SSH key the design uses but did not create, as the engine sees it.
fn borrowed_key(
    key: &ResourceKey,
    id: &str,
    fingerprint: &str,
    name: &str,
    tag: String,
) -> ObservedResource {
    ObservedResource {
        key: key.clone(),
        provider: Provider::Digitalocean,
        kind: ResourceKind::SshKey,
        provider_id: id.to_owned(),
        name: name.to_owned(),
        fingerprint: Some(fingerprint.to_owned()),
        attributes: [(ATTRIBUTE_BORROWED.to_owned(), tag)].into(),
    }
}

/// The engine's view of DigitalOcean.
pub struct DigitalOceanDriver {
    client: DigitalOceanClient,
}

impl DigitalOceanDriver {
    pub fn new(client: DigitalOceanClient) -> Self {
        Self { client }
    }

    pub fn client(&self) -> &DigitalOceanClient {
        &self.client
    }

    fn invalid(&self, message: impl Into<String>) -> ProviderError {
        self.client
            .transport
            .error(ProviderErrorKind::InvalidRequest, message)
    }

    fn collection(&self, kind: ResourceKind) -> Result<DoCollection, ProviderError> {
        DoCollection::of(kind).ok_or_else(|| {
            self.client.transport.error(
                ProviderErrorKind::Unsupported,
                format!("DigitalOcean has no {kind:?} resources"),
            )
        })
    }

    /// Every object of `collection` that belongs to `design`, with the raw object.
    async fn owned(
        &self,
        collection: DoCollection,
        design: &DesignId,
    ) -> Result<Vec<(ObservedResource, Value)>, ProviderError> {
        let tag = design_tag(design);
        let filter = matches!(
            collection,
            DoCollection::Droplets | DoCollection::Volumes | DoCollection::Databases
        )
        .then_some(tag.as_str());
        Ok(self
            .client
            .list(collection, filter)
            .await?
            .into_iter()
            .filter_map(|o| observed(collection, &o, design).map(|found| (found, o)))
            .collect())
    }

    /// The resource with this key, if it exists: DigitalOcean has no idempotency key, so this
    /// is asked before every create and again when an answer is lost.
    async fn find(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
    ) -> Result<Option<(ObservedResource, Value)>, ProviderError> {
        let collection = self.collection(resource.spec.kind())?;
        Ok(self
            .owned(collection, design)
            .await?
            .into_iter()
            .find(|(found, _)| found.key == resource.key))
    }

    async fn create_tags(&self, tags: &[String]) -> Result<(), ProviderError> {
        for tag in tags {
            self.client.create_tag(tag).await?;
        }
        Ok(())
    }

    /// Puts the balancer's tag on its target droplets (creating the tag first).
    async fn tag_targets(
        &self,
        tag: &str,
        targets: &[ResourceKey],
        ids: &ResolvedIds,
    ) -> Result<(), ProviderError> {
        self.client.create_tag(tag).await?;
        let droplets = targets
            .iter()
            .map(|k| self.resolve(ids, k))
            .collect::<Result<Vec<_>, _>>()?;
        self.client
            .tag_resources(Method::POST, tag, "droplet", &droplets)
            .await
    }

    fn resolve(&self, ids: &ResolvedIds, key: &ResourceKey) -> Result<String, ProviderError> {
        ids.get(key)
            .cloned()
            .ok_or_else(|| self.invalid(format!("{key} has no DigitalOcean id yet")))
    }

    fn resolve_number(&self, ids: &ResolvedIds, key: &ResourceKey) -> Result<i64, ProviderError> {
        self.resolve(ids, key)?.parse().map_err(|_| {
            self.invalid(format!(
                "{key}: a DigitalOcean droplet or key id is a number"
            ))
        })
    }

    /// The request body creating `resource`, with references resolved to provider ids.
    fn body(
        &self,
        owner: &Ownership<'_>,
        resource: &DesiredResource,
        ids: &ResolvedIds,
    ) -> Result<Value, ProviderError> {
        let name = resource.name.as_str();
        Ok(match &resource.spec {
            ResourceSpec::SshKey { public_key } => ssh_key_body(owner, name, public_key),
            ResourceSpec::Network {
                ip_range, region, ..
            } => vpc_body(owner, name, region, ip_range),
            ResourceSpec::Firewall { rules, .. } => firewall_body(owner, name, rules),
            ResourceSpec::Server {
                size,
                region,
                image,
                user_data,
                networks,
                firewalls,
                ssh_keys,
                ..
            } => {
                let vpc = networks.first().map(|k| self.resolve(ids, k)).transpose()?;
                let keys = ssh_keys
                    .iter()
                    .map(|k| self.resolve_number(ids, k))
                    .collect::<Result<Vec<_>, _>>()?;
                let firewall_tags: Vec<String> = firewalls
                    .iter()
                    .map(|k| firewall_tag(owner.design, k))
                    .collect();
                droplet_body(
                    owner,
                    name,
                    region,
                    size,
                    image,
                    &keys,
                    user_data.as_deref(),
                    vpc.as_deref(),
                    &firewall_tags,
                )
            }
            ResourceSpec::Volume {
                size_gb, region, ..
            } => volume_body(owner, name, region, *size_gb),
            ResourceSpec::LoadBalancer {
                size,
                region,
                network,
                services,
                ..
            } => {
                let vpc = network.as_ref().map(|k| self.resolve(ids, k)).transpose()?;
                load_balancer_body(owner, name, region, size, services, vpc.as_deref())
            }
            ResourceSpec::Database {
                engine,
                version,
                size,
                nodes,
                region,
                storage_gb,
                network,
            } => {
                let vpc = network.as_ref().map(|k| self.resolve(ids, k)).transpose()?;
                let settings = DatabaseSettings {
                    version: version.clone(),
                    storage_gb: *storage_gb,
                    network: network.clone(),
                };
                database_body(
                    owner,
                    name,
                    *engine,
                    size,
                    region,
                    *nodes,
                    &settings,
                    vpc.as_deref(),
                )
            }
            ResourceSpec::PlacementGroup | ResourceSpec::PrimaryIp { .. } => {
                return Err(self.client.transport.error(
                    ProviderErrorKind::Unsupported,
                    format!(
                        "{}: DigitalOcean has no {:?} resources",
                        resource.key,
                        resource.spec.kind()
                    ),
                ))
            }
        })
    }

    /// Polls an object until its `status` is `ready`; `errored` fails.
    async fn wait_status(
        &self,
        collection: DoCollection,
        id: &str,
        ready: &str,
    ) -> Result<Value, ProviderError> {
        let config = self.client.transport.config();
        let deadline = tokio::time::Instant::now() + config.action_timeout;
        loop {
            let object = self.client.get(collection, id).await?;
            match object["status"].as_str() {
                Some(status) if status == ready => return Ok(object),
                Some("errored") => {
                    return Err(self.client.transport.error(
                        ProviderErrorKind::ActionFailed,
                        format!("{} {id} errored", collection.object_key()),
                    ))
                }
                _ => {}
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(self.client.transport.error(
                    ProviderErrorKind::Timeout,
                    format!(
                        "{} {id} not {ready} after {:?}",
                        collection.object_key(),
                        config.action_timeout
                    ),
                ));
            }
            self.client.transport.sleep(config.poll_interval).await?;
        }
    }

    /// Attaches a volume to its droplet unless it is attached already (a resumed apply).
    async fn ensure_attached(
        &self,
        volume: &Value,
        droplet: i64,
        region: &str,
    ) -> Result<(), ProviderError> {
        let attached = volume["droplet_ids"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x.as_i64() == Some(droplet)));
        if attached {
            return Ok(());
        }
        let id = id_of(volume).ok_or_else(|| self.client.unexpected("a volume without an id"))?;
        let action = self
            .client
            .action(
                DoCollection::Volumes,
                &id,
                &volume_action_body(true, droplet, region),
            )
            .await?;
        self.client.wait_action(action).await
    }

    /// Waits for what a new (or found) object still has to do before it is ready.
    async fn settle(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        ids: &ResolvedIds,
        mut object: Value,
        actions: &[i64],
    ) -> Result<Value, ProviderError> {
        let id = id_of(&object).ok_or_else(|| self.client.unexpected("an object without an id"))?;
        match &resource.spec {
            ResourceSpec::Server { .. } => {
                for action in actions {
                    self.client.wait_action(*action).await?;
                }
                if object["status"].as_str() != Some("active") {
                    object = self
                        .wait_status(DoCollection::Droplets, &id, "active")
                        .await?;
                }
            }
            ResourceSpec::Volume {
                server: Some(server),
                region,
                ..
            } => {
                let droplet = self.resolve_number(ids, server)?;
                self.ensure_attached(&object, droplet, region).await?;
                object = self.client.get(DoCollection::Volumes, &id).await?;
            }
            ResourceSpec::LoadBalancer { .. } if object["status"].as_str() != Some("active") => {
                object = self
                    .wait_status(DoCollection::LoadBalancers, &id, "active")
                    .await?;
            }
            ResourceSpec::Database { .. } => {
                if object["status"].as_str() != Some("online") {
                    object = self
                        .wait_status(DoCollection::Databases, &id, "online")
                        .await?;
                }
                self.client
                    .set_database_firewall(&id, &database_firewall_body(design))
                    .await?;
            }
            _ => {}
        }
        Ok(object)
    }

    async fn create_inner(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        ids: &ResolvedIds,
    ) -> Result<ObservedResource, ProviderError> {
        let collection = self.collection(resource.spec.kind())?;
        let owner = Ownership::of(design, resource);
        let body = self.body(&owner, resource, ids)?;
        // Tags a firewall or balancer refers to must exist before it does.
        match &resource.spec {
            ResourceSpec::Firewall { .. } => self.create_tags(&firewall_tags(&owner)).await?,
            ResourceSpec::LoadBalancer { targets, .. } => {
                let tag = balancer_tag(design, &resource.key, &owner.fingerprint);
                self.tag_targets(&tag, targets, ids).await?;
            }
            _ => {}
        }
        let (object, actions) = match self.find(design, resource).await? {
            Some((_, object)) => (object, Vec::new()),
            None => {
                let mut attempt = 0;
                loop {
                    attempt += 1;
                    match self.client.create(collection, &body).await {
                        Ok(created) => break (created.object, created.actions),
                        // DigitalOcean keeps one copy of a public key per account: use the
                        // copy that is there.
                        Err(e) if e.kind == ProviderErrorKind::InvalidRequest => {
                            if let ResourceSpec::SshKey { public_key } = &resource.spec {
                                if let Some(borrowed) =
                                    self.borrow_key(design, resource, public_key).await?
                                {
                                    return Ok(borrowed);
                                }
                            }
                            return Err(e);
                        }
                        // The create may have happened: look for it before trying again, so a
                        // lost answer never becomes a duplicate.
                        Err(e) if e.maybe_processed && attempt < 4 => {
                            if let Some((_, object)) = self.find(design, resource).await? {
                                break (object, Vec::new());
                            }
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        };
        let object = self.settle(design, resource, ids, object, &actions).await?;
        observed(collection, &object, design).ok_or_else(|| {
            self.client.unexpected(format!(
                "POST {}: the answer lacks the ownership tags sent",
                collection.path()
            ))
        })
    }

    /// Brings a droplet's or volume's tags in line with `owner` (adoption, a new fingerprint).
    async fn retag(
        &self,
        resource_type: &str,
        id: &str,
        object: &Value,
        owner: &Ownership<'_>,
    ) -> Result<(), ProviderError> {
        let have = tags_of(object);
        let want = owner.tags();
        let ids = [id.to_owned()];
        for tag in want.iter().filter(|t| !have.contains(&t.as_str())) {
            self.client.create_tag(tag).await?;
            self.client
                .tag_resources(Method::POST, tag, resource_type, &ids)
                .await?;
        }
        for stale in have
            .iter()
            .filter(|t| t.starts_with("stagecraft-spec:") && !want.iter().any(|w| w == *t))
        {
            self.client
                .tag_resources(Method::DELETE, stale, resource_type, &ids)
                .await?;
        }
        Ok(())
    }

    async fn update_inner(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        existing: &ObservedResource,
        ids: &ResolvedIds,
    ) -> Result<ObservedResource, ProviderError> {
        let collection = self.collection(existing.kind)?;
        let owner = Ownership::of(design, resource);
        let id = existing.provider_id.as_str();
        match &resource.spec {
            ResourceSpec::SshKey { .. } if existing.attributes.contains_key(ATTRIBUTE_BORROWED) => {
                // Someone else's key: only the tag recording its use changes.
                let old = &existing.attributes[ATTRIBUTE_BORROWED];
                let tag = borrowed_key_tag(
                    design,
                    &resource.key,
                    id,
                    &owner.fingerprint,
                    &resource.name,
                );
                self.client.create_tag(&tag).await?;
                if *old != tag {
                    self.client.delete_tag(old).await?;
                }
                let mut updated = existing.clone();
                updated.name.clone_from(&resource.name);
                updated.fingerprint = Some(owner.fingerprint.clone());
                updated.attributes.insert(ATTRIBUTE_BORROWED.into(), tag);
                return Ok(updated);
            }
            ResourceSpec::SshKey { .. } => {
                let body = ssh_key_body(&owner, &resource.name, "");
                self.client
                    .update(
                        Method::PUT,
                        collection,
                        id,
                        &json!({ "name": body["name"] }),
                    )
                    .await?;
            }
            ResourceSpec::Network { .. } => {
                self.client
                    .update(
                        Method::PATCH,
                        collection,
                        id,
                        &vpc_update_body(&owner, &resource.name),
                    )
                    .await?;
            }
            ResourceSpec::Firewall { rules, .. } => {
                self.create_tags(&firewall_tags(&owner)).await?;
                self.client
                    .update(
                        Method::PUT,
                        collection,
                        id,
                        &firewall_body(&owner, &resource.name, rules),
                    )
                    .await?;
            }
            ResourceSpec::LoadBalancer {
                targets, network, ..
            } => {
                let current = self.client.get(collection, id).await?;
                let vpc = network.as_ref().map(|k| self.resolve(ids, k)).transpose()?;
                if let (Some(want), Some(have)) = (vpc.as_deref(), current["vpc_uuid"].as_str()) {
                    if want != have {
                        return Err(self.invalid(format!(
                            "{}: a DigitalOcean load balancer cannot move to another VPC; \
                             take it out of the design, apply, then put it back",
                            resource.key
                        )));
                    }
                }
                // Tagging every target again also tags a droplet created again since (the
                // balancer balances to whatever carries the tag); a PUT sets the rest.
                let tag = balancer_tag(design, &resource.key, &owner.fingerprint);
                self.tag_targets(&tag, targets, ids).await?;
                let body = self.body(&owner, resource, ids)?;
                self.client
                    .update(Method::PUT, collection, id, &body)
                    .await?;
                // The tag of the old settings balances to nothing now: deleting it also takes
                // it off the droplets.
                if let Some(old) = current["tag"].as_str().filter(|old| *old != tag) {
                    self.client.delete_tag(old).await?;
                }
            }
            ResourceSpec::Server { .. } | ResourceSpec::Volume { .. } => {
                let object = self.client.get(collection, id).await?;
                if collection == DoCollection::Droplets && existing.name != resource.name {
                    let action = self
                        .client
                        .action(collection, id, &rename_body(&resource.name))
                        .await?;
                    self.client.wait_action(action).await?;
                }
                let resource_type = if collection == DoCollection::Droplets {
                    "droplet"
                } else {
                    "volume"
                };
                self.retag(resource_type, id, &object, &owner).await?;
                // A droplet created again (replaced, or recreated after it was deleted) left
                // its volume detached: attach it to the droplet the design names.
                if let ResourceSpec::Volume {
                    server: Some(server),
                    region,
                    ..
                } = &resource.spec
                {
                    let droplet = self.resolve_number(ids, server)?;
                    self.ensure_attached(&object, droplet, region).await?;
                }
            }
            ResourceSpec::Database { size, nodes, .. } => {
                let resized = existing.attributes.get("size") != Some(size)
                    || existing.attributes.get("nodes") != Some(&nodes.to_string());
                if resized {
                    self.client
                        .resize_database(id, &database_resize_body(size, *nodes))
                        .await?;
                    self.wait_status(collection, id, "online").await?;
                }
            }
            ResourceSpec::PlacementGroup | ResourceSpec::PrimaryIp { .. } => {
                return Err(self.invalid(format!(
                    "{}: DigitalOcean has no {:?} resources",
                    resource.key,
                    resource.spec.kind()
                )))
            }
        }
        let object = self.client.get(collection, id).await?;
        Ok(observed(collection, &object, design).unwrap_or_else(|| {
            let mut updated = existing.clone();
            updated.fingerprint = Some(owner.fingerprint.clone());
            updated
        }))
    }

    async fn delete_inner(&self, existing: &ObservedResource) -> Result<(), ProviderError> {
        let collection = self.collection(existing.kind)?;
        let id = existing.provider_id.as_str();
        match collection {
            DoCollection::Volumes => {
                // DigitalOcean refuses to delete an attached volume: detach it first.
                let volume = match self.client.get(collection, id).await {
                    Ok(volume) => volume,
                    Err(e) if e.kind == ProviderErrorKind::NotFound => return Ok(()),
                    Err(e) => return Err(e),
                };
                let region = region_slug(&volume).unwrap_or_default().to_owned();
                for droplet in volume["droplet_ids"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_i64)
                {
                    let action = self
                        .client
                        .action(collection, id, &volume_action_body(false, droplet, &region))
                        .await?;
                    self.client.wait_action(action).await?;
                }
                self.client.delete(collection, id).await?;
                self.forget_tags(existing).await
            }
            DoCollection::Droplets => {
                self.client.delete(collection, id).await?;
                self.wait_gone(collection, id).await?;
                self.forget_tags(existing).await
            }
            DoCollection::Databases => {
                self.client.delete(collection, id).await?;
                self.forget_tags(existing).await
            }
            DoCollection::Firewalls => {
                self.client.delete(collection, id).await?;
                // Its droplet tag names this design and this firewall: nothing else uses it.
                // Its fingerprint tag may be another design's too (the same rules).
                for tag in tag_words(existing) {
                    if tag.starts_with("stagecraft-fw:") || self.unused(tag).await? {
                        self.client.delete_tag(tag).await?;
                    }
                }
                Ok(())
            }
            DoCollection::LoadBalancers => {
                self.client.delete(collection, id).await?;
                // The tag names this design and this balancer: nothing else uses it.
                match existing.attributes.get("tag") {
                    Some(tag) => self.client.delete_tag(tag).await,
                    None => Ok(()),
                }
            }
            DoCollection::SshKeys => match existing.attributes.get(ATTRIBUTE_BORROWED) {
                // Never delete a key this design did not create: forget that it used it.
                Some(tag) => self.client.delete_tag(tag).await,
                None => self.client.delete(collection, id).await,
            },
            DoCollection::Vpcs => {
                // A VPC is released a little after its last member is deleted.
                let config = self.client.transport.config();
                let deadline = tokio::time::Instant::now() + config.action_timeout;
                loop {
                    match self.client.delete(collection, id).await {
                        Err(e)
                            if e.kind == ProviderErrorKind::Conflict
                                && tokio::time::Instant::now() < deadline =>
                        {
                            self.client.transport.sleep(config.poll_interval).await?;
                        }
                        other => return other,
                    }
                }
            }
        }
    }

    /// Whether no resource carries `tag` and no firewall lists it.
    async fn unused(&self, tag: &str) -> Result<bool, ProviderError> {
        if self.client.tag_count(tag).await? != Some(0) {
            return Ok(false);
        }
        let firewalls = self.client.list(DoCollection::Firewalls, None).await?;
        Ok(!firewalls.iter().any(|f| tags_of(f).contains(&tag)))
    }

    /// After a droplet, volume or database is gone: deletes the tags it carried that nothing
    /// carries any more (a tag outlives its last resource at DigitalOcean). A firewall's or
    /// balancer's tag is left to that firewall or balancer; `managed-by`, component and spec
    /// tags are shared with other designs, so each goes only when unused.
    async fn forget_tags(&self, existing: &ObservedResource) -> Result<(), ProviderError> {
        for tag in tag_words(existing) {
            if tag.starts_with("stagecraft-fw:") || tag.starts_with("stagecraft-lb:") {
                continue;
            }
            if self.client.tag_count(tag).await? == Some(0) {
                self.client.delete_tag(tag).await?;
            }
        }
        Ok(())
    }

    /// Uses the account's copy of `public_key` (DigitalOcean refuses a second copy), recording
    /// the use in a tag. `None` when the account has no such key.
    async fn borrow_key(
        &self,
        design: &DesignId,
        resource: &DesiredResource,
        public_key: &str,
    ) -> Result<Option<ObservedResource>, ProviderError> {
        let wanted = key_material(public_key);
        let keys = self.client.list(DoCollection::SshKeys, None).await?;
        let Some(found) = keys
            .iter()
            .find(|k| k["public_key"].as_str().map(key_material) == Some(wanted.clone()))
        else {
            return Ok(None);
        };
        let id = id_of(found).ok_or_else(|| self.client.unexpected("an SSH key without an id"))?;
        let fingerprint = resource.spec.fingerprint();
        let tag = borrowed_key_tag(design, &resource.key, &id, &fingerprint, &resource.name);
        self.client.create_tag(&tag).await?;
        Ok(Some(borrowed_key(
            &resource.key,
            &id,
            &fingerprint,
            &resource.name,
            tag,
        )))
    }

    /// SSH keys this design uses but did not create, from the tags that record their use.
    async fn borrowed_keys(
        &self,
        design: &DesignId,
    ) -> Result<Vec<ObservedResource>, ProviderError> {
        let prefix = borrowed_key_prefix(design);
        let mut out = Vec::new();
        for tag in self.client.tag_names().await? {
            let Some(rest) = tag.strip_prefix(&prefix) else {
                continue;
            };
            let words: Vec<&str> = rest.splitn(5, ':').collect();
            let [owner, local, id, fingerprint, name] = words[..] else {
                continue;
            };
            // A key deleted since is not there to use: the plan creates (or borrows) one again.
            match self.client.get(DoCollection::SshKeys, id).await {
                Ok(_) => {}
                Err(e) if e.kind == ProviderErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            }
            out.push(borrowed_key(
                &ResourceKey::new(owner, local),
                id,
                fingerprint,
                name,
                tag.clone(),
            ));
        }
        Ok(out)
    }

    /// Polls until the object answers 404.
    async fn wait_gone(&self, collection: DoCollection, id: &str) -> Result<(), ProviderError> {
        let config = self.client.transport.config();
        let deadline = tokio::time::Instant::now() + config.action_timeout;
        loop {
            match self.client.get(collection, id).await {
                Err(e) if e.kind == ProviderErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(e),
                Ok(_) if tokio::time::Instant::now() >= deadline => {
                    return Err(self.client.transport.error(
                        ProviderErrorKind::Timeout,
                        format!("{} {id} still exists", collection.object_key()),
                    ))
                }
                Ok(_) => self.client.transport.sleep(config.poll_interval).await?,
            }
        }
    }
}

impl ProviderDriver for DigitalOceanDriver {
    fn provider(&self) -> Provider {
        Provider::Digitalocean
    }

    fn calls(&self) -> u64 {
        self.client.calls()
    }

    fn observe<'a>(
        &'a self,
        design: &'a DesignId,
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        Box::pin(async move {
            // The collections are independent: read them at once, not one after another.
            let mut reads = tokio::task::JoinSet::new();
            for collection in DoCollection::ALL {
                let client = self.client.clone();
                let design = design.clone();
                reads.spawn(async move {
                    Self::new(client)
                        .owned(collection, &design)
                        .await
                        .map(|found| found.into_iter().map(|(o, _)| o).collect::<Vec<_>>())
                });
            }
            let borrowed = {
                let client = self.client.clone();
                let design = design.clone();
                tokio::spawn(async move { Self::new(client).borrowed_keys(&design).await })
            };
            let mut out = Vec::new();
            while let Some(joined) = reads.join_next().await {
                let found = joined
                    .map_err(|e| self.client.unexpected(format!("a read task failed: {e}")))?;
                out.extend(found?);
            }
            out.extend(
                borrowed
                    .await
                    .map_err(|e| self.client.unexpected(format!("a read task failed: {e}")))??,
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
        Box::pin(self.update_inner(design, resource, existing, ids))
    }

    fn delete<'a>(
        &'a self,
        existing: &'a ObservedResource,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.delete_inner(existing))
    }
}
