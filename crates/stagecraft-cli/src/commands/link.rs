//! `stagecraft link FILE [--account A] [--admin-cidr CIDR] [--ssh-user root] [--identity PATH]
//! [--auto-approve] [--json]`: the second step of WireGuard between providers or regions.
//!
//! Applies until the providers match the design (every server exists and each WireGuard port is
//! open to its peers' addresses), then reads each tunnel server's public key over SSH and writes
//! every server its peers (see `stagecraft_cloud::wireguard`). Changes at the providers are shown
//! and confirmed as with `apply`. Exit 0 when every tunnel is linked; 1 when a server could not be
//! reached or configured, or an apply failed (the message names the server and what to fix); 2
//! for usage, credentials and provider set-up errors.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use stagecraft_cloud::wireguard::{self, LinkError, LinkProgress, LinkReport, OpenSsh};
use stagecraft_model::load_file;

use super::plan::{
    confirm, engine, engine_failure, json_line, plan_text, progress_sink, validate, CloudArgs,
};
use crate::output::{Failure, Output};
use crate::EXIT_PROBLEMS;

#[derive(Args, Clone)]
pub struct LinkArgs {
    #[command(flatten)]
    pub cloud: CloudArgs,
    /// The user `ssh` logs in as (fresh Hetzner and DigitalOcean images: root).
    #[arg(long, default_value = "root")]
    pub ssh_user: String,
    /// The private key `ssh` uses (only that key is offered); default: your agent and ~/.ssh.
    #[arg(long, value_name = "PATH")]
    pub identity: Option<PathBuf>,
    /// Apply pending changes without asking.
    #[arg(long)]
    pub auto_approve: bool,
}

/// What to tell someone who just applied `file`, when its design has tunnels to link.
pub(crate) fn link_hint(file: &Path) -> Option<String> {
    let design = load_file(file).ok()?.design;
    let links = wireguard::tunnel_links(&design);
    if links.is_empty() {
        return None;
    }
    let pairs: Vec<String> = links
        .iter()
        .map(|l| format!("{} ↔ {} ({})", l.from_name, l.to_name, l.reason))
        .collect();
    Some(format!(
        "WireGuard tunnels are not linked yet ({}): run `stagecraft link {} --admin-cidr YOUR.IP/32` to exchange their keys over SSH.",
        pairs.join(", "),
        file.display()
    ))
}

fn show_step(json: bool, step: &LinkProgress) {
    if json {
        json_line(&json!({ "event": "link", "link": step }));
    } else {
        let label = match step.step {
            wireguard::LinkStep::ReadingKey => "reading",
            wireguard::LinkStep::KeyRead => "key read",
            wireguard::LinkStep::WritingPeers => "writing",
            wireguard::LinkStep::Linked => "linked",
        };
        eprintln!(
            "[link] {label:<9} {} ({})  {}",
            step.name, step.address, step.message
        );
    }
}

fn report_text(report: &LinkReport) -> String {
    let mut text = format!(
        "Linked {} server(s) after {} apply run(s):\n",
        report.servers.len(),
        report.applies
    );
    for server in &report.servers {
        text.push_str(&format!(
            "  {} {} (public {}) — peers: {}\n",
            server.name,
            server.tunnel_address,
            server.public_address,
            server
                .peers
                .iter()
                .filter_map(|k| report.servers.iter().find(|s| &s.server == k))
                .map(|s| format!("{} {}", s.name, s.tunnel_address))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    text
}

fn failure_json(error: &LinkError) -> serde_json::Value {
    match error {
        LinkError::Remote {
            server,
            message,
            problem,
        } => json!({
            "kind": "ssh", "server": server, "problem": problem, "message": message, "fix": problem.fix()
        }),
        other => json!({ "kind": "link", "message": other.to_string() }),
    }
}

pub fn run(out: &Output, args: &LinkArgs) -> Result<ExitCode, Failure> {
    let cloud = &args.cloud;
    if let Some(code) = validate(out, &cloud.file)? {
        return Ok(code);
    }
    if let Some(identity) = &args.identity {
        if !identity.is_file() {
            return Err(Failure::Usage(format!(
                "--identity {}: no such private key file",
                identity.display()
            )));
        }
    }
    let design = load_file(&cloud.file)?.design;
    if wireguard::tunnel_links(&design).is_empty() {
        out.print(
            &json!({ "event": "report", "ok": true, "linked": 0 }),
            || "Nothing to link: the design has no WireGuard tunnel (no private or VPN connection between its servers crosses providers or regions).".into(),
        );
        return Ok(ExitCode::SUCCESS);
    }
    if cloud.admin_cidr.is_none() && !out.json {
        eprintln!("note: no --admin-cidr; the tunnel servers must already accept SSH from this machine (a Firewall component opening 22/tcp to your address).");
    }
    if !args.auto_approve {
        let plan = stagecraft_cloud::block_on(engine(cloud, None)?.plan(&cloud.file))
            .map_err(engine_failure)?;
        if !plan.is_empty() {
            if !out.json {
                eprintln!("{}", plan_text(&plan));
            }
            if !confirm(
                &format!(
                    "Link needs {} change(s) at the providers first.",
                    plan.changes.len()
                ),
                false,
            )? {
                eprintln!("Cancelled; nothing was changed.");
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    let engine = engine(cloud, Some(progress_sink(out.json)))?;
    let ssh = OpenSsh {
        user: args.ssh_user.clone(),
        identity: args.identity.clone(),
        ..OpenSsh::default()
    };
    let json = out.json;
    let result = stagecraft_cloud::block_on(wireguard::link_with_progress(
        &engine,
        &cloud.file,
        &ssh,
        &move |step| show_step(json, &step),
    ));
    match result {
        Ok(report) => {
            if out.json {
                json_line(&json!({ "event": "report", "ok": true, "report": report }));
            } else {
                println!("{}", report_text(&report).trim_end());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(LinkError::Engine(error)) => Err(engine_failure(error)),
        Err(error) => {
            if out.json {
                json_line(&json!({ "event": "error", "ok": false, "error": failure_json(&error) }));
            } else {
                eprintln!("error: {error}");
            }
            Ok(ExitCode::from(EXIT_PROBLEMS))
        }
    }
}
