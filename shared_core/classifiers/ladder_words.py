"""The words of a ladder request: how the ladder model splits text into the words its
features and its seen-word coverage read (letters only; CJK character bigrams as extra words,
those scripts having no spaces), and the hashed buckets of the seen-word bitmap."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from operator import add
from typing import NamedTuple

import numpy as np

from ..signals import _tokens

WORD_BITS = 1 << 20
"""Buckets of the seen-word bitmap of a newly trained model. A file carries its own size (files
written before 2026-12-05 have 2**18). The bitmap must stay sparse: at 2**18 buckets the
training words filled ~7% of it, so a made-up word passed for a seen one that often and a
request of invented words could reach the out-of-distribution threshold by chance; at 2**20
it is ~2%."""
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
_ASCII_WORD_RE = re.compile(r"[a-z]{2,}")


def words_of(text: str, cjk: str = "") -> set[str]:
    """Distinct lower-case words of ``ladder_text(text, cjk)`` (letters only, 2+ long; first 2,000
    chars). ``cjk`` is the model's ``features.cjk``: the coverage counts the words the features read
    (a model reading CJK as :data:`CJK_GRAMS` never reads a run whole, so its runs are not words)."""
    head = text[:2000]
    if head.isascii():  # the same words by a plain ASCII class, and no CJK to add
        return set(_ASCII_WORD_RE.findall(head.lower()))
    return set(_WORD_RE.findall(ladder_text(head, cjk).lower()))


def word_ids(words: set[str], bits: int = WORD_BITS) -> np.ndarray:
    """The seen-bitmap buckets of ``words`` in a bitmap of ``bits`` buckets."""
    return np.fromiter((zlib.crc32(w.encode()) % bits for w in words), dtype=np.int64, count=len(words))


_CJK_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_CJK_RUN_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")
_CJK_RUN_SPLIT_RE = re.compile("([\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+)")
"""The runs as a group: ``split`` gives the text between them and the runs, alternately."""


CJK_GRAMS = "grams"
"""``features.cjk`` of a model that reads CJK text as character n-grams only (:func:`ladder_text`)."""


def ladder_text(text: str, cjk: str = "") -> str:
    """``text`` plus its CJK character bigrams as extra words (those scripts have no spaces).

    ``cjk`` is the model's ``features.cjk``: ``""`` (files before 2026-12-05) keeps each run of
    CJK characters in the text as one word beside its bigrams; :data:`CJK_GRAMS` replaces the
    runs (in the first 1,500 characters) by their bigrams and adds each distinct CJK character
    as a word. A run is a phrase or a sentence (``高铁上能带充电宝吗``), seen once in training and
    never again: as a feature it only lets the model learn its templates by heart, while the
    characters (``吗``, ``证``) and their pairs are what new requests share with them."""
    if text.isascii() or not _CJK_RE.search(text, 0, 400):  # (no CJK in ASCII text)
        return text
    runs = _CJK_RUN_RE.findall(text, 0, 1500)  # (the runs of the first 1,500 characters)
    grams = _bigrams(runs)
    if cjk != CJK_GRAMS:
        return text + "\n" + " ".join(grams)
    chars = dict.fromkeys("".join(runs))
    return _CJK_RUN_RE.sub(" ", text[:1500]) + text[1500:] + "\n" + " ".join(grams) + "\n" + " ".join(chars)


def _bigrams(runs: list[str]) -> list[str]:
    """The character bigrams of each run, in order (``map(add, ...)`` pairs them in C)."""
    grams: list[str] = []
    for run in runs:
        grams += map(add, run, run[1:])
    return grams


class LadderRead(NamedTuple):
    """What :func:`ladder_read` gives: the text the ladder reads, its lower case and tokens,
    the text's own tokens, and the appended tail as :func:`~shared_core.signals.signals`'s
    ``inert`` (its characters and its tokens)."""

    read: str
    lower: str
    tokens: list[str]
    own: list[str] | None
    inert: tuple[int, int]


def ladder_read(text: str, cjk: str = "") -> LadderRead | None:
    """``(read, lower, tokens, own, inert)`` for a text with CJK in it: ``read = ladder_text(text, cjk)``,
    ``lower = read.lower()``, ``tokens = _tokens(lower)`` and ``own = _tokens(text.lower())``
    (``None`` in :data:`CJK_GRAMS` mode). The appended bigrams are taken as they are instead
    of lowered and split again (a bigram is two CJK characters: no case, no space, no
    punctuation, so one token of itself; and a text's last word lowers alike before ``"\n"``
    and at the end). ``inert``: the characters and tokens of that appended tail (CJK letters,
    spaces and newlines only), which the signals need not count. ``None`` for a text that
    ``ladder_text`` returns unchanged."""
    if text.isascii() or not _CJK_RE.search(text, 0, 400):
        return None
    if cjk == CJK_GRAMS:  # ladder_text's string, from one regex pass (split: the runs at the
        # odd places, what sub keeps at the even ones); only the text left of the runs is
        # lowered and split: the bigrams and characters after it are tokens of their own
        parts = _CJK_RUN_SPLIT_RE.split(text[:1500])
        runs = parts[1::2]
        rest = " ".join(parts[0::2]) + text[1500:]
        grams = _bigrams(runs)
        chars = list(dict.fromkeys("".join(runs)))
        tail = "\n" + " ".join(grams) + "\n" + " ".join(chars)
        low = rest.lower()
        return LadderRead(
            rest + tail, low + tail, _tokens(low) + grams + chars, None, (len(tail), len(grams) + len(chars))
        )
    grams = _bigrams(_CJK_RUN_RE.findall(text, 0, 1500))
    tail = "\n" + " ".join(grams)
    lower = text.lower()
    own = _tokens(lower)
    return LadderRead(text + tail, lower + tail, own + grams, own, (len(tail), len(grams)))


def words_of_tokens(toks: Sequence[str], pattern: re.Pattern[str] = _ASCII_WORD_RE) -> set[str]:
    r""":func:`words_of` of a text of at most 2,000 characters, from
    ``_tokens(ladder_text(text, cjk).lower())`` (``_tokens(text.lower())`` without CJK): every
    letter is in a token, and a token of letters only is a whole run of them (tokens end at
    whitespace and ASCII punctuation, which are no letters), so the runs of 2+ letters are
    the tokens of letters only and those found inside the others.

    ``pattern``: ``_ASCII_WORD_RE`` for an ASCII text (the same words as ``_WORD_RE``,
    sooner), else ``_WORD_RE`` (a letter of a token is ``str.isalpha``, what the regex's
    ``[^\W\d_]`` reads as one: categories L*)."""
    out = set()
    for t in toks:
        if t.isalpha():
            if len(t) > 1:
                out.add(t)
        else:
            out.update(pattern.findall(t))
    return out
