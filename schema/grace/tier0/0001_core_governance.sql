-- grace/tier0: the Grace pack's governance tables (core audit entries, log categories, and the
-- orchestration kernel's system-wide policies). chain_verification and governance_decisions are
-- the governance module's own tables (tier0), reused, not copied. Timestamps are the store's
-- ISO 8601 text (YYYY-MM-DD HH:MM:SS.SSS UTC), so datetime('now', ...) comparisons work.
CREATE TABLE IF NOT EXISTS log_categories (
    category TEXT PRIMARY KEY CHECK (length(category) BETWEEN 1 AND 100),
    description TEXT,
    entry_count INTEGER NOT NULL DEFAULT 0 CHECK (entry_count >= 0),
    last_entry_at TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

-- Grace's audit entries. hash = sha256 of the entry's canonical JSON (written by cortexdb);
-- every insert is audited into audit_log_tier0, whose SHA-256 chain seals it: previous_hash,
-- chain_hash and chain_position are copied from that chain once sealed (NULL -> value, once),
-- and verified is set by db.grace.core.verify(). Append-only: nothing else may change.
CREATE TABLE IF NOT EXISTS audit_logs (
    entry_id TEXT PRIMARY KEY,
    category TEXT NOT NULL REFERENCES log_categories(category),
    data_json TEXT NOT NULL CHECK (json_valid(data_json)),
    transparency_level TEXT NOT NULL DEFAULT 'internal' CHECK (transparency_level IN ('public', 'internal', 'restricted')),
    timestamp TEXT NOT NULL,
    hash TEXT NOT NULL CHECK (length(hash) = 64),
    previous_hash TEXT,
    chain_hash TEXT,
    chain_position INTEGER UNIQUE,
    verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1))
);
CREATE INDEX IF NOT EXISTS idx_audit_logs_category_time ON audit_logs(category, timestamp);
CREATE INDEX IF NOT EXISTS idx_audit_logs_time ON audit_logs(timestamp);
CREATE INDEX IF NOT EXISTS idx_audit_logs_unsealed ON audit_logs(entry_id) WHERE chain_position IS NULL;
CREATE TRIGGER IF NOT EXISTS audit_logs_append_only BEFORE UPDATE ON audit_logs
WHEN NEW.entry_id IS NOT OLD.entry_id OR NEW.category IS NOT OLD.category OR NEW.data_json IS NOT OLD.data_json
  OR NEW.transparency_level IS NOT OLD.transparency_level OR NEW.timestamp IS NOT OLD.timestamp OR NEW.hash IS NOT OLD.hash
  OR (OLD.chain_position IS NOT NULL AND (NEW.chain_position IS NOT OLD.chain_position OR NEW.chain_hash IS NOT OLD.chain_hash
      OR NEW.previous_hash IS NOT OLD.previous_hash))
BEGIN
    SELECT RAISE(ABORT, 'audit_logs is append-only: entries cannot be changed (only sealed once into the audit chain)');
END;
CREATE TRIGGER IF NOT EXISTS audit_logs_no_delete BEFORE DELETE ON audit_logs
BEGIN
    SELECT RAISE(ABORT, 'audit_logs is append-only: entries cannot be deleted');
END;
CREATE TRIGGER IF NOT EXISTS audit_logs_category_stats AFTER INSERT ON audit_logs
BEGIN
    UPDATE log_categories SET entry_count = entry_count + 1, last_entry_at = NEW.timestamp WHERE category = NEW.category;
END;

-- System-wide policies (orchestration kernel): security, governance, performance constraints.
CREATE TABLE IF NOT EXISTS policies (
    policy_id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    policy_type TEXT NOT NULL CHECK (policy_type IN ('security', 'governance', 'performance', 'resilience', 'data')),
    rules_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(rules_json)),
    enforcement TEXT NOT NULL DEFAULT 'enforce' CHECK (enforcement IN ('enforce', 'warn', 'disabled')),
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_policies_type ON policies(policy_type, enforcement);
-- down
DROP TABLE IF EXISTS policies;
DROP TABLE IF EXISTS audit_logs;
DROP TABLE IF EXISTS log_categories;
