//! cloud-init user data: Docker Compose for servers that run their stack with it (every MVP app
//! server), and WireGuard for links that cross providers or regions.
//!
//! No secret is written here: WireGuard keys are generated on the server at first boot, so the
//! private key never leaves the machine and never reaches a file of ours or the provider's API.

use std::fmt::Write as _;

use stagecraft_model::{Component, Design, Engine, Workload};

use crate::resources::runs_compose;
use crate::wireguard;

/// The user data of every server of a component, or `None` when it needs none (replica 0).
pub fn user_data(design: &Design, component: &Component) -> Option<String> {
    server_user_data(design, component, 0)
}

/// The user data of replica `index` of a server component, or `None` when it needs none.
///
/// With WireGuard, the server writes `wg0.conf` with its own tunnel address and no key, generates
/// its key pair on first boot (the private key stays in a 0600 file), and loads the private key
/// and its peers from files when the tunnel comes up (`PostUp`). The peers arrive later, from
/// [`wireguard::link`]. Nothing here is secret: this text reaches the provider's API.
pub fn server_user_data(design: &Design, component: &Component, index: u32) -> Option<String> {
    let compose = runs_compose(design, component);
    let tunnel_address = wireguard::runs_wireguard(design, component)
        .then(|| {
            wireguard::tunnel_addresses(design)
                .get(&wireguard::server_key(component, index))
                .cloned()
        })
        .flatten();
    if !compose && tunnel_address.is_none() {
        return None;
    }
    let mut out = String::from("#cloud-config\n");
    let mut packages = Vec::new();
    if compose {
        packages.extend(["docker.io", "docker-compose-v2"]);
    }
    if tunnel_address.is_some() {
        packages.push("wireguard-tools");
    }
    out.push_str("package_update: true\npackages:\n");
    for p in &packages {
        let _ = writeln!(out, "  - {p}");
    }
    out.push_str("write_files:\n");
    if compose {
        out.push_str(
            "  - path: /opt/stagecraft/compose.yaml\n    permissions: '0644'\n    content: |\n",
        );
        for line in compose_file(component).lines() {
            let _ = writeln!(out, "      {line}");
        }
    }
    if let Some(address) = &tunnel_address {
        out.push_str(
            "  - path: /etc/wireguard/wg0.conf\n    permissions: '0600'\n    content: |\n",
        );
        let _ = writeln!(
            out,
            "      # Stagecraft tunnel of {name}. The key pair is made on this server at first boot;\n      # peers are written to {peers} by `stagecraft link`.\n      [Interface]\n      Address = {address}/24\n      ListenPort = {port}\n      PostUp = wg set %i private-key {private}\n      PostUp = test ! -s {peers} || wg addconf %i {peers}",
            name = component.name,
            peers = wireguard::PEERS_PATH,
            port = wireguard::LISTEN_PORT,
            private = wireguard::PRIVATE_KEY_PATH,
        );
    }
    out.push_str("runcmd:\n");
    if compose {
        out.push_str("  - [systemctl, enable, --now, docker]\n");
        out.push_str("  - [docker, compose, -f, /opt/stagecraft/compose.yaml, up, -d]\n");
    }
    if tunnel_address.is_some() {
        let _ = writeln!(
            out,
            "  - [sh, -c, 'umask 077; test -s {private} || wg genkey > {private}']\n  - [sh, -c, 'wg pubkey < {private} > {public}; chmod 0644 {public}']\n  - [systemctl, enable, --now, wg-quick@wg0]",
            private = wireguard::PRIVATE_KEY_PATH,
            public = wireguard::PUBLIC_KEY_PATH,
        );
    }
    Some(out)
}

fn compose_file(component: &Component) -> String {
    let mut out = String::from("services:\n");
    let workloads = &component.properties.workloads;
    let web = workloads.is_empty() || workloads.contains(&Workload::Web);
    if web {
        out.push_str("  proxy:\n    image: caddy:2\n    restart: unless-stopped\n    ports: [\"80:80\", \"443:443\"]\n    command: caddy reverse-proxy --from :80 --to app:8080\n");
        out.push_str("  app:\n    image: ghcr.io/stagecraft-app/placeholder:latest\n    restart: unless-stopped\n    expose: [\"8080\"]\n");
    }
    if workloads.contains(&Workload::Jobs) {
        out.push_str("  worker:\n    image: ghcr.io/stagecraft-app/placeholder:latest\n    restart: unless-stopped\n");
    }
    if workloads.contains(&Workload::Database) {
        let mysql = component.properties.engine == Some(Engine::Mysql);
        let image = if mysql { "mysql:8" } else { "postgres:17" };
        let _ = write!(out, "  db:\n    image: {image}\n    restart: unless-stopped\n    volumes: [\"db:/var/lib/{}\"]\n", if mysql { "mysql" } else { "postgresql/data" });
    }
    if workloads.contains(&Workload::Cache) {
        out.push_str("  cache:\n    image: valkey/valkey:8\n    restart: unless-stopped\n");
    }
    if workloads.contains(&Workload::Database) {
        out.push_str("volumes:\n  db: {}\n");
    }
    out
}
