#!/usr/bin/env bash
# Quick start 2: install the dependencies, build the 'release' preset and run
# the whole test suite against SQLite and a throwaway PostgreSQL 15 server
# (scripts/with-postgres.sh; an existing server is used instead when
# ALCHEMY_TEST_POSTGRESQL_URL is set).
#
#   scripts/test.sh [CTEST ARGS...]     e.g. scripts/test.sh -R Pool -L engine
#
# Works from any directory. Prints the total elapsed time at the end and exits
# with the first failing step's status (ctest's when everything built).
set -euo pipefail

start=$SECONDS
report() {
  local status=$? elapsed=$((SECONDS - start))
  printf 'test.sh: %s after %dm%02ds\n' "$([[ $status -eq 0 ]] && echo passed || echo "FAILED (exit $status)")" \
    $((elapsed / 60)) $((elapsed % 60)) >&2
}
trap report EXIT

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
scripts/with-postgres.sh ctest --preset release -j"$(nproc)" "$@"
