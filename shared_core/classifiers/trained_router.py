"""Trained routers: per-model predicted quality from a plain-data file (the classifier over
one is :class:`~.trained.TrainedRouterClassifier`).

A router file is JSON (the description: models, rule, knob, relative costs, feature
settings, head layout) plus an NPZ beside it holding the weights. Loading never
executes code: pickle and unknown formats are refused with
:class:`~shared_core.errors.UnsafeFormatError`, and NPZ arrays load with
``allow_pickle=False``.

Head kinds:

* ``linear``: ``scores = clip(x @ W + b, 0, 1)``, one column per model;
* ``ladder``: one "ease" output ``e`` in [0, 1] (a percentile of predicted ease over
  the training prompts) mapped onto any number of models ordered cheapest first as
  ``e ** gamma_i`` with ``gamma`` falling from 1 (cheapest) to ~0.37 (strongest), so
  scores never decrease along the ladder (see :func:`ladder_exponents`).

A linear head over hashed features may carry a nearest-neighbour part
(:class:`~.knn.KnnHead`), blended as ``(1 - weight) * linear + weight * knn``, and a task
prior (:class:`~.task_prior.TaskPrior`) stacked on the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import ConfigError, DataFormatError, UnknownModelError
from ..features import FeatureExtractor
from .files import (
    MAX_VERSION,
    WEIGHTS_HASH,
    dense_rows,
    read_json_safely,
    read_weights,
    sparse_rows,
    write_json,
    write_npz,
)
from .knn import KnnHead
from .task_prior import TaskPrior

FORMAT = "tier-router.trained-router"
VERSION = 1
"""The version written for routers without a task prior (readable by every release)."""
TASK_PRIOR_VERSION = MAX_VERSION
_RULES = ("threshold", "margin", "utility")


@runtime_checkable
class Encoder(Protocol):
    """Anything that turns texts into a dense ``(n, d)`` array."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def ladder_exponents(n: int) -> np.ndarray:
    """Exponents mapping an ease in [0, 1] onto ``n`` tiers, cheapest first.

    Tier ``i``'s score ``ease ** gamma_i`` crosses 0.5 at an ease falling evenly from
    0.5 (cheapest) to 0.15 (strongest), so with knob 0.5 the cheapest tier takes
    prompts of ease >= 0.5 and each step up takes a slice of harder prompts.
    """
    if n <= 1:
        return np.ones(max(n, 1))
    crossing = 0.5 - 0.35 * np.arange(n) / (n - 1)
    return np.log(0.5) / np.log(crossing)


def _encode(encoder: Any, texts: Sequence[str]) -> np.ndarray:
    fn = encoder.encode if hasattr(encoder, "encode") else encoder
    arr = np.asarray(fn(list(texts)), dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != len(texts):
        raise ConfigError(
            f"encoder returned shape {arr.shape}; expected ({len(texts)}, d)",
            field="encoder",
            value=type(encoder).__name__,
        )
    return arr


def _part(meta: dict[str, Any], key: str, path: Path) -> dict[str, Any] | None:
    """An optional part's settings in a router file (an object, or absent)."""
    cfg = meta.get(key)
    if cfg is not None and not isinstance(cfg, dict):
        raise DataFormatError(str(path), f"'{key}' must be an object, got {cfg!r}")
    return cfg


class TrainedRouter:
    """Predicts each model's quality on a prompt; carries its routing rule and knob.

    ``models`` are ordered cheapest first. ``predict(texts)`` returns an array
    ``(n, len(models))`` in [0, 1]. ``features`` is either a hashed-n-gram config
    (see :class:`~shared_core.features.FeatureExtractor`) or ``{"kind": "encoder",
    "dim": d}``, in which case an ``encoder`` must be given.
    """

    def __init__(
        self,
        models: Sequence[str],
        weights: np.ndarray,
        bias: np.ndarray,
        *,
        features: dict[str, Any],
        head: str = "linear",
        link: str = "identity",
        rule: str = "threshold",
        knob: float = 0.5,
        relative_costs: Sequence[float] | None = None,
        quantiles: np.ndarray | None = None,
        encoder: Encoder | None = None,
        info: dict[str, Any] | None = None,
        knn: KnnHead | None = None,
        task_prior: TaskPrior | None = None,
    ) -> None:
        if not models:
            raise ConfigError("a trained router needs at least one model", field="models", value=[])
        if rule not in _RULES:
            raise ConfigError(
                f"unknown rule {rule!r}; allowed: {', '.join(_RULES)}", field="rule", value=rule
            )
        if head not in ("linear", "ladder"):
            raise ConfigError(
                f"unknown head {head!r}; allowed: linear, ladder", field="head", value=head
            )
        self.models = list(models)
        self.W = np.asarray(weights, dtype=np.float32)
        self.b = np.asarray(bias, dtype=np.float64).reshape(-1)
        self.features = dict(features)
        self.head = head
        if link not in ("identity", "sigmoid"):
            raise ConfigError(
                f"unknown link {link!r}; allowed: identity, sigmoid", field="link", value=link
            )
        self.link = link
        self.rule = rule
        self.knob = round(float(knob), 6)
        n = len(self.models)
        if relative_costs is None:
            relative_costs = [i / max(1, n - 1) for i in range(n)]
        rc = np.asarray(relative_costs, dtype=np.float64)
        if len(rc) != n:
            raise ConfigError(
                f"relative_costs has {len(rc)} values for {n} models",
                field="relative_costs",
                value=list(rc),
            )
        self.relative_costs = [float(c) for c in rc / (rc.max() or 1.0)]
        self.quantiles = None if quantiles is None else np.asarray(quantiles, dtype=np.float64)
        self.info = dict(info or {})
        self.encoder = encoder
        outs = n if head == "linear" else 1
        if task_prior is not None:
            task_prior.check_fits(head, self.features, n)
            outs = task_prior.n_models  # the head scores every model the prior stacks over
        if self.W.ndim != 2 or self.W.shape[1] != outs or len(self.b) != outs:
            raise DataFormatError(
                "weights", f"expected {outs} output column(s), got W{self.W.shape}, b{self.b.shape}"
            )
        self._fx: FeatureExtractor | None = None
        if self.features.get("kind") == "encoder":
            if self.W.shape[0] != int(self.features.get("dim", -1)):
                raise DataFormatError(
                    "weights",
                    f"W has {self.W.shape[0]} rows, encoder dim {self.features.get('dim')}",
                )
        else:
            self._fx = FeatureExtractor.from_config(self.features)
            if self.W.shape[0] != self._fx.dim:
                raise DataFormatError(
                    "weights", f"W has {self.W.shape[0]} rows, feature dim {self._fx.dim}"
                )
        self.task_prior = task_prior
        self.knn = knn
        if knn is not None:
            if self._fx is None or head != "linear":
                raise ConfigError(
                    "a kNN part needs a linear head over hashed features",
                    field="knn",
                    value=head if self._fx is not None else "encoder",
                )
            if knn.targets.shape[1] != outs or knn.n_buckets != self._fx.dim:
                raise DataFormatError(
                    "knn",
                    f"kNN targets cover {knn.targets.shape[1]} models over {knn.n_buckets} "
                    f"buckets; the router has {outs} models over {self._fx.dim}",
                )

    # -- prediction -----------------------------------------------------------------
    def _raw_one(self, text: str) -> np.ndarray:
        if self._fx is None:
            return self._raw_batch([text])[0]
        idx, val = self._fx.transform_one(text)
        return val @ self.W[idx] + self.b

    def _raw_batch(self, texts: Sequence[str]) -> np.ndarray:
        if self._fx is None:
            if self.encoder is None:
                raise ConfigError(
                    "this router was trained on an encoder; pass encoder= when loading it",
                    field="encoder",
                    value=None,
                )
            return _encode(self.encoder, texts) @ self.W + self.b
        return self._fx.transform(texts).dot(self.W.astype(np.float64)) + self.b

    def _finish(self, raw: np.ndarray) -> np.ndarray:
        raw = np.atleast_2d(raw)
        if self.head == "linear":
            if self.link == "sigmoid":
                return 1.0 / (1.0 + np.exp(-np.clip(raw, -40.0, 40.0)))
            return np.clip(raw, 0.0, 1.0)
        e = self.ease_from_raw(raw[:, 0])
        return np.power(e[:, None], ladder_exponents(len(self.models))[None, :])

    def ease_from_raw(self, raw: np.ndarray) -> np.ndarray:
        """Ladder heads: raw ease -> percentile in [0, 1] over the training prompts."""
        raw = np.asarray(raw, dtype=np.float64)
        if self.quantiles is None or len(self.quantiles) < 2:
            return np.clip(raw, 0.0, 1.0)
        q = self.quantiles
        return np.interp(raw, q, np.linspace(0.0, 1.0, len(q)))

    def predict(self, texts: Sequence[str] | str) -> np.ndarray:
        """Predicted quality per model, shape ``(len(texts), len(models))``, in [0, 1]."""
        if isinstance(texts, str):
            texts = [texts]
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(self.models)))
        if len(texts) == 1:
            return self.predict_one(texts[0])[None, :]
        if (self.knn is None and self.task_prior is None) or self._fx is None:
            return self._finish(self._raw_batch(texts))
        X = self._fx.transform(texts)
        P = self._finish(X.dot(self.W.astype(np.float64)) + self.b)
        if self.knn is not None:
            P = self.knn.blend_batch(P, X)
        return P if self.task_prior is None else self.task_prior.apply_batch(P, X)

    def predict_one(self, text: str) -> np.ndarray:
        """:meth:`predict` for one text, shape ``(len(models),)``."""
        if (self.knn is None and self.task_prior is None) or self._fx is None:
            return self._finish(self._raw_one(text)[None, :])[0]
        idx, val = self._fx.transform_one(text)
        p = self._finish((val @ self.W[idx] + self.b)[None, :])[0]
        if self.knn is not None:
            p = self.knn.blend_sparse(p, idx, val)
        return p if self.task_prior is None else self.task_prior.apply_sparse(p, idx, val)

    def with_models(
        self, models: Sequence[str], relative_costs: Sequence[float] | None = None
    ) -> TrainedRouter:
        """The same router over ``models`` (a reordering/subset of linear heads; any list for ladders)."""
        knn, task_prior = self.knn, self.task_prior
        if self.head == "ladder":
            W, b = self.W, self.b
        else:
            missing = [m for m in models if m not in self.models]
            if missing:
                raise UnknownModelError(missing[0], self.models, what="model")
            cols = [self.models.index(m) for m in models]
            if task_prior is not None:  # the stack reads every model's score: narrow its output
                W, b, task_prior = self.W, self.b, task_prior.select(cols)
            else:
                W, b = self.W[:, cols], self.b[cols]
                if knn is not None:
                    knn = knn.take_models(cols)
            if relative_costs is None:
                relative_costs = [self.relative_costs[c] for c in cols]
        r = TrainedRouter(
            models,
            W,
            b,
            features=self.features,
            head=self.head,
            link=self.link,
            rule=self.rule,
            knob=self.knob,
            relative_costs=relative_costs,
            quantiles=self.quantiles,
            encoder=self.encoder,
            info=self.info,
            knn=knn,
            task_prior=task_prior,
        )
        r._fx = self._fx  # share the per-word memo
        return r

    # -- persistence ------------------------------------------------------------------
    def to_json(self, weights_file: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION if self.task_prior is None else TASK_PRIOR_VERSION,
            "models": self.models,
            "head": self.head,
            "link": self.link,
            "rule": self.rule,
            "knob": round(self.knob, 6),
            "relative_costs": [round(c, 8) for c in self.relative_costs],
            "features": self.features,
            "weights_file": weights_file,
            "info": self.info,
        }
        if self.knn is not None:
            out["knn"] = self.knn.config()
        if self.task_prior is not None:
            out["task_prior"] = self.task_prior.config()
        return out

    def save(self, path: str | Path, *, precision: str = "float32") -> Path:
        """Write ``path`` (JSON) and ``path`` with suffix ``.npz`` (weights). Byte-stable.

        ``precision="float16"`` halves the file (used for the shipped weights).
        """
        if precision not in ("float32", "float16"):
            raise ConfigError(
                f"precision must be float32 or float16, got {precision!r}",
                field="precision",
                value=precision,
            )
        p = Path(path)
        if p.suffix.lower() != ".json":
            p = p.with_suffix(".json")
        npz = p.with_suffix(".npz")
        arrays = {"b": self.b.astype(np.float64)}
        arrays.update(sparse_rows(self.W, dtype=np.dtype(precision)))
        if self.task_prior is not None:
            arrays.update(self.task_prior.arrays(np.dtype(precision)))
        if self.quantiles is not None:
            arrays["quantiles"] = self.quantiles.astype(np.float64)
        if self.knn is not None:
            arrays.update(self.knn.arrays())
        digest = write_npz(npz, arrays)  # the weights first: the JSON then names their hash
        return write_json(p, {**self.to_json(npz.name), WEIGHTS_HASH: digest})

    @classmethod
    def load(cls, path: str | Path, *, encoder: Encoder | None = None) -> TrainedRouter:
        """Read a router file written by :meth:`save`; refuses pickle and unknown formats."""
        p = Path(path)
        meta = read_json_safely(p, FORMAT)
        try:
            arrays = read_weights(p, meta)
            dim = int(meta["features"].get("dim"))
            tp_cfg = _part(meta, "task_prior", p)
            task_prior = None if tp_cfg is None else TaskPrior.from_arrays(tp_cfg, arrays, dim)
            width = len(meta["models"]) if meta["head"] == "linear" else 1
            if task_prior is not None:
                width = task_prior.n_models
            W = dense_rows(arrays, dim, width)
            knn_cfg = _part(meta, "knn", p)
            knn = None if knn_cfg is None else KnnHead.from_arrays(knn_cfg, arrays, dim)
            return cls(
                meta["models"],
                W,
                arrays["b"],
                features=meta["features"],
                head=meta["head"],
                link=meta.get("link", "identity"),
                rule=meta["rule"],
                knob=meta["knob"],
                relative_costs=meta["relative_costs"],
                quantiles=arrays.get("quantiles"),
                encoder=encoder,
                info=meta.get("info"),
                knn=knn,
                task_prior=task_prior,
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, DataFormatError):
                raise
            raise DataFormatError(str(p), f"invalid router file: {exc!r}") from None

    def __repr__(self) -> str:
        knn = (
            ""
            if self.knn is None
            else f", knn(k={self.knn.k}, weight={self.knn.weight}, cost_weight={self.knn.cost_weight})"
        )
        tp = "" if self.task_prior is None else f", task_prior({len(self.task_prior.labels)} tasks)"
        return (
            f"TrainedRouter(models={self.models!r}, head={self.head!r}, rule={self.rule!r}, "
            f"knob={self.knob}{knn}{tp})"
        )
