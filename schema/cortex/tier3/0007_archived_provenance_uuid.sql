-- cortex/tier3: archived provenance links keep their stable key (cortex tier2 0008), so an archive
-- moves it with the row and a restore brings it back. Archived workspace rows gain the stale
-- marker their live tables got in tier2 0002 (without it the workspace archive groups refused to
-- move anything).
ALTER TABLE archived_provenance_links ADD COLUMN uuid TEXT;
ALTER TABLE archived_workspace_databases ADD COLUMN stale_since REAL;
ALTER TABLE archived_workspace_apis ADD COLUMN stale_since REAL;
ALTER TABLE archived_workspace_frameworks ADD COLUMN stale_since REAL;
-- down
ALTER TABLE archived_workspace_frameworks DROP COLUMN stale_since;
ALTER TABLE archived_workspace_apis DROP COLUMN stale_since;
ALTER TABLE archived_workspace_databases DROP COLUMN stale_since;
ALTER TABLE archived_provenance_links DROP COLUMN uuid;
