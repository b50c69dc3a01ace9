#!/usr/bin/env bash
# Starts the Debian-packaged PostgreSQL cluster and makes sure the test role and
# database exist (role gh_ingest / password gh_ingest, LOGIN CREATEDB; database
# gh_ingest_test owned by it). Also lets the test role in from the network namespaces
# the multi-host tests create (test/support/netns.js: hosts 10.77.i.2 reach the cluster
# at their gateway 10.77.i.1): listen_addresses '*' and a pg_hba.conf line for
# 10.77.0.0/16; restarts or reloads the cluster only when one of these changed.
# Idempotent: safe to run again. Prints what it changed, and TEST_DATABASE_URL.
set -euo pipefail

role=gh_ingest
password=gh_ingest
database=gh_ingest_test
cluster=main

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "start-postgres.sh: PostgreSQL is not installed; run: bash .ci/setup-debian.sh" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_postgres=(runuser -u postgres --)
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_postgres=(sudo -u postgres)
  as_root=(sudo)
else
  echo "start-postgres.sh: run as root, or install sudo, to start PostgreSQL" >&2
  exit 1
fi

# The newest installed version that has a "main" cluster.
version=$(pg_lsclusters --no-header | awk -v c="$cluster" '$2 == c { print $1 }' | sort -V | tail -n 1)
if [ -z "$version" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  echo "start-postgres.sh: creating cluster $version/$cluster"
  "${as_root[@]}" pg_createcluster "$version" "$cluster"
fi
port=$(pg_lsclusters --no-header | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { print $3 }')

if pg_lsclusters --no-header | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { print $4 }' | grep -q online; then
  echo "start-postgres.sh: PostgreSQL $version/$cluster already running on port $port"
else
  echo "start-postgres.sh: starting PostgreSQL $version/$cluster on port $port"
  "${as_root[@]}" pg_ctlcluster "$version" "$cluster" start
fi

psql_admin() {
  "${as_postgres[@]}" psql --port "$port" --no-psqlrc --quiet --tuples-only --no-align \
    --set ON_ERROR_STOP=1 "$@"
}

wait_ready() {
  for _ in $(seq 1 30); do
    psql_admin --command 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "start-postgres.sh: PostgreSQL $version/$cluster does not answer on port $port" >&2
  return 1
}
wait_ready

if [ "$(psql_admin --command "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != 1 ]; then
  psql_admin --command "CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password'"
  echo "start-postgres.sh: created role $role"
else
  # Keep the documented password and rights even if the role was made by hand.
  psql_admin --command "ALTER ROLE $role LOGIN CREATEDB PASSWORD '$password'"
fi
if [ "$(psql_admin --command "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]; then
  psql_admin --command "CREATE DATABASE $database OWNER $role"
  echo "start-postgres.sh: created database $database"
fi

# The network-namespace hosts of the multi-host tests connect from 10.77.i.2 to 10.77.i.1.
netns_range=10.77.0.0/16
restart=no
reload=no
if [ "$(psql_admin --command 'SHOW listen_addresses')" != '*' ]; then
  psql_admin --command "ALTER SYSTEM SET listen_addresses = '*'"
  echo "start-postgres.sh: set listen_addresses = '*' (restart needed)"
  restart=yes
fi
hba_file=$(psql_admin --command 'SHOW hba_file')
auth_method=$(psql_admin --command 'SHOW password_encryption')  # scram-sha-256 or md5
if ! "${as_postgres[@]}" awk -v r="$role" -v a="$netns_range" \
    '$1 == "host" && $3 == r && $4 == a { found = 1 } END { exit !found }' "$hba_file"; then
  printf 'host    all             %-15s %-15s %s  # network-namespace test hosts\n' \
    "$role" "$netns_range" "$auth_method" | "${as_root[@]}" tee -a "$hba_file" >/dev/null
  echo "start-postgres.sh: allowed $role from $netns_range ($auth_method) in $hba_file"
  reload=yes
fi
if [ "$restart" = yes ]; then
  echo "start-postgres.sh: restarting PostgreSQL $version/$cluster"
  "${as_root[@]}" pg_ctlcluster "$version" "$cluster" restart
  wait_ready
elif [ "$reload" = yes ]; then
  psql_admin --command 'SELECT pg_reload_conf()' >/dev/null
  echo "start-postgres.sh: reloaded the configuration"
fi

url="postgres://$role:$password@127.0.0.1:$port/$database"
echo "start-postgres.sh: ready"
echo "TEST_DATABASE_URL=$url"
