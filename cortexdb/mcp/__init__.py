"""MCP and interop: a drop-in replacement for the reference knowledge-graph memory server
(``cortexdb mcp``), ``memory.jsonl`` import/export, and graph export.

The tool functions, JSONL and export code need only cortexdb; :mod:`cortexdb.mcp.server` needs
the MCP SDK (``pip install 'cortexdb[mcp]'``).
"""

from __future__ import annotations

from .graph_export import FORMATS, export_graph
from .memory_jsonl import ExportReport, ImportReport, LineError, export_memory, import_memory
from .tools import DEFAULT_READ_LIMIT, DEFAULT_SEARCH_LIMIT, MemoryTools

__all__ = [
           "DEFAULT_READ_LIMIT",
           "DEFAULT_SEARCH_LIMIT",
           "FORMATS",
           "ExportReport",
           "ImportReport",
           "LineError",
           "MemoryTools",
           "export_graph",
           "export_memory",
           "import_memory",
]
