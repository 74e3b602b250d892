#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, starts
# a throw-away MariaDB on a loopback port, runs every Go test with the race
# detector, and stops the server whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local
scripts/deps.sh
source scripts/mariadb.sh
MARIADB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/khompctl-test-db.XXXXXX")
trap mariadb_stop EXIT
mariadb_start
go test -race -count=1 -timeout 20m "$@" ./...
