-- governance/postgres: the twin of governance tier0 0002: how many rows a verification found unsealed.
ALTER TABLE chain_verification ADD COLUMN IF NOT EXISTS unsealed BIGINT;

-- down
ALTER TABLE chain_verification DROP COLUMN IF EXISTS unsealed;
