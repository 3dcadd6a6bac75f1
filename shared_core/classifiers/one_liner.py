"""A short ask for one regex, cron line or spreadsheet formula: ``medium`` at most, whatever its words.

"cron expression for every weekday at 7:30am", "Regex that matches US ZIP codes with an optional -4
extension", "Excelで、A列の日付から曜日を表示する関数は？": one line of a small language, a medium task
(a cheap model writes it), but "cron", "regex", "Excel" and the field names are mostly in tier-3 rows
(scripts, parsers, reports), so the ladder model reads ``complex``. :func:`asks_for_a_one_liner` holds
when all of these hold:

* the text is short (:data:`ASK_MAX` characters, a Chinese or Japanese character counting three), of
  at most :data:`MAX_LINES` lines and with no fenced code;
* it names the artefact: a regex (regular expression, expresión regular, regulärer Ausdruck, 正则,
  正規表現 …), a cron expression or crontab line, or a spreadsheet formula or function (with Excel,
  Sheets, a spreadsheet, planilha, hoja de cálculo, tableur, 表格, スプレッドシート …);
* it asks for no program around it and no debugging: no script, program, parser, function or class
  to write, no "why", "fix", "error", "doesn't work", no performance or backtracking, no list of
  exceptions to handle (in the eight languages).

Looked for only where it moves the choice (the model's upper half holds the median level). Pure
functions of the text.
"""

from __future__ import annotations

import re

from .keywords import Keywords, words_of
from .pasted_words import cjk_count
from .substrings import substrings_re

__all__ = ["ASK_MAX", "MAX_LINES", "asks_for_a_one_liner"]

ASK_MAX = 130
"""Longest text, in characters (CJK counted thrice), read as an ask for one line."""
MAX_LINES = 3

_A, _Z = r"(?<![A-Za-z])", r"(?![A-Za-z])"  # ASCII word edges (a CJK character may follow: "Excelで")
_REGEX_RE = re.compile(
    _A + r"(?:regex\w*|regexp|regular expression|expresi[oó]n regular|expression r[ée]guli[èe]re|"
    r"regul[äa]re[nrs]? Ausdruck|express[ãa]o regular)" + _Z + r"|正则|正規表現|रेगुलर एक्सप्रेशन",
    re.I,
)
_CRON_RE = re.compile(_A + r"cron(?:tab)?" + _Z, re.I)
_FORMULA_RE = re.compile(
    _A + r"(?:formula|f[óo]rmula|formule|formel|funci[óo]n|fun[çc][ãa]o|fonction|funktion)" + _Z
    + r"|公式|関数|数式|函数|फ़ॉर्मूला|फार्मूला",
    re.I,
)
_SHEET_RE = re.compile(
    _A + r"(?:excel|sheets?|spreadsheet|planilha|hoja de c[áa]lculo|tableur|tabellenkalkulation|libreoffice|calc)"
    + _Z + r"|表格|スプレッドシート|エクセル|एक्सेल",
    re.I,
)
_HEAVY = Keywords.of(
    "script parser parse parsing class library module python javascript typescript java golang rust why "
    "performance slow exception exceptions prove proof impossible balanced nested recursive rfc exactly schedule "
    "variable pourquoi warum skript programme",
    "program fix error bug debug backtrack catastroph backup alert amorti arregl corrig fehler erro excep exceç "
    "ausnahme",
    ("function that", "function in", "functions in", "function for", "functions for", "doesn't work",
     "doesnt work", "does not work", "isn't work", "won't work", "not working", "edge case", "all cases",
     "unit test", "test suite", "test case", "back up", "backs up", "por qué", "porqué", "por que", "为什么", "为何",
     "报错", "错误", "测试", "脚本", "程序", "なぜ", "どうして", "エラー", "テスト", "スクリプト", "プログラム", "例外",
     "क्यों", "गलत", "स्क्रिप्ट"),
)
_HINTS = (
    "regex", "regul", "expres", "cron", "formul", "fórmul", "funci", "funç", "fonction", "funktion", "正则",
    "正規表現", "公式", "関数", "数式", "函数", "फ़ॉर्मूला", "फार्मूला", "रेगुलर",
)
"""Substrings one of which any named artefact holds (lower case): a test far cheaper than the regexes."""
_HINTS_RE = substrings_re(_HINTS)  # (the same test in one search)
_FENCE = "```"


def asks_for_a_one_liner(text: str, lw: tuple[str, frozenset[str]] | None = None) -> bool:
    """Whether ``text`` is a short ask for one regex, cron line or spreadsheet formula (see the module); ``lw``: its
    :func:`~.keywords.words_of`, when the caller has them."""
    t = text.strip()
    if len(t) > ASK_MAX:
        return False
    low = t.lower()
    if _HINTS_RE.search(low) is None:
        return False  # (no artefact named: the cheap test first)
    n = len(t) + 2 * cjk_count(t) if len(t) * 3 > ASK_MAX else len(t)
    if n > ASK_MAX or t.count("\n") >= MAX_LINES or _FENCE in t:
        return False
    named = bool(_REGEX_RE.search(t) or _CRON_RE.search(t) or (_FORMULA_RE.search(t) and _SHEET_RE.search(t)))
    return named and not _HEAVY.found(*(lw or words_of(t)))
