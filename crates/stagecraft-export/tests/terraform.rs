//! Terraform output: snapshots, and a real HCL parse proving every reference is defined and
//! token variables are sensitive and valueless.

mod common;

use std::collections::BTreeSet;

use common::{templates, templates_on_every_provider};
use hcl::expr::{Expression, TraversalOperator};
use hcl::{Body, Structure};
use stagecraft_export::render_terraform;
use stagecraft_model::{Component, ComponentId, ComponentKind, Design};

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

/// A design with a WireGuard link between the database and both app servers of the growth
/// template, and an auto-scaled worker pool: the parts no template has.
fn with_wireguard_link(mut design: Design) -> Design {
    let mut link = Component::new(ComponentKind::VpnLink, "backplane");
    link.id = ComponentId::parse("cmp_vpn").unwrap();
    link.provider = design
        .components
        .iter()
        .find(|c| c.kind == ComponentKind::AppServer)
        .map(|c| c.provider)
        .unwrap();
    link.properties.members = design
        .components
        .iter()
        .filter(|c| {
            matches!(
                c.kind,
                ComponentKind::AppServer | ComponentKind::SelfHostedDatabase
            )
        })
        .map(|c| c.id.clone())
        .collect();
    design.components.push(link);
    design
}

/// Every design the Terraform tests look at, by name.
fn all_designs() -> Vec<(String, Design)> {
    let mut designs = templates_on_every_provider();
    designs.push((
        "generated".to_owned(),
        stagecraft_model::generate::generated_design(40),
    ));
    for (slug, design) in templates_on_every_provider() {
        if slug.starts_with("growth") {
            designs.push((format!("{slug}-wireguard"), with_wireguard_link(design)));
        }
    }
    designs
}

fn terraform_of(slug: &str) -> String {
    let (_, design) = all_designs()
        .into_iter()
        .find(|(s, _)| s == slug)
        .unwrap_or_else(|| panic!("no design `{slug}`"));
    render_terraform(&design).unwrap()
}

/// The keys of `local.not_provisioned`.
fn not_provisioned(text: &str) -> Vec<String> {
    let body: Body = hcl::from_str(text).unwrap();
    let locals = body
        .blocks()
        .find(|b| b.identifier() == "locals")
        .expect("a locals block");
    let attr = locals
        .body()
        .attributes()
        .find(|a| a.key() == "not_provisioned")
        .expect("local.not_provisioned");
    match attr.expr() {
        Expression::Object(map) => map.keys().map(|k| k.to_string()).collect(),
        other => panic!("not_provisioned is an object, got {other:?}"),
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
    // The other providers' arms, where the templates' own provider does not reach them.
    for slug in [
        "mvp-digitalocean",
        "growth-aws",
        "scale-digitalocean",
        "growth-hetzner-wireguard",
    ] {
        insta::assert_snapshot!(format!("terraform_{slug}"), terraform_of(slug));
    }
}

#[test]
fn every_reference_points_at_something_defined() {
    for (slug, design) in all_designs() {
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

/// Names of variables that hold secrets.
fn is_secret(name: &str) -> bool {
    ["token", "secret", "access_key"]
        .iter()
        .any(|s| name.contains(s))
}

#[test]
fn variables_hold_no_values_and_secrets_are_sensitive() {
    for (slug, design) in all_designs() {
        let text = render_terraform(&design).unwrap();
        let body: Body = hcl::from_str(&text).unwrap();
        let variables: Vec<_> = body
            .blocks()
            .filter(|b| b.identifier() == "variable")
            .collect();
        assert!(
            variables.iter().any(|v| is_secret(v.labels()[0].as_str())),
            "{slug}: provider tokens are variables"
        );
        for variable in variables {
            let name = variable.labels()[0].as_str();
            let attrs: Vec<_> = variable.body().attributes().collect();
            let sensitive = attrs
                .iter()
                .any(|a| a.key() == "sensitive" && *a.expr() == Expression::Bool(true));
            assert_eq!(
                sensitive,
                is_secret(name),
                "{slug}: `{name}` is sensitive exactly when it holds a secret"
            );
            assert!(
                !attrs.iter().any(|a| a.key() == "default"),
                "{slug}: `{name}` has no value in the file"
            );
        }
    }
}

#[test]
fn only_what_no_resource_expresses_is_left_out() {
    // What stays in `local.not_provisioned`, and why: Hetzner has no CDN and no managed
    // backup service, a cron dump is not a cloud resource, and CloudFront routes dynamic traffic
    // to one origin.
    let expected: &[(&str, &[&str])] = &[
        ("mvp-hetzner", &[]),
        ("mvp-digitalocean", &[]),
        ("mvp-aws", &[]),
        ("growth-hetzner", &[]),
        ("growth-digitalocean", &[]),
        ("growth-aws", &[]),
        (
            "scale-hetzner",
            &["assets", "backup_job", "cdn", "dns_records"],
        ),
        ("scale-digitalocean", &["backup_job", "dns_apex"]),
        ("scale-aws", &["backup_job_dumps", "cdn_routing"]),
    ];
    let mut wrong = Vec::new();
    for (slug, keys) in expected {
        let text = terraform_of(slug);
        let mut found = not_provisioned(&text);
        found.sort();
        if found != *keys {
            let locals = &text[text.find("locals {").unwrap()..];
            wrong.push(format!(
                "{slug}: expected {keys:?}, found {found:?}\n{locals}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn servers_firewalls_and_volumes_are_wired_together() {
    let text = terraform_of("growth-hetzner");
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

/// The body of `resource "kind" "name"` (up to the next top-level block), with runs of spaces
/// squeezed so assertions do not depend on `=` alignment (the fmt test checks layout).
fn resource(text: &str, kind: &str, name: &str) -> String {
    let head = format!("resource \"{kind}\" \"{name}\" {{");
    let start = text
        .find(&head)
        .unwrap_or_else(|| panic!("no {kind}.{name} in:\n{text}"));
    let end = text[start..]
        .find("\n}\n")
        .map_or(text.len(), |e| start + e);
    squeeze(&text[start..end])
}

fn squeeze(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn hetzner_servers_log_in_with_the_key_and_dns_points_at_them() {
    let raw = terraform_of("mvp-hetzner");
    let text = squeeze(&raw);
    assert!(text.contains("public_key = var.ssh_public_key"), "{text}");
    assert!(resource(&raw, "hcloud_server", "app")
        .contains("ssh_keys = [\nhcloud_ssh_key.stagecraft.id"));
    let apex = resource(&raw, "hcloud_zone_rrset", "dns_apex");
    assert!(apex.contains("zone = hcloud_zone.dns.name"), "{apex}");
    assert!(
        apex.contains("value = hcloud_server.app.ipv4_address"),
        "{apex}"
    );
    assert!(resource(&raw, "hcloud_zone_rrset", "dns_www").contains("name = \"www\""));
    // Object Storage through the MinIO provider, keys as sensitive variables.
    let bucket = resource(&raw, "minio_s3_bucket", "backups");
    assert!(bucket.contains("provider = minio.hetzner_hel1"), "{bucket}");
    assert!(
        text.contains("minio_server = \"hel1.your-objectstorage.com\""),
        "{text}"
    );
    assert!(
        text.contains("minio_password = var.hetzner_s3_secret_key"),
        "{text}"
    );
    assert!(text.contains("source = \"aminueza/minio\""), "{text}");
    assert!(
        text.contains("version = \"~> 1.56\""),
        "DNS zones need hcloud 1.56"
    );
}

#[test]
fn aws_cdn_backup_and_alarms_are_wired_to_what_they_serve() {
    let raw = terraform_of("scale-aws");
    let text = squeeze(&raw);
    let cdn = resource(&raw, "aws_cloudfront_distribution", "cdn");
    assert!(
        cdn.contains("domain_name = aws_lb.alb_use1.dns_name"),
        "{cdn}"
    );
    assert!(
        cdn.contains("domain_name = aws_s3_bucket.assets.bucket_regional_domain_name"),
        "{cdn}"
    );
    assert!(cdn.contains("target_origin_id = \"alb_use1\""), "{cdn}");
    let policy = resource(&raw, "aws_s3_bucket_policy", "assets_cdn");
    assert!(
        policy.contains("\"AWS:SourceArn\" = aws_cloudfront_distribution.cdn.arn"),
        "{policy}"
    );
    let selection = resource(&raw, "aws_backup_selection", "backup_job");
    assert!(
        selection.contains("aws_db_instance.db_use1.arn"),
        "{selection}"
    );
    assert!(
        selection.contains("plan_id = aws_backup_plan.backup_job.id"),
        "{selection}"
    );
    let plan = resource(&raw, "aws_backup_plan", "backup_job");
    assert!(
        plan.contains("destination_vault_arn = aws_backup_vault.backup_job_copy.arn"),
        "{plan}"
    );
    assert!(plan.contains("delete_after = 35"), "{plan}");
    let alarm = resource(
        &raw,
        "aws_cloudwatch_metric_alarm",
        "monitoring_web_use1_cpu",
    );
    assert!(
        alarm.contains("AutoScalingGroupName = aws_autoscaling_group.web_use1.name"),
        "{alarm}"
    );
    assert!(
        alarm.contains("aws_sns_topic.monitoring_us_east_1.arn"),
        "{alarm}"
    );
    assert!(text.contains("endpoint = var.alert_email"), "{text}");
    let apex = resource(&raw, "aws_route53_record", "dns_apex");
    assert!(
        apex.contains("name = aws_cloudfront_distribution.cdn.domain_name"),
        "{apex}"
    );
    assert!(
        !text.contains("resource \"aws_instance\" \"web_use1\""),
        "groups, not instances"
    );
    assert!(resource(&raw, "aws_launch_template", "web_use1")
        .contains("key_name = aws_key_pair.us_east_1.key_name"));
}

#[test]
fn digitalocean_pools_scale_and_are_found_by_tag() {
    let raw = terraform_of("scale-digitalocean");
    let text = squeeze(&raw);
    let pool = resource(&raw, "digitalocean_droplet_autoscale", "web_use1");
    assert!(pool.contains("min_instances = 2"), "{pool}");
    assert!(pool.contains("max_instances = 12"), "{pool}");
    assert!(pool.contains("target_cpu_utilization = 0.6"), "{pool}");
    assert!(
        pool.contains("digitalocean_tag.alb_use1.id"),
        "the load balancer's tag: {pool}"
    );
    assert!(
        pool.contains("digitalocean_ssh_key.stagecraft.fingerprint"),
        "{pool}"
    );
    let lb = resource(&raw, "digitalocean_loadbalancer", "alb_use1");
    assert!(
        lb.contains("droplet_tag = digitalocean_tag.alb_use1.name"),
        "{lb}"
    );
    assert!(!lb.contains("droplet_ids"), "{lb}");
    let alert = resource(&raw, "digitalocean_monitor_alert", "monitoring_cpu");
    assert!(alert.contains("digitalocean_tag.web_use1.id"), "{alert}");
    assert!(alert.contains("var.alert_email"), "{alert}");
    assert!(
        !text.contains("resource \"digitalocean_droplet\" \"web_use1"),
        "a pool, not fixed droplets"
    );
}

#[test]
fn wireguard_keys_are_made_on_each_host_and_never_in_the_file() {
    for provider in ["hetzner", "digitalocean", "aws"] {
        let raw = terraform_of(&format!("growth-{provider}-wireguard"));
        let text = squeeze(&raw);
        let server = resource(
            &raw,
            if provider == "aws" {
                "aws_instance"
            } else if provider == "hetzner" {
                "hcloud_server"
            } else {
                "digitalocean_droplet"
            },
            "db",
        );
        assert!(
            server.contains(
                "user_data = format(\"#cloud-config\\n%s\", yamlencode(local.wireguard_db))"
            ),
            "{provider}: {server}"
        );
        let locals = &text[text
            .find("wireguard_db = {")
            .expect("the cloud-config local")..];
        assert!(locals.contains("Address = 10.200.0."), "{locals}");
        assert!(
            locals.contains("PostUp = wg set %i private-key /etc/wireguard/private.key"),
            "the key is read from the host's file: {locals}"
        );
        assert!(
            locals.contains("wg genkey > /etc/wireguard/private.key"),
            "the key is made on the host: {locals}"
        );
        assert!(
            !text.contains("PrivateKey"),
            "{provider}: no private key in the file"
        );
        assert!(text.contains("output \"vpn_wireguard_members\""), "{text}");
        assert!(
            text.contains("stagecraft-wg-add-peer PUBLIC_KEY ADDRESS ENDPOINT"),
            "{text}"
        );
        assert!(
            !not_provisioned(&text).contains(&"vpn".to_owned()),
            "{provider}: the link is provisioned"
        );
    }
}
