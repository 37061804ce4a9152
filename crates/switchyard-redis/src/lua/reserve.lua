-- Reserves a call's worst-case cost against every window of every account
-- it is charged to, unless that would take one past its limit.
--
-- KEYS[1] the reservation (hash), KEYS[2] reservations by expiry (sorted
-- set), KEYS[3] the settled marker, KEYS[4..] the windows (hashes: `spent`
-- and `held`, micro-dollars)
-- ARGV[1] the amount, ARGV[2] the reservation's TTL (ms), then for each
-- window its limit (-1: none) and when its key expires (Unix ms; kept a
-- day at least, should the host's clock lag far behind)
-- Returns {1} when reserved (or already reserved, or settled, under this
-- id: a reservation released before its script ran, after a lost reply,
-- holds nothing), or {0, i, spent, held} for the first window i (1-based)
-- over its limit.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

-- Reservations never settled (a replica died mid-call) release their hold.
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 64)
for _, id in ipairs(expired) do
    local rkey = KEYS[2] .. ':' .. id
    local r = redis.call('HMGET', rkey, 'amount', 'windows')
    if r[1] then
        for _, w in ipairs(cjson.decode(r[2])) do
            redis.call('HINCRBY', w, 'held', -tonumber(r[1]))
        end
    end
    redis.call('DEL', rkey)
    redis.call('ZREM', KEYS[2], id)
end

if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[3]) == 1 then
    return {1}
end
local amount = tonumber(ARGV[1])
local windows = {}
for i = 4, #KEYS do
    local limit = tonumber(ARGV[3 + (i - 4) * 2])
    if limit >= 0 then
        local v = redis.call('HMGET', KEYS[i], 'spent', 'held')
        local spent = tonumber(v[1] or '0')
        local held = tonumber(v[2] or '0')
        if spent + held + amount > limit then
            return {0, i - 3, spent, held}
        end
    end
    windows[#windows + 1] = KEYS[i]
end
for i = 4, #KEYS do
    redis.call('HINCRBY', KEYS[i], 'held', amount)
    redis.call('PEXPIREAT', KEYS[i], math.max(tonumber(ARGV[4 + (i - 4) * 2]), now + 86400000))
end
redis.call('HSET', KEYS[1], 'amount', amount, 'windows', cjson.encode(windows))
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), string.sub(KEYS[1], #KEYS[2] + 2))
return {1}
