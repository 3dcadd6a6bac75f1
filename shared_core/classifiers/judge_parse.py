"""Reading a judge model's answer defensively: any output gives a label index or ``None``."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..request import content_text

__all__ = ["as_text", "parse_judge_output"]

_OUTPUT_LIMIT = 4000
_JSON_OBJ = re.compile(r"\{[^{}]{0,400}\}")
_NUMBER = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d+)?)(?![\d.])")


def as_text(out: Any) -> str:
    """The text of whatever ``complete`` returned (str, a chat message, a completion)."""
    if isinstance(out, str):
        return out
    for attr in ("content", "text"):
        val = getattr(out, attr, None)
        if val is not None:
            return val if isinstance(val, str) else content_text(val)
    if isinstance(out, Mapping) and "content" in out:
        return content_text(out["content"])
    return "" if out is None else str(out)


def parse_judge_output(
    output: Any, labels: Sequence[str], mode: str = "labels"
) -> tuple[int | None, float | None, str]:
    """``(label index or None, raw 1-10 score or None, how it was read)``; never raises."""
    try:
        text = as_text(output)
    except Exception:  # a hostile object whose __str__ fails
        return None, None, "output is not text"
    text = text[-_OUTPUT_LIMIT:]
    lower = {lab.lower(): i for i, lab in enumerate(labels)}
    # 1. the last JSON object with a usable field
    for m in reversed(list(_JSON_OBJ.finditer(text))):
        try:
            obj = json.loads(m.group(0))
        except ValueError:
            continue
        if not isinstance(obj, dict):
            continue
        if mode == "score":
            s = _score_value(obj.get("score", obj.get("label")))
            if s is not None:
                return None, s, "json score"
        else:
            v = obj.get("label")
            if isinstance(v, str) and v.strip().lower() in lower:
                return lower[v.strip().lower()], None, "json label"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return None, None, "empty output"
    final = lines[-1]
    if mode == "score":
        for m in _NUMBER.finditer(final):
            s = _score_value(m.group(1))
            if s is not None:
                return None, s, "score on final line"
        return None, None, f"no 1-10 score on the final line {final[:60]!r}"
    idx = _first_label_token(final, labels)
    if idx is not None:
        return idx, None, "label on final line"
    for ln in reversed(lines):  # a line that is nothing but a label ("**COMPLEX**")
        bare = ln.strip(" \t*`'\".:#-_>[]()").lower()
        if bare in lower:
            return lower[bare], None, "label alone on a line"
    return None, None, f"no label on the final line {final[:60]!r}"


def _score_value(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    try:
        s = float(v)
    except (TypeError, ValueError):
        return None
    return s if 1.0 <= s <= 10.0 else None


def _first_label_token(line: str, labels: Sequence[str]) -> int | None:
    low = line.lower()
    best: tuple[int, int, int] | None = None  # (position, -length, index)
    for i, lab in enumerate(labels):
        pat = r"(?<![\w])" + re.escape(lab.lower()) + r"(?![\w])"
        m = re.search(pat, low)
        if m:
            key = (m.start(), -len(lab), i)
            if best is None or key < best:
                best = key
    return None if best is None else best[2]
