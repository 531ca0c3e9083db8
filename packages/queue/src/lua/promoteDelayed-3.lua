#!lua flags=allow-oom
--[[
  Moves due jobs from the delayed set to the pending list, or to the prioritized lane for a job
  whose envelope carries a priority level (a delayed or retried prioritized job keeps its level).
  Whichever worker runs it first wins; the move happens in one step, so a job is promoted exactly
  once and never early. Runs at maxmemory (allow-oom): it moves jobs, it does not add them.

  KEYS[1] delayed  KEYS[2] pending  KEYS[3] prioritized
  ARGV[1] now ms  ARGV[2] max jobs per call
  Returns: { promoted count, next due score or -1 }
]]
local delayedKey, pendingKey, prioritizedKey = KEYS[1], KEYS[2], KEYS[3]
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[2])

-- include: serverTime
-- include: prioritized

-- Only payloads that mention a priority are decoded; everything else moves as it is.
local function levelOf(payload)
  if not string.find(payload, '"priority"', 1, true) then return nil end
  local ok, job = pcall(cjson.decode, payload)
  if not ok or type(job) ~= "table" then return nil end
  local level = tonumber(job.priority)
  if level and level >= 1 and level <= 10 and level == math.floor(level) then return level end
  return nil
end

local due = redis.call("ZRANGE", delayedKey, "-inf", now, "BYSCORE", "LIMIT", 0, limit)
if #due > 0 then
  redis.call("ZREM", delayedKey, unpack(due))
  local plain, lifted, serverNow = {}, false, nil
  for i = 1, #due do
    local level = levelOf(due[i])
    if level then
      serverNow = serverNow or serverNowMs()
      redis.call("ZADD", prioritizedKey, prioritizedScore(level, serverNow), due[i])
      lifted = true
    else
      plain[#plain + 1] = due[i]
    end
  end
  if #plain > 0 then redis.call("RPUSH", pendingKey, unpack(plain)) end
  if lifted then wakeIdleWorkers(pendingKey, prioritizedKey) end
end
local nextDue = redis.call("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
return { #due, nextDue[2] or "-1" }
