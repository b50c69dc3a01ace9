#!/usr/bin/env bash
# Installs the system packages gh-ingest builds and tests with (Debian 12 / Ubuntu 22.04+).
# Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail

source "$(dirname "$0")/apt-install.sh"

apt_install setup-debian.sh cmake g++ ninja-build pkg-config libcurl4-openssl-dev libsimdjson-dev catch2 postgresql
