"""Train a router: per-model quality from per-prompt scores, for any number of models.

``train_router(rows, models_meta)`` fits, from prompt features to each model's score,
either a multi-output ridge regression (``loss="ridge"``: conjugate gradients over a
sparse design) or per-model logistic regressions (``loss="logistic"``: full-batch Adam),
numpy only, then picks the regularisation, the routing rule (threshold / margin / utility) and
the default knob on a seeded hold-out: the cheapest operating point that keeps 95% of
the best single model's quality. The final weights are refit on all rows. A fixed
seed gives byte-identical files.

``knn={"k": 40, "power": 3.0, "weight": 0.3, "dim": 256}`` adds a nearest-neighbour
part over the same hashed features (see :class:`~shared_core.classifiers.knn.KnnHead`),
blended into the linear head's predictions (on the hold-out as well); with
``"cost_weight": beta`` (or ``"with_costs": True`` to keep them for later) it also keeps
each row's per-model cost and makes the scores cost-aware.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..classifiers.knn import KnnHead
from ..classifiers.trained import Encoder, TrainedRouter, _encode
from ..errors import ConfigError, DataFormatError
from ..features import DEFAULT_DIM, FeatureExtractor, SparseBatch
from ..policy import select_batch

__all__ = ["estimate_costs", "fit_ridge", "operating_point", "train_router"]

Rows = Sequence[Any]
"""Dicts (``prompt``, ``scores``, optional ``costs``) or ``training.data.Row`` objects."""


def _products(X: SparseBatch | np.ndarray) -> tuple[Any, Any, int]:
    """(``X @ .``, ``X.T @ .``, n_features) for sparse or dense designs."""
    if isinstance(X, SparseBatch):
        return X.dot, X.tdot, X.dim
    Xd = np.asarray(X, dtype=np.float64)
    return (lambda w: Xd @ w), (lambda r: Xd.T @ r), int(Xd.shape[1])


def fit_ridge(
    X: SparseBatch | np.ndarray, Y: np.ndarray, lam: float, *, iters: int = 80
) -> np.ndarray:
    """Solve ``(X'X + lam I) W = X'Y`` by conjugate gradients (all columns at once)."""
    Y = np.asarray(Y, dtype=np.float64).reshape(Y.shape[0], -1)
    mv, tmv, _ = _products(X)
    B = tmv(Y)
    W = np.zeros_like(B)
    R = B.copy()
    P = R.copy()
    rs = (R * R).sum(0)
    stop = 1e-10 * np.maximum((B * B).sum(0), 1e-30)
    for _ in range(iters):
        AP = tmv(mv(P)) + lam * P
        alpha = rs / np.maximum((P * AP).sum(0), 1e-30)
        W += P * alpha
        R -= AP * alpha
        rs_new = (R * R).sum(0)
        if np.all(rs_new <= stop):
            break
        P = R + P * (rs_new / np.maximum(rs, 1e-30))
        rs = rs_new
    return W


def fit_logistic(
    X: SparseBatch | np.ndarray, Y: np.ndarray, l2: float, *, iters: int = 300, lr: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Per-column logistic regression (targets in [0, 1]) by full-batch Adam; deterministic.

    Returns ``(W, b)`` with ``P = sigmoid(X @ W + b)``. Over sparse designs only the
    buckets some row uses are updated (the others' gradient is zero, so they stay 0).
    """
    Y = np.asarray(Y, dtype=np.float64).reshape(Y.shape[0], -1)
    n = Y.shape[0]
    compact = _Compact(X) if isinstance(X, SparseBatch) else None
    if compact is not None:
        mv, tmv, dim = compact.dot, compact.tdot, compact.dim
    else:
        mv, tmv, dim = _products(X)
    mu = np.clip(Y.mean(0), 1e-3, 1 - 1e-3)
    b = np.log(mu / (1 - mu))
    W = np.zeros((dim, Y.shape[1]))
    m = np.zeros_like(W)
    v = np.zeros_like(W)
    step = np.empty_like(W)
    for it in range(1, iters + 1):
        G = (_sigmoid(mv(W) + b) - Y) / n
        gW = tmv(G)
        gW += l2 * W
        m *= 0.9
        m += 0.1 * gW
        gW *= gW
        v *= 0.999
        v += 0.001 * gW
        np.divide(v, 1 - 0.999**it, out=step)
        np.sqrt(step, out=step)
        step += 1e-8
        np.divide(m, step, out=step)
        step *= lr / (1 - 0.9**it)
        W -= step
        b -= 0.5 * G.sum(0)
    if compact is not None:
        W = compact.expand(W)
    return W, b


class _Compact:
    """A sparse design over only the buckets its rows use, with column-major products."""

    def __init__(self, X: SparseBatch) -> None:
        self.used, inverse = np.unique(X.indices, return_inverse=True)
        self.idx = inverse.astype(np.int64)
        self.data = X.data
        self.rows = X._rows
        self.n = X.n_rows
        self.full = X.dim
        self.dim = len(self.used)
        starts = X.indptr[:-1]
        self.nonempty = starts < X.indptr[1:]
        self.starts = np.minimum(starts, max(len(self.idx) - 1, 0))

    def dot(self, W: np.ndarray) -> np.ndarray:
        WT = np.ascontiguousarray(W.T)
        out = np.zeros((self.n, W.shape[1]))
        if len(self.idx):
            for j in range(W.shape[1]):
                sums = np.add.reduceat(self.data * WT[j][self.idx], self.starts)
                out[:, j] = np.where(self.nonempty, sums, 0.0)
        return out

    def tdot(self, R: np.ndarray) -> np.ndarray:
        RT = np.ascontiguousarray(R.T)
        out = np.empty((self.dim, R.shape[1]))
        for j in range(R.shape[1]):
            out[:, j] = np.bincount(
                self.idx, weights=self.data * RT[j][self.rows], minlength=self.dim
            )
        return out

    def expand(self, W: np.ndarray) -> np.ndarray:
        full = np.zeros((self.full, W.shape[1]))
        full[self.used] = W
        return full


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def _fit(
    X: SparseBatch | np.ndarray, S: np.ndarray, lam: float, loss: str, iters: int | None
) -> tuple[np.ndarray, np.ndarray]:
    if loss == "logistic":
        return fit_logistic(X, S, lam, iters=iters or 200)
    mu = S.mean(0)
    return fit_ridge(X, S - mu, lam, iters=iters or 80), mu


def _apply(raw: np.ndarray, loss: str) -> np.ndarray:
    return _sigmoid(raw) if loss == "logistic" else np.clip(raw, 0.0, 1.0)


def score_matrix(rows: Sequence[Any], models: Sequence[str]) -> np.ndarray:
    """Each row's score for each model, rows x models; a missing score is a DataFormatError."""
    S = np.zeros((len(rows), len(models)))
    for i, r in enumerate(rows):
        sc = _field(r, "scores") or {}
        for j, m in enumerate(models):
            if m not in sc:
                raise DataFormatError(
                    "rows", f"row {i} ({_field(r, 'id', '?')}) has no score for model {m!r}"
                )
            S[i, j] = float(sc[m])
    return S


def _field(row: Any, name: str, default: Any = None) -> Any:
    """A row's field, for dict rows and for :class:`~shared_core.training.data.Row` alike."""
    if isinstance(row, Mapping):
        return row.get(name, default)
    return getattr(row, name, default)


def models_meta_dict(models_meta: Any) -> dict[str, dict[str, Any]]:
    """Accept the raw ``<source>_models.json`` mapping or a ``training.data.ModelsMeta``."""
    if isinstance(models_meta, Mapping):
        return {str(k): dict(v) for k, v in models_meta.items()}
    out: dict[str, dict[str, Any]] = {}
    for m in getattr(models_meta, "models", ()):
        out[m.name] = {
            "input_per_mtok": m.input_per_mtok,
            "output_per_mtok": m.output_per_mtok,
            "tier_rank": m.tier_rank,
            "assumed_output_tokens": m.assumed_output_tokens,
        }
    return out


def estimate_costs(
    rows: Rows, models: Sequence[str], models_meta: Mapping[str, Mapping[str, Any]]
) -> np.ndarray:
    """USD cost per row and model: the row's recorded ``costs`` or the price estimate."""
    C = np.zeros((len(rows), len(models)))
    for j, m in enumerate(models):
        meta = models_meta.get(m, {})
        inp = float(meta.get("input_per_mtok") or 0.0)
        out = float(meta.get("output_per_mtok") or 0.0)
        out_toks = float(meta.get("assumed_output_tokens") or 0.0)
        for i, r in enumerate(rows):
            rc = _field(r, "costs") or {}
            if m in rc and rc[m] is not None:
                C[i, j] = float(rc[m])
            else:
                C[i, j] = (len(_field(r, "prompt")) / 4.0 * inp + out_toks * out) / 1e6
    return C


def operating_point(
    P: np.ndarray,
    S: np.ndarray,
    C: np.ndarray,
    rule: str,
    rel: Sequence[float],
    target: float = 0.95,
    n_knobs: int = 201,
) -> tuple[float, float]:
    """(cost share of the best model, knob) of the cheapest knob reaching ``target`` quality."""
    q = S.mean(0)
    best = int(np.argmax(q))
    goal = target * q[best]
    base = C[:, best].mean() or 1.0
    rows = np.arange(len(S))
    best_cost, best_knob = float("inf"), 1.0
    for k in np.linspace(0.0, 1.0, n_knobs)[1:]:
        ch = select_batch(P, float(k), rule=rule, relative_costs=rel)  # type: ignore[arg-type]
        if S[rows, ch].mean() >= goal - 1e-12:
            c = C[rows, ch].mean() / base
            if c < best_cost - 1e-12:
                best_cost, best_knob = c, float(k)
    return best_cost, best_knob


def _fit_knn(X: SparseBatch, S: np.ndarray, C: np.ndarray, knn: Mapping[str, Any]) -> KnnHead:
    """The kNN part; ``with_costs`` (default: when ``cost_weight`` > 0) keeps per-row costs."""
    opts = dict(knn)
    with_costs = bool(opts.pop("with_costs", float(opts.get("cost_weight", 0.0)) > 0))
    return KnnHead.fit(X, S, costs=C if with_costs else None, **opts)


def _design(
    texts: Sequence[str], fx: FeatureExtractor | None, encoder: Encoder | None
) -> SparseBatch | np.ndarray:
    if encoder is not None:
        return _encode(encoder, texts)
    assert fx is not None
    return fx.transform(texts)


def _take(X: SparseBatch | np.ndarray, idx: np.ndarray) -> SparseBatch | np.ndarray:
    return X.take(idx) if isinstance(X, SparseBatch) else X[idx]


def _dot(X: SparseBatch | np.ndarray, W: np.ndarray) -> np.ndarray:
    return X.dot(W) if isinstance(X, SparseBatch) else X @ W


def train_router(
    rows: Rows,
    models_meta: Any,
    *,
    encoder: Encoder | None = None,
    seed: int = 0,
    models: Sequence[str] | None = None,
    lams: Sequence[float] = (3.0, 10.0, 30.0),
    rules: Sequence[str] = ("threshold", "margin", "utility"),
    dim: int = DEFAULT_DIM,
    holdout: float = 0.2,
    target: float = 0.95,
    loss: str = "ridge",
    iters: int | None = None,
    info: Mapping[str, Any] | None = None,
    knn: Mapping[str, Any] | None = None,
) -> TrainedRouter:
    """Learn each model's quality from ``rows`` (dicts with ``prompt`` and ``scores``).

    ``models_meta`` is the ``<source>_models.json`` mapping (``tier_rank`` orders the
    models cheapest first; prices give the relative costs). With ``encoder`` the
    features are its embeddings instead of hashed n-grams. ``loss`` is ``"ridge"``
    (squared error, ``lams`` are ridge strengths) or ``"logistic"`` (per-model
    logistic regression, ``lams`` are L2 weights such as ``1e-4``). ``knn`` (hashed
    features only) adds a nearest-neighbour part with these settings.
    """
    if loss not in ("ridge", "logistic"):
        raise ConfigError(
            f"unknown loss {loss!r}; allowed: ridge, logistic", field="loss", value=loss
        )
    if not rows:
        raise DataFormatError("rows", "no training rows")
    if knn is not None and encoder is not None:
        raise ConfigError(
            "the kNN part works on hashed features; drop knn= or encoder=", field="knn", value=knn
        )
    models_meta = models_meta_dict(models_meta)
    if models is None:
        models = sorted(models_meta, key=lambda m: (models_meta[m].get("tier_rank", 0), m))
    models = list(models)
    if not models:
        raise ConfigError("no models to train for", field="models", value=[])
    S = score_matrix(rows, models)
    C = estimate_costs(rows, models, models_meta)
    rel = C.mean(0)
    rel = rel / (rel.max() or 1.0)
    if not np.any(rel > 0):
        rel = np.arange(len(models), dtype=float) / max(1, len(models) - 1)
    fx = None if encoder is not None else FeatureExtractor(dim)
    X = _design([str(_field(r, "prompt")) for r in rows], fx, encoder)

    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(rows))
    n_val = int(len(rows) * holdout) if len(rows) >= 20 else 0
    best = (float("inf"), float(lams[0]), "threshold", 0.5)
    if n_val and len(models) > 1:
        va, tr = np.sort(perm[:n_val]), np.sort(perm[n_val:])
        Xtr, Xva = _take(X, tr), _take(X, va)
        for lam in lams:
            Wv, bv = _fit(Xtr, S[tr], float(lam), loss, iters)
            P = _apply(_dot(Xva, Wv) + bv, loss)
            if knn is not None:
                assert isinstance(Xtr, SparseBatch) and isinstance(Xva, SparseBatch)
                part = _fit_knn(Xtr, S[tr], C[tr], knn)
                P = part.blend_batch(P, Xva)
            for rule in rules:
                cost, knob = operating_point(P, S[va], C[va], rule, rel, target)
                if cost < best[0] - 1e-9:
                    best = (cost, float(lam), rule, knob)
    _, lam, rule, knob = best
    W, bias = _fit(X, S, lam, loss, iters)
    features = {"kind": "encoder", "dim": int(W.shape[0])} if encoder is not None else fx.config()  # type: ignore[union-attr]
    meta = {
        "loss": loss,
        "lam": lam,
        "seed": seed,
        "n_rows": len(rows),
        "holdout_cost_share": None if best[0] == float("inf") else round(best[0], 6),
    }
    meta.update(dict(info or {}))
    return TrainedRouter(
        models,
        W,
        bias,
        features=features,
        link="sigmoid" if loss == "logistic" else "identity",
        rule=rule,
        knob=knob,
        relative_costs=rel.tolist(),
        encoder=encoder,
        info=meta,
        knn=None if knn is None else _fit_knn(X, S, C, knn),  # type: ignore[arg-type]
    )
