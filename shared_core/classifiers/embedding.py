"""Embedding classifiers over any :class:`Encoder`: centroids and a trained logistic head.

* :class:`HashingEncoder`, :class:`CachedEncoder`, :class:`Encoder` — from
  :mod:`.encoders`, re-exported here.
* :class:`CentroidClassifier` — cosine similarity to each label's mean example, a
  softmax with a temperature; confidence is the gap between the two best probabilities.
* :class:`HeadClassifier` — a multinomial logistic regression trained in numpy, saved and
  loaded as JSON or NPZ (never pickle).

Both classifiers serve task labels (scores are probabilities) and difficulty labels
(``ordinal=True``; labels are tier names cheapest first and ``score[i] = P(label <= i)``,
so scores never fall up the ladder). Async: ``aclassify`` awaits the encoder's
``aencode`` when it has one, else runs ``encode`` in a worker thread.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic_files import write_atomic
from ..errors import ConfigError, DataFormatError, UnsafeFormatError
from ..request import Request
from .base import BaseClassifier, Classification
from .encoders import CachedEncoder, Encoder, HashingEncoder, aencode
from .ladder import ordinal_scores

__all__ = [
    "CachedEncoder",
    "CentroidClassifier",
    "Encoder",
    "HashingEncoder",
    "HeadClassifier",
    "aencode",
]


# -- shared helpers ----------------------------------------------------------------------
def _normalise_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _check_examples(examples: Mapping[str, Sequence[str]], field: str) -> dict[str, list[str]]:
    if not isinstance(examples, Mapping) or not examples:
        raise ConfigError(
            f"{field} must be a non-empty mapping {{label: [example text, ...]}}, got {examples!r:.80}",
            field=field,
            value=examples,
        )
    out: dict[str, list[str]] = {}
    for label, texts in examples.items():
        if isinstance(texts, str):
            texts = [texts]
        texts = [str(t) for t in (texts or []) if str(t).strip()]
        if not texts:
            raise ConfigError(
                f"{field}.{label} has no example texts; give at least one",
                field=f"{field}.{label}",
                value=texts,
            )
        out[str(label)] = texts
    return out


class _EmbeddingBase(BaseClassifier):
    """Shared plumbing: encode (sync or async) then turn probabilities into a Classification."""

    encoder: Any
    ordinal: bool

    def _probs(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _classify(self, request: Request) -> Classification:
        x = np.asarray(self.encoder.encode([request.text]), dtype=np.float32)
        return self._from_vector(x)

    async def aclassify(self, request: Request | str) -> Classification:
        req = Request.coerce(request)
        x = await aencode(self.encoder, [req.text])
        return self._from_vector(x)

    def _from_vector(self, x: np.ndarray) -> Classification:
        p = self._probs(x.reshape(1, -1))[0]
        if not np.all(np.isfinite(p)):
            p = np.full(len(self._labels), 1.0 / len(self._labels))
        srt = np.sort(p)[::-1]
        conf = float(srt[0] - srt[1]) if len(srt) > 1 else 1.0
        best = self._labels[int(np.argmax(p))]
        if self.ordinal:
            vals = ordinal_scores(p.tolist())
        else:
            vals = [float(v) for v in p]
        return Classification(
            scores={lab: float(min(1.0, max(0.0, v))) for lab, v in zip(self._labels, vals)},
            confidence=round(min(1.0, max(0.0, conf)), 6),
            classifier=self.name,
            reasons=(f"{self.name}: nearest {best!r} (p={float(srt[0]):.2f})",),
            extra={"probs": {lab: float(v) for lab, v in zip(self._labels, p)}},
        )


class CentroidClassifier(_EmbeddingBase):
    """Cosine similarity to per-label centroids, softmax at ``temperature``.

    Args:
        encoder: any :class:`Encoder`.
        examples: ``{label: [example text, ...]}``.
        labels: label order (difficulty: tier names cheapest first); default: the
            examples' order. Labels without examples score probability 0.
        ordinal: difficulty labels: cumulative scores.
        temperature: softmax temperature on cosine similarities (smaller = sharper).
    """

    name = "centroid"

    def __init__(
        self,
        encoder: Any,
        examples: Mapping[str, Sequence[str]],
        *,
        labels: Sequence[str] | None = None,
        ordinal: bool = False,
        temperature: float = 0.05,
    ) -> None:
        if not temperature > 0:
            raise ConfigError(
                f"temperature must be > 0, got {temperature!r}",
                field="classifier.options.temperature",
                value=temperature,
            )
        self.encoder = encoder
        self.ordinal = ordinal
        self.temperature = float(temperature)
        ex = _check_examples(examples, "classifier.options.examples")
        names = list(ex)
        flat = [t for lab in names for t in ex[lab]]
        vecs = _normalise_rows(np.asarray(encoder.encode(flat), dtype=np.float32))
        cents, start = {}, 0
        for lab in names:
            k = len(ex[lab])
            cents[lab] = vecs[start : start + k].mean(axis=0)
            start += k
        self._centroids = cents
        self.bind_labels(list(labels) if labels is not None else names)

    def bind_labels(self, labels: list[str]) -> CentroidClassifier:
        unknown = [lab for lab in self._centroids if lab not in labels]
        if unknown:
            raise ConfigError(
                f"example labels {unknown} are not among the classifier labels {labels}; "
                "rename them to tier names (difficulty) or route labels (task)",
                field="classifier.options.examples",
                value=unknown,
            )
        self._labels = list(labels)
        dim = next(iter(self._centroids.values())).shape[0]
        mat = np.zeros((len(labels), dim), dtype=np.float32)
        self._present = np.zeros(len(labels), dtype=bool)
        for i, lab in enumerate(labels):
            if lab in self._centroids:
                mat[i] = self._centroids[lab]
                self._present[i] = True
        self._matrix = _normalise_rows(mat)
        return self

    def _probs(self, x: np.ndarray) -> np.ndarray:
        sims = _normalise_rows(x) @ self._matrix.T
        z = np.where(self._present, sims / self.temperature, -np.inf)
        return _softmax(z)


class HeadClassifier(_EmbeddingBase):
    """Multinomial logistic regression on embeddings, trained with numpy only.

    Give ``examples`` ({label: [texts]}) or ``X`` (n x dim) with ``y`` (n labels).
    ``labels`` fixes the order (difficulty: tier names cheapest first).
    """

    name = "head"
    FORMAT = "tier-router/head-classifier"
    VERSION = 1

    def __init__(
        self,
        encoder: Any,
        examples: Mapping[str, Sequence[str]] | None = None,
        *,
        X: np.ndarray | None = None,
        y: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        ordinal: bool = False,
        l2: float = 1e-3,
        max_iter: int = 500,
        weights: np.ndarray | None = None,
        bias: np.ndarray | None = None,
    ) -> None:
        self.encoder = encoder
        self.ordinal = ordinal
        self.l2 = float(l2)
        if weights is not None and bias is not None:
            if labels is None:
                raise ConfigError("labels are required with weights", field="labels")
            self._labels = list(labels)
            self.W = np.asarray(weights, dtype=np.float64)
            self.b = np.asarray(bias, dtype=np.float64)
            return
        if examples is not None:
            ex = _check_examples(examples, "classifier.options.examples")
            texts = [t for lab in ex for t in ex[lab]]
            y = [lab for lab in ex for _ in ex[lab]]
            X = np.asarray(encoder.encode(texts), dtype=np.float64)
            order = list(labels) if labels is not None else list(ex)
        elif X is not None and y is not None:
            X = np.asarray(X, dtype=np.float64)
            y = [str(v) for v in y]
            order = list(labels) if labels is not None else list(dict.fromkeys(y))
        else:
            raise ConfigError(
                "HeadClassifier needs examples={label: [texts]} or X (n x dim) with y (n labels)",
                field="classifier.options.examples",
            )
        if X.ndim != 2 or X.shape[0] != len(y) or X.shape[0] == 0:
            raise ConfigError(
                f"X must be n x dim with one label per row; got X {X.shape}, {len(y)} labels",
                field="X",
                value=X.shape,
            )
        missing = sorted(set(y) - set(order))
        if missing:
            raise ConfigError(
                f"training labels {missing} are not in labels {order}",
                field="labels",
                value=missing,
            )
        self._labels = order
        self.W, self.b = _fit_softmax(
            X, np.array([order.index(v) for v in y]), len(order), self.l2, max_iter
        )

    def _probs(self, x: np.ndarray) -> np.ndarray:
        if x.shape[1] != self.W.shape[0]:
            raise DataFormatError(
                "head classifier",
                f"encoder gives {x.shape[1]}-dim vectors but the head expects "
                f"{self.W.shape[0]}; load it with the encoder it was trained with",
            )
        return _softmax(x.astype(np.float64) @ self.W + self.b)

    def bind_labels(self, labels: list[str]) -> HeadClassifier:
        """Reorder to ``labels``; labels the head never saw get probability 0."""
        unknown = [lab for lab in self._labels if lab not in labels]
        if unknown:
            raise ConfigError(
                f"head labels {unknown} are not among {labels}", field="labels", value=unknown
            )
        d = self.W.shape[0]
        W = np.zeros((d, len(labels)))
        b = np.full(len(labels), -1e9)
        for j, lab in enumerate(labels):
            if lab in self._labels:
                k = self._labels.index(lab)
                W[:, j], b[j] = self.W[:, k], self.b[k]
        self.W, self.b, self._labels = W, b, list(labels)
        return self

    # -- persistence: plain data only -------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write ``.json`` or ``.npz`` (weights, bias, labels, ordinal flag)."""
        p = Path(path)
        meta = {
            "format": self.FORMAT,
            "version": self.VERSION,
            "labels": self._labels,
            "ordinal": self.ordinal,
        }
        if p.suffix.lower() == ".json":
            write_atomic(p, json.dumps({**meta, "weights": self.W.tolist(), "bias": self.b.tolist()}))
        elif p.suffix.lower() == ".npz":
            blob = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
            buf = io.BytesIO()
            np.savez(buf, weights=self.W, bias=self.b, meta=blob)
            write_atomic(p, buf.getvalue())
        else:
            raise ConfigError(
                f"unknown head file format {p.suffix!r}; allowed: .json, .npz",
                field="path",
                value=str(p),
            )
        return p

    @classmethod
    def load(cls, path: str | Path, encoder: Any) -> HeadClassifier:
        """Read a file written by :meth:`save`; pickles and unknown formats are refused."""
        p = Path(path)
        suffix = p.suffix.lower()
        try:
            if suffix == ".json":
                data = json.loads(p.read_text(encoding="utf-8"))
                if not isinstance(data, dict):
                    raise DataFormatError(str(p), "expected a JSON object")
                meta, W, b = data, data.get("weights"), data.get("bias")
            elif suffix == ".npz":
                with np.load(p, allow_pickle=False) as z:
                    meta = json.loads(bytes(z["meta"]).decode("utf-8"))
                    W, b = z["weights"], z["bias"]
            else:
                raise UnsafeFormatError(
                    str(p), f"unknown format {suffix!r}; only .json and .npz load (never pickle)"
                )
        except (ValueError, KeyError, OSError) as exc:
            if isinstance(exc, DataFormatError):
                raise
            raise UnsafeFormatError(
                str(p), f"not a head classifier file ({type(exc).__name__}: {exc})"
            ) from None
        if not isinstance(meta, dict) or meta.get("format") != cls.FORMAT:
            raise DataFormatError(
                str(p), f"not a head classifier file (format {meta.get('format')!r})"
            )
        try:
            Wa = np.asarray(W, dtype=np.float64)
            ba = np.asarray(b, dtype=np.float64)
            labels = [str(x) for x in meta["labels"]]
        except (TypeError, ValueError, KeyError) as exc:
            raise DataFormatError(str(p), f"bad weights or labels: {exc}") from None
        if Wa.ndim != 2 or ba.shape != (Wa.shape[1],) or len(labels) != Wa.shape[1]:
            raise DataFormatError(
                str(p),
                f"shapes disagree: weights {Wa.shape}, bias {ba.shape}, {len(labels)} labels",
            )
        return cls(encoder, labels=labels, ordinal=bool(meta.get("ordinal")), weights=Wa, bias=ba)


def _fit_softmax(
    X: np.ndarray, y: np.ndarray, k: int, l2: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray]:
    """L2-regularised multinomial logistic regression by accelerated gradient descent."""
    n, d = X.shape
    Y = np.zeros((n, k))
    Y[np.arange(n), y] = 1.0
    lip = 0.5 * (float((X**2).sum()) / n + 1.0) + l2  # bound on the Hessian's largest eigenvalue
    lr = 1.0 / lip
    W = np.zeros((d, k))
    b = np.zeros(k)
    Wv, bv = W.copy(), b.copy()
    t = 1.0
    for _ in range(max_iter):
        P = _softmax(X @ Wv + bv)
        G = P - Y
        gW = X.T @ G / n + l2 * Wv
        gb = G.mean(axis=0)
        W_new, b_new = Wv - lr * gW, bv - lr * gb
        t_new = (1 + (1 + 4 * t * t) ** 0.5) / 2
        mom = (t - 1) / t_new
        Wv, bv = W_new + mom * (W_new - W), b_new + mom * (b_new - b)
        if (
            float(np.abs(W_new - W).max(initial=0.0)) < 1e-7
            and float(np.abs(b_new - b).max()) < 1e-7
        ):
            W, b = W_new, b_new
            break
        W, b, t = W_new, b_new, t_new
    return W, b
