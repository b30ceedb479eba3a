-- Tollgate: charges what a completed request cost (time, CPU, bytes, requests of rules that count
-- by outcome) or refunds what it took, after the response. Mirrors InMemoryStore#charge.
--
-- Not a script on its own: ChargeScript appends it to the state functions of acquire.lua (all
-- before its "decision" section), so both read and write the same keys the same way.
--
-- KEYS[i]   the state of limit i, as for acquire.lua (same KeyLayout)
-- ARGV[1]   0 (acquire.lua's cost, unused here)
-- ARGV[2]   '' to read the Redis server's TIME, or epoch millis (tests only)
-- ARGV[3]   0 (unused)
-- ARGV[4]   when the request was admitted, epoch millis on the same clock (for refunds)
-- ARGV[5]   number of limits, then per limit: algorithm (f|r|t), quota, window millis, precision
--           millis, amount (> 0 charges and may overdraw, < 0 refunds, 0 leaves the key alone)
-- Returns   the number of limits charged or refunded

local admittedAt = tonumber(ARGV[4])
local STATES = { f = Fixed, r = Rolling, t = Token }

local REFUND = {}

function REFUND.f(s, lim, units)
  if s.start ~= nil and s.start == admittedAt - fmod(admittedAt, lim.window) then
    s.count = math.max(0, s.count - units)
  end
end

function REFUND.r(s, lim, units)
  local b = floor(admittedAt / lim.precision)
  local c = s.counts[b]
  if c then
    s.counts[b] = math.max(0, c - units)
    s.rewrite = true
  end
end

function REFUND.t(s, lim, units)
  if s.backlog ~= nil and s.backlog > 0 then
    s.backlog = math.max(0, s.backlog - units * interval(lim))
  end
end

local charged = 0
local a = 6
for i = 1, tonumber(ARGV[5]) do
  local code = string.lower(ARGV[a])
  local lim = { algo = STATES[code], quota = tonumber(ARGV[a + 1]), window = tonumber(ARGV[a + 2]),
                precision = tonumber(ARGV[a + 3]) }
  local amount = tonumber(ARGV[a + 4])
  a = a + 5
  if amount ~= 0 then
    local s = lim.algo.load(KEYS[i], lim)
    lim.algo.advance(s, lim)
    if amount > 0 then
      lim.algo.consume(s, lim, amount)
    else
      REFUND[code](s, lim, -amount)
    end
    lim.algo.save(s, lim)
    charged = charged + 1
  end
end
return charged
