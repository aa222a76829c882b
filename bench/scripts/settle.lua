-- wrk driver for Settle (run with -t1: one thread, one Lua state). MODE (env):
--   transfer | hot | batch | get   closed loop, wrk's own latency histogram; with
--                                  IDEMPOTENCY_KEYS=1, each transfer carries a key of its own
--   create_order                   closed loop, POST /v1/orders (automatic capture); the new
--                                  ids are written to ORDERS_OUT at the end
--   confirm                        POST /v1/orders/{id}/confirm, each id of ORDERS_FILE once
--   open                           single random transfers at a fixed arrival rate: RATE
--                                  requests/s over all connections (see delay() below)
--   walk                           GET /v1/accounts/{id}, each id of ACCOUNTS_FILE once
-- Accounts come from ACCOUNTS_FILE, one id a line (the first is the hot account). Prints one
-- line: RESULT requests= seconds= p50_ms= p99_ms= p999_ms= errors=. The modes confirm, open
-- and walk measure themselves (a monotonic clock, every answer matched to its request by an
-- id in the body) and end wrk as soon as their list is done.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } settle_timespec;
  int clock_gettime(int clock, settle_timespec *now);
  int kill(int pid, int signal);
  int getpid(void);
]]
local timespec = ffi.new("settle_timespec")
local function now_us()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1e6 + tonumber(timespec.tv_nsec) / 1e3
end

local mode = os.getenv("MODE") or "transfer"
local self_measured = mode == "confirm" or mode == "open" or mode == "walk"

wrk.headers["Authorization"] = "Bearer " .. os.getenv("API_KEY")
wrk.headers["Content-Type"] = "application/json"

local function read_lines(path)
  local lines = {}
  for line in io.lines(path) do lines[#lines + 1] = line end
  return lines
end

-- The lists are read in the thread only (init runs there), not in wrk's main Lua state.
local accounts, orders = {}, {}
init = function()
  accounts = read_lines(os.getenv("ACCOUNTS_FILE"))
  if mode == "confirm" then orders = read_lines(os.getenv("ORDERS_FILE")) end
end

-- What the thread measures itself; globals, so that done() can read them with thread:get.
samples = {}    -- latencies in microseconds
first_us = nil  -- first request sent (open: first arrival scheduled)
last_us = nil   -- last answer received
failures = 0
created = {}    -- create_order: the new orders' ids

local function pair()
  local a = math.random(2, #accounts)
  local b = math.random(2, #accounts - 1)
  if b >= a then b = b + 1 end
  return accounts[a], accounts[b]
end

-- A client that retries safely sends each request with a key of its own: the run's start
-- and a counter (wrk.format replaces wrk.headers with the table it is given).
local keyed = os.getenv("IDEMPOTENCY_KEYS") == "1"
local keyed_headers, keys_sent, run_prefix = {}, 0, nil
local function keyed_post(path, body)
  if not keyed then return wrk.format("POST", path, nil, body) end
  if run_prefix == nil then
    run_prefix = string.format("bench-%d-%d-", os.time(), math.random(1, 1e9))
    for name, value in pairs(wrk.headers) do keyed_headers[name] = value end
  end
  keys_sent = keys_sent + 1
  keyed_headers["Idempotency-Key"] = run_prefix .. keys_sent
  return wrk.format("POST", path, keyed_headers, body)
end

local function transfer_body(from, to, description)
  local tail = description and (',"description":"' .. description .. '"') or ""
  return '{"from_account":"' .. from .. '","to_account":"' .. to .. '","amount":1,"currency":"USD"'
    .. tail .. '}'
end

-- Ends wrk now that every id of the list has its answer: SIGINT cuts wrk's sleep short
-- (Linux delivers a process-directed signal to the sleeping main thread).
local function finish()
  wrk.thread:stop()
  ffi.C.kill(ffi.C.getpid(), 2)
end

-- Each id of a list once; past its end, a filler request whose answer is ignored (wrk
-- wants a request on every call, and stops within moments).
local next_item, answered, sent = 0, 0, {}
local function next_once(list, path_of)
  next_item = next_item + 1
  local id = list[next_item]
  if id == nil then return wrk.format("GET", "/healthz", nil, nil) end
  local now = now_us()
  first_us = first_us or now
  sent[id] = now
  return wrk.format(mode == "walk" and "GET" or "POST", path_of(id), nil, nil)
end

local function answer_once(list, status, id)
  local now = now_us()
  if id ~= nil and sent[id] ~= nil and status < 300 then
    samples[#samples + 1] = now - sent[id]
    sent[id] = nil
  elseif status >= 300 then
    failures = failures + 1
  else
    return -- a filler's answer
  end
  last_us = now
  answered = answered + 1
  if answered == #list then finish() end
end

-- Open loop. wrk calls delay() before each request of a connection: arrivals are handed out
-- one every 1/RATE s from a global schedule (not per connection), and the connection
-- waits until its arrival. An answer's latency counts from the earlier of the scheduled
-- arrival and the actual send, so a request that waits for a free connection (the server
-- fell behind) is charged that wait (no coordinated omission), though the server never
-- sees more requests at once than there are connections. The arrival travels in the
-- transfer's description and comes back in the answer. wrk's timers have millisecond
-- granularity.
local interval_us = 1e6 / tonumber(os.getenv("RATE") or "1000")
local next_arrival, arrivals, arrivals_head, arrivals_tail = nil, {}, 1, 0
delay = function()
  local now = now_us()
  if next_arrival == nil then
    next_arrival = now
    first_us = now
  end
  arrivals_tail = arrivals_tail + 1
  arrivals[arrivals_tail] = next_arrival
  next_arrival = next_arrival + interval_us
  return math.max(0, math.floor((arrivals[arrivals_tail] - now) / 1000 + 0.5))
end
if mode ~= "open" then delay = nil end

-- wrk calls request() once before the run, only to check that it returns one request.
local checked = false
request = function()
  if not checked then
    checked = true
    return wrk.format("GET", "/healthz", nil, nil)
  end
  if mode == "get" then
    return wrk.format("GET", "/v1/accounts/" .. accounts[math.random(2, #accounts)], nil, nil)
  elseif mode == "walk" then
    return next_once(accounts, function(id) return "/v1/accounts/" .. id end)
  elseif mode == "confirm" then
    return next_once(orders, function(id) return "/v1/orders/" .. id .. "/confirm" end)
  elseif mode == "open" then
    local arrival = math.min(arrivals[arrivals_head], now_us())
    arrivals[arrivals_head] = nil
    arrivals_head = arrivals_head + 1
    local from, to = pair()
    return wrk.format("POST", "/v1/transfers", nil, transfer_body(from, to, string.format("%.0f", arrival)))
  elseif mode == "create_order" then
    local payer, payee = pair()
    return wrk.format("POST", "/v1/orders", nil,
                      '{"payer_account":"' .. payer .. '","payee_account":"' .. payee
                        .. '","amount":1,"currency":"USD","capture_method":"automatic"}')
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
  return keyed_post("/v1/transfers", transfer_body(from, to))
end

response = function(status, headers, body)
  if mode == "walk" then
    answer_once(accounts, status, body:match('^{"id":"(acc_[%w]+)"'))
  elseif mode == "confirm" then
    answer_once(orders, status, body:match('^{"id":"(ord_[%w]+)"'))
  elseif mode == "open" then
    local arrival = status < 300 and body:match('"description":"(%d+)"')
    if arrival then
      local now = now_us()
      samples[#samples + 1] = now - tonumber(arrival)
      last_us = now
    else
      failures = failures + 1
    end
  elseif mode == "create_order" and status == 201 then
    created[#created + 1] = body:match('^{"id":"(ord_[%w]+)"')
  end
end

-- The closed-loop modes need no answers: wrk then skips buffering headers and bodies.
if mode ~= "create_order" and not self_measured then response = nil end

local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  return sorted[math.max(1, math.ceil(#sorted * p / 100))]
end

done = function(summary, latency)
  local thread = threads[1]
  if mode == "create_order" then
    local out = assert(io.open(os.getenv("ORDERS_OUT"), "w"))
    for _, id in ipairs(thread:get("created")) do out:write(id, "\n") end
    out:close()
  end
  if self_measured then
    local measured = thread:get("samples")
    table.sort(measured)
    local first, last = thread:get("first_us"), thread:get("last_us")
    io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f errors=%d\n",
      #measured, (first and last) and (last - first) / 1e6 or 0, percentile(measured, 50) / 1e3,
      percentile(measured, 99) / 1e3, percentile(measured, 99.9) / 1e3, thread:get("failures")))
    return
  end
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, latency:percentile(99.9) / 1e3,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
