-- agency/tier0: seed 002's retention functions as lifecycle retention policies (db.retention):
--   cleanup_old_tasks(): finished tasks (completed_at older than 90 days) are marked 'archived';
--     their progress and artifacts go after 90 days (policies of the base module);
--   cleanup_old_metrics(): system_metrics and slo_measurements older than 30 days are deleted;
--   cleanup_old_audit_logs(): audit rows older than a year are reported ('keep'): the audit log is
--     an append-only SHA-256 chain, so rows are never deleted from it.
-- A policy already edited by the user is left as it is (only the base module's 'keep' for tasks
-- is replaced).
INSERT INTO retention_policies (table_name, tier, action, max_age_days, time_column, options_json, description, module)
VALUES ('tasks', 'tier1', 'mark', 90, 'completed_at', '{"set":{"status":"archived"}}',
        'Seed 002: tasks finished more than 90 days ago are marked archived (the status change is audited)', 'agency')
ON CONFLICT (table_name) DO UPDATE SET action = excluded.action, max_age_days = excluded.max_age_days,
    time_column = excluded.time_column, options_json = excluded.options_json, description = excluded.description,
    module = excluded.module
WHERE retention_policies.action = 'keep' AND retention_policies.module = 'cortex';
INSERT OR IGNORE INTO retention_policies (table_name, tier, action, max_age_days, time_column, description, module)
VALUES ('system_metrics', 'tier3', 'delete', 30, 'collected_at', 'Seed 002: metrics are kept 30 days', 'agency'),
       ('slo_measurements', 'tier3', 'delete', 30, 'measured_at', 'Seed 002: SLO measurements are kept 30 days', 'agency'),
       ('audit_log_tier0', 'tier0', 'keep', 365, 'created_at', 'Seed 002: audit rows older than a year are reported; the chain is append-only', 'agency'),
       ('audit_log_tier1', 'tier1', 'keep', 365, 'created_at', 'Seed 002: audit rows older than a year are reported; the chain is append-only', 'agency'),
       ('audit_log_tier2', 'tier2', 'keep', 365, 'created_at', 'Seed 002: audit rows older than a year are reported; the chain is append-only', 'agency'),
       ('audit_log_tier3', 'tier3', 'keep', 365, 'created_at', 'Seed 002: audit rows older than a year are reported; the chain is append-only', 'agency');
-- down
DELETE FROM retention_policies WHERE module = 'agency' AND table_name <> 'tasks';
UPDATE retention_policies SET action = 'keep', max_age_days = NULL, time_column = NULL, options_json = '{}', module = 'cortex',
    description = 'Kept; finished tasks are marked archived (seed 002), their audit rows hold the history'
WHERE table_name = 'tasks' AND module = 'agency';
