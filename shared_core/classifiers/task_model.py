"""The shipped task-type model: text -> probability of each task type (coding, math, ...).

Read by :class:`~.task.EmbeddedTaskClassifier`; :data:`TYPE_EASE` is the prior ease of each type.
Weights are ``task.json`` + ``task.npz`` under ``shared_core/data/models``, loaded once per process.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataFormatError
from ..features import FeatureExtractor
from .files import WEIGHTS_HASH, read_weights, write_json
from .shipped import MODELS_DIR, _cached
from .trained import dense_rows, read_json_safely, sparse_rows, write_npz

TASK_FORMAT = "tier-router.task-model"
TASK_FILE = "task.json"

# Prior ease of each shipped task type (1 = a small model will do); used by the task
# classifier's callers and kept for configs that refer to it.
TYPE_EASE: dict[str, float] = {
    "knowledge_qa": 0.85,
    "classification": 0.8,
    "extraction": 0.75,
    "rewrite_paraphrase": 0.8,
    "summarization": 0.7,
    "roleplay": 0.65,
    "creative_writing": 0.65,
    "knowledge_mcq": 0.55,
    "constrained_generation": 0.5,
    "coding": 0.35,
    "reasoning_mcq": 0.4,
    "reasoning": 0.25,
    "math": 0.25,
}


class TaskModel:
    """A linear softmax over hashed features: text -> probability per shipped task type."""

    def __init__(
        self,
        types: Sequence[str],
        W: np.ndarray,
        b: np.ndarray,
        features: dict[str, Any],
        temperature: float = 1.0,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.types = list(types)
        self.W = np.asarray(W, dtype=np.float32)
        self.b = np.asarray(b, dtype=np.float64)
        self.features = dict(features)
        self.temperature = float(temperature)
        self.info = dict(info or {})
        self.fx = FeatureExtractor.from_config(self.features)
        if self.W.shape != (self.fx.dim, len(self.types)):
            raise DataFormatError(
                "task model",
                f"W{self.W.shape} does not fit {len(self.types)} types, dim {self.fx.dim}",
            )

    def logits_one(self, text: str) -> np.ndarray:
        idx, val = self.fx.transform_one(text)
        return (val @ self.W[idx] + self.b) / self.temperature

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        z = (self.fx.transform(texts).dot(self.W.astype(np.float64)) + self.b) / self.temperature
        return _softmax(z)

    def save(self, path: str | Path) -> Path:
        p = Path(path)
        npz = p.with_suffix(".npz")
        arrays = {"b": self.b}
        arrays.update(sparse_rows(self.W.astype(np.float16)))
        digest = write_npz(npz, arrays)  # the weights first: the JSON then names their hash
        meta = {
            "format": TASK_FORMAT,
            "version": 1,
            "types": self.types,
            "features": self.features,
            "temperature": self.temperature,
            "weights_file": npz.name,
            WEIGHTS_HASH: digest,
            "info": self.info,
        }
        return write_json(p, meta)

    @classmethod
    def load(cls, path: str | Path) -> TaskModel:
        p = Path(path)
        meta = read_json_safely(p, TASK_FORMAT)
        arrays = read_weights(p, meta)
        W = dense_rows(arrays, int(meta["features"]["dim"]), len(meta["types"]))
        return cls(
            meta["types"],
            W,
            arrays["b"],
            meta["features"],
            meta.get("temperature", 1.0),
            meta.get("info"),
        )


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.atleast_2d(z)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def load_task_model(models_dir: Path | None = None) -> TaskModel:
    return _cached((models_dir or MODELS_DIR) / TASK_FILE, TaskModel.load)
