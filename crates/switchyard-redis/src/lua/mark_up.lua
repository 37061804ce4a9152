-- A model marked up by hand: its cooldown and failures are gone, and every
-- replica is told.
--
-- KEYS[1] the cooldown key, KEYS[2] the failures; ARGV[1] the channel,
-- ARGV[2] the model.
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('PUBLISH', ARGV[1], 'up ' .. ARGV[2])
return 1
