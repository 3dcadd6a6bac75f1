"""A local sentence-transformers encoder (the ``local`` extra), loaded from disk only.

    pip install 'tier-router[local]'
    enc = SentenceTransformerEncoder("/models/all-MiniLM-L6-v2")      # a folder on disk
    Router(config, encoder=enc)                                      # for `type: embedding`

``local_files_only=True`` by default: nothing is downloaded at run time; point it at a model
folder you have (or pass ``local_files_only=False`` to allow a download, your choice).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError


class SentenceTransformerEncoder:
    """``encode(texts) -> (n, dim)`` float32 over a sentence-transformers model."""

    def __init__(
        self,
        model: str | Any,
        *,
        device: str = "cpu",
        normalize: bool = True,
        batch_size: int = 32,
        local_files_only: bool = True,
    ) -> None:
        self.normalize = normalize
        self.batch_size = batch_size
        if isinstance(model, str):
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError:
                raise ConfigError(
                    "SentenceTransformerEncoder needs the 'local' extra: "
                    "pip install 'tier-router[local]'",
                    field="encoder",
                    value=model,
                ) from None
            model = SentenceTransformer(model, device=device, local_files_only=local_files_only)
        self.model = model

    def encode(self, texts: list[str]) -> np.ndarray:
        vecs = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=self.normalize,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)

    def __repr__(self) -> str:
        return f"SentenceTransformerEncoder({type(self.model).__name__})"
