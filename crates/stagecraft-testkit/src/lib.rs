//! # stagecraft-testkit
//!
//! Test support that several crates need, kept in one place so each test file does not carry its
//! own copy. Only ever a dev-dependency.
//!
//! - [`in_private_keyring`]: run a test's body against a real Secret Service (gnome-keyring) in a
//!   D-Bus session of its own, so credential tests use the OS keyring for real without touching
//!   the developer's keyring or each other's.
//! - [`peers`]: free ports, the providers' OpenAPI files, and Prism as a mock or validating proxy.

pub mod peers;

use std::process::Command;

/// Set in the re-run test process so it knows it is the inner run.
const INNER: &str = "STAGECRAFT_TESTKIT_KEYRING_INNER";

/// Runs `body` inside a private, unlocked gnome-keyring session: the outer call re-runs the test
/// through [`rerun_in_private_keyring`], the inner call runs `body`. Returns what the inner run
/// printed (empty in the inner run).
///
/// # Panics
/// As [`rerun_in_private_keyring`].
pub fn in_private_keyring(test_name: &str, body: impl FnOnce()) -> String {
    if inside_private_keyring() {
        body();
        return String::new();
    }
    rerun_in_private_keyring(test_name)
}

/// Whether this process is the inner run that [`rerun_in_private_keyring`] started.
pub fn inside_private_keyring() -> bool {
    std::env::var_os(INNER).is_some()
}

/// Re-runs the current test binary with `--exact test_name` inside `dbus-run-session`, with a
/// freshly started and unlocked `gnome-keyring-daemon`, a private HOME and runtime folder, and
/// asserts that the inner run passed and really ran one test. `test_name` is the test's full
/// libtest name (the bare function name at the root of an integration test file). Returns what
/// the inner run printed, for callers that check the output too.
///
/// # Panics
/// When `dbus-run-session` or `gnome-keyring-daemon` is missing (naming the Debian packages),
/// or when the inner run fails (with its output).
pub fn rerun_in_private_keyring(test_name: &str) -> String {
    for tool in ["dbus-run-session", "gnome-keyring-daemon"] {
        assert!(
            tool_exists(tool),
            "`{tool}` is missing: install it (Debian: apt-get install dbus gnome-keyring) to run {test_name}"
        );
    }
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let script = format!(
        "echo -n stagecraft-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null; \
         exec '{}' --exact '{test_name}' --nocapture --test-threads=1",
        exe.display()
    );
    // gnome-keyring keeps its keyring files under HOME and its control socket under
    // XDG_RUNTIME_DIR: a private pair keeps this session's daemon from sharing them with keyring
    // tests running at the same time (or with an outer session), which loses stored secrets.
    let private_home = tempfile::tempdir().expect("a private home for the keyring session");
    let output = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env("HOME", private_home.path())
        .env("XDG_RUNTIME_DIR", private_home.path())
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .env(INNER, "1")
        .output()
        .expect("dbus-run-session starts");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{test_name} failed inside its private keyring session:\n{text}"
    );
    assert!(
        text.contains("1 passed"),
        "{test_name} must really run inside the keyring session:\n{text}"
    );
    text
}

fn tool_exists(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success())
}
