#!lua flags=allow-oom
--[[
  Renews a worker's lease (until Redis's clock + lease ms) and its descriptive record, and tells
  it whether the queue is paused and whether its lease had been taken away. A taken lease is not
  renewed: the worker must start a new epoch under a new id, so nothing it did under the old one
  can touch what the rescuer now holds. Runs at maxmemory (allow-oom): a refused heartbeat would
  make live workers look dead and their jobs run twice.

  KEYS[1] workers (lease zset)  KEYS[2] worker info hash  KEYS[3] meta
  ARGV[1] worker id  ARGV[2] lease ms  ARGV[3] info ttl s  ARGV[4] first beat of this id (1/0)
  ARGV[5..] info field/value pairs
  Returns: { paused reason or '', lost (1/0), lease until ms }
]]
local workersKey, infoKey, metaKey = KEYS[1], KEYS[2], KEYS[3]
local workerId, leaseMs, infoTtl, firstBeat = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == "1"

-- include: serverTime

local paused = redis.call("HGET", metaKey, "paused") or ""
if not firstBeat and not redis.call("ZSCORE", workersKey, workerId) then return { paused, 1, 0 } end
local leaseUntil = serverNowMs() + leaseMs
redis.call("ZADD", workersKey, leaseUntil, workerId)
if #ARGV > 4 then redis.call("HSET", infoKey, unpack(ARGV, 5)) end
redis.call("EXPIRE", infoKey, infoTtl)
return { paused, 0, leaseUntil }
