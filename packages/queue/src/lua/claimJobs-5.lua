--[[
  Moves jobs into the claiming worker's active hash (field = job id, value = the payload exactly as
  it was queued), in one step: a job is always in exactly one place, never only in a worker's
  memory. Takes first whatever the worker's blocking pop (BLMOVE) left in its landing list, then
  up to N jobs from the head of the pending list. Ids already delivered in this or the previous
  de-duplication window are dropped and counted.
  A field that was already in the hash (the same job pushed twice and held twice by this worker)
  is only counted here: the worker, which knows what it holds, drops the second copy. That keeps
  this script at one HSET per claim instead of a lookup per job.

  KEYS[1] pending  KEYS[2] active hash (this worker)  KEYS[3] meta  KEYS[4] stats
  KEYS[5] landing list (this worker's BLMOVE target)
  ARGV[1] max jobs from pending  ARGV[2] current done-set key  ARGV[3] previous done-set key
  The field of a job is its id when the payload starts with {"id":"<id>" and the id is printable
  ASCII (so it survives any client's decoding unchanged); otherwise "h:" .. sha1 of the payload.
  The reply leaves out fields the worker can read off the payload itself: at tens of thousands of
  jobs a second, every string in the reply costs the worker an allocation.

  Returns: -1 when the queue is paused (landed jobs go back to the head of pending), else
  { overwritten, n, payload1 .. payloadN, i, field, i, field ... } where overwritten counts fields
  that were already in the active hash, and each (i, field) gives the field of payload i when it
  is not the id at the head of the payload.
]]
local pendingKey, activeKey, metaKey, statsKey, landingKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local maxJobs = tonumber(ARGV[1])
local doneCurrent, donePrevious = ARGV[2], ARGV[3]

if redis.call("HGET", metaKey, "paused") then
  while redis.call("LMOVE", landingKey, pendingKey, "RIGHT", "LEFT") do end
  return -1
end

-- Lua's unpack() stops at a few thousand values: variadic calls go in slices of this many.
local SLICE = 1000
local checkDone = redis.call("EXISTS", doneCurrent, donePrevious) > 0
local overwritten, delivered, payloads, foreign = 0, 0, {}, {}

local function admit(jobs)
  local ids, admitted = {}, {}
  for i = 1, #jobs do
    -- Envelopes written by this engine start with their id; others are keyed by content.
    ids[i] = string.match(jobs[i], '^{"id":"([^"\\%c\128-\255]+)"') or false
  end
  local done = {}
  if checkDone then
    local known = {}
    for i = 1, #jobs do if ids[i] then known[#known + 1] = ids[i] end end
    for _, doneKey in ipairs({ doneCurrent, donePrevious }) do
      for first = 1, #known, SLICE do
        local last = math.min(first + SLICE - 1, #known)
        local flags = redis.call("SMISMEMBER", doneKey, unpack(known, first, last))
        for i = 1, #flags do if flags[i] == 1 then done[known[first + i - 1]] = true end end
      end
    end
  end
  for i = 1, #jobs do
    local id = ids[i]
    if id and done[id] then
      delivered = delivered + 1
    else
      local field = id
      if not field then
        field = "h:" .. redis.sha1hex(jobs[i])
        foreign[#foreign + 1] = #payloads + 1
        foreign[#foreign + 1] = field
      end
      admitted[#admitted + 1] = field
      admitted[#admitted + 1] = jobs[i]
      payloads[#payloads + 1] = jobs[i]
    end
  end
  for first = 1, #admitted, 2 * SLICE do
    local last = math.min(first + 2 * SLICE - 1, #admitted)
    overwritten = overwritten + (last - first + 1) / 2 - redis.call("HSET", activeKey, unpack(admitted, first, last))
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
if delivered > 0 then redis.call("HINCRBY", statsKey, "duplicates", delivered) end
local reply = { overwritten, #payloads }
for i = 1, #payloads do reply[#reply + 1] = payloads[i] end
for i = 1, #foreign do reply[#reply + 1] = foreign[i] end
return reply
