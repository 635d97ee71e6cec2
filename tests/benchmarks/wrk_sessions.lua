-- wrk script: each request goes out as the next of many signed-in users (one line each in the file
-- named by WRK_SESSIONS: "sessionid<TAB>csrftoken<TAB>heartbeat token or -"). With WRK_BODY=heartbeat
-- it POSTs the learner's heartbeat, the claimed position advancing 30 s per beat; otherwise it GETs
-- the path given on the command line. Prints p50/p95/p99 and the error counts as one JSON line.
local entries = {}
local index = 0
local mode = os.getenv("WRK_BODY") or "get"

local function split(line)
  local fields = {}
  for field in string.gmatch(line, "[^\t]+") do table.insert(fields, field) end
  return fields
end

init = function(args)
  for line in io.lines(os.getenv("WRK_SESSIONS")) do
    local fields = split(line)
    table.insert(entries, {session = fields[1], csrf = fields[2], token = fields[3], position = 0})
  end
  -- threads start at different offsets so two threads rarely drive the same learner at once
  index = math.random(#entries)
end

request = function()
  index = index % #entries + 1
  local entry = entries[index]
  local headers = {}
  headers["Cookie"] = "sessionid=" .. entry.session .. "; csrftoken=" .. entry.csrf
  if mode == "heartbeat" then
    entry.position = entry.position + 30
    headers["X-CSRFToken"] = entry.csrf
    headers["Content-Type"] = "application/json"
    headers["Referer"] = "http://127.0.0.1/"
    local body = string.format('{"token": "%s", "position": %d}', entry.token, entry.position)
    return wrk.format("POST", nil, headers, body)
  end
  return wrk.format("GET", nil, headers, nil)
end

done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
