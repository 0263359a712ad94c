-- grace/tier0: every audit_logs entry is also written to the governance audit chain
-- (audit_log_tier0), which seals it into the SHA-256 chain; always on (no switchboard), since
-- db.grace.core.verify() checks each entry against its chain row.
CREATE TRIGGER IF NOT EXISTS audit_audit_logs_ins AFTER INSERT ON audit_logs
BEGIN
    INSERT INTO audit_log_tier0 (table_name, operation, row_key, old_values, new_values)
    VALUES ('audit_logs', 'INSERT', CAST(NEW.entry_id AS TEXT), NULL,
            json_object('entry_id', NEW.entry_id, 'category', NEW.category, 'data_json', NEW.data_json, 'transparency_level', NEW.transparency_level, 'timestamp', NEW.timestamp, 'hash', NEW.hash, 'previous_hash', NEW.previous_hash, 'chain_hash', NEW.chain_hash, 'chain_position', NEW.chain_position, 'verified', NEW.verified));
END;
-- down
DROP TRIGGER IF EXISTS audit_audit_logs_ins;
