-- wrk script: password-grant sign-ins, cycling through the bench accounts so the
-- per-address lockout never triggers (every password is right).
local accounts = tonumber(os.getenv("BENCH_ACCOUNTS") or "20")
local counter = 0

request = function()
  counter = counter + 1
  local n = counter % accounts
  local body = "grant_type=password&username=bench-" .. n .. "%40example.org&password=a+long+bench+passphrase"
  return wrk.format("POST", "/v1/auth/token", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
