//! The diagram as SVG, drawn from the design and its layout: groups as labelled containers,
//! components as boxes with their icon, name, kind, size and a provider badge, connections as
//! orthogonal arrows labelled `protocol:port` (dashed over the public internet, solid on a
//! private network, dotted over a VPN), a title and a legend.
//!
//! Invariants: the same design gives the same bytes (elements are emitted in id order, numbers
//! are rounded, nothing depends on time or the machine); every piece of user text is XML-escaped;
//! the file references nothing outside itself.

use std::fmt::Write as _;

use stagecraft_model::{
    catalog, Component, ComponentKind, Design, GroupKind, NetworkPath, Provider,
};

use crate::geometry::{connection_label, Diagram, Rect, NODE_HEIGHT, NODE_WIDTH};
use crate::glyphs::{GlyphWriter, Placement};
use crate::icons;
use crate::text::{fit, num, text_width, xml_escape as esc};

/// The font every export names. The PNG and PDF renderers load only the embedded DejaVu Sans, so
/// text looks the same on every machine; browsers fall back to a similar sans-serif.
pub const FONT_FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

const MARGIN_SIDE: f64 = 32.0;
const MARGIN_TOP: f64 = 76.0;
const MARGIN_BOTTOM: f64 = 72.0;
const INK: &str = "#0F172A";
const MUTED: &str = "#475569";
const EDGE: &str = "#475569";

/// Badge colour of a provider: Hetzner red, DigitalOcean blue, AWS orange, unassigned grey.
pub fn provider_color(provider: Provider) -> &'static str {
    match provider {
        Provider::Hetzner => "#D50C2D",
        Provider::Digitalocean => "#0069FF",
        Provider::Aws => "#FF9900",
        Provider::Unassigned => "#8A94A6",
    }
}

/// Stroke dash pattern of a connection over a network: dashed public, solid private, dotted VPN.
pub fn dash_pattern(network: NetworkPath) -> Option<&'static str> {
    match network {
        NetworkPath::Public => Some("8 5"),
        NetworkPath::Private => None,
        NetworkPath::Vpn => Some("1.5 4"),
    }
}

/// How labels are written: as SVG `<text>` (the SVG, PDF and report, where text stays text) or
/// as glyph outlines (the picture handed to resvg for the PNG, see [`crate::glyphs`]).
pub(crate) enum Labels {
    Text,
    Outlines(GlyphWriter),
}

impl Labels {
    /// Appends one label. `explicit_size` false leaves the size to the enclosing group (the
    /// legend), as `<text>` does.
    fn write(&mut self, svg: &mut String, text: &str, at: &Placement<'_>, explicit_size: bool) {
        match self {
            Labels::Text => {
                let _ = write!(svg, r#"<text x="{}" y="{}""#, num(at.x), num(at.y));
                if explicit_size {
                    let _ = write!(svg, r#" font-size="{}""#, num(at.size));
                }
                if at.bold {
                    svg.push_str(r#" font-weight="bold""#);
                }
                if at.middle {
                    svg.push_str(r#" text-anchor="middle""#);
                }
                if let Some(fill) = at.fill {
                    let _ = write!(svg, r#" fill="{fill}""#);
                }
                let _ = write!(svg, ">{}</text>", esc(text));
            }
            Labels::Outlines(glyphs) => glyphs.write(svg, text, at),
        }
    }
}

/// A label's placement; `bold`, `middle` and `fill` are set with struct update syntax.
fn at(x: f64, y: f64, size: f64) -> Placement<'static> {
    Placement {
        x,
        y,
        size,
        bold: false,
        middle: false,
        fill: None,
    }
}

/// The design drawn as a standalone SVG document (UTF-8 text), with a transparent background.
pub fn render_svg(design: &Design) -> String {
    document(design, &mut Labels::Text)
}

/// The SVG document with labels as glyph outlines, for rasterising.
pub(crate) fn render_svg_outlined(design: &Design) -> String {
    document(design, &mut Labels::Outlines(GlyphWriter::default()))
}

fn document(design: &Design, labels: &mut Labels) -> String {
    let (view, body) = diagram_svg_with(design, labels);
    let mut svg = String::with_capacity(body.len() + 256);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="{x} {y} {w} {h}" font-family="{FONT_FAMILY}">"#,
        x = num(view.x),
        y = num(view.y),
        w = num(view.w),
        h = num(view.h),
    );
    svg.push_str(&body);
    svg.push_str("</svg>\n");
    svg
}

/// The diagram's view box and its SVG content (everything inside the root element), so other
/// exports can place the same drawing on a page or inside an HTML report.
pub(crate) fn diagram_svg(design: &Design) -> (Rect, String) {
    diagram_svg_with(design, &mut Labels::Text)
}

fn diagram_svg_with(design: &Design, labels: &mut Labels) -> (Rect, String) {
    let diagram = Diagram::of(design);
    let title = design.name.trim();
    let subtitle = subtitle(design);
    let b = diagram.bounds;
    let min_width = text_width(title, 18.0, true).max(text_width(&subtitle, 12.0, false)) + 8.0;
    let legend_width = 640.0;
    let view = Rect {
        x: b.x - MARGIN_SIDE,
        y: b.y - MARGIN_TOP,
        w: b.w.max(min_width).max(legend_width) + 2.0 * MARGIN_SIDE,
        h: b.h + MARGIN_TOP + MARGIN_BOTTOM,
    };
    let mut svg = String::with_capacity(1024 + diagram.components.len() * 1400);
    let _ = write!(svg, "\n<title>{}</title>\n", esc(title));
    let _ = write!(
        svg,
        r#"<defs><marker id="sc-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{EDGE}"/></marker></defs>"#
    );
    svg.push('\n');
    let title_at = Placement {
        bold: true,
        fill: Some(INK),
        ..at(b.x, b.y - 44.0, 18.0)
    };
    labels.write(&mut svg, title, &title_at, true);
    svg.push('\n');
    let subtitle_at = Placement {
        fill: Some(MUTED),
        ..at(b.x, b.y - 24.0, 12.0)
    };
    labels.write(&mut svg, &subtitle, &subtitle_at, true);
    svg.push('\n');

    for placed in &diagram.groups {
        group(&mut svg, labels, placed.group, &placed.rect);
    }
    for route in &diagram.routes {
        let d: String = route
            .points
            .iter()
            .enumerate()
            .map(|(i, (x, y))| format!("{}{} {}", if i == 0 { "M" } else { "L" }, num(*x), num(*y)))
            .collect();
        let dash = dash_pattern(route.connection.network)
            .map(|d| format!(r#" stroke-dasharray="{d}""#))
            .unwrap_or_default();
        let cap = if route.connection.network == NetworkPath::Vpn {
            r#" stroke-linecap="round""#
        } else {
            ""
        };
        let _ = writeln!(
            svg,
            r#"<path id="{id}" d="{d}" fill="none" stroke="{EDGE}" stroke-width="1.6"{dash}{cap} marker-end="url(#sc-arrow)"/>"#,
            id = esc(route.connection.id.as_str()),
        );
    }
    for placed in &diagram.components {
        component(&mut svg, labels, placed.component, &placed.rect);
    }
    for route in &diagram.routes {
        let main = connection_label(route.connection);
        let extra = route
            .connection
            .label
            .as_deref()
            .map(|l| fit(l.trim(), 160.0, 9.5, false))
            .filter(|l| !l.is_empty());
        let width = text_width(&main, 10.0, false)
            .max(extra.as_deref().map_or(0.0, |e| text_width(e, 9.5, false)))
            + 10.0;
        let height = if extra.is_some() { 28.0 } else { 16.0 };
        let (cx, cy) = route.label_at;
        let _ = write!(
            svg,
            r##"<g><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="#FFFFFF" fill-opacity="0.92" stroke="#E2E8F0"/>"##,
            x = num(cx - width / 2.0),
            y = num(cy - height / 2.0),
            w = num(width),
            h = num(height),
        );
        let main_at = Placement {
            middle: true,
            fill: Some("#1E293B"),
            ..at(cx, cy - height / 2.0 + 11.5, 10.0)
        };
        labels.write(&mut svg, &main, &main_at, true);
        if let Some(extra) = extra {
            let extra_at = Placement {
                middle: true,
                fill: Some(MUTED),
                ..at(cx, cy - height / 2.0 + 23.5, 9.5)
            };
            labels.write(&mut svg, &extra, &extra_at, true);
        }
        svg.push_str("</g>\n");
    }
    legend(&mut svg, labels, b.x, b.bottom() + 40.0);
    (view, svg)
}

/// "Stage: Growth · 11 components · 8 connections".
fn subtitle(design: &Design) -> String {
    let mut parts = Vec::new();
    if let Some(stage) = design.assumptions.target_stage {
        parts.push(format!("Stage: {}", stage.label()));
    }
    parts.push(plural(design.components.len(), "component"));
    parts.push(plural(design.connections.len(), "connection"));
    parts.join(" · ")
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn group(svg: &mut String, labels: &mut Labels, group: &stagecraft_model::Group, r: &Rect) {
    let color = provider_color(group.provider);
    let (fill, opacity, stroke, dash) = match group.kind {
        GroupKind::Region => ("#F8FAFC", "1", "#94A3B8", Some("6 4")),
        GroupKind::PrivateNetwork => (color, "0.05", color, None),
        GroupKind::AvailabilityZone => ("#FFFFFF", "0", "#94A3B8", Some("2 3")),
    };
    let dash = dash
        .map(|d| format!(r#" stroke-dasharray="{d}""#))
        .unwrap_or_default();
    let kind_label = catalog()
        .group_kinds
        .iter()
        .find(|k| k.kind == group.kind)
        .map_or("Group", |k| k.label.as_str());
    let mut detail = vec![kind_label.to_owned()];
    if group.provider != Provider::Unassigned {
        detail.push(group.provider.label().to_owned());
    }
    detail.extend(group.region.iter().cloned());
    detail.extend(group.cidr.iter().cloned());
    let name = fit(group.name.trim(), (r.w - 28.0).max(40.0) * 0.7, 12.0, true);
    let name_width = text_width(&name, 12.0, true);
    let detail = fit(
        &detail.join(" · "),
        (r.w - 40.0 - name_width).max(20.0),
        10.5,
        false,
    );
    let _ = write!(
        svg,
        r##"<g id="{id}"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="14" fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}" stroke-width="1.4"{dash}/>"##,
        id = esc(group.id.as_str()),
        x = num(r.x),
        y = num(r.y),
        w = num(r.w),
        h = num(r.h),
    );
    let name_at = Placement {
        bold: true,
        fill: Some("#334155"),
        ..at(r.x + 14.0, r.y + 22.0, 12.0)
    };
    labels.write(svg, &name, &name_at, true);
    let detail_at = Placement {
        fill: Some("#64748B"),
        ..at(r.x + 14.0 + name_width + 8.0, r.y + 22.0, 10.5)
    };
    labels.write(svg, &detail, &detail_at, true);
    svg.push_str("</g>\n");
}

/// The second line of a component: size, replica count (or autoscaling range) and region.
pub fn size_line(component: &Component) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(size) = &component.size {
        parts.push(size.clone());
    }
    match &component.properties.autoscaling {
        Some(a) => parts.push(format!("×{}–{}", a.min, a.max)),
        None if component.count != 1 => parts.push(format!("×{}", component.count)),
        None => {}
    }
    if let Some(region) = &component.region {
        parts.push(region.clone());
    }
    parts.join(" · ")
}

/// The catalogue label of a kind (`App server`).
pub fn kind_label(kind: ComponentKind) -> &'static str {
    catalog().kind(kind).label.as_str()
}

fn component(svg: &mut String, labels: &mut Labels, component: &Component, r: &Rect) {
    let color = provider_color(component.provider);
    let icon_name = &catalog().kind(component.kind).icon;
    let icon = icons::icon(icon_name).unwrap_or(icons::FALLBACK);
    let text_room = NODE_WIDTH - 54.0 - 8.0;
    let name = fit(component.name.trim(), text_room, 13.0, true);
    let kind = fit(kind_label(component.kind), text_room, 11.0, false);
    let size = fit(&size_line(component), text_room, 11.0, false);
    let badge = component.provider.label();
    let badge_w = text_width(badge, 9.5, true) + 14.0;
    let _ = write!(
        svg,
        r##"<g id="{id}" transform="translate({x} {y})"><rect width="{w}" height="{h}" rx="10" fill="#FFFFFF" stroke="#CBD5E1" stroke-width="1.5"/><rect x="10" y="14" width="36" height="36" rx="8" fill="{color}" fill-opacity="0.14"/><g transform="translate(16 20)" fill="none" stroke="#1E293B" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">{icon}</g>"##,
        id = esc(component.id.as_str()),
        x = num(r.x),
        y = num(r.y),
        w = num(NODE_WIDTH),
        h = num(NODE_HEIGHT),
    );
    let name_at = Placement {
        bold: true,
        fill: Some(INK),
        ..at(54.0, 25.0, 13.0)
    };
    labels.write(svg, &name, &name_at, true);
    let line_at = |y| Placement {
        fill: Some(MUTED),
        ..at(54.0, y, 11.0)
    };
    labels.write(svg, &kind, &line_at(41.0), true);
    if !size.is_empty() {
        labels.write(svg, &size, &line_at(56.0), true);
    }
    let _ = write!(
        svg,
        r##"<g transform="translate({bx} -8)"><rect width="{bw}" height="16" rx="8" fill="{color}"/>"##,
        bx = num(NODE_WIDTH - badge_w - 10.0),
        bw = num(badge_w),
    );
    let badge_at = Placement {
        bold: true,
        middle: true,
        fill: Some("#FFFFFF"),
        ..at(badge_w / 2.0, 11.5, 9.5)
    };
    labels.write(svg, badge, &badge_at, true);
    svg.push_str("</g></g>\n");
}

fn legend(svg: &mut String, labels: &mut Labels, x: f64, y: f64) {
    let _ = write!(
        svg,
        r#"<g transform="translate({} {})" font-size="10.5" fill="{MUTED}">"#,
        num(x),
        num(y)
    );
    let mut cx = 0.0;
    for (network, label) in [
        (NetworkPath::Public, "public internet"),
        (NetworkPath::Private, "private network"),
        (NetworkPath::Vpn, "VPN"),
    ] {
        let dash = dash_pattern(network)
            .map(|d| format!(r#" stroke-dasharray="{d}""#))
            .unwrap_or_default();
        let _ = write!(
            svg,
            r#"<path d="M{a} 0H{b}" stroke="{EDGE}" stroke-width="1.6"{dash} marker-end="url(#sc-arrow)"/>"#,
            a = num(cx),
            b = num(cx + 34.0),
        );
        labels.write(svg, label, &at(cx + 42.0, 4.0, 10.5), false);
        cx += 42.0 + text_width(label, 10.5, false) + 20.0;
    }
    for provider in [
        Provider::Hetzner,
        Provider::Digitalocean,
        Provider::Aws,
        Provider::Unassigned,
    ] {
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="-6" width="12" height="12" rx="3" fill="{c}"/>"#,
            x = num(cx),
            c = provider_color(provider),
        );
        labels.write(svg, provider.label(), &at(cx + 17.0, 4.0, 10.5), false);
        cx += 17.0 + text_width(provider.label(), 10.5, false) + 16.0;
    }
    svg.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_model::{template, Stage};

    #[test]
    fn user_text_is_escaped_and_stays_well_formed() {
        let mut design = template(Stage::Mvp).design().unwrap();
        design.name = r#"<script>alert("x")</script> & co"#.into();
        design.components[0].name = "a<b>&\"c'".into();
        let svg = render_svg(&design);
        assert!(!svg.contains("<script>"), "raw markup must not survive");
        roxmltree::Document::parse(&svg).expect("the SVG must stay well-formed XML");
    }

    #[test]
    fn public_private_and_vpn_lines_are_styled_apart() {
        let design = template(Stage::Scale).design().unwrap();
        let svg = render_svg(&design);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let dash = |id: &str| {
            doc.descendants()
                .find(|n| n.attribute("id") == Some(id))
                .unwrap_or_else(|| panic!("{id} is drawn"))
                .attribute("stroke-dasharray")
                .map(str::to_owned)
        };
        assert_eq!(
            dash("con_users_cdn").as_deref(),
            Some("8 5"),
            "public is dashed"
        );
        assert_eq!(dash("con_alb_web_use1"), None, "private is solid");
        assert_eq!(
            dash("con_workers_db_euc1").as_deref(),
            Some("1.5 4"),
            "VPN is dotted"
        );
    }

    #[test]
    fn every_component_group_and_connection_is_drawn_once() {
        let design = template(Stage::Growth).design().unwrap();
        let svg = render_svg(&design);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let ids: Vec<String> = design
            .components
            .iter()
            .map(|c| c.id.to_string())
            .chain(design.groups.iter().map(|g| g.id.to_string()))
            .chain(design.connections.iter().map(|c| c.id.to_string()))
            .collect();
        for id in ids {
            let found = doc
                .descendants()
                .filter(|n| n.attribute("id") == Some(id.as_str()))
                .count();
            assert_eq!(found, 1, "{id} must be drawn exactly once");
        }
        assert!(svg.contains(">Hetzner</text>"), "provider badge is shown");
        assert!(
            svg.contains(">postgresql:5432</text>"),
            "connections are labelled"
        );
    }
}
