//! The provision commands against the cloud crate's stateful Hetzner fake (its `fake` feature)
//! and a real Secret Service: gnome-keyring in a private D-Bus session the outer test starts,
//! re-running this test binary inside `dbus-run-session`. The fake is reached through
//! `STAGECRAFT_HETZNER_URL`, the same override the app honours. A token planted in the keyring
//! must not appear in any command answer (serialized as IPC sends it), the design file, the
//! state file, the progress events or the process output.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use stagecraft_cloud::fake::{Fake, Fault, FaultKind};
use stagecraft_cloud::{ApplyProgress, ChangeAction, ResourceStatus};
use stagecraft_model::{save_file, Provider};

use crate::commands::provision::{self, ProvisionRuns, RunKind};
use crate::error::ApiError;

const TOKEN: &str = "hz-desktop-secret-token-5c0ffee9a1";
const ACCOUNT: &str = "desktop-test";

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tauri::async_runtime::block_on(future)
}

fn spec() -> PathBuf {
    let path = crate::tests::repo_root().join("../shared/specs/hetzner-cloud.openapi.json");
    assert!(
        path.exists(),
        "the Hetzner spec is missing at {}: the repository must sit beside shared/",
        path.display()
    );
    path
}

/// Runs `name` again inside a private keyring session and checks it never printed the token.
fn run_inside_keyring_session(name: &str) {
    let text = stagecraft_testkit::rerun_in_private_keyring(name);
    assert!(
        !text.contains(TOKEN),
        "the token appeared in the test process output (logs):\n{text}"
    );
}

/// Serializes an answer as the IPC layer would and checks it does not carry the token.
fn no_token<T: serde::Serialize>(what: &str, value: &T) -> String {
    let json = serde_json::to_string(value).expect("answers serialize");
    assert!(!json.contains(TOKEN), "{what} carries the token: {json}");
    json
}

#[test]
fn provision_commands_plan_apply_refresh_destroy_against_the_hetzner_fake() {
    if !stagecraft_testkit::inside_private_keyring() {
        return run_inside_keyring_session(
            "tests::provision::provision_commands_plan_apply_refresh_destroy_against_the_hetzner_fake",
        );
    }
    let fake = Fake::start_in_thread(&spec());
    // The app's override: the commands must talk to the fake, not to Hetzner.
    std::env::set_var(
        stagecraft_cloud::base_url_variable(Provider::Hetzner),
        fake.url(),
    );
    let account = Some(ACCOUNT.to_owned());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.stagecraft.json");
    let path_text = path.display().to_string();
    let design = crate::commands::new_design(Some("growth".into())).unwrap();
    save_file(&path, &design).unwrap();

    let _ = block_on(provision::delete_credentials(
        Provider::Hetzner,
        account.clone(),
    ));
    let missing = block_on(provision::plan(
        path_text.clone(),
        design.clone(),
        account.clone(),
    ));
    assert_eq!(
        missing,
        Err(ApiError::CredentialsMissing {
            provider: Provider::Hetzner,
            account: ACCOUNT.into()
        }),
        "no token stored: the error names the provider and the account"
    );

    let status = block_on(provision::set_credentials(
        Provider::Hetzner,
        account.clone(),
        format!("  {TOKEN}\n"),
    ))
    .unwrap();
    assert!(status.has_credentials);
    let json = no_token("set_credentials answer", &status);
    assert!(json.contains("\"hasCredentials\":true"), "{json}");
    let statuses = block_on(provision::credentials_status(account.clone())).unwrap();
    no_token("credentials_status answer", &statuses);
    assert_eq!(
        statuses
            .iter()
            .map(|s| (s.provider, s.has_credentials))
            .collect::<Vec<_>>(),
        vec![
            (Provider::Hetzner, true),
            (Provider::Digitalocean, false),
            (Provider::Aws, false)
        ]
    );
    block_on(provision::test_credentials(
        Provider::Hetzner,
        account.clone(),
    ))
    .expect("the fake accepts the stored token");

    // A design on screen that differs from the file is refused before any provider call.
    let mut edited = design.clone();
    edited.name.push_str(" (edited)");
    let requests_before = fake.state.lock().unwrap().requests.len();
    assert!(matches!(
        block_on(provision::plan(path_text.clone(), edited, account.clone())),
        Err(ApiError::UnsavedChanges(_))
    ));
    assert_eq!(fake.state.lock().unwrap().requests.len(), requests_before);

    let plan = block_on(provision::plan(
        path_text.clone(),
        design.clone(),
        account.clone(),
    ))
    .unwrap();
    no_token("plan", &plan);
    assert!(plan.changes.len() >= 12, "{plan:?}");
    assert!(plan
        .changes
        .iter()
        .all(|c| c.action == ChangeAction::Create));
    assert!(fake.all().is_empty(), "plan only reads");

    let runs = ProvisionRuns::default();
    let events: Arc<Mutex<Vec<ApplyProgress>>> = Arc::default();
    let sink = {
        let events = events.clone();
        move |event| events.lock().unwrap().push(event)
    };
    let report = block_on(provision::run(
        &runs,
        RunKind::Apply,
        path_text.clone(),
        design.clone(),
        account.clone(),
        sink,
    ))
    .unwrap();
    no_token("apply report", &report);
    assert!(!runs.is_running(), "the run slot is released");
    assert_eq!(report.created.len(), plan.changes.len());
    let events = events.lock().unwrap().clone();
    no_token("progress events", &events);
    for change in &plan.changes {
        let statuses: Vec<ResourceStatus> = events
            .iter()
            .filter(|e| e.resource == change.key)
            .map(|e| e.status)
            .collect();
        assert_eq!(
            statuses.first(),
            Some(&ResourceStatus::Pending),
            "{}",
            change.key
        );
        assert_eq!(
            statuses.last(),
            Some(&ResourceStatus::Ready),
            "{}",
            change.key
        );
    }
    let made = fake.all();
    assert_eq!(made.len(), report.created.len());
    assert!(made
        .iter()
        .all(|(_, o)| o["labels"]["stagecraft-design"] == design.id.as_str()));

    let drift = block_on(provision::refresh(
        path_text.clone(),
        design.clone(),
        account.clone(),
    ))
    .unwrap();
    no_token("drift report", &drift);
    assert!(drift.drift.is_empty(), "{drift:?}");
    assert_eq!(drift.in_sync.len(), report.created.len());

    let targets = block_on(provision::destroy_preview(
        path_text.clone(),
        design.clone(),
        account.clone(),
    ))
    .unwrap();
    no_token("destroy preview", &targets);
    assert_eq!(
        targets.len(),
        made.len(),
        "the confirmation counts every owned resource"
    );
    let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    for (_, object) in &made {
        assert!(
            names.contains(&object["name"].as_str().unwrap()),
            "{names:?}"
        );
    }

    let destroyed = block_on(provision::run(
        &runs,
        RunKind::Destroy,
        path_text.clone(),
        design.clone(),
        account.clone(),
        |_| {},
    ))
    .unwrap();
    no_token("destroy report", &destroyed);
    assert_eq!(destroyed.deleted.len(), made.len());
    assert!(
        fake.all().is_empty(),
        "destroy removes what the design owns"
    );

    for file in [path.clone(), stagecraft_cloud::state::state_path(&path)] {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains(TOKEN), "{} holds the token", file.display());
    }
    assert!(
        stagecraft_cloud::state::state_path(&path).exists(),
        "the journal was written beside the design"
    );

    let after = block_on(provision::delete_credentials(
        Provider::Hetzner,
        account.clone(),
    ))
    .unwrap();
    assert!(!after.has_credentials);
}

#[test]
fn a_failed_resource_is_named_with_what_was_created_before_it() {
    if !stagecraft_testkit::inside_private_keyring() {
        return run_inside_keyring_session(
            "tests::provision::a_failed_resource_is_named_with_what_was_created_before_it",
        );
    }
    let fake = Fake::start_in_thread(&spec());
    std::env::set_var(
        stagecraft_cloud::base_url_variable(Provider::Hetzner),
        fake.url(),
    );
    let account = Some(format!("{ACCOUNT}-failure"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.stagecraft.json");
    let design = crate::commands::new_design(Some("mvp".into())).unwrap();
    save_file(&path, &design).unwrap();
    block_on(provision::set_credentials(
        Provider::Hetzner,
        account.clone(),
        TOKEN.into(),
    ))
    .unwrap();
    // Every server create fails with 500, more times than the client retries.
    fake.inject(Fault {
        method: "POST",
        path_prefix: "/servers".into(),
        kind: FaultKind::ServerError,
        times: 50,
    });
    let failed = block_on(provision::run(
        &ProvisionRuns::default(),
        RunKind::Apply,
        path.display().to_string(),
        design,
        account.clone(),
        |_| {},
    ))
    .unwrap_err();
    no_token("failure", &failed);
    let ApiError::Provider {
        provider,
        resource,
        created,
        message,
        ..
    } = &failed
    else {
        panic!("expected a provider error, got {failed:?}");
    };
    assert_eq!(*provider, Provider::Hetzner);
    let resource = resource.as_deref().unwrap_or_default();
    assert!(resource.contains("cmp_app"), "names the server: {resource}");
    assert!(message.contains("500"), "{message}");
    let at_fake = fake.all();
    assert!(
        !at_fake.is_empty(),
        "something was created before the server"
    );
    assert_eq!(created.len(), at_fake.len(), "{created:?} vs {at_fake:?}");
    let _ = block_on(provision::delete_credentials(Provider::Hetzner, account));
}

#[test]
fn credential_and_engine_errors_keep_stable_kinds() {
    use stagecraft_cloud::credentials::CredentialKey;
    use stagecraft_cloud::CredentialError;
    let missing: ApiError =
        CredentialError::Missing(CredentialKey::new(Provider::Aws, Some("ci"))).into();
    assert_eq!(
        serde_json::to_value(&missing).unwrap(),
        serde_json::json!({ "kind": "credentialsMissing", "detail": { "provider": "aws", "account": "ci" } })
    );
    let locked: ApiError = CredentialError::KeyringLocked("prompt dismissed".into()).into();
    let json = serde_json::to_value(&locked).unwrap();
    assert_eq!(json["kind"], "keyringLocked");
    assert!(json["detail"].as_str().unwrap().contains("unlock it"));
    let unavailable: ApiError =
        CredentialError::KeyringUnavailable("no Secret Service".into()).into();
    assert_eq!(
        serde_json::to_value(&unavailable).unwrap()["kind"],
        "keyringUnavailable"
    );
}

#[test]
fn a_run_that_cannot_start_releases_its_slot() {
    let runs = ProvisionRuns::default();
    assert!(!runs.cancel(), "nothing to cancel");
    let design = crate::commands::new_design(Some("mvp".into())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.stagecraft.json");
    save_file(&path, &design).unwrap();
    // A run whose setup fails releases the slot: a second run gets the same error, not `busy`.
    let mut edited = design.clone();
    edited.name.push('!');
    for _ in 0..2 {
        let error = block_on(provision::run(
            &runs,
            RunKind::Apply,
            path.display().to_string(),
            edited.clone(),
            None,
            |_| {},
        ))
        .unwrap_err();
        assert!(matches!(error, ApiError::UnsavedChanges(_)), "{error:?}");
    }
    assert!(!runs.is_running());
}
