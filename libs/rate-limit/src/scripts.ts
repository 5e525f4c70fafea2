/**
 * Redis scripts. Everything a check needs happens in one script: read every window, decide,
 * and only if all allow, consume all of them (all-or-nothing). Redis runs a script atomically,
 * so concurrent checks cannot both see the last free slot.
 *
 * Layout: one hash per tenant (`rl:{tenant}`); a field per counter and period, e.g.
 * `emails:d:2026-11-21`, `emails:m:2026-11`, `api_calls:h:493776` (hour number since the epoch).
 * A check is then one HMGET and one HSET, whatever the number of windows.
 *
 * Hourly limits slide: the count is this hour's plus the previous hour's weighted by how much of
 * it still lies within the last 60 minutes (the sliding-window-counter estimate).
 *
 * consume runs a batch of independent checks (the client coalesces checks issued in the same
 * event-loop turn into one EVALSHA), each all-or-nothing, in order.
 *   KEYS = per check: the tenant hash (+ its reservation key when reserving)
 *   ARGV = check_count, then per check:
 *            entry_count, dry_run(0|1), reserve(0|1), reserve_ttl_ms, reserved_cost, ttl_ms, prev_hour_weight_ppm,
 *            then per entry: window (m|d|h), field, previous_hour_field (or -), limit, amount, reset_ms, is_cost(0|1)
 *   returns, per check: allowed, denied_index (1-based, 0 = none), then per entry: used_before, reset_ms, warned
 */
export const CONSUME_SCRIPT = `
local checks = tonumber(ARGV[1])
local a = 2
local k = 1
local out = {}
for c = 1, checks do
  local key = KEYS[k]
  local n = tonumber(ARGV[a])
  local dry = ARGV[a + 1] == '1'
  local reserve = ARGV[a + 2] == '1'
  local reserve_ttl = tonumber(ARGV[a + 3])
  local cost = ARGV[a + 4]
  local ttl = tonumber(ARGV[a + 5])
  local weight = tonumber(ARGV[a + 6]) / 1000000
  a = a + 7
  local fields = {}
  for i = 1, n do
    local b = a + (i - 1) * 7
    fields[#fields + 1] = ARGV[b + 1]
    if ARGV[b] == 'h' then fields[#fields + 1] = ARGV[b + 2] end
  end
  local values = redis.call('HMGET', key, unpack(fields))
  local allowed = true
  local denied = 0
  local current = {}
  local used = {}
  local created = false
  local v = 1
  for i = 1, n do
    local b = a + (i - 1) * 7
    local cur = values[v]
    v = v + 1
    if not cur then created = true end
    current[i] = tonumber(cur or '0')
    local u = current[i]
    if ARGV[b] == 'h' then
      u = u + math.floor(tonumber(values[v] or '0') * weight)
      v = v + 1
    end
    used[i] = u
    local amount = tonumber(ARGV[b + 4])
    if amount > 0 and u + amount > tonumber(ARGV[b + 3]) and denied == 0 then
      allowed = false
      denied = i
    end
  end
  out[#out + 1] = allowed and 1 or 0
  out[#out + 1] = denied
  local writes = {}
  local cost_fields = {}
  for i = 1, n do
    local b = a + (i - 1) * 7
    local limit = tonumber(ARGV[b + 3])
    local amount = tonumber(ARGV[b + 4])
    local warned = 0
    if allowed and not dry and amount > 0 then
      writes[#writes + 1] = ARGV[b + 1]
      writes[#writes + 1] = current[i] + amount
      -- Warn once per crossing of 80%: only the request that takes the count over the line.
      if limit > 0 and used[i] * 5 < limit * 4 and (used[i] + amount) * 5 >= limit * 4 then warned = 1 end
    end
    if ARGV[b + 6] == '1' then cost_fields[#cost_fields + 1] = ARGV[b + 1] end
    out[#out + 1] = used[i]
    out[#out + 1] = tonumber(ARGV[b + 5])
    out[#out + 1] = warned
  end
  if #writes > 0 then
    redis.call('HSET', key, unpack(writes))
    if created then
      -- A new period began: drop the fields of periods that are over (keeping the previous
      -- hour, which the sliding estimate still reads), and make sure the hash outlives the
      -- longest period it holds. TTLs are relative to the caller's clock, so a clock unlike
      -- Redis's (skew, tests) cannot expire counters early.
      local keep = {}
      for i = 1, n do
        local b = a + (i - 1) * 7
        keep[ARGV[b + 1]] = true
        keep[ARGV[b + 2]] = true
      end
      for _, field in ipairs(redis.call('HKEYS', key)) do
        if not keep[field] then
          local counter, window = string.match(field, '^(.-):(%a):')
          for i = 1, n do
            local b = a + (i - 1) * 7
            if ARGV[b] == window and string.sub(ARGV[b + 1], 1, #counter + 1) == counter .. ':' then
              redis.call('HDEL', key, field)
              break
            end
          end
        end
      end
      if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
    end
  end
  k = k + 1
  if reserve then
    if allowed and not dry then
      redis.call('HSET', KEYS[k], 'state', 'reserved', 'cost', cost, 'fields', table.concat(cost_fields, ' '))
      redis.call('PEXPIRE', KEYS[k], reserve_ttl)
    end
    k = k + 1
  end
  a = a + n * 7
end
return out
`;

/**
 * settle: KEYS[1] = reservation, KEYS[2] = the tenant hash
 *   ARGV = actual_pence, keep_ms
 *   returns { applied (1 first time, 0 already settled, -1 unknown), reserved, actual }
 * Charges the difference between actual and reserved cost to the same calendar periods the
 * reservation was taken in (even if settled after midnight, while that day's field is kept).
 * Settling again changes nothing.
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
local fields = redis.call('HGET', res, 'fields') or ''
for field in string.gmatch(fields, '%S+') do
  if redis.call('HEXISTS', KEYS[2], field) == 1 then
    local after = redis.call('HINCRBY', KEYS[2], field, delta)
    if after < 0 then redis.call('HSET', KEYS[2], field, 0) end
  end
end
redis.call('HSET', res, 'state', 'settled', 'actual', actual)
redis.call('PEXPIRE', res, tonumber(ARGV[2]))
return {1, reserved, actual}
`;
