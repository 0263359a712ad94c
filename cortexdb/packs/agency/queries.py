"""Seed 002's queries in SQLite form, to run through ``db.query`` (docs/agency.md shows each
beside the seed's PostgreSQL text). Named parameters are bound, never formatted in."""

from __future__ import annotations

TASKS_BY_STATUS = "SELECT * FROM tasks WHERE status = :status ORDER BY created_at DESC LIMIT 50"
"""Efficient task status queries (``idx_tasks_status``)."""

TASK_PROGRESS = (
    "SELECT task_id, phase, progress_percentage, "
    "LAG(progress_percentage) OVER (PARTITION BY task_id ORDER BY created_at) AS prev_progress "
    "FROM task_progress WHERE task_id = :task_id ORDER BY created_at DESC")
"""Progress tracking with window functions (``:task_id`` is the task's uuid)."""

SLO_COMPLIANCE = (
    "SELECT slo_name, AVG(compliance_percentage) AS avg_compliance, MIN(compliance_percentage) AS min_compliance "
    "FROM slo_measurements WHERE measured_at >= :since GROUP BY slo_name ORDER BY slo_name")
"""SLO compliance; ``:since`` is a timestamp (PostgreSQL's ``NOW() - INTERVAL '24 hours'``), e.g.
``strftime('%Y-%m-%d %H:%M:%f', 'now', '-24 hours')`` from the sqlite3 shell."""

DATABASE_STATUS = "SELECT 1 AS database_status"
"""Connectivity check."""

TABLE_SIZES = (
    "SELECT schema AS schemaname, name AS tablename, sum(pgsize) AS size_bytes FROM dbstat "
    "WHERE schema = :tier AND name NOT LIKE 'sqlite_%' GROUP BY schema, name ORDER BY size_bytes DESC")
"""Table size monitoring: ``dbstat`` (page bytes per table or index of one tier) for
``pg_total_relation_size``."""

__all__ = ["DATABASE_STATUS", "SLO_COMPLIANCE", "TABLE_SIZES", "TASKS_BY_STATUS", "TASK_PROGRESS"]
