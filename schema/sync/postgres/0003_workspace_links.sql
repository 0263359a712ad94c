-- Sync, authority side, third step: pattern -> workspace discovery links (graph_workspace_links)
-- flow between stores by stable keys (the pattern's [namespace, name], the discovery's natural
-- key), landing as the authority's own ids. Each gets the change number of the push that added it
-- and the store that pushed it; they are a union (its UNIQUE constraint takes each once).
ALTER TABLE graph_workspace_links ADD COLUMN IF NOT EXISTS sync_store_id UUID;
ALTER TABLE graph_workspace_links ADD COLUMN IF NOT EXISTS sync_seq BIGINT;
CREATE INDEX IF NOT EXISTS graph_workspace_links_sync_seq ON graph_workspace_links(sync_seq);
