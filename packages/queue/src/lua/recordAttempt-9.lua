--[[
  Writes one finished delivery attempt into the message log in one call: the summary hash, the
  timeline and the indexes, each with the log's TTL. It replaces a MULTI of about twenty commands,
  whose client-side cost per command was most of the email worker's Redis CPU.

  KEYS[1] the message's hash  KEYS[2] its timeline list  KEYS[3] the time index (all messages)
  KEYS[4..] the index sorted sets its summary names (at most six)
  ARGV[1] job id  ARGV[2] enqueuedAt (ms, the index score)  ARGV[3] ttl s
  ARGV[4] timeline cap  ARGV[5] ids kept per index value
  ARGV[6] f: how many summary field/value pairs follow, ARGV[7..6+2f] the pairs
  then the timeline events (JSON), oldest first
  Returns: the timeline's length before trimming
]]
local messageKey, eventsKey, allKey = KEYS[1], KEYS[2], KEYS[3]
local id, enqueuedAt, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local eventsCap, perIndexCap = tonumber(ARGV[4]), tonumber(ARGV[5])
local fieldCount = tonumber(ARGV[6])

local fieldsEnd = 6 + 2 * fieldCount
redis.call("HSET", messageKey, unpack(ARGV, 7, fieldsEnd))
redis.call("EXPIRE", messageKey, ttl)
local length = redis.call("RPUSH", eventsKey, unpack(ARGV, fieldsEnd + 1, #ARGV))
redis.call("LTRIM", eventsKey, -eventsCap, -1)
redis.call("EXPIRE", eventsKey, ttl)
redis.call("ZADD", allKey, "NX", enqueuedAt, id)
for i = 4, #KEYS do
  redis.call("ZADD", KEYS[i], "NX", enqueuedAt, id)
  redis.call("ZREMRANGEBYRANK", KEYS[i], 0, -perIndexCap - 1)
  redis.call("EXPIRE", KEYS[i], ttl)
end
return length
