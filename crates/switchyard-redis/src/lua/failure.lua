-- A failed call to a model. Counts it in a sliding window (a sorted set of
-- failure times, Redis's clock); at the policy's count, cools the model down
-- (a key with a TTL, extended, never shortened) and tells every replica.
--
-- KEYS[1] failures of the model (sorted set), KEYS[2] its cooldown key
-- ARGV[1] failures that cool down, ARGV[2] window (ms), ARGV[3] cooldown
-- (ms), ARGV[4] a unique id for this failure, ARGV[5] the channel,
-- ARGV[6] the model
-- Returns the cooldown's time left (ms), or 0 when the model stays up.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
    return 0
end
redis.call('DEL', KEYS[1])
local cooldown = tonumber(ARGV[3])
local left = redis.call('PTTL', KEYS[2])
if left < cooldown then
    redis.call('SET', KEYS[2], '1', 'PX', cooldown)
    left = cooldown
end
redis.call('PUBLISH', ARGV[5], 'down ' .. left .. ' ' .. ARGV[6])
return left
