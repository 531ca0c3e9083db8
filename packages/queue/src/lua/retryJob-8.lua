#!lua flags=allow-oom
--[[
  Hands a failed (or recovered) job back: removed from the worker's active hash and, atomically,
  either scheduled in the delayed set (backoff) or put back at the head of the pending list.
  The worker never sleeps through a backoff holding a slot. Fenced by the active hash: a job no
  longer in it (a rescuer took it) is left alone. Runs at maxmemory (allow-oom): it moves a
  payload, it does not add one.

  KEYS[1] active hash  KEYS[2] delayed  KEYS[3] pending  KEYS[4] stats  KEYS[5] failures history
  KEYS[6] minute metrics  KEYS[7] meta  KEYS[8] held
  ARGV[1] field in the active hash  ARGV[2] new payload  ARGV[3] due at ms (0 = now)
  ARGV[4] stats field ("retried" | "recovered" | "released")  ARGV[5] failure entry ('' = none)
  ARGV[6] history cap  ARGV[7] minute ttl s  ARGV[8] pause reason ('' = none)
  Returns: 1 when handed back, 0 when the job was no longer ours.
]]
local activeKey, delayedKey, pendingKey, statsKey, failuresKey, minuteKey, metaKey, heldKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local field, newPayload, dueAt, statsField, failure = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local historyCap, minuteTtl, pauseReason = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]

if redis.call("HDEL", activeKey, field) == 0 then return 0 end
redis.call("HDEL", heldKey, field)
if dueAt > 0 then
  redis.call("ZADD", delayedKey, dueAt, newPayload)
else
  redis.call("LPUSH", pendingKey, newPayload)
end
redis.call("HINCRBY", statsKey, statsField, 1)
if failure ~= "" then
  redis.call("LPUSH", failuresKey, failure)
  redis.call("LTRIM", failuresKey, 0, historyCap - 1)
  redis.call("HINCRBY", minuteKey, "failed", 1)
  redis.call("EXPIRE", minuteKey, minuteTtl)
end
if pauseReason ~= "" then
  redis.call("HSET", metaKey, "paused", pauseReason, "pausedAt", redis.call("TIME")[1])
end
return 1
