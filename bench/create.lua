-- wrk script: log complaints (POST /api/v1/complaints), each with its own complainant and a received date
-- in the last four weeks. Every answer should be 201 Created; anything else is counted and reported.
--
--   REDRESS_TOKEN=rdt_... wrk -t2 -c16 -d15s --latency -s bench/create.lua http://127.0.0.1:18080/api/v1/complaints

local token = os.getenv("REDRESS_TOKEN") or error("set REDRESS_TOKEN to an API token")
local expect = 201

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

local channels = { "email", "phone", "web", "letter", "in_person" }
local summaries = {
  "Damp and mould in the bedroom, reported three times with no visit.",
  "The boiler repair appointment was missed twice.",
  "Communal lighting on the stairs has been out for weeks.",
  "A leak from the flat above has stained the ceiling.",
}

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local n, bad, last_bad = 0, 0, 0
function init(args)
  n = 0
  bad = 0
end

function request()
  n = n + 1
  -- Yesterday to four weeks ago (never in the future, whatever the time zone).
  local received = os.date("!%Y-%m-%d", os.time() - 86400 * (1 + (n % 28)))
  local body = string.format(
    '{"received_on":"%s","channel":"%s","summary":"%s",'
      .. '"complainant":{"name":"Bench Example %d-%d","email":"bench.%d.%d@example.org"}}',
    received, channels[1 + n % #channels], summaries[1 + n % #summaries], id, n, id, n)
  return wrk.format(nil, nil, nil, body)
end

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
