//! Test peer (feature `fake`, never in the app): a stateful in-memory DigitalOcean with tags
//! and tag filters, pagination (`per_page` up to 200), actions and statuses that take a few
//! polls, the rules DigitalOcean enforces that the driver must respect (a firewall or load
//! balancer may only name existing tags, an attached volume cannot be deleted, a VPC with
//! members cannot be deleted, VPC names are unique), latency, and injected faults. Objects are
//! built from the spec's own schemas (as [`crate::fake`] does for Hetzner), so
//! `prism proxy --errors` accepts its answers.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use serde_json::{json, Map, Value};

use crate::fake::{example, record_request, wait_as_told};
pub use crate::fake::{Fault, FaultKind};

/// (collection as the fake names it, API path, list key, object key)
const COLLECTIONS: [(&str, &str, &str, &str); 7] = [
    ("ssh_keys", "/v2/account/keys", "ssh_keys", "ssh_key"),
    ("vpcs", "/v2/vpcs", "vpcs", "vpc"),
    ("droplets", "/v2/droplets", "droplets", "droplet"),
    ("firewalls", "/v2/firewalls", "firewalls", "firewall"),
    (
        "load_balancers",
        "/v2/load_balancers",
        "load_balancers",
        "load_balancer",
    ),
    ("volumes", "/v2/volumes", "volumes", "volume"),
    ("databases", "/v2/databases", "databases", "database"),
];

fn info(collection: &str) -> Option<(&'static str, &'static str, &'static str)> {
    COLLECTIONS
        .iter()
        .find(|(c, ..)| *c == collection)
        .map(|(_, path, list, one)| (*path, *list, *one))
}

pub struct DoFakeState {
    spec: Value,
    next_id: i64,
    /// collection -> id -> object
    pub objects: BTreeMap<String, BTreeMap<String, Value>>,
    /// Tags that exist in the account.
    pub tags: BTreeSet<String>,
    /// Tags deleted, in order.
    pub deleted_tags: Vec<String>,
    /// action id -> (polls left before `completed`, the action)
    actions: BTreeMap<i64, (u32, Value)>,
    /// object id -> reads left before it leaves `new` / `creating` / `resizing`
    settling: BTreeMap<String, u32>,
    /// Trusted sources of each database cluster.
    pub database_firewalls: BTreeMap<String, Value>,
    pub faults: VecDeque<Fault>,
    /// Every request seen: (method, path).
    pub requests: Vec<(String, String)>,
    pub latency: Duration,
    /// Polls an action or a new load balancer or database takes before it is ready.
    pub action_polls: u32,
    /// Faults actually injected.
    pub injected: Vec<String>,
}

#[derive(Clone)]
pub struct DoFake {
    pub state: Arc<Mutex<DoFakeState>>,
    pub addr: SocketAddr,
}

fn error(status: StatusCode, id: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "id": id, "message": message, "request_id": "4d9d8375-3c56-4925-a3e7-eb137fed17e9" })),
    )
        .into_response()
}

/// Follows `$ref`s (`#/components/schemas/…`, `#/components/responses/…`) to what they name.
fn resolve<'a>(spec: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let pointer = reference.trim_start_matches('#');
        schema = spec.pointer(pointer).unwrap_or(&Value::Null);
    }
    schema
}

/// The schema of `property` in an object schema, looking through `allOf`.
fn property<'a>(spec: &'a Value, schema: &'a Value, property: &str) -> Option<&'a Value> {
    let schema = resolve(spec, schema);
    if let Some(found) = schema["properties"].get(property) {
        return Some(found);
    }
    schema["allOf"]
        .as_array()?
        .iter()
        .find_map(|part| self::property(spec, part, property))
}

/// The public IPv4 the fake gives the droplet numbered `n` (in 198.19.0.0/16, apart from the
/// Hetzner fake's 198.18.0.0/16 so a test can run both).
pub fn droplet_public_ipv4(n: i64) -> String {
    format!("198.19.{}.{}", (n / 256) % 256, n % 256)
}

fn uuid(n: i64) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", n, n)
}

fn region_object(spec: &Value, slug: &str) -> Value {
    let mut region = example(spec, &json!({ "$ref": "#/components/schemas/region" }), 1);
    region["slug"] = json!(slug);
    region["name"] = json!(slug);
    region
}

fn tags_in(body: &Value) -> Vec<String> {
    body["tags"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

impl DoFakeState {
    fn new_action(&mut self, kind: &str, resource_id: Value, resource_type: &str) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut action = example(
            &self.spec,
            &json!({ "$ref": "#/components/schemas/action" }),
            0,
        );
        action["id"] = json!(id);
        action["status"] = json!("in-progress");
        action["type"] = json!(kind);
        action["resource_id"] = resource_id;
        action["resource_type"] = json!(resource_type);
        action["completed_at"] = Value::Null;
        self.actions.insert(id, (self.action_polls, action.clone()));
        action
    }

    fn object_schema(&self, collection: &str) -> Value {
        let (path, list, _) = info(collection).expect("a known collection");
        let answer = &self.spec["paths"][path]["get"]["responses"]["200"];
        let answer = resolve(&self.spec, answer);
        let schema = &answer["content"]["application/json"]["schema"];
        property(&self.spec, schema, list)
            .map(|p| resolve(&self.spec, p)["items"].clone())
            .unwrap_or(Value::Null)
    }

    fn exists(&self, collection: &str, id: &str) -> bool {
        self.objects
            .get(collection)
            .is_some_and(|m| m.contains_key(id))
    }

    fn vpc_ok(&self, body: &Value, field: &str) -> bool {
        body[field]
            .as_str()
            .is_none_or(|vpc| self.exists("vpcs", vpc))
    }

    fn missing_tags(&self, tags: &[String]) -> Option<String> {
        tags.iter().find(|t| !self.tags.contains(*t)).cloned()
    }

    fn new_object(
        &mut self,
        collection: &str,
        body: &Value,
    ) -> Result<(String, Value), Box<Response>> {
        let unprocessable = |m: String| {
            Box::new(error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable_entity",
                &m,
            ))
        };
        let name = body["name"].as_str().unwrap_or_default().to_owned();
        let key = body["public_key"].as_str().unwrap_or_default().trim();
        let same = |collection: &str, field: &str, value: &Value| {
            self.objects
                .get(collection)
                .is_some_and(|m| m.values().any(|o| &o[field] == value))
        };
        let refusal = match collection {
            "vpcs" if same("vpcs", "name", &json!(name)) => {
                Some(format!("a VPC named {name} exists already"))
            }
            "firewalls" => self
                .missing_tags(&tags_in(body))
                .map(|tag| format!("tag {tag} does not exist")),
            "load_balancers" => body["tag"]
                .as_str()
                .filter(|t| !self.tags.contains(*t))
                .map(|tag| format!("tag {tag} does not exist")),
            // The same key with another comment is the same key.
            "ssh_keys"
                if self.objects.get("ssh_keys").is_some_and(|m| {
                    m.values().any(|o| {
                        o["public_key"]
                            .as_str()
                            .map(crate::digitalocean::key_material)
                            == Some(crate::digitalocean::key_material(key))
                    })
                }) =>
            {
                Some("SSH Key is already in use on your account".into())
            }
            _ => None,
        };
        if let Some(refusal) = refusal {
            return Err(unprocessable(refusal));
        }
        if !self.vpc_ok(body, "vpc_uuid") || !self.vpc_ok(body, "private_network_uuid") {
            return Err(unprocessable("no such VPC".into()));
        }
        self.next_id += 1;
        let n = self.next_id;
        let mut object = example(&self.spec, &self.object_schema(collection), 0);
        let numeric = matches!(collection, "droplets" | "ssh_keys");
        let id = if numeric { n.to_string() } else { uuid(n) };
        object["id"] = if numeric { json!(n) } else { json!(id) };
        object["name"] = json!(name);
        let region = body["region"].as_str().unwrap_or("nyc3").to_owned();
        // Tags given to a droplet, volume or database are created with it.
        if matches!(collection, "droplets" | "volumes" | "databases") {
            let tags = tags_in(body);
            self.tags.extend(tags.iter().cloned());
            object["tags"] = json!(tags);
        }
        match collection {
            "ssh_keys" => {
                object["public_key"] = body["public_key"].clone();
                object["fingerprint"] = json!(format!(
                    "3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:{:02x}:{:02x}",
                    (n >> 8) & 0xff,
                    n & 0xff
                ));
            }
            "vpcs" => {
                object["region"] = json!(region);
                object["ip_range"] = body["ip_range"].clone();
                object["description"] = body["description"].clone();
                object["default"] = json!(false);
            }
            "droplets" => {
                object["status"] = json!("new");
                object["size_slug"] = body["size"].clone();
                object["size"]["slug"] = body["size"].clone();
                object["region"] = region_object(&self.spec, &region);
                let mut image = example(
                    &self.spec,
                    &json!({ "$ref": "#/components/schemas/image" }),
                    1,
                );
                image["slug"] = body["image"].clone();
                object["image"] = image;
                object["volume_ids"] = json!([]);
                if let Some(vpc) = body["vpc_uuid"].as_str() {
                    object["vpc_uuid"] = json!(vpc);
                }
                // As DigitalOcean answers: a private interface in the VPC's range and a public
                // one, each with its netmask (the private one has no gateway).
                let vpc_range = body["vpc_uuid"]
                    .as_str()
                    .and_then(|vpc| self.objects.get("vpcs")?.get(vpc))
                    .and_then(|vpc| vpc["ip_range"].as_str())
                    .unwrap_or("10.110.0.0/20");
                let prefix: Vec<&str> = vpc_range.split(['.', '/']).take(2).collect();
                object["networks"] = json!({
                    "v4": [
                        {
                            "ip_address": format!("{}.{}.{}.{}", prefix[0], prefix.get(1).unwrap_or(&"110"), (n / 250) % 16, n % 250 + 2),
                            "netmask": "255.255.240.0",
                            "gateway": "",
                            "type": "private"
                        },
                        {
                            "ip_address": droplet_public_ipv4(n),
                            "netmask": "255.255.240.0",
                            "gateway": "198.19.0.1",
                            "type": "public"
                        }
                    ],
                    "v6": []
                });
                self.settling.insert(id.clone(), self.action_polls + 1);
            }
            "firewalls" => {
                object["status"] = json!("succeeded");
                object["tags"] = json!(tags_in(body));
                object["droplet_ids"] = json!([]);
                object["pending_changes"] = json!([]);
                object["inbound_rules"] = body["inbound_rules"].clone();
                object["outbound_rules"] = body["outbound_rules"].clone();
            }
            "load_balancers" => {
                object["status"] = json!("new");
                object["region"] = region_object(&self.spec, &region);
                for field in [
                    "tag",
                    "size_unit",
                    "forwarding_rules",
                    "health_check",
                    "vpc_uuid",
                ] {
                    if !body[field].is_null() {
                        object[field] = body[field].clone();
                    }
                }
                object["droplet_ids"] = json!([]);
                self.settling.insert(id.clone(), self.action_polls);
            }
            "volumes" => {
                object["size_gigabytes"] = body["size_gigabytes"].clone();
                object["region"] = region_object(&self.spec, &region);
                object["droplet_ids"] = json!([]);
            }
            "databases" => {
                object["status"] = json!("creating");
                object["engine"] = body["engine"].clone();
                object["size"] = body["size"].clone();
                object["num_nodes"] = body["num_nodes"].clone();
                object["region"] = json!(region);
                if !body["version"].is_null() {
                    object["version"] = body["version"].clone();
                }
                if !body["storage_size_mib"].is_null() {
                    object["storage_size_mib"] = body["storage_size_mib"].clone();
                }
                if !body["private_network_uuid"].is_null() {
                    object["private_network_uuid"] = body["private_network_uuid"].clone();
                }
                self.settling.insert(id.clone(), self.action_polls);
            }
            _ => {}
        }
        self.objects
            .entry(collection.to_owned())
            .or_default()
            .insert(id.clone(), object.clone());
        Ok((id, object))
    }

    /// Resources (droplets, volumes, databases) that carry `tag`.
    fn tagged(&self, tag: &str) -> Vec<(String, String)> {
        ["droplets", "volumes", "databases"]
            .iter()
            .flat_map(|c| {
                self.objects
                    .get(*c)
                    .into_iter()
                    .flat_map(|m| m.iter())
                    .filter(|(_, o)| tags_in(o).iter().any(|t| t == tag))
                    .map(|(id, _)| (c.to_string(), id.clone()))
            })
            .collect()
    }

    /// The object as a GET sees it: a balancer or database that has settled becomes ready; a
    /// balancer balances to the droplets that carry its tag.
    fn read(&mut self, collection: &str, id: &str) -> Option<Value> {
        if collection == "load_balancers" {
            let tag = self.objects.get(collection)?.get(id)?["tag"]
                .as_str()
                .map(str::to_owned);
            let droplets: Vec<Value> = tag
                .map(|t| self.tagged(&t))
                .unwrap_or_default()
                .into_iter()
                .filter(|(c, _)| c == "droplets")
                .map(|(_, id)| json!(id.parse::<i64>().unwrap_or(0)))
                .collect();
            self.objects.get_mut(collection)?.get_mut(id)?["droplet_ids"] = json!(droplets);
        }
        if let Some(left) = self.settling.get_mut(id) {
            if *left == 0 {
                self.settling.remove(id);
                let ready = if collection == "databases" {
                    "online"
                } else {
                    "active"
                };
                self.objects.get_mut(collection)?.get_mut(id)?["status"] = json!(ready);
            } else {
                *left -= 1;
            }
        }
        self.objects.get(collection)?.get(id).cloned()
    }

    fn has_members(&self, vpc: &str) -> bool {
        self.objects.iter().any(|(collection, objects)| {
            collection != "vpcs"
                && objects.values().any(|o| {
                    o["vpc_uuid"].as_str() == Some(vpc)
                        || o["private_network_uuid"].as_str() == Some(vpc)
                })
        })
    }
}

async fn before(state: &Arc<Mutex<DoFakeState>>, method: &Method, path: &str) -> Option<FaultKind> {
    let (latency, fault) = {
        let mut guard = state.lock().unwrap();
        let s = &mut *guard;
        let fault = record_request(
            &mut s.requests,
            &mut s.faults,
            &mut s.injected,
            method,
            path,
        );
        (s.latency, fault)
    };
    wait_as_told(latency, &fault).await;
    fault
}

fn early(fault: &Option<FaultKind>) -> Option<Response> {
    match fault {
        Some(FaultKind::RateLimited { retry_after }) => {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "API Rate limit exceeded.",
            );
            let h = response.headers_mut();
            h.insert(
                "retry-after",
                HeaderValue::from_str(&retry_after.to_string()).unwrap(),
            );
            Some(with_rate_headers(response))
        }
        // DigitalOcean has no `locked` answer: a busy resource is a server-side failure.
        Some(FaultKind::ServerError | FaultKind::Locked) => Some(with_rate_headers(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "injected",
        ))),
        _ => None,
    }
}

fn late(fault: &Option<FaultKind>, response: Response) -> Response {
    if matches!(fault, Some(FaultKind::ServerErrorAfterProcessing)) {
        return with_rate_headers(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "injected after processing",
        ));
    }
    with_rate_headers(response)
}

fn with_rate_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert("ratelimit-limit", HeaderValue::from_static("5000"));
    h.insert("ratelimit-remaining", HeaderValue::from_static("4999"));
    h.insert("ratelimit-reset", HeaderValue::from_static("1767225600"));
    response
}

type Shared = State<Arc<Mutex<DoFakeState>>>;

async fn account(State(state): Shared) -> Response {
    let fault = before(&state, &Method::GET, "/v2/account").await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let s = state.lock().unwrap();
    let schema = &s.spec["paths"]["/v2/account"]["get"]["responses"]["200"];
    let schema = &resolve(&s.spec, schema)["content"]["application/json"]["schema"];
    late(
        &fault,
        axum::Json(example(&s.spec, schema, 0)).into_response(),
    )
}

async fn list_in(
    state: Arc<Mutex<DoFakeState>>,
    collection: String,
    query: BTreeMap<String, String>,
) -> Response {
    let Some((path, list_key, _)) = info(&collection) else {
        return error(StatusCode::NOT_FOUND, "not_found", "unknown collection");
    };
    let fault = before(&state, &Method::GET, path).await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let ids: Vec<String> = s
        .objects
        .get(&collection)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let tag = query.get("tag_name").cloned();
    let all: Vec<Value> = ids
        .iter()
        .filter_map(|id| s.read(&collection, id))
        .filter(|o| {
            tag.as_ref()
                .is_none_or(|t| tags_in(o).iter().any(|have| have == t))
        })
        .collect();
    let mut body = Map::new();
    if collection == "databases" {
        // The databases list has no pages.
        body.insert(list_key.into(), Value::Array(all));
        return late(&fault, axum::Json(Value::Object(body)).into_response());
    }
    let page: usize = query
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let per_page: usize = query
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(20)
        .clamp(1, 200);
    let total = all.len();
    let last = total.div_ceil(per_page).max(1);
    let items: Vec<Value> = all
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let mut pages = Map::new();
    if page < last {
        let base = format!("https://api.digitalocean.com{path}?per_page={per_page}");
        pages.insert("next".into(), json!(format!("{base}&page={}", page + 1)));
        pages.insert("last".into(), json!(format!("{base}&page={last}")));
    }
    body.insert(list_key.into(), Value::Array(items));
    body.insert("links".into(), json!({ "pages": pages }));
    body.insert("meta".into(), json!({ "total": total }));
    late(&fault, axum::Json(Value::Object(body)).into_response())
}

async fn create_in(state: Arc<Mutex<DoFakeState>>, collection: String, body: Bytes) -> Response {
    let Some((path, _, one)) = info(&collection) else {
        return error(StatusCode::NOT_FOUND, "not_found", "unknown collection");
    };
    let fault = before(&state, &Method::POST, path).await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut s = state.lock().unwrap();
    let (id, object) = match s.new_object(&collection, &body) {
        Ok(x) => x,
        Err(r) => return with_rate_headers(*r),
    };
    let mut answer = Map::new();
    answer.insert(one.into(), object);
    let status = match collection.as_str() {
        "droplets" => {
            let action = s.new_action("create", json!(id.parse::<i64>().unwrap_or(0)), "droplet");
            answer.insert(
                "links".into(),
                json!({ "actions": [{ "id": action["id"], "rel": "create", "href": format!("https://api.digitalocean.com/v2/actions/{}", action["id"]) }] }),
            );
            StatusCode::ACCEPTED
        }
        "firewalls" | "load_balancers" => StatusCode::ACCEPTED,
        _ => StatusCode::CREATED,
    };
    late(
        &fault,
        (status, axum::Json(Value::Object(answer))).into_response(),
    )
}

async fn one_in(
    state: Arc<Mutex<DoFakeState>>,
    method: Method,
    collection: String,
    id: String,
    body: Bytes,
) -> Response {
    let Some((path, _, key)) = info(&collection) else {
        return error(StatusCode::NOT_FOUND, "not_found", "unknown collection");
    };
    let fault = before(&state, &method, &format!("{path}/{id}")).await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let mut s = state.lock().unwrap();
    if !s.exists(&collection, &id) {
        return with_rate_headers(error(
            StatusCode::NOT_FOUND,
            "not_found",
            "The resource you requested could not be found.",
        ));
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let response = match method {
        Method::GET => {
            let object = s.read(&collection, &id).unwrap_or(Value::Null);
            axum::Json(json!({ key: object })).into_response()
        }
        Method::PUT | Method::PATCH => {
            let tags = tags_in(&body);
            if collection == "firewalls" {
                if let Some(tag) = s.missing_tags(&tags) {
                    return with_rate_headers(error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "unprocessable_entity",
                        &format!("tag {tag} does not exist"),
                    ));
                }
            }
            if collection == "load_balancers" {
                if let Some(tag) = body["tag"].as_str().filter(|t| !s.tags.contains(*t)) {
                    return with_rate_headers(error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "unprocessable_entity",
                        &format!("tag {tag} does not exist"),
                    ));
                }
            }
            let object = s
                .objects
                .get_mut(&collection)
                .unwrap()
                .get_mut(&id)
                .unwrap();
            let fields: &[&str] = match collection.as_str() {
                "ssh_keys" => &["name"],
                "vpcs" => &["name", "description"],
                "firewalls" => &["name", "inbound_rules", "outbound_rules", "tags"],
                "load_balancers" => &[
                    "name",
                    "tag",
                    "size_unit",
                    "forwarding_rules",
                    "health_check",
                ],
                _ => &[],
            };
            for field in fields {
                if !body[*field].is_null() {
                    object[*field] = body[*field].clone();
                }
            }
            axum::Json(json!({ key: object.clone() })).into_response()
        }
        Method::DELETE => {
            let object = s.objects[&collection][&id].clone();
            if collection == "volumes"
                && object["droplet_ids"]
                    .as_array()
                    .is_some_and(|d| !d.is_empty())
            {
                return with_rate_headers(error(
                    StatusCode::CONFLICT,
                    "conflict",
                    "the volume is attached to a droplet",
                ));
            }
            if collection == "vpcs" && s.has_members(&id) {
                return with_rate_headers(error(
                    StatusCode::CONFLICT,
                    "conflict",
                    "the VPC still has members",
                ));
            }
            s.objects.get_mut(&collection).unwrap().remove(&id);
            s.settling.remove(&id);
            if collection == "droplets" {
                // Deleting a droplet detaches its volumes.
                let number = id.parse::<i64>().unwrap_or(0);
                for volume in s
                    .objects
                    .get_mut("volumes")
                    .into_iter()
                    .flat_map(|m| m.values_mut())
                {
                    if let Some(ids) = volume["droplet_ids"].as_array_mut() {
                        ids.retain(|d| d.as_i64() != Some(number));
                    }
                }
            }
            StatusCode::NO_CONTENT.into_response()
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "no"),
    };
    late(&fault, response)
}

async fn object_action(
    State(state): Shared,
    Path((collection, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let Some((path, ..)) = info(&collection) else {
        return error(StatusCode::NOT_FOUND, "not_found", "unknown collection");
    };
    let fault = before(&state, &Method::POST, &format!("{path}/{id}/actions")).await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut s = state.lock().unwrap();
    if !s.exists(&collection, &id) {
        return with_rate_headers(error(StatusCode::NOT_FOUND, "not_found", "no such object"));
    }
    let kind = body["type"].as_str().unwrap_or_default().to_owned();
    let (status, resource_id, resource_type) = match (collection.as_str(), kind.as_str()) {
        ("droplets", "rename") => {
            s.objects.get_mut("droplets").unwrap().get_mut(&id).unwrap()["name"] =
                body["name"].clone();
            (
                StatusCode::CREATED,
                json!(id.parse::<i64>().unwrap_or(0)),
                "droplet",
            )
        }
        ("volumes", "attach" | "detach") => {
            let droplet = body["droplet_id"].as_i64().unwrap_or(0);
            let droplet_id = droplet.to_string();
            let Some(droplet_region) = s
                .objects
                .get("droplets")
                .and_then(|m| m.get(&droplet_id))
                .map(|d| d["region"]["slug"].clone())
            else {
                return with_rate_headers(error(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "no such droplet",
                ));
            };
            let volume = s.objects.get_mut("volumes").unwrap().get_mut(&id).unwrap();
            if kind == "attach" {
                if volume["region"]["slug"] != droplet_region {
                    return with_rate_headers(error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "unprocessable_entity",
                        "the droplet is in another region",
                    ));
                }
                volume["droplet_ids"] = json!([droplet]);
            } else {
                volume["droplet_ids"] = json!([]);
            }
            let volume_id = json!(id);
            let droplet = s
                .objects
                .get_mut("droplets")
                .unwrap()
                .get_mut(&droplet_id)
                .unwrap();
            let mut ids: Vec<Value> = droplet["volume_ids"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            ids.retain(|v| v != &volume_id);
            if kind == "attach" {
                ids.push(volume_id);
            }
            droplet["volume_ids"] = json!(ids);
            (StatusCode::ACCEPTED, json!(0), "volume")
        }
        _ => {
            return with_rate_headers(error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable_entity",
                "the fake does not run this action",
            ))
        }
    };
    let action = s.new_action(&kind, resource_id, resource_type);
    late(
        &fault,
        (status, axum::Json(json!({ "action": action }))).into_response(),
    )
}

async fn get_action(State(state): Shared, Path(id): Path<i64>) -> Response {
    let fault = before(&state, &Method::GET, &format!("/v2/actions/{id}")).await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let Some((left, action)) = s.actions.get_mut(&id) else {
        return with_rate_headers(error(StatusCode::NOT_FOUND, "not_found", "no such action"));
    };
    if *left == 0 {
        action["status"] = json!("completed");
        action["completed_at"] = json!("2026-01-01T00:00:10Z");
    } else {
        *left -= 1;
    }
    let action = action.clone();
    // A droplet is active once its create action completed.
    if action["status"] == json!("completed") && action["type"] == json!("create") {
        let droplet = action["resource_id"].to_string();
        if let Some(d) = s
            .objects
            .get_mut("droplets")
            .and_then(|m| m.get_mut(&droplet))
        {
            d["status"] = json!("active");
        }
    }
    late(
        &fault,
        axum::Json(json!({ "action": action })).into_response(),
    )
}

async fn create_tag(State(state): Shared, body: Bytes) -> Response {
    let fault = before(&state, &Method::POST, "/v2/tags").await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let name = body["name"].as_str().unwrap_or_default().to_owned();
    state.lock().unwrap().tags.insert(name.clone());
    let counts = json!({ "count": 0, "last_tagged_uri": "" });
    late(
        &fault,
        (
            StatusCode::CREATED,
            axum::Json(json!({ "tag": { "name": name, "resources": { "count": 0, "last_tagged_uri": "", "droplets": counts, "volumes": counts, "volume_snapshots": counts, "databases": counts } } })),
        )
            .into_response(),
    )
}

fn tag_object(name: &str, count: usize) -> Value {
    let counts = json!({ "count": 0, "last_tagged_uri": "" });
    json!({ "name": name, "resources": { "count": count, "last_tagged_uri": "", "droplets": counts, "volumes": counts, "volume_snapshots": counts, "databases": counts } })
}

async fn list_tags(
    State(state): Shared,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let fault = before(&state, &Method::GET, "/v2/tags").await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let s = state.lock().unwrap();
    let page: usize = query
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let per_page: usize = query
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(20)
        .clamp(1, 200);
    let total = s.tags.len();
    let tags: Vec<Value> = s
        .tags
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|t| tag_object(t, s.tagged(t).len()))
        .collect();
    let mut pages = Map::new();
    if page * per_page < total {
        pages.insert(
            "next".into(),
            json!(format!(
                "https://api.digitalocean.com/v2/tags?page={}&per_page={per_page}",
                page + 1
            )),
        );
    }
    late(
        &fault,
        axum::Json(
            json!({ "tags": tags, "links": { "pages": pages }, "meta": { "total": total } }),
        )
        .into_response(),
    )
}

/// `GET` answers a tag with the number of resources carrying it; `DELETE` removes it and takes
/// it off every resource (as DigitalOcean does) and, in this fake, off the firewalls that list
/// it, so a driver deleting a tag still in use shows up as a firewall losing its tags.
async fn one_tag(State(state): Shared, method: Method, Path(tag): Path<String>) -> Response {
    let fault = before(&state, &method, &format!("/v2/tags/{tag}")).await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let mut s = state.lock().unwrap();
    if !s.tags.contains(&tag) {
        return with_rate_headers(error(StatusCode::NOT_FOUND, "not_found", "no such tag"));
    }
    let response = if method == Method::DELETE {
        s.tags.remove(&tag);
        s.deleted_tags.push(tag.clone());
        for objects in s.objects.values_mut() {
            for object in objects.values_mut() {
                if let Some(tags) = object["tags"].as_array_mut() {
                    tags.retain(|t| t.as_str() != Some(tag.as_str()));
                }
            }
        }
        StatusCode::NO_CONTENT.into_response()
    } else {
        let count = s.tagged(&tag).len();
        axum::Json(json!({ "tag": tag_object(&tag, count) })).into_response()
    };
    late(&fault, response)
}

async fn tag_resources(
    State(state): Shared,
    method: Method,
    Path(tag): Path<String>,
    body: Bytes,
) -> Response {
    let fault = before(&state, &method, &format!("/v2/tags/{tag}/resources")).await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut s = state.lock().unwrap();
    if !s.tags.contains(&tag) {
        return with_rate_headers(error(StatusCode::NOT_FOUND, "not_found", "no such tag"));
    }
    for resource in body["resources"].as_array().into_iter().flatten() {
        let collection = match resource["resource_type"].as_str() {
            Some("droplet") => "droplets",
            Some("volume") => "volumes",
            _ => continue,
        };
        let id = resource["resource_id"].as_str().unwrap_or_default();
        if let Some(object) = s.objects.get_mut(collection).and_then(|m| m.get_mut(id)) {
            let mut tags = tags_in(object);
            tags.retain(|t| t != &tag);
            if method == Method::POST {
                tags.push(tag.clone());
            }
            object["tags"] = json!(tags);
        }
    }
    late(&fault, StatusCode::NO_CONTENT.into_response())
}

async fn database_setting(
    State(state): Shared,
    Path((id, setting)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let fault = before(
        &state,
        &Method::PUT,
        &format!("/v2/databases/{id}/{setting}"),
    )
    .await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut s = state.lock().unwrap();
    if !s.exists("databases", &id) {
        return with_rate_headers(error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such database",
        ));
    }
    let response = match setting.as_str() {
        "firewall" => {
            s.database_firewalls.insert(id, body["rules"].clone());
            StatusCode::NO_CONTENT.into_response()
        }
        "resize" => {
            let polls = s.action_polls;
            let object = s
                .objects
                .get_mut("databases")
                .unwrap()
                .get_mut(&id)
                .unwrap();
            object["size"] = body["size"].clone();
            object["num_nodes"] = body["num_nodes"].clone();
            object["status"] = json!("resizing");
            s.settling.insert(id, polls);
            StatusCode::ACCEPTED.into_response()
        }
        _ => error(StatusCode::NOT_FOUND, "not_found", "unknown setting"),
    };
    late(&fault, response)
}

async fn list(
    State(state): Shared,
    Path(collection): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    list_in(state, collection, query).await
}

async fn create(State(state): Shared, Path(collection): Path<String>, body: Bytes) -> Response {
    create_in(state, collection, body).await
}

async fn one(
    State(state): Shared,
    method: Method,
    Path((collection, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    one_in(state, method, collection, id, body).await
}

async fn list_keys(
    State(state): Shared,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    list_in(state, "ssh_keys".into(), query).await
}

async fn create_key(State(state): Shared, body: Bytes) -> Response {
    create_in(state, "ssh_keys".into(), body).await
}

async fn one_key(
    State(state): Shared,
    method: Method,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    one_in(state, method, "ssh_keys".into(), id, body).await
}

impl DoFake {
    /// Starts the fake on a free port in the current tokio runtime. `spec` is DigitalOcean's
    /// OpenAPI description, from which objects are built.
    ///
    /// # Panics
    /// When the spec cannot be read or no port can be bound (a broken test setup).
    pub async fn start(spec: &std::path::Path) -> DoFake {
        let text = std::fs::read_to_string(spec).unwrap_or_else(|e| {
            panic!("cannot read the DigitalOcean spec {}: {e}", spec.display())
        });
        let spec: Value = serde_json::from_str(&text).expect("the DigitalOcean spec is JSON");
        let state = Arc::new(Mutex::new(DoFakeState {
            spec,
            next_id: 3_164_000,
            objects: BTreeMap::new(),
            tags: BTreeSet::new(),
            deleted_tags: Vec::new(),
            actions: BTreeMap::new(),
            settling: BTreeMap::new(),
            database_firewalls: BTreeMap::new(),
            faults: VecDeque::new(),
            requests: Vec::new(),
            latency: Duration::ZERO,
            action_polls: 1,
            injected: Vec::new(),
        }));
        let app = Router::new()
            .route("/v2/account", get(account))
            .route("/v2/account/keys", get(list_keys).post(create_key))
            .route(
                "/v2/account/keys/{id}",
                get(one_key).put(one_key).delete(one_key),
            )
            .route("/v2/actions/{id}", get(get_action))
            .route("/v2/tags", get(list_tags).post(create_tag))
            .route("/v2/tags/{tag}", get(one_tag).delete(one_tag))
            .route(
                "/v2/tags/{tag}/resources",
                post(tag_resources).delete(tag_resources),
            )
            .route("/v2/databases/{id}/{setting}", put(database_setting))
            .route("/v2/{collection}/{id}/actions", post(object_action))
            .route("/v2/{collection}", get(list).post(create))
            .route(
                "/v2/{collection}/{id}",
                get(one).put(one).patch(one).delete(one),
            )
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        DoFake { state, addr }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn inject(&self, fault: Fault) {
        self.state.lock().unwrap().faults.push_back(fault);
    }

    /// Every object, as (collection, object).
    pub fn all(&self) -> Vec<(String, Value)> {
        let s = self.state.lock().unwrap();
        s.objects
            .iter()
            .flat_map(|(c, m)| m.values().map(move |o| (c.clone(), o.clone())))
            .collect()
    }

    /// Seeds an object directly (another design's resource, say); answers its id.
    ///
    /// # Panics
    /// When the fake refuses the object (a broken test setup).
    pub fn seed(&self, collection: &str, body: Value) -> String {
        self.state
            .lock()
            .unwrap()
            .new_object(collection, &body)
            .map(|(id, _)| id)
            .unwrap_or_else(|_| panic!("the fake refuses the seeded {collection}"))
    }

    /// Removes an object behind the driver's back (drift).
    pub fn remove(&self, collection: &str, id: &str) -> Option<Value> {
        self.state
            .lock()
            .unwrap()
            .objects
            .get_mut(collection)?
            .remove(id)
    }

    pub fn count_requests(&self, method: &str, prefix: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|(m, p)| m == method && p.starts_with(prefix))
            .count()
    }
}
