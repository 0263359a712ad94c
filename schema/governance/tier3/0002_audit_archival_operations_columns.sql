-- archival_operations gained op_key, group_name, kind, state (cortex tier3 0002): re-create its
-- audit triggers so the audited row images include them.
DROP TRIGGER IF EXISTS audit_archival_operations_ins;
DROP TRIGGER IF EXISTS audit_archival_operations_upd;
DROP TRIGGER IF EXISTS audit_archival_operations_del;
CREATE TRIGGER IF NOT EXISTS audit_archival_operations_ins AFTER INSERT ON archival_operations
WHEN coalesce((SELECT enabled FROM audited_tables_tier3 WHERE table_name = 'archival_operations'), 1)
BEGIN
    INSERT INTO audit_log_tier3 (table_name, operation, row_key, old_values, new_values)
    VALUES ('archival_operations', 'INSERT', CAST(NEW.id AS TEXT), NULL,
            json_object('id', NEW.id, 'started_at', NEW.started_at, 'completed_at', NEW.completed_at, 'source_tier', NEW.source_tier, 'destination_tier', NEW.destination_tier, 'records_archived', NEW.records_archived, 'space_freed_mb', NEW.space_freed_mb, 'oldest_record_at', NEW.oldest_record_at, 'newest_record_at', NEW.newest_record_at, 'compression_enabled', NEW.compression_enabled, 'status', NEW.status, 'error_message', NEW.error_message, 'op_key', NEW.op_key, 'group_name', NEW.group_name, 'kind', NEW.kind, 'state', NEW.state));
END;
CREATE TRIGGER IF NOT EXISTS audit_archival_operations_upd AFTER UPDATE ON archival_operations
WHEN coalesce((SELECT enabled FROM audited_tables_tier3 WHERE table_name = 'archival_operations'), 1)
BEGIN
    INSERT INTO audit_log_tier3 (table_name, operation, row_key, old_values, new_values)
    VALUES ('archival_operations', 'UPDATE', CAST(NEW.id AS TEXT), json_object('id', OLD.id, 'started_at', OLD.started_at, 'completed_at', OLD.completed_at, 'source_tier', OLD.source_tier, 'destination_tier', OLD.destination_tier, 'records_archived', OLD.records_archived, 'space_freed_mb', OLD.space_freed_mb, 'oldest_record_at', OLD.oldest_record_at, 'newest_record_at', OLD.newest_record_at, 'compression_enabled', OLD.compression_enabled, 'status', OLD.status, 'error_message', OLD.error_message, 'op_key', OLD.op_key, 'group_name', OLD.group_name, 'kind', OLD.kind, 'state', OLD.state),
            json_object('id', NEW.id, 'started_at', NEW.started_at, 'completed_at', NEW.completed_at, 'source_tier', NEW.source_tier, 'destination_tier', NEW.destination_tier, 'records_archived', NEW.records_archived, 'space_freed_mb', NEW.space_freed_mb, 'oldest_record_at', NEW.oldest_record_at, 'newest_record_at', NEW.newest_record_at, 'compression_enabled', NEW.compression_enabled, 'status', NEW.status, 'error_message', NEW.error_message, 'op_key', NEW.op_key, 'group_name', NEW.group_name, 'kind', NEW.kind, 'state', NEW.state));
END;
CREATE TRIGGER IF NOT EXISTS audit_archival_operations_del AFTER DELETE ON archival_operations
WHEN coalesce((SELECT enabled FROM audited_tables_tier3 WHERE table_name = 'archival_operations'), 1)
BEGIN
    INSERT INTO audit_log_tier3 (table_name, operation, row_key, old_values, new_values)
    VALUES ('archival_operations', 'DELETE', CAST(OLD.id AS TEXT), json_object('id', OLD.id, 'started_at', OLD.started_at, 'completed_at', OLD.completed_at, 'source_tier', OLD.source_tier, 'destination_tier', OLD.destination_tier, 'records_archived', OLD.records_archived, 'space_freed_mb', OLD.space_freed_mb, 'oldest_record_at', OLD.oldest_record_at, 'newest_record_at', OLD.newest_record_at, 'compression_enabled', OLD.compression_enabled, 'status', OLD.status, 'error_message', OLD.error_message, 'op_key', OLD.op_key, 'group_name', OLD.group_name, 'kind', OLD.kind, 'state', OLD.state),
            NULL);
END;
-- down
DROP TRIGGER IF EXISTS audit_archival_operations_ins;
DROP TRIGGER IF EXISTS audit_archival_operations_upd;
DROP TRIGGER IF EXISTS audit_archival_operations_del;
CREATE TRIGGER IF NOT EXISTS audit_archival_operations_ins AFTER INSERT ON archival_operations
WHEN coalesce((SELECT enabled FROM audited_tables_tier3 WHERE table_name = 'archival_operations'), 1)
BEGIN
    INSERT INTO audit_log_tier3 (table_name, operation, row_key, old_values, new_values)
    VALUES ('archival_operations', 'INSERT', CAST(NEW.id AS TEXT), NULL,
            json_object('id', NEW.id, 'started_at', NEW.started_at, 'completed_at', NEW.completed_at, 'source_tier', NEW.source_tier, 'destination_tier', NEW.destination_tier, 'records_archived', NEW.records_archived, 'space_freed_mb', NEW.space_freed_mb, 'oldest_record_at', NEW.oldest_record_at, 'newest_record_at', NEW.newest_record_at, 'compression_enabled', NEW.compression_enabled, 'status', NEW.status, 'error_message', NEW.error_message));
END;
CREATE TRIGGER IF NOT EXISTS audit_archival_operations_upd AFTER UPDATE ON archival_operations
WHEN coalesce((SELECT enabled FROM audited_tables_tier3 WHERE table_name = 'archival_operations'), 1)
BEGIN
    INSERT INTO audit_log_tier3 (table_name, operation, row_key, old_values, new_values)
    VALUES ('archival_operations', 'UPDATE', CAST(NEW.id AS TEXT), json_object('id', OLD.id, 'started_at', OLD.started_at, 'completed_at', OLD.completed_at, 'source_tier', OLD.source_tier, 'destination_tier', OLD.destination_tier, 'records_archived', OLD.records_archived, 'space_freed_mb', OLD.space_freed_mb, 'oldest_record_at', OLD.oldest_record_at, 'newest_record_at', OLD.newest_record_at, 'compression_enabled', OLD.compression_enabled, 'status', OLD.status, 'error_message', OLD.error_message),
            json_object('id', NEW.id, 'started_at', NEW.started_at, 'completed_at', NEW.completed_at, 'source_tier', NEW.source_tier, 'destination_tier', NEW.destination_tier, 'records_archived', NEW.records_archived, 'space_freed_mb', NEW.space_freed_mb, 'oldest_record_at', NEW.oldest_record_at, 'newest_record_at', NEW.newest_record_at, 'compression_enabled', NEW.compression_enabled, 'status', NEW.status, 'error_message', NEW.error_message));
END;
CREATE TRIGGER IF NOT EXISTS audit_archival_operations_del AFTER DELETE ON archival_operations
WHEN coalesce((SELECT enabled FROM audited_tables_tier3 WHERE table_name = 'archival_operations'), 1)
BEGIN
    INSERT INTO audit_log_tier3 (table_name, operation, row_key, old_values, new_values)
    VALUES ('archival_operations', 'DELETE', CAST(OLD.id AS TEXT), json_object('id', OLD.id, 'started_at', OLD.started_at, 'completed_at', OLD.completed_at, 'source_tier', OLD.source_tier, 'destination_tier', OLD.destination_tier, 'records_archived', OLD.records_archived, 'space_freed_mb', OLD.space_freed_mb, 'oldest_record_at', OLD.oldest_record_at, 'newest_record_at', OLD.newest_record_at, 'compression_enabled', OLD.compression_enabled, 'status', OLD.status, 'error_message', OLD.error_message),
            NULL);
END;
