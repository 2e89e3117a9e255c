#!/usr/bin/env bash
# The crates under crates/ must stay usable without a desktop: none may depend on tauri, directly
# or through another dependency. The desktop shell at the root is the only place Tauri belongs.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for manifest in crates/*/Cargo.toml; do
  package=$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -1)
  if cargo tree -p "$package" -e normal,build --prefix none --format '{p}' 2>/dev/null | grep -Eq '^tauri([ -]|$)'; then
    echo "error: $package depends on tauri (crates/ must stay Tauri-free):" >&2
    cargo tree -p "$package" -e normal,build -i tauri >&2 || true
    status=1
  else
    echo "ok: $package does not depend on tauri"
  fi
done
exit $status
