//! Live refresh: real-shaped answers served by Prism from the providers' own OpenAPI files are
//! parsed; malformed and partial answers are refused with a clear error and the stored
//! catalogue stays as it was; a complete answer is stored atomically and used by estimates,
//! which then say which catalogue and date each line came from.
//!
//! Needs Prism (`npm ci` at the workspace root installs node_modules/.bin/prism) and the specs
//! in `<workspace root>/../shared/specs`. The tests fail, not skip, when either is missing.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use stagecraft_model::{Component, ComponentKind, Design, Provider};
use stagecraft_pricing::refresh::{
    fetch_digitalocean, fetch_hetzner, load_catalog, parse_digitalocean, parse_hetzner,
    store_catalog, ApiToken, RefreshError,
};
use stagecraft_pricing::{
    embedded, estimate_with, CatalogOrigin, CostOptions, PriceCatalog, Product,
};
use stagecraft_testkit::peers::Prism;

async fn get(url: &str) -> String {
    reqwest::Client::new()
        .get(url)
        .bearer_auth("test-token")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A previously stored catalogue, to show a refused refresh leaves it alone.
fn previous_file(dir: &Path) -> (PathBuf, Vec<u8>) {
    let path = dir.join("prices.json");
    store_catalog(&path, embedded()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}

#[test]
fn hetzner_answers_from_prism_parse_and_pagination_is_judged() {
    let prism = Prism::mock("hetzner-cloud.openapi.json").answering("/pricing", "probe");
    let rt = runtime();
    let pricing = rt.block_on(get(&format!("{}/pricing", prism.url())));
    let types = rt.block_on(get(&format!(
        "{}/server_types?page=1&per_page=50",
        prism.url()
    )));
    let catalog = parse_hetzner(&prism.url(), &pricing, &[types], "2026-11-26")
        .expect("Prism's answers parse");
    let server = catalog
        .entries
        .iter()
        .find(|e| e.product == Product::Server)
        .expect("a server price");
    // The spec's example: cpx22 in fsn1 at 1.0000 net a month, 654321 bytes of traffic.
    assert_eq!(server.id, "hetzner.server.cpx22.fsn1");
    assert_eq!(server.amount.to_string(), "1.0000");
    assert_eq!(server.regions, vec!["fsn1"]);
    assert_eq!(server.as_of, "2026-11-26");
    assert!(server.source.ends_with("/pricing"));
    let backup = catalog
        .entries
        .iter()
        .find(|e| e.product == Product::ServerBackup)
        .unwrap();
    assert_eq!(backup.amount.to_string(), "20.00");
    assert!(matches!(
        catalog.origin,
        CatalogOrigin::Refreshed {
            provider: Provider::Hetzner,
            ..
        }
    ));

    // The full fetch walks /server_types: Prism serves the example page ("page 3 of 4, 100
    // types") whatever page is asked, so the walk ends with 1 of 100 types and is refused.
    let dir = tempfile::tempdir().unwrap();
    let (path, before) = previous_file(dir.path());
    let token = ApiToken::new("test-token");
    let error = rt
        .block_on(async {
            let catalog = fetch_hetzner(&prism.url(), &token, "2026-11-26").await?;
            store_catalog(&path, &catalog).map(|_| catalog)
        })
        .expect_err("a partial list is refused");
    assert!(matches!(error, RefreshError::Partial { .. }), "{error}");
    assert!(
        error.to_string().contains("1 of the 100 server types"),
        "{error}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the stored catalogue must stay as it was"
    );

    // Without a token Prism answers 401, which is refused with the status, never the token.
    let error = rt
        .block_on(fetch_hetzner(
            &format!("{}/nope", prism.url()),
            &token,
            "2026-11-26",
        ))
        .unwrap_err();
    assert!(matches!(error, RefreshError::Status { .. }), "{error}");
    assert!(!error.to_string().contains("test-token"));
}

#[test]
fn digitalocean_answer_from_prism_parses_and_pagination_is_judged() {
    let prism = Prism::mock("digitalocean.openapi.json").answering("/v2/sizes", "probe");
    let rt = runtime();
    let page = rt.block_on(get(&format!(
        "{}/v2/sizes?page=1&per_page=200",
        prism.url()
    )));
    let catalog =
        parse_digitalocean(&prism.url(), &[page], "2026-11-26").expect("Prism's answer parses");
    let size = &catalog.entries[0];
    // The spec's example: s-1vcpu-1gb at 5 USD a month with `transfer: 1`, which DigitalOcean's
    // price page states as 1,000 GiB.
    assert_eq!(size.id, "digitalocean.droplet.s-1vcpu-1gb");
    assert_eq!(size.amount.to_string(), "5");
    assert_eq!(size.includes[0].quantity.to_string(), "1000");
    assert_eq!(size.includes[0].unit, stagecraft_pricing::Unit::Gib);
    assert!(size.regions.contains(&"fra1".to_owned()));

    let dir = tempfile::tempdir().unwrap();
    let (path, before) = previous_file(dir.path());
    let token = ApiToken::new("test-token");
    let error = rt
        .block_on(fetch_digitalocean(&prism.url(), &token, "2026-11-26"))
        .unwrap_err();
    assert!(error.to_string().contains("1 of the 64 sizes"), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

const DO_COMPLETE: &str = include_str!("fixtures/do_sizes_complete.json");
const HETZNER_PRICING: &str = include_str!("fixtures/hetzner_pricing.json");
const HETZNER_TYPES: &str = include_str!("fixtures/hetzner_server_types.json");

#[test]
fn malformed_and_partial_answers_are_refused_with_the_place() {
    let base = "http://127.0.0.1:1";
    // A price that is not a number.
    let bad_price = DO_COMPLETE.replacen("\"price_monthly\": 12", "\"price_monthly\": \"six\"", 1);
    let error = parse_digitalocean(base, &[bad_price], "2026-11-26").unwrap_err();
    assert!(error.to_string().contains("price_monthly"), "{error}");
    // A missing field.
    let missing = DO_COMPLETE.replacen("\"price_monthly\": 12,", "", 1);
    let error = parse_digitalocean(base, &[missing], "2026-11-26").unwrap_err();
    assert!(matches!(error, RefreshError::Malformed { .. }), "{error}");
    assert!(error.to_string().contains("price_monthly"), "{error}");
    // Not JSON at all (a proxy's error page).
    let error = parse_digitalocean(base, &["<html>502</html>".into()], "2026-11-26").unwrap_err();
    assert!(matches!(error, RefreshError::Malformed { .. }), "{error}");
    // No sizes.
    let error = parse_digitalocean(
        base,
        &[r#"{"sizes": [], "meta": {"total": 0}}"#.into()],
        "2026-11-26",
    )
    .unwrap_err();
    assert!(matches!(error, RefreshError::Partial { .. }), "{error}");
    // Hetzner: a server type without prices.
    let no_prices = HETZNER_PRICING.replacen(
        "\"name\": \"cx22\", \"prices\": [",
        "\"name\": \"cx22\", \"prices\": [], \"was\": [",
        1,
    );
    assert_ne!(no_prices, HETZNER_PRICING, "the fixture edit must apply");
    let error = parse_hetzner(base, &no_prices, &[HETZNER_TYPES.into()], "2026-11-26").unwrap_err();
    assert!(matches!(error, RefreshError::Partial { .. }), "{error}");
    assert!(error.to_string().contains("cx22"), "{error}");
    // Hetzner: the volume price missing.
    let no_volume = HETZNER_PRICING.replacen("\"volume\"", "\"volumes\"", 1);
    let error = parse_hetzner(base, &no_volume, &[HETZNER_TYPES.into()], "2026-11-26").unwrap_err();
    assert!(error.to_string().contains("volume"), "{error}");
    // A stored file that is not a catalogue is refused on load.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prices.json");
    std::fs::write(
        &path,
        r#"{"format": 1, "as_of": "x", "origin": {"kind": "embedded"}, "entries": [], "extra": 1}"#,
    )
    .unwrap();
    let error = load_catalog(&path).unwrap_err();
    assert!(error.to_string().contains("extra"), "{error}");
}

/// Serves canned answers by path prefix on 127.0.0.1, for `requests` requests.
fn serve(routes: Vec<(&'static str, String)>, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut authorized = false;
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                if header
                    .to_ascii_lowercase()
                    .starts_with("authorization: bearer good-token")
                {
                    authorized = true;
                }
                if header == "\r\n" || header.is_empty() {
                    break;
                }
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .to_owned();
            let body = routes
                .iter()
                .find(|(prefix, _)| path.starts_with(prefix))
                .map(|(_, b)| b.clone());
            let (status, body) = match (authorized, body) {
                (false, _) => ("401 Unauthorized", "{}".to_owned()),
                (true, Some(b)) => ("200 OK", b),
                (true, None) => ("404 Not Found", "{}".to_owned()),
            };
            let answer = format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            stream.write_all(answer.as_bytes()).unwrap();
        }
    });
    base
}

#[test]
fn complete_answers_are_stored_atomically_and_named_by_the_estimate() {
    let rt = runtime();
    let base = serve(vec![("/v2/sizes", DO_COMPLETE.to_owned())], 1);
    let catalog = rt
        .block_on(fetch_digitalocean(
            &base,
            &ApiToken::new("good-token"),
            "2026-11-26",
        ))
        .expect("a complete answer is accepted");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("do-prices.json");
    store_catalog(&path, &catalog).unwrap();
    let stored = load_catalog(&path).unwrap();
    assert_eq!(stored, catalog, "a stored catalogue loads back equal");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");

    // A droplet priced with the refreshed catalogue over the embedded one.
    let mut design = Design::new("refreshed");
    design.assumptions.monthly_egress_gb = Some(0);
    design.assumptions.currency = stagecraft_model::Currency::Usd;
    let mut droplet = Component::new(ComponentKind::AppServer, "app");
    droplet.provider = Provider::Digitalocean;
    droplet.region = Some("fra1".into());
    droplet.size = Some("s-1vcpu-1gb".into());
    design.components.push(droplet);
    let layers: [&PriceCatalog; 2] = [&stored, embedded()];
    let estimate = estimate_with(&design, &CostOptions::default(), &layers);
    assert_eq!(
        estimate.catalogs.len(),
        2,
        "the estimate names both catalogues"
    );
    assert!(matches!(
        estimate.catalogs[0].origin,
        CatalogOrigin::Refreshed { .. }
    ));
    let server = estimate
        .lines
        .iter()
        .find(|l| l.item.starts_with("server"))
        .unwrap();
    assert_eq!(
        server.price.as_of, "2026-11-26",
        "the line says it used the refreshed price"
    );
    assert_eq!(server.monthly.to_string(), "6.50");
    // Egress has no refreshed price: that line says it came from the embedded catalogue.
    let egress = estimate.lines.iter().find(|l| l.item == "egress").unwrap();
    assert_eq!(egress.price.as_of, "2025-09-01");

    // Hetzner: complete pricing and one page of server types.
    let base = serve(
        vec![
            ("/pricing", HETZNER_PRICING.to_owned()),
            ("/server_types", HETZNER_TYPES.to_owned()),
        ],
        2,
    );
    let catalog = rt
        .block_on(fetch_hetzner(
            &base,
            &ApiToken::new("good-token"),
            "2026-11-26",
        ))
        .expect("complete Hetzner answers are accepted");
    let cx22 = catalog
        .entries
        .iter()
        .find(|e| e.id == "hetzner.server.cx22.fsn1")
        .unwrap();
    assert_eq!(cx22.amount.to_string(), "3.7900");
    assert_eq!(cx22.includes[0].quantity.to_string(), "20");
    // A deprecated server type is left out.
    assert!(!catalog
        .entries
        .iter()
        .any(|e| e.sku.as_deref() == Some("cx11")));

    // A wrong token: refused with the status.
    let base = serve(vec![("/v2/sizes", DO_COMPLETE.to_owned())], 1);
    let error = rt
        .block_on(fetch_digitalocean(
            &base,
            &ApiToken::new("bad-token"),
            "2026-11-26",
        ))
        .unwrap_err();
    assert!(
        matches!(error, RefreshError::Status { status: 401, .. }),
        "{error}"
    );
}
