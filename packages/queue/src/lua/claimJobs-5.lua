--[[
  Moves jobs into the claiming worker's active hash (field = job id, value = the payload exactly as
  it was queued), in one step: a job is always in exactly one place, never only in a worker's
  memory. Takes first whatever the worker's blocking pop (BLMOVE) left in its landing list, then
  up to N jobs from the head of the pending list. Ids already delivered in this or the previous
  de-duplication window, or already held by this worker, are dropped and counted.

  KEYS[1] pending  KEYS[2] active hash (this worker)  KEYS[3] meta  KEYS[4] stats
  KEYS[5] landing list (this worker's BLMOVE target)
  ARGV[1] max jobs from pending  ARGV[2] current done-set key  ARGV[3] previous done-set key
  Returns: -1 when the queue is paused (landed jobs go back to the head of pending),
  else { field1, payload1, field2, payload2, ... }.
]]
local pendingKey, activeKey, metaKey, statsKey, landingKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local maxJobs = tonumber(ARGV[1])
local doneCurrent, donePrevious = ARGV[2], ARGV[3]

if redis.call("HGET", metaKey, "paused") then
  while redis.call("LMOVE", landingKey, pendingKey, "RIGHT", "LEFT") do end
  return -1
end

local checkDone = redis.call("EXISTS", doneCurrent, donePrevious) > 0
local result, duplicates = {}, 0

-- Takes jobs into the active hash; ids already delivered (one SMISMEMBER per done set for the
-- whole claim) or already held are dropped and counted.
local function admit(jobs)
  local ids, delivered = {}, {}
  for i = 1, #jobs do
    -- Envelopes written by this engine start with their id; others are keyed by content.
    ids[i] = string.match(jobs[i], '^{"id":"([^"\\]+)"') or false
  end
  if checkDone then
    local known = {}
    for i = 1, #jobs do if ids[i] then known[#known + 1] = ids[i] end end
    if #known > 0 then
      for _, doneKey in ipairs({ doneCurrent, donePrevious }) do
        local flags = redis.call("SMISMEMBER", doneKey, unpack(known))
        for i = 1, #known do if flags[i] == 1 then delivered[known[i]] = true end end
      end
    end
  end
  for i = 1, #jobs do
    local job, id = jobs[i], ids[i]
    local field = id or ("h:" .. redis.sha1hex(job))
    if (id and delivered[id]) or redis.call("HSETNX", activeKey, field, job) == 0 then
      duplicates = duplicates + 1
    else
      result[#result + 1] = field
      result[#result + 1] = job
    end
  end
end

local landed = redis.call("LRANGE", landingKey, 0, -1)
if #landed > 0 then
  redis.call("DEL", landingKey)
  admit(landed)
end
if maxJobs > 0 then
  local jobs = redis.call("LRANGE", pendingKey, 0, maxJobs - 1)
  if #jobs > 0 then
    redis.call("LTRIM", pendingKey, #jobs, -1)
    admit(jobs)
  end
end
if duplicates > 0 then redis.call("HINCRBY", statsKey, "duplicates", duplicates) end
return result
