//! WireGuard between servers that share no private network: connections across providers or
//! regions (and VPN connections) between two of the design's own servers.
//!
//! How the keys get where they must, and why this way:
//! - Each server generates its own key pair at first boot (cloud-init, [`crate::cloud_init`]).
//!   The private key never leaves the server: it is not in the design, the journal, Terraform,
//!   the user data, the provider's API or any log of ours.
//! - The mapping gives each tunnel server a stable address in [`TUNNEL_NET`] (by a hash of its
//!   resource key, so adding or reordering components does not move anyone), and once a peer
//!   exists and its public address is known (the engine reads it from the provider), the
//!   server's firewall opens [`LISTEN_PORT`]/udp to that peer's address only.
//! - The public keys are exchanged by an explicit second step, [`link`], after apply: neither
//!   Hetzner nor DigitalOcean lets a server publish anything through their API without holding an
//!   API token, and a token on a server is a secret in user data. So `link` reads each server's
//!   public key over SSH and pushes every server its peers (`/etc/wireguard/peers.conf`, then
//!   restarts `wg-quick@wg0`).
//!
//! What `link` requires, for real: the servers were created with your SSH public key (the
//! mapping's `ssh_public_key`), the matching private key is usable by `ssh` on the machine that
//! runs the step (agent or `~/.ssh`), and the servers accept SSH from that machine (draw a
//! Firewall component opening 22/tcp from your address and applying to them: the derived
//! firewalls deny everything else). Host keys are trusted on first use
//! (`StrictHostKeyChecking=accept-new`), as with any first SSH login to a new server.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use stagecraft_model::{Component, Connection, Design, NetworkPath};

use crate::engine::{BoxFuture, Engine, EngineError, ObservedResource};
use crate::resources::{
    provisions_servers, region_of, server_count, ResourceKey, ResourceKind, WireguardEndpoints,
    SUPPORTED_PROVIDERS,
};

/// The tunnel network; each tunnel server gets one address from it.
pub const TUNNEL_NET: &str = "10.99.0.0/24";
const TUNNEL_PREFIX: &str = "10.99.0";
/// The UDP port every tunnel server listens on.
pub const LISTEN_PORT: u16 = 51820;
/// Where a server keeps its keys and its peers (private key mode 0600, never read by us).
pub const PRIVATE_KEY_PATH: &str = "/etc/wireguard/private.key";
pub const PUBLIC_KEY_PATH: &str = "/etc/wireguard/public.key";
pub const PEERS_PATH: &str = "/etc/wireguard/peers.conf";
/// Observed attribute holding a server's public IPv4 address.
pub const PUBLIC_IPV4: &str = "public_ipv4";

/// The server resource key of replica `index` of `component`.
pub fn server_key(component: &Component, index: u32) -> ResourceKey {
    ResourceKey::new(component.id.as_str(), &format!("server-{index}"))
}

/// Whether `connection` is carried by a tunnel between two of the design's servers: a VPN
/// connection, or a private one that crosses providers or regions.
pub fn is_tunnel(design: &Design, connection: &Connection) -> bool {
    let (Some(a), Some(b)) = (
        design.component(&connection.from),
        design.component(&connection.to),
    ) else {
        return false;
    };
    if a.id == b.id || !tunnel_capable(a) || !tunnel_capable(b) {
        return false;
    }
    match connection.network {
        NetworkPath::Vpn => true,
        NetworkPath::Private => {
            a.provider != b.provider || region_of(design, a) != region_of(design, b)
        }
        NetworkPath::Public => false,
    }
}

fn tunnel_capable(component: &Component) -> bool {
    SUPPORTED_PROVIDERS.contains(&component.provider) && provisions_servers(component)
}

/// The servers (key and display name) that `component`'s servers keep a tunnel with.
pub fn peer_servers(design: &Design, component: &Component) -> Vec<(ResourceKey, String)> {
    let mut peers = BTreeSet::new();
    for connection in design.connections.iter().filter(|c| is_tunnel(design, c)) {
        let other = if connection.from == component.id {
            &connection.to
        } else if connection.to == component.id {
            &connection.from
        } else {
            continue;
        };
        if let Some(peer) = design.component(other) {
            for index in 0..server_count(peer) {
                let name = if server_count(peer) > 1 {
                    format!("{} #{index}", peer.name)
                } else {
                    peer.name.clone()
                };
                peers.insert((server_key(peer, index), name));
            }
        }
    }
    peers.into_iter().collect()
}

/// Whether `component`'s servers run WireGuard: they have a tunnel peer or a VPN connection.
pub fn runs_wireguard(design: &Design, component: &Component) -> bool {
    tunnel_capable(component)
        && design.connections.iter().any(|c| {
            (c.from == component.id || c.to == component.id)
                && (c.network == NetworkPath::Vpn || is_tunnel(design, c))
        })
}

fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Tunnel addresses of every WireGuard server of the design, by server key.
///
/// Each server's host number comes from a hash of its key (1..=254), so it does not move when
/// components are added, removed or reordered; on a collision the server with the smaller key
/// keeps the slot and the other takes the next free one.
pub fn tunnel_addresses(design: &Design) -> BTreeMap<ResourceKey, String> {
    let mut servers: Vec<(u64, ResourceKey)> = design
        .components
        .iter()
        .filter(|c| runs_wireguard(design, c))
        .flat_map(|c| (0..server_count(c)).map(move |i| server_key(c, i)))
        .map(|key| (fnv1a(&key.0) % 254, key))
        .collect();
    servers.sort();
    let mut taken = [false; 254];
    let mut out = BTreeMap::new();
    for (slot, key) in servers {
        let Some(free) = (0..254)
            .map(|step| (slot as usize + step) % 254)
            .find(|s| !taken[*s])
        else {
            // More than 254 tunnel servers: the rest get no address (and no WireGuard).
            break;
        };
        taken[free] = true;
        out.insert(key, format!("{TUNNEL_PREFIX}.{}", free + 1));
    }
    out
}

/// The public IPv4 addresses of the servers that exist, from what the engine observed.
pub fn endpoints(observed: &[ObservedResource]) -> WireguardEndpoints {
    observed
        .iter()
        .filter(|o| o.kind == ResourceKind::Server)
        .filter_map(|o| {
            o.attributes
                .get(PUBLIC_IPV4)
                .map(|ip| (o.key.clone(), ip.clone()))
        })
        .collect()
}

/// Whether `text` is a WireGuard public key: base64 of 32 bytes (44 characters, one `=`).
pub fn is_public_key(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 44
        && bytes[43] == b'='
        && bytes[..43]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        // The last character before `=` carries 4 bits of the 32nd byte and 2 padding bits of 0.
        && b"AEIMQUYcgkosw048".contains(&bytes[42])
}

/// Why linking failed. Messages name the server and never carry key material.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("apply did not finish cleanly, so tunnels are not linked: {0}")]
    ApplyFailed(String),
    #[error("{0} does not exist at its provider yet; run apply first")]
    NotCreated(String),
    #[error("{0} has no public IPv4 address; WireGuard between providers or regions needs one (set public_ipv4 on the component)")]
    NoAddress(String),
    #[error("{server}: {message}")]
    Remote { server: String, message: String },
    #[error("{server} answered something that is not a WireGuard public key; has cloud-init finished there? ({found} characters read)")]
    BadPublicKey { server: String, found: usize },
}

/// Runs a command as root on a server. [`OpenSsh`] is the real one; tests use a fake.
pub trait RemoteShell: Send + Sync {
    /// Runs `command` on the server at `address` with `input` on its standard input and returns
    /// its standard output; an error message when it cannot connect or the command fails.
    fn run<'a>(
        &'a self,
        address: &'a str,
        command: &'a str,
        input: &'a str,
    ) -> BoxFuture<'a, Result<String, String>>;
}

/// The system's OpenSSH client (`ssh`), with the user's agent and configuration.
#[derive(Debug, Clone)]
pub struct OpenSsh {
    pub program: PathBuf,
    /// The remote user; `root` on fresh Hetzner and DigitalOcean images.
    pub user: String,
    /// A private key file for `-i`; none means the agent and `~/.ssh/config` decide.
    pub identity: Option<PathBuf>,
    pub connect_timeout_secs: u32,
}

impl Default for OpenSsh {
    fn default() -> Self {
        Self {
            program: PathBuf::from("ssh"),
            user: "root".into(),
            identity: None,
            connect_timeout_secs: 15,
        }
    }
}

impl OpenSsh {
    /// The arguments of one call: no prompts (BatchMode), first-use host keys accepted.
    pub fn args(&self, address: &str, command: &str) -> Vec<String> {
        let mut args = vec![
            "-o".into(),
            "BatchMode=yes".into(),
            "-o".into(),
            "StrictHostKeyChecking=accept-new".into(),
            "-o".into(),
            format!("ConnectTimeout={}", self.connect_timeout_secs),
        ];
        if let Some(identity) = &self.identity {
            args.extend(["-i".into(), identity.display().to_string()]);
        }
        args.push(format!("{}@{address}", self.user));
        args.push("--".into());
        args.push(command.into());
        args
    }
}

impl RemoteShell for OpenSsh {
    fn run<'a>(
        &'a self,
        address: &'a str,
        command: &'a str,
        input: &'a str,
    ) -> BoxFuture<'a, Result<String, String>> {
        let program = self.program.clone();
        let args = self.args(address, command);
        let input = input.to_owned();
        Box::pin(async move {
            // std::process on the blocking pool: tokio's process feature is not needed for this.
            tokio::task::spawn_blocking(move || run_process(&program, &args, &input))
                .await
                .map_err(|e| format!("the ssh task failed: {e}"))?
        })
    }
}

fn run_process(program: &Path, args: &[String], input: &str) -> Result<String, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .map_err(|e| format!("cannot write to ssh: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("ssh did not finish: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "ssh exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Waits for cloud-init (which generates the keys) and prints the public key. Never touches
/// the private key.
pub const READ_PUBLIC_KEY: &str =
    "cloud-init status --wait >/dev/null 2>&1; cat /etc/wireguard/public.key";
/// Replaces the peers file atomically from standard input and restarts the tunnel.
pub const WRITE_PEERS: &str = "umask 077; cat > /etc/wireguard/peers.conf.new && mv /etc/wireguard/peers.conf.new /etc/wireguard/peers.conf && systemctl restart wg-quick@wg0";

/// One end of a linked tunnel, as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct LinkedServer {
    pub server: ResourceKey,
    pub name: String,
    pub component: String,
    pub tunnel_address: String,
    pub public_address: String,
    pub public_key: String,
    /// Peers written to this server, by server key.
    pub peers: Vec<ResourceKey>,
}

/// What [`link`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct LinkReport {
    pub design_id: String,
    pub servers: Vec<LinkedServer>,
    /// Applies run first so every firewall opens its port to its peers' addresses.
    pub applies: u32,
}

/// The `peers.conf` a server gets: one `[Peer]` per tunnel peer. Public material only.
pub fn peers_file(peers: &[(String, String, String, String)]) -> String {
    let mut out = String::from("# Written by `stagecraft link`: this server's WireGuard peers.\n");
    for (name, public_key, public_address, tunnel_address) in peers {
        out.push_str(&format!(
            "\n[Peer]\n# {name}\nPublicKey = {public_key}\nEndpoint = {public_address}:{LISTEN_PORT}\nAllowedIPs = {tunnel_address}/32\nPersistentKeepalive = 25\n"
        ));
    }
    out
}

/// Links the design's tunnels: applies until the providers match the design (so every server
/// exists and every WireGuard port is open to its peers' addresses), reads each tunnel server's
/// public key over `shell`, and writes each server its peers.
///
/// # Errors
/// Engine errors; an apply that fails; a tunnel server without a public address; a server that
/// cannot be reached or answers no public key (named in the error).
pub async fn link(
    engine: &Engine,
    design_file: &Path,
    shell: &dyn RemoteShell,
) -> Result<LinkReport, LinkError> {
    let mut applies = 0;
    // Servers are created before their peers' addresses are known; the next apply opens the
    // ports to them. Three rounds is more than a design ever needs.
    for _ in 0..3 {
        if engine.plan(design_file).await?.is_empty() {
            break;
        }
        let report = engine.apply(design_file).await?;
        applies += 1;
        if !report.succeeded() {
            let failed: Vec<String> = report
                .failed
                .iter()
                .map(|f| format!("{} ({})", f.key, f.message))
                .collect();
            return Err(LinkError::ApplyFailed(failed.join("; ")));
        }
    }
    let (design, observed) = engine.observe_design(design_file).await?;
    let addresses = tunnel_addresses(&design);
    let by_key: BTreeMap<&ResourceKey, &ObservedResource> =
        observed.iter().map(|o| (&o.key, o)).collect();

    // Every tunnel server, its public address and its public key.
    let mut servers: BTreeMap<ResourceKey, LinkedServer> = BTreeMap::new();
    for component in design
        .components
        .iter()
        .filter(|c| runs_wireguard(&design, c))
    {
        let peers = peer_servers(&design, component);
        if peers.is_empty() {
            continue;
        }
        for index in 0..server_count(component) {
            let key = server_key(component, index);
            let Some(tunnel_address) = addresses.get(&key) else {
                continue;
            };
            let found = by_key
                .get(&key)
                .ok_or_else(|| LinkError::NotCreated(format!("{} ({key})", component.name)))?;
            let public_address = found
                .attributes
                .get(PUBLIC_IPV4)
                .cloned()
                .ok_or_else(|| LinkError::NoAddress(format!("{} ({key})", found.name)))?;
            let answer = shell
                .run(&public_address, READ_PUBLIC_KEY, "")
                .await
                .map_err(|message| LinkError::Remote {
                    server: format!("{} ({public_address})", found.name),
                    message,
                })?;
            let public_key = answer.trim().to_owned();
            if !is_public_key(&public_key) {
                return Err(LinkError::BadPublicKey {
                    server: format!("{} ({public_address})", found.name),
                    found: public_key.len(),
                });
            }
            servers.insert(
                key.clone(),
                LinkedServer {
                    server: key,
                    name: found.name.clone(),
                    component: component.id.to_string(),
                    tunnel_address: tunnel_address.clone(),
                    public_address,
                    public_key,
                    peers: peers.iter().map(|(k, _)| k.clone()).collect(),
                },
            );
        }
    }

    // Each server learns its peers.
    for server in servers.values() {
        let peers: Vec<(String, String, String, String)> = server
            .peers
            .iter()
            .filter_map(|k| servers.get(k))
            .map(|p| {
                (
                    p.name.clone(),
                    p.public_key.clone(),
                    p.public_address.clone(),
                    p.tunnel_address.clone(),
                )
            })
            .collect();
        shell
            .run(&server.public_address, WRITE_PEERS, &peers_file(&peers))
            .await
            .map_err(|message| LinkError::Remote {
                server: format!("{} ({})", server.name, server.public_address),
                message,
            })?;
    }
    Ok(LinkReport {
        design_id: design.id.to_string(),
        servers: servers.into_values().collect(),
        applies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_keys_are_recognised_and_private_looking_text_is_not() {
        assert!(is_public_key(
            "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
        ));
        assert!(!is_public_key(
            "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg"
        ));
        assert!(!is_public_key("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assert!(!is_public_key(
            "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dh="
        ));
    }

    #[test]
    fn ssh_runs_without_prompts_and_trusts_new_hosts_once() {
        let ssh = OpenSsh {
            identity: Some(PathBuf::from("/home/me/.ssh/id_ed25519")),
            ..OpenSsh::default()
        };
        let args = ssh.args("203.0.113.7", READ_PUBLIC_KEY);
        assert_eq!(
            args,
            [
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=accept-new",
                "-o",
                "ConnectTimeout=15",
                "-i",
                "/home/me/.ssh/id_ed25519",
                "root@203.0.113.7",
                "--",
                READ_PUBLIC_KEY,
            ]
        );
        assert!(
            !READ_PUBLIC_KEY.contains("private") && !WRITE_PEERS.contains("private"),
            "no command we send reads the private key"
        );
    }

    #[test]
    fn open_ssh_passes_input_and_reports_failures() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("ssh");
        // Echoes its last argument and its input; fails when asked to.
        std::fs::write(
            &fake,
            "#!/bin/sh\nfor last; do :; done\nif [ \"$last\" = fail ]; then echo refused >&2; exit 255; fi\necho \"$last\"; cat\n",
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let ssh = OpenSsh {
            program: fake,
            ..OpenSsh::default()
        };
        let out = crate::block_on(ssh.run("192.0.2.1", "cmd", "peers\n")).unwrap();
        assert_eq!(out, "cmd\npeers\n");
        let err = crate::block_on(ssh.run("192.0.2.1", "fail", "")).unwrap_err();
        assert!(err.contains("255") && err.contains("refused"), "{err}");
    }
}
