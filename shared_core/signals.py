"""The engineered signals of a text (:func:`signals`, in :data:`SIGNAL_NAMES` order, each in
[0, 1]) and the word tokenizer the hashed features share (:func:`_tokens`).

They fill the first :data:`N_SIGNALS` buckets of :class:`~shared_core.features.FeatureExtractor`'s
vectors, and the ladder model reads them as they are; :mod:`shared_core.features` re-exports them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

SIGNAL_NAMES: tuple[str, ...] = (
    "bias",
    "log_chars",
    "log_words",
    "log_lines",
    "short",
    "long",
    "digit_frac",
    "upper_frac",
    "punct_frac",
    "code_fence",
    "code_tokens",
    "math_symbols",
    "latex",
    "multiple_choice",
    "few_shot",
    "question_marks",
    "constraints",
    "step_by_step",
    "imperative_start",
    "greeting",
    "list_items",
    "numbers",
    "url",
    "json_like",
)
_MAX_FEATURE_CHARS = 2000
"""Signals read at most this many characters of a text (the hashed features a window this long)."""
N_SIGNALS = 32
"""Buckets reserved for engineered signals (``len(SIGNAL_NAMES)`` used, rest spare)."""

# punctuation separates words (see _tokens)
_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~"
_PUNCT_TABLE = str.maketrans(dict.fromkeys(_PUNCT, " "))
_TOKEN_RE = re.compile(r"[^\s" + re.escape(_PUNCT) + r"]+")
_CODE_WORDS = frozenset(
    "def return import class function const var let public void printf include elif lambda "
    "async await select from where int str print self null none true false".split()
)
_CODE_MARKS = ("{", "}", ";", "==", "!=", "=>", "->", "()", "[]", "    ")  # one-character ones first
_MATH_CHARS = "=+*/^<>≤≥∑∫√π%"
_MATH_WORDS = frozenset(
    "sqrt frac solve equation integral derivative probability sum product compute calculate "
    "x y n prime matrix".split()
)
_CONSTRAINT_WORDS = frozenset(
    "must exactly least most words word sentences sentence bullet format json without only "
    "limit within don't not never always".split()
)
_STEP_PHRASES = (
    "step by step",
    "step-by-step",
    "prove",
    "derive",
    "explain why",
    "justify",
    "analyze",
    "analyse",
)
_STEP_RE = re.compile("|".join(map(re.escape, _STEP_PHRASES)))  # any of them, as a substring
_IMPERATIVE_WORDS = frozenset(
    "write create generate implement build design draft compose list give summarize summarise "
    "translate rewrite fix explain describe compare classify extract".split()
)
_GREETING_WORDS = frozenset("hi hello hey thanks thank morning evening".split())
_MC_RE = re.compile(r"(?m)^\s*\(?[A-Ja-j][\)\.:]\s+\S")
_FEWSHOT_RE = re.compile(r"(?im)^\s*(answer|a|q|question|output|input|example)\s*\d*\s*:")
_LIST_RE = re.compile(r"(?m)^\s*([-*•]|\d+[\.\)])\s+")
# what the byte counts in signals() count (they no longer run: the property tests compare)
_UPPER_RE = re.compile(r"[A-Z]")
_DIGITS_RE = re.compile("[0-9]+")
_MATH_RE = re.compile("[" + re.escape(_MATH_CHARS) + "]+")

_DIGIT_BYTES = b"0123456789"
_MATH_BYTES = _MATH_CHARS.encode("ascii", "ignore")  # the ASCII ones
_MATH_WIDE = "".join(c for c in _MATH_CHARS if not c.isascii())
_UPPER_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _squash(x: float, scale: float) -> float:
    """Map a count to [0, 1): ``x / (x + scale)``."""
    return x / (x + scale) if x > 0 else 0.0


def _tokens(lower: str) -> list[str]:
    """Words: runs of anything but whitespace and ASCII punctuation, i.e. what replacing the
    punctuation by spaces and ``str.split()`` gives. ``translate`` is the faster way for long
    ASCII text; on other text it looks characters up one by one (135 µs for 2,000 characters
    with a few non-ASCII ones, against 39 µs for the regex), and on a line the regex wins."""
    if len(lower) > 64 and lower.isascii():
        return lower.translate(_PUNCT_TABLE).split()
    return _TOKEN_RE.findall(lower)


def signals(
    text: str, lower: str | None = None, tokens: Sequence[str] | None = None,
    inert: tuple[int, int] = (0, 0),
) -> list[float]:
    """Engineered signals of ``text`` in :data:`SIGNAL_NAMES` order, each in [0, 1].

    ``lower`` / ``tokens`` may be passed when already computed (they are derived
    from the first :data:`_MAX_FEATURE_CHARS` characters otherwise).

    ``inert``: ``(characters, tokens)`` at the end of ``text`` and of ``tokens`` that hold
    only Chinese, Japanese or Korean letters, spaces and newlines, as the bigrams and
    characters :func:`~shared_core.classifiers.ladder_words.ladder_read` appends: no other
    ASCII character, no digit, no maths character, no case. The counts then skip them
    (the same values, sooner); lengths, lines and the line-start patterns still read them.
    """
    n = len(text)
    sample = text if n <= _MAX_FEATURE_CHARS else text[:_MAX_FEATURE_CHARS]
    if lower is None:
        lower = sample.lower()
    toks = _tokens(lower) if tokens is None else tokens
    nw = len(toks) if n <= _MAX_FEATURE_CHARS else int(len(toks) * n / _MAX_FEATURE_CHARS)
    tail_chars, tail_toks = inert if n <= _MAX_FEATURE_CHARS else (0, 0)
    # what the counts read: the text less its inert tail (whose characters count nothing)
    counted = sample[: n - tail_chars] if tail_chars else sample
    vocab = set(toks[: len(toks) - tail_toks] if tail_toks else toks)
    lines = text.count("\n") + 1
    m = max(1, len(sample))
    head = sample[:600]
    raw_ascii = counted.isascii()
    # one C pass per count: the characters deleted from the bytes. In UTF-8 an ASCII byte is
    # only ever an ASCII character, so other text is counted the same way from its encoding
    # (lone surrogates pass through as three bytes above 0x7f, as any other character)
    raw = counted.encode("ascii") if raw_ascii else counted.encode("utf-8", "surrogatepass")
    size = len(raw)
    digits = size - len(raw.translate(None, _DIGIT_BYTES))
    math_chars = size - len(raw.translate(None, _MATH_BYTES))
    if raw_ascii:  # (the upper case of the first 600 characters: none in the inert tail)
        top = raw[:600]
    else:  # ≤≥∑∫√π: the maths characters outside ASCII, counted as characters
        math_chars += sum(map(counted.count, _MATH_WIDE))
        top = raw if len(counted) <= 600 else counted[:600].encode("utf-8", "surrogatepass")
    upper = len(top) - len(top.translate(None, _UPPER_BYTES))
    marks = size - len(raw.translate(None, b"{};"))  # the one-character code marks
    if len(raw.translate(None, b"=!-([")) != size or "    " in counted:
        marks += sum(map(counted.count, _CODE_MARKS[3:]))  # (each needs one of these)
    code = len(_CODE_WORDS & vocab) + marks
    math_ = math_chars + len(_MATH_WORDS & vocab)
    first = toks[0] if toks else ""
    # a word of digits needs a digit: none in a whole ASCII text (its words are the tokens')
    numbers = sum(map(str.isdigit, vocab)) if digits or n > _MAX_FEATURE_CHARS or not raw_ascii else 0
    latex = counted.count("\\") + counted.count("$")
    # the line-start patterns need one of their marks in the text: most requests have none
    mc = len(_MC_RE.findall(sample)) if ")" in sample or "." in sample or ":" in sample else 0
    fewshot = len(_FEWSHOT_RE.findall(sample)) if ":" in sample else 0
    asks = counted.count("?")
    constraints = len(_CONSTRAINT_WORDS & vocab)
    items = (
        len(_LIST_RE.findall(sample))
        if "-" in sample or "*" in sample or "\u2022" in sample
        or ((digits or not raw_ascii) and ("." in sample or ")" in sample))
        else 0  # (a list item starts with one of -*\u2022, or digits and . or ), \\d being any script's)
    )
    # _squash(x, scale) spelled out: nine calls on every request
    return [
        1.0,
        min(1.0, math.log1p(n) / 10.0),
        min(1.0, math.log1p(nw) / 8.0),
        min(1.0, math.log1p(lines) / 6.0),
        1.0 if nw <= 8 else 0.0,
        1.0 if n >= 2000 else 0.0,
        digits / m,
        upper / max(1, len(head)),
        (m - sum(map(len, toks))) / m,
        1.0 if "```" in counted else 0.0,
        code / (code + 3.0) if code > 0 else 0.0,
        math_ / (math_ + 5.0) if math_ > 0 else 0.0,
        latex / (latex + 2.0) if latex > 0 else 0.0,
        mc / (mc + 3.0) if mc > 0 else 0.0,
        fewshot / (fewshot + 2.0) if fewshot > 0 else 0.0,
        asks / (asks + 2.0) if asks > 0 else 0.0,
        constraints / (constraints + 3.0) if constraints > 0 else 0.0,
        1.0 if _STEP_RE.search(lower) else 0.0,
        1.0 if first in _IMPERATIVE_WORDS else 0.0,
        1.0 if first in _GREETING_WORDS and nw <= 12 else 0.0,
        items / (items + 3.0) if items > 0 else 0.0,
        numbers / (numbers + 5.0) if numbers > 0 else 0.0,
        1.0 if "http://" in lower or "https://" in lower else 0.0,
        1.0 if '{"' in counted or "[{" in counted else 0.0,
    ]
