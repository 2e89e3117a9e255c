#!/usr/bin/env bash
# Sets up everything Stagecraft needs on a fresh Debian or Ubuntu machine: system packages, the
# Rust tools, the npm packages and the local test peers. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# System packages: Tauri's build libraries, the real-window test stack (Xvfb, WebKitWebDriver),
# a Secret Service for keyring tests, Chromium for UI tests, PDF/PNG tools for export checks, and
# OpenSSH (the WireGuard link step's transport, tested against a real sshd on loopback).
APT_PACKAGES=(
  build-essential pkg-config libssl-dev curl file
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev libxdo-dev
  xvfb webkit2gtk-driver dbus dbus-x11 gnome-keyring
  chromium imagemagick poppler-utils fonts-dejavu-core
  python3 python3-venv python3-pip
  openssh-server openssh-client
)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "Installing system packages: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  log "Installing Rust with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
export PATH="$HOME/.cargo/bin:$PATH"
rustup component add clippy rustfmt >/dev/null 2>&1 || true

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  log "Node.js 20 or newer is required; installing Debian's nodejs"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
fi

cargo nextest --version >/dev/null 2>&1 || { log "Installing cargo-nextest"; cargo install cargo-nextest --locked; }
command -v tauri-driver >/dev/null || { log "Installing tauri-driver"; cargo install tauri-driver --version '^2' --locked; }

log "Installing npm packages"
npm ci --no-audit --no-fund

for extra in tests/e2e crates/stagecraft-export/tests/mermaid-check; do
  if [ -f "$extra/package-lock.json" ]; then
    npm ci --prefix "$extra" --no-audit --no-fund
  fi
done

# Local peers and checkers for tests: moto (AWS emulator), hclfmt (Terraform layout).
for peer in scripts/setup-moto.sh scripts/setup-hclfmt.sh; do
  if [ -x "$peer" ]; then
    "$peer"
  fi
done
log "Setup done"
