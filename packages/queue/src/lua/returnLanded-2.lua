#!lua flags=allow-oom
--[[
  Puts whatever a worker's blocking pop (BLMOVE) left in its landing list back at the head of the
  pending list, oldest first. Runs at maxmemory (allow-oom): it moves jobs, it does not add them,
  and a plain LMOVE would be refused there.

  KEYS[1] landing list  KEYS[2] pending
  Returns: how many jobs went back.
]]
local landingKey, pendingKey = KEYS[1], KEYS[2]
local moved = 0
while redis.call("LMOVE", landingKey, pendingKey, "RIGHT", "LEFT") do moved = moved + 1 end
return moved
