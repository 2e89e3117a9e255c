//! The provisioning commands end to end: the real `stagecraft` binary, a real Secret Service
//! (gnome-keyring in a private D-Bus session the test starts), and the stateful Hetzner fake.
//! The outer test re-runs this binary inside `dbus-run-session`; the inner run does the work.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use stagecraft_cloud::fake::Fake;

const TOKEN: &str = "hz-cli-secret-token-8d1e55";

fn spec() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/specs/hetzner-cloud.openapi.json");
    assert!(
        path.exists(),
        "the Hetzner spec is missing at {}: the repository must sit beside shared/",
        path.display()
    );
    path
}

fn stagecraft(url: &str) -> Command {
    let mut command = Command::cargo_bin("stagecraft").expect("the stagecraft binary is built");
    command.env("STAGECRAFT_HETZNER_URL", url);
    command
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(command: &mut Command, stdin: Option<&str>) -> Run {
    use std::io::Write;
    use std::process::Stdio;
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("stagecraft starts");
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    let output = child.wait_with_output().unwrap();
    let result = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !result.stdout.contains(TOKEN) && !result.stderr.contains(TOKEN),
        "a command printed the token"
    );
    result
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not one JSON event per line ({e}): {l}"))
        })
        .collect()
}

#[test]
fn token_is_never_taken_from_the_command_line() {
    let result = run(
        Command::cargo_bin("stagecraft").unwrap().args([
            "credentials",
            "set",
            "hetzner",
            "some-token",
        ]),
        None,
    );
    assert_eq!(result.code, 2, "{}", result.stderr);
}

#[test]
fn plan_apply_refresh_destroy_with_keyring_credentials() {
    stagecraft_testkit::in_private_keyring(
        "plan_apply_refresh_destroy_with_keyring_credentials",
        inner,
    );
}

fn inner() {
    let fake = Fake::start_in_thread(&spec());
    let url = fake.url();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shop.stagecraft.json");
    let created = run(
        stagecraft(&url).args(["new", file.to_str().unwrap(), "--template", "growth"]),
        None,
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let account = ["--account", "cli-test"];
    let _ = run(
        stagecraft(&url)
            .args(["credentials", "delete", "hetzner"])
            .args(account),
        None,
    );

    let f = file.to_str().unwrap();
    let no_creds = run(stagecraft(&url).args(["plan", f]).args(account), None);
    assert_eq!(no_creds.code, 2);
    assert!(
        no_creds
            .stderr
            .contains("no credentials stored for hetzner"),
        "{}",
        no_creds.stderr
    );

    let set = run(
        stagecraft(&url)
            .args(["credentials", "set", "hetzner"])
            .args(account),
        Some(&format!("{TOKEN}\n")),
    );
    assert_eq!(set.code, 0, "{}", set.stderr);
    let status = run(
        stagecraft(&url)
            .args(["--json", "credentials", "status", "hetzner"])
            .args(account),
        None,
    );
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["hasCredentials"], true);
    let tested = run(
        stagecraft(&url)
            .args(["credentials", "test", "hetzner"])
            .args(account),
        None,
    );
    assert_eq!(tested.code, 0, "{}{}", tested.stdout, tested.stderr);

    let plan = run(
        stagecraft(&url).args(["--json", "plan", f]).args(account),
        None,
    );
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let events = json_lines(&plan.stdout);
    assert_eq!(events.len(), 1);
    let creates = events[0]["plan"]["changes"].as_array().unwrap().len();
    assert!(creates >= 12, "{}", plan.stdout);

    let unconfirmed = run(stagecraft(&url).args(["apply", f]).args(account), None);
    assert_eq!(
        unconfirmed.code, 2,
        "without a terminal apply needs --auto-approve"
    );
    assert!(
        unconfirmed.stderr.contains("--auto-approve"),
        "{}",
        unconfirmed.stderr
    );
    assert!(
        fake.all().is_empty(),
        "nothing was created without approval"
    );

    let apply = run(
        stagecraft(&url)
            .args(["--json", "apply", f, "--auto-approve"])
            .args(account),
        None,
    );
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    let events = json_lines(&apply.stdout);
    let ready = events
        .iter()
        .filter(|e| e["event"] == "progress" && e["progress"]["status"] == "ready")
        .count();
    assert_eq!(ready, creates, "one `ready` event per created resource");
    let report = events.last().unwrap();
    assert_eq!(report["event"], "report");
    assert_eq!(
        report["report"]["created"].as_array().unwrap().len(),
        creates
    );
    assert_eq!(fake.all().len(), creates);

    let human = run(stagecraft(&url).args(["plan", f]).args(account), None);
    assert!(human.stdout.contains("No changes"), "{}", human.stdout);
    let refresh = run(stagecraft(&url).args(["refresh", f]).args(account), None);
    assert_eq!(refresh.code, 0, "{}{}", refresh.stdout, refresh.stderr);
    assert!(refresh.stdout.contains("In sync"), "{}", refresh.stdout);

    let destroy = run(
        stagecraft(&url)
            .args(["destroy", f, "--auto-approve"])
            .args(account),
        None,
    );
    assert_eq!(destroy.code, 0, "{}{}", destroy.stdout, destroy.stderr);
    assert!(
        destroy.stderr.contains("deleted"),
        "people see progress: {}",
        destroy.stderr
    );
    assert!(
        fake.all().is_empty(),
        "destroy removed everything the design created"
    );

    for path in [file.clone(), state_file(&file)] {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(TOKEN), "{} holds the token", path.display());
    }
    let deleted = run(
        stagecraft(&url)
            .args(["credentials", "delete", "hetzner"])
            .args(account),
        None,
    );
    assert_eq!(deleted.code, 0);
}

fn state_file(design: &Path) -> PathBuf {
    PathBuf::from(format!("{}.state.json", design.display()))
}
