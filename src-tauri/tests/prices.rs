//! The price commands: refresh with the token from a real Secret Service (a private
//! gnome-keyring session) against a local peer serving real-shaped answers, the status they
//! answer, a clear error without a token, and estimates priced from the stored refresh.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use stagecraft_cloud::credentials::{set_credentials, CredentialKey};
use stagecraft_cloud::Secret;
use stagecraft_model::{Component, ComponentKind, Design, Provider};
use stagecraft_pricing::{CostOptions, PriceSource, StoredPrices};

use crate::commands::analysis;
use crate::error::ApiError;

const TOKEN: &str = "desktop-prices-token-91c4e7";
const DO_SIZES: &str =
    include_str!("../../crates/stagecraft-pricing/tests/fixtures/do_sizes_complete.json");

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tauri::async_runtime::block_on(future)
}

/// A DigitalOcean peer on 127.0.0.1 answering `/v2/sizes` to the stored token only.
fn digitalocean_peer(body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut authorized = false;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() || line == "\r\n" || line.is_empty() {
                    break;
                }
                authorized |=
                    line.to_ascii_lowercase() == format!("authorization: bearer {TOKEN}\r\n");
            }
            let (status, body) = if authorized {
                ("200 OK", body.clone())
            } else {
                ("401 Unauthorized", "{}".to_owned())
            };
            let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        }
    });
    base
}

fn droplet_design() -> Design {
    let mut design = Design::new("refreshed");
    design.assumptions.monthly_egress_gb = Some(0);
    design.assumptions.currency = stagecraft_model::Currency::Usd;
    let mut droplet = Component::new(ComponentKind::AppServer, "app");
    droplet.provider = Provider::Digitalocean;
    droplet.region = Some("fra1".into());
    droplet.size = Some("s-1vcpu-1gb".into());
    design.components.push(droplet);
    design
}

#[test]
fn aws_prices_cannot_be_refreshed_and_say_why() {
    let error = block_on(analysis::refreshed_prices(
        Provider::Aws,
        None,
        "http://127.0.0.1:1",
        Some(tempfile::tempdir().unwrap().path().to_owned()),
    ))
    .unwrap_err();
    assert!(
        matches!(
            error,
            ApiError::PriceRefresh {
                provider: Provider::Aws,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("embedded catalogue"), "{error}");
}

#[test]
fn refresh_prices_with_the_keyring_token_then_estimate_from_the_stored_refresh() {
    if !stagecraft_testkit::inside_private_keyring() {
        let text = stagecraft_testkit::rerun_in_private_keyring(
            "tests::prices::refresh_prices_with_the_keyring_token_then_estimate_from_the_stored_refresh",
        );
        assert!(
            !text.contains(TOKEN),
            "the token reached the output:\n{text}"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let peer = digitalocean_peer(DO_SIZES.to_owned());

    // No token stored: the UI gets `credentialsMissing` naming provider and account.
    let error = block_on(analysis::refreshed_prices(
        Provider::Digitalocean,
        Some("prices".into()),
        &peer,
        Some(dir.path().to_owned()),
    ))
    .unwrap_err();
    assert_eq!(
        error,
        ApiError::CredentialsMissing {
            provider: Provider::Digitalocean,
            account: "prices".into()
        }
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing stored"
    );

    let key = CredentialKey::new(Provider::Digitalocean, Some("prices"));
    set_credentials(&key, &Secret::new(TOKEN)).unwrap();

    // A partial answer (it announces 64 sizes and holds a handful) is refused; nothing stored.
    let partial = digitalocean_peer(DO_SIZES.replacen("\"total\":", "\"total\": 64, \"was\":", 1));
    let error = block_on(analysis::refreshed_prices(
        Provider::Digitalocean,
        Some("prices".into()),
        &partial,
        Some(dir.path().to_owned()),
    ))
    .unwrap_err();
    assert!(matches!(error, ApiError::PriceRefresh { .. }), "{error:?}");
    assert!(
        error.to_string().contains("stored prices are unchanged"),
        "{error}"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing stored"
    );

    let status = block_on(analysis::refreshed_prices(
        Provider::Digitalocean,
        Some("prices".into()),
        &peer,
        Some(dir.path().to_owned()),
    ))
    .expect("a complete answer is stored");
    let json = serde_json::to_string(&status).unwrap();
    assert!(!json.contains(TOKEN), "the status carries no token: {json}");
    let digitalocean = &status.providers[1];
    assert_eq!(digitalocean.provider, Provider::Digitalocean);
    assert_eq!(digitalocean.in_use, PriceSource::Refreshed);
    assert_eq!(digitalocean.as_of, stagecraft_pricing::refresh::today());
    assert!(
        digitalocean.sources[0].ends_with("/v2/sizes"),
        "{digitalocean:?}"
    );
    assert_eq!(status.providers[0].in_use, PriceSource::Embedded);

    // The cost panel's estimate is priced from the stored refresh, and says so.
    let prices = StoredPrices::load(dir.path());
    let priced =
        analysis::estimate_with_prices(&droplet_design(), None, &CostOptions::default(), &prices);
    assert!(matches!(
        priced.estimate.catalogs[0].origin,
        stagecraft_pricing::CatalogOrigin::Refreshed {
            provider: Provider::Digitalocean,
            ..
        }
    ));
    let server = &priced.estimate.lines[0];
    assert_eq!(server.price.as_of, stagecraft_pricing::refresh::today());
    assert!(server.price.source.ends_with("/v2/sizes"));
    // The fixture's s-1vcpu-1gb costs $6.50 a month (the embedded catalogue says $6).
    assert_eq!(server.monthly.to_string(), "6.50");
    let embedded = analysis::estimate_with_prices(
        &droplet_design(),
        None,
        &CostOptions::default(),
        &StoredPrices::embedded_only(),
    );
    assert_eq!(embedded.estimate.lines[0].monthly.to_string(), "6.00");
}
