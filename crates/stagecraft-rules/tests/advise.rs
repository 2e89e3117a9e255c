//! The advisor answers scale up or out per tier from the assumptions, lists steps that reach the
//! next stage when applied in order, and says how each server-to-server connection should travel.

use stagecraft_model::{template, ComponentId, NetworkPath, Provider, Stage};
use stagecraft_rules::{
    advise, apply_fix, check, detect_stage, CheckOptions, LinkSituation, ScalingDecision, Tier,
};

#[test]
fn advice_for_each_template_is_stable() {
    for t in stagecraft_model::TEMPLATES {
        let advice = advise(&t.design().unwrap());
        insta::assert_json_snapshot!(format!("advice-{}", t.slug), advice);
    }
}

#[test]
fn mvp_steps_reach_growth_when_applied_in_order() {
    let design = template(Stage::Mvp).design().unwrap();
    let advice = advise(&design);
    assert_eq!(advice.next_stage, Some(Stage::Growth));
    assert!(
        advice.next_stage_steps.len() >= 2,
        "{:#?}",
        advice.next_stage_steps
    );
    let mut working = design;
    for step in &advice.next_stage_steps {
        apply_fix(&mut working, &step.fix).unwrap_or_else(|e| panic!("{}: {e}", step.title));
    }
    assert_eq!(detect_stage(&working), Stage::Growth);
    let report = check(
        &working,
        &CheckOptions {
            target_stage: Some(Stage::Growth),
        },
    );
    assert!(
        !report.findings.iter().any(|f| f.rule.starts_with("stage.")),
        "after the steps no stage finding remains: {:#?}",
        report.findings
    );
    assert_eq!(report.counts.error, 0, "{:#?}", report.findings);
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.rule.starts_with("network.")),
        "the new database is reached over a private network: {:#?}",
        report.findings
    );
}

#[test]
fn growth_load_scales_the_web_tier_out_and_the_database_up() {
    let mut design = template(Stage::Growth).design().unwrap();
    // 2,000 requests/s with no growth: 67 web vCPUs at 30 per vCPU; the database 14 vCPU.
    design.assumptions.peak_rps = Some(2000);
    design.assumptions.monthly_growth_percent = None;
    let advice = advise(&design);
    let web = advice.tiers.iter().find(|t| t.tier == Tier::Web).unwrap();
    assert_eq!(web.decision, ScalingDecision::ScaleOut, "{}", web.reasoning);
    let proposed = web.proposed.as_ref().unwrap();
    assert_eq!(proposed.size, "cx32");
    assert_eq!(proposed.count, 17, "67 vCPU over 4-vCPU servers");
    let db = advice
        .tiers
        .iter()
        .find(|t| t.tier == Tier::Database)
        .unwrap();
    assert_eq!(db.decision, ScalingDecision::ScaleUp, "{}", db.reasoning);
    let db_size = db.proposed.as_ref().unwrap();
    assert!(db_size.vcpus >= 14 && db_size.provider == Provider::Hetzner);
    assert!(db.reasoning.contains("every write"), "{}", db.reasoning);
    // Each tier fix applies.
    for tier in &advice.tiers {
        if let Some(fix) = &tier.fix {
            let mut copy = design.clone();
            apply_fix(&mut copy, fix).unwrap();
        }
    }
}

#[test]
fn light_load_keeps_the_mvp_server() {
    let advice = advise(&template(Stage::Mvp).design().unwrap());
    let web = advice.tiers.iter().find(|t| t.tier == Tier::Web).unwrap();
    assert_eq!(web.decision, ScalingDecision::Keep, "{}", web.reasoning);
    assert_eq!(web.current.as_ref().unwrap().size, "cx22");
}

#[test]
fn an_mvp_over_one_server_scales_up_first() {
    let mut design = template(Stage::Mvp).design().unwrap();
    design.assumptions.peak_rps = Some(100);
    let web = advise(&design)
        .tiers
        .into_iter()
        .find(|t| t.tier == Tier::Web)
        .unwrap();
    assert_eq!(web.decision, ScalingDecision::ScaleUp, "{}", web.reasoning);
    assert!(web.proposed.unwrap().vcpus >= 4);
}

#[test]
fn cross_provider_links_get_wireguard_advice_with_a_fix() {
    let mut design = template(Stage::Growth).design().unwrap();
    let db = design
        .components
        .iter_mut()
        .find(|c| c.id.as_str() == "cmp_db")
        .unwrap();
    db.provider = Provider::Digitalocean;
    db.region = Some("fra1".into());
    db.size = Some("s-2vcpu-4gb".into());
    db.group = None;
    let advice = advise(&design);
    let link = advice
        .links
        .iter()
        .find(|l| l.from == ComponentId::parse("cmp_app").unwrap())
        .unwrap();
    assert_eq!(link.situation, LinkSituation::CrossProvider);
    assert!(link.advice.contains("WireGuard"), "{}", link.advice);
    let mut fixed = design.clone();
    apply_fix(&mut fixed, link.fix.as_ref().expect("a VPN fix")).unwrap();
    assert!(fixed
        .connections
        .iter()
        .any(|c| c.to.as_str() == "cmp_db" && c.network == NetworkPath::Vpn));
    let same = advise(&template(Stage::Growth).design().unwrap());
    assert!(same
        .links
        .iter()
        .all(|l| l.situation == LinkSituation::SamePrivateNetwork && l.fix.is_none()));
}
