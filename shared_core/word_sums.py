"""Hashed features as a sum over distinct words, and the per-request dot product they allow.

:class:`WordSumExtractor` (``kind: hashed-ngrams-v2``) hashes the same buckets as
:class:`~shared_core.features.FeatureExtractor` (a word's own bucket, its character 3-5-grams,
word bigrams, the engineered signals) but combines them differently:

* each *distinct* word is one item: its own bucket at weight 1 and its character n-grams at
  0.5 each, summed within the word and then ``log1p``-damped (as ``v1`` does for the whole
  text); each distinct word bigram is one item at ``log1p(1)``;
* the text's hashed part is the plain sum of its items divided by the root of the sum of
  their squared norms (the L2 norm itself when no two items share a bucket).

So a word's contribution to a linear model, ``item @ W``, does not depend on the rest of
the text. :class:`WordSumDot` memoises it per word (a bigram is one row of ``W``): the
per-request dot product of a short request is a few dict lookups and sums, without the
sort, the counting and the ten-odd numpy calls of the ``v1`` path
(``benchmarks/langchain_ratio.py``). Training uses :meth:`WordSumExtractor.transform_one`;
the two agree up to float rounding (property tests).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from itertools import chain, compress, pairwise
from operator import itemgetter, mul
from typing import Any

import numpy as np

from .features import N_SIGNALS, FeatureExtractor, _tokens, feature_window, signals

__all__ = ["WORD_SUMS_KIND", "WordSumDot", "WordSumExtractor"]

WORD_SUMS_KIND = "hashed-ngrams-v2"
_LN2 = math.log(2.0)
_HALF = math.log1p(0.5)
_MEMO_LIMIT = 200_000
_ITEM_LIMIT = 50_000
"""The extractor's own memo is smaller: once a dot has a word's product it needs the item no more."""
_GATHER_FROM = 24
_HASH = itemgetter(0)  # of an item and of a WordSumDot entry
_BUCKETS, _VALUES, _NSQ = itemgetter(1), itemgetter(2), itemgetter(3)  # of an item
_PRODUCT, _ENTRY_NSQ = itemgetter(1), itemgetter(2)  # of a WordSumDot entry
_Item = tuple[int, tuple[int, ...], tuple[float, ...], float]
_Entry = tuple[int, list[complex], float]  # a WordSumDot word: hash, product with W, squared norm


class WordSumExtractor(FeatureExtractor):
    """Text -> sparse features, summed over distinct words and bigrams (see the module)."""

    kind = WORD_SUMS_KIND

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._items: dict[str, _Item] = {}
        # a bucket's weight within a word, in half units (at most every n-gram plus the word
        # itself in one bucket) -> its value
        most = sum(self.max_word_len + 3 - n for n in self.char_ngrams) + 3
        self._damp = [math.log1p(0.5 * k) for k in range(most)].__getitem__

    def item(self, w: str) -> _Item:
        """``(word hash, buckets, values, squared norm)`` of one word, memoised."""
        got = self._items.get(w)
        if got is not None:
            return got
        h, grams = self._hash_word(w)  # kept here only, not in the v1 memo as well
        own = h % self._span
        if own in grams or len(set(grams)) < len(grams):  # a bucket twice: count within the word
            counts = Counter(grams)  # in half units: a character n-gram weighs 0.5 ...
            counts[own] += 2  # ... and the word's own bucket 1
            vals = tuple(map(self._damp, counts.values()))
            out = (h, tuple(b + N_SIGNALS for b in counts), vals, sum(map(mul, vals, vals)))
        else:  # the usual case
            vals = (_HALF,) * len(grams) + (_LN2,)
            out = (h, (*[g + N_SIGNALS for g in grams], own + N_SIGNALS), vals, sum(map(mul, vals, vals)))
        if len(self._items) >= _ITEM_LIMIT:
            self._items.clear()
        self._items[w] = out
        return out

    def pair_buckets(self, hashes: list[int]) -> list[int]:
        """Buckets of the distinct word bigrams of a sequence of word hashes."""
        if not self.bigrams or len(hashes) < 2:
            return []
        span = self._span
        return [((a * 1000003) ^ b) % span + N_SIGNALS for a, b in dict.fromkeys(pairwise(hashes))]

    def _pair_array(self, hashes: np.ndarray) -> np.ndarray:
        """:meth:`pair_buckets` in numpy, for long texts."""
        if not self.bigrams or len(hashes) < 2:
            return np.zeros(0, dtype=np.int64)
        h = hashes.astype(np.uint64)
        keys = np.unique((h[:-1] << np.uint64(32)) | h[1:])  # word hashes are crc32s: 32 bits
        first, second = (keys >> np.uint64(32)).astype(np.int64), (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
        return ((first * 1000003) ^ second) % self._span + N_SIGNALS  # type: ignore[no-any-return]

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        text = feature_window(text)
        lower = text.lower()
        toks = _tokens(lower)
        sig = signals(text, lower, toks)
        sig_idx = np.arange(len(sig), dtype=np.int64)
        sig_val = np.asarray(sig, dtype=np.float64)
        if not toks:
            return sig_idx, sig_val
        memo, item = self._items, self.item
        entries = [memo.get(w) or item(w) for w in toks]
        items = list(dict(zip(toks, entries)).values())  # distinct words, first seen first
        n = sum(map(len, map(_BUCKETS, items)))
        idx = np.fromiter(chain.from_iterable(map(_BUCKETS, items)), dtype=np.int64, count=n)
        val = np.fromiter(chain.from_iterable(map(_VALUES, items)), dtype=np.float64, count=n)
        pairs = self._pair_array(np.fromiter(map(_HASH, entries), dtype=np.int64, count=len(entries)))
        if len(pairs):
            idx = np.concatenate([idx, pairs])
            val = np.concatenate([val, np.full(len(pairs), _LN2)])
        norm = math.sqrt(sum(map(_NSQ, items)) + _LN2 * _LN2 * len(pairs))
        order = np.argsort(idx)
        sidx = idx[order]
        new = np.empty(len(sidx), dtype=bool)
        new[0] = True
        np.not_equal(sidx[1:], sidx[:-1], out=new[1:])
        starts = np.flatnonzero(new)
        summed = np.add.reduceat(val[order], starts) / norm
        return np.concatenate([sig_idx, sidx[starts]]), np.concatenate([sig_val, summed])


def _complex_pairs(M: np.ndarray) -> np.ndarray:
    """The columns of ``M`` in pairs, each pair one complex column (``sum`` adds complex
    numbers in C, so two columns cost one pass); an odd last column is paired with zeros."""
    if M.shape[1] % 2:
        M = np.hstack([M, np.zeros((M.shape[0], 1))])
    return M[:, 0::2] + 1j * M[:, 1::2]  # type: ignore[no-any-return]


def _flat_rows(M: np.ndarray) -> array[float]:
    """The rows of ``M`` (three or four columns; a missing fourth is 0) one after another in a
    flat C array: ``float`` when every weight is one exactly (the shipped ladder's ``W`` is
    float32), else ``double``. Read back as Python floats, the same values."""
    M4 = np.zeros((M.shape[0], 4))
    M4[:, : M.shape[1]] = M
    flat = M4.ravel()
    single = flat.astype(np.float32)
    if np.array_equal(single.astype(np.float64), flat):
        return array("f", single.tobytes())
    return array("d", flat.tobytes())


class WordSumDot:
    """``val @ W[idx]`` for ``idx, val = fx.transform_one(text)``, from memoised word products.

    ``W`` has ``fx.dim`` rows, also kept as Python complex numbers (two columns each) so that
    a request of known words needs no numpy call. Each distinct word's ``item @ W`` is
    computed once (the new words of a request in one numpy gather) and kept (at most
    200,000 words, then the memo starts again); a bigram is one row. A request costs its tokens, the signals and a
    sum over its words and bigrams.
    """

    def __init__(self, fx: WordSumExtractor, W: np.ndarray) -> None:
        if W.shape[0] != fx.dim:
            raise ValueError(f"W has {W.shape[0]} rows, the features {fx.dim}")
        self.fx = fx
        self.cols = int(W.shape[1])
        self._W = np.asarray(W, dtype=np.float64)
        self._columns: list[list[complex]] = [col.tolist() for col in _complex_pairs(self._W).T]
        self._sig_cols = [col[:N_SIGNALS] for col in self._columns]
        self._sig_pair = self._sig_cols if len(self._sig_cols) == 2 else None
        """The signal rows of two complex columns (the ladder's levels): :meth:`_read_pair`."""
        self._pair_rows = _flat_rows(self._W[N_SIGNALS:]) if self._sig_pair is not None else None
        """The hashed rows of ``W`` for :meth:`_read_pair`'s bigrams: four numbers a row, in one
        flat C array (floats when ``W`` holds floats, as the shipped ladder's, else doubles)."""
        self._words: dict[str, _Entry] = {}

    def _learn(self, words: list[str]) -> dict[str, _Entry]:
        """Memoise the products of words not seen before: one numpy gather for all of them."""
        items = [self.fx.item(w) for w in words]
        sizes = [len(it[1]) for it in items]
        idx = np.fromiter(chain.from_iterable(map(_BUCKETS, items)), dtype=np.int64, count=sum(sizes))
        val = np.fromiter(chain.from_iterable(map(_VALUES, items)), dtype=np.float64, count=len(idx))
        starts = np.cumsum([0, *sizes[:-1]])
        z = np.add.reduceat(self._W[idx] * val[:, None], starts, axis=0)
        packed = _complex_pairs(z).tolist()
        out = {w: (it[0], row, it[3]) for w, it, row in zip(words, items, packed)}
        if len(self._words) + len(out) > _MEMO_LIMIT:
            self._words.clear()
        self._words.update(out)
        return out

    def __call__(self, text: str) -> list[float]:
        text = feature_window(text)
        lower = text.lower()
        return self.read(text, lower, _tokens(lower))

    def read(
        self, text: str, lower: str, toks: list[str], inert: tuple[int, int] = (0, 0)
    ) -> list[float]:
        """:meth:`__call__` of a text within the feature window (``feature_window(text) is
        text``), given its lower case and ``_tokens(lower)``: for a caller that reads the
        words of the text too (``inert``: as :func:`~shared_core.signals.signals` says)."""
        sig = signals(text, lower, toks, inert)
        if self._sig_pair is not None:
            return self._read_pair(sig, toks)
        # the signals that are not 0 (about a third, on a short request): a zero adds nothing
        # to the sum (the bias signal, always 1.0, comes first), and each term is a complex
        acc = [sum(map(mul, compress(sig, sig), compress(col, sig))) for col in self._sig_cols]
        if toks:
            entries = self._entries(toks)
            distinct = list(dict(zip(toks, entries)).values())  # each word once
            columns = zip(*map(_PRODUCT, distinct))  # the words' products, column by column
            nsq: float = sum(map(_ENTRY_NSQ, distinct))
            buckets: list[int] = []
            if self.fx.bigrams and len(toks) > 1:
                buckets = self.fx.pair_buckets(list(map(_HASH, entries)))
                nsq += _LN2 * _LN2 * len(buckets)
            k = 1.0 / math.sqrt(nsq)
            # per column: signals + (words + bigrams * ln 2) * k, in one pass
            if len(buckets) > _GATHER_FROM:  # one numpy gather misses the caches less
                z = [*self._W[buckets].sum(axis=0).tolist(), 0.0]
                acc = [
                    a + (sum(col) + complex(z[j], z[j + 1]) * _LN2) * k
                    for a, col, j in zip(acc, columns, range(0, self.cols, 2))
                ]
            elif buckets:
                acc = [
                    a + (sum(col) + sum(map(w.__getitem__, buckets)) * _LN2) * k
                    for a, col, w in zip(acc, columns, self._columns)
                ]
            else:
                acc = [a + sum(col) * k for a, col in zip(acc, columns)]
        out: list[float] = []
        for c in acc:
            out += (c.real, c.imag)
        return out[: self.cols]

    def _entries(self, toks: list[str]) -> list[_Entry]:
        """The memo's entry of each token, learning the words it misses."""
        memo = self._words
        found = list(map(memo.get, toks))
        if None in found:  # the words this lookup missed (another thread may learn them too)
            learned = self._learn(list(dict.fromkeys(t for t, e in zip(toks, found) if e is None)))
            found = [e or learned[t] for e, t in zip(found, toks)]
        return found  # type: ignore[return-value]

    def _read_pair(self, sig: list[float], toks: list[str]) -> list[float]:
        """:meth:`read` for two complex columns (three or four of ``W``: the ladder's levels),
        as plain loops over the signals, the words and the bigrams: the same terms added in
        the same order as the per-column ``sum`` calls (each from 0), so the same floats,
        ~3 µs sooner inside a LangChain call (iterators and ``sum`` cost more cold than the
        loop)."""
        c0s, c1s = self._sig_pair  # type: ignore[misc]
        a0: complex = 0  # (ints, as sum() starts: the same first additions)
        a1: complex = 0
        for s, c0, c1 in zip(sig, c0s, c1s):
            if s:  # a zero signal adds nothing
                a0 += s * c0
                a1 += s * c1
        if toks:
            entries = self._entries(toks)
            d0: complex = 0
            d1: complex = 0
            nsq: float = 0
            for _, (p0, p1), n in dict(zip(toks, entries)).values():  # each word once
                d0 += p0
                d1 += p1
                nsq += n
            # the distinct bigrams (what pair_buckets hashes), each summed from its row below
            pairs = dict.fromkeys(pairwise(map(_HASH, entries))) if self.fx.bigrams else {}
            if pairs:
                nsq += _LN2 * _LN2 * len(pairs)
            k = 1.0 / math.sqrt(nsq)
            if pairs:
                # a bigram's four numbers sit side by side in the flat rows (one cache line,
                # where the complex columns cost four: two list slots, two objects); summed
                # as the complex sums add them, real and imaginary parts apart, from 0: the
                # same floats. Also past _GATHER_FROM bigrams (a Chinese request has dozens):
                # numpy's gather adds the rows in the same order, and its calls cost more
                # inside a LangChain call than this loop (~25 µs on the everyday Chinese and
                # Japanese asks, benchmarks/langchain_ratio.py --varied)
                rows = self._pair_rows
                span = self.fx._span
                r0 = i0 = r1 = i1 = 0.0
                for a, b in pairs:
                    j = ((a * 1000003) ^ b) % span * 4  # (pair_buckets' bucket, less N_SIGNALS)
                    r0 += rows[j]  # type: ignore[index]
                    i0 += rows[j + 1]  # type: ignore[index]
                    r1 += rows[j + 2]  # type: ignore[index]
                    i1 += rows[j + 3]  # type: ignore[index]
                a0 += (d0 + complex(r0, i0) * _LN2) * k
                a1 += (d1 + complex(r1, i1) * _LN2) * k
            else:
                a0 += d0 * k
                a1 += d1 * k
        return [a0.real, a0.imag, a1.real, a1.imag][: self.cols]
