#!lua flags=allow-oom
--[[
  Moves one dead-letter entry back to the pending list with a fresh attempt count. The entry is
  removed and the job pushed in one step, so a retry can neither lose nor duplicate it.
  Runs at maxmemory (allow-oom): it moves a job, it does not add one.

  KEYS[1] dlq  KEYS[2] pending  KEYS[3] stats
  ARGV[1] dead-letter entry (exact)  ARGV[2] job payload to push
  Returns: 1 when moved, 0 when the entry was no longer there.
]]
local dlqKey, pendingKey, statsKey = KEYS[1], KEYS[2], KEYS[3]
if redis.call("LREM", dlqKey, 1, ARGV[1]) == 0 then return 0 end
redis.call("RPUSH", pendingKey, ARGV[2])
redis.call("HINCRBY", statsKey, "deadRetried", 1)
return 1
