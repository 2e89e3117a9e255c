#!/usr/bin/env bash
# Sets everything up and runs every check and test: formatting, lints, the crate-boundary rule,
# Rust tests (with a real Secret Service), the UI's type check, lint, unit and browser tests, the
# bindings drift check, and the real desktop app end to end under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CI="${CI:-true}"   # insta fails on a snapshot mismatch instead of writing new ones

log() { printf '\n==> %s\n' "$*"; }

log "Free disk space (a full disk fails installs and builds with ENOSPC)"
df -h . | tail -n 1

scripts/setup.sh

log "Formatting"
cargo fmt --all --check

log "No crate under crates/ depends on tauri"
scripts/check-crate-boundaries.sh

log "Building the UI (the desktop crate embeds ui/dist)"
npm run -w ui build

log "Clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "UI type check and lint"
npm run -w ui typecheck
npm run -w ui lint

log "Rust tests (inside a session with an unlocked gnome-keyring)"
# custom-protocol embeds ui/dist; the real-window test below needs it, and using the same features
# here lets both share every compiled dependency.
dbus-run-session -- sh -c '
  echo -n stagecraft-ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo nextest run --workspace --locked --no-fail-fast --features stagecraft-desktop/custom-protocol
'

log "TypeScript bindings are up to date"
git diff --exit-code -- ui/src/ipc/bindings.ts

log "UI unit tests"
npm run -w ui test

log "UI in Chromium"
npm run -w ui e2e

if [ -x tests/e2e/run.sh ]; then
  log "The real desktop app under Xvfb"
  # The binaries, built with the test run's dependency features so nothing compiles twice.
  cargo build --workspace --bins --tests --locked --features stagecraft-desktop/custom-protocol
  E2E_SKIP_BUILD=1 tests/e2e/run.sh
fi

log "All checks passed"
