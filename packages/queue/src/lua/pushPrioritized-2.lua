--[[
  Pushes jobs with a priority level (1 runs first, 10 last) into the queue's prioritized lane.
  Claims take the lane only after the pending list (urgent jobs at its head, then unprioritized
  jobs), as BullMQ orders unprioritized jobs before prioritized ones.

  KEYS[1] prioritized (zset)  KEYS[2] pending
  ARGV[1] priority (1-10)  ARGV[2..] payloads
  Returns: the number of jobs pushed
]]
local prioritizedKey, pendingKey = KEYS[1], KEYS[2]
local priority = tonumber(ARGV[1])

-- include: serverTime
-- include: prioritized

local score = prioritizedScore(priority, serverNowMs())
for i = 2, #ARGV do redis.call("ZADD", prioritizedKey, score, ARGV[i]) end
wakeIdleWorkers(pendingKey, prioritizedKey)
return #ARGV - 1
