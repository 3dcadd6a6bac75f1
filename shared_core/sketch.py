"""Dense sketches of hashed feature rows, for the nearest-neighbour heads.

A signed count sketch folds the sparse hashed n-gram part of a row into a small dense
vector whose cosine similarities approximate those of the sparse rows; it needs no stored
projection matrix (the table is rebuilt from its seed).
"""

from __future__ import annotations

import math

import numpy as np

from .features import DEFAULT_DIM, N_SIGNALS, SparseBatch

__all__ = ["sketch", "sketch_batch"]

_SKETCH_PRIME = 4294967291  # largest prime below 2**32
_sketch_tables: dict[tuple[int, int, int, int], tuple[np.ndarray, np.ndarray]] = {}


def _sketch_table(
    n_buckets: int, dim: int, hashes: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """(slots, signs), each ``(n_buckets, hashes)``: the seeded signed count sketch, built once."""
    key = (n_buckets, dim, hashes, seed)
    hit = _sketch_tables.get(key)
    if hit is None:
        idx = np.arange(n_buckets, dtype=np.int64)[:, None]
        k = np.arange(hashes, dtype=np.int64)[None, :]
        h = (idx * (2654435761 + 81006 * k) + 97 * k + seed) % _SKETCH_PRIME
        signs = np.where((h >> 17) & 1, 1.0, -1.0)
        signs[:N_SIGNALS] = 0.0  # engineered signals stay out of the sketch
        hit = ((h % dim).astype(np.int64), signs)
        _sketch_tables[key] = hit
    return hit


def sketch(
    indices: np.ndarray,
    values: np.ndarray,
    dim: int = 256,
    *,
    n_buckets: int = DEFAULT_DIM,
    hashes: int = 4,
    seed: int = 1,
) -> np.ndarray:
    """A dense, L2-normalised ``dim``-vector of one sparse row (signal buckets left out).

    A signed count sketch (each hashed bucket adds ``±value`` to ``hashes`` slots), so
    cosine similarity between sketches approximates cosine similarity between the
    hashed n-gram parts of two texts. Needs no stored projection matrix.
    """
    slots, signs = _sketch_table(n_buckets, dim, hashes, seed)
    idx = np.asarray(indices, dtype=np.int64)
    w = signs[idx] * np.asarray(values, dtype=np.float64)[:, None]
    out = np.bincount(slots[idx].ravel(), weights=w.ravel(), minlength=dim)
    norm = math.sqrt(float(out @ out))
    return (out / norm if norm > 0 else out).astype(np.float32)


def sketch_batch(X: SparseBatch, dim: int = 256, *, hashes: int = 4, seed: int = 1) -> np.ndarray:
    """:func:`sketch` of every row of ``X``, shape ``(n_rows, dim)`` float32."""
    slots, signs = _sketch_table(X.dim, dim, hashes, seed)
    w = signs[X.indices] * X.data[:, None]
    flat = X._rows[:, None] * dim + slots[X.indices]
    out = np.bincount(flat.ravel(), weights=w.ravel(), minlength=X.n_rows * dim)
    out = out.reshape(X.n_rows, dim)
    norm = np.sqrt((out * out).sum(axis=1, keepdims=True))
    return (out / np.where(norm > 0, norm, 1.0)).astype(np.float32)
