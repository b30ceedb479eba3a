-- Tollgate: decides one request against all its limits, atomically, in one round trip.
-- Mirrors dev.tollgate.core.store.InMemoryStore#decide and the Fixed/Rolling/TokenBucket states.
--
-- Two forms of arguments. The short form, for a request with one bucket of one fixed window counted
-- at decision (the most common rule), lets the script decide with the least Lua work:
--
-- KEYS[1]   the state of the limit
-- ARGV[1]   'F' (marks the short form)
-- ARGV[2]   '' to read the Redis server's TIME, or epoch millis (tests only)
-- ARGV[3]   cost (0 = report only)
-- ARGV[4]   lease (as ARGV[4] of the long form)
-- ARGV[5]   1 if the request was already rejected (as ARGV[3] of the long form), else 0
-- ARGV[6]   countRejected (0|1)
-- ARGV[7]   quota
-- ARGV[8]   window millis
-- Returns   {admitted (0|1), now millis, remaining, reset millis, retry millis, taken}, as the long
--           form for its one limit
--
-- The batch form: n decisions of the short form in one call (RedisStore coalesces the decisions
-- that arrive while an earlier call is in flight), at one TIME, each decided as a call of its own
-- would decide it, in order:
--
-- KEYS[i]   the state of decision i's limit
-- ARGV[1]   'B' (marks the batch form)
-- ARGV[2]   as ARGV[2] of the short form: the time of every decision of the batch
-- ARGV[3]   n, the number of decisions
-- ARGV[4..] per decision, 6 values: ARGV[3] to ARGV[8] of the short form (cost, lease,
--           rejected before, countRejected, quota, window millis)
-- Returns   the n replies of the short form, one after another in one flat array (6 values each)
--
-- The long form, for everything else:
--
-- KEYS[i]   the state of limit i (all limits of all buckets, in request order)
-- ARGV[1]   cost (0 = report only)
-- ARGV[2]   '' to read the Redis server's TIME, or epoch millis (tests only)
-- ARGV[3]   1 if an earlier script call of the same request already rejected it (Cluster, one
--           call per client hash slot), else 0
-- ARGV[4]   lease: if admitted, take up to this many requests' cost at once (1 = this request only)
-- ARGV[5]   number of buckets, then per bucket: countRejected (0|1), number of limits,
--           then per limit: algorithm (f|r|t), quota, window millis, precision millis; the
--           algorithm in upper case (F|R|T) marks a limit charged after the response (charge.lua):
--           admission needs min(cost, 1) of it and consumes nothing, leased or not
-- Returns   {admitted (0|1), now millis, then per limit: remaining, reset millis, retry millis,
--           then the number of requests taken (1, or up to the lease; 0 if rejected)}
--
-- Lua numbers are doubles: every integer below 2^53 is exact. Times are epoch milliseconds
-- (~2^41); token-bucket times are nanoseconds relative to now, exact for windows up to 104 days.

if redis.replicate_commands then
  -- Redis 3.2 to 4: writes after TIME need effects replication (the default from Redis 5 on).
  pcall(redis.replicate_commands)
end

-- The time to decide at, in epoch millis: arg (ARGV[2] of every form, and of charge.lua), or the
-- Redis server's TIME when arg is ''.
local function scriptNow(arg)
  if arg == '' then
    local t = redis.call('TIME')
    return t[1] * 1000 + math.floor(t[2] / 1000)
  end
  return tonumber(arg)
end

-- A fixed window's state: its start and its count, big-endian signed 64-bit integers (16 bytes), so
-- that a server renewing a lease adds to the count with one command, BITFIELD key GET i64 0 INCRBY
-- i64 64 n, which also reads the start to tell whether the count is still of its window (Leases).
local FIXED = '>i8i8'

-- The start and count of a fixed window's state, or nil; reads the "start:count" text of versions
-- before the binary form too (binary starts with byte 0, or 255 for a negative start).
local function fixedState(raw)
  local first = string.byte(raw, 1)
  if #raw == 16 and (first == 0 or first == 255) then
    local start, count = struct.unpack(FIXED, raw)
    return start, count, true
  end
  -- (%z*: a BITFIELD of a server that shares Redis with one of those versions pads it with zeros)
  local a, b = string.match(raw, '^(%-?%d+):(%d+)%z*$')
  return tonumber(a), tonumber(b)
end

-- ------------------------------------------- fast path: one bucket with one fixed window
-- The most common rule, in the short or batch form of the arguments, decided with the arithmetic
-- of Fixed below but without the general machinery (its tables and closures), so that what it
-- costs Redis is mostly its TIME, GET and SET: numbers become strings in one '%d' format each (the
-- value, the expiry), as fmt's '%.0f', concatenating numbers or passing them to redis.call cost
-- about as much as a call. FastPathTest compares both paths with the in-memory store,
-- BatchFormTest the batch form with the short one.
local function fixedWindow(key, now, cost, lease, rejectedBefore, countRejected, quota, window)
  local floor = math.floor
  local raw = redis.call('GET', key)
  local windowStart = now - now % window -- Lua's % is Math.floorMod
  local count, stored, sameWindow = 0, 0, false
  if raw then
    local start, binary
    start, stored, binary = fixedState(raw)
    -- A backwards jump re-bases the window but keeps the count.
    if start and start >= windowStart then count = stored end
    sameWindow = binary and start == windowStart
  end
  local before = quota - count
  if before < 0 then before = 0 end
  local admitted = rejectedBefore ~= '1' and before >= cost
  local taken = 0
  if admitted then
    taken = 1
    if lease > 1 and cost > 0 then
      taken = floor(before / (2 * cost))
      if taken > lease then taken = lease elseif taken < 1 then taken = 1 end
    end
    count = count + taken * cost
  elseif countRejected == '1' then
    count = count + cost
  end
  local ends = windowStart + window - now
  local reset, retry = 0, 0
  if count ~= 0 then reset = ends end
  if before < cost then
    retry = reset > 1 and reset or 1
    if quota - count < cost and ends > retry then retry = ends end
  end
  if count == 0 then
    if raw then redis.call('DEL', key) end
  elseif sameWindow then
    -- Only the count changes: its 8 bytes in place, keeping the expiry set with the window's state
    -- (SET ... PX costs Redis about twice as much).
    if count ~= stored then redis.call('SETRANGE', key, 8, struct.pack('>i8', count)) end
  else
    local v = struct.pack(FIXED, windowStart, count) -- the same state as Fixed.save
    if v ~= raw then redis.call('SET', key, v, 'PX', string.format('%d', ends)) end
  end
  local remaining = quota - count
  if remaining < 0 then remaining = 0 end
  return admitted and 1 or 0, now, remaining, reset, retry, taken
end

if ARGV[1] == 'F' then
  return { fixedWindow(KEYS[1], scriptNow(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]),
    ARGV[5], ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])) }
end

-- Batch form: n short-form decisions of one client connection, decided one after another (each as
-- if alone, in order: a later one sees what an earlier one took) at one TIME. A decision that fails
-- (a key of another type under the prefix) fails alone, as a call of its own would: its reply is
-- -1 and the error's message in place of admitted and now (the other four values 0).
if ARGV[1] == 'B' then
  local now, n = scriptNow(ARGV[2]), tonumber(ARGV[3])
  local out = {}
  for i = 1, n do
    local a = 3 + (i - 1) * 6
    local o = (i - 1) * 6
    local ok, admitted, at, remaining, reset, retry, taken =
      pcall(fixedWindow, KEYS[i], now, tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3],
        ARGV[a + 4], tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6]))
    if ok then
      out[o + 1], out[o + 2], out[o + 3], out[o + 4], out[o + 5], out[o + 6] =
        admitted, at, remaining, reset, retry, taken
    else
      -- Redis 7 raises a call's error as a table with its message in err; older ones as a string.
      local message = type(admitted) == 'table' and admitted.err or tostring(admitted)
      out[o + 1], out[o + 2], out[o + 3], out[o + 4], out[o + 5], out[o + 6] =
        -1, message, 0, 0, 0, 0
    end
  end
  return out
end

-- ------------------------------------------------- long form (and charge.lua): the arguments
local floor = math.floor
local NS = 1000000

local cost = tonumber(ARGV[1])
local now = scriptNow(ARGV[2])
local rejectedBefore = ARGV[3] == '1'
local lease = tonumber(ARGV[4])

local function fmt(n)
  return string.format('%.0f', n)
end

local function fmod(a, b) -- Math.floorMod for b > 0
  return a - floor(a / b) * b
end

-- ------------------------------------------------- fixed window: start and count (FIXED)
local Fixed = {}

function Fixed.load(key, lim)
  local s = { key = key, start = nil, count = 0 }
  local v = redis.call('GET', key)
  if v then
    s.start, s.count, s.binary = fixedState(v)
    s.raw = v
    if s.start == nil then s.count = 0 end
  end
  s.stored = s.count
  return s
end

function Fixed.advance(s, lim)
  local start = now - fmod(now, lim.window)
  if s.start == nil or start > s.start then
    s.count = 0
  end
  -- The stored state is of this window in the binary form: save need only write its count.
  s.sameWindow = s.binary and s.start == start
  s.start = start -- a backwards jump re-bases the window but keeps the count
end

function Fixed.available(s, lim)
  return math.max(0, lim.quota - s.count)
end

function Fixed.consume(s, lim, c)
  s.count = s.count + c
end

function Fixed.reset(s, lim)
  if s.count == 0 then return 0 end
  return s.start + lim.window - now
end

function Fixed.retry(s, lim, c)
  if lim.quota - s.count >= c then return 0 end
  return s.start + lim.window - now
end

function Fixed.save(s, lim)
  if s.count == 0 then
    if s.raw then redis.call('DEL', s.key) end
    return
  end
  if s.sameWindow then
    -- As the fast path: the count in place, the expiry as the window's state was given it.
    if s.count ~= s.stored then redis.call('SETRANGE', s.key, 8, struct.pack('>i8', s.count)) end
    return
  end
  local v = struct.pack(FIXED, s.start, s.count)
  if v ~= s.raw then
    -- The state equals a fresh one once its window has ended.
    redis.call('SET', s.key, v, 'PX', fmt(s.start + lim.window - now))
  end
end

-- ------------- token bucket (GCRA): "tatMillis:nanosWithinMilli:quota[:overdraftNanos]"
local Token = {}

local function interval(lim)
  local w = lim.window * NS
  return math.max(1, (w - fmod(w, lim.quota)) / lim.quota)
end

function Token.load(key, lim)
  -- backlog = TAT - now in nanoseconds; nil = never used. overdraft: what a quota decrease left
  -- owing beyond one window (0 otherwise), as the in-memory TokenBucket keeps it.
  local s = { key = key, backlog = nil, overdraft = 0 }
  local v = redis.call('GET', key)
  if v then
    local a, b, q, o = string.match(v, '^(%-?%d+):(%d+):?(%d*):?(%d*)$')
    s.backlog = (tonumber(a) - now) * NS + tonumber(b)
    s.overdraft = tonumber(o) or 0
    s.raw = v
    local oldQuota = tonumber(q)
    if oldQuota and oldQuota ~= lim.quota and s.backlog > 0 then
      -- A reload changed only the quota: keep the tokens used, at the new interval (as in memory),
      -- uncapped, so that a quota going down and up again grants nothing fresh.
      local old = { window = lim.window, quota = oldQuota }
      local scaled = floor(s.backlog / interval(old) * interval(lim))
      s.backlog = scaled
      if scaled > lim.window * NS then s.overdraft = scaled else s.overdraft = 0 end
      s.raw = nil
    end
  end
  return s
end

local function backlog(s)
  if s.backlog == nil then return 0 end
  return math.max(0, s.backlog)
end

function Token.advance(s, lim)
  local w = lim.window * NS
  if s.backlog == nil then return end
  if s.backlog <= w then s.overdraft = 0 end
  local ceiling = math.max(w, s.overdraft)
  if s.backlog > ceiling then
    s.backlog = ceiling -- clock went backwards: an empty bucket, not a longer lockout
  end
end

function Token.available(s, lim)
  local tokens = floor((lim.window * NS - backlog(s)) / interval(lim))
  return math.max(0, math.min(lim.quota, tokens))
end

function Token.consume(s, lim, c)
  local nextTat = backlog(s) + c * interval(lim)
  -- Never owe more than one window for counted rejections, nor erase what a quota decrease left owing.
  local capped = math.min(nextTat, lim.window * NS)
  if s.backlog ~= nil and s.backlog > capped then capped = s.backlog end
  s.backlog = capped
end

local function ceilMillis(nanos)
  return floor((nanos + NS - 1) / NS)
end

function Token.reset(s, lim)
  local b = backlog(s)
  if b == 0 then return 0 end
  local i = interval(lim)
  return ceilMillis(i - fmod(lim.window * NS - b, i))
end

function Token.retry(s, lim, c)
  if Token.available(s, lim) >= c then return 0 end
  local wait = backlog(s) + c * interval(lim) - lim.window * NS
  return math.max(1, ceilMillis(wait))
end

function Token.save(s, lim)
  if s.backlog == nil then return end
  -- Kept for a window after the last change even once the TAT has passed, as in memory: if the
  -- clock then jumps back, the TAT is ahead again and the client gets no fresh bucket.
  local whole = floor(s.backlog / NS)
  local v = fmt(now + whole) .. ':' .. fmt(s.backlog - whole * NS) .. ':' .. fmt(lim.quota)
  if s.overdraft > 0 then v = v .. ':' .. fmt(s.overdraft) end
  if v ~= s.raw then
    redis.call('SET', s.key, v, 'PX', fmt(math.max(lim.window, ceilMillis(s.backlog))))
  end
end

-- --------------------------------- rolling window: HASH "n" -> newest bucket, "<bucket>" -> count
local Rolling = {}

function Rolling.load(key, lim)
  -- sum: the counts' total, kept up to date rather than summed at every question.
  -- last: the newest used bucket as stored, which the key's expiry was set from.
  local s = { key = key, counts = {}, newest = nil, size = lim.window / lim.precision + 1,
              dirty = false, rewrite = false, dels = {}, incr = 0, sum = 0, last = nil }
  local flat = redis.call('HGETALL', key)
  for i = 1, #flat, 2 do
    if flat[i] == 'n' then
      s.newest = tonumber(flat[i + 1])
    else
      local b, c = tonumber(flat[i]), tonumber(flat[i + 1])
      s.counts[b] = c
      s.sum = s.sum + c
      if c ~= 0 and (s.last == nil or b > s.last) then s.last = b end
    end
  end
  s.existed = #flat > 0
  return s
end

function Rolling.advance(s, lim)
  local current = floor(now / lim.precision)
  if s.newest == nil then
    s.newest = current
    s.dirty = true
  elseif current > s.newest then
    local oldest = current - s.size + 1
    for b, c in pairs(s.counts) do
      if b < oldest then
        s.counts[b] = nil
        s.sum = s.sum - c
        table.insert(s.dels, fmt(b))
      end
    end
    s.newest = current
    s.dirty = true
  elseif current < s.newest then
    -- The clock went backwards: shift every bucket back by the same amount, keeping the counts.
    local shift = s.newest - current
    local shifted = {}
    for b, c in pairs(s.counts) do
      shifted[b - shift] = c
    end
    s.counts = shifted
    s.newest = current
    s.dirty = true
    s.rewrite = true
  end
end

function Rolling.available(s, lim)
  return math.max(0, lim.quota - s.sum)
end

function Rolling.consume(s, lim, c)
  s.counts[s.newest] = (s.counts[s.newest] or 0) + c
  s.sum = s.sum + c
  s.incr = s.incr + c
end

-- Bucket b counts while it overlaps (now - window, now].
local function leaves(lim, b)
  return (b + 1) * lim.precision + lim.window
end

function Rolling.reset(s, lim)
  for b = s.newest - s.size + 1, s.newest do
    local c = s.counts[b]
    if c and c ~= 0 then return leaves(lim, b) - now end
  end
  return 0
end

function Rolling.retry(s, lim, c)
  local u = s.sum
  if lim.quota - u >= c then return 0 end
  local freed = 0
  for b = s.newest - s.size + 1, s.newest do
    freed = freed + (s.counts[b] or 0)
    if u - freed + c <= lim.quota then return leaves(lim, b) - now end
  end
  return leaves(lim, s.newest) - now
end

function Rolling.save(s, lim)
  local last = nil
  for b, c in pairs(s.counts) do
    if c ~= 0 and (last == nil or b > last) then last = b end
  end
  if last == nil then
    -- No request in the window: the same as no state at all.
    if s.existed then redis.call('DEL', s.key) end
    return
  end
  if s.rewrite then
    redis.call('DEL', s.key)
    local args = { 'n', fmt(s.newest) }
    for b, c in pairs(s.counts) do
      table.insert(args, fmt(b))
      table.insert(args, fmt(c))
    end
    redis.call('HSET', s.key, unpack(args))
  else
    if #s.dels > 0 then redis.call('HDEL', s.key, unpack(s.dels)) end
    -- One HSET for the newest bucket's number and its count (the script is atomic, so writing
    -- the count itself is the same as incrementing it).
    local args = {}
    if s.dirty then
      args[1] = 'n'
      args[2] = fmt(s.newest)
    end
    if s.incr > 0 then
      args[#args + 1] = fmt(s.newest)
      args[#args + 1] = fmt(s.counts[s.newest])
    end
    if #args > 0 then redis.call('HSET', s.key, unpack(args)) end
  end
  if s.rewrite or ((s.dirty or s.incr > 0) and (not s.existed or last ~= s.last)) then
    -- The state equals a fresh one once its newest used bucket has left the window. That moment
    -- depends only on the newest used bucket: while it stays the same, the expiry already set holds.
    redis.call('PEXPIRE', s.key, fmt(leaves(lim, last) - now))
  end
end

-- ---------------------------------------------------------------------------------- decision
-- The algorithms by the code AcquireScript.code(Algorithm) gives each. Adding an algorithm:
--  1. the constant in dev.tollgate.core.Algorithm, its state in filter-core (InMemoryStore);
--  2. its code in AcquireScript.code (a switch without default: it does not compile without one);
--  3. its state functions here (load, advance, available, consume, reset, retry, save) and its
--     entry below; its refund in charge.lua (REFUND) and its entry in charge.lua's STATES;
--  4. its limits in RedisStoreTest's comparison with the in-memory store, which fails until every
--     algorithm is in it; ScriptAlgorithmsTest checks that the codes match these tables.
local ALGORITHMS = { f = Fixed, r = Rolling, t = Token }

local buckets = {}
local limits = {}
local a = 6
for b = 1, tonumber(ARGV[5]) do
  local bucket = { countRejected = ARGV[a] == '1', first = #limits + 1, n = tonumber(ARGV[a + 1]) }
  a = a + 2
  for _ = 1, bucket.n do
    local letter = ARGV[a]
    local lim = { algo = ALGORITHMS[string.lower(letter)], quota = tonumber(ARGV[a + 1]),
                  window = tonumber(ARGV[a + 2]), precision = tonumber(ARGV[a + 3]),
                  after = letter ~= string.lower(letter) }
    lim.need = lim.after and math.min(cost, 1) or cost
    a = a + 4
    table.insert(limits, lim)
  end
  buckets[b] = bucket
end

local admitted = not rejectedBefore
local before = {}
for i, lim in ipairs(limits) do
  lim.state = lim.algo.load(KEYS[i], lim)
  lim.algo.advance(lim.state, lim)
  before[i] = lim.algo.available(lim.state, lim)
  if before[i] < lim.need then admitted = false end
end

-- A lease takes up to half of what every limit still admits, up to the lease: as a quota runs
-- out, leases shrink, so that few permits sit unused on one server while another server's client
-- is rejected.
local taken = admitted and 1 or 0
if admitted and cost > 0 and lease > 1 then
  taken = lease
  for i = 1, #limits do
    taken = math.min(taken, floor(before[i] / (2 * cost)))
  end
  taken = math.max(1, taken)
end

local out = { admitted and 1 or 0, now }
for _, bucket in ipairs(buckets) do
  local consume = cost > 0 and (admitted or bucket.countRejected)
  local units = admitted and taken * cost or cost
  for i = bucket.first, bucket.first + bucket.n - 1 do
    local lim = limits[i]
    local algo, s = lim.algo, lim.state
    if consume and not lim.after then algo.consume(s, lim, units) end
    local reset = algo.reset(s, lim)
    local retry = 0
    if before[i] < lim.need then
      retry = math.max(math.max(1, reset), algo.retry(s, lim, lim.need))
    end
    table.insert(out, algo.available(s, lim))
    table.insert(out, reset)
    table.insert(out, retry)
    algo.save(s, lim)
  end
end
table.insert(out, taken)
return out
