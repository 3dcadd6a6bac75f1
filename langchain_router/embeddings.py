"""Any LangChain ``Embeddings`` as the router's :class:`~shared_core.classifiers.embedding.Encoder`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from shared_core.errors import InputError


class LangChainEncoder:
    """``texts -> (len(texts), dim)`` float32 rows from ``embeddings.embed_documents``.

    ``aencode`` awaits ``aembed_documents`` (LangChain's default runs the sync one in a
    thread). Put a :class:`~shared_core.classifiers.embedding.CachedEncoder` in front (the
    router does) to pay for each distinct text once.
    """

    def __init__(self, embeddings: Embeddings) -> None:
        if not isinstance(embeddings, Embeddings):
            raise InputError(
                f"LangChainEncoder needs a langchain_core Embeddings, got {type(embeddings).__name__}"
            )
        self.embeddings = embeddings

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; one row per text."""
        return _rows(self.embeddings.embed_documents(list(texts)), len(texts))

    async def aencode(self, texts: Sequence[str]) -> np.ndarray:
        """Async twin of :meth:`encode`."""
        return _rows(await self.embeddings.aembed_documents(list(texts)), len(texts))

    def __repr__(self) -> str:
        return f"LangChainEncoder({type(self.embeddings).__name__})"


def _rows(vectors: Sequence[Sequence[float]], n: int) -> np.ndarray:
    arr = np.asarray(vectors, dtype=np.float32)
    if n == 0:
        return arr.reshape(0, arr.shape[1] if arr.ndim == 2 else 0)
    if arr.ndim != 2 or arr.shape[0] != n:
        raise InputError(
            f"embeddings returned shape {arr.shape} for {n} texts; expected ({n}, dim)"
        )
    return arr
