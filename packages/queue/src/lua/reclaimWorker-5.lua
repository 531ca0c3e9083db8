--[[
  Takes over the jobs of a worker whose lease expired: its active hash and anything its blocking
  pop left in its landing list move, in one step, into the caller's active hash, and the dead
  worker is forgotten. The caller then counts the attempt and hands each job back (or
  dead-letters it), so a job that kills its worker every time ends in the dead-letter list.

  KEYS[1] workers (lease zset)  KEYS[2] dead worker's active hash  KEYS[3] caller's active hash
  KEYS[4] dead worker's info hash  KEYS[5] dead worker's landing list
  ARGV[1] dead worker id  ARGV[2] now ms
  Returns: { field1, payload1, ... } of the moved jobs (none when the lease was renewed meanwhile).
]]
local workersKey, deadActiveKey, ownActiveKey, deadInfoKey, deadLandingKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local deadId, now = ARGV[1], tonumber(ARGV[2])

local leaseUntil = redis.call("ZSCORE", workersKey, deadId)
if leaseUntil and tonumber(leaseUntil) > now then return {} end
redis.call("ZREM", workersKey, deadId)
redis.call("DEL", deadInfoKey)

local moved = {}
local function take(field, job)
  -- The same field already held by the caller: keep both by giving this copy a field of its own.
  if redis.call("HSETNX", ownActiveKey, field, job) == 0 then
    field = field .. ":" .. deadId
    redis.call("HSET", ownActiveKey, field, job)
  end
  moved[#moved + 1] = field
  moved[#moved + 1] = job
end

local held = redis.call("HGETALL", deadActiveKey)
for i = 1, #held, 2 do take(held[i], held[i + 1]) end
local landed = redis.call("LRANGE", deadLandingKey, 0, -1)
for i = 1, #landed do
  local id = string.match(landed[i], '^{"id":"([^"\\%c\128-\255]+)"')
  take(id or ("h:" .. redis.sha1hex(landed[i])), landed[i])
end
redis.call("DEL", deadActiveKey, deadLandingKey)
return moved
