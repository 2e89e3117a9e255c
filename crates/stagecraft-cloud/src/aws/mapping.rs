//! What the neutral mapping needs to know about AWS, kept here so `resources.rs` only calls in.
//!
//! - Every EC2 instance lives in a VPC: servers without a drawn network get one per region.
//! - Security groups filter private traffic too (Hetzner firewalls do not): a server's derived
//!   group also opens the ports of its private connections, to the VPC's address range only.
//! - Key pairs are regional: one SSH key resource per region, its region in its local name.
//! - An application load balancer speaks HTTP; TLS on 443 needs a certificate Stagecraft does
//!   not manage, so only the HTTP listeners are mapped (add HTTPS with an ACM certificate).

use stagecraft_model::{Component, Design, Direction, NetworkPath, Protocol};

use crate::resources::{FirewallRuleSpec, LbServiceSpec};

/// Local name of the SSH key resource for `region`.
pub(crate) fn ssh_key_local(region: &str) -> String {
    format!("ssh-key-aws-{region}")
}

/// The region an SSH key resource imports into, from its local name.
pub(crate) fn ssh_key_region(local: &str) -> Option<&str> {
    local.strip_prefix("ssh-key-aws-").filter(|r| !r.is_empty())
}

/// Local name of the VPC the design's servers in `region` share when they sit in no drawn
/// network.
pub(crate) fn default_network_local(region: &str) -> String {
    format!("network-aws-{region}")
}

/// The address range of a default VPC.
pub(crate) const DEFAULT_VPC_RANGE: &str = "10.96.0.0/16";

/// Inbound rules for the private connections that reach `component`, from `vpc_range` only.
pub(crate) fn private_rules(
    design: &Design,
    component: &Component,
    vpc_range: &str,
    ports_of: impl Fn(Protocol, &[u16]) -> Vec<u16>,
    transport_of: impl Fn(Protocol) -> stagecraft_model::FirewallProtocol,
) -> Vec<FirewallRuleSpec> {
    let mut seen = Vec::new();
    let mut rules = Vec::new();
    for connection in design
        .connections
        .iter()
        // A tunnel's traffic arrives inside WireGuard, not from the VPC.
        .filter(|c| {
            c.to == component.id
                && c.network == NetworkPath::Private
                && !crate::wireguard::is_tunnel(design, c)
        })
    {
        let from = design
            .component(&connection.from)
            .map_or_else(|| connection.from.to_string(), |c| c.name.clone());
        for port in ports_of(connection.protocol, &connection.ports) {
            let protocol = transport_of(connection.protocol);
            if !seen.contains(&(port, protocol)) {
                seen.push((port, protocol));
                rules.push(FirewallRuleSpec {
                    direction: Direction::Inbound,
                    protocol,
                    port: Some(port.to_string()),
                    addresses: vec![vpc_range.to_owned()],
                    description: format!("from {from} inside the VPC"),
                });
            }
        }
    }
    rules
}

/// The listeners an AWS balancer of `size` gets: HTTP only on an ALB (`alb`), TCP as given on
/// a network load balancer (`nlb`).
pub(crate) fn balancer_services(size: &str, services: Vec<LbServiceSpec>) -> Vec<LbServiceSpec> {
    if size == "nlb" {
        services
    } else {
        services
            .into_iter()
            .filter(|s| s.protocol == Protocol::Http)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_key_names_carry_their_region() {
        let local = ssh_key_local("eu-central-1");
        assert_eq!(ssh_key_region(&local), Some("eu-central-1"));
        assert_eq!(ssh_key_region("ssh-key-hetzner"), None);
    }
}
