-- provenance_links gained its uuid (cortex tier2 0008 rebuilt the table, dropping its triggers):
-- re-create its audit triggers so the audited row images include the uuid.
DROP TRIGGER IF EXISTS audit_provenance_links_ins;
DROP TRIGGER IF EXISTS audit_provenance_links_upd;
DROP TRIGGER IF EXISTS audit_provenance_links_del;
CREATE TRIGGER IF NOT EXISTS audit_provenance_links_ins AFTER INSERT ON provenance_links
WHEN coalesce((SELECT enabled FROM audited_tables_tier2 WHERE table_name = 'provenance_links'), 1)
BEGIN
    INSERT INTO audit_log_tier2 (table_name, operation, row_key, old_values, new_values)
    VALUES ('provenance_links', 'INSERT', CAST(NEW.id AS TEXT), NULL,
            json_object('id', NEW.id, 'uuid', NEW.uuid, 'source_type', NEW.source_type, 'source_ref', NEW.source_ref, 'target_type', NEW.target_type, 'target_ref', NEW.target_ref, 'relation', NEW.relation, 'confidence', NEW.confidence, 'created_at', NEW.created_at));
END;
CREATE TRIGGER IF NOT EXISTS audit_provenance_links_upd AFTER UPDATE ON provenance_links
WHEN coalesce((SELECT enabled FROM audited_tables_tier2 WHERE table_name = 'provenance_links'), 1)
BEGIN
    INSERT INTO audit_log_tier2 (table_name, operation, row_key, old_values, new_values)
    VALUES ('provenance_links', 'UPDATE', CAST(NEW.id AS TEXT), json_object('id', OLD.id, 'uuid', OLD.uuid, 'source_type', OLD.source_type, 'source_ref', OLD.source_ref, 'target_type', OLD.target_type, 'target_ref', OLD.target_ref, 'relation', OLD.relation, 'confidence', OLD.confidence, 'created_at', OLD.created_at),
            json_object('id', NEW.id, 'uuid', NEW.uuid, 'source_type', NEW.source_type, 'source_ref', NEW.source_ref, 'target_type', NEW.target_type, 'target_ref', NEW.target_ref, 'relation', NEW.relation, 'confidence', NEW.confidence, 'created_at', NEW.created_at));
END;
CREATE TRIGGER IF NOT EXISTS audit_provenance_links_del AFTER DELETE ON provenance_links
WHEN coalesce((SELECT enabled FROM audited_tables_tier2 WHERE table_name = 'provenance_links'), 1)
BEGIN
    INSERT INTO audit_log_tier2 (table_name, operation, row_key, old_values, new_values)
    VALUES ('provenance_links', 'DELETE', CAST(OLD.id AS TEXT), json_object('id', OLD.id, 'uuid', OLD.uuid, 'source_type', OLD.source_type, 'source_ref', OLD.source_ref, 'target_type', OLD.target_type, 'target_ref', OLD.target_ref, 'relation', OLD.relation, 'confidence', OLD.confidence, 'created_at', OLD.created_at),
            NULL);
END;
-- down
DROP TRIGGER IF EXISTS audit_provenance_links_ins;
DROP TRIGGER IF EXISTS audit_provenance_links_upd;
DROP TRIGGER IF EXISTS audit_provenance_links_del;
