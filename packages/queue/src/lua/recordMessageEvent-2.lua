--[[
  A provider event of a logged message: moves its status forward and appends the event to its
  timeline in one step, so no reader sees the new status without its event. Events arrive out of
  order and are handled concurrently, so a late "opened" must not overwrite "clicked": the status
  with the higher rank wins; of equal ranks the later call. The timeline keeps every event, capped.
  Nothing is written for a message the log does not hold.

  KEYS[1] the message's hash  KEYS[2] its timeline (list of event JSON)
  ARGV[1] status  ARGV[2] its rank  ARGV[3] updatedAt (ms)  ARGV[4] the event's JSON
  ARGV[5] events kept at most  ARGV[6] the timeline's TTL (s)
  Returns: 1 when the status moved, 0 when it stayed, -1 when the message is not in the log.
]]
local messageKey = KEYS[1]
if redis.call("EXISTS", messageKey) == 0 then return -1 end
local current = tonumber(redis.call("HGET", messageKey, "statusRank") or "0") or 0
local rank = tonumber(ARGV[2])
local moved = 0
if rank >= current then
  redis.call("HSET", messageKey, "status", ARGV[1], "statusRank", ARGV[2], "updatedAt", ARGV[3])
  moved = 1
end
redis.call("RPUSH", KEYS[2], ARGV[4])
redis.call("LTRIM", KEYS[2], -tonumber(ARGV[5]), -1)
redis.call("EXPIRE", KEYS[2], ARGV[6])
return moved
