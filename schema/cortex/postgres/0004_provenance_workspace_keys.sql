-- cortex/postgres: the twin of tier2 0008 and tier3 0007: provenance links get a uuid (their stable
-- key across stores; archived links keep it), and workspace discoveries are keyed by their UNIQUE
-- columns with NULLs compared as equal (NULLS NOT DISTINCT, PostgreSQL 15). Archived workspace rows
-- gain the stale marker of their live tables.
ALTER TABLE provenance_links ADD COLUMN IF NOT EXISTS uuid UUID NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX IF NOT EXISTS provenance_links_uuid ON provenance_links(uuid);
ALTER TABLE archived_provenance_links ADD COLUMN IF NOT EXISTS uuid UUID;
ALTER TABLE archived_workspace_databases ADD COLUMN IF NOT EXISTS stale_since DOUBLE PRECISION;
ALTER TABLE archived_workspace_apis ADD COLUMN IF NOT EXISTS stale_since DOUBLE PRECISION;
ALTER TABLE archived_workspace_frameworks ADD COLUMN IF NOT EXISTS stale_since DOUBLE PRECISION;

ALTER TABLE workspace_databases DROP CONSTRAINT IF EXISTS workspace_databases_database_type_host_port_database_name_key;
CREATE UNIQUE INDEX IF NOT EXISTS workspace_databases_key
    ON workspace_databases(database_type, host, port, database_name) NULLS NOT DISTINCT;
ALTER TABLE workspace_apis DROP CONSTRAINT IF EXISTS workspace_apis_api_type_base_url_key;
CREATE UNIQUE INDEX IF NOT EXISTS workspace_apis_key ON workspace_apis(api_type, base_url) NULLS NOT DISTINCT;
ALTER TABLE workspace_frameworks DROP CONSTRAINT IF EXISTS workspace_frameworks_framework_type_config_location_key;
CREATE UNIQUE INDEX IF NOT EXISTS workspace_frameworks_key
    ON workspace_frameworks(framework_type, config_location) NULLS NOT DISTINCT;
