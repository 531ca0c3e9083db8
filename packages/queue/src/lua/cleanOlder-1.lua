#!lua flags=allow-oom
--[[
  Removes the entries older than a cutoff from a newest-first list (the completed history or the
  dead-letter list): they form its tail, so it counts them from the tail and trims once, in one
  step, so an entry pushed meanwhile is never the one removed. An entry's time is the first
  top-level "<field>":<ms> in it, which is where the engine writes it (JSON strings escape their
  quotes, so no string value can fake it); an entry without one is kept.
  Runs at maxmemory (allow-oom): it only frees memory.

  KEYS[1] the list
  ARGV[1] cutoff ms (entries at or before it go)  ARGV[2] time field name  ARGV[3] most to remove
  Returns: the number of entries removed
]]
local listKey = KEYS[1]
local cutoff, field, limit = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local pattern = '"' .. field .. '":(%d+)'
local CHUNK = 200

local length = redis.call("LLEN", listKey)
local old = 0
while old < length and old < limit do
  local last = -1 - old
  local chunk = redis.call("LRANGE", listKey, last - CHUNK + 1, last)
  local stop = false
  for i = #chunk, 1, -1 do
    local at = tonumber(string.match(chunk[i], pattern))
    if not at or at > cutoff or old >= limit then
      stop = true
      break
    end
    old = old + 1
  end
  if stop or #chunk < CHUNK then break end
end
-- LTRIM 0 -1 would keep everything: an all-old list is deleted instead.
if old == length then
  redis.call("DEL", listKey)
elseif old > 0 then
  redis.call("LTRIM", listKey, 0, length - old - 1)
end
return old
