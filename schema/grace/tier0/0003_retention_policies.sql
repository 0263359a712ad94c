-- grace/tier0: the Grace system's retention as lifecycle retention policies (db.retention):
--   bronze_raw_events: deleted after the source's retention_days (sources.retention_days, default 365);
--   silver_records: kept indefinitely, record_json zstd-compressed after 90 days;
--   gold tables: kept indefinitely (no policy: retention leaves tables without one alone);
--   processing_metrics: rolled up hourly after 7 days and daily after 30 (weighted by samples).
-- A policy the user already has for one of these tables is left as it is.
INSERT OR IGNORE INTO retention_policies (table_name, tier, action, max_age_days, time_column, condition_json, options_json, description, module)
VALUES ('bronze_raw_events', 'tier2', 'delete', 365, 'ingested_at', '{}',
        '{"age_days_from":{"table":"sources","key":"source_id","column":"retention_days"}}',
        'Grace: raw events are deleted after their source''s retention_days (default 365)', 'grace'),
       ('silver_records', 'tier2', 'compress', 90, 'created_at', '{"compressed":0}',
        '{"column":"record_json","into":"record_zstd","flag":"compressed"}',
        'Grace: silver records are kept indefinitely, compressed (zstd) after 90 days', 'grace'),
       ('processing_metrics', 'tier3', 'downsample', 7, 'timestamp', '{}',
        '{"steps":[[7,"hour"],[30,"day"]],"granularity_column":"granularity","weight":"samples","group_by":["source_id","stage"],"averages":["throughput","error_rate","latency_ms","trust_score"],"sums":["records_in","records_out"]}',
        'Grace: pipeline metrics are aggregated hourly after 7 days and daily after 30', 'grace');
-- down
DELETE FROM retention_policies WHERE module = 'grace';
