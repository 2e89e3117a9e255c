//! Shared test peers: free ports, readiness polling, Prism (mock and proxy, from
//! stagecraft-testkit), a recorder of Prism's violation headers, and a stateful,
//! in-memory Hetzner fake whose answers are built from the provider's own OpenAPI schemas.
#![allow(dead_code)]

#[allow(unused_imports)]
pub use stagecraft_cloud::fake as hetzner_fake;

use std::process::Child;
use std::time::{Duration, Instant};

// Not every test file uses every peer helper.
#[allow(unused_imports)]
pub use stagecraft_testkit::peers::{free_port, spec_path, workspace_root, Prism};

/// `prism mock --errors SPEC`: answers from the spec's examples and rejects any request that
/// breaks the spec.
pub fn prism_mock(spec: &str) -> Prism {
    Prism::strict_mock(spec)
}

/// `prism proxy --errors SPEC UPSTREAM`: checks requests and the upstream's answers against
/// the spec, turning any violation into an error answer.
pub fn prism_proxy(spec: &str, upstream: &str) -> Prism {
    Prism::proxy(spec, upstream)
}

/// Waits until something accepts TCP connections on `port`.
pub fn wait_for_port(port: u16, timeout: Duration, what: &str, child: &mut Child) {
    let deadline = Instant::now() + timeout;
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before it was ready ({status})");
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not listen on port {port} within {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every `sl-violations` header a Prism peer set, as `METHOD /path: <violations JSON>`.
pub type Violations = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// A pass-through in front of a Prism peer that records its `sl-violations` headers. Prism
/// turns only error-level request violations into an error answer (422, or 400/401); it lists
/// every violation, warnings included (a deprecated parameter, an answer status the spec does
/// not declare), in that header, so a contract test asserts the record is empty as well.
pub struct ViolationRecorder {
    pub url: String,
    pub violations: Violations,
}

impl ViolationRecorder {
    /// Panics, listing them, when Prism reported any violation.
    pub fn assert_none(&self) {
        let violations = self.violations.lock().unwrap();
        assert!(
            violations.is_empty(),
            "Prism reported violations (sl-violations):\n{}",
            violations.join("\n")
        );
    }
}

/// Starts a [`ViolationRecorder`] forwarding to `upstream` (a Prism URL), in the current tokio
/// runtime.
pub async fn record_violations(upstream: &str) -> ViolationRecorder {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, Method, StatusCode, Uri};
    use axum::response::{IntoResponse, Response};

    let violations: Violations = Default::default();
    let client = reqwest::Client::new();
    let upstream = upstream.trim_end_matches('/').to_owned();
    let record = violations.clone();
    let forward = move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let client = client.clone();
        let upstream = upstream.clone();
        let record = record.clone();
        async move {
            let path = uri
                .path_and_query()
                .map_or(uri.path(), |p| p.as_str())
                .to_owned();
            let mut request = client.request(
                reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap(),
                format!("{upstream}{path}"),
            );
            for (name, value) in &headers {
                if name != "host" && name != "content-length" {
                    request = request.header(name.as_str(), value.as_bytes());
                }
            }
            let answer = match request.body(body.to_vec()).send().await {
                Ok(answer) => answer,
                Err(e) => return (StatusCode::BAD_GATEWAY, format!("Prism: {e}")).into_response(),
            };
            if let Some(found) = answer.headers().get("sl-violations") {
                record.lock().unwrap().push(format!(
                    "{method} {path}: {}",
                    String::from_utf8_lossy(found.as_bytes())
                ));
            }
            let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
            let mut response = Response::builder().status(status);
            for (name, value) in answer.headers() {
                if name != "content-length" && name != "transfer-encoding" {
                    response = response.header(name.as_str(), value.as_bytes());
                }
            }
            let bytes = answer.bytes().await.unwrap_or_default();
            response.body(axum::body::Body::from(bytes)).unwrap()
        }
    };
    let app = axum::Router::new().fallback(forward);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    ViolationRecorder {
        url: format!("http://{addr}"),
        violations,
    }
}
