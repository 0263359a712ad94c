-- Sync, authority side, second step: provenance links and workspace discoveries flow between
-- stores (cortex 0004 gave them stable keys), and each store's archive (tier 3) is kept here per
-- source store.
-- Provenance links and workspace rows get the change number of their last accepted push
-- (sync_change_seq, shared with the graph; pulls follow it with a cursor of their own) and the
-- store that pushed it. A link end that names a graph entity travels as the entity's key
-- ([namespace, name]) in sync_source_key / sync_target_key; its *_ref holds the authority's id of
-- the entity when the authority has it.
ALTER TABLE provenance_links ADD COLUMN IF NOT EXISTS sync_store_id UUID;
ALTER TABLE provenance_links ADD COLUMN IF NOT EXISTS sync_seq BIGINT;
ALTER TABLE provenance_links ADD COLUMN IF NOT EXISTS sync_source_key JSONB;
ALTER TABLE provenance_links ADD COLUMN IF NOT EXISTS sync_target_key JSONB;
CREATE INDEX IF NOT EXISTS provenance_links_sync_seq ON provenance_links(sync_seq);
ALTER TABLE workspace_databases ADD COLUMN IF NOT EXISTS sync_store_id UUID;
ALTER TABLE workspace_databases ADD COLUMN IF NOT EXISTS sync_seq BIGINT;
CREATE INDEX IF NOT EXISTS workspace_databases_sync_seq ON workspace_databases(sync_seq);
ALTER TABLE workspace_apis ADD COLUMN IF NOT EXISTS sync_store_id UUID;
ALTER TABLE workspace_apis ADD COLUMN IF NOT EXISTS sync_seq BIGINT;
CREATE INDEX IF NOT EXISTS workspace_apis_sync_seq ON workspace_apis(sync_seq);
ALTER TABLE workspace_frameworks ADD COLUMN IF NOT EXISTS sync_store_id UUID;
ALTER TABLE workspace_frameworks ADD COLUMN IF NOT EXISTS sync_seq BIGINT;
CREATE INDEX IF NOT EXISTS workspace_frameworks_sync_seq ON workspace_frameworks(sync_seq);
-- Archived rows are kept per source store: the store's id joins each archived table's key. Rows
-- already there (none are written by anything before this) belong to the nil store.
ALTER TABLE archived_conversations ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_conversations ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_conversations DROP CONSTRAINT IF EXISTS archived_conversations_pkey;
ALTER TABLE archived_conversations ADD PRIMARY KEY (sync_store_id, conversation_id);
ALTER TABLE archived_messages ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_messages ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_messages DROP CONSTRAINT IF EXISTS archived_messages_pkey;
ALTER TABLE archived_messages ADD PRIMARY KEY (sync_store_id, id);
ALTER TABLE archived_conversation_actions ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_conversation_actions ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_conversation_actions DROP CONSTRAINT IF EXISTS archived_conversation_actions_pkey;
ALTER TABLE archived_conversation_actions ADD PRIMARY KEY (sync_store_id, id);
ALTER TABLE archived_conversation_state_snapshots ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_conversation_state_snapshots ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_conversation_state_snapshots DROP CONSTRAINT IF EXISTS archived_conversation_state_snapshots_pkey;
ALTER TABLE archived_conversation_state_snapshots ADD PRIMARY KEY (sync_store_id, id);
ALTER TABLE archived_provenance_links ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_provenance_links ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_provenance_links DROP CONSTRAINT IF EXISTS archived_provenance_links_pkey;
ALTER TABLE archived_provenance_links ADD PRIMARY KEY (sync_store_id, id);
ALTER TABLE archived_workspace_databases ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_workspace_databases ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_workspace_databases DROP CONSTRAINT IF EXISTS archived_workspace_databases_pkey;
ALTER TABLE archived_workspace_databases ADD PRIMARY KEY (sync_store_id, id);
ALTER TABLE archived_workspace_apis ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_workspace_apis ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_workspace_apis DROP CONSTRAINT IF EXISTS archived_workspace_apis_pkey;
ALTER TABLE archived_workspace_apis ADD PRIMARY KEY (sync_store_id, id);
ALTER TABLE archived_workspace_frameworks ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_workspace_frameworks ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_workspace_frameworks DROP CONSTRAINT IF EXISTS archived_workspace_frameworks_pkey;
ALTER TABLE archived_workspace_frameworks ADD PRIMARY KEY (sync_store_id, id);
ALTER TABLE archived_graph_entities ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_graph_entities ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_graph_entities DROP CONSTRAINT IF EXISTS archived_graph_entities_pkey;
ALTER TABLE archived_graph_entities ADD PRIMARY KEY (sync_store_id, uuid);
ALTER TABLE archived_graph_patterns ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_graph_patterns ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_graph_patterns DROP CONSTRAINT IF EXISTS archived_graph_patterns_pkey;
ALTER TABLE archived_graph_patterns ADD PRIMARY KEY (sync_store_id, entity_uuid);
ALTER TABLE archived_graph_observations ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_graph_observations ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_graph_observations DROP CONSTRAINT IF EXISTS archived_graph_observations_pkey;
ALTER TABLE archived_graph_observations ADD PRIMARY KEY (sync_store_id, entity_uuid, content);
ALTER TABLE archived_graph_tags ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_graph_tags ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_graph_tags DROP CONSTRAINT IF EXISTS archived_graph_tags_pkey;
ALTER TABLE archived_graph_tags ADD PRIMARY KEY (sync_store_id, entity_uuid, tag);
ALTER TABLE archived_graph_relations ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_graph_relations ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_graph_relations DROP CONSTRAINT IF EXISTS archived_graph_relations_pkey;
ALTER TABLE archived_graph_relations ADD PRIMARY KEY (sync_store_id, uuid);
ALTER TABLE archived_graph_workspace_links ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_graph_workspace_links ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_graph_workspace_links DROP CONSTRAINT IF EXISTS archived_graph_workspace_links_pkey;
ALTER TABLE archived_graph_workspace_links ADD PRIMARY KEY (sync_store_id, pattern_uuid, relationship_type, object_entity_type, object_entity_id);
ALTER TABLE archived_graph_embeddings ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_graph_embeddings ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_graph_embeddings DROP CONSTRAINT IF EXISTS archived_graph_embeddings_pkey;
ALTER TABLE archived_graph_embeddings ADD PRIMARY KEY (sync_store_id, entity_uuid);
ALTER TABLE archived_message_embeddings ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_message_embeddings ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_message_embeddings DROP CONSTRAINT IF EXISTS archived_message_embeddings_pkey;
ALTER TABLE archived_message_embeddings ADD PRIMARY KEY (sync_store_id, message_id);
ALTER TABLE archived_langgraph_threads ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_langgraph_threads ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_langgraph_threads DROP CONSTRAINT IF EXISTS archived_langgraph_threads_pkey;
ALTER TABLE archived_langgraph_threads ADD PRIMARY KEY (sync_store_id, thread_id);
ALTER TABLE archived_langgraph_checkpoints ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_langgraph_checkpoints ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_langgraph_checkpoints DROP CONSTRAINT IF EXISTS archived_langgraph_checkpoints_pkey;
ALTER TABLE archived_langgraph_checkpoints ADD PRIMARY KEY (sync_store_id, thread_id, checkpoint_ns, checkpoint_id);
ALTER TABLE archived_langgraph_writes ADD COLUMN IF NOT EXISTS sync_store_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE archived_langgraph_writes ALTER COLUMN sync_store_id DROP DEFAULT;
ALTER TABLE archived_langgraph_writes DROP CONSTRAINT IF EXISTS archived_langgraph_writes_pkey;
ALTER TABLE archived_langgraph_writes ADD PRIMARY KEY (sync_store_id, thread_id, checkpoint_ns, checkpoint_id, task_id, idx);
