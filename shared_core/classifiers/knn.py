"""A compact nearest-neighbour head over hashed features, blended into a trained router.

The training prompts are kept as :func:`~shared_core.features.sketch` vectors (a seeded
signed count sketch of their hashed n-grams, ``dim`` values each, stored as int8 with a
per-row scale), together with each model's score on them. A prompt's kNN estimate of
a model's quality is the similarity-weighted mean score of its ``k`` most similar
training prompts (weights ``max(cos, 0) ** power``). A :class:`~.trained.TrainedRouter`
blends it with its linear head: ``(1 - weight) * linear + weight * knn``.

Optionally the head also keeps each training prompt's per-model cost (relative to the
dearest model's mean cost) and makes the scores *cost-aware*: with ``cost_weight``
``beta > 0`` a prompt whose neighbours cost a model more than that model's average
(long code answers, long inputs) lowers that model's score by ``beta`` times the
excess, and a cheaper-than-usual one raises it. The per-model price ratio the policy
uses is an average; this carries the per-prompt part of the cost that the text
predicts. Scores then read "predicted quality, net of unusual cost".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ConfigError, DataFormatError
from ..features import SparseBatch
from ..sketch import sketch, sketch_batch

PREFIX = "knn_"
_CHUNK = 512
_ROWS = 1024
"""Stored rows per block of the similarity product (see ``KnnHead._similarities``)."""


def _quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and a float32 scale per row (``row ≈ codes * scale``)."""
    v = np.asarray(vectors, dtype=np.float32)
    scale = np.abs(v).max(axis=1) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    codes = np.clip(np.rint(v / scale[:, None]), -127, 127).astype(np.int8)
    return codes, scale


def _dequantise(codes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    v = codes.astype(np.float32) * np.asarray(scale, dtype=np.float32)[:, None]
    norm = np.sqrt((v * v).sum(axis=1, keepdims=True))
    return v / np.where(norm > 0, norm, 1.0)


class KnnHead:
    """Similarity-weighted mean of the ``k`` nearest training prompts' per-model scores.

    Build it with :meth:`fit` (from a :class:`~shared_core.features.SparseBatch` and a
    score matrix) or :meth:`from_arrays` (a saved file). ``targets`` columns follow the
    router's models. The stored vectors are quantised at fit time, so a loaded head
    predicts exactly what the fitted one did.
    """

    def __init__(
        self,
        codes: np.ndarray,
        scale: np.ndarray,
        targets: np.ndarray,
        *,
        k: int = 40,
        power: float = 3.0,
        weight: float = 0.3,
        dim: int = 256,
        hashes: int = 4,
        seed: int = 1,
        n_buckets: int,
        costs: np.ndarray | None = None,
        cost_weight: float = 0.0,
        mean_costs: np.ndarray | None = None,
    ) -> None:
        if not 0.0 <= float(weight) <= 1.0:
            raise ConfigError(
                f"knn weight must be in [0, 1], got {weight!r}", field="knn.weight", value=weight
            )
        if int(k) < 1:
            raise ConfigError(f"knn k must be at least 1, got {k!r}", field="knn.k", value=k)
        self.codes = np.asarray(codes, dtype=np.int8)
        self.scale = np.asarray(scale, dtype=np.float32).reshape(-1)
        self.targets = np.asarray(targets, dtype=np.float32)
        if self.targets.ndim != 2 or self.codes.shape != (len(self.targets), int(dim)):
            raise DataFormatError(
                "knn",
                f"vectors {self.codes.shape} and targets {self.targets.shape} do not match "
                f"(expected ({len(self.targets)}, {dim}) vectors)",
            )
        if len(self.scale) != len(self.codes) or not len(self.codes):
            raise DataFormatError("knn", f"{len(self.scale)} scales for {len(self.codes)} vectors")
        self.k = min(int(k), len(self.codes))
        self.power = float(power)
        self.weight = float(weight)
        self.dim = int(dim)
        self.hashes = int(hashes)
        self.seed = int(seed)
        self.n_buckets = int(n_buckets)
        self.cost_weight = float(cost_weight)
        self.costs = None if costs is None else np.asarray(costs, dtype=np.float32)
        self.mean_costs = None if mean_costs is None else np.asarray(mean_costs, dtype=np.float64)
        if self.costs is not None:
            if self.costs.shape != self.targets.shape or self.mean_costs is None:
                raise DataFormatError(
                    "knn",
                    f"costs {self.costs.shape} must match targets {self.targets.shape} "
                    "and come with mean_costs",
                )
            if self.mean_costs.shape != (self.targets.shape[1],):
                raise DataFormatError("knn", f"mean_costs has shape {self.mean_costs.shape}")
        elif self.cost_weight:
            raise ConfigError(
                "a cost_weight needs per-row costs (train with knn={'with_costs': True})",
                field="knn.cost_weight",
                value=cost_weight,
            )
        self.vectors = _dequantise(self.codes, self.scale)

    @classmethod
    def fit(
        cls,
        X: SparseBatch,
        scores: np.ndarray,
        *,
        k: int = 40,
        power: float = 3.0,
        weight: float = 0.3,
        dim: int = 256,
        hashes: int = 4,
        seed: int = 1,
        costs: np.ndarray | None = None,
        cost_weight: float = 0.0,
    ) -> KnnHead:
        """Keep the sketches of ``X``'s rows and their ``scores`` (n_rows x n_models).

        ``costs`` (same shape, any currency) are kept relative to the dearest model's
        mean cost, for cost-aware scores (``cost_weight``).
        """
        codes, scale = _quantise(sketch_batch(X, dim, hashes=hashes, seed=seed))
        rel = mean = None
        if costs is not None:
            c = np.asarray(costs, dtype=np.float64)
            top = float(c.mean(axis=0).max()) or 1.0
            rel = (c / top).astype(np.float16).astype(np.float32)
            mean = rel.mean(axis=0, dtype=np.float64)
        return cls(
            codes,
            scale,
            np.asarray(scores, dtype=np.float32),
            k=k,
            power=power,
            weight=weight,
            dim=dim,
            hashes=hashes,
            seed=seed,
            n_buckets=X.dim,
            costs=rel,
            cost_weight=cost_weight,
            mean_costs=mean,
        )

    # -- prediction ---------------------------------------------------------------------
    def _from_sketches(self, Q: np.ndarray) -> np.ndarray:
        """Neighbour means of the targets, then (when kept) of the costs: ``(q, m or 2m)``."""
        Y = self._stacked()
        out = np.empty((len(Q), Y.shape[1]))
        k = self.k
        for a in range(0, len(Q), _CHUNK):
            sim = self._similarities(Q[a : a + _CHUNK])
            if k < sim.shape[1]:
                top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
            else:
                top = np.broadcast_to(np.arange(sim.shape[1]), sim.shape)
            w = np.maximum(np.take_along_axis(sim, top, axis=1), 0.0) ** self.power + 1e-6
            out[a : a + _CHUNK] = np.einsum("qk,qkm->qm", w, Y[top]) / w.sum(axis=1, keepdims=True)
        m = self.targets.shape[1]
        np.clip(out[:, :m], 0.0, 1.0, out=out[:, :m])  # float32 rounding may step past 1
        return out

    def _similarities(self, Q: np.ndarray) -> np.ndarray:
        """``Q @ vectors.T`` over blocks of at most ``_ROWS`` stored rows.

        One large product lets BLAS start its threads, which on a busy two-core host turns
        a 0.1 ms single-prompt lookup into 10-40 ms; blocks stay under that threshold. The
        float64 blocks are made once, so every path computes the same numbers.
        """
        blocks = self.__dict__.get("_blocks")
        if blocks is None or blocks[0] is not self.vectors:
            v = self.vectors
            parts = [np.ascontiguousarray(v[i : i + _ROWS], dtype=np.float64) for i in range(0, len(v), _ROWS)]
            blocks = (v, parts)
            self._blocks = blocks
        parts = blocks[1]
        if len(parts) == 1:
            return np.asarray(Q @ parts[0].T)
        return np.concatenate([Q @ b.T for b in parts], axis=1)

    def _stacked(self) -> np.ndarray:
        """Targets and (when kept) costs side by side, built once per arrays pair."""
        if self.costs is None:
            return self.targets
        hit = getattr(self, "_stack", None)
        if hit is None or hit[0] is not self.targets or hit[1] is not self.costs:
            hit = (self.targets, self.costs, np.hstack([self.targets, self.costs]))
            self._stack = hit
        return hit[2]

    def _blend(self, linear: np.ndarray, est: np.ndarray) -> np.ndarray:
        m = self.targets.shape[1]
        p = (1.0 - self.weight) * linear + self.weight * est[:, :m]
        if self.cost_weight and self.mean_costs is not None:
            p = np.clip(p - self.cost_weight * (est[:, m:] - self.mean_costs), 0.0, 1.0)
        return p

    def blend_sparse(
        self, linear: np.ndarray, indices: np.ndarray, values: np.ndarray
    ) -> np.ndarray:
        """The linear head's scores ``(n_models,)`` for one row, blended with this head."""
        return self._blend(np.atleast_2d(linear), self._estimate_one(indices, values))[0]

    def blend_batch(self, linear: np.ndarray, X: SparseBatch) -> np.ndarray:
        """The linear head's scores ``(n_rows, n_models)``, blended with this head."""
        return self._blend(linear, self._estimate_batch(X))

    def predict_costs_batch(self, X: SparseBatch) -> np.ndarray | None:
        """Neighbours' mean relative cost per model (``None`` without kept costs)."""
        if self.costs is None:
            return None
        return self._estimate_batch(X)[:, self.targets.shape[1] :]

    def _estimate_one(self, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
        q = sketch(
            indices,
            values,
            self.dim,
            n_buckets=self.n_buckets,
            hashes=self.hashes,
            seed=self.seed,
        )
        return self._from_sketches(q[None, :])

    def _estimate_batch(self, X: SparseBatch) -> np.ndarray:
        return self._from_sketches(sketch_batch(X, self.dim, hashes=self.hashes, seed=self.seed))

    def predict_sparse(self, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
        """kNN quality estimate for one sparse feature row, shape ``(n_models,)``."""
        return self._estimate_one(indices, values)[0, : self.targets.shape[1]]

    def predict_batch(self, X: SparseBatch) -> np.ndarray:
        """kNN quality estimates for every row of ``X``, shape ``(n_rows, n_models)``."""
        return self._estimate_batch(X)[:, : self.targets.shape[1]]

    # -- reshaping and persistence ------------------------------------------------------
    def take_models(self, cols: Sequence[int]) -> KnnHead:
        """The same head over a reordering / subset of the models' columns."""
        head = KnnHead.__new__(KnnHead)
        head.__dict__.update(self.__dict__)
        cols = list(cols)
        head.targets = self.targets[:, cols]
        if self.costs is not None and self.mean_costs is not None:
            head.costs = self.costs[:, cols]
            head.mean_costs = self.mean_costs[cols]
        return head

    def config(self) -> dict[str, Any]:
        """Plain-data settings (stored in the router's JSON)."""
        return {
            "k": self.k,
            "power": self.power,
            "weight": round(self.weight, 6),
            "dim": self.dim,
            "hashes": self.hashes,
            "seed": self.seed,
            "rows": len(self.codes),
            "cost_weight": round(self.cost_weight, 6),
        }

    def arrays(self) -> dict[str, np.ndarray]:
        """Arrays for the router's NPZ (int8 vectors, float32 scales, float16 targets)."""
        out: dict[str, np.ndarray] = {
            PREFIX + "codes": self.codes,
            PREFIX + "scale": self.scale,
            PREFIX + "targets": self.targets.astype(np.float16),
        }
        if self.costs is not None and self.mean_costs is not None:
            out[PREFIX + "costs"] = self.costs.astype(np.float16)
            out[PREFIX + "mean_costs"] = self.mean_costs.astype(np.float64)
        return out

    @classmethod
    def from_arrays(
        cls, cfg: dict[str, Any], arrays: dict[str, np.ndarray], n_buckets: int
    ) -> KnnHead:
        """Rebuild a head from :meth:`config` and :meth:`arrays` (as read from a file)."""
        costs = arrays.get(PREFIX + "costs")
        try:
            return cls(
                arrays[PREFIX + "codes"],
                arrays[PREFIX + "scale"],
                arrays[PREFIX + "targets"].astype(np.float32),
                k=int(cfg["k"]),
                power=float(cfg["power"]),
                weight=float(cfg["weight"]),
                dim=int(cfg["dim"]),
                hashes=int(cfg.get("hashes", 4)),
                seed=int(cfg.get("seed", 1)),
                n_buckets=n_buckets,
                costs=None if costs is None else costs.astype(np.float32),
                cost_weight=float(cfg.get("cost_weight", 0.0)),
                mean_costs=arrays.get(PREFIX + "mean_costs"),
            )
        except KeyError as exc:
            raise DataFormatError("knn", f"missing knn field or array {exc}") from None
