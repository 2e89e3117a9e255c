//! No export can leak a provider token: a token is planted in the OS keyring (Secret Service,
//! service "stagecraft", user "hetzner:default") and every export format of every template is
//! scanned for it. Exports read only the design, so this proves the design path cannot carry it.
//!
//! The test never touches the developer's real keyring: it re-runs itself inside a private
//! `dbus-run-session` with a fresh, unlocked gnome-keyring, and plants the token there.

mod common;

use common::{poppler, templates};
use stagecraft_export::{
    render_compose, render_drawio, render_mermaid, render_pdf, render_png, render_report_html,
    render_report_markdown, render_report_pdf, render_svg, render_terraform, Paper, PictureOptions,
    ReportInputs,
};

#[test]
fn no_export_contains_a_token_planted_in_the_keyring() {
    stagecraft_testkit::in_private_keyring(
        "no_export_contains_a_token_planted_in_the_keyring",
        scan_with_planted_token,
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
