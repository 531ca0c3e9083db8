#!lua flags=allow-oom
--[[
  Acknowledges finished jobs: removes them from the worker's active hash and, in the same round
  trip, counts them, remembers their ids as delivered, bumps their batch and keeps a bounded
  history. Only ids travel, never payloads. A job no longer in the active hash was taken back by
  recovery (the lease was lost): it is not counted again and is reported back as lost; its id is
  still remembered as delivered, so the copy recovery queued again is skipped if not yet claimed.
  Redis work is one HDEL per batch group and one SADD, not a lookup per job. The held entries go
  with the fields; when some fields were no longer ours, only entries still naming this worker
  are removed (the rest belong to the rescuer). Late acks are counted: each is a job that may
  have run twice. Runs at maxmemory (allow-oom): an ack frees the payload it removes.

  A replay is not a late ack: when a connection drops after Redis ran an ack but before its reply
  arrived, the client sends the same ack again. That second run finds none of its fields, but the
  lease is still live, so no rescuer can have taken them (recovery only takes expired or fenced
  leases): the first run removed them. It changes nothing and reports nothing lost.

  KEYS[1] active hash  KEYS[2] stats  KEYS[3] done set  KEYS[4] minute metrics  KEYS[5] day metrics
  KEYS[6] completed history  KEYS[7] held  KEYS[8] workers (lease zset)  KEYS[9..] batch hashes referenced by index
  ARGV[1] now ms  ARGV[2] done-set ttl s  ARGV[3] minute ttl s  ARGV[4] day ttl s
  ARGV[5] history cap  ARGV[6] batch ttl s  ARGV[7] worker (lease) id
  ARGV[8] h: how many of the following fields go into the history, ARGV[9..8+h] those fields
  (the worker picks them: all of them while it finishes fewer than history-cap jobs a second)
  then processing time: b, then b pairs (bucket field "t:<le>", jobs in it), then the sum in microseconds
  (counted into stats and the minute hash: processing-time.ts reads them as a histogram)
  then groups: batch key index (0 = none), entry count, then that many entries; an entry is the
  active field, or field .. "\n" .. job id when the id differs (fields never hold a newline)
  Returns: { acked, lost }
]]
local activeKey, statsKey, doneKey, minuteKey, dayKey, completedKey, heldKey, workersKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local now, doneTtl, minuteTtl, dayTtl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local historyCap, batchTtl, workerId = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]

-- include: serverTime

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
local historyCount = tonumber(ARGV[8])
local entries = {}
if historyCap > 0 and historyCount > 0 then
  for first = 9, 8 + historyCount, SLICE do
    local payloads = redis.call("HMGET", activeKey, unpack(ARGV, first, math.min(first + SLICE - 1, 8 + historyCount)))
    for i = 1, #payloads do
      if payloads[i] then entries[#entries + 1] = '{"finishedAt":' .. now .. ',"job":' .. payloads[i] .. '}' end
    end
  end
end

local timingAt = 9 + historyCount
local timingPairs = tonumber(ARGV[timingAt])
local timingSumUs = tonumber(ARGV[timingAt + 1 + 2 * timingPairs])

local acked, lost, ids = 0, 0, {}
local at = timingAt + 2 + 2 * timingPairs
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
  if removed == count then
    sliced("HDEL", heldKey, fields)
  elseif removed > 0 then
    local ours = {}
    for first = 1, #fields, SLICE do
      local holders = redis.call("HMGET", heldKey, unpack(fields, first, math.min(first + SLICE - 1, #fields)))
      for i = 1, #holders do if holders[i] == workerId then ours[#ours + 1] = fields[first + i - 1] end end
    end
    if #ours > 0 then sliced("HDEL", heldKey, ours) end
  end
  if batchIndex > 0 and removed > 0 then
    local batchKey = KEYS[8 + batchIndex]
    redis.call("HINCRBY", batchKey, "done", removed)
    redis.call("EXPIRE", batchKey, batchTtl)
  end
  acked = acked + removed
  lost = lost + count - removed
  at = at + 2 + count
end

if acked == 0 and lost > 0 then
  local lease = tonumber(redis.call("ZSCORE", workersKey, workerId))
  if lease and lease > serverNowMs() then return { 0, 0 } end
end
if #ids > 0 then
  sliced("SADD", doneKey, ids)
  redis.call("EXPIRE", doneKey, doneTtl)
end
if lost > 0 then redis.call("HINCRBY", statsKey, "lateAcks", lost) end
if acked > 0 then
  redis.call("HINCRBY", statsKey, "processed", acked)
  redis.call("HINCRBY", minuteKey, "processed", acked)
  redis.call("EXPIRE", minuteKey, minuteTtl)
  redis.call("HINCRBY", dayKey, "processed", acked)
  redis.call("EXPIRE", dayKey, dayTtl)
end
if timingPairs > 0 then
  for i = timingAt + 1, timingAt + 2 * timingPairs, 2 do
    redis.call("HINCRBY", statsKey, ARGV[i], ARGV[i + 1])
    redis.call("HINCRBY", minuteKey, ARGV[i], ARGV[i + 1])
  end
  redis.call("HINCRBY", statsKey, "tus", timingSumUs)
  redis.call("HINCRBY", minuteKey, "tus", timingSumUs)
  redis.call("EXPIRE", minuteKey, minuteTtl)
end
if #entries > 0 then
  sliced("LPUSH", completedKey, entries)
  redis.call("LTRIM", completedKey, 0, historyCap - 1)
end
return { acked, lost }
