--[[
  Writes finished delivery attempts into the message log in one call: for each message its
  summary hash, timeline and indexes, each with the log's TTL. Attempts that end together (a
  provider batch) share one call, and an index they share (one batch id, one template) is added
  to with one ZADD and trimmed once: a call per message, and three commands per index and
  message, were most of a campaign email's Redis and client cost.

  KEYS[1] the time index (all messages); then per message, in order: its hash, its timeline
  list and the index sorted sets its summary names (at most six): up to 9 keys per message
  ARGV[1] ttl s  ARGV[2] timeline cap  ARGV[3] ids kept per index value  ARGV[4] message count
  then per message: id, enqueuedAt (ms, the index score), i: its index count, f: its summary
  field/value pair count, e: its timeline event count, the 2f field/value strings, the e events
  (JSON, oldest first)
  Returns: the number of messages written
]]
local allKey = KEYS[1]
local ttl, eventsCap, perIndexCap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local count = tonumber(ARGV[4])

-- Members per index key, in first-seen order; callers send at most a few hundred messages, far
-- below what unpack() takes.
local members, order = { [allKey] = {} }, { allKey }
local function add(key, score, id)
  local list = members[key]
  if not list then
    list = {}
    members[key] = list
    order[#order + 1] = key
  end
  list[#list + 1] = score
  list[#list + 1] = id
end

local k, a = 2, 5
for _ = 1, count do
  local id, enqueuedAt = ARGV[a], ARGV[a + 1]
  local indexCount, fieldCount, eventCount = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local fieldsStart = a + 5
  local eventsStart = fieldsStart + 2 * fieldCount
  local messageKey, eventsKey = KEYS[k], KEYS[k + 1]
  redis.call("HSET", messageKey, unpack(ARGV, fieldsStart, eventsStart - 1))
  redis.call("EXPIRE", messageKey, ttl)
  local length = redis.call("RPUSH", eventsKey, unpack(ARGV, eventsStart, eventsStart + eventCount - 1))
  if length > eventsCap then redis.call("LTRIM", eventsKey, -eventsCap, -1) end
  redis.call("EXPIRE", eventsKey, ttl)
  add(allKey, enqueuedAt, id)
  for i = k + 2, k + 1 + indexCount do add(KEYS[i], enqueuedAt, id) end
  k = k + 2 + indexCount
  a = eventsStart + eventCount
end

for _, key in ipairs(order) do
  redis.call("ZADD", key, "NX", unpack(members[key]))
  if key ~= allKey then
    redis.call("ZREMRANGEBYRANK", key, 0, -perIndexCap - 1)
    redis.call("EXPIRE", key, ttl)
  end
end
return count
