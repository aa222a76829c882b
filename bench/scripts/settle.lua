-- wrk driver for Settle. MODE (env): transfer | hot | batch | get. Accounts come from
-- ACCOUNTS_FILE, one id a line (the first is the hot account). Prints p50/p99/p99.9.
local mode = os.getenv("MODE") or "transfer"
local key = os.getenv("API_KEY")
local accounts = {}
for line in io.lines(os.getenv("ACCOUNTS_FILE")) do accounts[#accounts + 1] = line end

wrk.headers["Authorization"] = "Bearer " .. key
wrk.headers["Content-Type"] = "application/json"

local function pair()
  local a = math.random(2, #accounts)
  local b = math.random(2, #accounts - 1)
  if b >= a then b = b + 1 end
  return accounts[a], accounts[b]
end

local function transfer_body(from, to)
  return '{"from_account":"' .. from .. '","to_account":"' .. to .. '","amount":1,"currency":"USD"}'
end

request = function()
  if mode == "get" then
    return wrk.format("GET", "/v1/accounts/" .. accounts[math.random(2, #accounts)], nil, nil)
  elseif mode == "hot" then
    local from = accounts[math.random(2, #accounts)]
    return wrk.format("POST", "/v1/transfers", nil, transfer_body(from, accounts[1]))
  elseif mode == "batch" then
    local items = {}
    for i = 1, 1000 do
      local from, to = pair()
      items[i] = transfer_body(from, to)
    end
    return wrk.format("POST", "/v1/transfers/batch", nil,
                      '{"atomic":false,"transfers":[' .. table.concat(items, ",") .. ']}')
  end
  local from, to = pair()
  return wrk.format("POST", "/v1/transfers", nil, transfer_body(from, to))
end

local failures = 0
response = function(status)
  if status >= 300 and status ~= 402 then failures = failures + 1 end
end

done = function(summary, latency)
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, latency:percentile(99.9) / 1e3,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
