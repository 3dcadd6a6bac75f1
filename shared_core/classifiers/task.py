"""Task routes from the shipped task-type model (coding / creative / factual / reasoning ...).

The shipped model predicts a task type (coding, math, creative_writing, knowledge_qa ...);
:class:`EmbeddedTaskClassifier` maps those types onto the user's own route labels and
improves with the user's examples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..errors import ConfigError, UnknownModelError
from ..request import Request
from .base import BaseClassifier, Classification
from .embedded import TaskModel, _softmax, load_task_model

DEFAULT_LABEL_MAP: dict[str, tuple[str, ...]] = {
    # shipped task type -> user labels it may stand for, most specific first
    "coding": ("coding", "code", "programming", "technical"),
    "math": ("math", "reasoning", "analysis", "technical"),
    "reasoning": ("reasoning", "analysis", "logic", "math"),
    "reasoning_mcq": ("reasoning", "factual", "knowledge", "qa"),
    "knowledge_qa": ("factual", "knowledge", "qa", "general", "chat"),
    "knowledge_mcq": ("factual", "knowledge", "qa", "general"),
    "creative_writing": ("creative", "writing", "creative_writing", "chat", "general"),
    "roleplay": ("creative", "roleplay", "chat", "general"),
    "constrained_generation": ("creative", "writing", "rewrite", "general"),
    "summarization": ("summarization", "summarize", "summary", "rewrite", "writing", "general"),
    "extraction": ("extraction", "extract", "factual", "general"),
    "classification": ("classification", "classify", "extraction", "factual", "general"),
    "rewrite_paraphrase": ("rewrite", "editing", "paraphrase", "writing", "creative", "general"),
}


class EmbeddedTaskClassifier(BaseClassifier):
    """Task routes (unordered labels) from the shipped task-type model.

    ``labels`` are the user's routes (e.g. coding / creative / factual / reasoning).
    ``label_map`` maps shipped types to them ({"creative_writing": "creative", ...});
    missing entries use :data:`DEFAULT_LABEL_MAP` synonyms, and types that match no
    label spread their probability evenly. ``examples`` ({label: [texts]}) add a
    nearest-centroid head over the same features, blended with the shipped prior
    (weight ``examples_weight``, rising with the number of examples).
    """

    name = "embedded-task"

    def __init__(
        self,
        labels: Sequence[str],
        *,
        label_map: Mapping[str, str] | None = None,
        examples: Mapping[str, Sequence[str]] | None = None,
        examples_weight: float | None = None,
        models_dir: str | Path | None = None,
    ) -> None:
        if not labels:
            raise ConfigError(
                "task classifier needs at least one label", field="labels", value=labels
            )
        self._labels = list(labels)
        self._dir = Path(models_dir) if models_dir else None
        self._label_map = dict(label_map or {})
        for lab in self._label_map.values():
            if lab not in self._labels:
                raise UnknownModelError(lab, self._labels, what="label in label_map")
        self._examples = {k: list(v) for k, v in (examples or {}).items() if v}
        for lab in self._examples:
            if lab not in self._labels:
                raise UnknownModelError(lab, self._labels, what="label in examples")
        self._examples_weight = examples_weight
        self._model: TaskModel | None = None
        self._M: np.ndarray | None = None
        self._centroids: np.ndarray | None = None

    def bind_labels(self, labels: list[str]) -> EmbeddedTaskClassifier:
        self._labels = list(labels)
        self._M = None
        self._centroids = None
        return self

    @property
    def model(self) -> TaskModel:
        if self._model is None:
            self._model = load_task_model(self._dir)
        return self._model

    def _mapping(self) -> np.ndarray:
        """(n_types, n_labels): how each shipped type's probability is shared out."""
        if self._M is not None:
            return self._M
        types, labs = self.model.types, self._labels
        lower = {lab.lower(): j for j, lab in enumerate(labs)}
        M = np.zeros((len(types), len(labs)))
        for i, t in enumerate(types):
            j = None
            if t in self._label_map and self._label_map[t] in labs:
                j = labs.index(self._label_map[t])
            elif t.lower() in lower:
                j = lower[t.lower()]
            else:
                for syn in DEFAULT_LABEL_MAP.get(t, ()):
                    if syn in lower:
                        j = lower[syn]
                        break
            if j is None:
                M[i, :] = 1.0 / len(labs)
            else:
                M[i, j] = 1.0
        self._M = M
        return M

    def _centroid_matrix(self) -> np.ndarray | None:
        if not self._examples:
            return None
        if self._centroids is None:
            fx = self.model.fx
            C = np.zeros((fx.dim, len(self._labels)), dtype=np.float32)
            for lab, texts in self._examples.items():
                j = self._labels.index(lab)
                for t in texts:
                    idx, val = fx.transform_one(t)
                    np.add.at(C[:, j], idx, val)
                C[:, j] /= max(1e-9, float(np.linalg.norm(C[:, j])))
            self._centroids = C
        return self._centroids

    def _blend(self, prior: np.ndarray, sims: np.ndarray | None) -> np.ndarray:
        if sims is None:
            return prior
        has = np.array([lab in self._examples for lab in self._labels])
        sims = np.where(has[None, :], sims, -1.0)
        head = _softmax(sims * 20.0)
        n_ex = sum(len(v) for v in self._examples.values())
        w = (
            self._examples_weight
            if self._examples_weight is not None
            else min(0.8, 0.3 + 0.05 * n_ex)
        )
        return (1.0 - w) * prior + w * head

    def _classify(self, request: Request) -> Classification:
        m = self.model
        idx, val = m.fx.transform_one(request.text)
        p_types = _softmax((val @ m.W[idx] + m.b) / m.temperature)[0]
        prior = p_types @ self._mapping()
        C = self._centroid_matrix()
        sims = None if C is None else (val @ C[idx])[None, :]
        p = self._blend(prior[None, :], sims)[0]
        scores = {lab: float(v) for lab, v in zip(self._labels, p)}
        top = int(np.argmax(p_types))
        srt = np.sort(p)[::-1]
        conf = float(srt[0] - (srt[1] if len(srt) > 1 else 0.0))
        return Classification(
            scores=scores,
            confidence=float(np.clip(0.5 * conf + 0.5 * srt[0], 0, 1)),
            classifier=self.name,
            reasons=(f"task type {m.types[top]} ({p_types[top]:.2f})",),
            extra={"task_type": m.types[top]},
        )

    def predict_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Label probabilities for many texts, shape ``(n, n_labels)``."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(self._labels)))
        m = self.model
        X = m.fx.transform(texts)
        prior = _softmax((X.dot(m.W.astype(np.float64)) + m.b) / m.temperature) @ self._mapping()
        C = self._centroid_matrix()
        sims = None if C is None else X.dot(C.astype(np.float64))
        return self._blend(prior, sims)
