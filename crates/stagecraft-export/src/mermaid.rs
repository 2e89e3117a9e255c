//! The design as a Mermaid flowchart, for wikis and pull requests that render Mermaid: groups
//! as nested subgraphs, components as nodes, connections as labelled arrows (dotted arrow for
//! the public internet, plain for a private network, thick for a VPN), provider colours as
//! classes. Node ids are derived from component ids; labels are quoted with Mermaid's entity
//! codes so no name can break the syntax.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use stagecraft_model::{Component, Design, Group, NetworkPath, Provider};

use crate::geometry::connection_label;
use crate::svg::{kind_label, provider_color, size_line};

/// Mermaid's entity codes for characters that would end a quoted label or start markup.
fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Stable Mermaid ids: the design id with anything but `[A-Za-z0-9_]` replaced, made unique.
fn node_ids(design: &Design) -> BTreeMap<String, String> {
    let mut ids: Vec<String> = design
        .components
        .iter()
        .map(|c| c.id.to_string())
        .chain(design.groups.iter().map(|g| g.id.to_string()))
        .collect();
    ids.sort();
    let mut used = BTreeSet::new();
    let mut out = BTreeMap::new();
    for id in ids {
        let base: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut candidate = base.clone();
        let mut n = 2;
        while !used.insert(candidate.clone()) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        out.insert(id, candidate);
    }
    out
}

/// The design as Mermaid flowchart text.
pub fn render_mermaid(design: &Design) -> String {
    let ids = node_ids(design);
    let mut out = String::new();
    let _ = writeln!(out, "---\ntitle: \"{}\"\n---", label(design.name.trim()));
    out.push_str("flowchart LR\n");
    let mut groups: Vec<&Group> = design.groups.iter().collect();
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    let mut components: Vec<&Component> = design.components.iter().collect();
    components.sort_by(|a, b| a.id.cmp(&b.id));
    let known_group = |id: &stagecraft_model::GroupId| design.group(id).is_some();

    // Top level: groups without a (known) parent, then components without a (known) group.
    let mut visited = BTreeSet::new();
    for group in groups
        .iter()
        .filter(|g| g.parent.as_ref().is_none_or(|p| !known_group(p)))
    {
        write_group(&mut out, group, &groups, &components, &ids, 1, &mut visited);
    }
    for component in components
        .iter()
        .filter(|c| c.group.as_ref().is_none_or(|g| !known_group(g)))
    {
        write_node(&mut out, component, &ids, 1);
    }

    let mut connections: Vec<_> = design.connections.iter().collect();
    connections.sort_by(|a, b| a.id.cmp(&b.id));
    let mut vpn_links = Vec::new();
    let mut index = 0;
    for connection in connections {
        let (Some(from), Some(to)) = (
            ids.get(connection.from.as_str()),
            ids.get(connection.to.as_str()),
        ) else {
            continue;
        };
        let mut text = connection_label(connection);
        if let Some(extra) = connection
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            text = format!("{text} {extra}");
        }
        let arrow = match connection.network {
            NetworkPath::Public => "-.->",
            NetworkPath::Private => "-->",
            NetworkPath::Vpn => {
                vpn_links.push(index);
                "==>"
            }
        };
        let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", label(&text));
        index += 1;
    }
    for link in vpn_links {
        let _ = writeln!(out, "  linkStyle {link} stroke-dasharray: 2 4");
    }
    for provider in [
        Provider::Hetzner,
        Provider::Digitalocean,
        Provider::Aws,
        Provider::Unassigned,
    ] {
        let _ = writeln!(
            out,
            "  classDef {} fill:#ffffff,stroke:{},stroke-width:2px",
            provider.slug(),
            provider_color(provider)
        );
    }
    for provider in [
        Provider::Hetzner,
        Provider::Digitalocean,
        Provider::Aws,
        Provider::Unassigned,
    ] {
        let members: Vec<&str> = components
            .iter()
            .filter(|c| c.provider == provider)
            .filter_map(|c| ids.get(c.id.as_str()).map(String::as_str))
            .collect();
        if !members.is_empty() {
            let _ = writeln!(out, "  class {} {}", members.join(","), provider.slug());
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn write_group(
    out: &mut String,
    group: &Group,
    groups: &[&Group],
    components: &[&Component],
    ids: &BTreeMap<String, String>,
    depth: usize,
    visited: &mut BTreeSet<String>,
) {
    // A parent cycle cannot loop forever: each group is written once.
    if !visited.insert(group.id.to_string()) {
        return;
    }
    let indent = "  ".repeat(depth);
    let mut title = group.name.trim().to_owned();
    let detail: Vec<&str> = group
        .region
        .iter()
        .chain(group.cidr.iter())
        .map(String::as_str)
        .collect();
    if !detail.is_empty() {
        title = format!("{title} ({})", detail.join(", "));
    }
    let _ = writeln!(
        out,
        "{indent}subgraph {}[\"{}\"]",
        ids[group.id.as_str()],
        label(&title)
    );
    for child in groups
        .iter()
        .filter(|g| g.parent.as_ref() == Some(&group.id))
    {
        write_group(out, child, groups, components, ids, depth + 1, visited);
    }
    for component in components
        .iter()
        .filter(|c| c.group.as_ref() == Some(&group.id))
    {
        write_node(out, component, ids, depth + 1);
    }
    let _ = writeln!(out, "{indent}end");
}

fn write_node(
    out: &mut String,
    component: &Component,
    ids: &BTreeMap<String, String>,
    depth: usize,
) {
    let mut text = format!(
        "{}<br/>{}",
        label(component.name.trim()),
        label(kind_label(component.kind))
    );
    let size = size_line(component);
    if !size.is_empty() {
        let _ = write!(text, "<br/>{}", label(&size));
    }
    let _ = writeln!(
        out,
        "{}{}[\"{text}\"]",
        "  ".repeat(depth),
        ids[component.id.as_str()]
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_break_out_of_quotes() {
        assert_eq!(label(r#"a"b<c>&#"#), "a#quot;b#lt;c#gt;#amp;#35;");
    }
}
