"""Governance: per-tier SHA-256 audit chains, immutability, the boundary guard, plugins, declared
authority (roles) and schema drift detection (``cortexdb doctor``)."""
