//! The `OpenSsh` shell `link` uses, against a real OpenSSH server on 127.0.0.1: Debian's
//! `sshd`, started here on a free port with a temporary host key and a temporary
//! `authorized_keys`, as the current user (`StrictModes no`, no PAM). Checks the command path
//! (arguments, standard input, output), host keys trusted on first use and refused when they
//! change, and the messages for a wrong key and a closed port.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use stagecraft_cloud::block_on;
use stagecraft_cloud::wireguard::{OpenSsh, RemoteShell, SshProblem};
use stagecraft_testkit::peers::free_port;

const SSHD: &str = "/usr/sbin/sshd";

fn current_user() -> String {
    let output = Command::new("id").arg("-un").output().expect("id runs");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// `ssh-keygen -t ed25519` into `path` (and `path.pub`), no passphrase.
fn key_pair(path: &Path) -> String {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "loopback-test", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen is installed (Debian: openssh-client)");
    assert!(status.success(), "ssh-keygen made {}", path.display());
    std::fs::read_to_string(path.with_extension("pub")).unwrap()
}

/// A running sshd, stopped when dropped.
struct Sshd {
    child: Child,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sshd(dir: &Path, port: u16, host_key: &Path, authorized_keys: &Path) -> Sshd {
    assert!(
        Path::new(SSHD).exists(),
        "{SSHD} is missing: install the OpenSSH server (Debian: apt-get install openssh-server openssh-client) to run this test"
    );
    // Run as root, sshd insists on its privilege separation directory even in the foreground.
    if current_user() == "root" && !Path::new("/run/sshd").exists() {
        std::fs::create_dir_all("/run/sshd").expect("create /run/sshd for sshd");
    }
    let user = current_user();
    let config = dir.join(format!("sshd_config-{port}"));
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nPidFile {pid}\n\
             AuthorizedKeysFile {authorized_keys}\nStrictModes no\nUsePAM no\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n\
             PermitRootLogin prohibit-password\nAllowUsers {user}\nLogLevel VERBOSE\n",
            host_key = host_key.display(),
            pid = dir.join(format!("sshd-{port}.pid")).display(),
            authorized_keys = authorized_keys.display(),
        ),
    )
    .unwrap();
    let log = std::fs::File::create(dir.join(format!("sshd-{port}.log"))).unwrap();
    let mut child = Command::new(SSHD)
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("sshd starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Sshd { child };
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "sshd exited ({status}) before listening: {}",
                std::fs::read_to_string(dir.join(format!("sshd-{port}.log"))).unwrap_or_default()
            );
        }
        assert!(
            Instant::now() < deadline,
            "sshd did not listen on {port} within 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn shell(port: u16, identity: &Path, known_hosts: &Path) -> OpenSsh {
    OpenSsh {
        user: current_user(),
        identity: Some(identity.to_path_buf()),
        connect_timeout_secs: 10,
        port,
        known_hosts: Some(known_hosts.to_path_buf()),
        ..OpenSsh::default()
    }
}

/// The base64 body of an OpenSSH public key line.
fn key_body(line: &str) -> String {
    line.split_whitespace().nth(1).unwrap().to_owned()
}

#[test]
fn open_ssh_runs_commands_on_a_real_sshd_and_trusts_host_keys_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| -> PathBuf { dir.path().join(name) };
    let host_key_line = key_pair(&path("host_key"));
    let client_key_line = key_pair(&path("id_client"));
    key_pair(&path("id_wrong"));
    std::fs::write(path("authorized_keys"), &client_key_line).unwrap();
    let known_hosts = path("known_hosts");
    let port = free_port();
    let sshd = start_sshd(
        dir.path(),
        port,
        &path("host_key"),
        &path("authorized_keys"),
    );

    // First contact: the command runs with our input, and the host key is remembered.
    let ssh = shell(port, &path("id_client"), &known_hosts);
    let output = block_on(ssh.run("127.0.0.1", "echo linked-$((6 * 7)); cat", "peers\n"))
        .unwrap_or_else(|e| {
            panic!(
                "ssh to the loopback sshd failed: {e}\nsshd log:\n{}",
                std::fs::read_to_string(path(&format!("sshd-{port}.log"))).unwrap_or_default()
            )
        });
    assert_eq!(
        output, "linked-42\npeers\n",
        "stdout only, input passed through"
    );
    let remembered = std::fs::read_to_string(&known_hosts).expect("known_hosts was written");
    // Debian's ssh_config hashes host names (HashKnownHosts), so ask ssh-keygen for the entry.
    let found = Command::new("ssh-keygen")
        .args(["-F", &format!("[127.0.0.1]:{port}"), "-f"])
        .arg(&known_hosts)
        .output()
        .unwrap();
    let found = String::from_utf8_lossy(&found.stdout);
    assert!(
        found.contains(&key_body(&host_key_line)),
        "the host key is trusted on first use, under its address and port: {remembered}"
    );
    // Second contact goes through against the remembered key, which stays as it was.
    assert_eq!(
        block_on(ssh.run("127.0.0.1", "echo again", "")).unwrap(),
        "again\n"
    );
    assert_eq!(std::fs::read_to_string(&known_hosts).unwrap(), remembered);

    // A failing command is an error carrying its exit status and what it printed.
    let failed = block_on(ssh.run("127.0.0.1", "echo no-key-yet >&2; exit 3", "")).unwrap_err();
    assert!(
        failed.contains("exit status: 3") && failed.contains("no-key-yet"),
        "{failed}"
    );
    assert_eq!(SshProblem::of(&failed), SshProblem::CommandFailed);

    // A key the server does not accept: refused, said so, and what to do.
    let wrong = shell(port, &path("id_wrong"), &known_hosts);
    let refused = block_on(wrong.run("127.0.0.1", "echo should-not-run", "")).unwrap_err();
    assert!(refused.contains("Permission denied"), "{refused}");
    assert_eq!(
        SshProblem::of(&refused),
        SshProblem::KeyRefused,
        "{refused}"
    );
    assert!(SshProblem::KeyRefused.fix().contains("--identity"));

    // The same address with another host key (a replaced server, or someone in the middle):
    // refused, and known_hosts keeps the key it trusted.
    drop(sshd);
    key_pair(&path("host_key_2"));
    let _replaced = start_sshd(
        dir.path(),
        port,
        &path("host_key_2"),
        &path("authorized_keys"),
    );
    let changed = block_on(ssh.run("127.0.0.1", "echo should-not-run", "")).unwrap_err();
    assert_eq!(
        SshProblem::of(&changed),
        SshProblem::HostKeyChanged,
        "{changed}"
    );
    assert!(!changed.contains("should-not-run"));
    assert_eq!(
        std::fs::read_to_string(&known_hosts).unwrap(),
        remembered,
        "a changed host key is never written over the trusted one"
    );

    // Nothing listening: unreachable, and the fix names port 22 and the admin address.
    let closed = shell(free_port(), &path("id_client"), &known_hosts);
    let unreachable = block_on(closed.run("127.0.0.1", "true", "")).unwrap_err();
    assert_eq!(
        SshProblem::of(&unreachable),
        SshProblem::Unreachable,
        "{unreachable}"
    );
}
