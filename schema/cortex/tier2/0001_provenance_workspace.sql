-- Seed 001 tables 13-16: provenance links and workspace discovery.
CREATE TABLE IF NOT EXISTS provenance_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_type TEXT NOT NULL,                   -- file|conversation|pattern|plugin
    source_ref TEXT NOT NULL,                    -- path or id
    target_type TEXT NOT NULL,
    target_ref TEXT NOT NULL,
    relation TEXT NOT NULL,                      -- generated|updated|referenced|archived_from
    confidence REAL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_provenance_source ON provenance_links(source_type, source_ref);
CREATE INDEX IF NOT EXISTS idx_provenance_target ON provenance_links(target_type, target_ref);

CREATE TABLE IF NOT EXISTS workspace_databases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    database_type TEXT NOT NULL,                 -- 'oracle', 'mssql', 'postgresql', 'sqlite', etc.
    connection_string TEXT NOT NULL,
    host TEXT,
    port INTEGER,
    database_name TEXT,
    discovered_at REAL NOT NULL,
    last_verified REAL,
    schemas TEXT,                                -- JSON array of schema names
    table_count INTEGER DEFAULT 0,
    metadata TEXT,                               -- JSON: version, features, etc.
    UNIQUE(database_type, host, port, database_name)
);
CREATE INDEX IF NOT EXISTS idx_workspace_databases_type ON workspace_databases(database_type);
CREATE INDEX IF NOT EXISTS idx_workspace_databases_verified ON workspace_databases(last_verified DESC);

CREATE TABLE IF NOT EXISTS workspace_apis (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    api_type TEXT NOT NULL,                      -- 'rest', 'graphql', 'grpc', 'soap'
    base_url TEXT NOT NULL,
    spec_location TEXT,                          -- Path to OpenAPI/GraphQL schema
    endpoints TEXT,                              -- JSON array of endpoints
    discovered_at REAL NOT NULL,
    last_verified REAL,
    authentication_type TEXT,                    -- 'bearer', 'basic', 'oauth2', 'apikey', 'none'
    metadata TEXT,                               -- JSON: version, rate limits, etc.
    UNIQUE(api_type, base_url)
);
CREATE INDEX IF NOT EXISTS idx_workspace_apis_type ON workspace_apis(api_type);
CREATE INDEX IF NOT EXISTS idx_workspace_apis_verified ON workspace_apis(last_verified DESC);

CREATE TABLE IF NOT EXISTS workspace_frameworks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    framework_type TEXT NOT NULL,                -- 'react', 'angular', 'flask', 'django', 'express', etc.
    version TEXT,
    config_location TEXT,                        -- Path to package.json, requirements.txt, etc.
    components_count INTEGER DEFAULT 0,
    routes_count INTEGER DEFAULT 0,
    discovered_at REAL NOT NULL,
    last_verified REAL,
    metadata TEXT,                               -- JSON: routes, dependencies, build config, etc.
    UNIQUE(framework_type, config_location)
);
CREATE INDEX IF NOT EXISTS idx_workspace_frameworks_type ON workspace_frameworks(framework_type);
CREATE INDEX IF NOT EXISTS idx_workspace_frameworks_verified ON workspace_frameworks(last_verified DESC);
-- down
DROP TABLE IF EXISTS workspace_frameworks;
DROP TABLE IF EXISTS workspace_apis;
DROP TABLE IF EXISTS workspace_databases;
DROP TABLE IF EXISTS provenance_links;
