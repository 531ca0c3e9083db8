#!lua flags=allow-oom
--[[
  Moves jobs into the claiming worker's active hash (field -> the payload exactly as queued), in
  one step: a job is always in exactly one place, never only in a worker's memory. Takes first
  whatever the worker's blocking pop (BLMOVE) left in its landing list, then up to N jobs from the
  head of the pending list (urgent jobs sit at its head), then, only when pending had fewer than N,
  the best of the prioritized lane (lowest level first): an unprioritized claim pays nothing for
  priorities beyond one ZRANGE of an absent key when the queue runs dry.
  - Fenced: a worker whose lease is gone or expired (by Redis's clock) claims nothing; its landed
    jobs go back to the head of pending.
  - De-duplicated: ids delivered in this or the previous window are dropped and counted.
  - Exclusive: the held hash names the worker holding each field; a copy of a field that a live
    worker (this one included) already holds is dropped and counted, since that worker's copy
    lives on (acked, retried, dead-lettered or recovered). A holder without a live lease is taken
    over.
  Runs at maxmemory (allow-oom): claiming moves memory, it does not add to it, and a queue that
  cannot be drained under OOM never recovers.

  KEYS[1] pending  KEYS[2] active hash (this worker)  KEYS[3] meta  KEYS[4] stats
  KEYS[5] landing list (this worker's BLMOVE target)  KEYS[6] workers (lease zset)  KEYS[7] held
  KEYS[8] prioritized (zset, see includes/prioritized.lua)
  ARGV[1] max jobs from pending  ARGV[2] current done-set key  ARGV[3] previous done-set key
  ARGV[4] worker (lease) id  ARGV[5] largest payload decoded to find its id
  ARGV[6] (optional) next done-set key: a claim sent behind a blocking pop may run after the
  window it was sent in has ended
  Returns: -1 when the queue is paused, -2 when the lease is not live (landed jobs go back to the
  head of pending either way), else { n, payload1 .. payloadN, i, field, i, field ... } where each
  (i, field) gives the field of payload i when it is not an id at the very head of the payload.
]]
local pendingKey, activeKey, metaKey, statsKey, landingKey, workersKey, heldKey, prioritizedKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local maxJobs = tonumber(ARGV[1])
local doneCurrent, donePrevious, workerId, maxDecodeBytes = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])

-- include: serverTime
-- include: jobField

local now = serverNowMs()
local function returnLanded()
  while redis.call("LMOVE", landingKey, pendingKey, "RIGHT", "LEFT") do end
end
local lease = tonumber(redis.call("ZSCORE", workersKey, workerId))
if not lease or lease <= now then
  returnLanded()
  return -2
end
if redis.call("HGET", metaKey, "paused") then
  returnLanded()
  return -1
end

-- A busy queue's held hash sits at a few hundred fields (concurrency plus read-ahead per worker),
-- under hash-max-listpack-entries, where Redis keeps it as a listpack: every HSET, HMGET and HDEL
-- then scans all of it, which measured as most of this script's time. A value longer than
-- hash-max-listpack-value turns the hash into a hashtable for as long as the key exists, so one
-- pad field keeps it there (O(1) per field). Its name holds a control character, which no job
-- field ever does (includes/jobField.lua), so nothing mistakes it for a held job.
redis.call("HSETNX", heldKey, "\1hashtable", string.rep("-", 1024))

-- Lua's unpack() stops at a few thousand values: variadic calls go in slices of this many.
local SLICE = 1000
local doneKeys = { doneCurrent, donePrevious, ARGV[6] }
local checkDone = redis.call("EXISTS", unpack(doneKeys)) > 0
local skipped, payloads, foreign, claimedNow = 0, {}, {}, {}
local liveHolders = {}

local function holderIsLive(holder)
  if liveHolders[holder] == nil then
    local until_ = tonumber(redis.call("ZSCORE", workersKey, holder))
    liveHolders[holder] = until_ ~= nil and until_ > now
  end
  return liveHolders[holder]
end

local function admit(jobs)
  local fields, ids, atHead = {}, {}, {}
  for i = 1, #jobs do fields[i], ids[i], atHead[i] = jobField(jobs[i], maxDecodeBytes) end
  local done = {}
  if checkDone then
    local known = {}
    for i = 1, #jobs do if ids[i] then known[#known + 1] = ids[i] end end
    for _, doneKey in ipairs(doneKeys) do
      for first = 1, #known, SLICE do
        local last = math.min(first + SLICE - 1, #known)
        local flags = redis.call("SMISMEMBER", doneKey, unpack(known, first, last))
        for i = 1, #flags do if flags[i] == 1 then done[known[first + i - 1]] = true end end
      end
    end
  end
  local holders = {}
  for first = 1, #fields, SLICE do
    local found = redis.call("HMGET", heldKey, unpack(fields, first, math.min(first + SLICE - 1, #fields)))
    for i = 1, #found do holders[first + i - 1] = found[i] end
  end
  local admitted, owned = {}, {}
  for i = 1, #jobs do
    local field, holder = fields[i], holders[i]
    local heldElsewhere = claimedNow[field] or (holder and (holder == workerId or holderIsLive(holder)))
    if (ids[i] and done[ids[i]]) or heldElsewhere then
      skipped = skipped + 1
    else
      claimedNow[field] = true
      if not atHead[i] then
        foreign[#foreign + 1] = #payloads + 1
        foreign[#foreign + 1] = field
      end
      admitted[#admitted + 1] = field
      admitted[#admitted + 1] = jobs[i]
      owned[#owned + 1] = field
      owned[#owned + 1] = workerId
      payloads[#payloads + 1] = jobs[i]
    end
  end
  for first = 1, #admitted, 2 * SLICE do
    local last = math.min(first + 2 * SLICE - 1, #admitted)
    redis.call("HSET", activeKey, unpack(admitted, first, last))
    redis.call("HSET", heldKey, unpack(owned, first, last))
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
  if #jobs < maxJobs then
    local lifted = redis.call("ZRANGE", prioritizedKey, 0, maxJobs - #jobs - 1)
    if #lifted > 0 then
      redis.call("ZREMRANGEBYRANK", prioritizedKey, 0, #lifted - 1)
      admit(lifted)
    end
  end
end
if skipped > 0 then redis.call("HINCRBY", statsKey, "duplicates", skipped) end
local reply = { #payloads }
for i = 1, #payloads do reply[#reply + 1] = payloads[i] end
for i = 1, #foreign do reply[#reply + 1] = foreign[i] end
return reply
