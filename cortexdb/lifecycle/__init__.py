"""Lifecycle: retention, crash-safe archival, cold-storage bundles, maintenance, health review."""
