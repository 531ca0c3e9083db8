--[[
  Enqueues one tick of a recurring job, exactly once however many workers race for it: the tick
  fires only if the schedule's due score is still the one the caller read (compare-and-set).

  KEYS[1] schedules due zset  KEYS[2] schedules hash  KEYS[3] pending
  ARGV[1] schedule name  ARGV[2] expected due ms  ARGV[3] next due ms  ARGV[4] payload
  Returns: 1 when this caller fired the tick, 0 otherwise.
]]
local dueKey, schedulesKey, pendingKey = KEYS[1], KEYS[2], KEYS[3]
local name, expected, nextDue, payload = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

if redis.call("HEXISTS", schedulesKey, name) == 0 then
  redis.call("ZREM", dueKey, name)
  return 0
end
local current = redis.call("ZSCORE", dueKey, name)
if not current or tonumber(current) ~= tonumber(expected) then return 0 end
redis.call("ZADD", dueKey, nextDue, name)
redis.call("RPUSH", pendingKey, payload)
return 1
