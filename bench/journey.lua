-- wrk script: a mobile app's journey, over and over. One journey is
--
--   [sign in: POST /v1/auth/token, password grant, every SIGN_IN_EVERY-th journey]
--   GET  /v1/agenda
--   POST /v1/goals/{id}/check-ins             (twice, cycling through GOAL_IDS)
--   GET  /v1/goals?limit=20
--   GET  /v1/content/articles/...             (cycling through ARTICLES)
--
-- Sign-in is Argon2id (tens of ms of CPU), so doing it on every journey would measure
-- little else; an app keeps its token for a session, so a sign-in opens the first
-- journey and then every SIGN_IN_EVERY-th (default 50). Requests use the token of the
-- latest sign-in, starting with TOKEN from the seed (so connections that start before
-- the first sign-in answers are not 401).
--
-- wrk keeps one Lua state per thread, not per connection: a thread's connections share
-- one journey sequence, so the request mix is exact (1 sign-in per SIGN_IN_EVERY x 5
-- requests) while one connection's consecutive requests may belong to different
-- journeys. wrk's Requests/sec counts every request; journeys/s = requests/s /
-- (5 + 1/SIGN_IN_EVERY).
--
-- Environment: TOKEN, GOAL_IDS (comma-separated), EMAIL and PASSWORD (for the sign-in), ARTICLES (paths,
-- separated by commas), SIGN_IN_EVERY. Prints "statuses: ..." and "journeys: ...".
local token = assert(os.getenv("TOKEN"), "TOKEN is not set")
local goals = {}
for id in string.gmatch(assert(os.getenv("GOAL_IDS"), "GOAL_IDS is not set"), "[^,]+") do
  table.insert(goals, id)
end
local email = os.getenv("EMAIL") or "bench@example.org"
local password = os.getenv("PASSWORD") or "a long bench passphrase"
local every = tonumber(os.getenv("SIGN_IN_EVERY") or "50")
local articles = {}
for path in string.gmatch(os.getenv("ARTICLES") or "/v1/content/articles/en-GB/what-recovery-means", "[^,]+") do
  table.insert(articles, path)
end

local function escape(text)
  return (string.gsub(text, "[^%w%-%.%_%~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local sign_in_body = "grant_type=password&username=" .. escape(email) .. "&password=" .. escape(password)
local feelings = { "very_low", "low", "okay", "good", "very_good" }
local steps = { "agenda", "check_in", "check_in", "goals", "article" }

statuses = {}
journeys = 0
local current, position, check_ins = {}, 0, 0

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local function auth(extra)
  local headers = { ["Authorization"] = "Bearer " .. token }
  for name, value in pairs(extra or {}) do headers[name] = value end
  return headers
end

function request()
  if position >= #current then
    current = {}
    if journeys % every == 0 then table.insert(current, "sign_in") end
    for _, step in ipairs(steps) do table.insert(current, step) end
    journeys = journeys + 1
    position = 0
  end
  position = position + 1
  local step = current[position]
  if step == "sign_in" then
    return wrk.format("POST", "/v1/auth/token", { ["Content-Type"] = "application/x-www-form-urlencoded" }, sign_in_body)
  elseif step == "agenda" then
    return wrk.format("GET", "/v1/agenda", auth())
  elseif step == "check_in" then
    check_ins = check_ins + 1
    local body = string.format('{"note":"Journey check-in %d","progress":%d,"feeling":"%s"}',
      check_ins, check_ins % 101, feelings[check_ins % 5 + 1])
    return wrk.format("POST", "/v1/goals/" .. goals[check_ins % #goals + 1] .. "/check-ins", auth({ ["Content-Type"] = "application/json" }), body)
  elseif step == "goals" then
    return wrk.format("GET", "/v1/goals?limit=20", auth())
  else
    return wrk.format("GET", articles[journeys % #articles + 1])
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 and string.find(body, '"access_token"', 1, true) then
    token = string.match(body, '"access_token"%s*:%s*"([^"]+)"') or token
  end
end

function done(summary, latency, requests)
  local total, count = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
    count = count + thread:get("journeys")
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, status .. "=" .. n)
  end
  table.sort(parts)
  io.write("statuses: " .. table.concat(parts, " ") .. "\n")
  io.write("journeys: " .. count .. " started\n")
end
