-- agency/postgres: seed 002's audit_log with its audit triggers on tasks and waivers. Its column
-- names are the seed's; created_at is what the seed's retention function reads. The trigger
-- function records current_user, so it runs with the writer's rights (not SECURITY DEFINER);
-- row-level security (0003) lets each role append rows attributed to itself only.
CREATE TABLE IF NOT EXISTS audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name TEXT NOT NULL,
    operation TEXT NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
    old_values JSONB,
    new_values JSONB,
    user_id TEXT NOT NULL DEFAULT current_user,
    timestamp TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_audit_log_table_time ON audit_log(table_name, created_at);

CREATE OR REPLACE FUNCTION audit_trigger_function() RETURNS trigger AS $$
BEGIN
    INSERT INTO audit_log (table_name, operation, old_values, new_values, user_id, timestamp)
    VALUES (TG_TABLE_NAME, TG_OP,
            CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END,
            CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END,
            current_user, NOW());
    RETURN COALESCE(NEW, OLD);
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS tasks_audit_trigger ON tasks;
CREATE TRIGGER tasks_audit_trigger
    AFTER INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION audit_trigger_function();

DROP TRIGGER IF EXISTS waivers_audit_trigger ON waivers;
CREATE TRIGGER waivers_audit_trigger
    AFTER INSERT OR UPDATE OR DELETE ON waivers
    FOR EACH ROW EXECUTE FUNCTION audit_trigger_function();
-- down
DROP TRIGGER IF EXISTS waivers_audit_trigger ON waivers;
DROP TRIGGER IF EXISTS tasks_audit_trigger ON tasks;
DROP FUNCTION IF EXISTS audit_trigger_function();
DROP TABLE IF EXISTS audit_log;
