"""The ladder model: text -> probability of each of the four ladder levels, calibrated.

Levels are the practitioners' four-tier ladder (0 simple: greetings, look-ups,
conversions, FAQs; 1 medium: summarise, extract, short emails; 2 complex: real code,
debugging, analysis, long-form; 3 frontier: research synthesis, proofs, large system
design). A softmax over hashed n-gram features of the request and, separately, of its
edges (the first and last characters, where the real ask usually sits when an application
wraps it in retrieved text or a template), plus character bigrams for scripts written
without spaces (Chinese, Japanese). In a conversation the model reads the last user
message only (``reads: ask``): the tier is that message's, and earlier heavy turns must not
lift a light follow-up.

Beside the weights the file carries:

* ``calibration``: isotonic points mapping the raw probability of the chosen level to
  the probability that the choice is right (fit on cross-validated predictions), so
  ``confidence`` means what it says;
* ``seen``: which words (hashed into a bitmap of :data:`WORD_BITS` buckets, or of the size
  the file carries; CJK character bigrams count as words) occur in the training data. ``coverage`` is the share of a request's
  distinct words seen there; below ``ood_coverage`` the request is unlike the training
  data and the classifier falls back to a safe choice.

Plain JSON + NPZ; loading never executes code.
"""

from __future__ import annotations

import bisect
import math
import zlib
from collections.abc import Sequence
from itertools import filterfalse
from operator import add
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataFormatError, RouterError
from ..features import FeatureExtractor, SparseBatch, _tokens, feature_window
from ..word_sums import WordSumDot, WordSumExtractor
from .files import (
    WEIGHTS_HASH,
    dense_rows,
    read_json_safely,
    read_weights,
    sparse_rows,
    write_json,
    write_npz,
)
from .ladder_words import (  # re-exported: the model's word splitting lives there
    _ASCII_WORD_RE,
    _WORD_RE,
    CJK_GRAMS,
    WORD_BITS,
    ladder_read,
    ladder_text,
    word_ids,
    words_of,
    words_of_tokens,
)

__all__ = [
    "CJK_GRAMS", "LADDER_FORMAT", "LEVELS", "WORD_BITS", "LadderModel", "ladder_text", "word_ids", "words_of",
    "words_of_tokens",
]

LADDER_FORMAT = "tier-router.ladder-model"
LEVELS = ("simple", "medium", "complex", "frontier")
EDGE_HEAD, EDGE_TAIL, EDGE_MIN = 160, 260, 480
DOT_MAX = 96
"""With ``v1`` features, texts up to this many characters take :meth:`FeatureExtractor.dot_one`
(dict sums beat numpy's per-call cost on a line or two; above it the sorted numpy path is
faster). With ``v2`` (word sums) every text of up to :data:`EDGE_MIN` characters takes
:class:`~shared_core.word_sums.WordSumDot`."""
MIN_WORDS = 4
"""Texts with fewer distinct words are never called out of distribution (too little to judge)."""


def _edges(text: str) -> str:
    if len(text) <= EDGE_MIN:
        return text
    return text[:EDGE_HEAD] + "\n" + text[-EDGE_TAIL:]


class LadderModel:
    """Softmax over the four ladder levels; ``W`` has ``2 * dim`` rows (whole text, edges)."""

    def __init__(
        self,
        W: np.ndarray,
        b: np.ndarray,
        features: dict[str, Any],
        *,
        calibration: tuple[Sequence[float], Sequence[float]] = ((0.0, 1.0), (0.0, 1.0)),
        calibration_intl: tuple[Sequence[float], Sequence[float]] | None = None,
        seen: np.ndarray | None = None,
        ood_coverage: float = 0.0,
        info: dict[str, Any] | None = None,
        reads_ask: bool = True,
    ) -> None:
        self.features = dict(features)
        self.reads_ask = bool(reads_ask)
        """Whether the model reads only the last user message of a conversation (``reads: ask``
        in the file) or the whole classified text (files written before, without ``reads``)."""
        self.fx = FeatureExtractor.from_config(self.features)
        self.cjk = str(self.features.get("cjk", ""))
        """How the features read CJK text (:func:`ladder_text`; ``""`` in older files)."""
        self.danda = bool(self.features.get("danda", False))
        """Whether the features read the Devanagari full stops (``।``, ``॥``) as spaces, as they read
        ``.`` (``False`` in older files: glued to the word before them, ``कीजिए।`` was a word of its
        own beside ``कीजिए``)."""
        self.dim = self.fx.dim
        self.W = np.asarray(W, dtype=np.float32)
        self.b = np.asarray(b, dtype=np.float64).reshape(-1)
        self._b = self.b.tolist()
        if self.W.shape != (2 * self.dim, len(LEVELS)) or len(self.b) != len(LEVELS):
            raise DataFormatError("ladder model", f"W{self.W.shape} b{self.b.shape} do not fit dim {self.dim}")
        self.cal_x, self.cal_y = _points(calibration)
        self._cal = (self.cal_x.tolist(), self.cal_y.tolist())
        self.cal_intl = None if calibration_intl is None else _points(calibration_intl)
        """The calibration of requests written with letters outside ASCII (accents, CJK, Devanagari:
        :func:`is_intl`), fit on those rows alone; ``None`` (older files): one curve for all."""
        self._cal_intl = self._cal if self.cal_intl is None else (self.cal_intl[0].tolist(), self.cal_intl[1].tolist())
        self._word_memo: dict[str, bool] = {}
        self.seen = np.ones(WORD_BITS, dtype=bool) if seen is None else seen
        self.ood_coverage = float(ood_coverage)
        self.info = dict(info or {})
        # a short text is its own edge: both halves see the same features, so sum them once
        self._W_short = (self.W[: self.dim] + self.W[self.dim :]).astype(np.float32)
        self._dot = WordSumDot(self.fx, self._W_short) if isinstance(self.fx, WordSumExtractor) else None
        self._dot_long: WordSumDot | None = None

    @property
    def seen(self) -> np.ndarray:
        """The seen-word bitmap (``bool``, a power-of-two length: its own bucket count)."""
        return self._seen

    @seen.setter
    def seen(self, bits: np.ndarray) -> None:
        arr = np.asarray(bits, dtype=bool).reshape(-1)
        n = len(arr)
        if n < 8 or n & (n - 1):
            raise DataFormatError("ladder model", f"the seen-word bitmap needs a power-of-two length >= 8, got {n}")
        self._seen = arr
        self._word_memo.clear()  # memoised hits belong to the old bitmap

    # -- features --------------------------------------------------------------------
    def view(self, text: str, ask_start: int = 0) -> str:
        """What the model reads of a classified text whose last user message starts at ``ask_start``."""
        return text[ask_start:] if (ask_start > 0 and self.reads_ask) else text

    def read_text(self, text: str) -> str:
        """What the hashed features read of ``text``: :func:`ladder_text` in this model's CJK mode."""
        return ladder_text(text, self.cjk)

    def plain(self, text: str) -> str:
        """``text`` with its Devanagari full stops read as spaces when the model says so (:attr:`danda`)."""
        if self.danda and not text.isascii() and ("\u0964" in text or "\u0965" in text):
            return text.replace("\u0964", " ").replace("\u0965", " ")
        return text

    def featurize(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sparse features over ``2 * dim`` buckets: whole text, then its edges."""
        text = self.plain(text)
        t = self.read_text(text)
        i1, v1 = self.fx.transform_one(t)
        if len(text) <= EDGE_MIN:
            return np.concatenate([i1, i1 + self.dim]), np.concatenate([v1, v1])
        i2, v2 = self.fx.transform_one(self.read_text(_edges(text)))
        return np.concatenate([i1, i2 + self.dim]), np.concatenate([v1, v2])

    def batch(self, texts: Sequence[str], ask_starts: Sequence[int] | None = None) -> SparseBatch:
        """Features of many texts; ``ask_starts`` as ``Request.ask_start`` (see :meth:`view`)."""
        starts = [0] * len(texts) if ask_starts is None else list(ask_starts)
        rows = [self.featurize(self.view(t, a)) for t, a in zip(texts, starts)]
        indptr = np.concatenate([[0], np.cumsum([len(i) for i, _ in rows])])
        idx = np.concatenate([i for i, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
        val = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
        return SparseBatch(indptr, idx, val, 2 * self.dim)

    # -- prediction ------------------------------------------------------------------
    def proba_sparse(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        z = val @ self.W[idx] + self.b
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """Level probabilities, shape ``(n, 4)``."""
        return np.array([self.proba_sparse(*self.featurize(t)) for t in texts]).reshape(-1, len(LEVELS))

    def coverage(self, text: str, tokens: Sequence[str] | None = None) -> float:
        """Share of the distinct words of ``text`` seen in training (1.0 below :data:`MIN_WORDS` words).

        ``tokens``: ``_tokens(self.read_text(text).lower())`` (CJK bigrams included) when the
        caller has them (:meth:`proba_words`)."""
        if tokens is not None and len(text) <= 2000:  # (what words_of(text, self.cjk) finds, without
            # its scans of the whole text: ~3.5 against ~12 µs on a line in another script)
            words = words_of_tokens(tokens, _ASCII_WORD_RE if text.isascii() else _WORD_RE)
        else:
            words = words_of(text, self.cjk)
        if len(words) < MIN_WORDS:
            return 1.0
        memo, seen = self._word_memo, self._seen
        bits = len(seen)
        known = list(map(memo.get, words))
        if None not in known:
            return sum(known) / len(words)  # type: ignore[arg-type]
        hits = 0
        for w in words:
            hit = memo.get(w)
            if hit is None:
                hit = bool(seen[zlib.crc32(w.encode()) % bits])
                if len(memo) >= 100_000:
                    memo.clear()
                memo[w] = hit
            hits += hit
        return hits / len(words)

    def _long_dot(self) -> WordSumDot:
        """Word sums over both halves of ``W`` side by side (built at the first long text)."""
        dot = self._dot_long
        if dot is None:
            halves = np.hstack([self.W[: self.dim], self.W[self.dim :]])
            dot = self._dot_long = WordSumDot(self.fx, halves)  # type: ignore[arg-type]
        return dot

    def proba_text(self, text: str) -> np.ndarray:
        """Level probabilities of one text (the per-request path of :meth:`proba`; pass
        :meth:`view` of a classified text)."""
        return np.array(self.proba_list(text))

    def proba_list(self, text: str) -> list[float]:
        """:meth:`proba_text` as a plain list (what the classifier reads per request)."""
        return self.proba_tokens(text)[0]

    def proba_tokens(self, text: str) -> tuple[list[float], list[str] | None]:
        """:meth:`proba_list` and the words it read: ``_tokens(text.lower())`` for a short
        text without CJK (what :meth:`coverage` and the greeting check read too), else ``None``."""
        p, toks, read_toks = self.proba_words(text)
        return p, toks if toks is read_toks else None

    def proba_words(self, text: str) -> tuple[list[float], list[str] | None, list[str] | None]:
        """``(probabilities, tokens, read tokens)``: for a short text, ``_tokens(text.lower())``
        (what the greeting check reads; with CJK in the text too, where :meth:`proba_tokens`
        says ``None``) and the tokens of what it read, CJK bigrams included
        (``_tokens(ladder_text(text).lower())``, what :meth:`coverage` takes; the same list
        without CJK), else ``None``: a short text in Chinese or Japanese is not split into words
        twice."""
        text = self.plain(text)
        n = len(text)
        toks = read_toks = None
        if self._dot is not None and n <= EDGE_MIN:  # word sums: memoised per word
            cjk = ladder_read(text, self.cjk)
            if cjk is None:  # (no CJK bigrams added; feature_window keeps a short text whole)
                lower = text.lower()
                toks = read_toks = _tokens(lower)
                z = list(map(add, self._dot.read(text, lower, toks), self._b))
            elif feature_window(cjk[0]) is cjk[0]:  # (always, at EDGE_MIN characters: what
                read, lower, read_toks, toks = cjk[:4]  # self._dot(read) does, with its tokens kept)
                z = list(map(add, self._dot.read(read, lower, read_toks, cjk.inert), self._b))
            else:
                z = list(map(add, self._dot(cjk[0]), self._b))
        elif self._dot is not None:  # the whole text on the first half of W, its edges on the second
            k = len(LEVELS)
            dot = self._long_dot()
            whole = dot(self.read_text(text))[:k]
            edges = dot(self.read_text(_edges(text)))[k:]
            z = [a + b + c for a, b, c in zip(whole, edges, self._b)]
        elif n <= DOT_MAX:
            z = (self.fx.dot_one(self.read_text(text), self._W_short) + self.b).tolist()
        elif n <= EDGE_MIN:
            idx, val = self.fx.transform_one(self.read_text(text))
            z = (val @ self._W_short[idx] + self.b).tolist()
        else:
            idx, val = self.featurize(text)
            z = (val @ self.W[idx] + self.b).tolist()
        top = max(z)  # four numbers: plain Python beats numpy's per-call cost
        e = [math.exp(v - top) for v in z]
        s = sum(e)
        return [v / s for v in e], toks, read_toks

    def calibrator(self, text: str) -> Any:
        """:meth:`calibrate_one` for a request that reads ``text``: the curve of its group
        (:func:`is_intl`) when the file has two."""
        return self.calibrate_intl if self.cal_intl is not None and is_intl(text) else self.calibrate_one

    def calibrate_intl(self, p_chosen: float) -> float:
        """:meth:`calibrate_one` on the curve of requests with letters outside ASCII."""
        return _interp(self._cal_intl, p_chosen)

    def calibrate_one(self, p_chosen: float) -> float:
        """:meth:`calibrate` for one value, without numpy (the per-request path)."""
        return _interp(self._cal, p_chosen)

    def calibrate(self, p_chosen: float | np.ndarray) -> Any:
        """Raw probability of the chosen level -> probability that the choice is right."""
        return np.interp(p_chosen, self.cal_x, self.cal_y)

    # -- persistence -----------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        p = Path(path)
        npz = p.with_suffix(".npz")
        arrays: dict[str, np.ndarray] = {"b": self.b, "seen": np.packbits(self.seen)}
        arrays.update(sparse_rows(self.W, dtype=np.float16))
        digest = write_npz(npz, arrays)  # the weights first: the JSON then names their hash
        meta = {
            "format": LADDER_FORMAT,
            "version": 1,
            "reads": "ask" if self.reads_ask else "text",
            "levels": list(LEVELS),
            "features": self.features,
            "weights_file": npz.name,
            WEIGHTS_HASH: digest,
            "calibration": {"x": [round(float(x), 6) for x in self.cal_x],
                            "y": [round(float(y), 6) for y in self.cal_y]},
            "ood_coverage": round(self.ood_coverage, 6),
            **({} if self.cal_intl is None else {"calibration_intl": {
                "x": [round(float(x), 6) for x in self.cal_intl[0]],
                "y": [round(float(y), 6) for y in self.cal_intl[1]]}}),
            "info": self.info,
        }
        return write_json(p, meta)

    @classmethod
    def load(cls, path: str | Path) -> LadderModel:
        p = Path(path)
        meta = read_json_safely(p, LADDER_FORMAT)
        try:
            arrays = read_weights(p, meta)
            dim = int(meta["features"]["dim"])
            W = dense_rows(arrays, 2 * dim, len(LEVELS))
            seen = np.unpackbits(arrays["seen"]).astype(bool)  # its own size (checked)
            cal = meta["calibration"]
            return cls(
                W,
                arrays["b"],
                meta["features"],
                calibration=(cal["x"], cal["y"]),
                calibration_intl=(meta["calibration_intl"]["x"], meta["calibration_intl"]["y"])
                if "calibration_intl" in meta else None,
                seen=seen,
                ood_coverage=float(meta.get("ood_coverage", 0.0)),
                info=meta.get("info"),
                reads_ask=_reads_ask(meta.get("reads", "text"), p),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, RouterError):
                raise
            raise DataFormatError(str(p), f"invalid ladder model file: {exc!r}") from None


def is_intl(text: str) -> bool:
    """Whether ``text`` has a letter outside ASCII (an accent, CJK, Devanagari): the requests whose
    confidence the second calibration curve maps (first 2,000 characters)."""
    head = text[:2000]
    # (any(c.isalpha() and not c.isascii() for c in head), iterated in C)
    return not head.isascii() and any(map(str.isalpha, filterfalse(str.isascii, head)))


def _points(cal: tuple[Sequence[float], Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = np.asarray(cal[0], dtype=np.float64), np.asarray(cal[1], dtype=np.float64)
    if len(xs) != len(ys) or len(xs) < 2 or np.any(np.diff(xs) <= 0):
        raise DataFormatError(
            "ladder model", "calibration needs two equal-length lists of >= 2 points, x increasing"
        )
    return xs, ys


def _interp(cal: tuple[list[float], list[float]], p: float) -> float:
    """Linear interpolation on ``(xs, ys)``, flat beyond the ends (``np.interp``, without numpy)."""
    xs, ys = cal
    if p <= xs[0]:
        return ys[0]
    if p >= xs[-1]:
        return ys[-1]
    i = bisect.bisect_right(xs, p)
    x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    return y0 + (y1 - y0) * (p - x0) / (x1 - x0)


def _reads_ask(value: Any, path: Path) -> bool:
    """``reads`` of a ladder file: ``"ask"`` or ``"text"`` (files written before it have none)."""
    if value not in ("ask", "text"):
        raise DataFormatError(str(path), f"reads must be 'ask' or 'text', got {value!r}")
    return value == "ask"
