//! The engine runs on every edit, on documents in any state: it must never panic, whatever the
//! design (dangling ids, duplicate ids, unknown sizes and regions, cycles), and neither must the
//! advisor or applying any fix it offers.

use proptest::prelude::*;
use stagecraft_model::generate::generated_design;
use stagecraft_model::{
    ComponentId, ComponentKind, Design, Direction, FirewallProtocol, FirewallRule, GroupId,
    NetworkPath, Provider, Stage, Workload, TEMPLATES,
};
use stagecraft_rules::{advise, apply_fix, check, detect_stage, CheckOptions};

#[derive(Debug, Clone)]
enum Mutation {
    Kind(usize, usize),
    Provider(usize, usize),
    Region(usize, usize),
    Size(usize, usize),
    RemoveComponent(usize),
    RemoveConnection(usize),
    Network(usize, usize),
    PublicIp(usize),
    Workload(usize, usize),
    FirewallRule(usize, usize, bool),
    Group(usize, usize),
    GroupCycle(usize),
    Duplicate(usize),
    Count(usize, u32),
    Target(usize),
    Dangle(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = 0usize..200;
    let v = 0usize..40;
    prop_oneof![
        (i.clone(), v.clone()).prop_map(|(i, v)| Mutation::Kind(i, v)),
        (i.clone(), v.clone()).prop_map(|(i, v)| Mutation::Provider(i, v)),
        (i.clone(), v.clone()).prop_map(|(i, v)| Mutation::Region(i, v)),
        (i.clone(), v.clone()).prop_map(|(i, v)| Mutation::Size(i, v)),
        i.clone().prop_map(Mutation::RemoveComponent),
        i.clone().prop_map(Mutation::RemoveConnection),
        (i.clone(), v.clone()).prop_map(|(i, v)| Mutation::Network(i, v)),
        i.clone().prop_map(Mutation::PublicIp),
        (i.clone(), v.clone()).prop_map(|(i, v)| Mutation::Workload(i, v)),
        (i.clone(), v.clone(), any::<bool>()).prop_map(|(i, v, w)| Mutation::FirewallRule(i, v, w)),
        (i.clone(), v.clone()).prop_map(|(i, v)| Mutation::Group(i, v)),
        i.clone().prop_map(Mutation::GroupCycle),
        i.clone().prop_map(Mutation::Duplicate),
        (i.clone(), 0u32..5).prop_map(|(i, n)| Mutation::Count(i, n)),
        i.clone().prop_map(Mutation::Target),
        i.prop_map(Mutation::Dangle),
    ]
}

const REGIONS: [&str; 6] = ["fsn1", "ash", "fra1", "us-east-1", "nowhere", ""];
const SIZES: [&str; 7] = [
    "cx22",
    "ccx13",
    "lb11",
    "db-s-1vcpu-1gb",
    "t3.small",
    "huge",
    "",
];

fn apply(design: &mut Design, m: &Mutation) {
    let nc = design.components.len();
    let nk = design.connections.len();
    let ng = design.groups.len();
    match *m {
        Mutation::Kind(i, v) if nc > 0 => {
            design.components[i % nc].kind = ComponentKind::ALL[v % ComponentKind::ALL.len()]
        }
        Mutation::Provider(i, v) if nc > 0 => {
            design.components[i % nc].provider = [
                Provider::Hetzner,
                Provider::Digitalocean,
                Provider::Aws,
                Provider::Unassigned,
            ][v % 4]
        }
        Mutation::Region(i, v) if nc > 0 => {
            design.components[i % nc].region = Some(REGIONS[v % REGIONS.len()].to_owned())
        }
        Mutation::Size(i, v) if nc > 0 => {
            design.components[i % nc].size = Some(SIZES[v % SIZES.len()].to_owned())
        }
        Mutation::RemoveComponent(i) if nc > 0 => {
            design.components.remove(i % nc);
        }
        Mutation::RemoveConnection(i) if nk > 0 => {
            design.connections.remove(i % nk);
        }
        Mutation::Network(i, v) if nk > 0 => {
            design.connections[i % nk].network =
                [NetworkPath::Public, NetworkPath::Private, NetworkPath::Vpn][v % 3]
        }
        Mutation::PublicIp(i) if nc > 0 => {
            design.components[i % nc].properties.public_ipv4 = Some(true)
        }
        Mutation::Workload(i, v) if nc > 0 => design.components[i % nc].properties.workloads.push(
            [
                Workload::Web,
                Workload::Jobs,
                Workload::Database,
                Workload::Cache,
                Workload::ReverseProxy,
            ][v % 5],
        ),
        Mutation::FirewallRule(i, v, world) if nc > 0 => {
            let port = ["22", "5432", "1-65535", "bogus", "80", "6379"][v % 6];
            let c = &mut design.components[i % nc];
            c.properties.firewall_rules.push(FirewallRule {
                direction: if v % 7 == 0 {
                    Direction::Outbound
                } else {
                    Direction::Inbound
                },
                protocol: FirewallProtocol::Tcp,
                port: (v % 5 != 0).then(|| port.to_owned()),
                addresses: vec![if world { "0.0.0.0/0" } else { "10.0.0.0/8" }.to_owned()],
                description: None,
            });
        }
        Mutation::Group(i, v) if nc > 0 && ng > 0 => {
            design.components[i % nc].group = Some(design.groups[v % ng].id.clone())
        }
        Mutation::GroupCycle(i) if ng > 0 => {
            let a = i % ng;
            let b = (i + 1) % ng;
            design.groups[a].parent = Some(design.groups[b].id.clone());
            design.groups[b].parent = Some(design.groups[a].id.clone());
        }
        Mutation::Duplicate(i) if nc > 0 => {
            let copy = design.components[i % nc].clone();
            design.components.push(copy);
        }
        Mutation::Count(i, n) if nc > 0 => design.components[i % nc].count = n,
        Mutation::Target(v) => design.assumptions.target_stage = Some(Stage::ALL[v % 3]),
        Mutation::Dangle(i) if nc > 0 => {
            let c = &mut design.components[i % nc];
            let ghost = ComponentId::parse("cmp_ghost").unwrap();
            c.properties.applies_to.push(ghost.clone());
            c.properties.members.push(ghost.clone());
            c.properties.backup_sources.push(ghost.clone());
            c.properties.attached_to = Some(ghost);
            c.group = Some(GroupId::parse("grp_ghost").unwrap());
        }
        _ => {}
    }
}

fn base() -> impl Strategy<Value = Design> {
    prop_oneof![
        (0usize..120).prop_map(generated_design),
        (0usize..3).prop_map(|i| TEMPLATES[i].design().expect("templates load")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn engine_never_panics(mut design in base(), mutations in prop::collection::vec(mutation(), 0..12)) {
        for m in &mutations {
            apply(&mut design, m);
        }
        detect_stage(&design);
        for stage in Stage::ALL {
            let report = check(&design, &CheckOptions { target_stage: Some(stage) });
            let counted = report.counts.error + report.counts.warning + report.counts.info;
            prop_assert_eq!(counted as usize, report.findings.len());
            for finding in &report.findings {
                if let Some(fix) = &finding.fix {
                    let mut copy = design.clone();
                    // Applying may be refused; it must not panic.
                    let _ = apply_fix(&mut copy, fix);
                }
            }
        }
        let advice = advise(&design);
        let mut copy = design.clone();
        for step in &advice.next_stage_steps {
            prop_assert!(apply_fix(&mut copy, &step.fix).is_ok(), "advisor steps apply in order: {}", step.title);
        }
    }
}
