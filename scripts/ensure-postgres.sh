#!/usr/bin/env bash
# Installs Debian's PostgreSQL server when its binaries are missing, for the tests that dry-run
# migrations on a real server (integrations/postgres/pgtest). Safe to run repeatedly.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  exit 0
fi
if ! apt-cache policy postgresql 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  echo "ensure-postgres: no postgresql package known to apt; updating the package lists" >&2
  apt-get update
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y postgresql
# The package starts a cluster of its own; tests start throwaway clusters and do not need it.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || { echo "ensure-postgres: initdb still missing" >&2; exit 1; }
