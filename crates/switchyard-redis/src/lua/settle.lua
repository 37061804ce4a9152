-- Settles a reservation to the call's actual cost: its hold is released
-- (unless it expired already) and the cost is added to every window the
-- call is charged to now. Once per reservation id: a repeated settle (a
-- retry after a lost reply) changes nothing.
--
-- KEYS[1] the reservation, KEYS[2] reservations by expiry, KEYS[3] the
-- settled marker, KEYS[4..] the windows
-- ARGV[1] the cost (micro-dollars), ARGV[2] how long the marker is kept
-- (ms), then for each window when its key expires (Unix ms; kept a day at
-- least, should the host's clock lag far behind)
-- Returns 1 when settled now, 0 when it was settled before.
if redis.call('EXISTS', KEYS[3]) == 1 then
    return 0
end
local r = redis.call('HMGET', KEYS[1], 'amount', 'windows')
if r[1] then
    for _, w in ipairs(cjson.decode(r[2])) do
        redis.call('HINCRBY', w, 'held', -tonumber(r[1]))
    end
    redis.call('DEL', KEYS[1])
    redis.call('ZREM', KEYS[2], string.sub(KEYS[1], #KEYS[2] + 2))
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 4, #KEYS do
    redis.call('HINCRBY', KEYS[i], 'spent', ARGV[1])
    redis.call('PEXPIREAT', KEYS[i], math.max(tonumber(ARGV[2 + (i - 3)]), now + 86400000))
end
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
return 1
