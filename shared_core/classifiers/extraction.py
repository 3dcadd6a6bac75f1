"""A short ask to put given text into JSON or CSV: ``medium`` at most, whatever its words.

"Extrais en JSON (type, surface, pièces, prix) : « Lumineux T3 de 68 m² … »", "JSON with item, qty and
price for each line: 2x flat white 3.20 …", "表にして（名前・担当・締切）：田中 資料作成 10/5 …": extraction,
a medium task, but "JSON", the field names and the figures are mostly in tier-3 rows (scripts, parsers,
APIs), so the ladder model reads ``complex``. :func:`asks_to_extract` holds when all of these hold:

* the text is short (:data:`ASK_MAX` characters, a Chinese or Japanese character counting three; a long
  message is read by :mod:`.pasted`, which hands over its ask alone);
* it names an output format, JSON or CSV (or 表にして, "make it a table"; a table alone is no sign: "compare
  the options in a table" is analysis), and an extraction or conversion verb (extract, pull, turn, convert, put, return, give, output; saca,
  extrais, mets, zieh, mach, extraia, passa, 提取, 整理, 输出, 抜き出, まとめ, にして, निकाल …);
* it is no code or log (:func:`~.pasted_material.is_code_or_log`: ``encoding/json`` in a Go handler) and
  asks for no program and no debugging: no script, parser, function, module, CLI, API, schema, code
  to write or review, no "why", "fix", "error", no large files, no validation, migration or pipeline
  (in the eight languages).

Looked for only where it moves the choice (the model's upper half holds the median level; see
:mod:`.caps`). Pure functions of the text.
"""

from __future__ import annotations

import re

from .keywords import Keywords, words_of
from .pasted_material import is_code_or_log
from .pasted_words import cjk_count

__all__ = ["ASK_MAX", "asks_to_extract"]

ASK_MAX = 900
"""Longest text, in characters (CJK counted thrice), read as an ask to extract."""

_A, _Z = r"(?<![A-Za-z])", r"(?![A-Za-z])"  # ASCII word edges (a CJK character may follow: "JSONで")
_FORMAT_RE = re.compile(
    _A + r"(?:json|csv)" + _Z + r"|表にして",
    re.I,
)
_VERB = Keywords.of(
    "pull turn convert put return give output format organise organize list saca saco sácame sacame pasa pon "
    "convierte devuelve extrais sors mets convertis donne zieh mach gib extraia tira passa coloca devolva "
    "converta als",
    "extract extrae extraí extrai extrahier transforma",
    ("提取", "整理", "输出", "转成", "转换", "抜き出", "まとめ", "にして", "変換", "निकाल", "बदल", "बनाओ", "बनाइए"),
)
_HEAVY = Keywords.of(
    "script parser parse parses parsing function module class library cli tool app api endpoint service schema "
    "design build code why slow gb pipeline código codigo función funcion função funcao fonction funktion "
    "skript módulo modulo pourquoi warum erreur",
    "program implement review refactor fix bug error fail crash debug optimi stream million validat migrat "
    "automat scrap crawl arregl corrig erro fehler",
    ("por qué", "porqué", "por que", "脚本", "函数", "程序", "代码", "爬虫", "为什么", "报错", "错误", "コード",
     "スクリプト", "関数", "プログラム", "なぜ", "エラー", "ストリーム", "テスト", "测试", "万行", "百万",
     "स्क्रिप्ट", "कोड", "क्यों"),
)
_CODE_LINE_RE = re.compile(  # a line of a program, too short for is_code_or_log to judge
    r"^\s*(?:func|def|class|import|from \S+ import|package|public|private|const|let|var|function|async)\b", re.M
)


def asks_to_extract(text: str, lw: tuple[str, frozenset[str]] | None = None) -> bool:
    """Whether ``text`` is a short ask to put given text into JSON or CSV (see the module); ``lw``: its
    :func:`~.keywords.words_of`, when the caller has them."""
    t = text.strip()
    if len(t) > ASK_MAX:
        return False
    low = t.lower()
    if "json" not in low and "csv" not in low and "表にして" not in t:
        return False  # (no format named: the cheap test first)
    n = len(t) + 2 * cjk_count(t) if len(t) * 3 > ASK_MAX else len(t)
    if n > ASK_MAX or not _FORMAT_RE.search(t):
        return False  # (after a cheaper test, below)
    low, words = lw or words_of(t)
    if not _VERB.found(low, words) or _HEAVY.found(low, words):
        return False
    return "```" not in t and not _CODE_LINE_RE.search(t) and not is_code_or_log(t)
