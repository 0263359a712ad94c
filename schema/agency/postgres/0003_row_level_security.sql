-- agency/postgres: seed 002's row-level security made real. The table owner (the role that
-- migrates) is not subject to these policies; every other role is.
--   provenance_access: provenance records are visible and writable only to roles listed in
--     agency_access (the seed calls current_user_has_access() without defining it; this is it).
--   waiver_access: a role sees and changes the waivers it approved, and every active one. (The
--     seed writes current_user(); in PostgreSQL current_user takes no parentheses.)
--   audit_log: RLS on, as the seed says; a role may append rows attributed to itself (the audit
--     triggers run as the writer) and read none; only the owner reads the log.
CREATE TABLE IF NOT EXISTS agency_access (
    role_name TEXT PRIMARY KEY,
    granted_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- Runs as the caller (current_user must be the caller's role), so every role may read the list.
GRANT SELECT ON agency_access TO PUBLIC;

CREATE OR REPLACE FUNCTION current_user_has_access() RETURNS boolean AS $$
    SELECT EXISTS (SELECT 1 FROM agency_access WHERE role_name = current_user);
$$ LANGUAGE sql STABLE;

ALTER TABLE provenance_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE waivers ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS provenance_access ON provenance_records;
CREATE POLICY provenance_access ON provenance_records
    FOR ALL USING (current_user_has_access());

DROP POLICY IF EXISTS waiver_access ON waivers;
CREATE POLICY waiver_access ON waivers
    FOR ALL USING (approved_by = current_user OR status = 'active');

DROP POLICY IF EXISTS audit_log_append ON audit_log;
CREATE POLICY audit_log_append ON audit_log
    FOR INSERT WITH CHECK (user_id = current_user);
-- down
DROP POLICY IF EXISTS audit_log_append ON audit_log;
DROP POLICY IF EXISTS waiver_access ON waivers;
DROP POLICY IF EXISTS provenance_access ON provenance_records;
ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY;
ALTER TABLE waivers DISABLE ROW LEVEL SECURITY;
ALTER TABLE provenance_records DISABLE ROW LEVEL SECURITY;
DROP FUNCTION IF EXISTS current_user_has_access();
DROP TABLE IF EXISTS agency_access;
