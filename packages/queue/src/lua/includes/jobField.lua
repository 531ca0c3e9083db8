-- The field a job is held under, its id (false when it has none) and whether the field is the id
-- at the very head of the payload (then the worker reads it off the payload itself), read from the envelope
-- whatever its spelling: this engine writes {"id":"..." first and Python's json.dumps writes
-- {"id": "..."; anything else (another key order, escapes) is decoded, up to a size bound. An id
-- that is not printable ASCII is keyed by its hash, because a field must come back unchanged
-- through any client's string decoding.
local function jobField(payload, maxDecodeBytes)
  local id = string.match(payload, '^{"id":"([^"\\%c\128-\255]+)"')
  if id then return id, id, true end
  id = string.match(payload, '^%s*{%s*"id"%s*:%s*"([^"\\%c\128-\255]+)"')
  if not id and #payload <= maxDecodeBytes then
    local ok, decoded = pcall(cjson.decode, payload)
    if ok and type(decoded) == "table" and type(decoded.id) == "string" and #decoded.id > 0 then id = decoded.id end
  end
  if not id then return "h:" .. redis.sha1hex(payload), false, false end
  if string.find(id, '^[^"\\%c\128-\255]+$') then return id, id, false end
  return "i:" .. redis.sha1hex(id), id, false
end
