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

/// `web` in Falkenstein talks privately to `db` in Ashburn: no Hetzner network spans both, so a
/// WireGuard tunnel carries it and Link tunnels reaches both servers over SSH.
const TWO_REGIONS: &str = r#"{
  "schema_version": 2,
  "id": "dsg_desktop_link",
  "name": "Link from the app",
  "assumptions": { "target_stage": "growth", "currency": "EUR" },
  "practices": { "config_in_git": true, "migration_in_progress": false },
  "groups": [],
  "components": [
    { "id": "cmp_users", "kind": "users", "name": "Users", "provider": "unassigned", "count": 1 },
    { "id": "cmp_web", "kind": "app_server", "name": "web", "provider": "hetzner", "region": "fsn1", "size": "cx22", "count": 1 },
    { "id": "cmp_db", "kind": "self_hosted_database", "name": "db", "provider": "hetzner", "region": "ash", "size": "cpx21", "count": 1,
      "properties": { "engine": "postgresql" } },
    { "id": "cmp_edge", "kind": "firewall", "name": "edge", "provider": "hetzner", "count": 1,
      "properties": {
        "default_inbound": "deny",
        "firewall_rules": [{ "direction": "inbound", "protocol": "tcp", "port": "443", "addresses": ["0.0.0.0/0", "::/0"], "description": "HTTPS" }],
        "applies_to": ["cmp_web"]
      } }
  ],
  "connections": [
    { "id": "con_users_web", "from": "cmp_users", "to": "cmp_web", "protocol": "https", "ports": [443], "network": "public" },
    { "id": "con_web_db", "from": "cmp_web", "to": "cmp_db", "protocol": "postgresql", "ports": [5432], "network": "private" }
  ],
  "layout": { "nodes": {} }
}"#;

/// What a private key file holds; the stub never reads it and it must appear nowhere.
const PRIVATE_KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";

/// Stands in for OpenSSH: logs its arguments, answers the public key command with a
/// well-formed WireGuard public key made from the address, and keeps each peers file.
const STUB_SSH: &str = r#"#!/bin/sh
printf '%s\n' "$*" >> "$STUB_SSH_DIR/calls.log"
target=""; command=""; rest=0
for arg; do
  if [ "$rest" = 1 ]; then command="$arg"; continue; fi
  case "$arg" in --) rest=1 ;; *@*) target="$arg" ;; esac
done
address="${target#*@}"
case "$command" in
  *public.key*) printf '%s' "$address" | sha256sum | cut -c1-42 | tr -d '\n'; echo 'A=' ;;
  *peers.conf*) cat > "$STUB_SSH_DIR/peers-$address" ;;
  *) echo "unexpected command: $command" >&2; exit 1 ;;
esac
"#;

#[test]
fn provision_link_reports_progress_and_never_a_secret() {
    if !stagecraft_testkit::inside_private_keyring() {
        return run_inside_keyring_session(
            "tests::provision::provision_link_reports_progress_and_never_a_secret",
        );
    }
    let fake = Fake::start_in_thread(&spec());
    std::env::set_var(
        stagecraft_cloud::base_url_variable(Provider::Hetzner),
        fake.url(),
    );
    let dir = tempfile::tempdir().unwrap();
    // The stub `ssh`, first on PATH (this process runs only this test).
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let stub = bin.join("ssh");
    std::fs::write(&stub, STUB_SSH).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let servers = dir.path().join("servers");
    std::fs::create_dir(&servers).unwrap();
    std::env::set_var("STUB_SSH_DIR", &servers);
    std::env::set_var(
        "PATH",
        format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    let identity = dir.path().join("id_ed25519");
    std::fs::write(&identity, PRIVATE_KEY).unwrap();

    let account = Some(format!("{ACCOUNT}-link"));
    block_on(provision::set_credentials(
        Provider::Hetzner,
        account.clone(),
        TOKEN.into(),
    ))
    .unwrap();
    let path = dir.path().join("link.stagecraft.json");
    std::fs::write(&path, TWO_REGIONS).unwrap();
    let design = stagecraft_model::load_file(&path).unwrap().design;
    let mut run = provision::RunOptions::from(account.clone());
    run.admin_cidr = Some("198.51.100.7".into());
    let settings = provision::LinkSettings {
        ssh_user: "ops".into(),
        identity_file: Some(identity.display().to_string()),
    };
    let events: Arc<Mutex<Vec<provision::LinkEvent>>> = Arc::default();
    let sink = events.clone();
    let report = block_on(provision::link(
        &ProvisionRuns::default(),
        path.display().to_string(),
        design,
        run,
        settings,
        move |event| sink.lock().unwrap().push(event),
    ))
    .expect("link");
    let events = events.lock().unwrap().clone();

    // Neither the answer nor any event carries the token or the private key.
    for (what, json) in [
        ("link answer", no_token("link answer", &report)),
        ("link events", no_token("link events", &events)),
    ] {
        assert!(
            !json.contains("PRIVATE KEY") && !json.contains("b3BlbnNzaC1rZXktdjEA"),
            "{what} carries the private key: {json}"
        );
    }

    assert!(report.applies >= 1, "{report:?}");
    let mut names: Vec<&str> = report.servers.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["db-0-desktop-link", "web-0-desktop-link"]);
    // The apply phase reports each resource, ending ready.
    let applied: Vec<&ApplyProgress> = events
        .iter()
        .filter_map(|e| match e {
            provision::LinkEvent::Apply(p) => Some(p),
            provision::LinkEvent::Server(_) => None,
        })
        .collect();
    for server in ["cmp_web/server-0", "cmp_db/server-0"] {
        let statuses: Vec<ResourceStatus> = applied
            .iter()
            .filter(|p| p.resource.0 == server)
            .map(|p| p.status)
            .collect();
        assert_eq!(statuses.first(), Some(&ResourceStatus::Pending), "{server}");
        assert_eq!(statuses.last(), Some(&ResourceStatus::Ready), "{server}");
    }
    // Then each server's steps, in order, at its public address.
    use stagecraft_cloud::wireguard::LinkStep;
    for server in &report.servers {
        let steps: Vec<LinkStep> = events
            .iter()
            .filter_map(|e| match e {
                provision::LinkEvent::Server(p) if p.server == server.server => {
                    assert_eq!(p.address, server.public_address);
                    Some(p.step)
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            steps,
            [
                LinkStep::ReadingKey,
                LinkStep::KeyRead,
                LinkStep::WritingPeers,
                LinkStep::Linked
            ],
            "{}",
            server.name
        );
        let peers =
            std::fs::read_to_string(servers.join(format!("peers-{}", server.public_address)))
                .unwrap();
        let other = report
            .servers
            .iter()
            .find(|s| s.server != server.server)
            .unwrap();
        assert!(
            peers.contains(&format!("PublicKey = {}", other.public_key)),
            "{peers}"
        );
    }
    // ssh was given the key file's path and the user, never the key.
    let calls = std::fs::read_to_string(servers.join("calls.log")).unwrap();
    assert_eq!(calls.lines().count(), 4, "{calls}");
    for line in calls.lines() {
        assert!(
            line.contains(&format!("-i {}", identity.display())) && line.contains(" ops@"),
            "{line}"
        );
    }
    assert!(!calls.contains("PRIVATE KEY"));
    let _ = block_on(provision::delete_credentials(Provider::Hetzner, account));
}
