-- wrk script: GET a staff page (the work queue, a case file) as a signed-in member of staff. Every answer should be
-- 200 OK; anything else is counted and reported.
--
--   REDRESS_COOKIE=redress_session=... wrk -t2 -c16 -d15s --latency -s bench/page.lua 'http://127.0.0.1:18080/'

local cookie = os.getenv("REDRESS_COOKIE") or error("set REDRESS_COOKIE to a signed-in session cookie (name=value)")
local expect = 200

wrk.method = "GET"
wrk.headers["Cookie"] = cookie

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local bad, last_bad = 0, 0
function response(status, headers, body)
  if status ~= expect then
    bad = bad + 1
    last_bad = status
  end
end

function done(summary, latency, requests)
  local bad_total, last = 0, 0
  for _, t in ipairs(threads) do
    bad_total = bad_total + (t:get("bad") or 0)
    local l = t:get("last_bad") or 0
    if l ~= 0 then last = l end
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f unexpected=%d last_unexpected=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, bad_total, last, socket))
end
