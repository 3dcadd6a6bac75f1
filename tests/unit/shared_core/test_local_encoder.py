"""The sentence-transformers encoder: offline by default, a clear error without the extra."""

from __future__ import annotations

import sys
import types
from typing import ClassVar

import numpy as np
import pytest

from shared_core import Router
from shared_core.classifiers.local_encoder import SentenceTransformerEncoder
from shared_core.errors import ConfigError


class _FakeST:
    """Stands in for sentence_transformers.SentenceTransformer (no weights here)."""

    calls: ClassVar[list[dict]] = []

    def __init__(self, name, device="cpu", local_files_only=False):
        _FakeST.calls.append({"name": name, "device": device, "local_files_only": local_files_only})

    def encode(self, texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True,
               show_progress_bar=False):
        out = np.array([[len(t), t.count("code"), 1.0] for t in texts], dtype=np.float64)
        if normalize_embeddings:
            out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out


def test_loads_from_disk_only_by_default_and_encodes(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers",
                        types.SimpleNamespace(SentenceTransformer=_FakeST))
    enc = SentenceTransformerEncoder("/models/minilm")
    assert _FakeST.calls[-1] == {"name": "/models/minilm", "device": "cpu", "local_files_only": True}
    vecs = enc.encode(["hello", "write code"])
    assert vecs.shape == (2, 3) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0)


def test_missing_extra_is_a_config_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ConfigError, match=r"tier-router\[local\]"):
        SentenceTransformerEncoder("all-MiniLM-L6-v2")


def test_works_as_the_router_encoder_for_embedding_configs():
    enc = SentenceTransformerEncoder(_FakeST("x"))
    config = {
        "mode": "task",
        "tiers": [{"name": "coding", "model": "m1"}, {"name": "chat", "model": "m2"}],
        "classifier": {"type": "embedding", "options": {"examples": {
            "coding": ["code code code please", "fix this code code"],
            "chat": ["hi", "hello there"]}}},
    }
    router = Router(config, encoder=enc)
    assert router.decide("please review my code code code").tier == "coding"
