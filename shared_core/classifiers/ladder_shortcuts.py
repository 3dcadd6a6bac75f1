"""Requests any model answers, known before the ladder model is asked: greetings and bare arithmetic.

:class:`~.embedded.EmbeddedClassifier` places a short greeting ("hi, thanks!") and a small
calculation ("what is 17*23?") at ``simple`` whatever the model says (unless a rule lifted the
request or it reads a pasted document's ask).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_DIGIT_RE = re.compile(r"\d")
# requests whose answers need depth whatever their length
_ARITH_PREFIX_RE = re.compile(
    r"^\s*(?:what\s+is|what's|whats|calculate|compute|how\s+much\s+is|evaluate)?\s*", re.I
)
_ARITH_WORDS_RE = re.compile(r"\b(?:plus|minus|times|divided\s+by|multiplied\s+by|over|of)\b", re.I)
_ARITH_RE = re.compile(r"[\d\s.,+\-*/×÷x^%()=]+\??")


_GREETING_WORDS = frozenset("hi hello hey thanks thank morning evening".split())


def _is_greeting(text: str) -> bool:
    """The features' ``greeting`` signal: a short message opening with a greeting word."""
    toks = text.lower().translate(_PUNCT).split()
    return bool(toks) and toks[0] in _GREETING_WORDS and len(toks) <= 12


_PUNCT = str.maketrans({c: " " for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~"})


def _greeting_words(toks: Sequence[str]) -> bool:
    """:func:`_is_greeting` of a text from its words (``_tokens`` of its lower case: ASCII
    punctuation as spaces, then ``split``, what ``_is_greeting`` does after ``strip``)."""
    return bool(toks) and toks[0] in _GREETING_WORDS and len(toks) <= 12


def _is_bare_arithmetic(text: str) -> bool:
    """A short request that is only a small calculation ("What is 10 divided by 2?")."""
    t = text.strip()
    if len(t) > 60 or not _DIGIT_RE.search(t):
        return False
    rest = _ARITH_WORDS_RE.sub("+", _ARITH_PREFIX_RE.sub("", t, count=1))
    return bool(_ARITH_RE.fullmatch(rest.strip()))
