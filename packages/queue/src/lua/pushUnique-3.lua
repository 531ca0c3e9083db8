--[[
  Pushes one job unless its idempotency key was seen within the key's lifetime.

  KEYS[1] idempotency key  KEYS[2] pending  KEYS[3] delayed
  ARGV[1] job id  ARGV[2] payload  ARGV[3] key ttl s  ARGV[4] due at ms (0 = now)  ARGV[5] urgent (1/0)
  Returns: { id of the job that owns the key, 1 if pushed now else 0 }
]]
local idemKey, pendingKey, delayedKey = KEYS[1], KEYS[2], KEYS[3]
local id, payload, ttl, dueAt, urgent = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == "1"

local existing = redis.call("GET", idemKey)
if existing then return { existing, 0 } end
redis.call("SET", idemKey, id, "EX", ttl)
if dueAt > 0 then
  redis.call("ZADD", delayedKey, dueAt, payload)
elseif urgent then
  redis.call("LPUSH", pendingKey, payload)
else
  redis.call("RPUSH", pendingKey, payload)
end
return { id, 1 }
