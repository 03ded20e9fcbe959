-- wrk script: searches (GET /api/v1/complaints?q=...&limit=50) with a bearer token, rotating over many
-- different queries so that no cache sees the same one twice in a row: surnames, a first name and a surname,
-- partial surnames, postcodes (with and without their space), telephone numbers (whole, +44, and their last
-- six digits), email addresses, references, and words of the summaries. The values follow what
-- `redress generate` makes (crates/redress/src/generate.rs); a query that happens to match no case is as
-- valid a search as one that does. Every answer should be 200 OK; anything else is counted and reported.
--
--   REDRESS_TOKEN=rdt_... wrk -t2 -c16 -d15s --latency -s bench/search.lua 'http://127.0.0.1:18080'
--
-- REDRESS_SEARCH_KIND (optional) keeps to one kind: surname, name, partial, postcode, phone, email,
-- reference, words.

local token = os.getenv("REDRESS_TOKEN") or error("set REDRESS_TOKEN to an API token")
local only = os.getenv("REDRESS_SEARCH_KIND")
local expect = 200

wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. token

local starts = { "Ash", "Black", "Bram", "Clay", "Dun", "Fair", "Green", "Hart", "Kings", "Mill", "North", "Oak",
  "Pen", "Red", "Shaw", "Stan", "Thorn", "West", "Whit", "Wood", "Hazel", "Marsh", "Brook", "Fern" }
local ends = { "ley", "ford", "wood", "field", "ton", "well", "by", "ham", "combe", "more", "bury", "thwaite" }
local firsts = { "Ada", "Bramble", "Clementine", "Dorian", "Esmerelda", "Fennimore", "Gulliver", "Hortensia",
  "Ignatius", "Juniper", "Kestrel", "Lysander", "Marigold", "Nettle", "Ottoline", "Peregrine", "Quill",
  "Rosalind", "Sorrel", "Tobias", "Umber", "Violetta", "Wilbur", "Xanthe" }
local areas = { "XE", "XS", "XT", "XM" }
local inward = "ABDEFGHJLNPQRSTUWXYZ"
local phones = { "07700 900", "020 7946 0", "0113 496 0", "0114 496 0", "0115 496 0", "0116 496 0", "0117 496 0",
  "0118 496 0", "0121 496 0", "0131 496 0", "0141 496 0", "0151 496 0", "0161 496 0", "01632 960" }
local words = { "damp", "mould", "boiler", "leak ceiling", "communal lighting", "lift", "rude telephone",
  "service charge", "arrears", "noise neighbour", "grab rails", "window frame", "rats", "bin store",
  "repair appointment", "occupational therapy" }

local function pick(list) return list[math.random(#list)] end
local function letter() local i = math.random(#inward) return inward:sub(i, i) end
local function enc(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local kinds = {
  surname = function() return pick(starts) .. pick(ends) end,
  name = function() return pick(firsts) .. " " .. pick(starts) .. pick(ends) end,
  partial = function() local s = pick(starts) .. pick(ends) return s:sub(1, math.max(4, #s - 2)) end,
  postcode = function()
    local outward = pick(areas) .. math.random(1, 29)
    local rest = math.random(0, 9) .. letter() .. letter()
    if math.random(2) == 1 then return outward .. " " .. rest end
    return string.lower(outward .. rest)
  end,
  phone = function()
    local n = pick(phones) .. string.format("%03d", math.random(0, 999))
    local r = math.random(3)
    if r == 1 then return n end
    if r == 2 then return "+44 " .. n:sub(2) end
    local digits = n:gsub(" ", "")
    return digits:sub(-6)
  end,
  email = function()
    return string.lower(pick(firsts) .. "." .. pick(starts) .. pick(ends)) .. math.random(0, 999) .. "@example.org"
  end,
  reference = function()
    return string.format("CMP-%d-%06d", math.random(2021, 2026), math.random(1, 190000))
  end,
  words = function() return pick(words) end,
}
local order = { "surname", "name", "partial", "postcode", "phone", "email", "reference", "words" }
if only and only ~= "" then
  assert(kinds[only], "REDRESS_SEARCH_KIND must be one of " .. table.concat(order, ", "))
  order = { only }
end

local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local n = 0
function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
end

function request()
  n = n + 1
  local kind = order[(n % #order) + 1]
  local q = kinds[kind]()
  return wrk.format("GET", "/api/v1/complaints?limit=50&q=" .. enc(q))
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
