-- wrk script: GET $BENCH_PATH (default /api/v1/users/me), alternating between two tenants' tokens
-- on every request. $BENCH_PATH_A / $BENCH_PATH_B, when set, give each tenant its own path (a list
-- cursor is bound to its tenant). $BENCH_METHOD and $BENCH_BODY (JSON) make it another request.
--
-- The two requests are formatted once per thread, in init: building a request in Lua for every
-- call costs the client more CPU than the server spends on a small answer, and on 2 cores the
-- client's CPU is taken from the server (pgbench, on the other side, sends prepared statements).
local tokens = { os.getenv("TOKEN_A"), os.getenv("TOKEN_B") }
local tenants = { os.getenv("TENANT_A"), os.getenv("TENANT_B") }
local path = os.getenv("BENCH_PATH") or "/api/v1/users/me"
local paths = { os.getenv("BENCH_PATH_A") or path, os.getenv("BENCH_PATH_B") or path }
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local prepared = {}
local i = 0

init = function(args)
  for k = 1, 2 do
    local headers = { ["Authorization"] = "Bearer " .. tokens[k], ["X-Tenant"] = tenants[k] }
    if body then
      headers["Content-Type"] = "application/json"
    end
    prepared[k] = wrk.format(method, paths[k], headers, body)
  end
end

request = function()
  i = i + 1
  return prepared[(i % 2) + 1]
end

done = function(summary, latency, requests)
  io.write(string.format("BENCH rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
