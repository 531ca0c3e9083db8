#!lua flags=allow-oom
--[[
  Moves a job from the worker's active hash to the dead-letter list with its error, attempts and
  timestamps, in one step. The dead-letter list is capped; entries trimmed off are counted.
  Fenced by the active hash like retryJob; runs at maxmemory (allow-oom).

  KEYS[1] active hash  KEYS[2] dlq  KEYS[3] stats  KEYS[4] failures history  KEYS[5] minute metrics
  KEYS[6] day metrics  KEYS[7] batch hash (the stats key as a placeholder when none)  KEYS[8] held
  ARGV[1] field in the active hash  ARGV[2] dead-letter entry  ARGV[3] dlq cap  ARGV[4] failure entry
  ARGV[5] history cap  ARGV[6] minute ttl s  ARGV[7] day ttl s  ARGV[8] has batch (1/0)  ARGV[9] batch ttl s
  Returns: 1 when dead-lettered, 0 when the job was no longer ours.
]]
local activeKey, dlqKey, statsKey, failuresKey, minuteKey, dayKey, batchKey, heldKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local field, entry, dlqCap, failure = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local historyCap, minuteTtl, dayTtl, hasBatch, batchTtl =
  tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8] == "1", tonumber(ARGV[9])

if redis.call("HDEL", activeKey, field) == 0 then return 0 end
redis.call("HDEL", heldKey, field)
local length = redis.call("LPUSH", dlqKey, entry)
if length > dlqCap then
  redis.call("LTRIM", dlqKey, 0, dlqCap - 1)
  redis.call("HINCRBY", statsKey, "deadTrimmed", length - dlqCap)
end
redis.call("HINCRBY", statsKey, "deadLettered", 1)
redis.call("HINCRBY", statsKey, "failed", 1)
redis.call("LPUSH", failuresKey, failure)
redis.call("LTRIM", failuresKey, 0, historyCap - 1)
redis.call("HINCRBY", minuteKey, "failed", 1)
redis.call("EXPIRE", minuteKey, minuteTtl)
redis.call("HINCRBY", dayKey, "failed", 1)
redis.call("EXPIRE", dayKey, dayTtl)
if hasBatch then
  redis.call("HINCRBY", batchKey, "failed", 1)
  redis.call("EXPIRE", batchKey, batchTtl)
end
return 1
