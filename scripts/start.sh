#!/usr/bin/env bash
# Sets everything up, builds the desktop app with the UI embedded, and starts it. The first start
# opens the built-in example design; pass a design file to open it instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh
node_modules/.bin/tauri build --debug --no-bundle
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: starting Stagecraft on a virtual display (Xvfb :99)."
  Xvfb :99 -screen 0 1280x800x24 >/dev/null 2>&1 &
  export DISPLAY=:99
  sleep 1
fi
exec target/debug/stagecraft-desktop "$@"
