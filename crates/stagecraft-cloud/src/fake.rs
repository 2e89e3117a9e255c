//! Test peer (feature `fake`, never in the app): a stateful in-memory Hetzner Cloud with labels
//! and selectors, pagination, actions that run for a few polls, unique names, latency, and
//! injected faults. Objects are built from the spec's own
//! schemas (required fields filled from the schema examples), so `prism proxy --errors` accepts
//! its answers.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};

/// A fault to inject into the next request(s) that match.
#[derive(Debug, Clone)]
pub struct Fault {
    pub method: &'static str,
    /// Matches when the path starts with this.
    pub path_prefix: String,
    pub kind: FaultKind,
    pub times: u32,
}

#[derive(Debug, Clone)]
pub enum FaultKind {
    /// 429 with `Retry-After: secs`.
    RateLimited { retry_after: u64 },
    /// 500 without doing anything.
    ServerError,
    /// Carry the request out, then answer 500 (the answer is lost).
    ServerErrorAfterProcessing,
    /// 423 `locked`.
    Locked,
    /// Answer only after this delay (a timeout for the client).
    Delay(Duration),
}

pub struct FakeState {
    spec: Value,
    next_id: i64,
    /// collection -> id -> object
    pub objects: BTreeMap<String, BTreeMap<i64, Value>>,
    /// action id -> polls left before success
    actions: BTreeMap<i64, u32>,
    pub faults: VecDeque<Fault>,
    /// Every request seen: (method, path).
    pub requests: Vec<(String, String)>,
    pub latency: Duration,
    /// Polls an action answers `running` before `success`.
    pub action_polls: u32,
    /// Faults actually injected.
    pub injected: Vec<String>,
}

#[derive(Clone)]
pub struct Fake {
    pub state: Arc<Mutex<FakeState>>,
    pub addr: SocketAddr,
}

const COLLECTIONS: [(&str, &str); 8] = [
    ("ssh_keys", "ssh_key"),
    ("networks", "network"),
    ("firewalls", "firewall"),
    ("placement_groups", "placement_group"),
    ("primary_ips", "primary_ip"),
    ("servers", "server"),
    ("volumes", "volume"),
    ("load_balancers", "load_balancer"),
];

fn singular(collection: &str) -> Option<&'static str> {
    COLLECTIONS
        .iter()
        .find(|(c, _)| *c == collection)
        .map(|(_, s)| *s)
}

fn resolve<'a>(spec: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap();
        schema = &spec["components"]["schemas"][name];
    }
    schema
}

/// A value satisfying `schema`: examples where given, required properties filled.
pub fn example(spec: &Value, schema: &Value, depth: u32) -> Value {
    let schema = resolve(spec, schema);
    // Null is the smallest valid value of anything nullable (and never half-filled).
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) && depth > 0 {
        return Value::Null;
    }
    // Object-level examples are sometimes partial; build objects from their properties.
    if let Some(example) = schema
        .get("example")
        .filter(|_| schema.get("properties").is_none())
    {
        return example.clone();
    }
    if depth > 12 {
        return Value::Null;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        let mut scalar = None;
        for part in all {
            match example(spec, part, depth + 1) {
                Value::Object(map) => merged.extend(map),
                other => scalar = Some(other),
            }
        }
        return match scalar {
            Some(value) if merged.is_empty() => value,
            _ => Value::Object(merged),
        };
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return example(spec, first, depth + 1);
        }
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return first.clone();
    }
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        return Value::Null;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut out = Map::new();
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for name in required {
                out.insert(
                    name.to_owned(),
                    example(spec, &schema["properties"][name], depth + 1),
                );
            }
            Value::Object(out)
        }
        Some("object") => json!({}),
        Some("array") => json!([]),
        Some("integer") => json!(1),
        Some("number") => json!(1.0),
        Some("boolean") => json!(false),
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2026-01-01T00:00:00Z"),
            _ => json!("string"),
        },
        _ => Value::Null,
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": { "code": code, "message": message, "details": {} } })),
    )
        .into_response()
}

impl FakeState {
    fn action(&mut self, command: &str, resource: (&str, i64)) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.actions.insert(id, self.action_polls);
        json!({
            "id": id, "command": command, "status": "running", "progress": 0,
            "started": "2026-01-01T00:00:00Z", "finished": null, "error": null,
            "resources": [{ "id": resource.1, "type": resource.0 }],
        })
    }

    fn new_object(
        &mut self,
        collection: &str,
        body: &Value,
    ) -> Result<(i64, Value), Box<Response>> {
        let name = body["name"].as_str().unwrap_or_default().to_owned();
        if self
            .objects
            .get(collection)
            .is_some_and(|m| m.values().any(|o| o["name"] == json!(name)))
        {
            return Err(Box::new(error(
                StatusCode::CONFLICT,
                "uniqueness_error",
                "name is already used",
            )));
        }
        // Hetzner keeps one SSH key per fingerprint (the key material, whatever the comment).
        let material = |k: &Value| {
            k.as_str()
                .map(|k| k.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        };
        if collection == "ssh_keys"
            && self.objects.get(collection).is_some_and(|m| {
                m.values()
                    .any(|o| material(&o["public_key"]) == material(&body["public_key"]))
            })
        {
            return Err(Box::new(error(
                StatusCode::CONFLICT,
                "uniqueness_error",
                "SSH key with the same fingerprint already exists",
            )));
        }
        self.next_id += 1;
        let id = self.next_id;
        // The item schema of the collection's list answer: what GET will be checked against.
        let list = &self.spec["paths"][format!("/{collection}")]["get"]["responses"]["200"]
            ["content"]["application/json"]["schema"];
        let schema = resolve(&self.spec, list)["properties"][collection]["items"].clone();
        let mut object = example(&self.spec, &schema, 0);
        object["id"] = json!(id);
        object["name"] = json!(name);
        object["labels"] = body["labels"].clone();
        match collection {
            "servers" => {
                object["status"] = json!("running");
                object["server_type"]["name"] = body["server_type"].clone();
                if let Some(location) = body["location"].as_str() {
                    object["datacenter"]["location"]["name"] = json!(location);
                }
                // Every server gets a public IPv4 (Hetzner's default), unique per server.
                object["public_net"]["ipv4"] = json!({
                    "ip": format!("198.18.{}.{}", (id / 256) % 256, id % 256),
                    "blocked": false,
                    "dns_ptr": format!("static.{id}.example.com"),
                    "id": id,
                });
                object["private_net"] = json!(body["networks"].as_array().map(|n| n.iter().map(|id| json!({ "network": id, "ip": "10.0.1.2", "alias_ips": [], "mac_address": "86:00:00:00:00:01" })).collect::<Vec<_>>()).unwrap_or_default());
            }
            "load_balancers" => {
                object["load_balancer_type"]["name"] = body["load_balancer_type"].clone();
                if let Some(location) = body["location"].as_str() {
                    object["location"]["name"] = json!(location);
                }
                object["algorithm"] = body["algorithm"].clone();
                object["services"] = body["services"].clone();
                object["targets"] = json!(body["targets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(stored_target)
                    .collect::<Vec<_>>());
                object["private_net"] = json!(body["network"]
                    .as_i64()
                    .map(|n| vec![json!({ "network": n, "ip": "10.0.1.254" })])
                    .unwrap_or_default());
            }
            "networks" => object["ip_range"] = body["ip_range"].clone(),
            "volumes" => {
                object["size"] = body["size"].clone();
                // Attached to the server it was created for, or to none.
                object["server"] = body["server"].clone();
            }
            "firewalls" => object["rules"] = stored_rules(&body["rules"]),
            _ => {}
        }
        if collection == "ssh_keys" {
            object["public_key"] = body["public_key"].clone();
        }
        self.objects
            .entry(collection.to_owned())
            .or_default()
            .insert(id, object.clone());
        Ok((id, object))
    }
}

/// A load balancer target as Hetzner returns it.
fn stored_target(target: &Value) -> Value {
    json!({ "type": "server", "server": { "id": target["server"]["id"] }, "use_private_ip": target["use_private_ip"], "health_status": [] })
}

/// Runs a load balancer action on `lb` (a missing server or network is refused, as Hetzner
/// does); `Err` carries the refusal.
fn balancer_action(
    lb: &mut Value,
    action: &str,
    body: &Value,
    servers: &BTreeMap<i64, Value>,
) -> Result<(), &'static str> {
    let port = |s: &Value| s["listen_port"].clone();
    match action {
        "add_target" => {
            let id = body["server"]["id"].as_i64().unwrap_or(0);
            if !servers.contains_key(&id) {
                return Err("server not found");
            }
            let targets = lb["targets"].as_array_mut().ok_or("no targets")?;
            if targets
                .iter()
                .any(|t| t["server"]["id"].as_i64() == Some(id))
            {
                return Err("target_already_defined");
            }
            targets.push(stored_target(body));
        }
        "remove_target" => {
            let id = body["server"]["id"].as_i64();
            lb["targets"]
                .as_array_mut()
                .ok_or("no targets")?
                .retain(|t| t["server"]["id"].as_i64() != id);
        }
        "add_service" => {
            let services = lb["services"].as_array_mut().ok_or("no services")?;
            if services.iter().any(|s| port(s) == port(body)) {
                return Err("source_port_already_used");
            }
            services.push(body.clone());
        }
        "update_service" => {
            let service = lb["services"]
                .as_array_mut()
                .ok_or("no services")?
                .iter_mut()
                .find(|s| port(s) == port(body))
                .ok_or("no service on that port")?;
            *service = body.clone();
        }
        "delete_service" => lb["services"]
            .as_array_mut()
            .ok_or("no services")?
            .retain(|s| port(s) != port(body)),
        "change_algorithm" => lb["algorithm"] = json!({ "type": body["type"] }),
        "change_type" => lb["load_balancer_type"]["name"] = body["load_balancer_type"].clone(),
        "attach_to_network" => {
            lb["private_net"] = json!([{ "network": body["network"], "ip": "10.0.1.254" }])
        }
        _ => {}
    }
    Ok(())
}

/// Firewall rules as Hetzner returns them: both address lists present, the unused one empty.
fn stored_rules(rules: &Value) -> Value {
    let mut rules = rules.as_array().cloned().unwrap_or_default();
    for rule in &mut rules {
        for field in ["source_ips", "destination_ips"] {
            if rule.get(field).is_none() {
                rule[field] = json!([]);
            }
        }
    }
    Value::Array(rules)
}

fn matches_selector(labels: &Value, selector: &str) -> bool {
    selector
        .split(',')
        .filter(|s| !s.is_empty())
        .all(|term| match term.split_once('=') {
            Some((k, v)) => labels[k.trim()].as_str() == Some(v.trim()),
            None => labels.get(term.trim()).is_some(),
        })
}

async fn before(state: &Arc<Mutex<FakeState>>, method: &Method, path: &str) -> Option<FaultKind> {
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

/// Records a request and takes the first fault planned for it, if any (both fakes share this
/// bookkeeping; call it with the state locked).
pub(crate) fn record_request(
    requests: &mut Vec<(String, String)>,
    faults: &mut VecDeque<Fault>,
    injected: &mut Vec<String>,
    method: &Method,
    path: &str,
) -> Option<FaultKind> {
    requests.push((method.to_string(), path.to_owned()));
    let index = faults
        .iter()
        .position(|f| f.method == method.as_str() && path.starts_with(&f.path_prefix))?;
    let f = &mut faults[index];
    f.times -= 1;
    let kind = f.kind.clone();
    if f.times == 0 {
        faults.remove(index);
    }
    injected.push(format!("{method} {path}: {kind:?}"));
    Some(kind)
}

/// Sleeps for the fake's latency, plus the fault's delay when the fault is one (with the state
/// unlocked, so other requests go on meanwhile).
pub(crate) async fn wait_as_told(latency: Duration, fault: &Option<FaultKind>) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(FaultKind::Delay(d)) = fault {
        tokio::time::sleep(*d).await;
    }
}

fn early(fault: &Option<FaultKind>) -> Option<Response> {
    match fault {
        Some(FaultKind::RateLimited { retry_after }) => {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_exceeded",
                "slow down",
            );
            response.headers_mut().insert(
                "retry-after",
                HeaderValue::from_str(&retry_after.to_string()).unwrap(),
            );
            Some(response)
        }
        Some(FaultKind::ServerError) => Some(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "injected",
        )),
        Some(FaultKind::Locked) => Some(error(
            StatusCode::LOCKED,
            "locked",
            "the resource is locked by a running action",
        )),
        _ => None,
    }
}

fn late(fault: &Option<FaultKind>, response: Response) -> Response {
    if matches!(fault, Some(FaultKind::ServerErrorAfterProcessing)) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "injected after processing",
        );
    }
    response
}

fn with_rate_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert("ratelimit-limit", HeaderValue::from_static("3600"));
    h.insert("ratelimit-remaining", HeaderValue::from_static("3599"));
    h.insert("ratelimit-reset", HeaderValue::from_static("1767225600"));
    response
}

async fn list(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path(collection): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let fault = before(&state, &Method::GET, &format!("/{collection}")).await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let s = state.lock().unwrap();
    let selector = query.get("label_selector").cloned().unwrap_or_default();
    let page: usize = query
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let per_page: usize = query
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(25)
        .clamp(1, 50);
    let all: Vec<Value> = s
        .objects
        .get(&collection)
        .map(|m| {
            m.values()
                .filter(|o| matches_selector(&o["labels"], &selector))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let total = all.len();
    let last = total.div_ceil(per_page).max(1);
    let items: Vec<Value> = all
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let meta = json!({ "pagination": {
        "page": page, "per_page": per_page, "total_entries": total, "last_page": last,
        "previous_page": if page > 1 { json!(page - 1) } else { Value::Null },
        "next_page": if page < last { json!(page + 1) } else { Value::Null },
    }});
    let mut body = Map::new();
    body.insert(collection.clone(), Value::Array(items));
    body.insert("meta".into(), meta);
    with_rate_headers(axum::Json(Value::Object(body)).into_response())
}

async fn create(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path(collection): Path<String>,
    body: Bytes,
) -> Response {
    let fault = before(&state, &Method::POST, &format!("/{collection}")).await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let Some(one) = singular(&collection) else {
        return error(StatusCode::NOT_FOUND, "not_found", "unknown collection");
    };
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut s = state.lock().unwrap();
    let (id, object) = match s.new_object(&collection, &body) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let mut answer = Map::new();
    answer.insert(one.into(), object);
    match collection.as_str() {
        "servers" => {
            let action = s.action("create_server", ("server", id));
            answer.insert("action".into(), action);
            answer.insert("next_actions".into(), json!([]));
            answer.insert("root_password".into(), Value::Null);
        }
        "volumes" => {
            let action = s.action("create_volume", ("volume", id));
            answer.insert("action".into(), action);
            answer.insert("next_actions".into(), json!([]));
        }
        "load_balancers" | "primary_ips" => {
            let action = s.action(&format!("create_{one}"), (one, id));
            answer.insert("action".into(), action);
        }
        "firewalls" => {
            answer.insert("actions".into(), json!([]));
        }
        "placement_groups" => {}
        _ => {}
    }
    late(
        &fault,
        with_rate_headers((StatusCode::CREATED, axum::Json(Value::Object(answer))).into_response()),
    )
}

async fn one(
    State(state): State<Arc<Mutex<FakeState>>>,
    method: Method,
    Path((collection, id)): Path<(String, i64)>,
    body: Bytes,
) -> Response {
    let fault = before(&state, &method, &format!("/{collection}/{id}")).await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let Some(key) = singular(&collection) else {
        return error(StatusCode::NOT_FOUND, "not_found", "unknown collection");
    };
    let mut s = state.lock().unwrap();
    let exists = s
        .objects
        .get(&collection)
        .is_some_and(|m| m.contains_key(&id));
    if !exists {
        return error(StatusCode::NOT_FOUND, "not_found", "no such object");
    }
    let response = match method {
        Method::GET => axum::Json(json!({ key: s.objects[&collection][&id] })).into_response(),
        Method::PUT => {
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let object = s
                .objects
                .get_mut(&collection)
                .unwrap()
                .get_mut(&id)
                .unwrap();
            if let Some(name) = body.get("name") {
                object["name"] = name.clone();
            }
            if let Some(labels) = body.get("labels") {
                object["labels"] = labels.clone();
            }
            axum::Json(json!({ key: object.clone() })).into_response()
        }
        Method::DELETE => {
            s.objects.get_mut(&collection).unwrap().remove(&id);
            if collection == "servers" {
                // A deleted server's volumes are detached, not deleted.
                for volume in s
                    .objects
                    .get_mut("volumes")
                    .into_iter()
                    .flat_map(|m| m.values_mut())
                {
                    if volume["server"].as_i64() == Some(id) {
                        volume["server"] = Value::Null;
                    }
                }
                // A deleted server leaves the balancers that targeted it.
                for lb in s
                    .objects
                    .get_mut("load_balancers")
                    .into_iter()
                    .flat_map(|m| m.values_mut())
                {
                    if let Some(targets) = lb["targets"].as_array_mut() {
                        targets.retain(|t| t["server"]["id"].as_i64() != Some(id));
                    }
                }
                let action = s.action("delete_server", ("server", id));
                axum::Json(json!({ "action": action })).into_response()
            } else {
                StatusCode::NO_CONTENT.into_response()
            }
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "no"),
    };
    late(&fault, with_rate_headers(response))
}

async fn object_action(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path((collection, id, action)): Path<(String, i64, String)>,
    body: Bytes,
) -> Response {
    let fault = before(
        &state,
        &Method::POST,
        &format!("/{collection}/{id}/actions/{action}"),
    )
    .await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let mut s = state.lock().unwrap();
    if !s
        .objects
        .get(&collection)
        .is_some_and(|m| m.contains_key(&id))
    {
        return error(StatusCode::NOT_FOUND, "not_found", "no such object");
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if collection == "firewalls" && action == "set_rules" {
        s.objects
            .get_mut(&collection)
            .unwrap()
            .get_mut(&id)
            .unwrap()["rules"] = stored_rules(&body["rules"]);
        let a = s.action("set_firewall_rules", ("firewall", id));
        return with_rate_headers(
            (StatusCode::CREATED, axum::Json(json!({ "actions": [a] }))).into_response(),
        );
    }
    if collection == "volumes" && matches!(action.as_str(), "attach" | "detach") {
        let server = body["server"].as_i64();
        let server_exists = server.is_some_and(|server| {
            s.objects
                .get("servers")
                .is_some_and(|m| m.contains_key(&server))
        });
        let volume = s
            .objects
            .get_mut(&collection)
            .unwrap()
            .get_mut(&id)
            .unwrap();
        // Hetzner refuses to attach an attached volume or to detach a detached one.
        let refusal = match action.as_str() {
            "attach" if !server_exists => Some("server not found"),
            "attach" if !volume["server"].is_null() => Some("volume is already attached"),
            "detach" if volume["server"].is_null() => Some("volume is not attached"),
            _ => None,
        };
        if let Some(refusal) = refusal {
            return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", refusal);
        }
        volume["server"] = if action == "attach" {
            json!(server)
        } else {
            Value::Null
        };
        let a = s.action(&format!("{action}_volume"), ("volume", id));
        return with_rate_headers(
            (StatusCode::CREATED, axum::Json(json!({ "action": a }))).into_response(),
        );
    }
    if collection == "load_balancers" {
        let servers = s.objects.get("servers").cloned().unwrap_or_default();
        let lb = s
            .objects
            .get_mut(&collection)
            .unwrap()
            .get_mut(&id)
            .unwrap();
        if let Err(refusal) = balancer_action(lb, &action, &body, &servers) {
            return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", refusal);
        }
    }
    let a = s.action(&action, (singular(&collection).unwrap_or("server"), id));
    with_rate_headers((StatusCode::CREATED, axum::Json(json!({ "action": a }))).into_response())
}

async fn get_action(State(state): State<Arc<Mutex<FakeState>>>, Path(id): Path<i64>) -> Response {
    let fault = before(&state, &Method::GET, &format!("/actions/{id}")).await;
    if let Some(r) = early(&fault) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let Some(left) = s.actions.get_mut(&id) else {
        return error(StatusCode::NOT_FOUND, "not_found", "no such action");
    };
    let status = if *left == 0 {
        "success"
    } else {
        *left -= 1;
        "running"
    };
    with_rate_headers(axum::Json(json!({ "action": {
        "id": id, "command": "create_server", "status": status, "progress": if status == "success" { 100 } else { 50 },
        "started": "2026-01-01T00:00:00Z", "finished": if status == "success" { json!("2026-01-01T00:00:10Z") } else { Value::Null },
        "error": null, "resources": [],
    }})).into_response())
}

impl Fake {
    /// Starts the fake on a free port in the current tokio runtime. `spec` is Hetzner's OpenAPI
    /// description, from which objects are built.
    ///
    /// # Panics
    /// When the spec cannot be read or no port can be bound (a broken test setup).
    pub async fn start(spec: &std::path::Path) -> Fake {
        let text = std::fs::read_to_string(spec)
            .unwrap_or_else(|e| panic!("cannot read the Hetzner spec {}: {e}", spec.display()));
        let spec: Value = serde_json::from_str(&text).expect("the Hetzner spec is JSON");
        let state = Arc::new(Mutex::new(FakeState {
            spec,
            next_id: 1000,
            objects: BTreeMap::new(),
            actions: BTreeMap::new(),
            faults: VecDeque::new(),
            requests: Vec::new(),
            latency: Duration::ZERO,
            action_polls: 1,
            injected: Vec::new(),
        }));
        let app = Router::new()
            .route("/actions/{id}", get(get_action))
            .route("/{collection}", get(list).post(create))
            .route("/{collection}/{id}", get(one).put(one).delete(one))
            .route("/{collection}/{id}/actions/{action}", post(object_action))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Fake { state, addr }
    }

    /// Starts the fake on its own runtime thread, for synchronous tests (the CLI's).
    pub fn start_in_thread(spec: &std::path::Path) -> Fake {
        let spec = spec.to_owned();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(async move {
                sender
                    .send(Fake::start(&spec).await)
                    .expect("the test waits");
                std::future::pending::<()>().await;
            });
        });
        receiver.recv().expect("the fake starts")
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

    /// Seeds an object directly (another design's resource, say).
    pub fn seed(&self, collection: &str, body: Value) -> i64 {
        self.state
            .lock()
            .unwrap()
            .new_object(collection, &body)
            .map(|(id, _)| id)
            .ok()
            .unwrap()
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
