"""A short ask what a quoted error message means: ``medium`` at most, whatever its words.

"what does `ModuleNotFoundError: No module named 'pandas'` mean and what should I check first?",
"o git tá dando 'fatal: refusing to merge …', o que isso quer dizer?", "「ERESOLVE unable to resolve
dependency tree」ってどういう意味？": the ask is to explain a message and the usual way out of it, a
medium task, but its words ("TypeError", "npm ERR!", "fatal", "dependency", "python") are mostly in
the tier-3 debugging rows the ladder model was trained on, so it reads ``complex``.
:func:`asks_what_an_error_means` holds when all of these hold:

* the text is short (:data:`ASK_MAX` characters, a Chinese or Japanese character counting three)
  and at most :data:`MAX_LINES` lines: a one-line error and perhaps the line of code it names, no
  traceback, no fenced code block;
* it quotes an error: a typed name (``KeyError``, ``NullPointerException``), ``ERR!``, ``fatal:``,
  ``error:``, ``Errno``, or a known error phrase ("permission denied", "not recognized as",
  "connection refused", "out of memory") beside an error word of its language ("error", "erreur",
  "Fehler", "erro", "报错", "エラー", "त्रुटि" …) or in quotes, or quotes a stretch holding an
  error word ("'CORS error'");
* it asks what the message means ("what does … mean", "what is it telling me", "qué significa",
  "que veut dire", "was bedeutet", "o que quer dizer", "什么意思", "どういう意味", "मतलब");
* it names nothing that makes it a debugging task: production, load, intermittent faults, a
  root cause, a race, a leak, a deadlock, or a request to write, implement, refactor, design or
  review code (in the eight languages).

Looked for only where it moves the choice (the model's upper half holds the median level; see
:mod:`.caps`). Pure functions of the text.
"""

from __future__ import annotations

import re

from .keywords import Keywords, words_of
from .pasted_words import cjk_count
from .substrings import substrings_re

__all__ = ["ASK_MAX", "MAX_LINES", "asks_what_an_error_means"]

ASK_MAX = 360
"""Longest text, in characters (CJK counted thrice), read as a question about one error message."""
MAX_LINES = 6
"""More lines than this is a traceback or a pasted program, not a quoted message."""

_TYPED_RE = re.compile(  # an error as programs print it
    r"\b[A-Z]\w*(?:Error|Exception)\b|\bERR!|\b(?:fatal|error|Error|ERROR|FATAL|panic)\s*(?:\(\w+\)|\d+)?\s*:|"
    r"\bErrno\b|\bE[A-Z]{4,}\b"
)
_PHRASE_RE = re.compile(  # an error phrase, quoted beside an error word of the request's language
    r"(?:permission denied|access denied|not recognized as|connection (?:refused|timed out|reset)|"
    r"out of memory|segmentation fault|command not found|no such file|not found|already (?:allocated|in use)|"
    r"does not match|unable to|could not|cannot|can't)",
    re.I,
)
_ERROR_WORD_RE = re.compile(
    r"\b(?:errors?|erro|erreur|fehler(?:meldung)?|meldung|message|mensagem|mensaje|warning)\b|"
    r"报错|错误|エラー|एरर|त्रुटि",
    re.I,
)
_MEANING = Keywords.of(
    "mean means meaning significa significado signifie bedeutet bedeuten heißt heisst",
    "expli erklär erklar",
    ("telling me", "saying", "quiere decir", "quer dizer", "veut dire", "什么意思", "啥意思", "是什么", "解释",
     "どういう意味", "意味", "説明", "मतलब", "समझा"),
)
_HEAVY = Keywords.of(
    "prod production producción produção produktion randomly race ursache retry retries size sizing scale "
    "scaling write implement refactor design review rewrite escribe implementa refactoriza écris implémente "
    "conçois refactorise escreva escreve implemente projete refatore",
    "intermitt leak deadlock resilien résilien resilién idempot architect redesign strateg stratég estrategia "
    "diseñ disen schreib implementier entwirf refaktorier",
    ("under load", "root cause", "causa raíz", "cause racine", "causa raiz", "线上", "生产", "并发", "本番", "負荷",
     "उत्पादन", "production", "लीक"),
)
_QUOTED_RE = re.compile(  # a quoted stretch: '…', "…", `…`, «…», „…“, “…”, 「…」
    r"['\"`«„“「‘]([^'\"`»“”」’\n]{3,160})['\"`»“”」’]"
)
_HINTS = (
    "err", "exception", "fatal", "panic", "denied", "refused", "timed out", "reset", "memory", "fault",
    "not found", "recogni", "allocated", "in use", "match", "unable", "could not", "cannot", "can't",
    "fehler", "meldung", "message", "mensa", "warning", "报错", "错误", "エラー", "एरर", "त्रुटि",
)
"""Substrings one of which any quoted error holds (lower case): a test far cheaper than the regexes."""
_HINTS_RE = substrings_re(_HINTS)  # (the same test in one search)
_CODE_RE = re.compile(r"\bE[A-Z]{4,}\b")  # ("ECONNREFUSED", "ERESOLVE")
_FENCE = "```"


def asks_what_an_error_means(text: str, lw: tuple[str, frozenset[str]] | None = None) -> bool:
    """Whether ``text`` is a short ask what one quoted error message means (see the module); ``lw``: its
    :func:`~.keywords.words_of`, when the caller has them."""
    t = text.strip()
    if len(t) > ASK_MAX:
        return False
    low = t.lower()
    if _HINTS_RE.search(low) is None and not _CODE_RE.search(t):
        return False  # (no error quoted: the cheap test first)
    n = len(t) + 2 * cjk_count(t) if len(t) * 3 > ASK_MAX else len(t)
    if n > ASK_MAX or t.count("\n") >= MAX_LINES or _FENCE in t or "Traceback (most recent" in t:
        return False
    low, words = lw or words_of(t)  # (the same lower case)
    if not _MEANING.found(low, words) or _HEAVY.found(low, words):
        return False
    return bool(_TYPED_RE.search(t)) or (bool(_PHRASE_RE.search(t)) and bool(_ERROR_WORD_RE.search(t))) or any(
        _PHRASE_RE.search(q) or _ERROR_WORD_RE.search(q) for q in _QUOTED_RE.findall(t)
    )

