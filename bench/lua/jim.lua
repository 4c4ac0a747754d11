-- wrk script of bench/load. Arguments (after --): scenario write_cs read_cs read_ids
--   scenario  create | get | list | mixed (10% create, 60% get, 30% list)
--   write_cs  connected system that receives the creates
--   read_cs   connected system holding the profiles read by get/list
--   read_ids  comma-separated ids of read_cs's profiles (get cycles over them)
-- The API key comes from the environment (JIM_BENCH_API_KEY), never from the command line.
-- Every thread counts the requests it sends (request()) and the responses per status (response());
-- done() sums them over the threads and prints one line "WRK_RESULT {json}" that bench/load parses.
-- wrk stops mid-flight: requests sent but not answered by then are reported as sent - answered.

local base = "/api/v1/synchronisation/connected-systems/"
statuses = {}  -- globals: done() reads them from every thread with thread:get
sent = 0       -- requests handed to wrk to send; sent - answered = abandoned in flight when wrk stopped

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local scenario, create_req, list_req
local get_reqs = {}
local n_get, next_get = 0, 0

function init(args)
  scenario = args[1] or "create"
  local write_cs, read_cs, ids = args[2] or "1", args[3] or "1", args[4] or ""
  local headers = {
    ["X-Api-Key"] = os.getenv("JIM_BENCH_API_KEY") or "",
    ["Content-Type"] = "application/json",
  }
  local body = '{"name":"Full import","runType":"FullImport","pageSize":500}'
  create_req = wrk.format("POST", base .. write_cs .. "/run-profiles", headers, body)
  local get_headers = { ["X-Api-Key"] = headers["X-Api-Key"] }
  list_req = wrk.format("GET", base .. read_cs .. "/run-profiles", get_headers)
  for id in string.gmatch(ids, "[^,]+") do
    table.insert(get_reqs, wrk.format("GET", base .. read_cs .. "/run-profiles/" .. id, get_headers))
  end
  n_get = #get_reqs
  if n_get == 0 then get_reqs[1] = list_req; n_get = 1 end
  -- Threads must not share a random sequence.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

local function get_one()
  next_get = next_get % n_get + 1
  return get_reqs[next_get]
end

function request()
  sent = sent + 1
  if scenario == "create" then
    return create_req
  elseif scenario == "get" then
    return get_one()
  elseif scenario == "list" then
    return list_req
  end
  local r = math.random()
  if r < 0.1 then return create_req end
  if r < 0.7 then return get_one() end
  return list_req
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total, total_sent = {}, 0
  for _, t in ipairs(threads) do
    total_sent = total_sent + (t:get("sent") or 0)
    local s = t:get("statuses")
    if s then
      for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
    end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%d":%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"sent":%d,"duration_us":%d,"bytes":%d,' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f,"stdev":%.1f},' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"statuses":{%s}}\n',
    summary.requests, total_sent, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, latency.stdev,
    e.connect, e.read, e.write, e.timeout, table.concat(parts, ",")))
end
