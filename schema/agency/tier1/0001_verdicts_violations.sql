-- agency/tier1: council verdicts and CAWS violations. Both reference tasks(id) by a seed FOREIGN
-- KEY, so they live beside tasks in tier 1. DECIMAL(3,2) -> REAL CHECKed to 0..1, JSONB -> JSON
-- text with json_valid, BOOLEAN -> 0/1.
CREATE TABLE IF NOT EXISTS council_verdicts (
    id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    task_id TEXT NOT NULL REFERENCES tasks(id),
    judge_type VARCHAR(50) NOT NULL CHECK (length(judge_type) BETWEEN 1 AND 50),
    verdict VARCHAR(20) NOT NULL CHECK (length(verdict) BETWEEN 1 AND 20),
    confidence_score REAL CHECK (confidence_score IS NULL OR confidence_score BETWEEN 0 AND 1),
    reasoning TEXT,
    evidence TEXT DEFAULT '{}' CHECK (evidence IS NULL OR json_valid(evidence)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE IF NOT EXISTS caws_violations (
    id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    task_id TEXT NOT NULL REFERENCES tasks(id),
    rule VARCHAR(100) NOT NULL CHECK (length(rule) BETWEEN 1 AND 100),
    severity VARCHAR(20) NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
    description TEXT,
    violation_data TEXT DEFAULT '{}' CHECK (violation_data IS NULL OR json_valid(violation_data)),
    resolved INTEGER DEFAULT 0 CHECK (resolved IN (0, 1)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    -- added: when and by whom a violation was resolved
    resolved_at TEXT,
    resolved_by TEXT
);

-- Seed 002 "Indexing Strategy" (council verdicts).
CREATE INDEX IF NOT EXISTS idx_council_verdicts_task_id ON council_verdicts(task_id);
CREATE INDEX IF NOT EXISTS idx_council_verdicts_judge_type ON council_verdicts(judge_type);
-- Added: violations are listed per task and by open/resolved.
CREATE INDEX IF NOT EXISTS idx_caws_violations_task_id ON caws_violations(task_id, resolved);
-- down
DROP TABLE IF EXISTS caws_violations;
DROP TABLE IF EXISTS council_verdicts;
