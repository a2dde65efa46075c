#!/usr/bin/env bash
# Runs before `npm test`: the PostgreSQL storage tests start a throwaway server from Debian's
# binaries (test/helpers/postgres.ts). Installs them when missing and we may; otherwise says how.
set -euo pipefail
if [ -n "${PG_BIN:-}" ] || compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installerer PostgreSQL til lagertestene / installing PostgreSQL for the storage tests"
  export DEBIAN_FRONTEND=noninteractive
  # The tests start their own servers; the package's cluster and service are not wanted. A
  # policy-rc.d that answers 101 keeps the package from starting the service, here and in containers.
  policy=/usr/sbin/policy-rc.d
  own_policy=false
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    own_policy=true
  fi
  trap '[ "$own_policy" = true ] && rm -f "$policy"' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
else
  echo "PostgreSQL mangler: kør 'sudo apt-get install postgresql' eller sæt PG_BIN / PostgreSQL missing" >&2
  exit 1
fi
