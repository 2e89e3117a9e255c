//! Known-answer tests: single-component designs whose monthly price is worked out by hand, in
//! the comment above each assertion, from the provider's published price on the catalogue date
//! (2025-09-01). Lines are rounded to cents (half away from zero) and totals add the lines.

use std::str::FromStr;

use rust_decimal::Decimal;
use stagecraft_model::{
    BackupPolicy, Component, ComponentKind, Connection, ConnectionId, Currency, Design, Engine,
    Group, GroupId, GroupKind, NetworkPath, Protocol, Provider, PurchaseOption, Schedule,
};
use stagecraft_pricing::{estimate, CostOptions, Estimate};

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).expect("test decimal")
}

fn design(currency: Currency, egress_gb: Option<u32>, components: Vec<Component>) -> Design {
    let mut design = Design::new("known answer");
    design.assumptions.currency = currency;
    design.assumptions.monthly_egress_gb = egress_gb;
    design.components = components;
    design
}

fn component(
    kind: ComponentKind,
    provider: Provider,
    region: &str,
    size: Option<&str>,
) -> Component {
    let mut c = Component::new(kind, "subject");
    c.provider = provider;
    c.region = Some(region.to_owned());
    c.size = size.map(str::to_owned);
    c
}

fn priced(design: &Design, options: &CostOptions) -> Estimate {
    let estimate = estimate(design, options);
    assert!(
        estimate.warnings.is_empty(),
        "unexpected warnings: {:?}",
        estimate.warnings
    );
    estimate
}

fn line<'a>(estimate: &'a Estimate, item: &str) -> &'a stagecraft_pricing::CostLine {
    estimate
        .lines
        .iter()
        .find(|l| l.item == item)
        .unwrap_or_else(|| panic!("no line `{item}` in {:#?}", estimate.lines))
}

#[test]
fn hetzner_cx22_with_ipv4_and_backups() {
    let mut server = component(
        ComponentKind::AppServer,
        Provider::Hetzner,
        "fsn1",
        Some("cx22"),
    );
    server.properties.public_ipv4 = Some(true);
    server.properties.backup = Some(BackupPolicy {
        snapshots: Some(Schedule::Weekly),
        ..BackupPolicy::default()
    });
    let e = priced(
        &design(Currency::Eur, Some(0), vec![server]),
        &CostOptions::default(),
    );
    // CX22 in Germany: €3.79 a month (cap of the hourly price).
    assert_eq!(line(&e, "server cx22").monthly, d("3.79"));
    // Primary IPv4: €0.50 a month.
    assert_eq!(line(&e, "primary IPv4").monthly, d("0.50"));
    // Backups: 20% of €3.79 = €0.758 -> €0.76.
    assert_eq!(line(&e, "backups").monthly, d("0.76"));
    // 3.79 + 0.50 + 0.76 + egress 0 = €5.05; hourly 5.05 / 730 = 0.006917... -> 0.0069.
    assert_eq!(e.totals.monthly, d("5.05"));
    assert_eq!(e.totals.hourly, d("0.0069"));
}

#[test]
fn hetzner_egress_beyond_the_included_20_tb() {
    let server = component(
        ComponentKind::AppServer,
        Provider::Hetzner,
        "nbg1",
        Some("cx22"),
    );
    let e = priced(
        &design(Currency::Eur, Some(25_000), vec![server]),
        &CostOptions::default(),
    );
    // 25,000 GB − 20,000 GB included = 5,000 GB = 5 TB × €1.00 = €5.00.
    assert_eq!(line(&e, "egress").monthly, d("5.00"));
    assert_eq!(e.egress[0].included_gb, d("20000"));
    assert_eq!(e.egress[0].charged_gb, d("5000"));
    // €3.79 + primary IPv4 €0.50 + €5.00.
    assert_eq!(e.totals.monthly, d("9.29"));
}

#[test]
fn hetzner_object_storage_beyond_one_tb() {
    let mut bucket = component(
        ComponentKind::ObjectStorage,
        Provider::Hetzner,
        "hel1",
        None,
    );
    bucket.properties.storage_gb = Some(1_500);
    let e = priced(
        &design(Currency::Eur, None, vec![bucket]),
        &CostOptions::default(),
    );
    // Base €4.99 (1 TB included) + 0.5 TB × €4.99 = €2.495 -> €2.50; total €7.49.
    assert_eq!(line(&e, "extra storage").monthly, d("2.50"));
    assert_eq!(e.totals.monthly, d("7.49"));
}

#[test]
fn vat_is_added_on_the_total() {
    let mut server = component(
        ComponentKind::Worker,
        Provider::Hetzner,
        "fsn1",
        Some("cx22"),
    );
    server.properties.public_ipv4 = Some(false);
    let options = CostOptions {
        vat_percent: Some(d("19")),
        ..CostOptions::default()
    };
    let e = priced(&design(Currency::Eur, Some(0), vec![server]), &options);
    // 19% of €3.79 = €0.7201 -> €0.72; €3.79 + €0.72 = €4.51.
    assert_eq!(e.totals.vat, d("0.72"));
    assert_eq!(e.totals.monthly_with_vat, d("4.51"));
}

#[test]
fn aws_t3_micro_on_demand_reserved_and_hours() {
    let mut server = component(
        ComponentKind::AppServer,
        Provider::Aws,
        "us-east-1",
        Some("t3.micro"),
    );
    server.properties.public_ipv4 = Some(false);
    let e = priced(
        &design(Currency::Usd, Some(100), vec![server.clone()]),
        &CostOptions::default(),
    );
    // $0.0104 an hour × 730 h = $7.592 -> $7.59.
    assert_eq!(line(&e, "server t3.micro").monthly, d("7.59"));
    // 8 GB gp3 root volume × $0.08 = $0.64.
    assert_eq!(line(&e, "volume").monthly, d("0.64"));
    // 100 GB of egress sit in the free first 100 GB.
    assert_eq!(e.egress[0].charged_gb, d("0"));
    assert_eq!(e.totals.monthly, d("8.23"));

    let mut reserved = server.clone();
    reserved.properties.purchase = Some(PurchaseOption::Reserved1y);
    let e = priced(
        &design(Currency::Usd, Some(100), vec![reserved]),
        &CostOptions::default(),
    );
    // 1-year no-upfront reserved: $0.0065 × 730 = $4.745 -> $4.75; saves $7.59 − $4.75 = $2.84.
    let l = line(&e, "server t3.micro");
    assert_eq!(l.monthly, d("4.75"));
    let saving = l.saving.as_ref().expect("a reserved line shows its saving");
    assert_eq!(saving.on_demand_monthly, d("7.59"));
    assert_eq!(saving.monthly_saving, d("2.84"));
    assert_eq!(e.totals.savings, d("2.84"));

    let options = CostOptions {
        hours_per_month: d("720"),
        ..CostOptions::default()
    };
    let e = priced(&design(Currency::Usd, Some(100), vec![server]), &options);
    // $0.0104 × 720 h = $7.488 -> $7.49.
    assert_eq!(line(&e, "server t3.micro").monthly, d("7.49"));
}

#[test]
fn aws_spot_is_marked_as_an_estimate() {
    let mut server = component(
        ComponentKind::Worker,
        Provider::Aws,
        "us-east-1",
        Some("m7i.large"),
    );
    server.properties.purchase = Some(PurchaseOption::Spot);
    let e = priced(
        &design(Currency::Usd, Some(0), vec![server]),
        &CostOptions::default(),
    );
    let l = line(&e, "server m7i.large");
    // Spot estimate: 35% of $0.1008 = $0.03528, kept to four places as $0.0353 an hour;
    // × 730 h = $25.769 -> $25.77.
    assert_eq!(l.monthly, d("25.77"));
    assert!(
        l.price.estimate,
        "spot prices are estimates and must say so"
    );
}

#[test]
fn aws_egress_tiers_after_the_free_100_gb() {
    let server = component(
        ComponentKind::AppServer,
        Provider::Aws,
        "us-east-1",
        Some("t3.micro"),
    );
    let e = priced(
        &design(Currency::Usd, Some(1_000), vec![server]),
        &CostOptions::default(),
    );
    // First 100 GB free, then 900 GB × $0.09 = $81.00.
    assert_eq!(e.egress[0].monthly, d("81.00"));
    assert_eq!(e.egress[0].included_gb, d("100"));
    assert_eq!(e.egress[0].charged_gb, d("900"));
}

#[test]
fn aws_rds_multi_az_doubles_instance_and_storage() {
    let mut db = component(
        ComponentKind::ManagedDatabase,
        Provider::Aws,
        "us-east-1",
        Some("db.t4g.micro"),
    );
    db.properties.engine = Some(Engine::Postgresql);
    db.properties.standby_nodes = Some(1);
    db.properties.storage_gb = Some(20);
    let e = priced(
        &design(Currency::Usd, None, vec![db]),
        &CostOptions::default(),
    );
    // $0.016 × 730 h × 2 (Multi-AZ) = $23.36.
    assert_eq!(
        line(&e, "managed database db.t4g.micro").monthly,
        d("23.36")
    );
    // 20 GB × $0.115 × 2 = $4.60.
    assert_eq!(line(&e, "database storage").monthly, d("4.60"));
    assert_eq!(e.totals.monthly, d("27.96"));
}

#[test]
fn aws_alb_hours_plus_one_capacity_unit() {
    let lb = component(
        ComponentKind::LoadBalancer,
        Provider::Aws,
        "us-east-1",
        Some("alb"),
    );
    let e = priced(
        &design(Currency::Usd, Some(0), vec![lb]),
        &CostOptions::default(),
    );
    // $0.0225 × 730 = $16.425 -> $16.43; the 1-LCU minimum: $0.008 × 730 = $5.84.
    assert_eq!(line(&e, "load balancer alb").monthly, d("16.43"));
    assert_eq!(line(&e, "alb capacity units").monthly, d("5.84"));
    assert_eq!(e.totals.monthly, d("22.27"));
}

#[test]
fn digitalocean_database_with_standby_in_euros() {
    let mut db = component(
        ComponentKind::ManagedDatabase,
        Provider::Digitalocean,
        "fra1",
        Some("db-s-1vcpu-2gb"),
    );
    db.properties.standby_nodes = Some(1);
    let e = priced(
        &design(Currency::Eur, None, vec![db]),
        &CostOptions::default(),
    );
    // $30 a node × 2 nodes = $60; at 1 EUR = 1.17 USD: 60 / 1.17 = €51.2820... -> €51.28.
    assert_eq!(e.totals.monthly, d("51.28"));
    assert!(
        e.lines[0].rule.contains("1.17"),
        "a converted line says its rate: {}",
        e.lines[0].rule
    );
}

#[test]
fn digitalocean_pooled_transfer_overage() {
    let droplet = component(
        ComponentKind::AppServer,
        Provider::Digitalocean,
        "nyc3",
        Some("s-1vcpu-1gb"),
    );
    let e = priced(
        &design(Currency::Usd, Some(1_500), vec![droplet]),
        &CostOptions::default(),
    );
    // DigitalOcean counts in GiB (2^30 bytes): the $6 droplet includes 1,000 GiB, and overage is
    // $0.01 per GiB. 1,500 GB = 1,396.98 GiB, so 396.98 GiB over × $0.01 = $3.97 (counting GB
    // as if they were GiB would say 500 × $0.01 = $5.00); total $9.97.
    let egress = line(&e, "egress");
    assert_eq!(egress.monthly, d("3.97"));
    assert_eq!(egress.quantity, d("396.98"), "{}", egress.rule);
    assert!(egress.rule.contains("GiB"), "{}", egress.rule);
    assert_eq!(e.egress[0].included_gb, d("1073.741824"));
    assert_eq!(e.egress[0].charged_gb, d("426.258176"));
    assert_eq!(e.totals.monthly, d("9.97"));
}

#[test]
fn digitalocean_load_balancer_is_priced_per_node() {
    let lb = component(
        ComponentKind::LoadBalancer,
        Provider::Digitalocean,
        "nyc3",
        Some("lb-2"),
    );
    let e = priced(
        &design(Currency::Usd, None, vec![lb]),
        &CostOptions::default(),
    );
    // 2 nodes × $12 = $24.
    assert_eq!(e.totals.monthly, d("24.00"));
}

#[test]
fn unknown_prices_are_warnings_never_silent_zeros() {
    // Not placed, no default provider.
    let loose = Component::new(ComponentKind::AppServer, "loose");
    let e = estimate(
        &design(Currency::Eur, None, vec![loose.clone()]),
        &CostOptions::default(),
    );
    assert!(e.lines.is_empty());
    assert_eq!(e.warnings.len(), 1, "{:?}", e.warnings);
    assert_eq!(e.totals.unpriced_components, 1);

    // With a default provider it is priced at the catalogue's default size (cx22).
    let options = CostOptions {
        default_provider: Some(Provider::Hetzner),
        ..CostOptions::default()
    };
    let e = estimate(&design(Currency::Eur, Some(0), vec![loose]), &options);
    // €3.79 + its primary IPv4 €0.50.
    assert_eq!(e.totals.monthly, d("4.29"));

    // A CDN on Hetzner does not exist: a warning, not €0.
    let cdn = component(ComponentKind::Cdn, Provider::Hetzner, "fsn1", None);
    let e = estimate(
        &design(Currency::Eur, None, vec![cdn]),
        &CostOptions::default(),
    );
    assert!(e.lines.is_empty());
    assert!(e.warnings[0].message.contains("no CDN"), "{:?}", e.warnings);

    // A size the catalogue does not price.
    let odd = component(
        ComponentKind::AppServer,
        Provider::Hetzner,
        "fsn1",
        Some("cx999"),
    );
    let e = estimate(
        &design(Currency::Eur, None, vec![odd]),
        &CostOptions::default(),
    );
    assert!(e.warnings[0].message.contains("cx999"), "{:?}", e.warnings);
    assert_eq!(e.totals.unpriced_components, 1);
}

#[test]
fn missing_egress_assumption_is_a_warning() {
    let server = component(
        ComponentKind::AppServer,
        Provider::Hetzner,
        "fsn1",
        Some("cx22"),
    );
    let e = estimate(
        &design(Currency::Eur, None, vec![server]),
        &CostOptions::default(),
    );
    assert!(
        e.warnings
            .iter()
            .any(|w| w.message.contains("monthly_egress_gb")),
        "{:?}",
        e.warnings
    );
}

#[test]
fn aws_rds_reserved_one_year_no_upfront_and_no_three_year() {
    let mut db = component(
        ComponentKind::ManagedDatabase,
        Provider::Aws,
        "us-east-1",
        Some("db.t4g.micro"),
    );
    db.properties.engine = Some(Engine::Postgresql);
    db.properties.standby_nodes = Some(1);
    db.properties.storage_gb = Some(20);
    db.properties.purchase = Some(PurchaseOption::Reserved1y);
    let e = priced(
        &design(Currency::Usd, None, vec![db.clone()]),
        &CostOptions::default(),
    );
    // 1-year no upfront: $0.016 × 0.69 = $0.01104, kept as $0.0110 an hour; × 730 h × 2
    // (Multi-AZ) = $16.06. On demand: $0.016 × 730 × 2 = $23.36; saves $7.30.
    let l = line(&e, "managed database db.t4g.micro");
    assert_eq!(l.price.id, "aws.rds.db.t4g.micro.us-east-1.reserved1y");
    assert!(l.price.estimate, "derived reserved prices say so");
    assert_eq!(l.monthly, d("16.06"));
    let saving = l.saving.as_ref().expect("a reserved line shows its saving");
    assert_eq!(saving.on_demand_monthly, d("23.36"));
    assert_eq!(saving.monthly_saving, d("7.30"));
    // Storage is never reserved: 20 GB × $0.115 × 2 = $4.60.
    assert_eq!(line(&e, "database storage").monthly, d("4.60"));
    assert_eq!(e.totals.monthly, d("20.66"));
    assert_eq!(e.totals.savings, d("7.30"));

    // AWS sells no 3-year no-upfront RDS reservation: on demand, with a warning saying why.
    db.properties.purchase = Some(PurchaseOption::Reserved3y);
    let e = estimate(
        &design(Currency::Usd, None, vec![db]),
        &CostOptions::default(),
    );
    assert_eq!(
        line(&e, "managed database db.t4g.micro").monthly,
        d("23.36")
    );
    assert!(
        e.warnings.iter().any(|w| w
            .message
            .contains("3-year RDS reservations only with an upfront")),
        "{:?}",
        e.warnings
    );
}

#[test]
fn aws_elasticache_reserved_one_and_three_years() {
    let mut cache = component(
        ComponentKind::Cache,
        Provider::Aws,
        "us-east-1",
        Some("cache.t4g.small"),
    );
    cache.properties.engine = Some(Engine::Redis);
    cache.properties.purchase = Some(PurchaseOption::Reserved1y);
    let e = priced(
        &design(Currency::Usd, None, vec![cache.clone()]),
        &CostOptions::default(),
    );
    // Redis OSS cache.t4g.small on demand: $0.032 × 730 = $23.36. 1-year no upfront:
    // $0.032 × 0.69 = $0.02208 -> $0.0221 an hour × 730 = $16.133 -> $16.13; saves $7.23.
    let l = line(&e, "cache cache.t4g.small");
    assert_eq!(
        l.price.id,
        "aws.elasticache.cache.t4g.small.redis.us-east-1.reserved1y"
    );
    assert_eq!(l.monthly, d("16.13"));
    assert_eq!(l.saving.as_ref().unwrap().monthly_saving, d("7.23"));

    cache.properties.purchase = Some(PurchaseOption::Reserved3y);
    let e = priced(
        &design(Currency::Usd, None, vec![cache.clone()]),
        &CostOptions::default(),
    );
    // 3-year no upfront: $0.032 × 0.55 = $0.0176 an hour × 730 = $12.848 -> $12.85; saves $10.51.
    let l = line(&e, "cache cache.t4g.small");
    assert_eq!(l.monthly, d("12.85"));
    assert_eq!(l.saving.as_ref().unwrap().monthly_saving, d("10.51"));

    // Spot does not exist for caches: on demand with a warning.
    cache.properties.purchase = Some(PurchaseOption::Spot);
    let e = estimate(
        &design(Currency::Usd, None, vec![cache]),
        &CostOptions::default(),
    );
    assert_eq!(line(&e, "cache cache.t4g.small").monthly, d("23.36"));
    assert!(
        e.warnings
            .iter()
            .any(|w| w.message.contains("no spot cache nodes")),
        "{:?}",
        e.warnings
    );
}

fn private_network(id: &str) -> Group {
    Group {
        id: GroupId::parse(id).unwrap(),
        kind: GroupKind::PrivateNetwork,
        name: "private".into(),
        provider: Provider::Aws,
        region: Some("us-east-1".into()),
        cidr: Some("10.0.0.0/16".into()),
        parent: None,
    }
}

#[test]
fn aws_nat_gateway_data_processing_from_the_egress_assumption() {
    let network = private_network("grp_private");
    let mut worker = component(
        ComponentKind::Worker,
        Provider::Aws,
        "us-east-1",
        Some("t3.micro"),
    );
    worker.group = Some(network.id.clone());
    let mut public = component(
        ComponentKind::AppServer,
        Provider::Aws,
        "us-east-1",
        Some("t3.micro"),
    );
    public.name = "public".into();
    let mut d1 = design(Currency::Usd, Some(1_000), vec![worker, public]);
    d1.groups.push(network);
    let e = priced(&d1, &CostOptions::default());
    // One NAT gateway: $0.045 × 730 h = $32.85.
    assert_eq!(line(&e, "NAT gateway").monthly, d("32.85"));
    // 1 of the 2 servers sits in the private network with no load balancer in front: half of the
    // 1,000 GB egress, 500 GB × $0.045 per GB processed = $22.50.
    let data = line(&e, "NAT gateway data");
    assert_eq!(data.quantity, d("500"));
    assert_eq!(data.monthly, d("22.50"));
    assert_eq!(data.price.id, "aws.nat_gateway.data.us-east-1");
    assert!(
        data.rule
            .contains("1 of the design's 2 application server(s)"),
        "{}",
        data.rule
    );
}

#[test]
fn aws_nat_gateway_data_skips_servers_behind_a_load_balancer() {
    let network = private_network("grp_private");
    let mut app = component(
        ComponentKind::AppServer,
        Provider::Aws,
        "us-east-1",
        Some("t3.micro"),
    );
    app.group = Some(network.id.clone());
    let mut lb = component(
        ComponentKind::LoadBalancer,
        Provider::Aws,
        "us-east-1",
        Some("alb"),
    );
    lb.name = "lb".into();
    let connection = Connection {
        id: ConnectionId::parse("con_lb_app").unwrap(),
        from: lb.id.clone(),
        to: app.id.clone(),
        protocol: Protocol::Http,
        ports: vec![8080],
        network: NetworkPath::default(),
        label: None,
    };
    let mut d1 = design(Currency::Usd, Some(1_000), vec![app, lb]);
    d1.groups.push(network);
    d1.connections.push(connection);
    let e = priced(&d1, &CostOptions::default());
    // The NAT gateway still runs ($32.85), but the app answers through the load balancer: no
    // data is processed by the NAT gateway.
    assert_eq!(line(&e, "NAT gateway").monthly, d("32.85"));
    assert!(
        !e.lines.iter().any(|l| l.item == "NAT gateway data"),
        "{:#?}",
        e.lines
    );
}

#[test]
fn digitalocean_spaces_storage_is_billed_per_gib() {
    let mut bucket = component(
        ComponentKind::ObjectStorage,
        Provider::Digitalocean,
        "nyc3",
        None,
    );
    bucket.properties.storage_gb = Some(1000);
    let e = priced(
        &design(Currency::Usd, Some(0), vec![bucket]),
        &CostOptions::default(),
    );
    // Spaces: $5 a month with 250 GiB included (268.435456 GB). 1,000 GB stored − 268.435456 GB
    // = 731.564544 GB = 681.32 GiB (÷ 1.073741824); × $0.02 per GiB-month = $13.6264 -> $13.63.
    assert_eq!(line(&e, "object storage base").monthly, d("5.00"));
    let extra = line(&e, "extra storage");
    assert_eq!(extra.quantity, d("681.32"));
    assert_eq!(extra.monthly, d("13.63"));
    assert!(extra.rule.contains("per GiB-month"), "{}", extra.rule);
    assert_eq!(e.totals.monthly, d("18.63"));
}

#[test]
fn digitalocean_volume_and_database_storage_are_sized_in_gib() {
    let mut volume = component(
        ComponentKind::BlockVolume,
        Provider::Digitalocean,
        "nyc3",
        None,
    );
    volume.properties.storage_gb = Some(100);
    let e = priced(
        &design(Currency::Usd, Some(0), vec![volume]),
        &CostOptions::default(),
    );
    // The driver creates a 100 GiB volume (size_gigabytes): 100 GiB × $0.10 = $10.00.
    let line_ = line(&e, "volume");
    assert_eq!(line_.monthly, d("10.00"));
    assert!(
        line_
            .rule
            .starts_with("100 GiB-month × $0.10 per GiB-month")
            && line_.rule.contains("storage_gb taken as GiB"),
        "{}",
        line_.rule
    );

    let mut db = component(
        ComponentKind::ManagedDatabase,
        Provider::Digitalocean,
        "nyc3",
        Some("db-s-1vcpu-1gb"),
    );
    db.properties.engine = Some(Engine::Postgresql);
    db.properties.storage_gb = Some(20);
    let e = priced(
        &design(Currency::Usd, Some(0), vec![db]),
        &CostOptions::default(),
    );
    // db-s-1vcpu-1gb includes a 10 GiB disk: 10 GiB more × $0.21 per GiB-month = $2.10.
    let storage = line(&e, "database storage");
    assert_eq!(storage.monthly, d("2.10"));
    assert!(
        storage.rule.contains("GiB-month") && storage.rule.contains("20 GiB wanted"),
        "{}",
        storage.rule
    );
}

#[test]
fn public_ipv4_is_charged_by_default_unless_the_design_turns_it_off() {
    let options = CostOptions::default();
    // Hetzner: a server gets a primary IPv4 unless disabled, €0.50 a month.
    let server = component(
        ComponentKind::AppServer,
        Provider::Hetzner,
        "fsn1",
        Some("cx22"),
    );
    let e = priced(
        &design(Currency::Eur, Some(0), vec![server.clone()]),
        &options,
    );
    let ip = line(&e, "primary IPv4");
    assert_eq!(ip.monthly, d("0.50"));
    assert!(ip.rule.contains("public by default"), "{}", ip.rule);
    // 3.79 + 0.50 = €4.29.
    assert_eq!(e.totals.monthly, d("4.29"));

    let mut without = server;
    without.properties.public_ipv4 = Some(false);
    let e = priced(&design(Currency::Eur, Some(0), vec![without]), &options);
    assert!(
        e.lines.iter().all(|l| l.item != "primary IPv4"),
        "{:#?}",
        e.lines
    );
    assert_eq!(e.totals.monthly, d("3.79"));

    // AWS: $0.005 per public IPv4 per hour × 730 h = $3.65, for each of 2 instances = $7.30.
    let mut instances = component(
        ComponentKind::AppServer,
        Provider::Aws,
        "us-east-1",
        Some("t3.micro"),
    );
    instances.count = 2;
    let e = priced(&design(Currency::Usd, Some(0), vec![instances]), &options);
    let ip = line(&e, "primary IPv4");
    assert_eq!(ip.quantity, d("2"));
    assert_eq!(ip.monthly, d("7.30"));
    assert!(ip.rule.contains("MapPublicIpOnLaunch"), "{}", ip.rule);

    // DigitalOcean: the droplet's IPv4 is included in its price, said on a zero line.
    let droplet = component(
        ComponentKind::AppServer,
        Provider::Digitalocean,
        "nyc3",
        Some("s-1vcpu-1gb"),
    );
    let e = priced(&design(Currency::Usd, Some(0), vec![droplet]), &options);
    let ip = line(&e, "primary IPv4");
    assert_eq!(ip.monthly, d("0.00"));
    assert!(
        ip.rule.contains("included in its price: no charge"),
        "{}",
        ip.rule
    );
}
