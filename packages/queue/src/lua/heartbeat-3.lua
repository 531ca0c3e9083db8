--[[
  Renews a worker's lease and its descriptive record, and tells it whether the queue is paused
  and whether its lease had already been taken away (recovered by another worker).

  KEYS[1] workers (lease zset)  KEYS[2] worker info hash  KEYS[3] meta
  ARGV[1] worker id  ARGV[2] lease until ms  ARGV[3] info ttl s  ARGV[4] first beat (1/0)
  ARGV[5..] info field/value pairs
  Returns: { paused reason or '', lost (1/0) }
]]
local workersKey, infoKey, metaKey = KEYS[1], KEYS[2], KEYS[3]
local workerId, leaseUntil, infoTtl, firstBeat = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == "1"

local lost = 0
if not firstBeat and not redis.call("ZSCORE", workersKey, workerId) then lost = 1 end
redis.call("ZADD", workersKey, leaseUntil, workerId)
if #ARGV > 4 then redis.call("HSET", infoKey, unpack(ARGV, 5)) end
redis.call("EXPIRE", infoKey, infoTtl)
return { redis.call("HGET", metaKey, "paused") or "", lost }
