# Shared by the scripts in this folder. Sourced, not run.
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Prints the folder holding initdb/pg_ctl/postgres, newest PostgreSQL first.
find_pg_bin() {
  local d
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null && command -v postgres >/dev/null; then
    dirname "$(command -v pg_ctl)"; return 0
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin /usr/local/pgsql/bin /opt/homebrew/opt/postgresql*/bin 2>/dev/null | sort -rV); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && { echo "$d"; return 0; }
  done
  return 1
}

# Where cargo puts its output (CI may point CARGO_TARGET_DIR at a cache outside the checkout).
target_dir() { echo "${CARGO_TARGET_DIR:-$PWD/target}"; }

# Uses $DATABASE_URL when set; otherwise starts the private cluster and creates database $1.
# Exports DATABASE_URL either way.
use_database() {
  local db=$1
  if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
  scripts/pg start >/dev/null
  local admin; admin=$(scripts/pg url postgres)
  command -v psql >/dev/null || PATH="$(find_pg_bin):$PATH"
  if [ -z "$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    psql "$admin" -qc "CREATE DATABASE \"$db\"" >/dev/null
  fi
  DATABASE_URL=$(scripts/pg url "$db")
  export DATABASE_URL
}

# (Re)creates database $1 empty, next to the one $DATABASE_URL names (an admin connection, see
# use_database), and prints its URL.
fresh_database() {
  local db=$1 psql url
  psql=$(command -v psql || echo "$(find_pg_bin)/psql")
  "$psql" "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >&2
  url="${DATABASE_URL/\/postgres\?//$db?}"
  [ "$url" != "$DATABASE_URL" ] || url="${DATABASE_URL%/*}/$db"
  echo "$url"
}

# Fails when something already listens on 127.0.0.1:$1: a server started there would not bind, and
# wait_ready would be answered by whatever holds the port (tests would run against it).
require_free_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    die "port $1 is already in use by another program"
  fi
}

# Waits until the server at $1 answers /readyz (max 60 s).
wait_ready() {
  local i
  for i in $(seq 1 120); do
    curl -fsS "$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}
