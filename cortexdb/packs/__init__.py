"""Opt-in schema packs (``cortexdb.open(home, modules=[...])``) and their Python APIs."""
