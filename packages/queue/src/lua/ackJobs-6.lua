--[[
  Acknowledges finished jobs: removes each from the worker's active hash and, in the same round
  trip, counts it, remembers its id as delivered, bumps its batch and keeps a bounded history.
  Only short fields travel, never payloads. A job no longer in the active hash was taken back by
  recovery (the lease was lost): it is not counted again and is reported back.

  KEYS[1] active hash  KEYS[2] stats  KEYS[3] done set  KEYS[4] minute metrics  KEYS[5] day metrics
  KEYS[6] completed history   KEYS[7..] batch hashes referenced by index
  ARGV[1] now ms  ARGV[2] done-set ttl s  ARGV[3] minute ttl s  ARGV[4] day ttl s
  ARGV[5] history cap  ARGV[6] batch ttl s
  ARGV[7..] groups: batch key index (0 = none), entry count, then that many entries; an entry is
  the active field, or field .. "\n" .. job id when the id differs (fields never hold a newline)
  Returns: { acked, lost }
]]
local activeKey, statsKey, doneKey, minuteKey, dayKey, completedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local now, doneTtl, minuteTtl, dayTtl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local historyCap, batchTtl = tonumber(ARGV[5]), tonumber(ARGV[6])

local acked, lost = 0, 0
local ids, history = {}, {}
local at = 7
while at <= #ARGV do
  local batchIndex, count = tonumber(ARGV[at]), tonumber(ARGV[at + 1])
  local ackedInGroup = 0
  for i = at + 2, at + 1 + count do
    local entry = ARGV[i]
    local cut = string.find(entry, "\n", 1, true)
    local field = cut and string.sub(entry, 1, cut - 1) or entry
    local payload = redis.call("HGET", activeKey, field)
    if payload then
      redis.call("HDEL", activeKey, field)
      ackedInGroup = ackedInGroup + 1
      ids[#ids + 1] = cut and string.sub(entry, cut + 1) or field
      history[#history + 1] = payload
    else
      lost = lost + 1
    end
  end
  if batchIndex > 0 and ackedInGroup > 0 then
    local batchKey = KEYS[6 + batchIndex]
    redis.call("HINCRBY", batchKey, "done", ackedInGroup)
    redis.call("EXPIRE", batchKey, batchTtl)
  end
  acked = acked + ackedInGroup
  at = at + 2 + count
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
    -- Only the newest entries survive the trim, so only they are built.
    local first = math.max(1, #history - historyCap + 1)
    local entries = {}
    for i = first, #history do
      entries[#entries + 1] = '{"finishedAt":' .. now .. ',"job":' .. history[i] .. '}'
    end
    redis.call("LPUSH", completedKey, unpack(entries))
    redis.call("LTRIM", completedKey, 0, historyCap - 1)
  end
end
return { acked, lost }
