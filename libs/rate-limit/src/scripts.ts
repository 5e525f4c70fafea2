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
 * event-loop turn into one EVALSHA), each all-or-nothing, in order. A check follows a plan: its
 * flags and every window's field, limit and amount. Checks of one batch that share a plan (same
 * tier, action and period: the common case on a busy server) send it once, and each check adds
 * only its key and the plan's number, so a batch costs Redis two hash commands per check and the
 * client one argument per check. (Packing a plan into one string argument was tried: parsing it
 * in Lua cost Redis more than the arguments it saved.)
 *   KEYS = per check: the tenant hash (+ its reservation key when reserving)
 *   ARGV = check_count, plan_count, then each plan: its token count, then its tokens:
 *            dry_run(0|1) reserve(0|1) reserved_cost ttl_ms prev_hour_weight_ppm reserve_ttl_ms
 *            then per entry: window(m|d|h) field previous_hour_field(or -) limit amount is_cost(0|1)
 *          then per check: its plan's number (1-based)
 *   returns, per check: denied_index (0 = allowed, else the 1-based entry that said no),
 *            then per entry: used_before (the count before this check; the client derives the rest)
 */
export const CONSUME_SCRIPT = `
local checks = tonumber(ARGV[1])
local plan_count = tonumber(ARGV[2])
local a = 3
local plan_at = {}
local plan_n = {}
local plan_read = {}
for p = 1, plan_count do
  local len = tonumber(ARGV[a])
  local b = a + 1
  local n = (len - 6) / 6
  local read = {}
  local nr = 0
  for e = 0, n - 1 do
    local x = b + 6 + e * 6
    nr = nr + 1
    read[nr] = ARGV[x + 1]
    if ARGV[x] == 'h' then
      nr = nr + 1
      read[nr] = ARGV[x + 2]
    end
  end
  plan_at[p] = b
  plan_n[p] = n
  plan_read[p] = read
  a = b + len
end

local out = {}
local o = 0
local k = 1
for c = 1, checks do
  local p = tonumber(ARGV[a + c - 1])
  local b = plan_at[p]
  local n = plan_n[p]
  local key = KEYS[k]
  local dry = ARGV[b] == '1'
  local reserve = ARGV[b + 1] == '1'
  local weight = tonumber(ARGV[b + 4]) / 1000000
  local values = redis.call('HMGET', key, unpack(plan_read[p]))
  local denied = 0
  local current = {}
  local created = false
  local v = 1
  o = o + 1
  local at = o
  for e = 1, n do
    local x = b + e * 6
    local cur = values[v]
    v = v + 1
    if not cur then created = true end
    cur = tonumber(cur or '0')
    current[e] = cur
    if ARGV[x] == 'h' then
      cur = cur + math.floor(tonumber(values[v] or '0') * weight)
      v = v + 1
    end
    o = o + 1
    out[o] = cur
    local amount = tonumber(ARGV[x + 4])
    if denied == 0 and amount > 0 and cur + amount > tonumber(ARGV[x + 3]) then denied = e end
  end
  out[at] = denied
  local consume = denied == 0 and not dry
  if consume then
    local writes = {}
    local nw = 0
    for e = 1, n do
      local x = b + e * 6
      local amount = tonumber(ARGV[x + 4])
      if amount > 0 then
        writes[nw + 1] = ARGV[x + 1]
        writes[nw + 2] = current[e] + amount
        nw = nw + 2
      end
    end
    if nw > 0 then
      redis.call('HSET', key, unpack(writes))
      if created then
        -- A new period began: drop the fields of periods that are over (keeping the previous
        -- hour, which the sliding estimate still reads), and make sure the hash outlives the
        -- longest period it holds. TTLs are relative to the caller's clock, so a clock unlike
        -- Redis's (skew, tests) cannot expire counters early.
        local keep = {}
        for e = 1, n do
          local x = b + e * 6
          keep[ARGV[x + 1]] = true
          keep[ARGV[x + 2]] = true
        end
        for _, field in ipairs(redis.call('HKEYS', key)) do
          if not keep[field] then
            local counter, window = string.match(field, '^(.-):(%a):')
            for e = 1, n do
              local x = b + e * 6
              if ARGV[x] == window and string.sub(ARGV[x + 1], 1, #counter + 1) == counter .. ':' then
                redis.call('HDEL', key, field)
                break
              end
            end
          end
        end
        local ttl = tonumber(ARGV[b + 3])
        if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
      end
    end
  end
  k = k + 1
  if reserve then
    if consume then
      local cost_fields = {}
      for e = 1, n do
        local x = b + e * 6
        if ARGV[x + 5] == '1' then cost_fields[#cost_fields + 1] = ARGV[x + 1] end
      end
      redis.call('HSET', KEYS[k], 'state', 'reserved', 'cost', ARGV[b + 2], 'fields', table.concat(cost_fields, ' '))
      redis.call('PEXPIRE', KEYS[k], ARGV[b + 5])
    end
    k = k + 1
  end
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
