"""Quality checks on an answer; a failed check escalates one tier up (cascade)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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
# Every pattern above contains one of these (lower case). For plain-ASCII text, where
# ``str.lower`` folds case exactly as the regex does, an answer without any of them
# cannot match: a substring test is ~15x cheaper than the regex on a 400-character answer.
_REFUSAL_CUES = ("i'm ", "i am ", "i can", "i won't", "i do", "as an ai", "beyond my")


# Finish / stop reasons meaning a provider's safety system cut the answer (lower case):
# OpenAI and Azure ``content_filter``, Gemini ``SAFETY`` and friends, Anthropic ``refusal``.
FILTER_FINISH_REASONS = frozenset(
    {"content_filter", "safety", "prohibited_content", "blocklist", "spii", "refusal"}
)


@dataclass(frozen=True)
class Answer:
    """What the checks look at: the answer text, its tool calls and why the provider stopped."""

    text: str
    tool_calls: int = 0
    finish_reason: str | None = None
    """The provider's finish (stop) reason, e.g. ``"stop"``, ``"length"``, ``"content_filter"``."""
    schema_error: str | None = None
    """Structured output asked for and this answer does not fit its schema (the adapter read
    it as the caller's parser will): why. Such an answer fails, tool call or not."""
    invalid_tool_calls: tuple[str, ...] = ()
    """Names of the tool calls whose arguments could not be parsed (not valid JSON, e.g. cut
    at the token budget): an answer with only these and no text fails under that name."""
    tool_text: str = ""
    """The tool calls' names and arguments as text: with :attr:`text`, what the answer's
    output tokens are estimated from when the provider's usage is missing or not believable."""

    @property
    def received(self) -> str:
        """All the text the answer delivered: :attr:`text` and :attr:`tool_text`."""
        return self.text + self.tool_text if self.tool_text else self.text


def schema_error_text(error: Any) -> str:
    """An ``Answer.schema_error`` from a parser's exception (or message): its type and first
    three lines, at most 300 characters (both adapters' structured-output checks)."""
    lines = str(error).strip().splitlines()
    kind = f"{type(error).__name__}: " if isinstance(error, BaseException) else ""
    return f"{kind}{' '.join(lines[:3])}"[:300]


def failed_check(
    answer: Answer,
    config: EscalationConfig,
    *,
    tool_choice_required: bool = False,
    user_checks: Sequence[AnswerCheck] = (),
) -> str | None:
    """The first check the answer fails, as a short reason, or ``None`` if it passes.

    A filtered answer (finish reason in :data:`FILTER_FINISH_REASONS`) and an empty answer
    (no text, no tool call) always fail, whatever the other settings.
    """
    text = answer.text or ""
    if is_filtered(answer.finish_reason):
        return f"provider's content filter stopped the answer ({answer.finish_reason})"
    if answer.schema_error is not None:
        return f"structured output does not fit its schema: {answer.schema_error}"
    if config.truncated_check and is_truncated(answer.finish_reason):
        return f"{TRUNCATED} (finish reason {answer.finish_reason})"
    if tool_choice_required and config.require_tool_call_when_forced and answer.tool_calls == 0:
        return "tool_choice demanded a tool call and the answer made none"
    if answer.tool_calls:
        return None  # a tool call is a complete answer for this step
    stripped = text.strip()
    if not stripped:
        return _invalid_tool_calls(answer) if answer.invalid_tool_calls else "empty answer"
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


def _invalid_tool_calls(answer: Answer) -> str:
    """Why an answer whose only tool calls have unparsable arguments fails."""
    names = ", ".join(answer.invalid_tool_calls)
    calls = "tool calls" if len(answer.invalid_tool_calls) > 1 else "tool call"
    why = f"{calls} {names} {'have' if len(answer.invalid_tool_calls) > 1 else 'has'} arguments that are not valid JSON"
    if is_truncated(answer.finish_reason):
        why += f" (cut at the token budget: finish reason {answer.finish_reason})"
    return why


TRUNCATED = "answer cut at the token budget"
"""How the reason of an answer that failed ``escalation.truncated_check`` begins."""
TRUNCATED_FINISH_REASONS = frozenset({"length", "max_tokens", "max_output_tokens"})
"""Finish reasons that say the answer stopped at its token budget (OpenAI, Anthropic, Gemini)."""


def is_truncated(finish_reason: str | None) -> bool:
    """Whether a finish reason says the provider stopped the answer at its token budget."""
    return isinstance(finish_reason, str) and finish_reason.lower() in TRUNCATED_FINISH_REASONS


def is_filtered(finish_reason: str | None) -> bool:
    """Whether a finish reason says a provider's content filter stopped the answer."""
    return isinstance(finish_reason, str) and finish_reason.lower() in FILTER_FINISH_REASONS


def _looks_like_refusal(text: str, extra: Sequence[str]) -> bool:
    head = text[:400]
    if _may_match_refusal(head) and _REFUSAL_RE.search(head):
        return True
    if not extra:
        return False
    low = head.lower()
    return any(p.lower() in low for p in extra)


def _may_match_refusal(head: str) -> bool:
    """``False`` only when :data:`_REFUSAL_RE` certainly finds nothing in ``head``."""
    if not head.isascii():
        return True  # the regex folds a few non-ASCII letters (dotless i, long s) too
    low = head.lower()
    for cue in _REFUSAL_CUES:
        if cue in low:
            return True
    return False


def _strip_fence(text: str) -> str:
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        if text.rstrip().endswith("```"):
            text = text.rstrip()[:-3]
    return text
