-- wrk script of scripts/bench: each request is GET of a random line of a file of request targets
-- (wrk ... -s wrk_paths.lua URL -- FILE). RXL_BENCH_TOKEN, when set, is sent as a bearer token.
-- done() prints one machine-readable line: requests per second and latency percentiles in microseconds.

local targets = {}
local headers = {}

function init(args)
  local file = args[1]
  for line in io.lines(file) do
    if #line > 0 then targets[#targets + 1] = line end
  end
  if #targets == 0 then error("no request targets in " .. file) end
  local token = os.getenv("RXL_BENCH_TOKEN")
  if token and #token > 0 then headers["Authorization"] = "Bearer " .. token end
  -- A different sequence per thread: wrk runs init once in each thread's Lua state.
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + #tostring({}))
end

function request()
  return wrk.format("GET", targets[math.random(#targets)], headers)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local errors = summary.errors
  io.write(string.format(
    "RXL_WRK requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d p999_us=%d mean_us=%.1f max_us=%d " ..
    "non_2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.mean, latency.max,
    errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
