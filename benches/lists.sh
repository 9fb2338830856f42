#!/usr/bin/env bash
# `scripts/bench lists`: the list endpoints at 1,000 and at 100,000 users per tenant.
#
# Seeds four tenants: bench-a and bench-b with 1,000 users, bench-c and bench-d with 100,000, each
# with 1,000 departments. For every sort of the users list (and of the departments list, on the
# large pair), with and without `search`, on page 1 and deep in the list (OFFSET 5,000 on the large
# tenants, 500 on the small ones, and the cursor for the same position), it runs wrk (64
# connections, two tenants alternating) against the release server and pgbench (64 clients, the
# same two schemas) running the best SQL for the same answer: the index-ordered page (one row more,
# to know whether another page follows) and a separate count, capped like the API's (see best_sql).
# Each case prints the API's req/s, p50 and p99, pgbench's tps and p99, and the ratio of the two rates.
#   BENCH_SECONDS=5 BENCH_ROUNDS=1 scripts/bench lists
# BENCH_ONLY, an extended regular expression, runs only the cases whose label matches it, e.g.
#   BENCH_ONLY='users c\+d sort=name (page1|search)' scripts/bench lists
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

SECONDS_EACH=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-1}
scripts/setup
command -v wrk >/dev/null || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
use_database postgres
ADMIN_URL=$DATABASE_URL
PG_BIN=$(find_pg_bin || true)
PSQL=$(command -v psql || echo "$PG_BIN/psql")
PGBENCH=$(command -v pgbench || echo "$PG_BIN/pgbench")
DB=atrium_bench_lists
"$PSQL" "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
URL="${ADMIN_URL/\/postgres\?//$DB?}"
[ "$URL" != "$ADMIN_URL" ] || URL="${ADMIN_URL%/*}/$DB"
q() { "$PSQL" "$URL" -tAqc "$1"; }

echo "==> release build of the server"
cargo build --release --locked --bin atrium -q
BIN="$(target_dir)/release/atrium"
export ATRIUM_ENV=development DATABASE_URL=$URL ATRIUM_JWT_SECRET="bench-secret-$(date +%s%N)-0123456789abcdef" RUST_LOG=warn
"$BIN" migrate >/dev/null

echo "==> seeding: 2 x 1,000 and 2 x 100,000 users, 1,000 departments each"
# The API quota counts every request, with a ceiling the load cannot reach.
q "UPDATE public.plans SET api_requests_per_minute = 1000000000 WHERE id = 'enterprise'"
seed() {
  local slug=$1 users=$2 schema="t_bench_$1"
  "$BIN" tenant create --slug "bench-$slug" --name "Bench $slug" --owner-email ana@example.com \
    --owner-name "Ana $slug" --owner-password "quiet-harbour-at-dawn-$slug" >/dev/null
  q "UPDATE public.tenants SET plan_id = 'enterprise' WHERE slug = 'bench-$slug'"
  # Names and emails that sort differently, all four roles, a spread of join dates.
  q "INSERT INTO $schema.users (id, name, email, role, active, inserted_at)
     SELECT gen_random_uuid(), 'User ' || md5(g::text), 'user' || g || '@example.com',
            (ARRAY['attendant', 'supervisor', 'manager', 'owner'])[1 + g % 4], g % 10 <> 0,
            now() - (g % 100000) * interval '1 minute'
     FROM generate_series(1, $users - 1) g"
  q "INSERT INTO $schema.departments (id, name, identifier, inserted_at)
     SELECT gen_random_uuid(), 'Team ' || md5(g::text), 'team-' || g, now() - g * interval '1 minute'
     FROM generate_series(1, 1000) g"
  q "VACUUM ANALYZE $schema.users" ; q "VACUUM ANALYZE $schema.departments"
}
seed a 1000; seed b 1000; seed c 100000; seed d 100000
# A vacuum marks no page all-visible while an older snapshot is open (autovacuum analysing the
# tenant seeded before), and index-only scans then visit every row: vacuum until every page is.
for t in a b c d; do
  for table in users departments; do
    for _ in $(seq 1 50); do
      q "VACUUM t_bench_$t.$table"
      [ "$(q "SELECT relallvisible = relpages FROM pg_class WHERE oid = 't_bench_$t.$table'::regclass")" = t ] && break
      sleep 0.2
    done
  done
done

PORT=${BENCH_PORT:-3109}
ATRIUM_ADDR=127.0.0.1:$PORT "$BIN" serve > .data/bench-lists-server.log 2>&1 &
SERVER=$!
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
wait_ready "http://127.0.0.1:$PORT" || die "server did not start (see .data/bench-lists-server.log)"
declare -A TOKEN
for t in a b c d; do
  TOKEN[$t]=$(curl -fsS "http://127.0.0.1:$PORT/api/auth/login" -H 'content-type: application/json' \
    -d "{\"tenant\":\"bench-$t\",\"email\":\"ana@example.com\",\"password\":\"quiet-harbour-at-dawn-$t\"}" |
    sed -E 's/.*"access_token":"([^"]+)".*/\1/')
done
get() { curl -fsS "http://127.0.0.1:$PORT$2" -H "authorization: Bearer ${TOKEN[$1]}" -H "x-tenant: bench-$1"; }

# The columns the API reads for each row (app/src/server/db/tenant/users.rs, departments.rs).
USER_COLUMNS="id, name, email, role, active, locale, avatar_url, security_version, mfa_enabled_at IS NOT NULL AS mfa_enabled, inserted_at, updated_at, last_sign_in_at"
DEPT_COLUMNS="d.id, d.name, d.identifier, d.description, d.active, d.max_queue_size, d.max_wait_time, d.inserted_at, d.updated_at, (SELECT count(*) FROM {t}.department_members m WHERE m.department_id = d.id) AS user_count"
ROLE_RANK="CASE role WHEN 'attendant' THEN 1 WHEN 'supervisor' THEN 2 WHEN 'manager' THEN 3 ELSE 4 END"

# The sort expression of a list's sort_by value.
sort_expr() {
  case "$1:$2" in
    users:name) echo "lower(name)" ;; users:email) echo "lower(email)" ;;
    users:role) echo "$ROLE_RANK" ;; users:inserted_at) echo "inserted_at" ;;
    departments:name) echo "lower(d.name)" ;; departments:inserted_at) echo "d.inserted_at" ;;
  esac
}

# The sort key as the row stores it (tenant migration 0011: the lowered name and email).
stored_key() {
  case "$1:$2" in
    users:name) echo "name_lower" ;; users:email) echo "email_lower" ;; departments:name) echo "d.name_lower" ;;
    *) sort_expr "$1" "$2" ;;
  esac
}

# The best SQL for one case, for tenant $1: the page and the capped count. $2 list, $3 sort, $4 case
# (page1 | offset | cursor | search), $5 depth. A deep page by number finds its first row with an
# index-only scan, then reads one page from there; a search collects its matches once through the
# trigram indexes, counts them and sorts the page from them (one statement).
best_sql() {
  local t=$1 list=$2 sort=$3 kind=$4 depth=$5 expr table cols idcol after="" key match
  expr=$(sort_expr "$list" "$sort")
  if [ "$list" = users ]; then table="t_bench_$t.users"; cols=$USER_COLUMNS; idcol=id
  else table="t_bench_$t.departments d"; cols=${DEPT_COLUMNS//\{t\}/t_bench_$t}; idcol=d.id; fi
  case $kind in
    search)
      if [ "$list" = users ]; then match="(name_lower LIKE '%abc%' OR email_lower LIKE '%abc%')"
      else match="(d.name_lower LIKE '%abc%' OR d.identifier_lower LIKE '%abc%')"; fi
      printf 'WITH matched AS MATERIALIZED (SELECT %s AS id, %s AS k FROM %s WHERE %s LIMIT 1001) SELECT %s, (SELECT count(*) FROM matched) AS total FROM %s WHERE %s IN (SELECT id FROM matched ORDER BY k, id LIMIT 21) ORDER BY %s, %s;\n' \
        "$idcol" "$(stored_key "$list" "$sort")" "$table" "$match" "$cols" "$table" "$idcol" "$expr" "$idcol"
      return ;;
    offset) after="WHERE ($expr, $idcol) >= (SELECT $expr, $idcol FROM $table ORDER BY $expr, $idcol OFFSET $depth LIMIT 1)" ;;
    cursor)
      key=$(q "SELECT quote_literal($expr) || ', ' || quote_literal($idcol) || '::uuid' FROM $table ORDER BY $expr, $idcol OFFSET $((depth - 1)) LIMIT 1")
      # The role rank is a number: unquote it.
      if [ "$sort" = role ]; then key=${key/\'/}; key=${key/\'/}; fi
      after="WHERE ($expr, $idcol) > ($key)" ;;
  esac
  printf 'SELECT %s FROM %s %s ORDER BY %s, %s LIMIT 21;\n' "$cols" "$table" "$after" "$expr" "$idcol"
  printf 'SELECT count(*) FROM (SELECT 1 FROM %s LIMIT 1001) capped;\n' "$table"
}

# The API path for one case, for tenant $1 (a cursor is fetched from the API: it is bound to its tenant).
api_path() {
  local t=$1 list=$2 sort=$3 kind=$4 depth=$5 base="/api/v1/$2?sort_by=$3"
  case $kind in
    page1) echo "$base&page_size=20" ;;
    search) echo "$base&search=abc&page_size=20" ;;
    offset) echo "$base&page_size=20&page=$((depth / 20 + 1))" ;;
    cursor)
      local cursor
      cursor=$(get "$t" "$base&page_size=100&page=$((depth / 100))" | sed -E 's/.*"next_cursor":"([^"]+)".*/\1/')
      echo "/api/v1/$list?cursor=$cursor&page_size=20" ;;
  esac
}

printf '%-44s %10s %8s %8s %10s %8s %6s\n' "case" "req/s" "p50 ms" "p99 ms" "pgbench" "pgb p99" "ratio" | tee "$WORK/summary"
measure() {
  local a=$1 b=$2 list=$3 sort=$4 kind=$5 depth=$6 label http pgb rps tps p50 p99 round
  label="$list ${a}+${b} sort=$sort $kind"
  if [ "$kind" = offset ] || [ "$kind" = cursor ]; then label="$label $depth"; fi
  if [ -n "${BENCH_ONLY:-}" ] && ! grep -Eq -- "$BENCH_ONLY" <<<"$label"; then return 0; fi
  best_sql "$a" "$list" "$sort" "$kind" "$depth" > "$WORK/a.sql"
  best_sql "$b" "$list" "$sort" "$kind" "$depth" > "$WORK/b.sql"
  export TENANT_A=bench-$a TENANT_B=bench-$b TOKEN_A=${TOKEN[$a]} TOKEN_B=${TOKEN[$b]}
  export BENCH_PATH_A BENCH_PATH_B
  BENCH_PATH_A=$(api_path "$a" "$list" "$sort" "$kind" "$depth")
  BENCH_PATH_B=$(api_path "$b" "$list" "$sort" "$kind" "$depth")
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$BENCH_PATH_A" -H "authorization: Bearer ${TOKEN[$a]}" -H "x-tenant: bench-$a")" = 200 ] \
    || die "$label: $BENCH_PATH_A does not answer 200"
  wrk -t2 -c64 -d2s -s benches/alternate.lua "http://127.0.0.1:$PORT" >/dev/null
  : > "$WORK/rounds"
  for round in $(seq 1 "$ROUNDS"); do
    http=$(wrk -t2 -c64 -d"${SECONDS_EACH}s" -s benches/alternate.lua "http://127.0.0.1:$PORT" | grep '^BENCH')
    # -l logs each transaction's latency (third field, microseconds): pgbench's own p99, to set
    # the API's beside.
    rm -f "$WORK"/pgb.*
    pgb=$("$PGBENCH" "$URL" -n -M prepared -c64 -j2 -T"$SECONDS_EACH" -l --log-prefix="$WORK/pgb" \
      -f "$WORK/a.sql@1" -f "$WORK/b.sql@1" 2>/dev/null | grep -E '^tps' | head -1)
    pgb_p99=$(cat "$WORK"/pgb.* | awk '{ print $3 }' | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int(NR * 0.99)] / 1000 }')
    rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$http"); p50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$http")
    p99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$http"); tps=$(sed -E 's/tps = ([0-9.]+).*/\1/' <<<"$pgb")
    grep -q 'errors=0 non2xx=0' <<<"$http" || echo "    (errors in this round: $http)"
    echo "$rps $p50 $p99 $tps $pgb_p99" >> "$WORK/rounds"
  done
  # Medians over the rounds (one round by default).
  sort -n "$WORK/rounds" | awk -v l="$label" '{ r[NR] = $1; a[NR] = $2; b[NR] = $3; t[NR] = $4; q[NR] = $5 }
    END { m = int((NR + 1) / 2); printf "%-44s %10.0f %8.2f %8.2f %10.0f %8.2f %6.2f\n", l, r[m], a[m], b[m], t[m], q[m], r[m] / t[m] }' |
    tee -a "$WORK/summary"
}

for pair in "a b 500" "c d 5000"; do
  read -r a b depth <<<"$pair"
  for sort in name email role inserted_at; do
    for kind in page1 search offset cursor; do measure "$a" "$b" users "$sort" "$kind" "$depth"; done
  done
done
for sort in name inserted_at; do
  for kind in page1 search offset cursor; do measure c d departments "$sort" "$kind" 500; done
done

echo "==> targets: every ratio >= 0.60; users at 100,000 (c+d) p99 < 50 ms; cursor pages deep as fast as page 1"
awk 'NR > 1 && $NF + 0 < 0.60 { bad++; print "    below 0.60: " $0 } END { print "    cases below 0.60: " bad + 0 }' "$WORK/summary"
awk 'NR > 1 && /^users c\+d/ && $(NF-3) + 0 >= 50 { bad++; print "    p99 >= 50 ms: " $0 } END { print "    users c+d cases with p99 >= 50 ms: " bad + 0 }' "$WORK/summary"
