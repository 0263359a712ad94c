-- chain_verification records how many audit rows each check found outside the chain (not sealed
-- yet: written outside cortexdb, or since the last seal), so a check never blesses them silently.
ALTER TABLE chain_verification ADD COLUMN unsealed INTEGER;
-- down
ALTER TABLE chain_verification DROP COLUMN unsealed;
