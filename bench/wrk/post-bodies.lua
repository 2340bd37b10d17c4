-- wrk script: POSTs XML-RPC bodies round-robin over keep-alive connections, with the headers Python's
-- xmlrpc.client sends (minus Accept-Encoding: no server under test compresses), and prints one JSON line.
-- args: a file of bodies separated by NUL bytes.
local bodies = {}
local counter = 0
local headers = { ["Content-Type"] = "text/xml", ["User-Agent"] = "Python-xmlrpc/3.11" }

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local data = file:read("*a")
  file:close()
  for body in string.gmatch(data, "([^%z]+)") do
    bodies[#bodies + 1] = body
  end
  assert(#bodies > 0, "no request bodies in " .. args[1])
end

function request()
  counter = counter + 1
  return wrk.format("POST", nil, headers, bodies[(counter % #bodies) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"p50Us":%.0f,"p99Us":%.0f,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
