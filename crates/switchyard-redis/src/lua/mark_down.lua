-- A model marked down by hand: its cooldown key lasts at least ARGV[1] ms
-- (a longer one stays), and every replica is told.
--
-- KEYS[1] the cooldown key; ARGV[1] duration (ms), ARGV[2] the channel,
-- ARGV[3] the model. Returns the time left (ms).
local want = tonumber(ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left < want then
    redis.call('SET', KEYS[1], '1', 'PX', want)
    left = want
end
redis.call('PUBLISH', ARGV[2], 'down ' .. left .. ' ' .. ARGV[3])
return left
