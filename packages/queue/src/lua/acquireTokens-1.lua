#!lua flags=allow-oom
--[[
  Token bucket shared by every worker of a rate limit: refills continuously at max per duration,
  grants up to the tokens wanted, and honours a block set after a provider's 429 Retry-After.
  Runs at maxmemory (allow-oom): it rewrites two small fields, and a refused limiter would stop
  the workers that drain the queue.

  KEYS[1] limiter hash (tokens, at, blockedUntil)
  ARGV[1] now ms  ARGV[2] max tokens  ARGV[3] duration ms  ARGV[4] tokens wanted
  Returns: { granted, ms to wait before asking again when none was granted }
]]
local key = KEYS[1]
local now, max, duration, wanted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])

local state = redis.call("HMGET", key, "tokens", "at", "blockedUntil")
local blockedUntil = tonumber(state[3]) or 0
if blockedUntil > now then return { 0, blockedUntil - now } end

local rate = max / duration
local tokens = tonumber(state[1])
local at = tonumber(state[2]) or now
if tokens == nil then tokens = max else tokens = math.min(max, tokens + (now - at) * rate) end

local granted = math.min(wanted, math.floor(tokens))
tokens = tokens - granted
redis.call("HSET", key, "tokens", tostring(tokens), "at", now)
redis.call("PEXPIRE", key, math.ceil(duration * 2) + 1000)
if granted > 0 then return { granted, 0 } end
return { 0, math.ceil((1 - tokens) / rate) }
