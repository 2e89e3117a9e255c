//! WireGuard links, set up by cloud-init on each member server.
//!
//! Why this shape: a key pair made by Terraform (or written into user data) would sit in the
//! Terraform state and the provider's metadata service. So each member makes its own key pair at
//! first boot; `wg0.conf` only points at the key file (`PostUp = wg set %i private-key ...`) and
//! the private key never leaves `/etc/wireguard` on that host. Public keys are exchanged in one
//! documented step after `apply`: the `<link>_wireguard_members` output lists each member's tunnel
//! address and endpoint, and the `stagecraft-wg-add-peer` script cloud-init installs adds a peer.
//! (Peer lists cannot go into user data anyway: each member's user data would refer to the others'
//! addresses, a cycle, and changing user data replaces a server on Hetzner.)

use super::*;

/// The UDP port every member listens on.
const WIREGUARD_PORT: u16 = 51820;

/// The script cloud-init installs: appends a `[Peer]` to `wg0.conf` and applies it live.
const ADD_PEER_SCRIPT: &str = "#!/bin/sh
# Usage: stagecraft-wg-add-peer PUBLIC_KEY TUNNEL_ADDRESS ENDPOINT_IP
# Adds one WireGuard peer to wg0, now and after a reboot.
set -eu
[ $# -eq 3 ] || { echo 'usage: stagecraft-wg-add-peer PUBLIC_KEY TUNNEL_ADDRESS ENDPOINT_IP' >&2; exit 2; }
printf '\\n[Peer]\\nPublicKey = %s\\nAllowedIPs = %s/32\\nEndpoint = %s:51820\\nPersistentKeepalive = 25\\n' \"$1\" \"$2\" \"$3\" >> /etc/wireguard/wg0.conf
wg set wg0 peer \"$1\" allowed-ips \"$2/32\" endpoint \"$3:51820\" persistent-keepalive 25
";

/// Makes the key pair once (kept across reboots), readable by root only.
const KEYGEN: &str = "umask 077 && (test -s /etc/wireguard/private.key || wg genkey > /etc/wireguard/private.key) && wg pubkey < /etc/wireguard/private.key > /etc/wireguard/public.key";

/// A server's place in a WireGuard link.
#[derive(Debug, Clone)]
pub(super) struct Membership {
    /// Local name of the link component.
    pub link: String,
    /// Tunnel address of each replica, in replica order.
    pub addresses: Vec<String>,
}

/// Whether a component becomes servers with fixed addresses (only those can be members).
fn is_server(resource: Option<&str>) -> bool {
    matches!(
        resource,
        Some("hcloud_server" | "digitalocean_droplet" | "aws_instance")
    )
}

impl<'a> Writer<'a> {
    /// Tunnel addresses for the member servers of every VPN link, before servers are written
    /// (their user data needs them). Link `n` uses `10.200.n.0/24`.
    pub(super) fn collect_wireguard_members(&mut self) {
        let links: Vec<&Component> = self
            .sorted_components()
            .into_iter()
            .filter(|c| c.kind == ComponentKind::VpnLink && c.provider != Provider::Unassigned)
            .collect();
        for (index, link) in links.into_iter().enumerate().take(256) {
            let link_name = local_name(link.id.as_str());
            let mut members = link.properties.members.clone();
            members.sort();
            members.dedup();
            let mut host = 1u32;
            for id in members {
                let Some(member) = self.design.component(&id) else {
                    continue;
                };
                if member.provider == Provider::Unassigned
                    || !is_server(self.resource_of(member).as_deref())
                    || self.wireguard.contains_key(&id)
                {
                    continue;
                }
                let addresses = (0..member.count.max(1))
                    .map(|_| {
                        let address = format!("10.200.{index}.{host}");
                        host += 1;
                        address
                    })
                    .collect();
                self.wireguard.insert(
                    id,
                    Membership {
                        link: link_name.clone(),
                        addresses,
                    },
                );
            }
        }
    }

    /// Cloud-init user data for replica `replica` (1-based) of a member server whose resource
    /// is named `server`. The cloud-config document is a local (`local.wireguard_<server>`), so
    /// it reads as a nested object instead of one long line.
    pub(super) fn wireguard_user_data(
        &mut self,
        id: &ComponentId,
        server: &str,
        replica: u32,
    ) -> Option<Expression> {
        let membership = self.wireguard.get(id)?;
        let address = membership.addresses.get(replica as usize - 1)?;
        let wg0 = format!(
            "[Interface]\nAddress = {address}/24\nListenPort = {WIREGUARD_PORT}\nPostUp = wg set %i private-key /etc/wireguard/private.key\n"
        );
        let file = |path: &str, permissions: &str, content: &str| {
            object([
                ("path", Expression::from(path)),
                ("permissions", Expression::from(permissions)),
                ("content", Expression::from(content)),
            ])
        };
        let cloud_config = object([
            ("packages", array([Expression::from("wireguard")])),
            (
                "write_files",
                array([
                    file("/etc/wireguard/wg0.conf", "0600", &wg0),
                    file(
                        "/usr/local/sbin/stagecraft-wg-add-peer",
                        "0755",
                        ADD_PEER_SCRIPT,
                    ),
                ]),
            ),
            (
                "runcmd",
                array([
                    array(["sh", "-c", KEYGEN].map(Expression::from)),
                    array(["systemctl", "enable", "--now", "wg-quick@wg0"].map(Expression::from)),
                ]),
            ),
        ]);
        let local = format!("wireguard_{server}");
        self.locals.insert(local.clone(), cloud_config);
        let yaml = Expression::from(
            FuncCall::builder(Identifier::unchecked("yamlencode"))
                .arg(traversal("local", &[&local]))
                .build(),
        );
        Some(Expression::from(
            FuncCall::builder(Identifier::unchecked("format"))
                .arg("#cloud-config\n%s")
                .arg(yaml)
                .build(),
        ))
    }

    /// The link itself: the members output and the peer-exchange step; members that cannot
    /// take part are listed in `not_provisioned`.
    pub(super) fn wireguard_link(&mut self, component: &Component, name: &str) {
        let mut members: Vec<(String, String, Expression)> = Vec::new();
        let mut left_out = Vec::new();
        let mut ids = component.properties.members.clone();
        ids.sort();
        ids.dedup();
        for id in &ids {
            let Some(member) = self.design.component(id) else {
                continue;
            };
            let joined = self
                .wireguard
                .get(id)
                .filter(|m| m.link == name)
                .zip(self.servers.get(id));
            let Some((membership, servers)) = joined else {
                left_out.push(member.name.trim().to_owned());
                continue;
            };
            let ip = if member.provider == Provider::Aws {
                "public_ip"
            } else {
                "ipv4_address"
            };
            for (server, address) in servers.iter().zip(&membership.addresses) {
                members.push((server.name.clone(), address.clone(), server.attr(ip)));
            }
        }
        if members.len() < 2 {
            self.skip(
                component,
                "a WireGuard link needs at least two member servers with fixed addresses (managed services and auto-scaled pools cannot run WireGuard)",
            );
            return;
        }
        if !left_out.is_empty() {
            self.note(
                &format!("{name}_members"),
                format!(
                    "{} ({}): {} cannot join the tunnel (not a server here, or already in another link)",
                    component.name.trim(),
                    component.id,
                    left_out.join(", ")
                ),
            );
        }
        let listing = Expression::Object(
            members
                .into_iter()
                .map(|(server, address, endpoint)| {
                    (
                        ObjectKey::Identifier(Identifier::unchecked(server)),
                        object([
                            ("address", Expression::from(address)),
                            ("endpoint", endpoint),
                        ]),
                    )
                })
                .collect(),
        );
        self.output(&format!("{name}_wireguard_members"), listing);
        self.output(
            &format!("{name}_wireguard_next_step"),
            Expression::from(format!(
                "Each member made its WireGuard key pair at first boot; the private key never leaves /etc/wireguard. Allow UDP {WIREGUARD_PORT} between the members, read each member's /etc/wireguard/public.key over SSH, then on every member run `sudo stagecraft-wg-add-peer PUBLIC_KEY ADDRESS ENDPOINT` once per other member (addresses and endpoints: output {name}_wireguard_members)."
            )),
        );
    }
}
