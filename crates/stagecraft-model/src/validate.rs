//! Consistency checks every loaded document must pass: ids unique, references resolving, group
//! nesting acyclic. These make a document safe for every other crate to read; judging whether the
//! design is *good* is the rules engine's job, not this module's.

use std::collections::{HashMap, HashSet};

use crate::design::Design;
use crate::error::{LoadErrorKind, LoadProblem};
use crate::locate;

/// Longest accepted name of a component, group or design.
pub const MAX_NAME_LEN: usize = 200;

/// A consistency problem, located in `source` when the text is known.
struct Found {
    field: String,
    message: String,
    /// Byte offset in the source text, when it could be found.
    offset: Option<usize>,
}

/// Checks a parsed document. `source` is the text it came from, used only to locate problems.
pub fn check_document(design: &Design, file: &str, source: Option<&str>) -> Vec<LoadProblem> {
    let mut found: Vec<Found> = Vec::new();
    let locate_member = |key: &str, value: &str, nth: usize| {
        source.and_then(|s| locate::find_member_values(s, key, value).get(nth).copied())
    };
    let locate_any = |value: &str| source.and_then(|s| locate::find_string(s, value));

    if design.name.trim().is_empty() {
        found.push(Found {
            field: "name".into(),
            message: "the design needs a name".into(),
            offset: None,
        });
    }

    // Unique ids. The prefixes differ per type, so per-type uniqueness is global uniqueness.
    // Field paths are only formatted for duplicates: this loop runs over every id of the design.
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(
        design.components.len() + design.connections.len() + design.groups.len(),
    );
    let all_ids = design
        .components
        .iter()
        .map(|c| c.id.as_str())
        .enumerate()
        .map(|(i, id)| ("components", i, id))
        .chain(
            design
                .connections
                .iter()
                .enumerate()
                .map(|(i, c)| ("connections", i, c.id.as_str())),
        )
        .chain(
            design
                .groups
                .iter()
                .enumerate()
                .map(|(i, g)| ("groups", i, g.id.as_str())),
        );
    for (section, index, id) in all_ids {
        let count = seen.entry(id).or_insert(0);
        *count += 1;
        if *count > 1 {
            found.push(Found {
                field: format!("{section}[{index}].id"),
                message: format!("duplicate id `{id}`: ids must be unique in a design"),
                offset: locate_member("id", id, *count - 1),
            });
        }
    }

    let components: HashSet<&str> = design.components.iter().map(|c| c.id.as_str()).collect();
    let groups: HashSet<&str> = design.groups.iter().map(|g| g.id.as_str()).collect();

    for (i, component) in design.components.iter().enumerate() {
        if component.name.trim().is_empty() || component.name.len() > MAX_NAME_LEN {
            found.push(Found {
                field: format!("components[{i}].name"),
                message: format!("a component name must be 1 to {MAX_NAME_LEN} characters"),
                offset: locate_member("id", component.id.as_str(), 0),
            });
        }
        if component.count == 0 {
            found.push(Found {
                field: format!("components[{i}].count"),
                message: "count must be at least 1".into(),
                offset: locate_member("id", component.id.as_str(), 0),
            });
        }
        if let Some(group) = &component.group {
            if !groups.contains(group.as_str()) {
                found.push(Found {
                    field: format!("components[{i}].group"),
                    message: format!("group `{group}` does not exist"),
                    offset: locate_member("group", group.as_str(), 0),
                });
            }
        }
        for (key, target) in component.properties.references() {
            if !components.contains(target.as_str()) {
                found.push(Found {
                    field: format!("components[{i}].properties.{key}"),
                    message: format!("component `{target}` does not exist"),
                    offset: locate_any(target.as_str()),
                });
            } else if target == &component.id {
                found.push(Found {
                    field: format!("components[{i}].properties.{key}"),
                    message: "a component cannot refer to itself here".into(),
                    offset: locate_member("id", component.id.as_str(), 0),
                });
            }
        }
        for (r, rule) in component.properties.firewall_rules.iter().enumerate() {
            if let Err(message) = rule.port_range() {
                found.push(Found {
                    field: format!("components[{i}].properties.firewall_rules[{r}].port"),
                    message,
                    offset: rule
                        .port
                        .as_deref()
                        .and_then(|p| locate_member("port", p, 0)),
                });
            }
        }
        if let Some(scaling) = &component.properties.autoscaling {
            if scaling.min > scaling.max {
                found.push(Found {
                    field: format!("components[{i}].properties.autoscaling"),
                    message: format!(
                        "min ({}) must not exceed max ({})",
                        scaling.min, scaling.max
                    ),
                    offset: locate_member("id", component.id.as_str(), 0),
                });
            }
        }
    }

    for (i, connection) in design.connections.iter().enumerate() {
        for (key, end) in [("from", &connection.from), ("to", &connection.to)] {
            if !components.contains(end.as_str()) {
                found.push(Found {
                    field: format!("connections[{i}].{key}"),
                    message: format!("dangling connection: component `{end}` does not exist"),
                    offset: locate_member(key, end.as_str(), 0),
                });
            }
        }
        if connection.from == connection.to {
            found.push(Found {
                field: format!("connections[{i}]"),
                message: "a connection cannot join a component to itself".into(),
                offset: locate_member("id", connection.id.as_str(), 0),
            });
        }
        if connection.ports.contains(&0) {
            found.push(Found {
                field: format!("connections[{i}].ports"),
                message: "port 0 is not a port".into(),
                offset: locate_member("id", connection.id.as_str(), 0),
            });
        }
    }

    for (i, group) in design.groups.iter().enumerate() {
        if let Some(parent) = &group.parent {
            if !groups.contains(parent.as_str()) {
                found.push(Found {
                    field: format!("groups[{i}].parent"),
                    message: format!("parent group `{parent}` does not exist"),
                    offset: locate_member("parent", parent.as_str(), 0),
                });
            } else if in_cycle(design, i) {
                found.push(Found {
                    field: format!("groups[{i}].parent"),
                    message: format!("group `{}` is nested inside itself", group.id),
                    offset: locate_member("id", group.id.as_str(), 0),
                });
            }
        }
    }

    for key in design.layout.nodes.keys() {
        if !components.contains(key.as_str()) && !groups.contains(key.as_str()) {
            found.push(Found {
                field: format!("layout.nodes.{key}"),
                message: format!("layout for `{key}`, which is neither a component nor a group"),
                offset: source.and_then(|s| s.find(&format!("\"{key}\":"))),
            });
        }
    }

    found
        .into_iter()
        .map(|f| LoadProblem {
            kind: LoadErrorKind::Invalid,
            file: file.to_owned(),
            position: f
                .offset
                .zip(source)
                .map(|(offset, text)| locate::position_of(text, offset)),
            field: Some(f.field),
            message: f.message,
        })
        .collect()
}

/// Whether following parents from group `start` comes back to it.
fn in_cycle(design: &Design, start: usize) -> bool {
    let start_id = &design.groups[start].id;
    let mut current = design.groups[start].parent.as_ref();
    for _ in 0..design.groups.len() {
        match current {
            Some(id) if id == start_id => return true,
            Some(id) => current = design.group(id).and_then(|g| g.parent.as_ref()),
            None => return false,
        }
    }
    false
}
