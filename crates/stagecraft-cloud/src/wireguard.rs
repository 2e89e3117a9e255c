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
//! runs the step (agent, `~/.ssh` or an identity file), and the servers accept SSH from that
//! machine. The derived firewalls deny everything else, so either give an admin address
//! ([`crate::resources::MappingOptions::admin_cidr`], `--admin-cidr` in the CLI, "Admin address"
//! in the app's link dialog), which opens 22/tcp from that address only and only on tunnel
//! servers, or draw a Firewall component that does. Host keys are trusted on first use
//! (`StrictHostKeyChecking=accept-new`), as with any first SSH login to a new server; a changed
//! host key stops the step.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use stagecraft_model::{
    Component, Connection, Design, Direction, FirewallProtocol, NetworkPath, Provider,
};
use tokio_util::sync::CancellationToken;

use crate::engine::{BoxFuture, Engine, EngineError, ObservedResource};
use crate::resources::{
    provisions_servers, region_of, server_count, FirewallRuleSpec, ResourceKey, ResourceKind,
    WireguardEndpoints, SUPPORTED_PROVIDERS,
};
use crate::transport::{ProviderError, ProviderErrorKind};

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

/// One connection of the design that a tunnel carries, as the app and the CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct TunnelLink {
    pub connection: String,
    pub from: String,
    pub to: String,
    pub from_name: String,
    pub to_name: String,
    /// Why a tunnel: `"Hetzner → DigitalOcean"`, `"fsn1 → ash"` or `"VPN connection"`.
    pub reason: String,
}

/// The design's connections that WireGuard carries between its own servers; empty when there is
/// nothing for [`link`] to do.
pub fn tunnel_links(design: &Design) -> Vec<TunnelLink> {
    design
        .connections
        .iter()
        .filter(|c| is_tunnel(design, c))
        .filter_map(|c| {
            let (a, b) = (design.component(&c.from)?, design.component(&c.to)?);
            let reason = if c.network == NetworkPath::Vpn {
                "VPN connection".to_owned()
            } else if a.provider != b.provider {
                format!("{} → {}", a.provider.label(), b.provider.label())
            } else {
                format!("{} → {}", region_of(design, a), region_of(design, b))
            };
            Some(TunnelLink {
                connection: c.id.to_string(),
                from: a.id.to_string(),
                to: b.id.to_string(),
                from_name: a.name.clone(),
                to_name: b.name.clone(),
                reason,
            })
        })
        .collect()
}

/// Whether [`link`] reaches `component`'s servers over SSH: they have a tunnel peer.
pub fn linked_over_ssh(design: &Design, component: &Component) -> bool {
    runs_wireguard(design, component) && !peer_servers(design, component).is_empty()
}

/// Checks the admin source address that may reach tunnel servers over SSH: an IPv4 or IPv6
/// address, with an optional prefix length (a bare address is that one host). Returns it as a
/// CIDR (`198.51.100.7` -> `198.51.100.7/32`).
///
/// # Errors
/// A message naming the text and the problem: not an address, a prefix out of range, host bits
/// set (providers refuse those), or a range so wide it opens SSH to everyone.
pub fn parse_admin_cidr(text: &str) -> Result<String, String> {
    use std::net::IpAddr;
    let text = text.trim();
    let (address, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let ip: IpAddr = address.parse().map_err(|_| {
        format!("admin address `{text}` is not an IP address or CIDR (for example 198.51.100.7 or 198.51.100.0/24)")
    })?;
    let bits: u8 = if ip.is_ipv4() { 32 } else { 128 };
    let prefix: u8 = match prefix {
        None => bits,
        Some(p) => p.parse().ok().filter(|p| *p <= bits).ok_or_else(|| {
            format!("admin address `{text}`: the prefix length must be 0 to {bits}")
        })?,
    };
    // Wider than a /8 (IPv4) or /16 (IPv6) is SSH for half the internet, not an admin address.
    let narrowest_allowed = if ip.is_ipv4() { 8 } else { 16 };
    if prefix < narrowest_allowed {
        return Err(format!(
            "admin address `{text}` would open SSH to far too many addresses: give your own address (a /32) or your office's range"
        ));
    }
    let host_bits_set = match ip {
        IpAddr::V4(v4) => u32::from(v4).checked_shl(u32::from(prefix)).unwrap_or(0) != 0,
        IpAddr::V6(v6) => u128::from(v6).checked_shl(u32::from(prefix)).unwrap_or(0) != 0,
    };
    if host_bits_set {
        return Err(format!(
            "admin address `{text}` has bits set after the /{prefix} prefix: give the network's first address, or the host address as a /{bits}"
        ));
    }
    Ok(format!("{ip}/{prefix}"))
}

/// The inbound rule opening 22/tcp from `admin_cidr` on a server that [`link`] reaches over SSH,
/// or `None` (not a tunnel server, no admin address, or SSH already open to everyone).
pub fn admin_ssh_rule(
    design: &Design,
    component: &Component,
    admin_cidr: Option<&str>,
    rules: &[FirewallRuleSpec],
) -> Option<FirewallRuleSpec> {
    let cidr = admin_cidr?;
    if !linked_over_ssh(design, component) {
        return None;
    }
    let ssh_open_to = |addresses: &[String]| {
        rules.iter().any(|r| {
            r.direction == Direction::Inbound
                && r.protocol == FirewallProtocol::Tcp
                && r.port.as_deref() == Some("22")
                && addresses.iter().all(|a| r.addresses.contains(a))
        })
    };
    if ssh_open_to(&["0.0.0.0/0".to_owned()]) || ssh_open_to(&[cidr.to_owned()]) {
        return None;
    }
    Some(FirewallRuleSpec {
        direction: Direction::Inbound,
        protocol: FirewallProtocol::Tcp,
        port: Some("22".into()),
        addresses: vec![cidr.to_owned()],
        description: "SSH from the admin address, for `stagecraft link`".into(),
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

/// What went wrong on an SSH call to a server, so the message can say what to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SshProblem {
    /// No SSH answer: a firewall dropping port 22, a server still booting, a wrong address.
    Unreachable,
    /// The server answered and refused every key offered.
    KeyRefused,
    /// The server's host key is not the one `known_hosts` remembers for its address.
    HostKeyChanged,
    /// `ssh` itself could not be started on this machine.
    ClientMissing,
    /// Connected and authenticated, but the command failed there.
    CommandFailed,
}

impl SshProblem {
    /// Reads the kind of failure from what `ssh` (or a shell standing in for it) printed.
    pub fn of(message: &str) -> Self {
        let text = message.to_ascii_lowercase();
        if text.contains("cannot start") {
            SshProblem::ClientMissing
        } else if text.contains("host identification has changed")
            || text.contains("host key verification failed")
        {
            SshProblem::HostKeyChanged
        } else if text.contains("permission denied")
            || text.contains("too many authentication failures")
        {
            SshProblem::KeyRefused
        } else if [
            "timed out",
            "connection refused",
            "no route to host",
            "network is unreachable",
            "could not resolve",
            "connection closed",
            "connection reset",
        ]
        .iter()
        .any(|needle| text.contains(needle))
        {
            SshProblem::Unreachable
        } else {
            SshProblem::CommandFailed
        }
    }

    /// What the person should do about it.
    pub fn fix(self) -> &'static str {
        match self {
            SshProblem::Unreachable => "this machine cannot reach the server on port 22: the derived firewalls deny SSH, so give the public address this machine connects from as the admin address (`stagecraft link --admin-cidr YOUR.IP/32`, or \"Admin address\" in the Link dialog; behind NAT it is your router's public address), which opens 22/tcp from it on the tunnel servers, or draw a Firewall component that does; a server that was just created may also still be booting",
            SshProblem::KeyRefused => "the server refused the SSH key: the servers must have been created with your SSH public key (`--ssh-key FILE.pub`, or Provision › Credentials › SSH public key, before apply) and ssh must use the matching private key (`--identity PATH`, \"Private key file\" in the Link dialog, or your ssh agent)",
            SshProblem::HostKeyChanged => "the server's SSH host key differs from the one remembered for its address (a replaced server keeps its address): if you replaced it, remove the old entry with `ssh-keygen -R ADDRESS` and link again; otherwise do not trust this server",
            SshProblem::ClientMissing => "install the OpenSSH client (`ssh`; Debian: apt-get install openssh-client)",
            SshProblem::CommandFailed => "the server answered but the command failed: wait for its first boot (cloud-init installs WireGuard) and link again",
        }
    }
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
    #[error("{server}: {message}\nTo fix: {}", problem.fix())]
    Remote {
        server: String,
        message: String,
        problem: SshProblem,
    },
    #[error("{server} answered something that is not a WireGuard public key; has cloud-init finished there? ({found} characters read)")]
    BadPublicKey { server: String, found: usize },
}

impl LinkError {
    fn remote(server: String, message: String) -> Self {
        LinkError::Remote {
            problem: SshProblem::of(&message),
            server,
            message,
        }
    }
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
    /// A private key file for `-i` (then only that key is offered); none means the agent and
    /// `~/.ssh/config` decide.
    pub identity: Option<PathBuf>,
    pub connect_timeout_secs: u32,
    /// The servers' SSH port.
    pub port: u16,
    /// Where first-use host keys are remembered; none means ssh's default (`~/.ssh/known_hosts`).
    pub known_hosts: Option<PathBuf>,
}

impl Default for OpenSsh {
    fn default() -> Self {
        Self {
            program: PathBuf::from("ssh"),
            user: "root".into(),
            identity: None,
            connect_timeout_secs: 15,
            port: 22,
            known_hosts: None,
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
        if let Some(known_hosts) = &self.known_hosts {
            args.extend([
                "-o".into(),
                format!("UserKnownHostsFile={}", known_hosts.display()),
            ]);
        }
        if let Some(identity) = &self.identity {
            // Only this key: an agent full of other keys would otherwise use up the server's
            // authentication attempts, and a refusal would not say which key was wrong.
            args.extend([
                "-o".into(),
                "IdentitiesOnly=yes".into(),
                "-i".into(),
                identity.display().to_string(),
            ]);
        }
        if self.port != 22 {
            args.extend(["-p".into(), self.port.to_string()]);
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
        Box::pin(run_process(program, args, input))
    }
}

/// Runs `program` with `input` on its standard input. The child is killed when this future is
/// dropped, so a cancelled link leaves no `ssh` behind (one waiting on cloud-init can take
/// minutes).
async fn run_process(program: PathBuf, args: Vec<String>, input: String) -> Result<String, String> {
    use std::process::Stdio;
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new(&program)
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .await
            .map_err(|e| format!("cannot write to ssh: {e}"))?;
        // Dropping stdin closes it: the remote command sees the end of its input.
    }
    let output = child
        .wait_with_output()
        .await
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

/// Which step of [`link`] a server is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LinkStep {
    /// Connecting over SSH and waiting for cloud-init to make the key pair.
    ReadingKey,
    /// Its public key was read.
    KeyRead,
    /// Sending it its peers and restarting the tunnel.
    WritingPeers,
    /// It has its peers.
    Linked,
}

/// One step of [`link`] on one server, for progress displays (public material only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct LinkProgress {
    pub server: ResourceKey,
    pub name: String,
    pub component: String,
    pub address: String,
    pub step: LinkStep,
    pub message: String,
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
    link_with_progress(engine, design_file, shell, &|_| {}).await
}

/// As [`link`], telling `progress` each server's steps (the engine's own progress sink reports
/// the applies).
///
/// # Errors
/// As [`link`].
pub async fn link_with_progress(
    engine: &Engine,
    design_file: &Path,
    shell: &dyn RemoteShell,
    progress: &(dyn Fn(LinkProgress) + Send + Sync),
) -> Result<LinkReport, LinkError> {
    link_cancellable(
        engine,
        design_file,
        shell,
        progress,
        &CancellationToken::new(),
    )
    .await
}

/// As [`link_with_progress`], stopping when `cancel` fires: give it the token the engine's
/// clients watch ([`crate::ClientConfig::cancel`]) and one cancel stops the applies and the SSH
/// steps alike. No server is reached after it fires, and a step in flight is abandoned.
///
/// # Errors
/// As [`link`]; a cancelled run is [`EngineError::Provider`] of kind
/// [`ProviderErrorKind::Cancelled`] naming the server it stopped at, as a cancelled apply is.
pub async fn link_cancellable(
    engine: &Engine,
    design_file: &Path,
    shell: &dyn RemoteShell,
    progress: &(dyn Fn(LinkProgress) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<LinkReport, LinkError> {
    // One SSH step, unless the run is (or gets) cancelled before it finishes.
    let run = |server: &LinkedServer, provider: Provider, command: &'static str, input: String| {
        let cancelled = move |server: &LinkedServer| {
            LinkError::Engine(EngineError::Provider(ProviderError::new(
                provider,
                ProviderErrorKind::Cancelled,
                format!(
                    "link cancelled before {} ({}) was done",
                    server.name, server.public_address
                ),
            )))
        };
        let address = server.public_address.clone();
        let name = server.name.clone();
        let stopped = cancelled(server);
        async move {
            if cancel.is_cancelled() {
                return Err(stopped);
            }
            tokio::select! {
                biased;
                () = cancel.cancelled() => Err(stopped),
                answer = shell.run(&address, command, &input) => answer
                    .map_err(|message| LinkError::remote(format!("{name} ({address})"), message)),
            }
        }
    };
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
    let step = |server: &LinkedServer, step: LinkStep, message: String| {
        progress(LinkProgress {
            server: server.server.clone(),
            name: server.name.clone(),
            component: server.component.clone(),
            address: server.public_address.clone(),
            step,
            message,
        });
    };

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
            let mut server = LinkedServer {
                server: key.clone(),
                name: found.name.clone(),
                component: component.id.to_string(),
                tunnel_address: tunnel_address.clone(),
                public_address,
                public_key: String::new(),
                peers: peers.iter().map(|(k, _)| k.clone()).collect(),
            };
            step(
                &server,
                LinkStep::ReadingKey,
                "reading its WireGuard public key over SSH".into(),
            );
            let answer = run(&server, component.provider, READ_PUBLIC_KEY, String::new()).await?;
            let public_key = answer.trim().to_owned();
            if !is_public_key(&public_key) {
                return Err(LinkError::BadPublicKey {
                    server: format!("{} ({})", server.name, server.public_address),
                    found: public_key.len(),
                });
            }
            server.public_key = public_key;
            step(
                &server,
                LinkStep::KeyRead,
                format!("public key {}", server.public_key),
            );
            servers.insert(key, server);
        }
    }

    // Each server learns its peers.
    for server in servers.values() {
        let peers: Vec<&LinkedServer> =
            server.peers.iter().filter_map(|k| servers.get(k)).collect();
        let names: Vec<&str> = peers.iter().map(|p| p.name.as_str()).collect();
        step(
            server,
            LinkStep::WritingPeers,
            format!("writing its peers: {}", names.join(", ")),
        );
        let peers: Vec<(String, String, String, String)> = peers
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.public_key.clone(),
                    p.public_address.clone(),
                    p.tunnel_address.clone(),
                )
            })
            .collect();
        let provider = design
            .components
            .iter()
            .find(|c| c.id.as_str() == server.component)
            .map_or(Provider::Unassigned, |c| c.provider);
        run(server, provider, WRITE_PEERS, peers_file(&peers)).await?;
        step(
            server,
            LinkStep::Linked,
            format!("tunnel address {}", server.tunnel_address),
        );
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
                "-o",
                "IdentitiesOnly=yes",
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
    fn admin_addresses_are_checked_and_written_as_cidrs() {
        assert_eq!(
            parse_admin_cidr(" 198.51.100.7 ").unwrap(),
            "198.51.100.7/32"
        );
        assert_eq!(
            parse_admin_cidr("198.51.100.0/24").unwrap(),
            "198.51.100.0/24"
        );
        assert_eq!(parse_admin_cidr("2001:db8::1").unwrap(), "2001:db8::1/128");
        assert_eq!(parse_admin_cidr("2001:db8::/48").unwrap(), "2001:db8::/48");
        for (text, says) in [
            ("my laptop", "not an IP address"),
            ("198.51.100.7/33", "prefix length must be 0 to 32"),
            ("198.51.100.7/24", "bits set after the /24"),
            ("0.0.0.0/0", "far too many"),
            ("10.0.0.0/7", "far too many"),
            ("::/0", "far too many"),
        ] {
            let error = parse_admin_cidr(text).expect_err(text);
            assert!(
                error.contains(says) && error.contains(text.trim()),
                "{text}: {error}"
            );
        }
    }

    #[test]
    fn ssh_failures_say_what_to_fix() {
        for (stderr, problem, fix) in [
            ("ssh exited with exit status: 255: ssh: connect to host 203.0.113.7 port 22: Connection timed out", SshProblem::Unreachable, "--admin-cidr"),
            ("ssh: connect to host 203.0.113.7 port 22: No route to host", SshProblem::Unreachable, "port 22"),
            ("ssh exited with exit status: 255: root@203.0.113.7: Permission denied (publickey).", SshProblem::KeyRefused, "--identity"),
            ("@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@ ... Host key verification failed.", SshProblem::HostKeyChanged, "ssh-keygen -R"),
            ("cannot start ssh: No such file or directory (os error 2)", SshProblem::ClientMissing, "openssh-client"),
            ("ssh exited with exit status: 1: cat: /etc/wireguard/public.key: No such file or directory", SshProblem::CommandFailed, "cloud-init"),
        ] {
            assert_eq!(SshProblem::of(stderr), problem, "{stderr}");
            assert!(problem.fix().contains(fix), "{problem:?}: {}", problem.fix());
        }
        let error = LinkError::remote(
            "db (203.0.113.7)".into(),
            "ssh: connect to host 203.0.113.7 port 22: Connection timed out".into(),
        );
        let text = error.to_string();
        assert!(
            text.starts_with("db (203.0.113.7): ssh: connect")
                && text.contains("To fix:")
                && text.contains("--admin-cidr"),
            "{text}"
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

    #[test]
    fn a_dropped_ssh_run_kills_the_process() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("ssh");
        let pid_file = dir.path().join("pid");
        // Hangs as ssh does while cloud-init runs, after saying who it is.
        std::fs::write(
            &fake,
            format!(
                "#!/bin/sh\necho $$ > {}\nexec sleep 60\n",
                pid_file.display()
            ),
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
        crate::block_on(async {
            let hung = tokio::time::timeout(
                std::time::Duration::from_millis(500),
                ssh.run("192.0.2.1", READ_PUBLIC_KEY, ""),
            )
            .await;
            assert!(hung.is_err(), "the stand-in hangs: {hung:?}");
            // Dropped (as a cancelled link drops it): the process goes too.
            let pid = std::fs::read_to_string(&pid_file).unwrap();
            let proc_dir = PathBuf::from(format!("/proc/{}", pid.trim()));
            let alive = || {
                std::fs::read_to_string(proc_dir.join("stat"))
                    .is_ok_and(|stat| !stat.contains(") Z "))
            };
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while alive() && std::time::Instant::now() < deadline {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            assert!(!alive(), "ssh (pid {}) still runs", pid.trim());
        });
    }
}
