"""Quality checks on an answer; a failed check escalates one tier up (cascade)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .config import EscalationConfig

# A user check takes the answer text and returns True when it is good enough.
AnswerCheck = Callable[[str], bool]

_REFUSAL_PATTERNS = [
    r"\bI(?:'m| am) (?:sorry|afraid),? (?:but )?I (?:can(?:'|no)t|cannot|am unable|won't)",
    r"\bI (?:can(?:'|no)t|cannot|am unable to|won't be able to) (?:help|assist|answer|provide|do that|comply)",
    r"\bI(?:'m| am) not (?:sure|certain|able to)\b",
    r"\bI do(?:n't| not) know\b",
    r"\bas an AI(?: language model)?,? I (?:can(?:'|no)t|cannot|don't)",
    r"\bI(?:'m| am) unable to\b",
    r"\bbeyond my (?:capabilities|ability)\b",
]
_REFUSAL_RE = re.compile("|".join(_REFUSAL_PATTERNS), re.IGNORECASE)


@dataclass(frozen=True)
class Answer:
    """What the checks look at: the answer text and how many tool calls it made."""

    text: str
    tool_calls: int = 0


def failed_check(
    answer: Answer,
    config: EscalationConfig,
    *,
    tool_choice_required: bool = False,
    user_checks: Sequence[AnswerCheck] = (),
) -> str | None:
    """The first check the answer fails, as a short reason, or ``None`` if it passes."""
    text = answer.text or ""
    if tool_choice_required and config.require_tool_call_when_forced and answer.tool_calls == 0:
        return "tool_choice demanded a tool call and the answer made none"
    if answer.tool_calls:
        return None  # a tool call is a complete answer for this step
    stripped = text.strip()
    if config.min_length and len(stripped) < config.min_length:
        return f"answer shorter than {config.min_length} characters ({len(stripped)})"
    if config.refusal_check and _looks_like_refusal(stripped, config.refusal_phrases):
        return "answer is a refusal or says it is unsure"
    if config.require_json:
        try:
            json.loads(_strip_fence(stripped))
        except ValueError:
            return "answer is not valid JSON"
    for check in user_checks:
        name = getattr(check, "__name__", type(check).__name__)
        try:
            ok = bool(check(text))
        except Exception as exc:  # a broken check must not break the call
            return f"check {name} raised {type(exc).__name__}: {exc}"
        if not ok:
            return f"check {name} failed"
    return None


def _looks_like_refusal(text: str, extra: Sequence[str]) -> bool:
    head = text[:400]
    if _REFUSAL_RE.search(head):
        return True
    low = head.lower()
    return any(p.lower() in low for p in extra)


def _strip_fence(text: str) -> str:
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        if text.rstrip().endswith("```"):
            text = text.rstrip()[:-3]
    return text
