--[[
  Moves up to N jobs from the head of the pending list to the claiming worker's active list, in
  one step: a job is always in exactly one list, never only in a worker's memory.
  Jobs whose id is already in a done set (delivered before, pushed twice) are dropped and counted.

  KEYS[1] pending   KEYS[2] active (this worker)   KEYS[3] meta   KEYS[4] stats
  ARGV[1] max jobs  ARGV[2] current done-set key  ARGV[3] previous done-set key
  Returns: -1 when the queue is paused, else the claimed payloads (possibly none).
]]
local pendingKey, activeKey, metaKey, statsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local maxJobs = tonumber(ARGV[1])
local doneCurrent, donePrevious = ARGV[2], ARGV[3]

if redis.call("HGET", metaKey, "paused") then return -1 end

local jobs = redis.call("LRANGE", pendingKey, 0, maxJobs - 1)
if #jobs == 0 then return jobs end
redis.call("LTRIM", pendingKey, #jobs, -1)

local fresh, duplicates = {}, 0
local checkDone = redis.call("EXISTS", doneCurrent, donePrevious) > 0
for i = 1, #jobs do
  local job = jobs[i]
  local isDuplicate = false
  if checkDone then
    -- Envelopes written by this engine start with their id; others are checked by the worker.
    local id = string.match(job, '^{"id":"([^"\\]+)"')
    if id and (redis.call("SISMEMBER", doneCurrent, id) == 1 or redis.call("SISMEMBER", donePrevious, id) == 1) then
      isDuplicate = true
    end
  end
  if isDuplicate then duplicates = duplicates + 1 else fresh[#fresh + 1] = job end
end
if duplicates > 0 then redis.call("HINCRBY", statsKey, "duplicates", duplicates) end
if #fresh > 0 then redis.call("RPUSH", activeKey, unpack(fresh)) end
return fresh
