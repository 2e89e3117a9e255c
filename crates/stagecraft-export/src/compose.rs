//! A Docker Compose stack for the MVP single-server case, and the cloud-init user data that
//! installs Docker on a fresh Ubuntu server and starts the stack.
//!
//! The server is the design's Docker Compose app server (or, failing that, the first component
//! run with Docker Compose). Its workloads become services: `web` (the app image), `caddy`
//! (reverse proxy with automatic HTTPS), `db` (PostgreSQL/MySQL), `jobs` (the app image as a
//! worker) and `cache` (Valkey/Redis).
//!
//! No secret is ever written: passwords are `${VAR:?}` references the server's `.env` supplies,
//! and cloud-init generates that `.env` on the server itself the first time it boots.

use serde_json::{json, Map, Value};
use stagecraft_model::{Component, ComponentKind, Design, Engine, Runtime, Workload};

use crate::ExportError;

/// Where cloud-init puts the stack on the server.
pub const STACK_DIR: &str = "/opt/stagecraft";

/// The files of a Compose export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeBundle {
    /// `docker-compose.yml`.
    pub compose: String,
    /// `Caddyfile`, when a reverse proxy runs on the server.
    pub caddyfile: Option<String>,
    /// `cloud-init.yaml`: user data that installs Docker, writes the files above and starts them.
    pub cloud_init: String,
}

/// The server the stack is for: a Docker Compose app server first, then any component run with
/// Docker Compose, in id order.
fn stack_server(design: &Design) -> Option<&Component> {
    let mut candidates: Vec<&Component> = design
        .components
        .iter()
        .filter(|c| c.properties.runtime == Some(Runtime::DockerCompose))
        .collect();
    candidates.sort_by_key(|c| (c.kind != ComponentKind::AppServer, c.id.clone()));
    candidates.into_iter().next()
}

/// The domain Caddy serves: the first DNS zone's domain, if the design has one.
fn domain(design: &Design) -> Option<String> {
    let mut zones: Vec<&Component> = design
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::DnsZone)
        .collect();
    zones.sort_by(|a, b| a.id.cmp(&b.id));
    zones
        .into_iter()
        .find_map(|z| z.properties.domain.clone())
        .filter(|d| {
            d.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
}

/// The Compose stack, Caddyfile and cloud-init for the design's single server.
///
/// # Errors
/// [`ExportError::Unsupported`] when no component runs with Docker Compose;
/// [`ExportError::Render`] if YAML serialisation fails.
pub fn render_compose(design: &Design) -> Result<ComposeBundle, ExportError> {
    let server = stack_server(design).ok_or_else(|| {
        ExportError::Unsupported(
            "the Compose export needs a server whose runtime is docker_compose; none is in this design"
                .to_owned(),
        )
    })?;
    let workloads = &server.properties.workloads;
    let has = |w: Workload| workloads.contains(&w);
    let engine = server.properties.engine;
    let mut services = Map::new();
    let mut volumes = Map::new();
    let app_env = {
        let mut env = Map::new();
        env.insert("APP_ENV".into(), json!("production"));
        if has(Workload::Database) {
            match engine {
                Some(Engine::Mysql) => {
                    env.insert(
                        "DATABASE_URL".into(),
                        json!("mysql://app:${DB_PASSWORD:?set DB_PASSWORD in .env}@db:3306/app"),
                    );
                }
                _ => {
                    env.insert(
                        "DATABASE_URL".into(),
                        json!("postgres://app:${DB_PASSWORD:?set DB_PASSWORD in .env}@db:5432/app"),
                    );
                }
            }
        } else if let Some(db) = connected(
            design,
            server,
            &[
                ComponentKind::ManagedDatabase,
                ComponentKind::SelfHostedDatabase,
            ],
        ) {
            env.insert("DATABASE_HOST".into(), json!(db.name.trim()));
            env.insert(
                "DATABASE_PASSWORD".into(),
                json!("${DB_PASSWORD:?set DB_PASSWORD in .env}"),
            );
        }
        if has(Workload::Cache) {
            env.insert("CACHE_URL".into(), json!("redis://cache:6379"));
        } else if let Some(cache) = connected(design, server, &[ComponentKind::Cache]) {
            env.insert("CACHE_HOST".into(), json!(cache.name.trim()));
        }
        Value::Object(env)
    };
    let mut app_depends: Vec<Value> = Vec::new();
    if has(Workload::Database) {
        app_depends.push(json!("db"));
    }
    if has(Workload::Cache) {
        app_depends.push(json!("cache"));
    }
    if has(Workload::Web) {
        let mut web = json!({
            "image": "${APP_IMAGE:?set APP_IMAGE in .env}",
            "restart": "unless-stopped",
            "environment": app_env.clone(),
            "expose": ["8080"],
        });
        if !has(Workload::ReverseProxy) {
            web["ports"] = json!(["80:8080"]);
        }
        if !app_depends.is_empty() {
            web["depends_on"] = json!(app_depends);
        }
        services.insert("web".into(), web);
    }
    if has(Workload::Jobs) {
        let mut env = app_env.clone();
        env["APP_ROLE"] = json!("jobs");
        let mut jobs = json!({
            "image": "${APP_IMAGE:?set APP_IMAGE in .env}",
            "restart": "unless-stopped",
            "environment": env,
        });
        if !app_depends.is_empty() {
            jobs["depends_on"] = json!(app_depends);
        }
        services.insert("jobs".into(), jobs);
    }
    if has(Workload::ReverseProxy) {
        services.insert(
            "caddy".into(),
            json!({
                "image": "caddy:2",
                "restart": "unless-stopped",
                "ports": ["80:80", "443:443", "443:443/udp"],
                "volumes": ["./Caddyfile:/etc/caddy/Caddyfile:ro", "caddy_data:/data", "caddy_config:/config"],
                "depends_on": if has(Workload::Web) { json!(["web"]) } else { json!([]) },
            }),
        );
        volumes.insert("caddy_data".into(), json!({}));
        volumes.insert("caddy_config".into(), json!({}));
    }
    if has(Workload::Database) {
        let version = server.properties.engine_version.clone();
        let db = match engine {
            Some(Engine::Mysql) => json!({
                "image": format!("mysql:{}", version.unwrap_or_else(|| "8".into())),
                "restart": "unless-stopped",
                "environment": {
                    "MYSQL_DATABASE": "app",
                    "MYSQL_USER": "app",
                    "MYSQL_PASSWORD": "${DB_PASSWORD:?set DB_PASSWORD in .env}",
                    "MYSQL_RANDOM_ROOT_PASSWORD": "yes",
                },
                "volumes": ["db_data:/var/lib/mysql"],
                "healthcheck": {"test": ["CMD", "mysqladmin", "ping", "-h", "localhost"], "interval": "10s", "timeout": "5s", "retries": 5},
            }),
            _ => json!({
                "image": format!("postgres:{}", version.unwrap_or_else(|| "17".into())),
                "restart": "unless-stopped",
                "environment": {
                    "POSTGRES_DB": "app",
                    "POSTGRES_USER": "app",
                    "POSTGRES_PASSWORD": "${DB_PASSWORD:?set DB_PASSWORD in .env}",
                },
                "volumes": ["db_data:/var/lib/postgresql/data"],
                "healthcheck": {"test": ["CMD-SHELL", "pg_isready -U app -d app"], "interval": "10s", "timeout": "5s", "retries": 5},
            }),
        };
        services.insert("db".into(), db);
        volumes.insert("db_data".into(), json!({}));
    }
    if has(Workload::Cache) {
        let image = match engine {
            Some(Engine::Redis) => "redis:7",
            _ => "valkey/valkey:8",
        };
        services.insert(
            "cache".into(),
            json!({"image": image, "restart": "unless-stopped"}),
        );
    }
    if services.is_empty() {
        return Err(ExportError::Unsupported(format!(
            "`{}` runs with Docker Compose but lists no workloads (web, jobs, database, cache, reverse_proxy)",
            server.name.trim()
        )));
    }
    let mut document = json!({
        "x-stagecraft": {
            "design": design.id.as_str(),
            "server": server.id.as_str(),
            "note": "Generated by Stagecraft. Secrets come from .env on the server and are never written here.",
        },
        "services": services,
    });
    if !volumes.is_empty() {
        document["volumes"] = Value::Object(volumes);
    }
    let compose = to_yaml(&document)?;
    let caddyfile = has(Workload::ReverseProxy).then(|| {
        let site = domain(design).unwrap_or_else(|| ":80".to_owned());
        if has(Workload::Web) {
            format!("{site} {{\n\tencode zstd gzip\n\treverse_proxy web:8080\n}}\n")
        } else {
            format!("{site} {{\n\trespond \"ok\"\n}}\n")
        }
    });
    let cloud_init = cloud_init(&compose, caddyfile.as_deref(), has(Workload::Database))?;
    Ok(ComposeBundle {
        compose,
        caddyfile,
        cloud_init,
    })
}

/// The first component of `kinds` that `server` has a connection to, in connection-id order.
fn connected<'a>(
    design: &'a Design,
    server: &Component,
    kinds: &[ComponentKind],
) -> Option<&'a Component> {
    let mut connections: Vec<_> = design
        .connections
        .iter()
        .filter(|c| c.from == server.id)
        .collect();
    connections.sort_by(|a, b| a.id.cmp(&b.id));
    connections
        .into_iter()
        .filter_map(|c| design.component(&c.to))
        .find(|c| kinds.contains(&c.kind))
}

fn to_yaml(value: &Value) -> Result<String, ExportError> {
    serde_yaml_ng::to_string(value).map_err(|e| ExportError::Render(format!("YAML: {e}")))
}

fn cloud_init(
    compose: &str,
    caddyfile: Option<&str>,
    database: bool,
) -> Result<String, ExportError> {
    let mut files = vec![json!({
        "path": format!("{STACK_DIR}/docker-compose.yml"),
        "permissions": "0644",
        "content": compose,
    })];
    if let Some(caddyfile) = caddyfile {
        files.push(json!({
            "path": format!("{STACK_DIR}/Caddyfile"),
            "permissions": "0644",
            "content": caddyfile,
        }));
    }
    // The .env is created on the server: a random database password is generated there and never
    // leaves it. APP_IMAGE must be set by the operator before the web service starts.
    let mut env_lines = vec!["APP_IMAGE=".to_owned()];
    if database {
        env_lines.push("DB_PASSWORD=$(openssl rand -hex 24)".to_owned());
    }
    let make_env = format!(
        "test -f {STACK_DIR}/.env || (umask 077 && printf '%s\\n' {} > {STACK_DIR}/.env)",
        env_lines
            .iter()
            .map(|l| format!("\"{l}\""))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let document = json!({
        "package_update": true,
        "packages": ["docker.io", "docker-compose-v2", "openssl"],
        "write_files": files,
        "runcmd": [
            ["systemctl", "enable", "--now", "docker"],
            ["sh", "-c", make_env],
            ["sh", "-c", format!("cd {STACK_DIR} && docker compose up -d")],
        ],
    });
    Ok(format!("#cloud-config\n{}", to_yaml(&document)?))
}
