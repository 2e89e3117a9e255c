//! Terraform output: snapshots, and a real HCL parse proving every reference is defined and
//! token variables are sensitive and valueless.

mod common;

use std::collections::BTreeSet;

use common::templates;
use hcl::expr::{Expression, TraversalOperator};
use hcl::{Body, Structure};
use stagecraft_export::render_terraform;

/// Every address the file defines: `type.name`, `data.type.name`, `var.x`, `local.x`, `aws.alias`.
fn definitions(body: &Body) -> BTreeSet<String> {
    let mut defined = BTreeSet::new();
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
        match (block.identifier(), labels.as_slice()) {
            ("resource", [kind, name]) => {
                defined.insert(format!("{kind}.{name}"));
            }
            ("data", [kind, name]) => {
                defined.insert(format!("data.{kind}.{name}"));
            }
            ("variable", [name]) => {
                defined.insert(format!("var.{name}"));
            }
            ("locals", []) => {
                for attr in block.body().attributes() {
                    defined.insert(format!("local.{}", attr.key()));
                }
            }
            ("provider", [name]) => {
                if let Some(alias) = block.body().attributes().find(|a| a.key() == "alias") {
                    if let Expression::String(alias) = alias.expr() {
                        defined.insert(format!("{name}.{alias}"));
                    }
                }
            }
            _ => {}
        }
    }
    defined
}

/// Every reference in an expression, as the address it names.
fn references(expr: &Expression, out: &mut Vec<String>) {
    match expr {
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return references(&t.expr, out);
            };
            let attrs: Vec<String> = t
                .operators
                .iter()
                .filter_map(|op| match op {
                    TraversalOperator::GetAttr(id) => Some(id.to_string()),
                    _ => None,
                })
                .collect();
            let root = root.to_string();
            let take = match root.as_str() {
                "data" => 2,
                "string" | "number" | "bool" => 0,
                _ => 1,
            };
            if take > 0 {
                let parts: Vec<&str> = attrs.iter().take(take).map(String::as_str).collect();
                out.push(format!("{root}.{}", parts.join(".")));
            }
        }
        // Type keywords (`type = string`) are bare identifiers, not references.
        Expression::Variable(v) if ["string", "number", "bool"].contains(&v.as_str()) => {}
        Expression::Variable(v) => out.push(v.to_string()),
        Expression::Array(items) => items.iter().for_each(|e| references(e, out)),
        Expression::Object(map) => map.values().for_each(|e| references(e, out)),
        Expression::FuncCall(call) => call.args.iter().for_each(|e| references(e, out)),
        Expression::Parenthesis(e) => references(e, out),
        Expression::TemplateExpr(_) => {
            panic!("templates are not used, so none can hide a reference")
        }
        _ => {}
    }
}

fn body_references(body: &Body, out: &mut Vec<String>) {
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => references(attr.expr(), out),
            Structure::Block(block) => body_references(block.body(), out),
        }
    }
}

#[test]
fn terraform_snapshots() {
    for (slug, design) in templates() {
        let text = render_terraform(&design).unwrap();
        assert_eq!(
            text,
            render_terraform(&design).unwrap(),
            "{slug}: deterministic"
        );
        insta::assert_snapshot!(format!("terraform_{slug}"), text);
    }
}

#[test]
fn every_reference_points_at_something_defined() {
    let mut designs = templates();
    designs.push((
        "generated",
        stagecraft_model::generate::generated_design(40),
    ));
    for (slug, design) in designs {
        let text = render_terraform(&design).unwrap();
        let body: Body =
            hcl::from_str(&text).unwrap_or_else(|e| panic!("{slug}: not HCL: {e}\n{text}"));
        let defined = definitions(&body);
        let mut refs = Vec::new();
        body_references(&body, &mut refs);
        assert!(
            !refs.is_empty(),
            "{slug}: resources are wired by references"
        );
        for reference in refs {
            assert!(
                defined.contains(&reference),
                "{slug}: `{reference}` is not defined in:\n{text}"
            );
        }
    }
}

#[test]
fn tokens_are_sensitive_variables_without_values() {
    for (slug, design) in templates() {
        let text = render_terraform(&design).unwrap();
        let body: Body = hcl::from_str(&text).unwrap();
        let variables: Vec<_> = body
            .blocks()
            .filter(|b| b.identifier() == "variable")
            .collect();
        assert!(
            !variables.is_empty(),
            "{slug}: provider tokens are variables"
        );
        for variable in variables {
            let attrs: Vec<_> = variable.body().attributes().collect();
            assert!(
                attrs
                    .iter()
                    .any(|a| a.key() == "sensitive" && *a.expr() == Expression::Bool(true)),
                "{slug}: {:?} must be sensitive",
                variable.labels()
            );
            assert!(
                !attrs.iter().any(|a| a.key() == "default"),
                "{slug}: a token variable never has a value"
            );
        }
    }
}

#[test]
fn servers_firewalls_and_volumes_are_wired_together() {
    let (_, growth) = templates()
        .into_iter()
        .find(|(s, _)| *s == "growth")
        .unwrap();
    let text = render_terraform(&growth).unwrap();
    assert!(
        text.contains("server = hcloud_server.db.id"),
        "firewall applies to the database server:\n{text}"
    );
    assert!(
        text.contains("server_id = hcloud_server.db.id"),
        "the volume is attached to the database server"
    );
    assert!(
        text.contains("network_id = hcloud_network.net.id"),
        "servers join the private network"
    );
    assert!(
        text.contains("resource \"hcloud_load_balancer_target\""),
        "the load balancer targets the app servers"
    );
}
