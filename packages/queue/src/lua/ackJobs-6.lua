--[[
  Acknowledges finished jobs: removes them from the worker's active hash and, in the same round
  trip, counts them, remembers their ids as delivered, bumps their batch and keeps a bounded
  history. Only ids travel, never payloads. A job no longer in the active hash was taken back by
  recovery (the lease was lost): it is not counted again and is reported back as lost; its id is
  still remembered as delivered, so the copy recovery queued again is skipped if not yet claimed.
  Redis work is one HDEL per batch group and one SADD, not a lookup per job.

  KEYS[1] active hash  KEYS[2] stats  KEYS[3] done set  KEYS[4] minute metrics  KEYS[5] day metrics
  KEYS[6] completed history   KEYS[7..] batch hashes referenced by index
  ARGV[1] now ms  ARGV[2] done-set ttl s  ARGV[3] minute ttl s  ARGV[4] day ttl s
  ARGV[5] history cap  ARGV[6] batch ttl s
  ARGV[7] h: how many of the following fields go into the history, ARGV[8..7+h] those fields
  (the worker picks them: all of them while it finishes fewer than history-cap jobs a second)
  then groups: batch key index (0 = none), entry count, then that many entries; an entry is the
  active field, or field .. "\n" .. job id when the id differs (fields never hold a newline)
  Returns: { acked, lost }
]]
local activeKey, statsKey, doneKey, minuteKey, dayKey, completedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local now, doneTtl, minuteTtl, dayTtl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local historyCap, batchTtl = tonumber(ARGV[5]), tonumber(ARGV[6])

-- Lua's unpack() stops at a few thousand values: variadic calls go in slices of this many.
local SLICE = 1000
local function sliced(command, key, values)
  local total = 0
  for first = 1, #values, SLICE do
    total = total + redis.call(command, key, unpack(values, first, math.min(first + SLICE - 1, #values)))
  end
  return total
end

-- History first: the payloads are gone once the fields are deleted.
local historyCount = tonumber(ARGV[7])
local entries = {}
if historyCap > 0 and historyCount > 0 then
  for first = 8, 7 + historyCount, SLICE do
    local payloads = redis.call("HMGET", activeKey, unpack(ARGV, first, math.min(first + SLICE - 1, 7 + historyCount)))
    for i = 1, #payloads do
      if payloads[i] then entries[#entries + 1] = '{"finishedAt":' .. now .. ',"job":' .. payloads[i] .. '}' end
    end
  end
end

local acked, lost, ids = 0, 0, {}
local at = 8 + historyCount
while at <= #ARGV do
  local batchIndex, count = tonumber(ARGV[at]), tonumber(ARGV[at + 1])
  local fields = {}
  for i = at + 2, at + 1 + count do
    local entry = ARGV[i]
    local cut = string.find(entry, "\n", 1, true)
    if cut then
      fields[#fields + 1] = string.sub(entry, 1, cut - 1)
      ids[#ids + 1] = string.sub(entry, cut + 1)
    else
      fields[#fields + 1] = entry
      ids[#ids + 1] = entry
    end
  end
  local removed = sliced("HDEL", activeKey, fields)
  if batchIndex > 0 and removed > 0 then
    local batchKey = KEYS[6 + batchIndex]
    redis.call("HINCRBY", batchKey, "done", removed)
    redis.call("EXPIRE", batchKey, batchTtl)
  end
  acked = acked + removed
  lost = lost + count - removed
  at = at + 2 + count
end

if #ids > 0 then
  sliced("SADD", doneKey, ids)
  redis.call("EXPIRE", doneKey, doneTtl)
end
if acked > 0 then
  redis.call("HINCRBY", statsKey, "processed", acked)
  redis.call("HINCRBY", minuteKey, "processed", acked)
  redis.call("EXPIRE", minuteKey, minuteTtl)
  redis.call("HINCRBY", dayKey, "processed", acked)
  redis.call("EXPIRE", dayKey, dayTtl)
end
if #entries > 0 then
  sliced("LPUSH", completedKey, entries)
  redis.call("LTRIM", completedKey, 0, historyCap - 1)
end
return { acked, lost }
