//! Round trip through a real Secret Service: gnome-keyring in a private D-Bus session that the
//! test starts itself (the outer test re-runs this binary inside `dbus-run-session`).

use stagecraft_cloud::credentials::{
    credential_status, delete_credentials, has_credentials, read_credentials, set_credentials,
    CredentialKey,
};
use stagecraft_cloud::{CredentialError, Secret};
use stagecraft_model::Provider;

#[test]
fn keyring_round_trip_through_secret_service() {
    stagecraft_testkit::in_private_keyring("keyring_round_trip_through_secret_service", round_trip);
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
