--[[
  Moves due jobs from the delayed set to the pending list. Whichever worker runs it first wins;
  ZREM and RPUSH happen in one step, so a job is promoted exactly once and never early.

  KEYS[1] delayed  KEYS[2] pending
  ARGV[1] now ms  ARGV[2] max jobs per call
  Returns: { promoted count, next due score or -1 }
]]
local delayedKey, pendingKey = KEYS[1], KEYS[2]
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[2])

local due = redis.call("ZRANGE", delayedKey, "-inf", now, "BYSCORE", "LIMIT", 0, limit)
if #due > 0 then
  redis.call("ZREM", delayedKey, unpack(due))
  redis.call("RPUSH", pendingKey, unpack(due))
end
local nextDue = redis.call("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
return { #due, nextDue[2] or "-1" }
