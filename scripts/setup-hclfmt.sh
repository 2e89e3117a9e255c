#!/usr/bin/env bash
# Builds .tools/hclfmt-check: prints HCL as `terraform fmt` would (HashiCorp's hclwrite formatter,
# which terraform fmt uses). The stagecraft-export test `terraform_fmt` runs every generated
# main.tf through it and requires identical bytes. Offline: Debian's Go toolchain and its packaged
# hcl/v2 sources, built in GOPATH mode. Idempotent: does nothing when the binary is up to date.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
source_file="$root/scripts/hclfmt/main.go"
binary="$root/.tools/hclfmt-check"

if [[ -x "$binary" && "$binary" -nt "$source_file" ]]; then
  exit 0
fi

packages=(golang-go golang-github-hashicorp-hcl-v2-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# GOPATH mode: Debian installs library sources under /usr/share/gocode/src.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/hclfmt-check" "$root/.tools"
cp "$source_file" "$work/src/hclfmt-check/main.go"
(
  cd "$work/src/hclfmt-check"
  GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOPROXY=off GOCACHE="$work/cache" \
    go build -o "$binary" .
)
echo "built $binary"
