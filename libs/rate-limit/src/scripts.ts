/**
 * Redis scripts. Everything a check needs happens in one script: read every window, decide,
 * and only if all allow, consume all of them (all-or-nothing). Redis runs a script atomically,
 * so concurrent checks cannot both see the last free slot.
 *
 * consume runs a batch of independent checks (the client coalesces checks issued in the same
 * event-loop turn into one EVALSHA), each all-or-nothing, in order.
 *   KEYS = every check's window keys, in order (+ its reservation key when reserving)
 *   ARGV = now_ms, check_count, then per check:
 *            entry_count, member, dry_run(0|1), reserve(0|1), reserve_ttl_ms, reserved_cost,
 *            then per entry: kind ("f" fixed | "s" sliding), limit, amount, span_ms, reset_ms, is_cost(0|1)
 *   span_ms: for a fixed window, how long the counter outlives its period (so a late settle
 *   still finds it); for a sliding window, its length.
 *   returns, per check: allowed, denied_index (1-based, 0 = none), then per entry: used_before, reset_ms, warned
 *
 * Fixed windows are counters that expire after their calendar period ends. Sliding windows
 * are logs (sorted sets scored by time) trimmed to the last span_ms, so they are exact.
 */
export const CONSUME_SCRIPT = `
local now = tonumber(ARGV[1])
local checks = tonumber(ARGV[2])
local a = 3
local k = 1
local out = {}
for c = 1, checks do
  local n = tonumber(ARGV[a])
  local member = ARGV[a + 1]
  local dry = ARGV[a + 2] == '1'
  local reserve = ARGV[a + 3] == '1'
  local reserve_ttl = tonumber(ARGV[a + 4])
  local cost = ARGV[a + 5]
  a = a + 6
  local allowed = true
  local denied = 0
  local used = {}
  local resets = {}
  for i = 1, n do
    local b = a + (i - 1) * 6
    local key = KEYS[k + i - 1]
    local limit = tonumber(ARGV[b + 1])
    local amount = tonumber(ARGV[b + 2])
    local reset = tonumber(ARGV[b + 4])
    local u
    if ARGV[b] == 'f' then
      u = tonumber(redis.call('GET', key) or '0')
    else
      local span = tonumber(ARGV[b + 3])
      redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
      u = redis.call('ZCARD', key)
      if u > 0 then reset = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]) + span end
    end
    used[i] = u
    resets[i] = reset
    if amount > 0 and u + amount > limit and denied == 0 then
      allowed = false
      denied = i
    end
  end
  out[#out + 1] = allowed and 1 or 0
  out[#out + 1] = denied
  local cost_keys = {}
  for i = 1, n do
    local b = a + (i - 1) * 6
    local key = KEYS[k + i - 1]
    local limit = tonumber(ARGV[b + 1])
    local amount = tonumber(ARGV[b + 2])
    local warned = 0
    if allowed and not dry and amount > 0 then
      if ARGV[b] == 'f' then
        if redis.call('INCRBY', key, amount) == amount then
          -- New counter: expire it after its period. Relative TTL from the caller's clock, so a
          -- clock unlike Redis's (skew, tests) cannot expire it early.
          redis.call('PEXPIRE', key, resets[i] - now + tonumber(ARGV[b + 3]))
        end
      else
        for m = 1, amount do redis.call('ZADD', key, now, member .. m) end
        redis.call('PEXPIRE', key, tonumber(ARGV[b + 3]))
      end
      -- Warn once per crossing of 80%: only the request that takes the count over the line.
      if limit > 0 and used[i] * 5 < limit * 4 and (used[i] + amount) * 5 >= limit * 4 then warned = 1 end
    end
    if ARGV[b + 5] == '1' then cost_keys[#cost_keys + 1] = key end
    out[#out + 1] = used[i]
    out[#out + 1] = resets[i]
    out[#out + 1] = warned
  end
  k = k + n
  if reserve then
    if allowed and not dry then
      redis.call('HSET', KEYS[k], 'state', 'reserved', 'cost', cost, 'at', now, 'keys', table.concat(cost_keys, ' '))
      redis.call('PEXPIRE', KEYS[k], reserve_ttl)
    end
    k = k + 1
  end
  a = a + n * 6
end
return out
`;

/**
 * settle: KEYS[1] = reservation, KEYS[2..] = the cost counters it reserved on
 *   ARGV = actual_pence, keep_ms
 *   returns { applied (1 first time, 0 already settled, -1 unknown), reserved, actual }
 * Charges the difference between actual and reserved cost to the same calendar windows the
 * reservation was taken in (even if settled after midnight). Settling again changes nothing.
 */
export const SETTLE_SCRIPT = `
local res = KEYS[1]
local state = redis.call('HGET', res, 'state')
if not state then return {-1, 0, 0} end
local reserved = tonumber(redis.call('HGET', res, 'cost') or '0')
if state == 'settled' then
  return {0, reserved, tonumber(redis.call('HGET', res, 'actual'))}
end
local actual = tonumber(ARGV[1])
local delta = actual - reserved
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local after = redis.call('INCRBY', KEYS[i], delta)
    if after < 0 then redis.call('SET', KEYS[i], 0, 'KEEPTTL') end
  end
end
redis.call('HSET', res, 'state', 'settled', 'actual', actual)
redis.call('PEXPIRE', res, tonumber(ARGV[2]))
return {1, reserved, actual}
`;
