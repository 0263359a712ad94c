-- agency/tier2: signed provenance records and the git commits they link to (git_commits has a
-- seed FOREIGN KEY to provenance_records, so both live in tier 2). provenance_records.task_id is
-- the task's uuid (tasks.id, tier 1): a cross-tier reference by stable key, without a FK.
-- signature is 'hmac-sha256:<key id>:<hex digest>' over the canonical JSON of the signed fields
-- (see cortexdb.packs.agency.signing); git_commit_hash is a full 40-hex SHA-1.
CREATE TABLE IF NOT EXISTS provenance_records (
    verdict_id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL,
    decision_type VARCHAR(50) NOT NULL CHECK (length(decision_type) BETWEEN 1 AND 50),
    decision_data TEXT NOT NULL CHECK (json_valid(decision_data)),
    consensus_score REAL NOT NULL CHECK (consensus_score BETWEEN 0 AND 1),
    judge_verdicts TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(judge_verdicts)),
    caws_compliance TEXT NOT NULL CHECK (json_valid(caws_compliance)),
    claim_verification TEXT CHECK (claim_verification IS NULL OR json_valid(claim_verification)),
    git_commit_hash VARCHAR(40) CHECK (git_commit_hash IS NULL OR (length(git_commit_hash) = 40 AND git_commit_hash NOT GLOB '*[^0-9a-f]*')),
    git_trailer TEXT NOT NULL,
    signature TEXT NOT NULL,
    timestamp TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE IF NOT EXISTS git_commits (
    hash VARCHAR(40) PRIMARY KEY CHECK (length(hash) = 40 AND hash NOT GLOB '*[^0-9a-f]*'),
    author VARCHAR(255) CHECK (author IS NULL OR length(author) <= 255),
    message TEXT,
    timestamp TEXT,
    provenance_record_id TEXT REFERENCES provenance_records(verdict_id),
    created_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

-- Seed 002 "Indexing Strategy" (provenance).
CREATE INDEX IF NOT EXISTS idx_provenance_records_task_id ON provenance_records(task_id);
CREATE INDEX IF NOT EXISTS idx_provenance_records_git_commit_hash ON provenance_records(git_commit_hash);
-- Added: the FK of git_commits is looked up per record.
CREATE INDEX IF NOT EXISTS idx_git_commits_provenance_record_id ON git_commits(provenance_record_id);
-- down
DROP TABLE IF EXISTS git_commits;
DROP TABLE IF EXISTS provenance_records;
