/**
 * Redis scripts. Everything a check needs happens in one EVALSHA: read every window, decide,
 * and only if all allow, consume all of them (all-or-nothing). Redis runs a script atomically,
 * so concurrent checks cannot both see the last free slot.
 *
 * consume: KEYS = one per entry (+ the reservation key when reserving)
 *   ARGV = now_ms, entry_count, member_prefix, dry_run, reserve(0|1), reserve_ttl_ms, reserved_cost,
 *          then per entry: kind ("f" fixed | "s" sliding), limit, amount, span_ms, reset_ms, is_cost(0|1)
 *   span_ms: for a fixed window, how long the counter outlives its period (so a late settle still
 *   finds it); for a sliding window, its length.
 *   returns { allowed, denied_index (1-based, 0 = none), then per entry: used_before, reset_ms, warned }
 *
 * Fixed windows are counters that expire when their calendar period ends. Sliding windows are
 * logs (sorted sets scored by time) trimmed to the last window_ms, so they are exact.
 */
export const CONSUME_SCRIPT = `
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local member = ARGV[3]
local dry = ARGV[4] == '1'
local reserve = ARGV[5] == '1'
local out = {1, 0}
local used = {}
local resets = {}
for i = 1, n do
  local base = 7 + (i - 1) * 6
  local kind = ARGV[base + 1]
  local limit = tonumber(ARGV[base + 2])
  local amount = tonumber(ARGV[base + 3])
  local span = tonumber(ARGV[base + 4])
  local u
  local reset = tonumber(ARGV[base + 5])
  if kind == 'f' then
    u = tonumber(redis.call('GET', KEYS[i]) or '0')
  else
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - span)
    u = redis.call('ZCARD', KEYS[i])
    if u > 0 then
      local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
      reset = tonumber(oldest[2]) + span
    end
  end
  used[i] = u
  resets[i] = reset
  if amount > 0 and u + amount > limit and out[2] == 0 then
    out[1] = 0
    out[2] = i
  end
end
local allowed = out[1] == 1
for i = 1, n do
  local base = 7 + (i - 1) * 6
  local limit = tonumber(ARGV[base + 2])
  local amount = tonumber(ARGV[base + 3])
  local warned = 0
  if allowed and not dry and amount > 0 then
    if ARGV[base + 1] == 'f' then
      redis.call('INCRBY', KEYS[i], amount)
      -- Relative TTL from the caller's clock, so a clock unlike Redis's (skew, tests) cannot expire it early.
      redis.call('PEXPIRE', KEYS[i], resets[i] - now + tonumber(ARGV[base + 4]))
    else
      local args = {}
      for k = 1, amount do
        args[#args + 1] = now
        args[#args + 1] = member .. ':' .. k
      end
      redis.call('ZADD', KEYS[i], unpack(args))
      redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[base + 4]))
    end
    -- Warn once per crossing of 80%: only the request that takes the count over the line.
    if limit > 0 and used[i] * 5 < limit * 4 and (used[i] + amount) * 5 >= limit * 4 then warned = 1 end
  end
  out[#out + 1] = used[i]
  out[#out + 1] = resets[i]
  out[#out + 1] = warned
end
if allowed and not dry and reserve then
  local cost_keys = {}
  for i = 1, n do
    if ARGV[7 + (i - 1) * 6 + 6] == '1' then cost_keys[#cost_keys + 1] = KEYS[i] end
  end
  redis.call('HSET', KEYS[n + 1], 'state', 'reserved', 'cost', ARGV[7], 'at', now, 'keys', table.concat(cost_keys, ' '))
  redis.call('PEXPIRE', KEYS[n + 1], tonumber(ARGV[6]))
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
