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
 * event-loop turn into one EVALSHA), each all-or-nothing, in order. A check is described by a
 * plan: ONE packed argument (space-separated tokens) with its flags and every window's field,
 * limit and amount. Checks of one batch that share a plan (same tier, action and period) send it
 * once: the script parses each distinct plan once and each check adds only its key and the
 * plan's number. Every protocol argument costs the client an encode and Redis an object and a
 * Lua string, so this keeps a check to its key, one small number and its two hash commands.
 *   KEYS = per check: the tenant hash (+ its reservation key when reserving)
 *   ARGV = check_count, plan_count, then each plan:
 *            dry_run(0|1) reserve(0|1) reserved_cost ttl_ms prev_hour_weight_ppm reserve_ttl_ms
 *            then per entry: window(m|d|h) field previous_hour_field(or -) limit amount is_cost(0|1)
 *          then per check: its plan's number (1-based)
 *   returns, per check: denied_index (0 = allowed, else the 1-based entry that said no),
 *            then per entry: used_before (the count before this check; the client derives the rest)
 */
export const CONSUME_SCRIPT = `
local checks = tonumber(ARGV[1])
local plan_count = tonumber(ARGV[2])
local find = string.find
local sub = string.sub
local plans = {}
for p = 1, plan_count do
  local s = ARGV[2 + p]
  local t = {}
  local nt = 0
  local i = 1
  while true do
    local q = find(s, ' ', i, true)
    nt = nt + 1
    if not q then t[nt] = sub(s, i) break end
    t[nt] = sub(s, i, q - 1)
    i = q + 1
  end
  local plan = {
    dry = t[1] == '1', reserve = t[2] == '1', cost = t[3], ttl = tonumber(t[4]),
    weight = tonumber(t[5]) / 1000000, reserve_ttl = t[6], n = (nt - 6) / 6,
    hourly = {}, field = {}, previous = {}, window = {}, limit = {}, amount = {}, read = {}, cost_fields = {},
  }
  local nr = 0
  for e = 1, plan.n do
    local b = 6 + (e - 1) * 6
    plan.window[e] = t[b + 1]
    plan.hourly[e] = t[b + 1] == 'h'
    plan.field[e] = t[b + 2]
    plan.previous[e] = t[b + 3]
    plan.limit[e] = tonumber(t[b + 4])
    plan.amount[e] = tonumber(t[b + 5])
    if t[b + 6] == '1' then plan.cost_fields[#plan.cost_fields + 1] = t[b + 2] end
    nr = nr + 1
    plan.read[nr] = t[b + 2]
    if plan.hourly[e] then
      nr = nr + 1
      plan.read[nr] = t[b + 3]
    end
  end
  plan.cost_fields = table.concat(plan.cost_fields, ' ')
  plans[p] = plan
end

local out = {}
local o = 0
local k = 1
for c = 1, checks do
  local plan = plans[tonumber(ARGV[2 + plan_count + c])]
  local key = KEYS[k]
  local n = plan.n
  local values = redis.call('HMGET', key, unpack(plan.read))
  local denied = 0
  local current = {}
  local created = false
  local v = 1
  o = o + 1
  local at = o
  for e = 1, n do
    local cur = values[v]
    v = v + 1
    if not cur then created = true end
    cur = tonumber(cur or '0')
    current[e] = cur
    if plan.hourly[e] then
      cur = cur + math.floor(tonumber(values[v] or '0') * plan.weight)
      v = v + 1
    end
    o = o + 1
    out[o] = cur
    local amount = plan.amount[e]
    if denied == 0 and amount > 0 and cur + amount > plan.limit[e] then denied = e end
  end
  out[at] = denied
  local consume = denied == 0 and not plan.dry
  if consume then
    local writes = {}
    local nw = 0
    for e = 1, n do
      local amount = plan.amount[e]
      if amount > 0 then
        writes[nw + 1] = plan.field[e]
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
          keep[plan.field[e]] = true
          keep[plan.previous[e]] = true
        end
        for _, field in ipairs(redis.call('HKEYS', key)) do
          if not keep[field] then
            local counter, window = string.match(field, '^(.-):(%a):')
            for e = 1, n do
              if plan.window[e] == window and sub(plan.field[e], 1, #counter + 1) == counter .. ':' then
                redis.call('HDEL', key, field)
                break
              end
            end
          end
        end
        if redis.call('PTTL', key) < plan.ttl then redis.call('PEXPIRE', key, plan.ttl) end
      end
    end
  end
  k = k + 1
  if plan.reserve then
    if consume then
      redis.call('HSET', KEYS[k], 'state', 'reserved', 'cost', plan.cost, 'fields', plan.cost_fields)
      redis.call('PEXPIRE', KEYS[k], plan.reserve_ttl)
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
