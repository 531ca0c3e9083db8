-- Leases are compared with Redis's own clock, so workers on hosts whose clocks disagree still
-- agree on when a lease has expired.
local function serverNowMs()
  local time = redis.call("TIME")
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
