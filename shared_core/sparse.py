"""Sparse rows in CSR form: the feature matrix training multiplies (numpy only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["SparseBatch"]


class SparseBatch:
    """Rows of sparse feature vectors in CSR form (``indptr``, ``indices``, ``data``).

    A minimal numpy-only stand-in for a sparse matrix with the two products training
    needs: ``X @ W`` (:meth:`dot`) and ``X.T @ R`` (:meth:`tdot`).
    """

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, dim: int):
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.indices = np.asarray(indices, dtype=np.int64)
        self.data = np.asarray(data, dtype=np.float64)
        self.dim = int(dim)
        self._rows = np.repeat(np.arange(len(self.indptr) - 1), np.diff(self.indptr))

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def dot(self, w: np.ndarray) -> np.ndarray:
        """``X @ w`` for ``w`` of shape (dim,) or (dim, k); column by column to bound memory."""
        w = np.asarray(w)
        cols = w.reshape(w.shape[0], -1)
        out = np.zeros((self.n_rows, cols.shape[1]))
        if len(self.indices) and self.n_rows:
            starts = self.indptr[:-1]
            nonempty = starts < self.indptr[1:]
            for j in range(cols.shape[1]):
                contrib = self.data * np.ascontiguousarray(cols[:, j])[self.indices]
                sums = np.add.reduceat(contrib, np.minimum(starts, len(contrib) - 1))
                out[:, j] = np.where(nonempty, sums, 0.0)
        return out[:, 0] if w.ndim == 1 else out

    def tdot(self, r: np.ndarray) -> np.ndarray:
        """``X.T @ r`` for ``r`` of shape (n,) or (n, k)."""
        r = np.asarray(r, dtype=np.float64)
        r2 = r.reshape(self.n_rows, -1)
        out = np.empty((self.dim, r2.shape[1]))
        for j in range(r2.shape[1]):
            out[:, j] = np.bincount(
                self.indices, weights=self.data * r2[self._rows, j], minlength=self.dim
            )
        return out[:, 0] if r.ndim == 1 else out

    def take(self, rows: Sequence[int] | np.ndarray) -> SparseBatch:
        """A new batch holding only ``rows`` (in that order)."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        lens = ends - starts
        indptr = np.concatenate([[0], np.cumsum(lens)])
        total = int(indptr[-1])
        sel = np.repeat(starts - indptr[:-1], lens) + np.arange(total, dtype=np.int64)
        return SparseBatch(indptr, self.indices[sel], self.data[sel], self.dim)

    def column_counts(self) -> np.ndarray:
        """Number of rows in which each bucket is non-zero."""
        return np.bincount(self.indices, minlength=self.dim)
