#!lua flags=allow-oom
--[[
  Takes over the jobs of a worker whose lease expired (by Redis's clock): its active hash and
  anything its blocking pop left in its landing list move, in one step, into the caller's active
  hash, the held hash names the caller for each of them, and the dead worker's lease is removed,
  which fences it: a dead worker that wakes up can no longer renew, claim, ack or retry under that
  id. The caller then counts the attempt and hands each job back (or dead-letters it), so a job
  that kills its worker every time ends in the dead-letter list. A caller whose own lease is not
  live takes nothing.

  KEYS[1] workers (lease zset)  KEYS[2] dead worker's active hash  KEYS[3] caller's active hash
  KEYS[4] dead worker's info hash  KEYS[5] dead worker's landing list  KEYS[6] held
  ARGV[1] dead worker id  ARGV[2] caller's worker id  ARGV[3] largest payload decoded to find its id
  Returns: { field1, payload1, ... } of the moved jobs (none when the lease was renewed meanwhile).
]]
local workersKey, deadActiveKey, ownActiveKey, deadInfoKey, deadLandingKey, heldKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local deadId, ownId, maxDecodeBytes = ARGV[1], ARGV[2], tonumber(ARGV[3])

-- include: serverTime
-- include: jobField

local now = serverNowMs()
local own = tonumber(redis.call("ZSCORE", workersKey, ownId))
if not own or own <= now then return {} end
local leaseUntil = redis.call("ZSCORE", workersKey, deadId)
if leaseUntil and tonumber(leaseUntil) > now then return {} end
redis.call("ZREM", workersKey, deadId)
redis.call("DEL", deadInfoKey)

local moved = {}
local function take(field, job)
  if redis.call("HSETNX", ownActiveKey, field, job) == 1 then
    redis.call("HSET", heldKey, field, ownId)
  else
    -- The caller already holds this field: keep both by giving this copy a field of its own.
    field = field .. ":" .. deadId
    redis.call("HSET", ownActiveKey, field, job)
  end
  moved[#moved + 1] = field
  moved[#moved + 1] = job
end

local held = redis.call("HGETALL", deadActiveKey)
for i = 1, #held, 2 do take(held[i], held[i + 1]) end
local landed = redis.call("LRANGE", deadLandingKey, 0, -1)
for i = 1, #landed do take((jobField(landed[i], maxDecodeBytes)), landed[i]) end
redis.call("DEL", deadActiveKey, deadLandingKey)
return moved
