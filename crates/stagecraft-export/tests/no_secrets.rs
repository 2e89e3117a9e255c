//! No export can leak a provider token: a token is planted in the OS keyring (Secret Service,
//! service "stagecraft", user "hetzner:default") and every export format of every template is
//! scanned for it. Exports read only the design, so this proves the design path cannot carry it.
//!
//! The test never touches the developer's real keyring: it re-runs itself inside a private
//! `dbus-run-session` with a fresh, unlocked gnome-keyring, and plants the token there.

mod common;

use std::process::Command;

use common::{poppler, templates};
use stagecraft_export::{
    render_compose, render_drawio, render_mermaid, render_pdf, render_png, render_report_html,
    render_report_markdown, render_report_pdf, render_svg, render_terraform, Paper, PictureOptions,
    ReportInputs,
};

const CHILD: &str = "STAGECRAFT_EXPORT_KEYRING_CHILD";
const TEST: &str = "no_export_contains_a_token_planted_in_the_keyring";

#[test]
fn no_export_contains_a_token_planted_in_the_keyring() {
    if std::env::var_os(CHILD).is_some() {
        return scan_with_planted_token();
    }
    let exe = std::env::current_exe().expect("test binary path");
    let script = format!(
        "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec '{}' --exact {TEST} --nocapture",
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
        .env(CHILD, "1")
        .output()
        .unwrap_or_else(|e| {
            panic!("dbus-run-session is required (apt-get install dbus gnome-keyring): {e}")
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the keyring scan failed inside dbus-run-session (needs dbus and gnome-keyring):\n{stdout}\n{stderr}"
    );
}

fn scan_with_planted_token() {
    let token = format!(
        "hcloud-token-{}-planted-by-stagecraft-export-test",
        std::process::id()
    );
    let entry = keyring::Entry::new("stagecraft", "hetzner:default").expect("keyring entry");
    entry
        .set_password(&token)
        .expect("the private Secret Service accepts the token");
    assert_eq!(
        entry.get_password().expect("token reads back"),
        token,
        "the token is really in the keyring"
    );

    for (slug, design) in templates() {
        let findings = stagecraft_rules::check(&design, &Default::default());
        let costs = stagecraft_pricing::estimate(&design, &Default::default());
        let inputs = ReportInputs {
            findings: Some(&findings),
            costs: Some(&costs),
            previous: Some(&design),
            cost_diff: None,
        };
        let options = PictureOptions::default();
        let mut exports: Vec<(&str, Vec<u8>)> = vec![
            ("svg", render_svg(&design).into_bytes()),
            ("png", render_png(&design, &options).unwrap()),
            (
                "report-md",
                render_report_markdown(&design, &inputs).into_bytes(),
            ),
            (
                "report-html",
                render_report_html(&design, &inputs).into_bytes(),
            ),
            ("terraform", render_terraform(&design).unwrap().into_bytes()),
            ("mermaid", render_mermaid(&design).into_bytes()),
            ("drawio", render_drawio(&design).into_bytes()),
        ];
        let compose = render_compose(&design).unwrap();
        exports.push(("compose", compose.compose.into_bytes()));
        exports.push(("cloud-init", compose.cloud_init.into_bytes()));
        exports.extend(compose.caddyfile.map(|c| ("caddyfile", c.into_bytes())));
        // PDF streams are compressed: scan the extracted text as well as the bytes.
        for (name, pdf) in [
            ("pdf", render_pdf(&design, &options).unwrap()),
            (
                "report-pdf",
                render_report_pdf(&design, &inputs, Paper::A4).unwrap(),
            ),
        ] {
            exports.push((name, poppler("pdftotext", &pdf, &[]).into_bytes()));
            exports.push((name, pdf));
        }
        for (format, bytes) in exports {
            let leaked = bytes.windows(token.len()).any(|w| w == token.as_bytes());
            assert!(
                !leaked,
                "{slug}: the {format} export contains the keyring token"
            );
        }
    }
    entry
        .delete_credential()
        .expect("clean up the planted token");
}
