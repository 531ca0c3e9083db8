--[[
  Writes finished delivery attempts into the message log in one call: for each message its
  summary hash, timeline and indexes, each with the log's TTL. Attempts that end together (a
  provider batch) share one call, and an index they share (one batch id, one template) is added
  to with one ZADD and trimmed once: a call per message, and three commands per index and
  message, were most of a campaign email's Redis and client cost.

  KEYS[1] the time index (all messages); then per message, in order: its hash, its timeline
  list and the index sorted sets its summary names (at most six): up to 9 keys per message
  ARGV[1] ttl s  ARGV[2] timeline cap  ARGV[3] ids kept per index value
  ARGV[4..] one per message, a JSON array: id, enqueuedAt (ms, the index score, as a string),
  its index count, the summary's field/value strings (an array), its timeline events as JSON
  strings, oldest first (an array). One argument a message rather than thirty: the client's
  cost is per argument.
  Returns: the number of messages written
]]
local allKey = KEYS[1]
local ttl, eventsCap, perIndexCap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])

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

local k = 2
for m = 4, #ARGV do
  local message = cjson.decode(ARGV[m])
  local id, enqueuedAt, indexCount, fields, events = message[1], message[2], message[3], message[4], message[5]
  local messageKey, eventsKey = KEYS[k], KEYS[k + 1]
  redis.call("HSET", messageKey, unpack(fields))
  redis.call("EXPIRE", messageKey, ttl)
  local length = redis.call("RPUSH", eventsKey, unpack(events))
  if length > eventsCap then redis.call("LTRIM", eventsKey, -eventsCap, -1) end
  redis.call("EXPIRE", eventsKey, ttl)
  add(allKey, enqueuedAt, id)
  for i = k + 2, k + 1 + indexCount do add(KEYS[i], enqueuedAt, id) end
  k = k + 2 + indexCount
end

for _, key in ipairs(order) do
  redis.call("ZADD", key, "NX", unpack(members[key]))
  if key ~= allKey then
    redis.call("ZREMRANGEBYRANK", key, 0, -perIndexCap - 1)
    redis.call("EXPIRE", key, ttl)
  end
end
return #ARGV - 3
