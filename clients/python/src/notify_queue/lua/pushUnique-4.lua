--[[
  Pushes one job unless its idempotency key was seen within the key's lifetime.

  KEYS[1] idempotency key  KEYS[2] pending  KEYS[3] delayed  KEYS[4] prioritized
  ARGV[1] job id  ARGV[2] payload  ARGV[3] key ttl s  ARGV[4] due at ms (0 = now)  ARGV[5] urgent (1/0)
  ARGV[6] priority level (0 = none)
  Self-contained (no includes): clients/python runs a byte-for-byte copy. The prioritized branch
  is includes/prioritized.lua written out: score level * 1e13 + Redis ms, and when pending is
  empty the lane's best job moves onto it to wake a worker blocked on pending.
  Returns: { id of the job that owns the key, 1 if pushed now else 0 }
]]
local idemKey, pendingKey, delayedKey, prioritizedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, payload, ttl, dueAt, urgent = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == "1"
local priority = tonumber(ARGV[6])

local existing = redis.call("GET", idemKey)
if existing then return { existing, 0 } end
redis.call("SET", idemKey, id, "EX", ttl)
if dueAt > 0 then
  redis.call("ZADD", delayedKey, dueAt, payload)
elseif urgent then
  redis.call("LPUSH", pendingKey, payload)
elseif priority > 0 then
  local time = redis.call("TIME")
  local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  redis.call("ZADD", prioritizedKey, priority * 1e13 + nowMs, payload)
  if redis.call("LLEN", pendingKey) == 0 then
    local best = redis.call("ZRANGE", prioritizedKey, 0, 0)
    redis.call("ZREM", prioritizedKey, best[1])
    redis.call("RPUSH", pendingKey, best[1])
  end
else
  redis.call("RPUSH", pendingKey, payload)
end
return { id, 1 }
