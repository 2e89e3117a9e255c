//! The provisioning commands end to end: the real `stagecraft` binary, a real Secret Service
//! (gnome-keyring in a private D-Bus session the test starts), and the stateful Hetzner fake
//! (behind `prism proxy --errors` for `link`, with a stub `ssh` on PATH standing in for the
//! servers). The outer test re-runs this binary inside `dbus-run-session`; the inner run does
//! the work.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use stagecraft_cloud::fake::Fake;
use stagecraft_testkit::peers::{spec_path, Prism};

const TOKEN: &str = "hz-cli-secret-token-8d1e55";

fn spec() -> PathBuf {
    spec_path("hetzner-cloud.openapi.json")
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

/// `prism proxy --errors` with the Hetzner spec in front of `upstream`, ready once a proxied
/// `GET /servers` answers.
fn prism_proxy(upstream: &str) -> Prism {
    Prism::proxy("hetzner-cloud.openapi.json", upstream).answering("/servers", TOKEN)
}

/// `web` in Falkenstein talks privately to `db` in Ashburn: no Hetzner network spans both, so
/// WireGuard carries it. `worker` shares web's region (a private network, no tunnel). The drawn
/// firewall opens HTTPS only; nothing opens SSH but `--admin-cidr`.
const TWO_REGIONS: &str = r#"{
  "schema_version": 2,
  "id": "dsg_cli_link",
  "name": "Link from the CLI",
  "assumptions": { "target_stage": "growth", "currency": "EUR" },
  "practices": { "config_in_git": true, "migration_in_progress": false },
  "groups": [],
  "components": [
    { "id": "cmp_users", "kind": "users", "name": "Users", "provider": "unassigned", "count": 1 },
    { "id": "cmp_web", "kind": "app_server", "name": "web", "provider": "hetzner", "region": "fsn1", "size": "cx22", "count": 1 },
    { "id": "cmp_worker", "kind": "worker", "name": "worker", "provider": "hetzner", "region": "fsn1", "size": "cx22", "count": 1 },
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
    { "id": "con_web_db", "from": "cmp_web", "to": "cmp_db", "protocol": "postgresql", "ports": [5432], "network": "private" },
    { "id": "con_web_worker", "from": "cmp_web", "to": "cmp_worker", "protocol": "tcp", "ports": [6379], "network": "private" }
  ],
  "layout": { "nodes": {} }
}"#;

/// Stands in for OpenSSH on the servers: records its arguments, answers link's two commands
/// (a well-formed public key made from the address; the peers file kept per address), and
/// times out like a firewalled port 22 when `STUB_SSH_REFUSE` is set.
const STUB_SSH: &str = r#"#!/bin/sh
printf '%s\n' "$*" >> "$STUB_SSH_DIR/calls.log"
target=""; command=""; rest=0
for arg; do
  if [ "$rest" = 1 ]; then command="$arg"; continue; fi
  case "$arg" in --) rest=1 ;; *@*) target="$arg" ;; esac
done
address="${target#*@}"
if [ -n "$STUB_SSH_REFUSE" ]; then
  echo "ssh: connect to host $address port 22: Connection timed out" >&2
  exit 255
fi
case "$command" in
  *public.key*) printf '%s' "$address" | sha256sum | cut -c1-42 | tr -d '\n'; echo 'A=' ;;
  *peers.conf*) cat > "$STUB_SSH_DIR/peers-$address" ;;
  *) echo "unexpected command: $command" >&2; exit 1 ;;
esac
"#;

#[test]
fn link_exchanges_keys_over_ssh_with_the_admin_address_open() {
    stagecraft_testkit::in_private_keyring(
        "link_exchanges_keys_over_ssh_with_the_admin_address_open",
        link_inner,
    );
}

fn link_inner() {
    let fake = Fake::start_in_thread(&spec());
    let proxy = prism_proxy(&fake.url());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("link.stagecraft.json");
    std::fs::write(&file, TWO_REGIONS).unwrap();
    let f = file.to_str().unwrap();

    // The stub `ssh`, first on PATH.
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
    let identity = dir.path().join("id_ed25519");
    std::fs::write(&identity, "not read by the stub").unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Every call: the stub first on PATH, the test's keyring account after the arguments.
    let cli = |refuse: bool, args: &[&str]| {
        let mut command = stagecraft(&proxy.url());
        command
            .env("PATH", &path)
            .env("STUB_SSH_DIR", &servers)
            .args(args)
            .args(["--account", "cli-link"]);
        if refuse {
            command.env("STUB_SSH_REFUSE", "1");
        } else {
            command.env_remove("STUB_SSH_REFUSE");
        }
        command
    };
    let set = run(
        &mut cli(false, &["credentials", "set", "hetzner"]),
        Some(&format!("{TOKEN}\n")),
    );
    assert_eq!(set.code, 0, "{}", set.stderr);

    // An admin address that would open SSH to everyone is refused before anything happens.
    let wide = run(
        &mut cli(false, &["plan", f, "--admin-cidr", "0.0.0.0/0"]),
        None,
    );
    assert_eq!(wide.code, 2, "{}", wide.stderr);
    assert!(wide.stderr.contains("far too many"), "{}", wide.stderr);

    // Apply, and the report says what is left to do.
    let apply = run(
        &mut cli(false, &["--json", "apply", f, "--auto-approve"]),
        None,
    );
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    let report = json_lines(&apply.stdout).pop().unwrap();
    let next = report["next"].as_str().unwrap_or_default();
    assert!(
        next.contains("stagecraft link") && next.contains("web ↔ db"),
        "apply points to link: {report}"
    );
    let human = run(&mut cli(false, &["apply", f, "--auto-approve"]), None);
    assert!(
        human.stdout.contains("run `stagecraft link"),
        "{}",
        human.stdout
    );

    // What link would change at the providers is confirmed like an apply.
    let unconfirmed = run(
        &mut cli(false, &["link", f, "--admin-cidr", "198.51.100.7"]),
        None,
    );
    assert_eq!(unconfirmed.code, 2, "{}", unconfirmed.stderr);
    assert!(
        unconfirmed.stderr.contains("--auto-approve")
            && unconfirmed.stderr.contains("22/tcp from 198.51.100.7/32"),
        "the plan shows SSH opening for the admin address: {}",
        unconfirmed.stderr
    );

    // Port 22 unreachable: exit 1, naming the server and what to fix.
    let refused = run(
        &mut cli(
            true,
            &["link", f, "--admin-cidr", "198.51.100.7", "--auto-approve"],
        ),
        None,
    );
    assert_eq!(refused.code, 1, "{}{}", refused.stdout, refused.stderr);
    assert!(
        (refused.stderr.contains("error: web-0-cli-link (")
            || refused.stderr.contains("error: db-0-cli-link ("))
            && refused.stderr.contains("port 22: Connection timed out")
            && refused.stderr.contains("To fix:")
            && refused.stderr.contains("--admin-cidr"),
        "{}",
        refused.stderr
    );

    // Reachable: both ends get each other's key.
    let linked = run(
        &mut cli(
            false,
            &[
                "--json",
                "link",
                f,
                "--admin-cidr",
                "198.51.100.7",
                "--auto-approve",
                "--ssh-user",
                "admin",
                "--identity",
                identity.to_str().unwrap(),
            ],
        ),
        None,
    );
    assert_eq!(linked.code, 0, "{}{}", linked.stdout, linked.stderr);
    let events = json_lines(&linked.stdout);
    let steps: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "link")
        .map(|e| e["link"]["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps.iter().filter(|s| **s == "linked").count(),
        2,
        "{steps:?}"
    );
    let report = events.last().unwrap();
    assert_eq!(report["event"], "report", "{report}");
    let linked_servers = report["report"]["servers"].as_array().unwrap();
    assert_eq!(
        linked_servers
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["db-0-cli-link", "web-0-cli-link"].map(|n| n.to_owned()),
        "{report}"
    );
    for server in linked_servers {
        let address = server["public_address"].as_str().unwrap();
        let peers = std::fs::read_to_string(servers.join(format!("peers-{address}")))
            .unwrap_or_else(|_| panic!("{address} got its peers"));
        let other = linked_servers
            .iter()
            .find(|s| s["public_address"] != server["public_address"])
            .unwrap();
        assert!(
            peers.contains(&format!(
                "PublicKey = {}",
                other["public_key"].as_str().unwrap()
            )) && peers.contains(&format!(
                "Endpoint = {}:51820",
                other["public_address"].as_str().unwrap()
            )),
            "{address}: {peers}"
        );
    }
    let calls = std::fs::read_to_string(servers.join("calls.log")).unwrap();
    let last = calls.lines().last().unwrap();
    assert!(
        last.contains(&format!("IdentitiesOnly=yes -i {}", identity.display()))
            && last.contains("BatchMode=yes")
            && last.contains(" admin@"),
        "{last}"
    );
    // At the provider: SSH from the admin address on the tunnel servers only.
    for (component, open) in [("cmp_web", true), ("cmp_db", true), ("cmp_worker", false)] {
        let (_, firewall) = fake
            .all()
            .into_iter()
            .find(|(c, o)| c == "firewalls" && o["labels"]["stagecraft-component"] == component)
            .unwrap();
        let ssh: Vec<&Value> = firewall["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["port"] == "22")
            .collect();
        if open {
            assert_eq!(ssh.len(), 1, "{component}: {firewall}");
            assert_eq!(ssh[0]["source_ips"], serde_json::json!(["198.51.100.7/32"]));
        } else {
            assert!(ssh.is_empty(), "{component} has no tunnel: {firewall}");
        }
    }

    let destroy = run(&mut cli(false, &["destroy", f, "--auto-approve"]), None);
    assert_eq!(destroy.code, 0, "{}{}", destroy.stdout, destroy.stderr);
    assert!(fake.all().is_empty());
}
