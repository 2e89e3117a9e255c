//! Mermaid and draw.io exports: snapshots and structural checks (draw.io is a well-formed
//! mxfile/diagram/mxGraphModel/root whose edges join existing vertices).

mod common;

use std::collections::BTreeSet;

use common::templates;
use stagecraft_export::{render_drawio, render_mermaid};

#[test]
fn drawio_is_a_well_formed_mx_graph_model() {
    let mut designs = templates();
    let mut tricky = designs[0].1.clone();
    tricky.components[0].name = "<b>\"quoted\" & 'odd'\nname</b>".into();
    designs.push(("tricky", tricky));
    for (slug, design) in designs {
        let xml = render_drawio(&design);
        let doc =
            roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{slug}: not XML: {e}"));
        let mxfile = doc.root_element();
        assert_eq!(mxfile.tag_name().name(), "mxfile");
        let diagram = mxfile
            .children()
            .find(|n| n.has_tag_name("diagram"))
            .expect("a diagram");
        let model = diagram
            .children()
            .find(|n| n.has_tag_name("mxGraphModel"))
            .expect("an mxGraphModel");
        let root = model
            .children()
            .find(|n| n.has_tag_name("root"))
            .expect("a root");
        let cells: Vec<_> = root
            .children()
            .filter(|n| n.has_tag_name("mxCell"))
            .collect();
        let ids: Vec<&str> = cells
            .iter()
            .map(|c| c.attribute("id").expect("every cell has an id"))
            .collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{slug}: cell ids are unique");
        let vertices: BTreeSet<&str> = cells
            .iter()
            .filter(|c| c.attribute("vertex") == Some("1"))
            .map(|c| c.attribute("id").unwrap())
            .collect();
        let edges: Vec<_> = cells
            .iter()
            .filter(|c| c.attribute("edge") == Some("1"))
            .collect();
        assert_eq!(
            vertices.len(),
            design.components.len() + design.groups.len(),
            "{slug}"
        );
        assert_eq!(edges.len(), design.connections.len(), "{slug}");
        for cell in &cells {
            if let Some(parent) = cell.attribute("parent") {
                assert!(unique.contains(parent), "{slug}: parent {parent} exists");
            }
            if cell.attribute("vertex") == Some("1") {
                let geometry = cell
                    .children()
                    .find(|n| n.has_tag_name("mxGeometry"))
                    .expect("vertices have geometry");
                for attr in ["x", "y", "width", "height"] {
                    let v: f64 = geometry.attribute(attr).unwrap().parse().unwrap();
                    assert!(v.is_finite());
                }
            }
        }
        for edge in edges {
            for end in ["source", "target"] {
                let id = edge.attribute(end).unwrap();
                assert!(vertices.contains(id), "{slug}: edge {end} {id} is a vertex");
            }
        }
        if slug == "tricky" {
            let value = cells
                .iter()
                .find_map(|c| c.attribute("value").filter(|v| v.contains("quoted")))
                .unwrap();
            assert!(
                value.starts_with("<b>\"quoted\" & 'odd'\nname</b>"),
                "text survives escaping: {value:?}"
            );
        }
    }
}

#[test]
fn mermaid_declares_every_node_and_edge() {
    for (slug, design) in templates() {
        let text = render_mermaid(&design);
        assert!(text.contains("flowchart LR\n"), "{slug}");
        for component in &design.components {
            assert!(
                text.contains(&format!("{}[\"", component.id)),
                "{slug}: {} is a node",
                component.id
            );
        }
        let arrows = text
            .lines()
            .filter(|l| l.contains("-->|") || l.contains("-.->|") || l.contains("==>|"))
            .count();
        assert_eq!(
            arrows,
            design.connections.len(),
            "{slug}: one arrow per connection"
        );
        let opens = text
            .lines()
            .filter(|l| l.trim_start().starts_with("subgraph "))
            .count();
        let ends = text.lines().filter(|l| l.trim() == "end").count();
        assert_eq!(opens, ends, "{slug}: subgraphs are closed");
        assert_eq!(opens, design.groups.len(), "{slug}: one subgraph per group");
    }
}

#[test]
fn diagram_snapshots() {
    for (slug, design) in templates() {
        let mermaid = render_mermaid(&design);
        let drawio = render_drawio(&design);
        assert_eq!(mermaid, render_mermaid(&design));
        assert_eq!(drawio, render_drawio(&design));
        insta::assert_snapshot!(format!("mermaid_{slug}"), mermaid);
        insta::assert_snapshot!(format!("drawio_{slug}"), drawio);
    }
}

/// Mermaid's own parser (npm `mermaid`, run in Node with jsdom for its DOMPurify dependency)
/// accepts every template's flowchart. Installs the pinned packages with `npm ci` on first run.
#[test]
fn mermaid_parses_with_mermaids_own_parser() {
    use std::process::Command;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mermaid-check");
    if !dir.join("node_modules/mermaid").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .unwrap_or_else(|e| {
                panic!("npm (Node.js) must be installed to check Mermaid output: {e}")
            });
        assert!(status.success(), "`npm ci` in {} failed", dir.display());
    }
    let out = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (slug, design) in templates() {
        let path = out.path().join(format!("{slug}.mmd"));
        std::fs::write(&path, render_mermaid(&design)).unwrap();
        files.push(path);
    }
    let mut tricky = templates().remove(0).1;
    tricky.name = "quotes \" and <tags> & #hash".into();
    tricky.components[0].name = "a \"b\" <c> | d ] e".into();
    let path = out.path().join("tricky.mmd");
    std::fs::write(&path, render_mermaid(&tricky)).unwrap();
    files.push(path);
    let output = Command::new("node")
        .arg("check.mjs")
        .args(&files)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("node must be installed to check Mermaid output: {e}"));
    assert!(
        output.status.success(),
        "Mermaid rejects the export:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout.matches(": ok (flowchart").count(),
        files.len(),
        "{stdout}"
    );
}
