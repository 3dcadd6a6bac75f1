"""Fast text features for the embedded classifiers: hashed n-grams plus engineered signals.

A text becomes a sparse vector ``(indices, values)`` over ``dim`` buckets:

* the first :data:`N_SIGNALS` buckets hold engineered signals (length, code, math,
  multiple choice, few-shot, constraints, ...), each scaled to roughly [0, 1];
* the rest hold hashed word unigrams and bigrams and character 3-5-grams of each
  word (fastText-style, ``<word>`` with boundary marks), with sublinear counts and
  L2 normalisation.

Hashing uses :func:`zlib.crc32`, which is stable across processes and Python versions
(unlike the salted built-in ``hash``). Per-word hashes are memoised in a bounded dict,
so repeated vocabulary costs a dict lookup. Pure Python + numpy; no work at import.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain, pairwise
from operator import itemgetter
from typing import Any

import numpy as np

from .signals import _MAX_FEATURE_CHARS, N_SIGNALS, SIGNAL_NAMES, _tokens, signals
from .sparse import SparseBatch

__all__ = [
    "DEFAULT_DIM",
    "N_SIGNALS",
    "SIGNAL_NAMES",
    "FeatureExtractor",
    "SparseBatch",
    "signals",
    "sketch",
    "sketch_batch",
]

DEFAULT_DIM = 1 << 18
"""Default number of hash buckets (including the signal block)."""

_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_HEAD_CHARS = 1400
_CACHE_LIMIT = 200_000


def feature_window(text: str) -> str:
    """What the hashed features read of a long text: its head and its tail."""
    if len(text) > _MAX_FEATURE_CHARS:
        return text[:_HEAD_CHARS] + " " + text[-(_MAX_FEATURE_CHARS - _HEAD_CHARS) :]
    return text


class FeatureExtractor:
    """Text -> sparse hashed features. Stateless apart from a bounded per-word memo.

    ``dim`` buckets in total; ``char_ngrams`` are the character n-gram sizes taken
    inside each word (``()`` disables them); ``bigrams`` adds word bigrams.
    (:class:`~shared_core.word_sums.WordSumExtractor` hashes the same buckets and sums them
    per distinct word.)
    """

    kind = "hashed-ngrams-v1"

    def __init__(
        self,
        dim: int = DEFAULT_DIM,
        *,
        char_ngrams: Sequence[int] = (3, 4, 5),
        bigrams: bool = True,
        max_word_len: int = 24,
    ) -> None:
        if dim <= N_SIGNALS * 4:
            raise ValueError(f"dim must be larger than {N_SIGNALS * 4}, got {dim}")
        self.dim = int(dim)
        self.char_ngrams = tuple(int(n) for n in char_ngrams)
        self.bigrams = bool(bigrams)
        self.max_word_len = int(max_word_len)
        self._span = self.dim - N_SIGNALS
        self._memo: dict[str, tuple[int, tuple[int, ...]]] = {}
        self._dot_memo: dict[str, tuple[int, tuple[int, ...]]] = {}

    def config(self) -> dict[str, object]:
        """Plain-data description (stored beside trained weights)."""
        return {
            "kind": self.kind,
            "dim": self.dim,
            "char_ngrams": list(self.char_ngrams),
            "bigrams": self.bigrams,
            "max_word_len": self.max_word_len,
        }

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> FeatureExtractor:
        """The extractor a stored ``config()`` describes (``hashed-ngrams-v1`` or ``-v2``)."""
        from .word_sums import WordSumExtractor

        kinds = {k.kind: k for k in (FeatureExtractor, WordSumExtractor)}
        kind = kinds.get(cfg.get("kind"))  # type: ignore[arg-type]
        if kind is None:
            raise ValueError(
                f"unknown feature kind {cfg.get('kind')!r}; expected one of {sorted(kinds)}"
            )
        return kind(
            int(cfg["dim"]),
            char_ngrams=tuple(cfg.get("char_ngrams", (3, 4, 5))),
            bigrams=bool(cfg.get("bigrams", True)),
            max_word_len=int(cfg.get("max_word_len", 24)),
        )

    def _word(self, w: str) -> tuple[int, tuple[int, ...]]:
        """(word hash, bucket offsets of its char n-grams), memoised."""
        out = self._hash_word(w)
        if len(self._memo) >= _CACHE_LIMIT:
            self._memo.clear()
        self._memo[w] = out
        return out

    def _hash_word(self, w: str) -> tuple[int, tuple[int, ...]]:
        """:meth:`_word` without the memo."""
        h = zlib.crc32(w.encode("utf-8", "replace"))
        grams: list[int] = []
        if self.char_ngrams and 2 < len(w) <= self.max_word_len and w.isalpha():
            span = self._span
            crc = zlib.crc32
            if w.isascii():  # a character is a byte: slice the bytes, encode once
                bb = b"<" + w.encode() + b">"
                lb = len(bb)
                grams = [crc(bb[i : i + n], 0x9E37) % span for n in self.char_ngrams for i in range(lb - n + 1)]
            else:
                b = f"<{w}>"
                lb = len(b)
                grams = [
                    crc(b[i : i + n].encode("utf-8", "replace"), 0x9E37) % span
                    for n in self.char_ngrams for i in range(lb - n + 1)
                ]
        return h, tuple(grams)

    def _dot_word(self, w: str) -> tuple[int, tuple[int, ...]]:
        """(word hash, its rows of ``W``, one per half unit of weight) for :meth:`dot_one`, memoised."""
        h, grams = self._memo.get(w) or self._word(w)
        own = h % self._span + N_SIGNALS
        out = (h, (*[g + N_SIGNALS for g in grams], own, own))
        if len(self._dot_memo) >= _CACHE_LIMIT:
            self._dot_memo.clear()
        self._dot_memo[w] = out
        return out

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sparse features of one text: ``(indices int64, values float64)``."""
        text = feature_window(text)
        lower = text.lower()
        toks = _tokens(lower)
        sig = signals(text, lower, toks)
        memo = self._memo
        word = self._word
        entries = [memo.get(t) or word(t) for t in toks]
        sig_idx = np.arange(len(sig), dtype=np.int64)
        sig_val = np.asarray(sig, dtype=np.float64)
        if not entries:
            return sig_idx, sig_val
        span = self._span
        hashes = np.fromiter((e[0] for e in entries), dtype=np.int64, count=len(entries))
        parts = [hashes % span]
        weights = [np.ones(len(hashes))]
        if self.bigrams and len(hashes) > 1:
            parts.append(((hashes[:-1] * 1000003) ^ hashes[1:]) % span)
            weights.append(np.ones(len(hashes) - 1))
        if self.char_ngrams:
            grams = np.fromiter(chain.from_iterable(e[1] for e in entries), dtype=np.int64)
            if len(grams):
                parts.append(grams)
                weights.append(np.full(len(grams), 0.5))
        allidx = np.concatenate(parts)
        allw = np.concatenate(weights)
        order = np.argsort(allidx)
        sidx = allidx[order]
        new = np.empty(len(sidx), dtype=bool)  # first of each run (np.r_ costs ~20 µs here)
        new[0] = True
        np.not_equal(sidx[1:], sidx[:-1], out=new[1:])
        starts = np.flatnonzero(new)
        idx = sidx[starts] + N_SIGNALS
        val = np.log1p(np.add.reduceat(allw[order], starts))
        val /= math.sqrt(float(val @ val))
        return np.concatenate([sig_idx, idx]), np.concatenate([sig_val, val])

    def dot_one(self, text: str, W: np.ndarray) -> np.ndarray:
        """``val @ W[idx]`` for ``idx, val = transform_one(text)``, without building the row.

        The per-request path of a linear head over short texts: bucket weights are summed in
        a dict and ``W`` is gathered once, which spares the sort and the ten-odd small numpy
        calls of :meth:`transform_one` (about half its time on a one-line request). Equal to
        it up to float rounding (the summation order differs); training uses
        :meth:`transform_one`.
        """
        text = feature_window(text)
        lower = text.lower()
        toks = _tokens(lower)
        sig = signals(text, lower, toks)
        out = np.asarray(sig, dtype=np.float64) @ W[: len(sig)]
        if not toks:
            return out
        span = self._span
        found = list(map(self._dot_memo.get, toks))
        entries: list[tuple[int, tuple[int, ...]]] = (
            [e or self._dot_word(t) for e, t in zip(found, toks)] if None in found else found  # type: ignore[assignment]
        )
        # counts in half units: a word's own bucket (weight 1) is listed twice, a char n-gram
        # (weight 0.5) once; Counter counts in C
        acc = Counter(chain.from_iterable(map(_SECOND, entries)))
        if self.bigrams and len(entries) > 1:
            pairs = [((a * 1000003) ^ b) % span + N_SIGNALS for a, b in pairwise(map(_FIRST, entries))]
            acc.update(pairs)
            acc.update(pairs)
        idx = np.fromiter(acc, dtype=np.int64, count=len(acc))
        val = np.fromiter(acc.values(), dtype=np.float64, count=len(acc))
        val *= 0.5
        np.log1p(val, out=val)
        val /= math.sqrt(float(val @ val))
        return out + val @ W[idx]

    def transform(self, texts: Iterable[str]) -> SparseBatch:
        """Sparse features of many texts as a :class:`SparseBatch`."""
        ind: list[np.ndarray] = []
        val: list[np.ndarray] = []
        indptr = [0]
        for t in texts:
            i, v = self.transform_one(t)
            ind.append(i)
            val.append(v)
            indptr.append(indptr[-1] + len(i))
        if not ind:
            return SparseBatch(np.zeros(1), np.empty(0), np.empty(0), self.dim)
        return SparseBatch(np.asarray(indptr), np.concatenate(ind), np.concatenate(val), self.dim)


from .sketch import sketch, sketch_batch  # noqa: E402  (re-exported: older imports)
