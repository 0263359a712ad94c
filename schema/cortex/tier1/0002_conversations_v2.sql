-- Seed 001 "Modified Tables": the CORTEX 2.0 columns, as guarded ALTERs (skipped where the
-- column already exists), and the index for active recent conversations.
ALTER TABLE conversations ADD COLUMN task_status TEXT DEFAULT 'open';  -- open|in_progress|blocked|done
ALTER TABLE conversations ADD COLUMN archived INTEGER DEFAULT 0;       -- moved to Tier 3
ALTER TABLE conversations ADD COLUMN last_action_at TIMESTAMP;         -- most recent agent action
CREATE INDEX IF NOT EXISTS idx_conversations_active ON conversations(archived, last_updated DESC);
-- down
DROP INDEX IF EXISTS idx_conversations_active;
ALTER TABLE conversations DROP COLUMN last_action_at;
ALTER TABLE conversations DROP COLUMN archived;
ALTER TABLE conversations DROP COLUMN task_status;
