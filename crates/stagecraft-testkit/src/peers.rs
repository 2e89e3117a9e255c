//! Local peers for provider tests: free ports, the providers' OpenAPI files, and Prism (mock or
//! validating proxy) started from the workspace's `node_modules` and stopped when dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long Prism may take to load a provider's specification (the Hetzner one takes ~10 s on a
/// busy two-core machine).
const PRISM_START: Duration = Duration::from_secs(120);

/// The workspace root (this crate sits in `crates/stagecraft-testkit`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// `<workspace root>/../shared/specs/<file>`, failing clearly when it is missing.
pub fn spec_path(file: &str) -> PathBuf {
    let path = workspace_root().join("../shared/specs").join(file);
    assert!(
        path.is_file(),
        "provider spec {} is missing: the repository must sit beside shared/",
        path.display()
    );
    path
}

/// A port that was free a moment ago, chosen by the OS.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind an ephemeral port")
        .local_addr()
        .expect("a bound socket has an address")
        .port()
}

/// A running Prism, killed when dropped.
pub struct Prism {
    child: Child,
    port: u16,
}

impl Prism {
    /// `prism mock SPEC`: answers from the specification's examples.
    pub fn mock(spec: &str) -> Prism {
        Prism::start(&["mock".into(), path_arg(spec)])
    }

    /// `prism mock --errors SPEC`: as [`Prism::mock`], and a request that breaks the
    /// specification gets an error answer instead of an example.
    pub fn strict_mock(spec: &str) -> Prism {
        Prism::start(&["mock".into(), "--errors".into(), path_arg(spec)])
    }

    /// `prism proxy --errors SPEC UPSTREAM`: forwards to `upstream` and turns any request or
    /// answer that breaks the specification into an error answer.
    pub fn proxy(spec: &str, upstream: &str) -> Prism {
        Prism::start(&[
            "proxy".into(),
            "--errors".into(),
            path_arg(spec),
            upstream.into(),
        ])
    }

    fn start(args: &[String]) -> Prism {
        let binary = workspace_root().join("node_modules/.bin/prism");
        assert!(
            binary.exists(),
            "Prism is missing at {}: run `npm ci` at the workspace root (@stoplight/prism-cli)",
            binary.display()
        );
        let port = free_port();
        let mut child = Command::new(binary)
            .args(args)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start prism {}: {e}", args[0]));
        let deadline = Instant::now() + PRISM_START;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("prism {} exited before it listened ({status})", args[0]);
            }
            assert!(
                Instant::now() < deadline,
                "prism {} did not listen on port {port} within {PRISM_START:?}",
                args[0]
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Prism { child, port }
    }

    /// Waits until `GET path` with `Authorization: Bearer token` answers 200: Prism listens
    /// before a proxy's upstream is reachable through it, or before a mock serves every path.
    #[must_use]
    pub fn answering(self, path: &str, token: &str) -> Prism {
        let deadline = Instant::now() + PRISM_START;
        loop {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let request = format!(
                    "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
                );
                if stream.write_all(request.as_bytes()).is_ok() {
                    let mut answer = String::new();
                    let _ = stream.read_to_string(&mut answer);
                    if answer.starts_with("HTTP/1.1 200") {
                        return self;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "prism did not answer GET {path} with 200 within {PRISM_START:?}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn path_arg(spec: &str) -> String {
    spec_path(spec).display().to_string()
}
