-- The prioritized lane: a sorted set scored priority * 1e13 + Redis time (ms), so a lower level
-- runs first and jobs of one level run oldest first (1e13 ms is ~300 years: levels never mix;
-- 10 * 1e13 stays far below 2^53, so scores are exact). Workers idle in BLMOVE on the pending
-- list only, so when that list is empty the lane's best job is moved onto it: that wakes a
-- blocked worker, and it is the job that would have been claimed next anyway.
local function prioritizedScore(priority, nowMs)
  return priority * 1e13 + nowMs
end
local function wakeIdleWorkers(pendingKey, prioritizedKey)
  if redis.call("LLEN", pendingKey) > 0 then return end
  local best = redis.call("ZRANGE", prioritizedKey, 0, 0)
  if best[1] then
    redis.call("ZREM", prioritizedKey, best[1])
    redis.call("RPUSH", pendingKey, best[1])
  end
end
