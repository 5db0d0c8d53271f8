-- wrk script: sends the command line's request (URL and -H headers) at a fixed rate
-- instead of as fast as the connections allow. Environment: RATE, requests per second
-- per wrk thread (so the total is RATE x threads).
--
-- wrk has no fixed-rate mode (wrk2 does); its delay() hook holds a connection's next
-- request for a number of milliseconds. Here every thread keeps a schedule of send
-- slots RATE per second apart, read from CLOCK_MONOTONIC through LuaJIT's FFI; each
-- request takes the next free slot and waits until it. Slots are absolute, so the
-- millisecond rounding of delay() does not drift the rate. When the server falls
-- behind, late slots are dropped rather than sent in a burst, so the achieved rate
-- (wrk's Requests/sec) is then below RATE; bench/run reports both. Latency is timed
-- from when a request is written, as wrk always does (no coordinated-omission
-- correction as in wrk2).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local now_buffer = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, now_buffer) -- CLOCK_MONOTONIC
  return tonumber(now_buffer.tv_sec) * 1000 + tonumber(now_buffer.tv_nsec) / 1e6
end

local interval = 1000 / assert(tonumber(os.getenv("RATE")), "RATE is not set")
local next_slot = nil

function delay()
  local now = now_ms()
  local slot = (next_slot and next_slot > now) and next_slot or now
  next_slot = slot + interval
  return slot - now
end
