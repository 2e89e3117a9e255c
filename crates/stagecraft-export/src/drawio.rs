//! The design as a draw.io (diagrams.net) file: an uncompressed `mxfile` whose `mxGraphModel`
//! holds groups as containers, components as rounded boxes and connections as orthogonal edges,
//! at the same positions as the canvas (child geometry relative to the containing group, as
//! draw.io expects). All text is XML-escaped; line breaks are `&#10;` so they survive attribute
//! normalisation.

use std::fmt::Write as _;

use stagecraft_model::{Design, GroupKind, NetworkPath};

use crate::geometry::{connection_label, Diagram, Rect};
use crate::svg::{kind_label, provider_color, size_line};
use crate::text::{num, xml_escape};

fn value(text: &str) -> String {
    xml_escape(text).replace('\n', "&#10;")
}

/// The design as draw.io XML.
pub fn render_drawio(design: &Design) -> String {
    let diagram = Diagram::of(design);
    let mut out = String::new();
    let _ = writeln!(out, r#"<mxfile host="Stagecraft" type="device">"#);
    let _ = writeln!(
        out,
        r#"  <diagram id="{}" name="{}">"#,
        xml_escape(design.id.as_str()),
        value(design.name.trim())
    );
    out.push_str(r#"    <mxGraphModel grid="1" gridSize="10" guides="1" tooltips="1" connect="1" arrows="1" fold="1" page="0" pageScale="1" math="0" shadow="0">"#);
    out.push_str(
        "\n      <root>\n        <mxCell id=\"0\"/>\n        <mxCell id=\"1\" parent=\"0\"/>\n",
    );

    // Where each group is drawn, to make child geometry relative to it.
    let group_rect = |id: &stagecraft_model::GroupId| -> Option<Rect> {
        diagram
            .groups
            .iter()
            .find(|g| &g.group.id == id)
            .map(|g| g.rect)
    };
    for placed in &diagram.groups {
        let group = placed.group;
        let (parent, origin) = match group
            .parent
            .as_ref()
            .and_then(|p| group_rect(p).map(|r| (p, r)))
        {
            // A parent that is itself a descendant would make draw.io loop; the loader rules
            // out cycles, and groups are emitted outermost first.
            Some((p, r)) if p != &group.id => (p.to_string(), (r.x, r.y)),
            _ => ("1".to_owned(), (0.0, 0.0)),
        };
        let (fill, dashed) = match group.kind {
            GroupKind::Region => ("#F8FAFC", "dashed=1;dashPattern=6 4;"),
            GroupKind::PrivateNetwork => ("#FFF7F7", ""),
            GroupKind::AvailabilityZone => ("none", "dashed=1;dashPattern=2 3;"),
        };
        let stroke = match group.kind {
            GroupKind::PrivateNetwork => provider_color(group.provider),
            _ => "#94A3B8",
        };
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
            r#"        <mxCell id="{id}" value="{v}" style="rounded=1;arcSize=4;whiteSpace=wrap;html=0;container=1;collapsible=0;verticalAlign=top;align=left;spacingLeft=10;fontStyle=1;fillColor={fill};strokeColor={stroke};{dashed}" vertex="1" parent="{parent}"><mxGeometry x="{x}" y="{y}" width="{w}" height="{h}" as="geometry"/></mxCell>"#,
            id = xml_escape(group.id.as_str()),
            v = value(&title),
            parent = xml_escape(&parent),
            x = num(placed.rect.x - origin.0),
            y = num(placed.rect.y - origin.1),
            w = num(placed.rect.w),
            h = num(placed.rect.h),
        );
    }
    for placed in &diagram.components {
        let component = placed.component;
        let (parent, origin) = match component
            .group
            .as_ref()
            .and_then(|g| group_rect(g).map(|r| (g, r)))
        {
            Some((g, r)) => (g.to_string(), (r.x, r.y)),
            None => ("1".to_owned(), (0.0, 0.0)),
        };
        let mut text = format!(
            "{}\n{} · {}",
            component.name.trim(),
            kind_label(component.kind),
            component.provider.label()
        );
        let size = size_line(component);
        if !size.is_empty() {
            text = format!("{text}\n{size}");
        }
        let _ = writeln!(
            out,
            r#"        <mxCell id="{id}" value="{v}" style="rounded=1;whiteSpace=wrap;html=0;fillColor=#FFFFFF;strokeColor={stroke};strokeWidth=2;" vertex="1" parent="{parent}"><mxGeometry x="{x}" y="{y}" width="{w}" height="{h}" as="geometry"/></mxCell>"#,
            id = xml_escape(component.id.as_str()),
            v = value(&text),
            stroke = provider_color(component.provider),
            parent = xml_escape(&parent),
            x = num(placed.rect.x - origin.0),
            y = num(placed.rect.y - origin.1),
            w = num(placed.rect.w),
            h = num(placed.rect.h),
        );
    }
    for route in &diagram.routes {
        let connection = route.connection;
        let mut text = connection_label(connection);
        if let Some(extra) = connection
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            text = format!("{text}\n{extra}");
        }
        let dash = match connection.network {
            NetworkPath::Public => "dashed=1;dashPattern=8 5;",
            NetworkPath::Private => "",
            NetworkPath::Vpn => "dashed=1;dashPattern=1 4;",
        };
        let _ = writeln!(
            out,
            r#"        <mxCell id="{id}" value="{v}" style="edgeStyle=orthogonalEdgeStyle;rounded=0;html=0;endArrow=block;endFill=1;strokeColor=#475569;{dash}" edge="1" parent="1" source="{from}" target="{to}"><mxGeometry relative="1" as="geometry"/></mxCell>"#,
            id = xml_escape(connection.id.as_str()),
            v = value(&text),
            from = xml_escape(connection.from.as_str()),
            to = xml_escape(connection.to.as_str()),
        );
    }
    out.push_str("      </root>\n    </mxGraphModel>\n  </diagram>\n</mxfile>\n");
    out
}
