//! Round trip through a real Secret Service: gnome-keyring in a private D-Bus session that the
//! test starts itself (the outer test re-runs this binary inside `dbus-run-session`).

use std::process::Command;

use stagecraft_cloud::credentials::{
    credential_status, delete_credentials, has_credentials, read_credentials, set_credentials,
    CredentialKey,
};
use stagecraft_cloud::{CredentialError, Secret};
use stagecraft_model::Provider;

const INNER: &str = "STAGECRAFT_KEYRING_TEST_INNER";

fn require_tool(name: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "`{name}` is missing: install it (Debian: apt-get install dbus gnome-keyring) to run the keyring test"
    );
}

#[test]
fn keyring_round_trip_through_secret_service() {
    if std::env::var_os(INNER).is_some() {
        return round_trip();
    }
    require_tool("dbus-run-session");
    require_tool("gnome-keyring-daemon");
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let script = format!(
        "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec '{}' --exact keyring_round_trip_through_secret_service --nocapture --test-threads=1",
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
        "the keyring round trip failed inside dbus-run-session:\n{text}"
    );
    assert!(
        text.contains("1 passed"),
        "the inner test must actually run:\n{text}"
    );
}

fn round_trip() {
    let key = CredentialKey::new(Provider::Hetzner, Some("keyring-test"));
    // A Secret Service must be reachable here; say so plainly if not.
    match has_credentials(&key) {
        Ok(_) => {}
        Err(e @ (CredentialError::KeyringUnavailable(_) | CredentialError::KeyringLocked(_))) => {
            panic!("no usable Secret Service in the test session: {e}")
        }
        Err(e) => panic!("unexpected keyring error: {e}"),
    }
    let _ = delete_credentials(&key);
    assert!(
        !has_credentials(&key).unwrap(),
        "a fresh account has no credentials"
    );
    assert!(matches!(
        read_credentials(&key),
        Err(CredentialError::Missing(_))
    ));

    let token = Secret::new("hz-test-token-0123456789\n");
    set_credentials(&key, &token).expect("stores the token");
    let status = credential_status(&key).expect("status");
    assert!(status.has_credentials);
    let json = serde_json::to_string(&status).unwrap();
    assert!(
        !json.contains("hz-test-token"),
        "the status that crosses IPC carries no token: {json}"
    );
    assert_eq!(
        read_credentials(&key).unwrap().expose(),
        "hz-test-token-0123456789",
        "trimmed token reads back"
    );

    // The other account of the same provider is separate.
    let other = CredentialKey::new(Provider::Hetzner, Some("keyring-test-other"));
    assert!(!has_credentials(&other).unwrap());

    set_credentials(&key, &Secret::new("replaced")).unwrap();
    assert_eq!(read_credentials(&key).unwrap().expose(), "replaced");

    assert!(
        delete_credentials(&key).unwrap(),
        "delete reports it removed something"
    );
    assert!(
        !delete_credentials(&key).unwrap(),
        "a second delete finds nothing"
    );
    assert!(!has_credentials(&key).unwrap());
    assert!(matches!(
        set_credentials(&key, &Secret::new("  ")),
        Err(CredentialError::Invalid(_))
    ));
}
