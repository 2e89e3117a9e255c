//! Every template and fixture loads, saves byte-identically and reloads equal; generated designs
//! do the same (property test).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use stagecraft_model::*;

fn fixtures(version: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(version);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("fixture folder {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} must hold fixtures", dir.display());
    files
}

/// Saves through the real atomic path and checks the bytes and the reloaded document.
fn assert_round_trip(original_text: &str, name: &str) {
    let loaded = load_str(original_text, name).unwrap_or_else(|e| panic!("{name} must load: {e}"));
    assert!(loaded.migrations.is_empty(), "{name} must be current");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.stagecraft.json");
    save_file(&path, &loaded.design).unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    assert_eq!(saved, original_text, "{name} must save back byte for byte");
    let reloaded = load_file(&path).unwrap();
    assert_eq!(reloaded.design, loaded.design, "{name} must reload equal");
}

#[test]
fn templates_round_trip_byte_for_byte() {
    for template in TEMPLATES {
        assert_round_trip(template.source, template.slug);
    }
}

#[test]
fn current_fixtures_round_trip_byte_for_byte() {
    for path in fixtures("v2") {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_round_trip(&text, &path.display().to_string());
    }
}

#[test]
fn templates_cover_their_stage() {
    for template in TEMPLATES {
        let design = template.design().unwrap();
        assert_eq!(design.assumptions.target_stage, Some(template.stage));
        let users = design
            .assumptions
            .expected_users
            .expect("templates state their users");
        assert_eq!(
            Stage::for_users(users),
            template.stage,
            "{} users fit the stage",
            template.slug
        );
    }
    let scale = template(Stage::Scale).design().unwrap();
    let regions: std::collections::BTreeSet<_> = scale
        .components
        .iter()
        .filter_map(|c| c.region.as_deref())
        .collect();
    assert!(regions.len() >= 2, "the Scale template is multi-region");
    assert!(scale
        .components
        .iter()
        .any(|c| c.kind == ComponentKind::Cdn));
    assert!(scale
        .components
        .iter()
        .any(|c| c.kind == ComponentKind::AutoscalingGroup));
}

#[test]
fn instantiating_a_template_gives_a_fresh_id() {
    let a = template(Stage::Mvp).instantiate().unwrap();
    let b = template(Stage::Mvp).instantiate().unwrap();
    assert_ne!(a.id, b.id);
    assert_ne!(a.id.as_str(), "dsg_template_mvp");
}

#[test]
fn moving_a_box_changes_only_the_layout_section() {
    let mut design = template(Stage::Growth).design().unwrap();
    let before = to_canonical_string(&design);
    design.layout.nodes.get_mut("cmp_app").unwrap().x += 40.0;
    let after = to_canonical_string(&design);
    let layout_start = before.find("\"layout\"").unwrap();
    assert_eq!(
        before[..layout_start],
        after[..layout_start],
        "meaning must not change"
    );
    assert_ne!(before, after);
}

fn name_strategy() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _.éü✓-]{1,24}".prop_filter("names are not blank", |s| !s.trim().is_empty())
}

prop_compose! {
    fn arb_component(index: usize)(
        kind in prop::sample::select(ComponentKind::ALL.to_vec()),
        provider in prop::sample::select(vec![Provider::Hetzner, Provider::Digitalocean, Provider::Aws, Provider::Unassigned]),
        name in name_strategy(),
        count in 1u32..20,
        size in prop::option::of(prop::sample::select(vec!["cx22", "s-1vcpu-2gb", "t3.small"])),
        storage in prop::option::of(1u32..10_000),
        ttl in prop::option::of(0u32..86_400),
        workloads in prop::collection::vec(prop::sample::select(vec![Workload::Web, Workload::Jobs, Workload::Database]), 0..3),
        x in -1.0e6f64..1.0e6, y in -1.0e6f64..1.0e6,
    ) -> (Component, Placement) {
        let mut component = Component::new(kind, name);
        component.id = ComponentId::parse(&format!("cmp_{index}")).unwrap();
        component.provider = provider;
        component.count = count;
        component.size = size.map(str::to_owned);
        component.properties.storage_gb = storage;
        component.properties.dns_ttl_seconds = ttl;
        component.properties.workloads = workloads;
        (component, Placement { x, y, width: None, height: None })
    }
}

fn arb_design() -> impl Strategy<Value = Design> {
    (1usize..12)
        .prop_flat_map(|n| {
            let components: Vec<_> = (0..n).map(arb_component).collect();
            let links = prop::collection::vec(
                (
                    0..n,
                    0..n,
                    prop::sample::select(vec![
                        Protocol::Https,
                        Protocol::Postgresql,
                        Protocol::Redis,
                    ]),
                    1u16..=65535,
                ),
                0..n * 2,
            );
            let group_count = 0usize..4;
            (components, links, group_count, name_strategy())
        })
        .prop_map(|(components, links, group_count, name)| {
            let mut design = Design::new(name);
            for g in 0..group_count {
                design.groups.push(Group {
                    id: GroupId::parse(&format!("grp_{g}")).unwrap(),
                    kind: GroupKind::Region,
                    name: format!("group {g}"),
                    provider: Provider::Hetzner,
                    region: Some("fsn1".into()),
                    cidr: None,
                    // Each group nests in the previous one: always a tree.
                    parent: g
                        .checked_sub(1)
                        .map(|p| GroupId::parse(&format!("grp_{p}")).unwrap()),
                });
            }
            for (i, (mut component, placement)) in components.into_iter().enumerate() {
                if group_count > 0 {
                    component.group =
                        Some(GroupId::parse(&format!("grp_{}", i % group_count)).unwrap());
                }
                design
                    .layout
                    .nodes
                    .insert(component.id.to_string(), placement);
                design.components.push(component);
            }
            for (i, (from, to, protocol, port)) in links.into_iter().enumerate() {
                if from == to {
                    continue;
                }
                design.connections.push(Connection {
                    id: ConnectionId::parse(&format!("con_{i}")).unwrap(),
                    from: design.components[from].id.clone(),
                    to: design.components[to].id.clone(),
                    protocol,
                    ports: vec![port],
                    network: NetworkPath::Private,
                    label: None,
                });
            }
            design
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn generated_designs_round_trip(design in arb_design()) {
        let text = to_canonical_string(&design);
        let loaded = load_str(&text, "generated").map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&loaded.design, &design);
        prop_assert_eq!(to_canonical_string(&loaded.design), text);
    }
}

#[test]
fn large_generated_designs_are_valid() {
    let design = stagecraft_model::generate::generated_design(1_000);
    assert!(design.components.len() >= 1_000);
    let text = to_canonical_string(&design);
    assert_eq!(load_str(&text, "generated").unwrap().design, design);
}
