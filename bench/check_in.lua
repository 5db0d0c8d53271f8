-- wrk script: POST /v1/goals/{id}/check-ins as the bench person, every request a new
-- check-in (goal check-ins have no per-day limit and need no Idempotency-Key, so every
-- POST must be a 201), cycling through the person's goals: a check-in also updates its
-- goal's last_check_in_at, and a crowd of check-ins on one goal would measure that
-- row's lock. Environment: TOKEN (access token), GOAL_IDS (goal ids, comma-separated).
--
--   TOKEN=... GOAL_IDS=id1,id2 wrk -t2 -c16 -d10s --latency -s bench/check_in.lua http://127.0.0.1:8080
--
-- Prints a tally of the statuses seen ("statuses: 201=..."); wrk itself counts any
-- status of 400 or more under "Non-2xx or 3xx responses".
--
-- With RATE set (requests per second per wrk thread) and BENCH_DIR (this folder), the
-- check-ins are paced as bench/paced.lua paces reads.
if os.getenv("RATE") then
  dofile(assert(os.getenv("BENCH_DIR"), "BENCH_DIR is not set") .. "/paced.lua")
end
local token = assert(os.getenv("TOKEN"), "TOKEN is not set")
local paths = {}
for id in string.gmatch(assert(os.getenv("GOAL_IDS"), "GOAL_IDS is not set"), "[^,]+") do
  table.insert(paths, "/v1/goals/" .. id .. "/check-ins")
end
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
local feelings = { "very_low", "low", "okay", "good", "very_good" }
local counter = 0
statuses = {}

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local body = string.format('{"note":"Bench check-in %d","progress":%d,"feeling":"%s","setback":%s}',
    counter, counter % 101, feelings[counter % 5 + 1], counter % 7 == 0 and "true" or "false")
  return wrk.format("POST", paths[counter % #paths + 1], headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(total) do
    table.insert(parts, status .. "=" .. count)
  end
  table.sort(parts)
  io.write("statuses: " .. table.concat(parts, " ") .. "\n")
end
