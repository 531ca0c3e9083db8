--[[
  Moves up to N jobs from the head of the pending list to the claiming worker's active list, in
  one step: a job is always in exactly one list, never only in a worker's memory.
  Jobs whose id is already in a done set (delivered before, pushed twice) are dropped and counted.

  KEYS[1] pending   KEYS[2] active (this worker)   KEYS[3] meta   KEYS[4] stats
  ARGV[1] max jobs  ARGV[2] current done-set key  ARGV[3] previous done-set key
  ARGV[4] a payload the worker already moved with BLMOVE, to be checked the same way ('' = none)
  Returns: -1 when the queue is paused, else { popped job dropped as duplicate (1/0), claimed payloads... }.
]]
local pendingKey, activeKey, metaKey, statsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local maxJobs = tonumber(ARGV[1])
local doneCurrent, donePrevious, popped = ARGV[2], ARGV[3], ARGV[4]

if redis.call("HGET", metaKey, "paused") then return -1 end

local checkDone = redis.call("EXISTS", doneCurrent, donePrevious) > 0
local function delivered(job)
  if not checkDone then return false end
  -- Envelopes written by this engine start with their id; others are not de-duplicated here.
  local id = string.match(job, '^{"id":"([^"\\]+)"')
  return id ~= nil and (redis.call("SISMEMBER", doneCurrent, id) == 1 or redis.call("SISMEMBER", donePrevious, id) == 1)
end

local result, duplicates = { 0 }, 0
if popped ~= "" and delivered(popped) then
  redis.call("LREM", activeKey, 1, popped)
  result[1] = 1
  duplicates = 1
end

local jobs = redis.call("LRANGE", pendingKey, 0, maxJobs - 1)
if #jobs > 0 then
  redis.call("LTRIM", pendingKey, #jobs, -1)
  local fresh = {}
  for i = 1, #jobs do
    if delivered(jobs[i]) then duplicates = duplicates + 1 else fresh[#fresh + 1] = jobs[i] end
  end
  if #fresh > 0 then
    redis.call("RPUSH", activeKey, unpack(fresh))
    for i = 1, #fresh do result[i + 1] = fresh[i] end
  end
end
if duplicates > 0 then redis.call("HINCRBY", statsKey, "duplicates", duplicates) end
return result
