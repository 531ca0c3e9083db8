--[[
  Acknowledges finished jobs: removes each from the worker's active hash and, in the same round
  trip, counts it, remembers its id as delivered, bumps its batch and keeps a bounded history.
  Only short fields travel, never payloads. A job no longer in the active hash was taken back by
  recovery (the lease was lost): it is not counted again and is reported back.

  KEYS[1] active hash  KEYS[2] stats  KEYS[3] done set  KEYS[4] minute metrics  KEYS[5] day metrics
  KEYS[6] completed history   KEYS[7..] batch hashes referenced by index
  ARGV[1] now ms  ARGV[2] done-set ttl s  ARGV[3] minute ttl s  ARGV[4] day ttl s
  ARGV[5] history cap  ARGV[6] batch ttl s
  ARGV[7..] triples: active field, job id ('' = same as the field), batch key index (0 = none)
  Returns: { acked, lost }
]]
local activeKey, statsKey, doneKey, minuteKey, dayKey, completedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local now, doneTtl, minuteTtl, dayTtl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local historyCap, batchTtl = tonumber(ARGV[5]), tonumber(ARGV[6])

local acked, lost = 0, 0
local ids, history = {}, {}
for i = 7, #ARGV, 3 do
  local field, id, batchIndex = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local payload = redis.call("HGET", activeKey, field)
  if payload then
    redis.call("HDEL", activeKey, field)
    acked = acked + 1
    ids[#ids + 1] = id ~= "" and id or field
    history[#history + 1] = '{"finishedAt":' .. now .. ',"job":' .. payload .. '}'
    if batchIndex > 0 then
      local batchKey = KEYS[6 + batchIndex]
      redis.call("HINCRBY", batchKey, "done", 1)
      redis.call("EXPIRE", batchKey, batchTtl)
    end
  else
    lost = lost + 1
  end
end

if acked > 0 then
  redis.call("HINCRBY", statsKey, "processed", acked)
  redis.call("HINCRBY", minuteKey, "processed", acked)
  redis.call("EXPIRE", minuteKey, minuteTtl)
  redis.call("HINCRBY", dayKey, "processed", acked)
  redis.call("EXPIRE", dayKey, dayTtl)
  redis.call("SADD", doneKey, unpack(ids))
  redis.call("EXPIRE", doneKey, doneTtl)
  if historyCap > 0 then
    redis.call("LPUSH", completedKey, unpack(history))
    redis.call("LTRIM", completedKey, 0, historyCap - 1)
  end
end
return { acked, lost }
