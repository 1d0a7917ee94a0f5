#!/usr/bin/env bash
# Install the Debian 12 packages alchemy needs, if any are missing.
#
#   scripts/install-deps.sh          everything: build, tests, benchmarks, PostgreSQL 15 server
#   scripts/install-deps.sh --tour   only what scripts/tour.sh needs (toolchain, SQLite, libpq, fmt)
#
# Checks with dpkg-query first and prints nothing when all packages are there.
# Otherwise runs 'apt-get update' and 'apt-get install' -- directly as root,
# through sudo for other users, or, without sudo, prints the command and fails.
set -euo pipefail

tour=0
for arg in "$@"; do
  case $arg in
    --tour) tour=1 ;;
    -h|--help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

# The tour configures with tests and benchmarks off, but both dialects on.
packages=(build-essential cmake ninja-build pkg-config libsqlite3-dev libpq-dev libfmt-dev)
if [[ $tour -eq 0 ]]; then
  # python3-sqlalchemy: the differential tests compare with SQLAlchemy itself.
  packages+=(git libgtest-dev libgmock-dev libbenchmark-dev postgresql-15 python3 python3-sqlalchemy)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
apt_install=(apt-get install -y -q --no-install-recommends "${missing[@]}")

if [[ $EUID -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: not root and no sudo; run as root:" >&2
  echo "  apt-get update && DEBIAN_FRONTEND=noninteractive ${apt_install[*]}" >&2
  exit 1
fi

"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${apt_install[@]}"
