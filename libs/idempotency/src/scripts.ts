/**
 * A record per event, `idempotency:<provider>:<event id>`: a hash with
 *   state   processing | completed | failed
 *   token   the holder of the current lease (a fencing token: only it may finish the record)
 *   lease   epoch ms until which the holder is presumed alive
 *   fp      fingerprint of the request (client keys: the same key with another body is refused)
 *   status, body, ctype   the stored outcome, replayed to later deliveries
 *
 * begin: KEYS[1] = record; ARGV = now_ms, token, lease_ms, fingerprint ('' = none), keep_ms
 *   returns {'acquired', takeover 0|1} | {'processing', lease_until} | {'completed'|'failed', status, body, ctype} | {'mismatch'}
 */
export const BEGIN_SCRIPT = `
local now = tonumber(ARGV[1])
local r = redis.call('HMGET', KEYS[1], 'state', 'token', 'lease', 'fp', 'status', 'body', 'ctype')
if not r[1] then
  redis.call('HSET', KEYS[1], 'state', 'processing', 'token', ARGV[2], 'lease', now + tonumber(ARGV[3]), 'fp', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
  return {'acquired', 0}
end
if ARGV[4] ~= '' and r[4] and r[4] ~= '' and r[4] ~= ARGV[4] then return {'mismatch'} end
if r[1] == 'completed' or r[1] == 'failed' then return {r[1], r[5], r[6], r[7] or ''} end
if tonumber(r[3]) > now then return {'processing', r[3]} end
-- The holder's lease ran out (it crashed or hung): this delivery takes over with a new token,
-- so the old holder can no longer finish the record.
redis.call('HSET', KEYS[1], 'token', ARGV[2], 'lease', now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
return {'acquired', 1}
`;

/**
 * finish: KEYS[1] = record; ARGV = token, state (completed|failed), status, body, ctype, keep_ms
 *   returns 1, or 0 when the token no longer holds the lease (a late finish after a takeover).
 */
export const FINISH_SCRIPT = `
local r = redis.call('HMGET', KEYS[1], 'state', 'token')
if r[1] ~= 'processing' or r[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'status', ARGV[3], 'body', ARGV[4], 'ctype', ARGV[5])
redis.call('HDEL', KEYS[1], 'lease')
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[6]))
return 1
`;

/** extend: KEYS[1] = record; ARGV = token, now_ms, lease_ms. release: ARGV = token. Both only for the lease holder. */
export const EXTEND_SCRIPT = `
local r = redis.call('HMGET', KEYS[1], 'state', 'token')
if r[1] ~= 'processing' or r[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'lease', tonumber(ARGV[2]) + tonumber(ARGV[3]))
return 1
`;

export const RELEASE_SCRIPT = `
local r = redis.call('HMGET', KEYS[1], 'state', 'token')
if r[1] ~= 'processing' or r[2] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;
