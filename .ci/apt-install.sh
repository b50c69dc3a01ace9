#!/usr/bin/env bash
# Sourced by the .ci/setup-*.sh scripts: apt_install NAME PACKAGE... installs the Debian
# packages not installed yet, with apt-get directly as root, through sudo otherwise.
# NAME prefixes its messages. Returns 0 when everything is (now) installed.

apt_install() {
  local name="$1"
  shift
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "$name: run as root, or install sudo, to install: $*" >&2
      return 1
    fi
    as_root=(sudo)
  fi
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "$name: already installed: $*"
    return 0
  fi
  echo "$name: installing ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}
