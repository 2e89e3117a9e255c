#!/usr/bin/env bash
# Desktop benchmarks (not part of CI): cold start of Stagecraft on the example design against a
# blank Tauri app built the same way, and a 1,000-component / 1,500-connection design (open time,
# frame times while dragging, memory of the app and its WebKit processes). Prints a table and
# writes target/e2e-bench.json.
#
# The blank app is generated in a temporary folder outside the repository and built with the same
# Tauri CLI, Cargo profile, dependency versions (this Cargo.lock) and target folder as the app.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

scratch="$(mktemp -d /tmp/stagecraft-bench.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
blank="$scratch/blank-tauri-app"
mkdir -p "$blank/src" "$blank/dist" "$blank/capabilities"
cp -r icons "$blank/icons"
cp Cargo.lock "$blank/Cargo.lock"
cat >"$blank/Cargo.toml" <<'TOML'
[package]
name = "blank-tauri-app"
version = "0.1.0"
edition = "2021"

[build-dependencies]
tauri-build = "2.7.4"

[dependencies]
tauri = "2.12.5"

[profile.dev.package."*"]
opt-level = 1
TOML
cat >"$blank/build.rs" <<'RS'
fn main() {
    tauri_build::build();
}
RS
cat >"$blank/src/main.rs" <<'RS'
fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the blank app starts");
}
RS
cat >"$blank/dist/index.html" <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>Blank</title></head>
<body><h1 id="ready">Blank Tauri app</h1></body></html>
HTML
cat >"$blank/tauri.conf.json" <<'JSON'
{
  "productName": "BlankTauriApp",
  "version": "0.1.0",
  "identifier": "app.stagecraft.blank-benchmark",
  "build": { "frontendDist": "dist" },
  "app": {
    "windows": [{ "label": "main", "title": "Blank", "width": 1280, "height": 800 }],
    "security": { "csp": "default-src 'self'" }
  },
  "bundle": { "active": false, "icon": ["icons/32x32.png", "icons/128x128.png"] }
}
JSON

echo "==> building the blank Tauri app (same CLI, profile and target folder as the app)"
(cd "$blank" && CARGO_TARGET_DIR="$root/target" "$root/node_modules/.bin/tauri" build --debug --no-bundle)
export E2E_BLANK_APP="$root/target/debug/blank-tauri-app"

echo "==> building the app, the CLI and a 1,000-component design"
cargo build -p stagecraft-cli --locked
node_modules/.bin/tauri build --debug --no-bundle -- --locked
cargo run -q -p stagecraft-desktop --locked --example generated_design -- 1000 "$scratch/big.stagecraft.json"
export E2E_BIG_DESIGN="$scratch/big.stagecraft.json"

E2E_SKIP_BUILD=1 "$here/run.sh" bench
