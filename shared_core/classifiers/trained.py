"""The trained-router classifier: a :class:`~.trained_router.TrainedRouter` scoring tiers.

The router itself, its head kinds and its plain-data file format are in :mod:`.trained_router`;
its names (and the file helpers the embedded default shares) are importable from here too.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UnknownModelError
from ..request import Request
from .base import BaseClassifier, Classification
from .files import dense_rows, read_json_safely, read_npz, sparse_rows, write_npz
from .trained_router import FORMAT as FORMAT
from .trained_router import VERSION as VERSION
from .trained_router import Encoder, TrainedRouter, ladder_exponents
from .trained_router import _encode as _encode  # training/train.py imports it from here

__all__ = [
    "Encoder",
    "TrainedRouter",
    "TrainedRouterClassifier",
    "dense_rows",
    "ladder_exponents",
    "read_json_safely",
    "read_npz",
    "sparse_rows",
    "write_npz",
]

logger = logging.getLogger("tier_router")


class TrainedRouterClassifier(BaseClassifier):
    """Scores tiers with a :class:`TrainedRouter`: tiers map to models by order or by name.

    ``tier_models`` maps tier name -> model name; without it, tiers are matched to the
    router's models in order (cheapest first; a length mismatch maps tiers evenly).
    The policy's rule and knob are the config's; the router's own are in ``extra``.
    """

    name = "trained"

    def __init__(self, router: TrainedRouter, tier_models: dict[str, str] | None = None) -> None:
        self.router = router
        self.tier_models = dict(tier_models or {})
        self._labels = []
        self._cols: list[int] = []

    @classmethod
    def from_file(cls, path: str | Path, **kw: Any) -> TrainedRouterClassifier:
        return cls(TrainedRouter.load(path), **kw)

    def bind_labels(self, labels: list[str]) -> TrainedRouterClassifier:
        self._labels = list(labels)
        models = self.router.models
        cols: list[int] = []
        for i, lab in enumerate(labels):
            if lab in self.tier_models:
                m = self.tier_models[lab]
                if m not in models:
                    raise UnknownModelError(m, models, what="model")
                cols.append(models.index(m))
            elif lab in models:
                cols.append(models.index(lab))
            else:
                n = len(labels)
                cols.append(
                    round(i * (len(models) - 1) / max(1, n - 1)) if n > 1 else len(models) - 1
                )
        self._cols = cols
        shared = [lab for lab, c, prev in zip(labels[1:], cols[1:], cols) if c == prev]
        if shared:
            logger.warning(
                "trained router over %d models for %d tiers: tier(s) %s read the same model's "
                "predicted quality as the tier below, so they are never chosen over it; map each "
                "tier to a model with classifier.options.tier_models (tier name -> model name)",
                len(models), len(labels), shared,
            )
        return self

    def _classify(self, request: Request) -> Classification:
        if not self._cols:
            self.bind_labels(list(self.router.models))
        p = self.router.predict_one(request.text)
        vals = np.maximum.accumulate(p[self._cols])  # non-decreasing along the ladder
        scores = {lab: float(v) for lab, v in zip(self._labels, vals)}
        conf = float(np.clip(2 * np.abs(vals - 0.5).min(), 0.0, 1.0))
        return Classification(
            scores=scores,
            confidence=conf,
            classifier=self.name,
            reasons=(
                f"predicted model quality {dict(zip(self.router.models, np.round(p, 3).tolist()))}",
            ),
            extra={"rule": self.router.rule, "knob": self.router.knob},
        )
