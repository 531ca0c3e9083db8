--[[
  Takes over the in-flight jobs of a worker whose lease expired: they move, in one step, from the
  dead worker's active list to the caller's, and the dead worker is forgotten. The caller then
  counts the attempt and hands each job back (or dead-letters it), so a job that kills its worker
  every time ends in the dead-letter list instead of looping forever.

  KEYS[1] workers (lease zset)  KEYS[2] dead worker's active list  KEYS[3] caller's active list
  KEYS[4] dead worker's info hash
  ARGV[1] dead worker id  ARGV[2] now ms
  Returns: the moved payloads (none when the lease was renewed meanwhile).
]]
local workersKey, deadActiveKey, ownActiveKey, deadInfoKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local deadId, now = ARGV[1], tonumber(ARGV[2])

local leaseUntil = redis.call("ZSCORE", workersKey, deadId)
if leaseUntil and tonumber(leaseUntil) > now then return {} end
redis.call("ZREM", workersKey, deadId)
redis.call("DEL", deadInfoKey)
local jobs = redis.call("LRANGE", deadActiveKey, 0, -1)
for i = 1, #jobs, 1000 do
  redis.call("RPUSH", ownActiveKey, unpack(jobs, i, math.min(i + 999, #jobs)))
end
redis.call("DEL", deadActiveKey)
return jobs
