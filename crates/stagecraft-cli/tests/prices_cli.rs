//! `stagecraft prices refresh|show` and `stagecraft cost` with stored prices, run as a user would:
//! the token comes from a real Secret Service (gnome-keyring in a private D-Bus session), the
//! answers from Stoplight Prism serving the providers' own OpenAPI files, either as a mock (whose
//! example answers announce more server types and sizes than they hold: a partial answer, which
//! must be refused and leave the stored prices alone) or as a validating proxy (`--errors`) in
//! front of a local peer serving complete answers, so what the CLI stores has the real shape.
//!
//! Needs Prism (`npm ci` at the workspace root) and `<workspace root>/../shared/specs`; the test
//! fails, not skips, when either is missing.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use stagecraft_testkit::peers::Prism;

const TOKEN: &str = "prices-cli-secret-token-5f0c2a";
const HETZNER_PRICING: &str =
    include_str!("../../stagecraft-pricing/tests/fixtures/hetzner_pricing.json");
const HETZNER_TYPES: &str =
    include_str!("../../stagecraft-pricing/tests/fixtures/hetzner_server_types.json");
const DO_SIZES: &str =
    include_str!("../../stagecraft-pricing/tests/fixtures/do_sizes_complete.json");

/// A provider peer on 127.0.0.1 answering GETs by path prefix, only with the stored token.
fn peer(routes: Vec<(&'static str, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut authorized = false;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).is_err() {
                    break;
                }
                if header.to_ascii_lowercase() == format!("authorization: bearer {TOKEN}\r\n") {
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
                (false, _) => (
                    "401 Unauthorized",
                    r#"{"error":{"code":"unauthorized","message":"unable to authenticate"}}"#
                        .to_owned(),
                ),
                (true, Some(b)) => ("200 OK", b),
                (true, None) => (
                    "404 Not Found",
                    r#"{"error":{"code":"not_found","message":"not found"}}"#.to_owned(),
                ),
            };
            let answer = format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    base
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn stagecraft(prices_dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut command = Command::cargo_bin("stagecraft").expect("the binary is built");
    command
        .args(args)
        .env("STAGECRAFT_PRICES_DIR", prices_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("stagecraft starts");
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    let output = child.wait_with_output().unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "stagecraft {args:?} printed the token"
    );
    run
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not one JSON document ({e}): {text}"))
}

fn write_template(dir: &Path, slug: &str) -> PathBuf {
    let path = dir.join(format!("{slug}.stagecraft.json"));
    std::fs::write(
        &path,
        stagecraft_model::template_by_slug(slug).unwrap().source,
    )
    .unwrap();
    path
}

#[test]
fn prices_refresh_with_the_keyring_token_against_prism() {
    stagecraft_testkit::in_private_keyring(
        "prices_refresh_with_the_keyring_token_against_prism",
        inner,
    );
}

fn inner() {
    // Start the four Prism servers at once: each takes 10-20 s to load its spec.
    let hetzner_peer = peer(vec![
        ("/pricing", HETZNER_PRICING.to_owned()),
        ("/server_types", HETZNER_TYPES.to_owned()),
    ]);
    let do_peer = peer(vec![("/v2/sizes", DO_SIZES.to_owned())]);
    let servers: Vec<Prism> = std::thread::scope(|s| {
        let handles = [
            s.spawn(|| Prism::mock("hetzner-cloud.openapi.json").answering("/pricing", TOKEN)),
            s.spawn(|| Prism::mock("digitalocean.openapi.json").answering("/v2/sizes", TOKEN)),
            s.spawn(|| {
                Prism::proxy("hetzner-cloud.openapi.json", &hetzner_peer)
                    .answering("/pricing", TOKEN)
            }),
            s.spawn(|| {
                Prism::proxy("digitalocean.openapi.json", &do_peer).answering("/v2/sizes", TOKEN)
            }),
        ];
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let [hetzner_mock, do_mock, hetzner_proxy, do_proxy] = &servers[..] else {
        unreachable!()
    };
    let home = tempfile::tempdir().unwrap();
    let prices = home.path().join("prices");
    let design = write_template(home.path(), "mvp");
    let design_arg = design.to_str().unwrap();

    // No token stored: a clear error naming the provider, account and fix; nothing stored.
    let run = stagecraft(
        &prices,
        &[
            "prices",
            "refresh",
            "--provider",
            "hetzner",
            "--account",
            "prices",
        ],
        &[("STAGECRAFT_HETZNER_URL", hetzner_proxy.url().as_str())],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no credentials stored for hetzner account `prices`")
            && run.stderr.contains("stagecraft credentials set"),
        "{}",
        run.stderr
    );
    assert!(!prices.join("hetzner.json").exists());

    for provider in ["hetzner", "digitalocean"] {
        let run = stagecraft(
            &prices,
            &["credentials", "set", provider, "--account", "prices"],
            &[],
            Some(TOKEN),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }

    // Prism's mock answers are partial (its example page announces 100 server types and holds
    // one): refused, with the reason, and nothing is stored.
    let run = stagecraft(
        &prices,
        &[
            "prices",
            "refresh",
            "--provider",
            "hetzner",
            "--account",
            "prices",
        ],
        &[("STAGECRAFT_HETZNER_URL", hetzner_mock.url().as_str())],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("1 of the 100 server types"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("stored prices are unchanged"),
        "{}",
        run.stderr
    );
    assert!(
        !prices.join("hetzner.json").exists(),
        "a refused refresh stores nothing"
    );

    // Complete answers through the validating proxy: stored with today's date.
    let run = stagecraft(
        &prices,
        &[
            "--json",
            "prices",
            "refresh",
            "--provider",
            "hetzner",
            "--account",
            "prices",
        ],
        &[("STAGECRAFT_HETZNER_URL", hetzner_proxy.url().as_str())],
        None,
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let stored = json(&run.stdout);
    let today = stagecraft_pricing::refresh::today();
    assert_eq!(stored["as_of"], today.as_str());
    assert!(stored["entries"].as_u64().unwrap() >= 5, "{stored}");
    let stored_hetzner = std::fs::read(prices.join("hetzner.json")).expect("the refresh is stored");

    let run = stagecraft(
        &prices,
        &[
            "prices",
            "refresh",
            "--provider",
            "digitalocean",
            "--account",
            "prices",
        ],
        &[("STAGECRAFT_DIGITALOCEAN_URL", do_mock.url().as_str())],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("1 of the 64 sizes"), "{}", run.stderr);
    let run = stagecraft(
        &prices,
        &[
            "prices",
            "refresh",
            "--provider",
            "digitalocean",
            "--account",
            "prices",
        ],
        &[("STAGECRAFT_DIGITALOCEAN_URL", do_proxy.url().as_str())],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("DigitalOcean prices of"),
        "{}",
        run.stdout
    );

    // A refused refresh over a stored one leaves it byte for byte as it was: the mock's partial
    // answer, then a malformed one straight from a peer (Prism's proxy would refuse it itself).
    let run = stagecraft(
        &prices,
        &[
            "prices",
            "refresh",
            "--provider",
            "hetzner",
            "--account",
            "prices",
        ],
        &[("STAGECRAFT_HETZNER_URL", hetzner_mock.url().as_str())],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let malformed = peer(vec![
        (
            "/pricing",
            HETZNER_PRICING.replacen("\"volume\"", "\"volumes\"", 1),
        ),
        ("/server_types", HETZNER_TYPES.to_owned()),
    ]);
    let run = stagecraft(
        &prices,
        &[
            "prices",
            "refresh",
            "--provider",
            "hetzner",
            "--account",
            "prices",
        ],
        &[("STAGECRAFT_HETZNER_URL", malformed.as_str())],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("malformed") && run.stderr.contains("volume"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(prices.join("hetzner.json")).unwrap(),
        stored_hetzner,
        "refused refreshes must leave the stored catalogue unchanged"
    );

    // `prices show`: which catalogue each provider uses, with dates and sources.
    let run = stagecraft(&prices, &["--json", "prices", "show"], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let status = json(&run.stdout);
    let providers = status["providers"].as_array().unwrap();
    assert_eq!(providers[0]["provider"], "hetzner");
    assert_eq!(providers[0]["in_use"], "refreshed");
    assert_eq!(providers[0]["as_of"], today.as_str());
    assert!(providers[0]["sources"][0]
        .as_str()
        .unwrap()
        .ends_with("/pricing"));
    assert_eq!(providers[1]["in_use"], "refreshed");
    assert_eq!(providers[2]["provider"], "aws");
    assert_eq!(providers[2]["in_use"], "embedded");
    assert_eq!(providers[2]["as_of"], "2025-09-01");
    let run = stagecraft(&prices, &["prices", "show"], &[], None);
    assert!(
        run.stdout
            .contains(&format!("Hetzner: refreshed from its API on {today}")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("AWS: embedded catalogue of 2025-09-01"),
        "{}",
        run.stdout
    );

    // `cost` uses the stored refresh and says so on every line; `--prices embedded` does not.
    let run = stagecraft(&prices, &["cost", design_arg], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains(&format!("Hetzner prices refreshed from its API on {today}")),
        "{}",
        run.stdout
    );
    // The MVP's server is priced from the refresh (the fixture's cx22 in fsn1: €3.79), and its
    // object storage, which the API does not price, from the embedded catalogue, each saying so.
    assert!(
        run.stdout.contains(&format!(
            "[hetzner.server.cx22.fsn1, {}/pricing of {today}]",
            hetzner_proxy.url()
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("[hetzner.object_storage.base, https://www.hetzner.com/storage/object-storage/ of 2025-09-01]"), "{}", run.stdout);
    let run = stagecraft(&prices, &["--json", "cost", design_arg], &[], None);
    let answer = json(&run.stdout);
    assert_eq!(answer["prices"]["providers"][0]["in_use"], "refreshed");
    for line in answer["estimate"]["lines"].as_array().unwrap() {
        assert!(
            line["price"]["as_of"].is_string() && line["price"]["source"].is_string(),
            "{line}"
        );
    }
    let run = stagecraft(
        &prices,
        &["cost", "--prices", "embedded", design_arg],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("(prices: embedded price catalogue of 2025-09-01;"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("refreshed"), "{}", run.stdout);
    assert!(
        run.stdout.contains("[hetzner.server.cx22.eu]"),
        "{}",
        run.stdout
    );

    // A stored file that is damaged is said, not silently skipped, and the embedded prices used.
    std::fs::write(prices.join("hetzner.json"), "{ damaged").unwrap();
    let run = stagecraft(&prices, &["cost", design_arg], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("hetzner.json are not used"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("[hetzner.server.cx22.eu, https://www.hetzner.com/cloud/ of 2025-09-01]"),
        "{}",
        run.stdout
    );
    drop(servers);
}

#[test]
fn prices_show_without_a_refresh_names_the_embedded_catalogue() {
    let home = tempfile::tempdir().unwrap();
    let run = stagecraft(&home.path().join("prices"), &["prices", "show"], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}
