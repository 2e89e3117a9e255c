#!/usr/bin/env bash
# The real desktop app, end to end: builds the app and the CLI, starts a private Xvfb display and
# tauri-driver (inside its own D-Bus session), runs desktop.test.mjs against the real WebKitGTK
# window, and stops every process it started. Screenshots land in target/e2e-screenshots/.
#
#   tests/e2e/run.sh            build, then test
#   E2E_SKIP_BUILD=1 tests/e2e/run.sh   reuse target/debug (after a build of your own)
#   tests/e2e/run.sh bench      build, then run the benchmarks instead (bench.sh prepares them)
#   tests/e2e/run.sh screenshot build, then write docs/screenshot.png
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
mode="${1:-test}"

fail() { printf 'tests/e2e/run.sh: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || fail "$1 is missing: $2"; }
need Xvfb "apt-get install xvfb"
need dbus-run-session "apt-get install dbus"
need import "apt-get install imagemagick"
need node "install Node.js 20+"
need setsid "apt-get install util-linux"
need tauri-driver "cargo install tauri-driver --version '^2' --locked"
[ -x /usr/bin/WebKitWebDriver ] || fail "/usr/bin/WebKitWebDriver is missing: apt-get install webkit2gtk-driver"
[ -x node_modules/.bin/tauri ] || fail "the Tauri CLI is missing: npm ci (repository root)"
[ -d "$here/node_modules/webdriverio" ] || fail "webdriverio is missing: npm ci --prefix tests/e2e"

if [ -z "${E2E_SKIP_BUILD:-}" ]; then
  echo "==> building the CLI and the desktop app (tauri build --debug --no-bundle)"
  cargo build -p stagecraft-cli --locked
  node_modules/.bin/tauri build --debug --no-bundle -- --locked
fi
export E2E_APP="$root/target/debug/stagecraft-desktop"
export E2E_CLI="$root/target/debug/stagecraft"
[ -x "$E2E_APP" ] || fail "$E2E_APP was not built"
[ -x "$E2E_CLI" ] || fail "$E2E_CLI was not built"

work="$(mktemp -d /tmp/stagecraft-e2e.XXXXXX)"
export E2E_WORK="$work"
export E2E_SHOTS="$root/target/e2e-screenshots"
mkdir -p "$E2E_SHOTS"
[ "$mode" = test ] && rm -f "$E2E_SHOTS"/0*.png
pids=()
cleanup() {
  local status=$?
  # Each background job leads its own process group (setsid), so the whole tree ends with it:
  # dbus-run-session, dbus-daemon, tauri-driver, WebKitWebDriver and any app it launched.
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  cp "$work/driver.log" "$E2E_SHOTS/driver.log" 2>/dev/null || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT INT TERM

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# A display of our own: Xvfb picks a free number and writes it to fd 3.
setsid Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || { cat "$work/xvfb.log" >&2; fail "Xvfb did not start"; }
export DISPLAY=":$(head -n1 "$work/display")"

# The app keeps its settings and recovery file under XDG folders: private ones per run.
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache"
port="$(free_port)"
native_port="$(free_port)"
export E2E_DRIVER_PORT="$port"
setsid dbus-run-session -- env NO_AT_BRIDGE=1 GTK_A11Y=none WEBKIT_DISABLE_COMPOSITING_MODE=1 \
  tauri-driver --port "$port" --native-port "$native_port" \
  --native-driver /usr/bin/WebKitWebDriver >"$work/driver.log" 2>&1 &
pids+=($!)
ready=""
for _ in $(seq 1 100); do
  if node -e "fetch('http://127.0.0.1:$port/status').then(r=>r.json()).then(j=>process.exit(j.value&&j.value.ready?0:1)).catch(()=>process.exit(1))"; then
    ready=1; break
  fi
  sleep 0.2
done
[ -n "$ready" ] || { cat "$work/driver.log" >&2; fail "tauri-driver did not become ready on port $port"; }
echo "==> Xvfb on $DISPLAY, tauri-driver on 127.0.0.1:$port"

status=0
case "$mode" in
  test) (cd "$here" && node --test --test-concurrency=1 desktop.test.mjs) || status=$? ;;
  bench) (cd "$here" && node bench.mjs) || status=$? ;;
  screenshot) (cd "$here" && node screenshot.mjs) || status=$? ;;
  *) fail "unknown mode $mode (test, bench or screenshot)" ;;
esac
if [ "$status" -ne 0 ]; then
  echo "---- tauri-driver log ----" >&2
  tail -n 60 "$work/driver.log" >&2 || true
fi
echo "==> screenshots in $E2E_SHOTS"
exit "$status"
