"""Embeddings both ways: a LlamaIndex ``BaseEmbedding`` as the router's encoder, and the
router's offline :class:`~shared_core.classifiers.embedding.HashingEncoder` as a LlamaIndex
embedding (deterministic, no network, no download: handy for examples and tests)."""

from __future__ import annotations

from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import Field, PrivateAttr


class LlamaIndexEncoder:
    """Any LlamaIndex ``BaseEmbedding`` as a router encoder (``encode`` / ``aencode``).

    Example: ``Router(config, encoder=LlamaIndexEncoder(OpenAIEmbedding()))`` or
    ``RoutedLLM(tiers, config, embed_model=OpenAIEmbedding())`` for ``embedding`` classifiers.
    """

    def __init__(self, embed_model: BaseEmbedding) -> None:
        if not isinstance(embed_model, BaseEmbedding):
            from shared_core.errors import ConfigError

            raise ConfigError(
                f"LlamaIndexEncoder needs a LlamaIndex BaseEmbedding, got {type(embed_model).__name__}",
                field="embed_model",
                value=type(embed_model).__name__,
            )
        self.embed_model = embed_model

    def __repr__(self) -> str:
        return f"LlamaIndexEncoder({type(self.embed_model).__name__}:{self.embed_model.model_name})"

    def encode(self, texts: list[str]) -> np.ndarray:
        """One row per text (query embeddings: the router embeds requests)."""
        rows = (
            [self.embed_model.get_query_embedding(t) for t in texts]
            if len(texts) == 1
            else (self.embed_model.get_text_embedding_batch(list(texts)))
        )
        return np.asarray(rows, dtype=np.float32)

    async def aencode(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            rows = [await self.embed_model.aget_query_embedding(texts[0])]
        else:
            rows = await self.embed_model.aget_text_embedding_batch(list(texts))
        return np.asarray(rows, dtype=np.float32)


def as_encoder(obj: Any) -> Any:
    """A router encoder from a LlamaIndex embedding, or ``obj`` itself if it already encodes."""
    if isinstance(obj, BaseEmbedding):
        return LlamaIndexEncoder(obj)
    return obj


class HashingEmbedding(BaseEmbedding):
    """A deterministic, offline LlamaIndex embedding over hashed word and character n-grams."""

    dim: int = Field(default=256, gt=0, description="Vector size.")
    _encoder: Any = PrivateAttr()

    def __init__(self, dim: int = 256, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", f"hashing-{dim}")
        super().__init__(dim=dim, **kwargs)  # type: ignore[call-arg]
        from shared_core.classifiers.embedding import HashingEncoder

        self._encoder = HashingEncoder(dim=dim)

    @classmethod
    def class_name(cls) -> str:
        return "HashingEmbedding"

    def _vec(self, text: str) -> list[float]:
        return [float(x) for x in self._encoder.encode([text])[0]]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vec(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vec(text)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vec(query)
