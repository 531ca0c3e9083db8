--[[
  Remembers a message's tracking hit of one kind and says whether it is the first. One script in
  place of a MULTI of three commands: a pixel hit of a new message was two thirds Redis protocol.
  The set gets its TTL in the same call as the member, so no seen set is ever left without one.

  KEYS[1] the set that, holding the member already, makes this a repeat (yesterday's day set, or
          the seen set itself for a batch)
  KEYS[2] the seen set the member is added to
  ARGV[1] the member ("o:<job id>" or "c:<job id>")  ARGV[2] the seen set's TTL (seconds)
  Returns: 1 for the message's first hit of this kind, else 0.
]]
local earlier = KEYS[1]
local seen = KEYS[2]
local member = ARGV[1]
local repeated = earlier ~= seen and redis.call("SISMEMBER", earlier, member) == 1
local added = redis.call("SADD", seen, member)
redis.call("EXPIRE", seen, ARGV[2])
if repeated or added == 0 then return 0 end
return 1
