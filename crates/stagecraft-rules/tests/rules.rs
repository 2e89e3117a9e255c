//! Every rule fires on a design built to break it and stays quiet on a near miss; every fix
//! removes its finding without adding an error; the templates are clean at their own stage and
//! flagged at a larger one.

use stagecraft_model::{
    template, BackupPolicy, Component, ComponentId, ComponentKind, Connection, ConnectionId,
    Design, Direction, FirewallProtocol, FirewallRule, Group, GroupId, GroupKind, NetworkPath,
    Policy, Protocol, Provider, Schedule, Stage, VpnSoftware,
};
use stagecraft_rules::{apply_fix, check, rules, CheckOptions, Finding, Report, Severity};

fn mvp() -> Design {
    template(Stage::Mvp)
        .design()
        .expect("the MVP template loads")
}
fn growth() -> Design {
    template(Stage::Growth)
        .design()
        .expect("the Growth template loads")
}
fn scale() -> Design {
    template(Stage::Scale)
        .design()
        .expect("the Scale template loads")
}

fn cid(id: &str) -> ComponentId {
    ComponentId::parse(id).expect("test component id")
}

fn comp<'a>(design: &'a mut Design, id: &str) -> &'a mut Component {
    design
        .components
        .iter_mut()
        .find(|c| c.id.as_str() == id)
        .unwrap_or_else(|| panic!("{id} is in the design"))
}

fn conn<'a>(design: &'a mut Design, from: &str, to: &str) -> &'a mut Connection {
    design
        .connections
        .iter_mut()
        .find(|c| c.from.as_str() == from && c.to.as_str() == to)
        .unwrap_or_else(|| panic!("{from} -> {to} is in the design"))
}

fn remove(design: &mut Design, id: &str) {
    design.components.retain(|c| c.id.as_str() != id);
    design
        .connections
        .retain(|c| c.from.as_str() != id && c.to.as_str() != id);
    design.layout.nodes.remove(id);
    for c in &mut design.components {
        c.properties.applies_to.retain(|x| x.as_str() != id);
    }
}

fn world_rule(port: &str) -> FirewallRule {
    FirewallRule {
        direction: Direction::Inbound,
        protocol: FirewallProtocol::Tcp,
        port: Some(port.into()),
        addresses: vec!["0.0.0.0/0".into()],
        description: None,
    }
}

/// The same design on AWS (regions and sizes from the catalogue's defaults), to reach rules
/// and fixes that depend on what a provider offers natively.
fn on_aws(mut design: Design) -> Design {
    let catalog = stagecraft_model::catalog();
    let region = |r: &Option<String>| {
        r.as_ref().map(|r| {
            if r == "hel1" {
                "eu-west-1".to_owned()
            } else {
                "eu-central-1".to_owned()
            }
        })
    };
    for c in &mut design.components {
        if c.provider == Provider::Hetzner {
            c.provider = Provider::Aws;
            c.region = region(&c.region);
            if c.size.is_some() {
                c.size = catalog
                    .offering(c.kind, Provider::Aws)
                    .and_then(|o| o.default_size.clone());
            }
        }
    }
    for g in &mut design.groups {
        g.provider = Provider::Aws;
        g.region = region(&g.region);
    }
    design
}

struct Case {
    rule: &'static str,
    stage: Stage,
    fires: Design,
    quiet: Design,
}

fn case(rule: &'static str, stage: Stage, fires: Design, quiet: Design) -> Case {
    Case {
        rule,
        stage,
        fires,
        quiet,
    }
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();

    out.push(case("stage.below-target", Stage::Growth, mvp(), growth()));
    {
        let mut d = mvp();
        let mut second = d.components[2].clone();
        second.id = cid("cmp_app_hel1");
        second.region = Some("hel1".into());
        second.group = Some(GroupId::parse("grp_hel1").unwrap());
        d.components.push(second);
        d.connections.push(Connection {
            id: ConnectionId::parse("con_users_app_hel1").unwrap(),
            from: cid("cmp_users"),
            to: cid("cmp_app_hel1"),
            protocol: Protocol::Https,
            ports: vec![443],
            network: NetworkPath::Public,
            label: None,
        });
        comp(&mut d, "cmp_firewall")
            .properties
            .applies_to
            .push(cid("cmp_app_hel1"));
        out.push(case("stage.mvp.multi-region", Stage::Mvp, d, mvp()));
    }
    out.push(case("stage.mvp.load-balancer", Stage::Mvp, growth(), mvp()));
    out.push(case(
        "stage.growth.db-on-app-server",
        Stage::Growth,
        mvp(),
        growth(),
    ));
    {
        let mut d = mvp();
        comp(&mut d, "cmp_app").count = 2;
        out.push(case(
            "stage.growth.app-servers-without-load-balancer",
            Stage::Growth,
            d,
            growth(),
        ));
    }
    out.push(case(
        "stage.growth.jobs-on-web-server",
        Stage::Growth,
        mvp(),
        growth(),
    ));
    out.push(case(
        "stage.scale.single-region",
        Stage::Scale,
        growth(),
        scale(),
    ));
    out.push(case("stage.scale.no-cdn", Stage::Scale, growth(), scale()));
    out.push(case(
        "stage.scale.no-autoscaling",
        Stage::Scale,
        growth(),
        scale(),
    ));
    out.push(case(
        "stage.scale.no-autoscaling",
        Stage::Scale,
        on_aws(growth()),
        scale(),
    ));
    out.push(case(
        "stage.scale.self-managed-data",
        Stage::Scale,
        on_aws(growth()),
        scale(),
    ));
    {
        let mut d = on_aws(growth());
        comp(&mut d, "cmp_worker")
            .properties
            .workloads
            .push(stagecraft_model::Workload::Cache);
        out.push(case(
            "stage.scale.self-managed-data",
            Stage::Scale,
            d,
            scale(),
        ));
    }
    {
        let mut d = growth();
        comp(&mut d, "cmp_app").count = 1;
        out.push(case(
            "spof.single-app-server-behind-load-balancer",
            Stage::Growth,
            d,
            growth(),
        ));
    }
    out.push(case(
        "spof.database-without-replica",
        Stage::Scale,
        growth(),
        scale(),
    ));
    {
        let mut d = mvp();
        remove(&mut d, "cmp_firewall");
        out.push(case(
            "network.public-server-without-firewall",
            Stage::Mvp,
            d,
            mvp(),
        ));
    }
    {
        let mut d = mvp();
        comp(&mut d, "cmp_firewall").properties.default_inbound = Some(Policy::Allow);
        out.push(case("network.firewall-default-allow", Stage::Mvp, d, mvp()));
    }
    {
        let mut d = mvp();
        comp(&mut d, "cmp_firewall")
            .properties
            .firewall_rules
            .push(world_rule("8080"));
        out.push(case("network.firewall-extra-ports", Stage::Mvp, d, mvp()));
    }
    {
        let mut d = mvp();
        comp(&mut d, "cmp_firewall").properties.firewall_rules[2].addresses =
            vec!["0.0.0.0/0".into(), "::/0".into()];
        out.push(case("network.ssh-open-to-world", Stage::Mvp, d, mvp()));
    }
    {
        let mut d = growth();
        comp(&mut d, "cmp_fw_db").properties.firewall_rules[0].addresses = vec!["0.0.0.0/0".into()];
        out.push(case(
            "network.database-port-public",
            Stage::Growth,
            d,
            growth(),
        ));
    }
    {
        let mut d = growth();
        conn(&mut d, "cmp_app", "cmp_db").network = NetworkPath::Public;
        out.push(case(
            "network.server-traffic-over-internet",
            Stage::Growth,
            d,
            growth(),
        ));
    }
    {
        // Same as above with neither end in a private network: the fix must create one.
        let mut d = mvp();
        let mut db = d.components[2].clone();
        db.id = cid("cmp_db");
        db.name = "postgres".into();
        db.kind = ComponentKind::SelfHostedDatabase;
        db.properties.workloads.clear();
        db.properties.public_ipv4 = None;
        d.components.push(db);
        d.connections.push(Connection {
            id: ConnectionId::parse("con_app_db").unwrap(),
            from: cid("cmp_app"),
            to: cid("cmp_db"),
            protocol: Protocol::Postgresql,
            ports: vec![5432],
            network: NetworkPath::Public,
            label: None,
        });
        out.push(case(
            "network.server-traffic-over-internet",
            Stage::Mvp,
            d,
            mvp(),
        ));
    }
    {
        let mut d = growth();
        comp(&mut d, "cmp_db").group = Some(GroupId::parse("grp_fsn1").unwrap());
        out.push(case(
            "network.private-link-without-network",
            Stage::Growth,
            d,
            growth(),
        ));
    }
    {
        let mut d = growth();
        let db = comp(&mut d, "cmp_db");
        db.provider = Provider::Digitalocean;
        db.region = Some("fra1".into());
        db.size = Some("s-2vcpu-4gb".into());
        db.group = None;
        out.push(case(
            "network.cross-site-without-vpn",
            Stage::Growth,
            d,
            growth(),
        ));
    }
    {
        let mut quiet = scale();
        let mut link = Component::new(ComponentKind::VpnLink, "wg");
        link.id = cid("cmp_wg");
        link.provider = Provider::Aws;
        link.properties.vpn = Some(VpnSoftware::Wireguard);
        link.properties.members = vec![cid("cmp_workers_euc1"), cid("cmp_db_use1")];
        quiet.components.push(link);
        out.push(case(
            "network.vpn-link-missing",
            Stage::Scale,
            scale(),
            quiet,
        ));
    }
    {
        let mut d = mvp();
        d.practices.migration_in_progress = true;
        let mut quiet = d.clone();
        comp(&mut quiet, "cmp_dns").properties.dns_ttl_seconds = Some(300);
        out.push(case(
            "network.high-dns-ttl-during-migration",
            Stage::Mvp,
            d,
            quiet,
        ));
    }
    {
        let mut d = growth();
        if let Some(b) = comp(&mut d, "cmp_db").properties.backup.as_mut() {
            b.dumps = Some(Schedule::Weekly);
        }
        out.push(case(
            "backup.database-not-dumped-daily",
            Stage::Growth,
            d,
            growth(),
        ));
        let mut d = growth();
        comp(&mut d, "cmp_db").properties.backup = None;
        out.push(case(
            "backup.database-not-dumped-daily",
            Stage::Growth,
            d,
            growth(),
        ));
    }
    {
        let mut d = growth();
        if let Some(b) = comp(&mut d, "cmp_db").properties.backup.as_mut() {
            b.before_changes = false;
        }
        out.push(case(
            "backup.database-no-dump-before-changes",
            Stage::Growth,
            d,
            growth(),
        ));
    }
    {
        let mut d = growth();
        comp(&mut d, "cmp_volume").properties.backup = Some(BackupPolicy {
            snapshots: Some(Schedule::Monthly),
            ..BackupPolicy::default()
        });
        out.push(case(
            "backup.volume-not-snapshotted",
            Stage::Growth,
            d,
            growth(),
        ));
    }
    {
        let mut d = mvp();
        d.practices.config_in_git = false;
        out.push(case("backup.config-not-in-git", Stage::Mvp, d, mvp()));
    }
    {
        let mut d = mvp();
        let backups = comp(&mut d, "cmp_backups");
        backups.region = Some("fsn1".into());
        backups.group = Some(GroupId::parse("grp_fsn1").unwrap());
        d.groups.retain(|g| g.id.as_str() != "grp_hel1");
        d.layout.nodes.remove("grp_hel1");
        out.push(case("backup.same-failure-domain", Stage::Mvp, d, mvp()));
    }
    {
        let mut d = growth();
        let db = comp(&mut d, "cmp_db");
        db.kind = ComponentKind::ManagedDatabase;
        db.size = None;
        out.push(case("provider.kind-not-native", Stage::Growth, d, growth()));
    }
    out.push(case(
        "provider.kind-runs-on-server",
        Stage::Growth,
        growth(),
        mvp(),
    ));
    {
        let mut d = mvp();
        comp(&mut d, "cmp_app").size = Some("cx99".into());
        out.push(case("provider.size-unknown", Stage::Mvp, d, mvp()));
        let mut d = mvp();
        comp(&mut d, "cmp_app").size = Some("lb11".into());
        out.push(case("provider.size-unknown", Stage::Mvp, d, mvp()));
    }
    {
        let mut d = mvp();
        let app = comp(&mut d, "cmp_app");
        app.region = Some("ash".into());
        app.group = None;
        let mut quiet = d.clone();
        comp(&mut quiet, "cmp_app").size = Some("cpx21".into());
        out.push(case("provider.size-not-in-region", Stage::Mvp, d, quiet));
    }
    {
        let mut d = mvp();
        comp(&mut d, "cmp_app").region = Some("mars1".into());
        out.push(case("provider.region-unknown", Stage::Mvp, d, mvp()));
    }
    {
        let mut d = mvp();
        d.connections.retain(|c| c.id.as_str() != "con_users_dns");
        out.push(case("document.unconnected", Stage::Mvp, d, mvp()));
    }
    {
        let mut d = mvp();
        d.groups.push(Group {
            id: GroupId::parse("grp_unused").unwrap(),
            kind: GroupKind::PrivateNetwork,
            name: "unused".into(),
            provider: Provider::Hetzner,
            region: Some("fsn1".into()),
            cidr: None,
            parent: None,
        });
        out.push(case("document.empty-group", Stage::Mvp, d, mvp()));
    }
    {
        let mut d = mvp();
        let c = conn(&mut d, "cmp_users", "cmp_app");
        std::mem::swap(&mut c.from, &mut c.to);
        out.push(case(
            "document.connection-not-allowed",
            Stage::Mvp,
            d,
            mvp(),
        ));
    }
    out
}

fn run(design: &Design, stage: Stage) -> Report {
    check(
        design,
        &CheckOptions {
            target_stage: Some(stage),
        },
    )
}

fn of_rule<'a>(report: &'a Report, rule: &str) -> Vec<&'a Finding> {
    report.findings.iter().filter(|f| f.rule == rule).collect()
}

/// What identifies a finding across a re-check: its rule and components, or its message when it
/// names no component.
fn identity(f: &Finding) -> (String, String) {
    let what = if f.components.is_empty() {
        f.message.clone()
    } else {
        format!("{:?}", f.components)
    };
    (f.rule.clone(), what)
}

#[test]
fn every_rule_has_a_case() {
    let covered: Vec<&str> = cases().iter().map(|c| c.rule).collect();
    for rule in rules() {
        assert!(
            covered.contains(&rule.id.as_str()),
            "rule {} needs a design where it fires and one where it does not",
            rule.id
        );
    }
}

#[test]
fn each_rule_fires_on_its_case_and_not_on_the_near_miss() {
    let mut seen: Vec<&str> = Vec::new();
    for case in cases() {
        let fired = run(&case.fires, case.stage);
        let findings = of_rule(&fired, case.rule);
        assert!(
            !findings.is_empty(),
            "{} must fire; got {:#?}",
            case.rule,
            fired.findings
        );
        let quiet = run(&case.quiet, case.stage);
        assert!(
            of_rule(&quiet, case.rule).is_empty(),
            "{} must not fire on the near miss; got {:#?}",
            case.rule,
            of_rule(&quiet, case.rule)
        );
        let nth = seen.iter().filter(|r| **r == case.rule).count();
        seen.push(case.rule);
        let name = if nth == 0 {
            case.rule.to_owned()
        } else {
            format!("{}-{}", case.rule, nth + 1)
        };
        insta::assert_json_snapshot!(name, findings);
    }
}

fn assert_fix_resolves(design: &Design, stage: Stage, context: &str) {
    let before = run(design, stage);
    let errors_before: Vec<_> = before
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(identity)
        .collect();
    for finding in &before.findings {
        let Some(fix) = &finding.fix else { continue };
        let mut fixed = design.clone();
        apply_fix(&mut fixed, fix).unwrap_or_else(|e| {
            panic!(
                "{context}: fix `{}` of {} must apply: {e}",
                fix.label, finding.rule
            )
        });
        let after = run(&fixed, stage);
        let id = identity(finding);
        assert!(
            !after.findings.iter().any(|f| identity(f) == id),
            "{context}: fix `{}` must remove its finding {id:?}; after: {:#?}",
            fix.label,
            after.findings
        );
        let new_errors: Vec<_> = after
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error && !errors_before.contains(&identity(f)))
            .collect();
        assert!(
            new_errors.is_empty(),
            "{context}: fix `{}` of {} must add no error, added {new_errors:#?}",
            fix.label,
            finding.rule
        );
    }
}

#[test]
fn applying_a_fix_removes_its_finding_and_adds_no_error() {
    for case in cases() {
        assert_fix_resolves(&case.fires, case.stage, case.rule);
    }
    for t in stagecraft_model::TEMPLATES {
        for stage in Stage::ALL {
            assert_fix_resolves(
                &t.design().unwrap(),
                stage,
                &format!("{} at {stage:?}", t.slug),
            );
        }
    }
}

fn serious(report: &Report) -> Vec<&Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .collect()
}

#[test]
fn templates_are_clean_at_their_own_stage() {
    for (design, stage) in [
        (mvp(), Stage::Mvp),
        (growth(), Stage::Growth),
        (scale(), Stage::Scale),
    ] {
        let report = check(&design, &CheckOptions::default());
        assert_eq!(report.target_stage, stage);
        assert_eq!(
            report.detected_stage, stage,
            "the template implements its stage"
        );
        assert!(
            serious(&report).is_empty(),
            "{stage:?} template must have no errors or warnings: {:#?}",
            serious(&report)
        );
    }
}

#[test]
fn templates_are_flagged_at_a_larger_stage() {
    for (design, stage, expected) in [
        (
            mvp(),
            Stage::Growth,
            &[
                "stage.growth.db-on-app-server",
                "stage.growth.jobs-on-web-server",
            ][..],
        ),
        (
            mvp(),
            Stage::Scale,
            &[
                "stage.scale.single-region",
                "stage.scale.no-cdn",
                "stage.scale.no-autoscaling",
            ][..],
        ),
        (
            growth(),
            Stage::Scale,
            &[
                "stage.scale.single-region",
                "stage.scale.no-cdn",
                "spof.database-without-replica",
            ][..],
        ),
    ] {
        let report = run(&design, stage);
        for rule in expected {
            assert!(
                report
                    .findings
                    .iter()
                    .any(|f| f.rule == *rule && f.severity == Severity::Warning),
                "{} at {stage:?} must be flagged by {rule}: {:#?}",
                design.name,
                report.findings
            );
        }
        assert!(report
            .findings
            .iter()
            .any(|f| f.rule == "stage.below-target"));
    }
}

#[test]
fn check_is_deterministic() {
    let design = stagecraft_model::generate::generated_design(400);
    let a = serde_json::to_string(&check(&design, &CheckOptions::default())).unwrap();
    let b = serde_json::to_string(&check(&design, &CheckOptions::default())).unwrap();
    assert_eq!(a, b);
}

#[test]
fn target_stage_defaults_follow_the_assumptions() {
    let mut design = growth();
    assert_eq!(
        check(&design, &CheckOptions::default()).target_stage,
        Stage::Growth
    );
    design.assumptions.target_stage = None;
    design.assumptions.expected_users = Some(120_000);
    assert_eq!(
        check(&design, &CheckOptions::default()).target_stage,
        Stage::Scale
    );
    design.assumptions.expected_users = None;
    assert_eq!(
        check(&design, &CheckOptions::default()).target_stage,
        Stage::Growth
    );
    assert_eq!(
        run(&design, Stage::Mvp).target_stage,
        Stage::Mvp,
        "the option wins over the design"
    );
}

#[test]
fn mvp_over_engineering_states_the_saving_in_sizes() {
    let report = run(&scale(), Stage::Mvp);
    let finding = of_rule(&report, "stage.mvp.multi-region")[0];
    assert!(
        finding.message.contains("vCPU") && finding.message.contains("m7i.large"),
        "{}",
        finding.message
    );
    let lb = of_rule(&report, "stage.mvp.load-balancer")[0];
    assert!(lb.message.contains("saves 1 × alb"), "{}", lb.message);
}

#[test]
fn a_rejected_fix_leaves_the_design_unchanged() {
    let mut design = mvp();
    let original = design.clone();
    let fix = stagecraft_rules::Fix {
        label: "broken".into(),
        edits: vec![
            stagecraft_rules::Edit::RemoveComponent {
                id: cid("cmp_backups"),
            },
            stagecraft_rules::Edit::RemoveComponent {
                id: cid("cmp_missing"),
            },
        ],
    };
    let err = apply_fix(&mut design, &fix).unwrap_err();
    assert!(err.to_string().contains("cmp_missing"), "{err}");
    assert_eq!(design, original, "nothing applies when one edit fails");
}
