//! cloud-init user data: Docker Compose for servers that run their stack with it (every MVP app
//! server), and WireGuard for links that cross providers or regions.
//!
//! No secret is written here: WireGuard keys are generated on the server at first boot, so the
//! private key never leaves the machine and never reaches a file of ours or the provider's API.

use std::fmt::Write as _;

use stagecraft_model::{Component, Design, Engine, NetworkPath, Workload};

use crate::resources::runs_compose;

/// The WireGuard address block; each linked component gets a /32 from it by position.
const WIREGUARD_NET: &str = "10.200.0";

/// The user data for a server component, or `None` when it needs none.
pub fn user_data(design: &Design, component: &Component) -> Option<String> {
    let compose = runs_compose(design, component);
    let peers = wireguard_peers(design, component);
    if !compose && peers.is_empty() {
        return None;
    }
    let mut out = String::from("#cloud-config\n");
    let mut packages = Vec::new();
    if compose {
        packages.extend(["docker.io", "docker-compose-v2"]);
    }
    if !peers.is_empty() {
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
    if !peers.is_empty() {
        let index = wireguard_index(design, component);
        out.push_str(
            "  - path: /etc/wireguard/wg0.conf.template\n    permissions: '0600'\n    content: |\n",
        );
        let _ = writeln!(out, "      [Interface]\n      Address = {WIREGUARD_NET}.{index}/24\n      ListenPort = 51820\n      PrivateKey = __PRIVATE_KEY__");
        for (name, peer_index) in &peers {
            let _ = writeln!(
                out,
                "      # peer {name}: its public key and endpoint are filled in after both ends exist\n      [Peer]\n      AllowedIPs = {WIREGUARD_NET}.{peer_index}/32"
            );
        }
    }
    out.push_str("runcmd:\n");
    if compose {
        out.push_str("  - [systemctl, enable, --now, docker]\n");
        out.push_str("  - [docker, compose, -f, /opt/stagecraft/compose.yaml, up, -d]\n");
    }
    if !peers.is_empty() {
        out.push_str("  - [sh, -c, 'umask 077; wg genkey > /etc/wireguard/private.key; wg pubkey < /etc/wireguard/private.key > /etc/wireguard/public.key']\n");
        out.push_str("  - [sh, -c, 'sed \"s|__PRIVATE_KEY__|$(cat /etc/wireguard/private.key)|\" /etc/wireguard/wg0.conf.template > /etc/wireguard/wg0.conf']\n");
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

/// Components this one reaches over a VPN link, or across providers or regions.
fn wireguard_peers(design: &Design, component: &Component) -> Vec<(String, usize)> {
    let mut peers = Vec::new();
    for connection in &design.connections {
        let other = if connection.from == component.id {
            &connection.to
        } else if connection.to == component.id {
            &connection.from
        } else {
            continue;
        };
        let Some(peer) = design.component(other) else {
            continue;
        };
        let crosses = peer.provider != component.provider || peer.region != component.region;
        if connection.network == NetworkPath::Vpn
            || (connection.network == NetworkPath::Private && crosses && peer.kind.is_server())
        {
            peers.push((peer.name.clone(), wireguard_index(design, peer)));
        }
    }
    peers.sort();
    peers.dedup();
    peers
}

fn wireguard_index(design: &Design, component: &Component) -> usize {
    design
        .components
        .iter()
        .position(|c| c.id == component.id)
        .unwrap_or(0)
        + 1
}
