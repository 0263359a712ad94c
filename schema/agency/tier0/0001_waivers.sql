-- agency/tier0: quality-gate waivers (governance, so tier 0). Seed 002 types mapped to SQLite:
-- UUID -> uuid text, TEXT[] gates -> a JSON array of strings, TIMESTAMPTZ -> the store's
-- timestamp text (YYYY-MM-DD HH:MM:SS.SSS UTC), VARCHAR(n) -> length CHECKed text.
-- Status: active -> revoked | expired (both final); an active waiver past expires_at is never
-- treated as active (cortexdb compares with its clock) and is marked expired by expire_waivers().
CREATE TABLE IF NOT EXISTS waivers (
    id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    title VARCHAR(255) NOT NULL CHECK (length(title) BETWEEN 1 AND 255),
    reason VARCHAR(100) NOT NULL CHECK (length(reason) BETWEEN 1 AND 100),
    description TEXT NOT NULL,
    gates TEXT NOT NULL CHECK (json_valid(gates) AND json_type(gates) = 'array' AND json_array_length(gates) > 0),
    approved_by VARCHAR(255) NOT NULL CHECK (length(approved_by) BETWEEN 1 AND 255),
    impact_level VARCHAR(20) NOT NULL DEFAULT 'medium' CHECK (impact_level IN ('low', 'medium', 'high', 'critical')),
    mitigation_plan TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'expired', 'revoked')),
    created_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

-- Seed 002 "Indexing Strategy" (waiver system).
CREATE INDEX IF NOT EXISTS idx_waivers_status ON waivers(status);
CREATE INDEX IF NOT EXISTS idx_waivers_expires_at ON waivers(expires_at);
CREATE INDEX IF NOT EXISTS idx_waivers_approved_by ON waivers(approved_by);
-- down
DROP TABLE IF EXISTS waivers;
