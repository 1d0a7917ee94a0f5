#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL 15 server.
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# If ALCHEMY_TEST_POSTGRESQL_URL is already set, CMD runs against that server
# and nothing is started. Otherwise this script creates a cluster in a fresh
# temporary directory, starts it on a free port of 127.0.0.1 with durability
# switched off (fsync, synchronous_commit, full_page_writes: it is a test
# server), creates the database alchemy_test and runs CMD with:
#
#   ALCHEMY_TEST_POSTGRESQL_URL     postgresql://postgres@127.0.0.1:PORT/alchemy_test
#   ALCHEMY_TEST_POSTGRESQL_DATADIR the cluster's data directory
#   ALCHEMY_TEST_POSTGRESQL_LOG     the server log file
#   ALCHEMY_TEST_POSTGRESQL_RUNAS   "runuser -u postgres --" when run as root, else empty
#   PGBIN                           the directory holding pg_ctl, initdb, ...
#
# The port and the other settings are written into the cluster's
# postgresql.conf, so a test can restart the server with
#   $ALCHEMY_TEST_POSTGRESQL_RUNAS "$PGBIN/pg_ctl" -D "$ALCHEMY_TEST_POSTGRESQL_DATADIR" \
#       -l "$ALCHEMY_TEST_POSTGRESQL_LOG" -w restart
# (pass -l: without it the server keeps the caller's stdout open).
#
# When CMD ends -- or the script fails, or gets Ctrl-C / SIGTERM / SIGHUP -- the
# server is stopped (fast, then immediate) and the directory removed. The exit
# status is CMD's (128+N when killed by signal N).
#
# Environment: PGBIN (default /usr/lib/postgresql/15/bin), TMPDIR.
set -euo pipefail

prog=with-postgres
die() { echo "$prog: $*" >&2; exit 1; }

if [[ $# -eq 0 || $1 == -h || $1 == --help ]]; then
  echo "usage: scripts/with-postgres.sh CMD [ARGS...]" >&2
  if [[ $# -eq 0 ]]; then exit 2; fi
  exit 0
fi

# An existing server was given: nothing to start.
if [[ -n ${ALCHEMY_TEST_POSTGRESQL_URL:-} ]]; then
  exec "$@"
fi

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
for tool in initdb pg_ctl createdb; do
  [[ -x $PGBIN/$tool ]] ||
    die "$PGBIN/$tool not found; install PostgreSQL 15 with scripts/install-deps.sh (or set PGBIN)"
done

# The server refuses to run as root: run the server tools as 'postgres' then.
runas=()
if [[ $EUID -eq 0 ]]; then
  id postgres >/dev/null 2>&1 ||
    die "running as root but there is no 'postgres' user; install PostgreSQL 15 with scripts/install-deps.sh"
  command -v runuser >/dev/null 2>&1 || die "running as root but runuser is missing"
  runas=(runuser -u postgres --)
fi

# Run a server tool (as postgres when root) from inside the scratch directory,
# so it never trips over a current directory it cannot read.
pg() { (cd "$dir" && "${runas[@]}" "$@"); }

base=${TMPDIR:-/tmp}
if [[ ${#runas[@]} -gt 0 ]] && ! "${runas[@]}" test -w "$base" -a -x "$base" 2>/dev/null; then
  base=/tmp   # e.g. TMPDIR under /root, which postgres cannot enter
fi

dir=""
datadir=""
started=0
child=""

# shellcheck disable=SC2317  # trap handlers are invoked indirectly
cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  set +e
  if [[ -n $child ]] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  if [[ $started -eq 1 ]]; then
    pg "$PGBIN/pg_ctl" stop -D "$datadir" -m fast -w -t 30 -s >/dev/null 2>&1 ||
      pg "$PGBIN/pg_ctl" stop -D "$datadir" -m immediate -w -t 30 -s >/dev/null 2>&1
  fi
  if [[ -n $dir ]]; then
    cd / && rm -rf -- "$dir"
  fi
  exit "$status"
}
# shellcheck disable=SC2317
on_signal() {
  local sig=$1 num=$2
  trap - INT TERM HUP
  if [[ -n $child ]] && kill -0 "$child" 2>/dev/null; then
    kill -"$sig" "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  exit $((128 + num))   # runs cleanup via the EXIT trap
}
trap cleanup EXIT
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM
trap 'on_signal HUP 1' HUP

dir=$(mktemp -d "$base/alchemy-pg.XXXXXX")
chmod 755 "$dir"
[[ ${#runas[@]} -gt 0 ]] && chown postgres: "$dir"
datadir=$dir/data
log=$dir/server.log

if ! out=$(pg "$PGBIN/initdb" -D "$datadir" -A trust -U postgres --no-sync -E UTF8 --locale=C 2>&1); then
  printf '%s\n' "$out" >&2
  die "initdb failed"
fi

# Settings live in postgresql.conf (not on the pg_ctl command line) so that a
# plain 'pg_ctl restart' brings the server back identically. The port is in an
# included file so a retry can change it.
pg tee -a "$datadir/postgresql.conf" >/dev/null <<EOF

# --- throwaway test server (scripts/with-postgres.sh): durability off ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
include 'alchemy_port.conf'
EOF

port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

port=""
for attempt in $(seq 1 20); do
  candidate=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
  port_in_use "$candidate" && continue
  echo "port = $candidate" | pg tee "$datadir/alchemy_port.conf" >/dev/null
  if pg "$PGBIN/pg_ctl" start -D "$datadir" -l "$log" -w -t 60 -s >/dev/null 2>&1; then
    port=$candidate
    started=1
    break
  fi
  # Someone may have grabbed the port between the check and the bind: retry.
  if [[ -f $datadir/postmaster.pid ]]; then
    started=1   # a server is half up; let cleanup stop it
    cat "$log" >&2 2>/dev/null || true
    die "PostgreSQL did not become ready within 60 s"
  fi
  if ! grep -qiE 'could not (bind|create listen)|address already in use' "$log" 2>/dev/null; then
    cat "$log" >&2 2>/dev/null || true
    die "could not start PostgreSQL (log above)"
  fi
  echo "$prog: port $candidate was taken, retrying ($attempt)" >&2
done
[[ -n $port ]] || die "found no free port in 20000-60000"

if ! out=$("$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres alchemy_test 2>&1); then
  printf '%s\n' "$out" >&2
  die "createdb alchemy_test failed"
fi

export ALCHEMY_TEST_POSTGRESQL_URL="postgresql://postgres@127.0.0.1:$port/alchemy_test"
export ALCHEMY_TEST_POSTGRESQL_DATADIR=$datadir
export ALCHEMY_TEST_POSTGRESQL_LOG=$log
export ALCHEMY_TEST_POSTGRESQL_RUNAS="${runas[*]}"
export PGBIN
echo "$prog: started throwaway PostgreSQL at $ALCHEMY_TEST_POSTGRESQL_URL (in $dir)" >&2

# Run the command in the background and wait, so a signal to this script is
# handled at once (and forwarded). The subshell restores SIGINT/SIGQUIT, which
# bash ignores for background jobs, and keeps our stdin.
set +e
( trap - INT QUIT; exec "$@" ) <&0 &
child=$!
wait "$child"
status=$?
child=""
exit "$status"
