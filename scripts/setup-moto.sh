#!/usr/bin/env bash
# Installs moto (a local AWS peer: EC2, ELBv2, RDS, IAM, STS on one endpoint) into .tools/venv for
# the stagecraft-cloud AWS flow tests, which start `.tools/venv/bin/moto_server` themselves.
# Idempotent and fast when the pinned version is already there. PyPI is the only source.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.tools/venv"
version="5.2.5"

if [[ -x "$venv/bin/moto_server" ]] &&
  "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('moto') != '$version')" 2>/dev/null; then
  exit 0
fi

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || {
  echo "setup-moto: $python is missing: install Python 3 (Debian: python3 python3-venv)" >&2
  exit 1
}
mkdir -p "$root/.tools"
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --no-cache-dir --disable-pip-version-check "moto[server]==$version"
echo "installed moto $version in $venv"
