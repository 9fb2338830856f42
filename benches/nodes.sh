#!/usr/bin/env bash
# `scripts/bench nodes`: the load test of two app processes on one database behind a round-robin
# proxy (benches/proxy, a small layer-4 balancer of this script's own: each connection to the next
# node). Bounded in time: about LOAD_SECONDS (15) per workload after the build.
#
# Two tenants (1,000 users each, the API quota on and out of reach), release server processes A and
# B, the proxy in front; wrk (64 connections, the two tenants alternating) through the proxy on
# GET /api/v1/users/me, GET /api/v1/users (page of 20) and PUT /api/v1/users/me (a write), then
# users/me on node A alone for comparison. Reports requests/s, p50, p99, errors and non-2xx answers
# for each, and how many requests each node served (from its /metrics).
#   LOAD_SECONDS=10 scripts/bench nodes
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

SECONDS_EACH=${LOAD_SECONDS:-15}
scripts/setup
command -v wrk >/dev/null || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
use_database postgres
URL=$(fresh_database atrium_bench_nodes)
PSQL=$(command -v psql || echo "$(find_pg_bin)/psql")

echo "==> release build of the server and of the proxy"
cargo build --release --locked --bin atrium -q
CARGO_TARGET_DIR="$(target_dir)" cargo build --release --locked -q --manifest-path benches/proxy/Cargo.toml
BIN="$(target_dir)/release/atrium"
PROXY_BIN="$(target_dir)/release/atrium-load-proxy"
export ATRIUM_ENV=development DATABASE_URL=$URL ATRIUM_JWT_SECRET="load-secret-$(date +%s%N)-0123456789abcdef" RUST_LOG=warn
"$BIN" migrate >/dev/null
"$PSQL" "$URL" -qc "UPDATE public.plans SET api_requests_per_minute = 1000000000 WHERE id = 'enterprise'"
for t in a b; do
  "$BIN" tenant create --slug "load-$t" --name "Load $t" --owner-email ana@example.com --owner-name "Ana $t" \
    --owner-password "quiet-harbour-at-dawn-$t" >/dev/null
  "$PSQL" "$URL" -qc "UPDATE public.tenants SET plan_id = 'enterprise' WHERE slug = 'load-$t'" \
    -c "INSERT INTO t_load_$t.users (id, name, email, password_hash, role)
        SELECT gen_random_uuid(), 'User ' || md5(g::text), 'user' || g || '@example.com', u.password_hash, 'attendant'
        FROM generate_series(1, 999) g, (SELECT password_hash FROM t_load_$t.users LIMIT 1) u"
done

PORT=${BENCH_PORT:-3110}
NODE_A=$((PORT + 1)) NODE_B=$((PORT + 2))
WORK=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for node in A B; do
  port=$([ $node = A ] && echo $NODE_A || echo $NODE_B)
  # Each node: the pool a production node would have, its metrics on a private address, and the
  # proxy's address as the public URL (tokens name it: nodes that disagree refuse each other's).
  ATRIUM_PUBLIC_URL=http://127.0.0.1:$PORT ATRIUM_ADDR=127.0.0.1:$port ATRIUM_METRICS_ADDR=127.0.0.1:$((port + 10)) ATRIUM_DB_POOL_SIZE=16 \
    ATRIUM_SPARE_SCHEMAS=0 ATRIUM_AUTH_RATE_LIMIT_PER_MINUTE=100000 \
    "$BIN" serve > ".data/bench-node-$node.log" 2>&1 &
  PIDS+=($!)
done
"$PROXY_BIN" "127.0.0.1:$PORT" "127.0.0.1:$NODE_A" "127.0.0.1:$NODE_B" > "$WORK/proxy.out" &
PROXY=$!
PIDS+=($PROXY)
for port in $NODE_A $NODE_B $PORT; do
  wait_ready "http://127.0.0.1:$port" || die "a node did not start (see .data/bench-node-*.log)"
done

login() {
  curl -fsS "http://127.0.0.1:$PORT/api/auth/login" -H 'content-type: application/json' \
    -d "{\"tenant\":\"$1\",\"email\":\"ana@example.com\",\"password\":\"quiet-harbour-at-dawn-${1#load-}\"}" |
    sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}
export TENANT_A=load-a TENANT_B=load-b TOKEN_A=$(login load-a) TOKEN_B=$(login load-b)

served() { # requests node $1 counted so far
  curl -fsS "http://127.0.0.1:$(($1 + 10))/metrics" |
    awk '/^atrium_http_requests_total/ {s += $NF} END {printf "%d", s}'
}

run() { # label url [env for the wrk script]
  local label=$1 url=$2; shift 2
  local a0 b0 out a1 b1
  a0=$(served $NODE_A); b0=$(served $NODE_B)
  out=$(env "$@" wrk -t2 -c64 -d"${SECONDS_EACH}s" -s benches/alternate.lua "$url" | grep '^BENCH')
  a1=$(served $NODE_A); b1=$(served $NODE_B)
  printf '%-34s %s  node_a=%d node_b=%d\n' "$label" "${out#BENCH }" $((a1 - a0)) $((b1 - b0))
  case $out in *" errors=0 non2xx=0") ;; *) FAILED=1 ;; esac
}
FAILED=0

echo "==> load: wrk -t2 -c64 -d${SECONDS_EACH}s per line, tenants alternating"
# A warm-up, so the first line does not pay for empty caches.
BENCH_PATH=/api/v1/users/me wrk -t2 -c64 -d3s -s benches/alternate.lua "http://127.0.0.1:$PORT" >/dev/null
run "users/me via proxy (A+B)" "http://127.0.0.1:$PORT" BENCH_PATH=/api/v1/users/me
run "users list via proxy (A+B)" "http://127.0.0.1:$PORT" BENCH_PATH="/api/v1/users?page=1&page_size=20"
run "PUT users/me via proxy (A+B)" "http://127.0.0.1:$PORT" BENCH_PATH=/api/v1/users/me BENCH_METHOD=PUT \
  BENCH_BODY='{"name":"Ana Load"}'
run "users/me on node A alone" "http://127.0.0.1:$NODE_A" BENCH_PATH=/api/v1/users/me
kill -TERM $PROXY && wait $PROXY 2>/dev/null || true
echo "proxy: $(cat "$WORK/proxy.out")"
[ $FAILED = 0 ] || die "some requests failed (errors or non-2xx answers above)"
