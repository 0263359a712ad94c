"""The Grace pack's 81 tables: component, tier and purpose of each (docs/schema.md lists the same).

Four of them are cortexdb's own core tables, reused rather than copied: ``structured_memory``
(module cortex, the TTL memory engine) and ``chain_verification`` / ``governance_decisions``
(module governance, the audit chain). ``audit_logs`` is the pack's, fed into that chain.
"""

from __future__ import annotations

from dataclasses import dataclass

MODULE = "grace"


@dataclass(frozen=True)
class GraceTable:
    """One table of the pack: where it lives and what it is for."""

    name: str
    component: str
    tier: str
    purpose: str
    module: str = MODULE


def _t(component: str, tier: str, rows: str, module: str = MODULE) -> list[GraceTable]:
    out = []
    for line in rows.strip().splitlines():
        name, purpose = (part.strip() for part in line.split("|", 1))
        mod = module
        if name.endswith("*"):
            name, mod = name[:-1], "cortex" if name[:-1] == "structured_memory" else "governance"
        out.append(GraceTable(name, component, tier, purpose, mod))
    return out


TABLES: tuple[GraceTable, ...] = (
    *_t("Core", "tier0", """
audit_logs | Append-only audit entries (category, data, transparency level), sealed into the SHA-256 audit chain
chain_verification* | One row per chain verification (governance module's table)
log_categories | Audit log categories with entry counts and last entry time
governance_decisions* | Immutable governance decisions with risk level (governance module's table)
"""),
    *_t("Core", "tier1", """
structured_memory* | TTL key/value memory with access counting (cortex module's table, db.memory)
instance_states | State and heartbeat of stateful components
"""),
    *_t("Ingress", "tier2", """
bronze_raw_events | Append-only raw events after the PII policy (pii_flags JSON array)
sources | Source registry: kind, auth by secrets_ref, schedule, governance label, PII policy, trust score, retention days
source_health | Current health per source
silver_records | Normalized records with lineage (transforms_json) and PII flags
silver_articles | Article contract fields of a silver record
silver_transcripts | Audio/video transcript contract fields of a silver record
silver_tabular | Tabular contract fields of a silver record
gold_article_topics | Topics extracted from articles, scored 0-1
gold_entity_mentions | Named entities mentioned in records
gold_feature_datasets | ML-ready feature datasets with lineage
validation_failures | Schema/PII/governance/quality failures; blocked events land here
source_trust_history | Trust score changes per source
"""),
    *_t("Ingress", "tier3", """
processing_metrics | Pipeline throughput, error rate and latency per source (raw, hourly, daily rows)
"""),
    *_t("Intelligence", "tier1", """
intel_requests | Inference requests with constraints; high-risk ones need a governance decision
intel_plans | Execution plans: route, ensemble, governance
intel_results | Results with explanation and uncertainties (calibration, variance, entropy)
intel_specialist_reports | Specialist performance reports
intel_experiences | Meta-learning data from requests and outcomes
intel_canary_deployments | Progressive canary rollouts (5/25/50/100 %)
intel_shadow_deployments | Shadow tests with primary/shadow agreement counts
intel_policy_violations | Confidence, calibration and fairness violations
"""),
    *_t("Intelligence", "tier3", """
intel_snapshots | Intelligence kernel state snapshots for rollback
"""),
    *_t("Learning", "tier2", """
datasets | Dataset registry; frozen once a version exists
dataset_versions | Immutable dataset versions (manifest, content hash)
feature_views | Train/serve parity views over a dataset version
label_policies | Labeling rubrics and quality controls
label_tasks | Labeling assignments
labels | Human labels with agreement
active_queries | Active learning queries by strategy
curriculum_specs | Curriculum learning rules
augment_specs | Data augmentation pipelines
augment_applications | Augmentation runs from one version to another
quality_reports | Leakage, bias, drift and coverage reports
weak_labelers | Rule- or model-based weak labelers
weak_predictions | Weak labels per item for weak supervision
learning_experiences | Learning signals for MLT
"""),
    *_t("Learning", "tier3", """
learning_snapshots | Learning kernel state snapshots
"""),
    *_t("Memory", "tier1", """
lightning_memory | Fast TTL cache with access counting
"""),
    *_t("Memory", "tier2", """
fusion_memory | Persistent blobs, zstd-compressed above a threshold, sha256-checked on read
librarian_index | Content/semantic/tag index entries (FTS5 index librarian_index_fts)
"""),
    *_t("Memory", "tier3", """
memory_access_patterns | Reads, writes and misses per key and hour (when recording is enabled)
memory_stats | Memory tier statistics (entries, size, hit rate)
memory_operations | Append-only log of memory operations
memory_snapshots | Memory state snapshots
memory_cleanup_tasks | Scheduled cleanup operations
"""),
    *_t("Orchestration", "tier1", """
orchestration_state | Current state per scope
orchestration_loops | 7-phase loop definitions on cron-like schedules
orchestration_tasks | Task execution with timeout and rollback
state_transitions | State machine transition history
"""),
    *_t("Orchestration", "tier0", """
policies | System-wide security, governance and performance policies
"""),
    *_t("Resilience", "tier1", """
circuit_breakers | Breaker state per component: closed, open, half_open
degradation_policies | Degradation rules per component and level (mild, moderate, severe)
active_degradations | Degradations in force (one open per component)
resilience_incidents | Incident tracking
rate_limits | Rate limiting windows
recovery_actions | Automated recovery attempts per incident
"""),
    *_t("Resilience", "tier3", """
sli_measurements | SLI measurements (latency, availability, error rate) against targets
resilience_snapshots | Resilience state snapshots
"""),
    *_t("MLT Core", "tier2", """
mlt_experiences | Experience signals from training, inference, governance, ops
mlt_insights | Detected drift, bias and calibration patterns
mlt_plans | Improvement plans; executing needs a governance decision
mlt_specialist_reports | Specialist evaluation reports
"""),
    *_t("MLT Core", "tier3", """
mlt_snapshots | MLT state snapshots
"""),
    *_t("MLDL Components", "tier2", """
models | Model registry; development, staging, production (production needs an approval)
model_approvals | Immutable governance approval records
model_deployments | Deployments with traffic percentage
canary_progress | Canary stages 5/25/50/100 per deployment
deployment_rollback_history | Rollbacks with their reason
"""),
    *_t("MLDL Components", "tier3", """
model_metrics | Runtime model metrics
slo_violations | SLO breaches
alerts | Alerts and their state
"""),
    *_t("Communications", "tier1", """
dlq_entries | Failed messages with retry count and backoff
message_dedupe | Message ids seen inside the dedupe window
"""),
    *_t("Common", "tier3", """
snapshots | Unified snapshots of any component
rollback_history | Rollbacks restored from snapshots
"""),
)

COMPONENTS: tuple[str, ...] = tuple(dict.fromkeys(t.component for t in TABLES))
BY_NAME: dict[str, GraceTable] = {t.name: t for t in TABLES}
