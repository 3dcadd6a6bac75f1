"""Is pasted material code, a config or logs (work to debug or review), or prose and data to
look things up in? Part of :mod:`.pasted`; pure functions of the text."""

from __future__ import annotations

import json
import re

__all__ = ["is_code_or_log"]

_LOG_LINE_RE = re.compile(r"^[ \t]+at [\w.$<>]+\(|^[EWF]\d{4} |^\$ \S|^panic: ", re.M)  # anchored: fast
_FILE_LINE_RE = re.compile(r'File "[^"\n]+", line \d+')
_LOG_MARKS = ("Traceback (most recent call last)", "Error:", "Exception:", "segmentation fault", "core dumped")
_LEVELS = ("ERROR", "WARN", "FATAL", "CRITICAL", "DEBUG", "TRACE", "PANIC")
_TIME_RE = re.compile(r"\d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d")


def _log_marks(head: str) -> int:
    """Log marks in ``head``: substring counts (C speed), then one line-anchored expression and,
    where a Python frame can be, one more. Level words (``ERROR``, ``WARN``) count only beside
    a timestamp: a leaflet's "WARNING:" lines are no log."""
    n = sum(map(head.count, _LOG_MARKS))
    if _TIME_RE.search(head):
        n += sum(map(head.count, _LEVELS))
    if 'File "' in head:
        n += len(_FILE_LINE_RE.findall(head))
    return n + len(_LOG_LINE_RE.findall(head))


_CODE_START_RE = re.compile(  # a line that opens like code: anchored, so other positions fail fast
    r"^[ \t]*(?:def|class|import|from \S+ import|return|if|elif|else|for|while|func|fn|let|const|var|"
    r"public|private|protected|static|package|#include|SELECT|FROM|WHERE|JOIN|INSERT|UPDATE|CREATE|try|"
    r"catch|except|async|await|impl|struct|enum|interface|type|module|resource|apiVersion|kind|RUN|COPY|"
    r"ENV|CMD|@@|diff --git|[-+]{3} [ab]/)\b"
    r"|^[ \t]{2,}[^\s:]+:[ \t]*\S*$"  # an indented YAML key
    r"|^[ \t]*\[[\w .:-]+\][ \t]*$|^[ \t]*[A-Za-z_][\w.-]*[ \t]*=[ \t]*\S",  # INI, systemd units, .env
    re.M,
)
_CODE_MARK_RE = re.compile(r"[;{}][ \t]*$|=>|->|::|==|!=|\+=|:=|\)[ \t]*:[ \t]*$", re.M)


_JSON_LINE_RE = re.compile(r'^[ \t]*(?:"[^"\n]+"[ \t]*:|[\]\[{}],?[ \t]*$)', re.M)


def _is_json(stripped: str, head: str) -> bool:
    """A JSON record: it parses (up to 200 KB), or, cut in the middle as a long request's text
    is, three in four of its first lines are ``"key": value`` or brackets."""
    if len(stripped) <= 200_000:
        try:
            json.loads(stripped)
        except (ValueError, RecursionError):  # "[[[[…": not JSON, and never a crash
            pass
        else:
            return True
    lines = sum(1 for ln in head.splitlines() if ln.strip())
    return lines >= 4 and len(_JSON_LINE_RE.findall(head)) >= 0.75 * lines


def is_code_or_log(material: str) -> bool:
    """Does ``material`` hold code, a config, a diff, logs or a stack trace (work to debug or
    review) rather than prose or data to look things up in?

    Logs: two or more log marks (a traceback, stack frames, ``ERROR``/``WARN`` levels, an
    ``...Error:``). Code: at least three lines, and 30% of the non-blank lines, that look like
    code (a statement end, a keyword opening the line, an operator, a YAML or INI key), or a
    code fence anywhere. Marks and lines are read in the first 2,000 characters; a material
    that parses as JSON as a whole (up to 200 KB) is data, not code."""
    if "```" in material:
        return True
    head = material[:2000]
    if _log_marks(head) >= 2:
        return True
    stripped = material.strip()
    if stripped[:1] in "{[" and _is_json(stripped, head):
        return False  # a JSON record is data to look things up in
    starts = {head.rfind("\n", 0, m.start()) for m in _CODE_START_RE.finditer(head)}
    code = len(starts.union(head.rfind("\n", 0, m.start()) for m in _CODE_MARK_RE.finditer(head)))
    if code < 3:
        return False
    lines = len(head.splitlines()) - sum(1 for ln in head.splitlines() if not ln.strip())
    return code >= 0.3 * lines
