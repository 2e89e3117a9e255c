//! The security baseline, read from the files Tauri reads: a strict CSP (no eval, no remote
//! origins, no wildcards) and least-privilege capabilities (every app command granted by name,
//! nothing granted that does not exist, no plugin or core permission beyond the reviewed list).

use std::collections::BTreeSet;
use std::fs;

use serde_json::Value;

use super::repo_root;
use crate::commands::APP_COMMANDS;

/// Non-app permissions the UI needs, reviewed one by one. Adding to this list is a security
/// decision: say why in the commit.
const REVIEWED_PLUGIN_PERMISSIONS: &[&str] = &[
    // The close-requested listener and its removal (window.onCloseRequested).
    "core:event:allow-listen",
    "core:event:allow-unlisten",
    // The title shows the file and unsaved changes; closing after the unsaved-changes prompt.
    "core:window:allow-set-title",
    "core:window:allow-close",
    "core:window:allow-destroy",
    // Native Open / Save As dialogs; ask, confirm and message all go through `message`.
    "dialog:allow-open",
    "dialog:allow-save",
    "dialog:allow-message",
    // Preferences and recent files.
    "store:default",
];

/// Sources a CSP may name besides keywords: the app's own custom protocols. Anything else with a
/// scheme (https:, http://host, ws:) is a remote origin.
const LOCAL_SOURCES: &[&str] = &["data:", "blob:", "ipc:", "http://ipc.localhost"];

/// What is wrong with a CSP, as `directive: problem` lines; empty when it is strict.
fn csp_violations(directives: &[(String, Vec<String>)]) -> Vec<String> {
    let mut problems = Vec::new();
    let names: BTreeSet<&str> = directives.iter().map(|(d, _)| d.as_str()).collect();
    for required in ["default-src", "script-src", "object-src", "base-uri"] {
        if !names.contains(required) {
            problems.push(format!("{required}: missing"));
        }
    }
    for (directive, sources) in directives {
        for source in sources {
            let lower = source.to_ascii_lowercase();
            let problem = if lower == "'unsafe-eval'" || lower == "'wasm-unsafe-eval'" {
                Some("allows eval")
            } else if lower.contains('*') {
                Some("wildcard source")
            } else if lower == "'unsafe-inline'" || lower == "'unsafe-hashes'" {
                Some("inline code or styles")
            } else if lower == "data:" && directive == "script-src" {
                Some("data: scripts")
            } else if lower.starts_with('\'') || LOCAL_SOURCES.contains(&lower.as_str()) {
                None
            } else {
                Some("remote origin")
            };
            if let Some(problem) = problem {
                problems.push(format!("{directive}: {problem} ({source})"));
            }
        }
    }
    problems
}

/// The CSP of tauri.conf.json as (directive, sources); Tauri accepts a string or an object.
fn parse_csp(value: &Value) -> Vec<(String, Vec<String>)> {
    let split = |text: &str| text.split_whitespace().map(str::to_owned).collect();
    match value {
        Value::String(text) => text
            .split(';')
            .filter_map(|part| {
                let mut words = part.split_whitespace();
                let name = words.next()?.to_owned();
                Some((name, words.map(str::to_owned).collect()))
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(name, sources)| {
                let sources = match sources {
                    Value::String(s) => split(s),
                    Value::Array(list) => list
                        .iter()
                        .filter_map(Value::as_str)
                        .flat_map(str::split_whitespace)
                        .map(str::to_owned)
                        .collect(),
                    _ => vec!["<not a string>".into()],
                };
                (name.clone(), sources)
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn read_json(relative: &str) -> Value {
    let path = repo_root().join(relative);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative} must exist: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{relative} must be JSON: {e}"))
}

fn config() -> Value {
    read_json("tauri.conf.json")
}

#[test]
fn the_csp_is_set_and_strict() {
    let security = &config()["app"]["security"];
    for (key, csp) in [("csp", &security["csp"]), ("devCsp", &security["devCsp"])] {
        if key == "devCsp" && csp.is_null() {
            continue; // dev builds then use `csp` too.
        }
        let directives = parse_csp(csp);
        assert!(
            !directives.is_empty(),
            "app.security.{key} must be set: without it the webview runs with no CSP"
        );
        let problems = csp_violations(&directives);
        assert!(
            problems.is_empty(),
            "app.security.{key} is not strict:\n{}",
            problems.join("\n")
        );
    }
    // Tauri adds nonces and hashes for its own scripts and styles; without them its IPC and
    // the page's inline assets would need 'unsafe-inline'.
    let disabled = &security["dangerousDisableAssetCspModification"];
    assert!(
        disabled.is_null() || disabled == &Value::Bool(false),
        "dangerousDisableAssetCspModification must stay off, found {disabled}"
    );
    assert_ne!(
        security["freezePrototype"],
        Value::Bool(false),
        "explicitly unfreezing the prototype is not allowed"
    );
    assert_ne!(
        config()["app"]["withGlobalTauri"],
        Value::Bool(true),
        "window.__TAURI__ must not be exposed to every script"
    );
}

#[test]
fn the_csp_checker_catches_each_weakness() {
    let bad = [
        "default-src 'self'; script-src 'self' 'unsafe-eval'; object-src 'none'; base-uri 'none'",
        "default-src *; script-src 'self'; object-src 'none'; base-uri 'none'",
        "default-src 'self' https://cdn.example.com; script-src 'self'; object-src 'none'; base-uri 'none'",
        "default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'",
        "default-src 'self'; script-src 'self'; connect-src https:; object-src 'none'; base-uri 'none'",
        "default-src 'self'; script-src 'self'; connect-src ws://localhost:1; object-src 'none'; base-uri 'none'",
        "default-src 'self'; script-src 'self' data:; object-src 'none'; base-uri 'none'",
        "default-src 'self'; img-src http://*.localhost; script-src 'self'; object-src 'none'; base-uri 'none'",
        "default-src 'self'",
    ];
    for csp in bad {
        let problems = csp_violations(&parse_csp(&Value::String(csp.into())));
        assert!(!problems.is_empty(), "this CSP must be refused: {csp}");
    }
    let good = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src ipc: http://ipc.localhost; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'";
    assert_eq!(
        csp_violations(&parse_csp(&Value::String(good.into()))),
        Vec::<String>::new()
    );
}

/// Every capability file: (file name, parsed JSON).
fn capability_files() -> Vec<(String, Value)> {
    let folder = repo_root().join("capabilities");
    let mut files: Vec<(String, Value)> = fs::read_dir(&folder)
        .expect("capabilities/ must exist")
        .map(|entry| entry.expect("capabilities/ is readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json" || e == "toml"))
        .map(|path| {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            assert!(
                name.ends_with(".json"),
                "{name}: write capabilities as JSON so this test reads them"
            );
            let text = fs::read_to_string(&path).expect("capability file readable");
            let value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("capabilities/{name} must be JSON: {e}"));
            (name, value)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!files.is_empty(), "capabilities/ holds no capability");
    files
}

/// What is wrong with one capability, given the app's commands.
fn capability_violations(name: &str, capability: &Value, commands: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    for window in capability["windows"].as_array().into_iter().flatten() {
        if window.as_str().is_none_or(|w| w.contains('*')) {
            problems.push(format!("{name}: window {window} is a wildcard"));
        }
    }
    if !capability["webviews"].is_null() || !capability["remote"].is_null() {
        problems.push(format!(
            "{name}: grants to webviews or remote URLs are not allowed"
        ));
    }
    if capability["platforms"].is_array() {
        // Allowed: narrowing to platforms only reduces what is granted.
    }
    for permission in capability["permissions"].as_array().into_iter().flatten() {
        let Some(id) = permission.as_str() else {
            problems.push(format!(
                "{name}: scoped permission {permission} needs a review entry in this test"
            ));
            continue;
        };
        if let Some(command) = id.strip_prefix("allow-") {
            if !commands.iter().any(|c| c.replace('_', "-") == command) {
                problems.push(format!(
                    "{name}: grants `{id}`, but no app command `{command}` exists"
                ));
            }
        } else if id.contains(':') {
            if !REVIEWED_PLUGIN_PERMISSIONS.contains(&id) {
                problems.push(format!(
                    "{name}: `{id}` is not in the reviewed permission list (least privilege)"
                ));
            }
        } else {
            problems.push(format!(
                "{name}: `{id}` is a permission set; grant app commands one by one as allow-<command>"
            ));
        }
    }
    problems
}

#[test]
fn capabilities_grant_each_app_command_by_name_and_nothing_unreviewed() {
    let config = config();
    let enabled: Vec<&str> = config["app"]["security"]["capabilities"]
        .as_array()
        .expect("tauri.conf.json must list its capabilities: otherwise every file is enabled")
        .iter()
        .filter_map(Value::as_str)
        .collect();

    let files = capability_files();
    let mut problems = Vec::new();
    let mut granted = BTreeSet::new();
    for (name, capability) in &files {
        let identifier = capability["identifier"].as_str().unwrap_or_default();
        if !enabled.contains(&identifier) {
            problems.push(format!("{name}: capability `{identifier}` is not enabled in tauri.conf.json; remove the file"));
        }
        problems.extend(capability_violations(name, capability, APP_COMMANDS));
        for permission in capability["permissions"].as_array().into_iter().flatten() {
            if let Some(command) = permission.as_str().and_then(|p| p.strip_prefix("allow-")) {
                granted.insert(command.replace('-', "_"));
            }
        }
    }
    for command in APP_COMMANDS {
        if !granted.contains(*command) {
            problems.push(format!(
                "app command `{command}` is not granted by any capability"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "capabilities:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_capability_checker_catches_each_weakness() {
    let commands = ["open_design"];
    let bad = [
        serde_json::json!({"windows": ["*"], "permissions": ["allow-open-design"]}),
        serde_json::json!({"windows": ["main"], "permissions": ["allow-delete-everything"]}),
        serde_json::json!({"windows": ["main"], "permissions": ["core:default"]}),
        serde_json::json!({"windows": ["main"], "permissions": ["fs:allow-read-file"]}),
        serde_json::json!({"windows": ["main"], "permissions": ["default"]}),
        serde_json::json!({"windows": ["main"], "remote": {"urls": ["https://*"]}, "permissions": []}),
        serde_json::json!({"windows": ["main"], "permissions": [{"identifier": "store:default", "allow": []}]}),
    ];
    for capability in bad {
        assert!(
            !capability_violations("test.json", &capability, &commands).is_empty(),
            "this capability must be refused: {capability}"
        );
    }
    let good = serde_json::json!({"windows": ["main"], "permissions": ["allow-open-design", "dialog:allow-open"]});
    assert_eq!(
        capability_violations("test.json", &good, &commands),
        Vec::<String>::new()
    );
}

#[test]
fn the_declared_commands_are_exactly_the_registered_ones() {
    let bindings_dir = tempfile::tempdir().expect("a temporary folder");
    let path = bindings_dir.path().join("bindings.ts");
    crate::export_bindings(&path).expect("bindings export");
    let text = fs::read_to_string(&path).expect("bindings readable");
    let registered = super::invoked_commands(&text);
    let declared: BTreeSet<String> = APP_COMMANDS.iter().map(|c| (*c).to_owned()).collect();
    assert_eq!(
        registered, declared,
        "collect_commands! in lib.rs and APP_COMMANDS in commands/names.rs (read by build.rs) must list the same commands"
    );
}
