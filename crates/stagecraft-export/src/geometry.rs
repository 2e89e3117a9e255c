//! Where everything is drawn: component boxes, group containers and connection routes, computed
//! once from the design's `layout` and shared by the SVG and draw.io writers so both show the
//! same picture as the canvas.
//!
//! Layout positions are absolute canvas coordinates. Components have no stored size (the canvas
//! draws them at [`NODE_WIDTH`] x [`NODE_HEIGHT`]); groups carry their own size, and a group
//! without one is fitted around its members. Components without a placement are lined up below
//! the drawing in id order, so nothing silently disappears from a picture.

use std::collections::BTreeMap;

use stagecraft_model::{Component, Connection, Design, Group};

/// Width of a component box, as on the canvas.
pub const NODE_WIDTH: f64 = 180.0;
/// Height of a component box, as on the canvas.
pub const NODE_HEIGHT: f64 = 64.0;
/// Space around a group's members when the group has no stored size.
const GROUP_PADDING: f64 = 24.0;
/// Room above a group's members for its label.
const GROUP_LABEL_ROOM: f64 = 40.0;
/// Horizontal step between components that have no placement.
const UNPLACED_STEP: f64 = 220.0;

/// An axis-aligned rectangle in canvas coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
    /// The smallest rectangle holding both.
    pub fn union(&self, other: &Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Rect {
            x,
            y,
            w: self.right().max(other.right()) - x,
            h: self.bottom().max(other.bottom()) - y,
        }
    }
}

/// A group and where it is drawn; `depth` 0 is outermost.
pub struct PlacedGroup<'a> {
    pub group: &'a Group,
    pub rect: Rect,
    pub depth: usize,
}

/// A component and its box.
pub struct PlacedComponent<'a> {
    pub component: &'a Component,
    pub rect: Rect,
}

/// A connection as an orthogonal polyline from the edge of one box to the edge of the other,
/// with the point where its label sits.
pub struct Route<'a> {
    pub connection: &'a Connection,
    pub points: Vec<(f64, f64)>,
    pub label_at: (f64, f64),
}

/// The whole drawing, in drawing order (groups outermost first, then by id; components and
/// connections by id), so output never depends on the order of arrays in the file.
pub struct Diagram<'a> {
    pub groups: Vec<PlacedGroup<'a>>,
    pub components: Vec<PlacedComponent<'a>>,
    pub routes: Vec<Route<'a>>,
    /// Everything drawn, before margins.
    pub bounds: Rect,
}

impl<'a> Diagram<'a> {
    /// Lays out `design`. Never fails: missing placements and dangling references are drawn
    /// around (unplaced components lined up, connections to unknown components left out).
    pub fn of(design: &'a Design) -> Diagram<'a> {
        let nodes = &design.layout.nodes;
        let mut components: Vec<&Component> = design.components.iter().collect();
        components.sort_by(|a, b| a.id.cmp(&b.id));

        let placed_bottom = components
            .iter()
            .filter_map(|c| nodes.get(c.id.as_str()))
            .map(|p| p.y + NODE_HEIGHT)
            .fold(None, |acc: Option<f64>, y| {
                Some(acc.map_or(y, |a| a.max(y)))
            });
        let placed_left = components
            .iter()
            .filter_map(|c| nodes.get(c.id.as_str()))
            .map(|p| p.x)
            .fold(None, |acc: Option<f64>, x| {
                Some(acc.map_or(x, |a| a.min(x)))
            });
        let unplaced_y = placed_bottom.map_or(0.0, |y| y + 80.0);
        let unplaced_x = placed_left.unwrap_or(0.0);
        let mut unplaced = 0usize;
        let placed_components: Vec<PlacedComponent> = components
            .into_iter()
            .map(|component| {
                let rect = match nodes.get(component.id.as_str()) {
                    Some(p) => Rect {
                        x: p.x,
                        y: p.y,
                        w: NODE_WIDTH,
                        h: NODE_HEIGHT,
                    },
                    None => {
                        let rect = Rect {
                            x: unplaced_x + unplaced as f64 * UNPLACED_STEP,
                            y: unplaced_y,
                            w: NODE_WIDTH,
                            h: NODE_HEIGHT,
                        };
                        unplaced += 1;
                        rect
                    }
                };
                PlacedComponent { component, rect }
            })
            .collect();

        let groups = place_groups(design, &placed_components);
        let by_id: BTreeMap<&str, Rect> = placed_components
            .iter()
            .map(|p| (p.component.id.as_str(), p.rect))
            .collect();
        let mut connections: Vec<&Connection> = design.connections.iter().collect();
        connections.sort_by(|a, b| a.id.cmp(&b.id));
        let routes = connections
            .into_iter()
            .filter_map(|connection| {
                let from = by_id.get(connection.from.as_str())?;
                let to = by_id.get(connection.to.as_str())?;
                Some(route(connection, from, to))
            })
            .collect();

        let bounds = placed_components
            .iter()
            .map(|p| p.rect)
            .chain(groups.iter().map(|g| g.rect))
            .reduce(|a, b| a.union(&b))
            .unwrap_or(Rect {
                x: 0.0,
                y: 0.0,
                w: NODE_WIDTH,
                h: NODE_HEIGHT,
            });
        Diagram {
            groups,
            components: placed_components,
            routes,
            bounds,
        }
    }
}

/// How deep a group sits, following `parent` and stopping at cycles or missing parents.
fn depth_of(design: &Design, group: &Group) -> usize {
    let mut seen = vec![group.id.as_str()];
    let mut next = group.parent.as_ref();
    while let Some(id) = next {
        match design.group(id) {
            Some(parent) if !seen.contains(&parent.id.as_str()) => {
                seen.push(parent.id.as_str());
                next = parent.parent.as_ref();
            }
            _ => break,
        }
    }
    seen.len() - 1
}

fn place_groups<'a>(
    design: &'a Design,
    components: &[PlacedComponent<'a>],
) -> Vec<PlacedGroup<'a>> {
    let mut groups: Vec<(&Group, usize)> = design
        .groups
        .iter()
        .map(|g| (g, depth_of(design, g)))
        .collect();
    // Deepest first, so a group without a stored size can be fitted around its placed children.
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.id.cmp(&b.0.id)));
    let mut rects: BTreeMap<&str, Rect> = BTreeMap::new();
    let mut empty = 0usize;
    for (group, _) in &groups {
        let stored = design
            .layout
            .nodes
            .get(group.id.as_str())
            .and_then(|p| Some((p, p.width?, p.height?)));
        let rect = match stored {
            Some((p, w, h)) => Rect {
                x: p.x,
                y: p.y,
                w,
                h,
            },
            None => {
                let members = components
                    .iter()
                    .filter(|c| c.component.group.as_ref() == Some(&group.id))
                    .map(|c| c.rect)
                    .chain(
                        design
                            .groups
                            .iter()
                            .filter(|child| child.parent.as_ref() == Some(&group.id))
                            .filter_map(|child| rects.get(child.id.as_str()).copied()),
                    )
                    .reduce(|a, b| a.union(&b));
                match members {
                    Some(inner) => Rect {
                        x: inner.x - GROUP_PADDING,
                        y: inner.y - GROUP_LABEL_ROOM,
                        w: inner.w + 2.0 * GROUP_PADDING,
                        h: inner.h + GROUP_LABEL_ROOM + GROUP_PADDING,
                    },
                    None => {
                        // An empty group without a size still shows up, above the drawing.
                        let rect = Rect {
                            x: empty as f64 * UNPLACED_STEP,
                            y: -160.0,
                            w: NODE_WIDTH,
                            h: 100.0,
                        };
                        empty += 1;
                        rect
                    }
                }
            }
        };
        rects.insert(group.id.as_str(), rect);
    }
    groups.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)));
    groups
        .into_iter()
        .map(|(group, depth)| PlacedGroup {
            group,
            rect: rects[group.id.as_str()],
            depth,
        })
        .collect()
}

/// Minimum horizontal gap for a connection to leave a box sideways rather than from top/bottom.
const SIDEWAYS_GAP: f64 = 16.0;

/// An orthogonal route: sideways (right/left edge, horizontal-vertical-horizontal) when the boxes
/// are apart horizontally, otherwise from bottom/top edge (vertical-horizontal-vertical).
fn route<'a>(connection: &'a Connection, from: &Rect, to: &Rect) -> Route<'a> {
    let (fx, fy) = from.center();
    let (tx, ty) = to.center();
    let sideways = to.x >= from.right() + SIDEWAYS_GAP || to.right() + SIDEWAYS_GAP <= from.x;
    let points = if sideways {
        let (sx, ex) = if tx > fx {
            (from.right(), to.x)
        } else {
            (from.x, to.right())
        };
        let mid = (sx + ex) / 2.0;
        if (fy - ty).abs() < 0.5 {
            vec![(sx, fy), (ex, ty)]
        } else {
            vec![(sx, fy), (mid, fy), (mid, ty), (ex, ty)]
        }
    } else {
        let (sy, ey) = if ty > fy {
            (from.bottom(), to.y)
        } else {
            (from.y, to.bottom())
        };
        let mid = (sy + ey) / 2.0;
        if (fx - tx).abs() < 0.5 {
            vec![(fx, sy), (tx, ey)]
        } else {
            vec![(fx, sy), (fx, mid), (tx, mid), (tx, ey)]
        }
    };
    let label_at = if points.len() == 4 {
        (
            (points[1].0 + points[2].0) / 2.0,
            (points[1].1 + points[2].1) / 2.0,
        )
    } else {
        (
            (points[0].0 + points[1].0) / 2.0,
            (points[0].1 + points[1].1) / 2.0,
        )
    };
    Route {
        connection,
        points,
        label_at,
    }
}

/// The text a connection is labelled with: `protocol:port[,port]` (the protocol's usual port
/// when none is given).
pub fn connection_label(connection: &Connection) -> String {
    let protocol = serde_json::to_value(connection.protocol)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let ports: Vec<String> = if connection.ports.is_empty() {
        connection
            .protocol
            .default_port()
            .map(|p| p.to_string())
            .into_iter()
            .collect()
    } else {
        connection.ports.iter().map(u16::to_string).collect()
    };
    if ports.is_empty() {
        protocol
    } else {
        format!("{protocol}:{}", ports.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_model::{template, Stage};

    #[test]
    fn stored_group_sizes_are_kept_and_unsized_groups_wrap_their_members() {
        let design = template(Stage::Growth).design().unwrap();
        let diagram = Diagram::of(&design);
        let net = diagram
            .groups
            .iter()
            .find(|g| g.group.id.as_str() == "grp_net")
            .unwrap();
        assert_eq!(
            net.rect,
            Rect {
                x: 270.0,
                y: 140.0,
                w: 660.0,
                h: 380.0
            }
        );
        assert_eq!(net.depth, 1);

        let generated = stagecraft_model::generate::generated_design(16);
        let diagram = Diagram::of(&generated);
        for placed in &diagram.groups {
            for c in diagram
                .components
                .iter()
                .filter(|c| c.component.group.as_ref() == Some(&placed.group.id))
            {
                let union = placed.rect.union(&c.rect);
                assert_eq!(
                    union, placed.rect,
                    "{} must contain {}",
                    placed.group.id, c.component.id
                );
            }
        }
    }

    #[test]
    fn routes_leave_and_enter_box_edges_orthogonally() {
        let design = template(Stage::Scale).design().unwrap();
        let diagram = Diagram::of(&design);
        assert_eq!(diagram.routes.len(), design.connections.len());
        for route in &diagram.routes {
            for pair in route.points.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                assert!(
                    (a.0 - b.0).abs() < 1e-9 || (a.1 - b.1).abs() < 1e-9,
                    "{} has a diagonal segment {a:?} -> {b:?}",
                    route.connection.id
                );
            }
        }
    }

    #[test]
    fn labels_name_protocol_and_ports() {
        let design = template(Stage::Mvp).design().unwrap();
        let con = design
            .connections
            .iter()
            .find(|c| c.id.as_str() == "con_users_app")
            .unwrap();
        assert_eq!(connection_label(con), "https:443");
    }
}
