--[[
  Adds items to a batch once each, by item key (seed 003's contact ids): an item seen before is
  skipped, so a batch job that runs again after a crash pushes nothing twice. A new item either
  pushes its job to the tail of pending or, without one, is counted failed with its reason. The
  batch total grows by the new items; record, push and count are one step.

  KEYS[1] pending  KEYS[2] batch  KEYS[3] batch items (item -> job id or "")
  KEYS[4] batch failures (item -> reason)  KEYS[5] batches index
  ARGV[1] now (ms)  ARGV[2] ttl (s)  ARGV[3] index cap  ARGV[4] tenant ("" for none)
  ARGV[5] batch id  ARGV[6..] triples: item key, job id ("" when failed), payload or reason
  Returns: {queued, failed, skipped}
]]
local pendingKey, batchKey, itemsKey, failuresKey, indexKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local now, ttl, cap, tenant, batchId = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local queued, failed, skipped = 0, 0, 0
for i = 6, #ARGV, 3 do
  local item, jobId, body = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call("HSETNX", itemsKey, item, jobId) == 0 then
    skipped = skipped + 1
  elseif jobId ~= "" then
    redis.call("RPUSH", pendingKey, body)
    queued = queued + 1
  else
    redis.call("HSET", failuresKey, item, body)
    failed = failed + 1
  end
end
if queued + failed > 0 then redis.call("HINCRBY", batchKey, "total", queued + failed) end
if failed > 0 then redis.call("HINCRBY", batchKey, "failed", failed) end
redis.call("HSETNX", batchKey, "createdAt", now)
if tenant ~= "" then redis.call("HSETNX", batchKey, "tenant", tenant) end
for _, key in ipairs({ batchKey, itemsKey, failuresKey }) do redis.call("EXPIRE", key, ttl) end
redis.call("ZADD", indexKey, "NX", now, batchId)
redis.call("ZREMRANGEBYRANK", indexKey, 0, -cap - 1)
return { queued, failed, skipped }
