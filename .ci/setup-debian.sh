#!/usr/bin/env bash
# Installs the system packages gh-ingest builds and tests with (Debian 12 / Ubuntu 22.04+).
# Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail

packages=(cmake g++ ninja-build pkg-config libcurl4-openssl-dev libsimdjson-dev catch2 postgresql)

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup-debian.sh: run as root, or install sudo, to install: ${packages[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup-debian.sh: all packages already installed (${packages[*]})"
  exit 0
fi
echo "setup-debian.sh: installing ${missing[*]}"
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
