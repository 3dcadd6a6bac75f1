"""Encoders: texts -> vectors. The protocol, an offline hashing encoder, and an LRU cache.

* :class:`HashingEncoder` — deterministic, offline: hashed character n-grams and words,
  L2-normalised. The default when no encoder is given, and handy in tests.
* :class:`CachedEncoder` — an LRU over ``text -> vector`` in front of any encoder.
"""

from __future__ import annotations

import asyncio
import re
import threading
import zlib
from collections import OrderedDict
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import ConfigError, DataFormatError

__all__ = ["CachedEncoder", "Encoder", "HashingEncoder", "aencode"]


@runtime_checkable
class Encoder(Protocol):
    """Texts in, one row per text out (``len(texts) x dim``). ``aencode`` is optional."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


async def aencode(encoder: Any, texts: list[str]) -> np.ndarray:
    """Await ``encoder.aencode`` when present, else run ``encoder.encode`` in a thread."""
    fn = getattr(encoder, "aencode", None)
    if fn is not None:
        return np.asarray(await fn(texts), dtype=np.float32)
    return np.asarray(await asyncio.to_thread(encoder.encode, texts), dtype=np.float32)


# -- encoders --------------------------------------------------------------------------
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_MULT = np.uint64(1_000_003)
_MASK = np.uint64(0xFFFFFFFF)


class HashingEncoder:
    """Hashed character n-grams (default 3-5) and words, signed, L2-normalised.

    Deterministic across processes and machines (no salted ``hash``); no vocabulary,
    no training, no network. Empty text encodes to the zero vector.
    """

    def __init__(
        self, dim: int = 1024, ngram_range: tuple[int, int] = (3, 5), words: bool = True
    ) -> None:
        if dim < 8:
            raise ConfigError(
                f"HashingEncoder dim must be at least 8, got {dim}", field="dim", value=dim
            )
        lo, hi = ngram_range
        if not 1 <= lo <= hi:
            raise ConfigError(
                f"ngram_range must be (lo, hi) with 1 <= lo <= hi, got {ngram_range!r}",
                field="ngram_range",
                value=ngram_range,
            )
        self.dim = int(dim)
        self.ngram_range = (int(lo), int(hi))
        self.words = words

    def __repr__(self) -> str:
        return f"HashingEncoder(dim={self.dim}, ngram_range={self.ngram_range}, words={self.words})"

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            self._encode_into(str(text).lower(), out[row])
        return out

    def _encode_into(self, text: str, vec: np.ndarray) -> None:
        codes = np.frombuffer(text.encode("utf-32-le", "replace"), dtype=np.uint32).astype(
            np.uint64
        )
        codes = np.concatenate(([np.uint64(2)], codes, [np.uint64(3)]))  # boundary marks
        lo, hi = self.ngram_range
        for n in range(lo, hi + 1):
            if len(codes) < n:
                break
            h = np.full(len(codes) - n + 1, np.uint64(n * 0x9E37), dtype=np.uint64)
            for k in range(n):
                h = ((h * _MULT) ^ codes[k : len(codes) - n + 1 + k]) & _MASK
            self._add(vec, h)
        if self.words:
            ws = _WORD_RE.findall(text)
            if ws:
                h = np.fromiter(
                    (zlib.crc32(w.encode("utf-8")) for w in ws), dtype=np.uint64, count=len(ws)
                )
                self._add(vec, h, weight=2.0)
        norm = float(np.linalg.norm(vec))
        if norm > 0:
            vec /= norm

    def _add(self, vec: np.ndarray, h: np.ndarray, weight: float = 1.0) -> None:
        h = (h * np.uint64(2_654_435_761)) & _MASK  # mix before taking buckets
        idx = (h % np.uint64(self.dim)).astype(np.intp)
        sign = np.where((h >> np.uint64(31)) & np.uint64(1), -weight, weight)
        vec += np.bincount(idx, weights=sign, minlength=self.dim).astype(np.float32)


class CachedEncoder:
    """LRU cache ``text -> vector`` in front of an encoder; thread-safe.

    Only the misses of a batch reach the inner encoder, in one call. ``hits`` and
    ``misses`` count texts; :meth:`cache_info` reports them.
    """

    def __init__(self, encoder: Any, maxsize: int = 4096) -> None:
        if maxsize < 0:
            raise ConfigError(
                f"maxsize must be >= 0, got {maxsize}", field="maxsize", value=maxsize
            )
        self.encoder = encoder
        self.maxsize = int(maxsize)
        self.hits = 0
        self.misses = 0
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"CachedEncoder({self.encoder!r}, maxsize={self.maxsize})"

    def cache_info(self) -> dict[str, int]:
        with self._lock:
            return {
                "hits": self.hits,
                "misses": self.misses,
                "size": len(self._cache),
                "maxsize": self.maxsize,
            }

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self.hits = self.misses = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        found, missing = self._lookup(texts)
        if missing:
            vecs = np.asarray(self.encoder.encode(missing), dtype=np.float32)
            self._store(missing, vecs, found)
        return np.stack([found[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    async def aencode(self, texts: list[str]) -> np.ndarray:
        found, missing = self._lookup(texts)
        if missing:
            vecs = await aencode(self.encoder, missing)
            self._store(missing, vecs, found)
        return np.stack([found[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    def _lookup(self, texts: list[str]) -> tuple[dict[str, np.ndarray], list[str]]:
        found: dict[str, np.ndarray] = {}
        missing: list[str] = []
        with self._lock:
            for t in texts:
                if t in found:
                    self.hits += 1
                    continue
                v = self._cache.get(t)
                if v is None:
                    if t not in missing:
                        missing.append(t)
                        self.misses += 1
                    else:
                        self.hits += 1
                else:
                    self._cache.move_to_end(t)
                    found[t] = v
                    self.hits += 1
        return found, missing

    def _store(self, texts: list[str], vecs: np.ndarray, found: dict[str, np.ndarray]) -> None:
        if vecs.ndim != 2 or vecs.shape[0] != len(texts):
            raise DataFormatError(
                repr(self.encoder), f"encoder returned shape {vecs.shape} for {len(texts)} texts"
            )
        with self._lock:
            for t, v in zip(texts, vecs):
                v = np.array(v, dtype=np.float32)  # own copy, read-only
                v.setflags(write=False)
                found[t] = v
                if self.maxsize:
                    self._cache[t] = v
                    self._cache.move_to_end(t)
            while len(self._cache) > self.maxsize:
                self._cache.popitem(last=False)
