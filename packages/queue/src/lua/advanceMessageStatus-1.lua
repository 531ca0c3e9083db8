--[[
  Moves a logged message's status forward: provider events arrive out of order and are handled
  concurrently, so a late "opened" must not overwrite "clicked". The status with the higher rank
  wins; of equal ranks the later call. Nothing is written for a message the log does not hold.

  KEYS[1] the message's hash
  ARGV[1] status  ARGV[2] its rank  ARGV[3] updatedAt (ms)
  Returns: 1 when the status moved, 0 when it stayed, -1 when the message is not in the log.
]]
local messageKey = KEYS[1]
if redis.call("EXISTS", messageKey) == 0 then return -1 end
local current = tonumber(redis.call("HGET", messageKey, "statusRank") or "0") or 0
local rank = tonumber(ARGV[2])
if rank < current then return 0 end
redis.call("HSET", messageKey, "status", ARGV[1], "statusRank", ARGV[2], "updatedAt", ARGV[3])
return 1
