-- Sync, local side, tier 3: what changed in the archive since the last push. Each archived row
-- written or removed (an archive run, a restore) appends its key to sync_archive_log in the same
-- transaction; a push replays the log in order against this store's copy on the authority and
-- then drops the entries it sent. Existing archived rows are logged once, so a store's first push
-- sends its whole archive.
CREATE TABLE IF NOT EXISTS sync_archive_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,                       -- JSON array of the row's key columns
    removed INTEGER NOT NULL CHECK (removed IN (0, 1))
);
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_conversations', json_array(conversation_id), 0 FROM archived_conversations;
CREATE TRIGGER IF NOT EXISTS sync_archived_conversations_ins AFTER INSERT ON archived_conversations BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_conversations', json_array(new.conversation_id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_conversations_upd AFTER UPDATE ON archived_conversations BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_conversations', json_array(old.conversation_id), 1 WHERE json_array(old.conversation_id) IS NOT json_array(new.conversation_id);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_conversations', json_array(new.conversation_id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_conversations_del AFTER DELETE ON archived_conversations BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_conversations', json_array(old.conversation_id), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_messages', json_array(id), 0 FROM archived_messages;
CREATE TRIGGER IF NOT EXISTS sync_archived_messages_ins AFTER INSERT ON archived_messages BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_messages', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_messages_upd AFTER UPDATE ON archived_messages BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_messages', json_array(old.id), 1 WHERE json_array(old.id) IS NOT json_array(new.id);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_messages', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_messages_del AFTER DELETE ON archived_messages BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_messages', json_array(old.id), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_conversation_actions', json_array(id), 0 FROM archived_conversation_actions;
CREATE TRIGGER IF NOT EXISTS sync_archived_conversation_actions_ins AFTER INSERT ON archived_conversation_actions BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_conversation_actions', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_conversation_actions_upd AFTER UPDATE ON archived_conversation_actions BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_conversation_actions', json_array(old.id), 1 WHERE json_array(old.id) IS NOT json_array(new.id);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_conversation_actions', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_conversation_actions_del AFTER DELETE ON archived_conversation_actions BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_conversation_actions', json_array(old.id), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_conversation_state_snapshots', json_array(id), 0 FROM archived_conversation_state_snapshots;
CREATE TRIGGER IF NOT EXISTS sync_archived_conversation_state_snapshots_ins AFTER INSERT ON archived_conversation_state_snapshots BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_conversation_state_snapshots', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_conversation_state_snapshots_upd AFTER UPDATE ON archived_conversation_state_snapshots BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_conversation_state_snapshots', json_array(old.id), 1 WHERE json_array(old.id) IS NOT json_array(new.id);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_conversation_state_snapshots', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_conversation_state_snapshots_del AFTER DELETE ON archived_conversation_state_snapshots BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_conversation_state_snapshots', json_array(old.id), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_provenance_links', json_array(id), 0 FROM archived_provenance_links;
CREATE TRIGGER IF NOT EXISTS sync_archived_provenance_links_ins AFTER INSERT ON archived_provenance_links BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_provenance_links', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_provenance_links_upd AFTER UPDATE ON archived_provenance_links BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_provenance_links', json_array(old.id), 1 WHERE json_array(old.id) IS NOT json_array(new.id);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_provenance_links', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_provenance_links_del AFTER DELETE ON archived_provenance_links BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_provenance_links', json_array(old.id), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_workspace_databases', json_array(id), 0 FROM archived_workspace_databases;
CREATE TRIGGER IF NOT EXISTS sync_archived_workspace_databases_ins AFTER INSERT ON archived_workspace_databases BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_workspace_databases', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_workspace_databases_upd AFTER UPDATE ON archived_workspace_databases BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_workspace_databases', json_array(old.id), 1 WHERE json_array(old.id) IS NOT json_array(new.id);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_workspace_databases', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_workspace_databases_del AFTER DELETE ON archived_workspace_databases BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_workspace_databases', json_array(old.id), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_workspace_apis', json_array(id), 0 FROM archived_workspace_apis;
CREATE TRIGGER IF NOT EXISTS sync_archived_workspace_apis_ins AFTER INSERT ON archived_workspace_apis BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_workspace_apis', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_workspace_apis_upd AFTER UPDATE ON archived_workspace_apis BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_workspace_apis', json_array(old.id), 1 WHERE json_array(old.id) IS NOT json_array(new.id);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_workspace_apis', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_workspace_apis_del AFTER DELETE ON archived_workspace_apis BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_workspace_apis', json_array(old.id), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_workspace_frameworks', json_array(id), 0 FROM archived_workspace_frameworks;
CREATE TRIGGER IF NOT EXISTS sync_archived_workspace_frameworks_ins AFTER INSERT ON archived_workspace_frameworks BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_workspace_frameworks', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_workspace_frameworks_upd AFTER UPDATE ON archived_workspace_frameworks BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_workspace_frameworks', json_array(old.id), 1 WHERE json_array(old.id) IS NOT json_array(new.id);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_workspace_frameworks', json_array(new.id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_workspace_frameworks_del AFTER DELETE ON archived_workspace_frameworks BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_workspace_frameworks', json_array(old.id), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_entities', json_array(uuid), 0 FROM archived_graph_entities;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_entities_ins AFTER INSERT ON archived_graph_entities BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_entities', json_array(new.uuid), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_entities_upd AFTER UPDATE ON archived_graph_entities BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_entities', json_array(old.uuid), 1 WHERE json_array(old.uuid) IS NOT json_array(new.uuid);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_entities', json_array(new.uuid), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_entities_del AFTER DELETE ON archived_graph_entities BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_entities', json_array(old.uuid), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_patterns', json_array(entity_uuid), 0 FROM archived_graph_patterns;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_patterns_ins AFTER INSERT ON archived_graph_patterns BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_patterns', json_array(new.entity_uuid), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_patterns_upd AFTER UPDATE ON archived_graph_patterns BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_patterns', json_array(old.entity_uuid), 1 WHERE json_array(old.entity_uuid) IS NOT json_array(new.entity_uuid);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_patterns', json_array(new.entity_uuid), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_patterns_del AFTER DELETE ON archived_graph_patterns BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_patterns', json_array(old.entity_uuid), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_observations', json_array(entity_uuid, content), 0 FROM archived_graph_observations;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_observations_ins AFTER INSERT ON archived_graph_observations BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_observations', json_array(new.entity_uuid, new.content), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_observations_upd AFTER UPDATE ON archived_graph_observations BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_observations', json_array(old.entity_uuid, old.content), 1 WHERE json_array(old.entity_uuid, old.content) IS NOT json_array(new.entity_uuid, new.content);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_observations', json_array(new.entity_uuid, new.content), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_observations_del AFTER DELETE ON archived_graph_observations BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_observations', json_array(old.entity_uuid, old.content), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_tags', json_array(entity_uuid, tag), 0 FROM archived_graph_tags;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_tags_ins AFTER INSERT ON archived_graph_tags BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_tags', json_array(new.entity_uuid, new.tag), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_tags_upd AFTER UPDATE ON archived_graph_tags BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_tags', json_array(old.entity_uuid, old.tag), 1 WHERE json_array(old.entity_uuid, old.tag) IS NOT json_array(new.entity_uuid, new.tag);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_tags', json_array(new.entity_uuid, new.tag), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_tags_del AFTER DELETE ON archived_graph_tags BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_tags', json_array(old.entity_uuid, old.tag), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_relations', json_array(uuid), 0 FROM archived_graph_relations;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_relations_ins AFTER INSERT ON archived_graph_relations BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_relations', json_array(new.uuid), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_relations_upd AFTER UPDATE ON archived_graph_relations BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_relations', json_array(old.uuid), 1 WHERE json_array(old.uuid) IS NOT json_array(new.uuid);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_relations', json_array(new.uuid), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_relations_del AFTER DELETE ON archived_graph_relations BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_relations', json_array(old.uuid), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_workspace_links', json_array(pattern_uuid, relationship_type, object_entity_type, object_entity_id), 0 FROM archived_graph_workspace_links;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_workspace_links_ins AFTER INSERT ON archived_graph_workspace_links BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_workspace_links', json_array(new.pattern_uuid, new.relationship_type, new.object_entity_type, new.object_entity_id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_workspace_links_upd AFTER UPDATE ON archived_graph_workspace_links BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_workspace_links', json_array(old.pattern_uuid, old.relationship_type, old.object_entity_type, old.object_entity_id), 1 WHERE json_array(old.pattern_uuid, old.relationship_type, old.object_entity_type, old.object_entity_id) IS NOT json_array(new.pattern_uuid, new.relationship_type, new.object_entity_type, new.object_entity_id);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_workspace_links', json_array(new.pattern_uuid, new.relationship_type, new.object_entity_type, new.object_entity_id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_workspace_links_del AFTER DELETE ON archived_graph_workspace_links BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_workspace_links', json_array(old.pattern_uuid, old.relationship_type, old.object_entity_type, old.object_entity_id), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_embeddings', json_array(entity_uuid), 0 FROM archived_graph_embeddings;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_embeddings_ins AFTER INSERT ON archived_graph_embeddings BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_embeddings', json_array(new.entity_uuid), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_embeddings_upd AFTER UPDATE ON archived_graph_embeddings BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_graph_embeddings', json_array(old.entity_uuid), 1 WHERE json_array(old.entity_uuid) IS NOT json_array(new.entity_uuid);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_embeddings', json_array(new.entity_uuid), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_graph_embeddings_del AFTER DELETE ON archived_graph_embeddings BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_graph_embeddings', json_array(old.entity_uuid), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_message_embeddings', json_array(message_id), 0 FROM archived_message_embeddings;
CREATE TRIGGER IF NOT EXISTS sync_archived_message_embeddings_ins AFTER INSERT ON archived_message_embeddings BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_message_embeddings', json_array(new.message_id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_message_embeddings_upd AFTER UPDATE ON archived_message_embeddings BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_message_embeddings', json_array(old.message_id), 1 WHERE json_array(old.message_id) IS NOT json_array(new.message_id);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_message_embeddings', json_array(new.message_id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_message_embeddings_del AFTER DELETE ON archived_message_embeddings BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_message_embeddings', json_array(old.message_id), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_langgraph_threads', json_array(thread_id), 0 FROM archived_langgraph_threads;
CREATE TRIGGER IF NOT EXISTS sync_archived_langgraph_threads_ins AFTER INSERT ON archived_langgraph_threads BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_langgraph_threads', json_array(new.thread_id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_langgraph_threads_upd AFTER UPDATE ON archived_langgraph_threads BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_langgraph_threads', json_array(old.thread_id), 1 WHERE json_array(old.thread_id) IS NOT json_array(new.thread_id);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_langgraph_threads', json_array(new.thread_id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_langgraph_threads_del AFTER DELETE ON archived_langgraph_threads BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_langgraph_threads', json_array(old.thread_id), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_langgraph_checkpoints', json_array(thread_id, checkpoint_ns, checkpoint_id), 0 FROM archived_langgraph_checkpoints;
CREATE TRIGGER IF NOT EXISTS sync_archived_langgraph_checkpoints_ins AFTER INSERT ON archived_langgraph_checkpoints BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_langgraph_checkpoints', json_array(new.thread_id, new.checkpoint_ns, new.checkpoint_id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_langgraph_checkpoints_upd AFTER UPDATE ON archived_langgraph_checkpoints BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_langgraph_checkpoints', json_array(old.thread_id, old.checkpoint_ns, old.checkpoint_id), 1 WHERE json_array(old.thread_id, old.checkpoint_ns, old.checkpoint_id) IS NOT json_array(new.thread_id, new.checkpoint_ns, new.checkpoint_id);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_langgraph_checkpoints', json_array(new.thread_id, new.checkpoint_ns, new.checkpoint_id), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_langgraph_checkpoints_del AFTER DELETE ON archived_langgraph_checkpoints BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_langgraph_checkpoints', json_array(old.thread_id, old.checkpoint_ns, old.checkpoint_id), 1);
END;
INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_langgraph_writes', json_array(thread_id, checkpoint_ns, checkpoint_id, task_id, idx), 0 FROM archived_langgraph_writes;
CREATE TRIGGER IF NOT EXISTS sync_archived_langgraph_writes_ins AFTER INSERT ON archived_langgraph_writes BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_langgraph_writes', json_array(new.thread_id, new.checkpoint_ns, new.checkpoint_id, new.task_id, new.idx), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_langgraph_writes_upd AFTER UPDATE ON archived_langgraph_writes BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) SELECT 'archived_langgraph_writes', json_array(old.thread_id, old.checkpoint_ns, old.checkpoint_id, old.task_id, old.idx), 1 WHERE json_array(old.thread_id, old.checkpoint_ns, old.checkpoint_id, old.task_id, old.idx) IS NOT json_array(new.thread_id, new.checkpoint_ns, new.checkpoint_id, new.task_id, new.idx);
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_langgraph_writes', json_array(new.thread_id, new.checkpoint_ns, new.checkpoint_id, new.task_id, new.idx), 0);
END;
CREATE TRIGGER IF NOT EXISTS sync_archived_langgraph_writes_del AFTER DELETE ON archived_langgraph_writes BEGIN
    INSERT INTO sync_archive_log (table_name, row_key, removed) VALUES ('archived_langgraph_writes', json_array(old.thread_id, old.checkpoint_ns, old.checkpoint_id, old.task_id, old.idx), 1);
END;
-- down
DROP TRIGGER IF EXISTS sync_archived_conversations_ins;
DROP TRIGGER IF EXISTS sync_archived_conversations_upd;
DROP TRIGGER IF EXISTS sync_archived_conversations_del;
DROP TRIGGER IF EXISTS sync_archived_messages_ins;
DROP TRIGGER IF EXISTS sync_archived_messages_upd;
DROP TRIGGER IF EXISTS sync_archived_messages_del;
DROP TRIGGER IF EXISTS sync_archived_conversation_actions_ins;
DROP TRIGGER IF EXISTS sync_archived_conversation_actions_upd;
DROP TRIGGER IF EXISTS sync_archived_conversation_actions_del;
DROP TRIGGER IF EXISTS sync_archived_conversation_state_snapshots_ins;
DROP TRIGGER IF EXISTS sync_archived_conversation_state_snapshots_upd;
DROP TRIGGER IF EXISTS sync_archived_conversation_state_snapshots_del;
DROP TRIGGER IF EXISTS sync_archived_provenance_links_ins;
DROP TRIGGER IF EXISTS sync_archived_provenance_links_upd;
DROP TRIGGER IF EXISTS sync_archived_provenance_links_del;
DROP TRIGGER IF EXISTS sync_archived_workspace_databases_ins;
DROP TRIGGER IF EXISTS sync_archived_workspace_databases_upd;
DROP TRIGGER IF EXISTS sync_archived_workspace_databases_del;
DROP TRIGGER IF EXISTS sync_archived_workspace_apis_ins;
DROP TRIGGER IF EXISTS sync_archived_workspace_apis_upd;
DROP TRIGGER IF EXISTS sync_archived_workspace_apis_del;
DROP TRIGGER IF EXISTS sync_archived_workspace_frameworks_ins;
DROP TRIGGER IF EXISTS sync_archived_workspace_frameworks_upd;
DROP TRIGGER IF EXISTS sync_archived_workspace_frameworks_del;
DROP TRIGGER IF EXISTS sync_archived_graph_entities_ins;
DROP TRIGGER IF EXISTS sync_archived_graph_entities_upd;
DROP TRIGGER IF EXISTS sync_archived_graph_entities_del;
DROP TRIGGER IF EXISTS sync_archived_graph_patterns_ins;
DROP TRIGGER IF EXISTS sync_archived_graph_patterns_upd;
DROP TRIGGER IF EXISTS sync_archived_graph_patterns_del;
DROP TRIGGER IF EXISTS sync_archived_graph_observations_ins;
DROP TRIGGER IF EXISTS sync_archived_graph_observations_upd;
DROP TRIGGER IF EXISTS sync_archived_graph_observations_del;
DROP TRIGGER IF EXISTS sync_archived_graph_tags_ins;
DROP TRIGGER IF EXISTS sync_archived_graph_tags_upd;
DROP TRIGGER IF EXISTS sync_archived_graph_tags_del;
DROP TRIGGER IF EXISTS sync_archived_graph_relations_ins;
DROP TRIGGER IF EXISTS sync_archived_graph_relations_upd;
DROP TRIGGER IF EXISTS sync_archived_graph_relations_del;
DROP TRIGGER IF EXISTS sync_archived_graph_workspace_links_ins;
DROP TRIGGER IF EXISTS sync_archived_graph_workspace_links_upd;
DROP TRIGGER IF EXISTS sync_archived_graph_workspace_links_del;
DROP TRIGGER IF EXISTS sync_archived_graph_embeddings_ins;
DROP TRIGGER IF EXISTS sync_archived_graph_embeddings_upd;
DROP TRIGGER IF EXISTS sync_archived_graph_embeddings_del;
DROP TRIGGER IF EXISTS sync_archived_message_embeddings_ins;
DROP TRIGGER IF EXISTS sync_archived_message_embeddings_upd;
DROP TRIGGER IF EXISTS sync_archived_message_embeddings_del;
DROP TRIGGER IF EXISTS sync_archived_langgraph_threads_ins;
DROP TRIGGER IF EXISTS sync_archived_langgraph_threads_upd;
DROP TRIGGER IF EXISTS sync_archived_langgraph_threads_del;
DROP TRIGGER IF EXISTS sync_archived_langgraph_checkpoints_ins;
DROP TRIGGER IF EXISTS sync_archived_langgraph_checkpoints_upd;
DROP TRIGGER IF EXISTS sync_archived_langgraph_checkpoints_del;
DROP TRIGGER IF EXISTS sync_archived_langgraph_writes_ins;
DROP TRIGGER IF EXISTS sync_archived_langgraph_writes_upd;
DROP TRIGGER IF EXISTS sync_archived_langgraph_writes_del;
DROP TABLE IF EXISTS sync_archive_log;
