#!/usr/bin/env bash
# `scripts/bench wasm`: what the browser downloads and how long until a signed-in page is interactive.
#
# 1. The release site as docs/DEPLOYMENT.md builds it (`cargo leptos build --release --precompress`:
#    the wasm built with profile wasm-release and run through wasm-opt; brotli and gzip copies
#    beside each file, which the server sends as they are): the wasm's size raw, gzip -9 and brotli -q 11, and the JS glue's and the
#    stylesheet's. Brotli comes from the brotli CLI, else Python's brotli module, else Node's zlib.
# 2. Time to hydrated of /users (signed in as the demo owner) in Debian's Chromium, throttled to
#    10 Mbit/s down, 5 Mbit/s up, 40 ms round trip: cold (cache cleared and bypassed) and warm (the
#    same page again in the same browser context), median, min and max of BENCH_RUNS (5) runs
#    (benches/hydration.mjs).
# Targets, printed beside the figures: wasm <= 300 KB gzip; hydrated < 1.5 s cold, < 300 ms warm.
# A missed target is reported, not an error: the exit status is non-zero only when measuring failed.
#   BENCH_RUNS=3 scripts/bench wasm
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

RUNS=${BENCH_RUNS:-5}
scripts/setup --with-browser
[ -d end2end/node_modules/@playwright/test ] || die "Playwright is missing from end2end/node_modules"
use_database postgres
URL=$(fresh_database atrium_bench_web)

# A site folder of its own: a build empties its site folder first, and target/site is the one a
# development server (scripts/run, the browser tests) is serving. The server below is told too.
export LEPTOS_SITE_ROOT=target/bench-site
echo "==> release build of the site and the server (cargo leptos build --release --precompress, site in $LEPTOS_SITE_ROOT)"
cargo leptos build --release --precompress --cargo-locked
BIN="$(target_dir)/release/atrium"
PKG=$LEPTOS_SITE_ROOT/pkg
[ -x "$BIN" ] || die "no server binary at $BIN"

# The newest file of the site's pkg folder matching $1 (names may carry a content hash).
newest() {
  local found
  found=$(find "$PKG" -maxdepth 1 -type f -name "$1" -printf '%T@ %p\n' | sort -rn | head -n1 | cut -d' ' -f2-)
  [ -n "$found" ] || die "no $1 in $PKG"
  echo "$found"
}
WASM=$(newest '*.wasm')
JS=$(newest '*.js')
CSS=$(newest '*.css')

if command -v brotli >/dev/null; then
  BROTLI="brotli CLI"
  br_size() { brotli -c -q 11 "$1" | wc -c; }
elif python3 -c 'import brotli' 2>/dev/null; then
  BROTLI="Python brotli"
  br_size() { python3 -c 'import brotli, sys; print(len(brotli.compress(open(sys.argv[1], "rb").read(), quality=11)))' "$1"; }
elif command -v node >/dev/null; then
  BROTLI="Node zlib"
  br_size() {
    node -e 'const z = require("zlib"); const q = z.constants.BROTLI_PARAM_QUALITY;
      console.log(z.brotliCompressSync(require("fs").readFileSync(process.argv[1]), { params: { [q]: 11 } }).length)' "$1"
  }
else
  BROTLI=""
fi
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

echo "==> sizes of the release site ($PKG; KB = 1,024 bytes${BROTLI:+; brotli -q 11 by $BROTLI})"
printf '  %-36s %10s %10s %10s   %s\n' file raw 'gzip -9' "${BROTLI:+brotli}" target
for f in "$WASM" "$JS" "$CSS"; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=""
  [ -z "$BROTLI" ] || br=$(kb "$(br_size "$f")")
  target=""
  if [ "$f" = "$WASM" ]; then
    GZ_WASM=$gz BR_WASM=$br
    target="<= 300 KB gzip ($(awk -v g="$gz" 'BEGIN { print g / 1024 <= 300 ? "met" : "MISSED" }'))"
  fi
  printf '  %-36s %10s %10s %10s   %s\n' "${f#"$PKG"/}" "$(kb "$raw")" "$(kb "$gz")" "$br" "$target"
done
echo "RESULT wasm: $(kb "$(stat -c %s "$WASM")") KB raw, $(kb "$GZ_WASM") KB gzip -9${BROTLI:+, $BR_WASM KB brotli} (target <= 300 KB gzip)"

echo "==> seeding the demo workspace"
export ATRIUM_ENV=development DATABASE_URL=$URL ATRIUM_JWT_SECRET="bench-secret-$(date +%s%N)-0123456789abcdef" RUST_LOG=warn
"$BIN" demo >/dev/null

PORT=${BENCH_PORT:-3120}
mkdir -p .data
# Every run signs in again from the same address.
ATRIUM_ADDR=127.0.0.1:$PORT ATRIUM_AUTH_RATE_LIMIT_PER_MINUTE=10000 "$BIN" serve > .data/bench-web-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
wait_ready "http://127.0.0.1:$PORT" || die "server did not start (see .data/bench-web-server.log)"

BASE_URL="http://127.0.0.1:$PORT" RUNS=$RUNS node benches/hydration.mjs || die "time to hydrated not measured"
