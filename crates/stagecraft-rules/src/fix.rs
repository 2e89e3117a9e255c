//! Fixes: document edits that resolve a finding, applied as one unit.

use serde::{Deserialize, Serialize};
use stagecraft_model::validate::check_document;
use stagecraft_model::{
    Assumptions, Component, ComponentId, Connection, ConnectionId, Design, Group, GroupId,
    Placement, Practices,
};

use crate::index::DesignIndex;

/// A change that resolves a finding: edits applied together, as one undoable step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Fix {
    /// What the change does, for a button ("Move the database to its own server").
    pub label: String,
    pub edits: Vec<Edit>,
}

/// One operation on a design document. The semantics are exactly those of [`apply_fix`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// Adds a component (its id must be new), drawn at `placement` when given.
    AddComponent {
        component: Component,
        placement: Option<Placement>,
    },
    /// Removes a component, every connection to or from it, its layout entry and every reference
    /// to it from other components' properties (`applies_to`, `members`, `backup_sources`,
    /// `attached_to`, `backup.destination`).
    RemoveComponent {
        id: ComponentId,
    },
    /// Replaces the component with the same id by this value (kind, size, properties...).
    UpdateComponent {
        component: Component,
    },
    /// Adds a connection (its id must be new).
    AddConnection {
        connection: Connection,
    },
    RemoveConnection {
        id: ConnectionId,
    },
    /// Replaces the connection with the same id by this value.
    UpdateConnection {
        connection: Connection,
    },
    /// Adds a group (its id must be new), drawn at `placement` when given.
    AddGroup {
        group: Group,
        placement: Option<Placement>,
    },
    /// Removes a group; its components and child groups move to its parent.
    RemoveGroup {
        id: GroupId,
    },
    SetAssumptions {
        assumptions: Assumptions,
    },
    SetPractices {
        practices: Practices,
    },
}

/// Why a fix could not be applied. The design is unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum FixError {
    /// An edit names a component, connection or group the design does not have.
    #[error("edit {edit}: `{id}` is not in the design")]
    Missing { edit: u32, id: String },
    /// An edit adds something whose id is already taken.
    #[error("edit {edit}: id `{id}` is already used")]
    Duplicate { edit: u32, id: String },
    /// The edits would leave the document inconsistent (a dangling reference, a cycle...).
    #[error("the fix would break the design: {}", problems.join("; "))]
    Inconsistent { problems: Vec<String> },
}

/// Applies every edit of `fix` in order, or none of them.
///
/// # Errors
/// [`FixError::Missing`] or [`FixError::Duplicate`] when an edit does not fit the design (it was
/// computed for another version of it), [`FixError::Inconsistent`] when the result would have
/// consistency problems the design did not have before. `design` is unchanged on error.
pub fn apply_fix(design: &mut Design, fix: &Fix) -> Result<(), FixError> {
    let mut next = design.clone();
    for (i, edit) in fix.edits.iter().enumerate() {
        apply_edit(&mut next, edit, u32::try_from(i).unwrap_or(u32::MAX))?;
    }
    let before: Vec<String> = check_document(design, "design", None)
        .into_iter()
        .map(|p| p.to_string())
        .collect();
    let new_problems: Vec<String> = check_document(&next, "design", None)
        .into_iter()
        .map(|p| p.to_string())
        .filter(|p| !before.contains(p))
        .collect();
    if !new_problems.is_empty() {
        return Err(FixError::Inconsistent {
            problems: new_problems,
        });
    }
    *design = next;
    Ok(())
}

fn apply_edit(design: &mut Design, edit: &Edit, n: u32) -> Result<(), FixError> {
    let missing = |id: &str| FixError::Missing {
        edit: n,
        id: id.to_owned(),
    };
    let duplicate = |id: &str| FixError::Duplicate {
        edit: n,
        id: id.to_owned(),
    };
    match edit {
        Edit::AddComponent {
            component,
            placement,
        } => {
            if design.components.iter().any(|c| c.id == component.id) {
                return Err(duplicate(component.id.as_str()));
            }
            if let Some(p) = placement {
                design.layout.nodes.insert(component.id.to_string(), *p);
            }
            design.components.push(component.clone());
        }
        Edit::RemoveComponent { id } => {
            let before = design.components.len();
            design.components.retain(|c| &c.id != id);
            if design.components.len() == before {
                return Err(missing(id.as_str()));
            }
            design.connections.retain(|c| &c.from != id && &c.to != id);
            design.layout.nodes.remove(id.as_str());
            for c in &mut design.components {
                let p = &mut c.properties;
                p.applies_to.retain(|x| x != id);
                p.members.retain(|x| x != id);
                p.backup_sources.retain(|x| x != id);
                if p.attached_to.as_ref() == Some(id) {
                    p.attached_to = None;
                }
                if let Some(backup) = &mut p.backup {
                    if backup.destination.as_ref() == Some(id) {
                        backup.destination = None;
                    }
                }
            }
        }
        Edit::UpdateComponent { component } => {
            let slot = design
                .components
                .iter_mut()
                .find(|c| c.id == component.id)
                .ok_or_else(|| missing(component.id.as_str()))?;
            *slot = component.clone();
        }
        Edit::AddConnection { connection } => {
            if design.connections.iter().any(|c| c.id == connection.id) {
                return Err(duplicate(connection.id.as_str()));
            }
            design.connections.push(connection.clone());
        }
        Edit::RemoveConnection { id } => {
            let before = design.connections.len();
            design.connections.retain(|c| &c.id != id);
            if design.connections.len() == before {
                return Err(missing(id.as_str()));
            }
        }
        Edit::UpdateConnection { connection } => {
            let slot = design
                .connections
                .iter_mut()
                .find(|c| c.id == connection.id)
                .ok_or_else(|| missing(connection.id.as_str()))?;
            *slot = connection.clone();
        }
        Edit::AddGroup { group, placement } => {
            if design.groups.iter().any(|g| g.id == group.id) {
                return Err(duplicate(group.id.as_str()));
            }
            if let Some(p) = placement {
                design.layout.nodes.insert(group.id.to_string(), *p);
            }
            design.groups.push(group.clone());
        }
        Edit::RemoveGroup { id } => {
            let position = design
                .groups
                .iter()
                .position(|g| &g.id == id)
                .ok_or_else(|| missing(id.as_str()))?;
            let removed = design.groups.remove(position);
            for c in &mut design.components {
                if c.group.as_ref() == Some(id) {
                    c.group = removed.parent.clone();
                }
            }
            for g in &mut design.groups {
                if g.parent.as_ref() == Some(id) {
                    g.parent = removed.parent.clone();
                }
            }
            design.layout.nodes.remove(id.as_str());
        }
        Edit::SetAssumptions { assumptions } => design.assumptions = assumptions.clone(),
        Edit::SetPractices { practices } => design.practices = practices.clone(),
    }
    Ok(())
}

/// Hands out new ids derived from existing ones (`cmp_app-db`, `cmp_app-db-2`...), so fixes are
/// deterministic and never collide with the design or with each other.
pub(crate) struct IdAllocator<'a, 'd> {
    index: &'a DesignIndex<'d>,
    taken: Vec<String>,
}

impl<'a, 'd> IdAllocator<'a, 'd> {
    pub fn new(index: &'a DesignIndex<'d>) -> Self {
        Self {
            index,
            taken: Vec::new(),
        }
    }

    fn fresh(&mut self, prefix: &str, base: &str) -> String {
        // Keep room for the prefix's suffix limit (48) minus a `-NN` counter.
        let clean: String = base
            .chars()
            .map(|c| c.to_ascii_lowercase())
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .take(44)
            .collect();
        let clean = if clean.is_empty() {
            "new".to_owned()
        } else {
            clean
        };
        let mut n = 1;
        loop {
            let candidate = if n == 1 {
                format!("{prefix}{clean}")
            } else {
                format!("{prefix}{clean}-{n}")
            };
            if !self.index.has_id(&candidate) && !self.taken.contains(&candidate) {
                self.taken.push(candidate.clone());
                return candidate;
            }
            n += 1;
        }
    }

    pub fn component(&mut self, base: &str) -> ComponentId {
        let text = self.fresh(ComponentId::PREFIX, base);
        ComponentId::parse(&text).unwrap_or_else(|_| ComponentId::generate())
    }

    pub fn connection(&mut self, base: &str) -> ConnectionId {
        let text = self.fresh(ConnectionId::PREFIX, base);
        ConnectionId::parse(&text).unwrap_or_else(|_| ConnectionId::generate())
    }

    pub fn group(&mut self, base: &str) -> GroupId {
        let text = self.fresh(GroupId::PREFIX, base);
        GroupId::parse(&text).unwrap_or_else(|_| GroupId::generate())
    }
}

/// The part of an id after its prefix, as a base for derived ids.
pub(crate) fn id_base(id: &str) -> &str {
    id.split_once('_').map_or(id, |(_, rest)| rest)
}

/// A placement beside `anchor`'s (to the right, `slot` rows down), when the anchor is drawn.
pub(crate) fn beside(index: &DesignIndex<'_>, anchor: &str, slot: u32) -> Option<Placement> {
    index.placement(anchor).map(|p| Placement {
        x: p.x + 240.0,
        y: p.y + f64::from(slot) * 140.0,
        width: None,
        height: None,
    })
}
