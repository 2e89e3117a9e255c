//! The plan's monthly cost change: each create, resize and delete priced with the embedded
//! catalogue (Hetzner prices of 2025-09-01, net), and the total; an unknown price is `None`,
//! never a silent zero.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use stagecraft_cloud::engine::ObservedResource;
use stagecraft_cloud::plan::diff;
use stagecraft_cloud::resources::{map_design, MappingOptions, ResourceKey, ResourceKind};
use stagecraft_cloud::ChangeAction;
use stagecraft_model::{template_by_slug, Currency, Provider};
use stagecraft_pricing::embedded;

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn observed(key: &str, kind: ResourceKind, attributes: &[(&str, &str)]) -> ObservedResource {
    let (owner, local) = key.split_once('/').unwrap();
    ObservedResource {
        key: ResourceKey::new(owner, local),
        provider: Provider::Hetzner,
        kind,
        provider_id: "42".into(),
        name: local.into(),
        fingerprint: Some("old".into()),
        attributes: attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
    }
}

#[test]
fn plan_changes_carry_their_monthly_cost_change() {
    let design = template_by_slug("mvp").unwrap().design().unwrap();
    let mapping = map_design(&design, &MappingOptions::default());
    let server = mapping
        .resources
        .iter()
        .find(|r| r.spec.kind() == ResourceKind::Server)
        .expect("the MVP has a server");
    let server_key = server.key.to_string();

    // Nothing exists yet: every change is a create, priced at the new resource's price.
    let mut plan = diff(design.id.as_str(), &design.name, &mapping, &[]);
    assert_eq!(plan.monthly_cost_change, None, "diff alone does not price");
    plan.price(&mapping, &[], Currency::Eur, &[embedded()]);
    let change = |plan: &stagecraft_cloud::Plan, key: &str| {
        plan.changes
            .iter()
            .find(|c| c.key.to_string() == key)
            .unwrap_or_else(|| panic!("no change for {key}: {:#?}", plan.changes))
            .clone()
    };
    let create = change(&plan, &server_key);
    assert_eq!(create.action, ChangeAction::Create);
    // A cx22 in the EU: €3.79 a month.
    assert_eq!(create.monthly_cost_change, Some(d("3.79")));
    for c in &plan.changes {
        if matches!(
            c.kind,
            ResourceKind::Firewall | ResourceKind::Network | ResourceKind::SshKey
        ) {
            assert_eq!(c.monthly_cost_change, Some(Decimal::ZERO), "{c:?}");
        }
    }
    let sum: Decimal = plan
        .changes
        .iter()
        .filter_map(|c| c.monthly_cost_change)
        .sum();
    assert_eq!(
        plan.monthly_cost_change,
        Some(sum),
        "the total adds the changes"
    );
    assert!(sum >= d("3.79"));

    // The server exists as a cx32 (€6.80) and will be replaced by a cx22 (€3.79): −€3.01. A
    // 100 GB volume no longer in the design is deleted: 100 × €0.044 = −€4.40.
    let existing = vec![
        observed(
            &server_key,
            ResourceKind::Server,
            &[("server_type", "cx32"), ("location", "fsn1")],
        ),
        observed(
            "cmp_gone/volume",
            ResourceKind::Volume,
            &[("size", "100"), ("location", "fsn1")],
        ),
    ];
    let mut plan = diff(design.id.as_str(), &design.name, &mapping, &existing);
    plan.price(&mapping, &existing, Currency::Eur, &[embedded()]);
    let replace = change(&plan, &server_key);
    assert_eq!(replace.action, ChangeAction::Replace);
    assert_eq!(replace.monthly_cost_change, Some(d("-3.01")));
    let delete = change(&plan, "cmp_gone/volume");
    assert_eq!(delete.action, ChangeAction::Delete);
    assert_eq!(delete.monthly_cost_change, Some(d("-4.40")));
    let sum: Decimal = plan
        .changes
        .iter()
        .filter_map(|c| c.monthly_cost_change)
        .sum();
    assert_eq!(plan.monthly_cost_change, Some(sum));

    // In dollars at the default rate (1 EUR = 1.17 USD): the cx22 costs $4.43.
    let mut plan = diff(design.id.as_str(), &design.name, &mapping, &[]);
    plan.price(&mapping, &[], Currency::Usd, &[embedded()]);
    assert_eq!(
        change(&plan, &server_key).monthly_cost_change,
        Some(d("4.43"))
    );

    // A server type the catalogue does not know: that change and the total are unknown.
    let existing = vec![observed(
        &server_key,
        ResourceKind::Server,
        &[("server_type", "cx999"), ("location", "fsn1")],
    )];
    let mut plan = diff(design.id.as_str(), &design.name, &mapping, &existing);
    plan.price(&mapping, &existing, Currency::Eur, &[embedded()]);
    assert_eq!(change(&plan, &server_key).monthly_cost_change, None);
    assert_eq!(
        plan.monthly_cost_change, None,
        "an unpriced change leaves the total unknown, never a silent zero"
    );
}
