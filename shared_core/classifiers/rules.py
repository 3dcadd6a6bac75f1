"""Rules: regex, length and structure signals, trusted only where they are sure.

Difficulty mode (labels = tier names, cheapest first): each signal that fires
proposes a difficulty in [0, 1] and a confidence. Greetings, thanks, short fact
look-ups, yes/no questions and formatting chores point to the cheapest tier; code
blocks, stack traces, proofs, multi-step maths, system design, long instructions
full of constraints and very long inputs point up the ladder. With no strong signal
the estimate comes from length alone and the confidence stays at or below 0.3, so a
cascade (``accept_confidence`` around 0.7) only takes the rules' word at the extremes.

Task mode (``keywords={label: [regex, ...]}``): a label scores by how many of its
patterns match; no match at all gives flat scores and confidence 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..errors import ConfigError
from ..request import Request
from .base import BaseClassifier, Classification
from .ladder import difficulty_to_tier_scores
from .rules_signals import Signal, estimate_difficulty

__all__ = ["DEFAULT_TASK_KEYWORDS", "RulesClassifier", "Signal", "estimate_difficulty"]

DEFAULT_TASK_KEYWORDS: dict[str, list[str]] = {
    "coding": [
        r"```",
        r"\b(code|function|python|javascript|typescript|java|rust|golang|c\+\+|sql|regex"
        r"|bug|debug|compile|refactor|api|class|script|stack ?trace|exception|unit tests?)\b",
        r"\bdef \w+\(|\bimport \w+|Traceback",
    ],
    "math": [
        r"\b(solve|equation|integral|derivative|calculate|compute|probability|algebra|geometry"
        r"|theorem|prove|matrix|sum of|how many)\b",
        r"\d+\s*[-+*/^=]\s*\d+",
        r"[∫∑√π]|\\frac",
    ],
    "creative": [
        r"\b(poem|story|haiku|lyrics|song|novel|fiction|character|plot|limerick|sonnet"
        r"|creative|imagine|screenplay|slogan|tagline|joke)\b"
    ],
    "factual": [
        r"^\W*(what|who|when|where|which)\b",
        r"\b(capital of|population of|history of"
        r"|definition|define|fact|facts about|born|invented|discovered)\b",
    ],
    "reasoning": [
        r"\b(why|reason|logic|puzzle|riddle|deduce|infer|explain how|step by step"
        r"|trade-?offs?|compare|analy[sz]e|should i|decide|evaluate)\b"
    ],
    "summarization": [
        r"\b(summari[sz]e|summary|tl;?dr|key points|main points|in short|condense)\b"
    ],
    "translation": [
        r"\b(translate|translation|in (french|spanish|german|chinese|japanese|italian))\b"
    ],
    "extraction": [
        r"\b(extract|pull out|list all|find all|parse|fields|entities|named entities)\b"
    ],
    "classification": [
        r"\b(classify|categori[sz]e|sentiment|label (this|the)|which category|is this spam)\b"
    ],
    "rewrite": [
        r"\b(rewrite|rephrase|paraphrase|reword|proofread|fix (the )?grammar|make it (more|less))\b"
    ],
}
DEFAULT_TASK_KEYWORDS["creative_writing"] = DEFAULT_TASK_KEYWORDS["creative"]
DEFAULT_TASK_KEYWORDS["knowledge_qa"] = DEFAULT_TASK_KEYWORDS["factual"]
DEFAULT_TASK_KEYWORDS["code"] = DEFAULT_TASK_KEYWORDS["coding"]


class RulesClassifier(BaseClassifier):
    """Regex / length / structure signals (see module docstring).

    Args:
        labels: tier names cheapest first (difficulty) or route labels (task); default:
            ``simple, medium, complex, frontier``, or the keys of ``keywords``.
        keywords: task mode: ``{label: [regex, ...]}`` (case-insensitive). Labels bound
            later without patterns use :data:`DEFAULT_TASK_KEYWORDS` when it knows them.
        mode: ``"difficulty"`` or ``"task"``; default: task when ``keywords`` is given.
        no_signal_confidence: the most confidence a length-only estimate may have.
    """

    name = "rules"

    def __init__(
        self,
        labels: Sequence[str] | None = None,
        *,
        keywords: Mapping[str, Sequence[str]] | None = None,
        mode: str | None = None,
        no_signal_confidence: float = 0.3,
    ) -> None:
        self.mode = mode or ("task" if keywords else "difficulty")
        if self.mode not in ("difficulty", "task"):
            raise ConfigError(
                f"rules classifier mode must be 'difficulty' or 'task', got {mode!r}",
                field="classifier.options.mode",
                value=mode,
            )
        if not 0.0 <= no_signal_confidence <= 1.0:
            raise ConfigError(
                f"no_signal_confidence must be in [0, 1], got {no_signal_confidence!r}",
                field="classifier.options.no_signal_confidence",
                value=no_signal_confidence,
            )
        self.no_signal_confidence = float(no_signal_confidence)
        self._user_keywords = {str(k): list(v) for k, v in (keywords or {}).items()}
        if labels is None:
            labels = (
                list(self._user_keywords)
                if self.mode == "task"
                else ["simple", "medium", "complex", "frontier"]
            )
        self._patterns: dict[str, list[re.Pattern[str]]] = {}
        self.bind_labels(list(labels))

    def bind_labels(self, labels: list[str]) -> RulesClassifier:
        if not labels:
            raise ConfigError(
                "rules classifier needs at least one label", field="labels", value=labels
            )
        self._labels = list(labels)
        if self.mode == "task":
            self._patterns = {lab: _compile(lab, self._keywords_for(lab)) for lab in self._labels}
            if not any(self._patterns.values()):
                raise ConfigError(
                    "rules classifier in task mode has no patterns for any of the labels "
                    f"{self._labels}; pass options.keywords = {{label: [regex, ...]}}",
                    field="classifier.options.keywords",
                    value=self._user_keywords,
                )
        return self

    def _keywords_for(self, label: str) -> list[str]:
        if label in self._user_keywords:
            return self._user_keywords[label]
        return DEFAULT_TASK_KEYWORDS.get(label.lower(), [])

    # -- classification --------------------------------------------------------------
    def _classify(self, request: Request) -> Classification:
        if self.mode == "task":
            return self._classify_task(request.text)
        d, conf, reasons = estimate_difficulty(
            request.text, request.input_tokens, no_signal_confidence=self.no_signal_confidence
        )
        spread = 0.06 + 0.2 * (1.0 - conf)
        vals = difficulty_to_tier_scores(d, len(self._labels), spread=spread)
        return Classification(
            scores=dict(zip(self._labels, vals)),
            confidence=conf,
            classifier=self.name,
            reasons=tuple(reasons),
            extra={"difficulty": d},
        )

    def _classify_task(self, text: str) -> Classification:
        hits = {lab: sum(1 for p in pats if p.search(text)) for lab, pats in self._patterns.items()}
        total = sum(hits.values())
        n = len(self._labels)
        if total == 0:
            return Classification(
                scores={lab: 1.0 / n for lab in self._labels},
                confidence=0.0,
                classifier=self.name,
                reasons=("rules: no keyword matched",),
            )
        scores = {lab: hits[lab] / total for lab in self._labels}
        ranked = sorted(hits.values(), reverse=True)
        top, second = ranked[0], (ranked[1] if len(ranked) > 1 else 0)
        conf = (top - second) / top * min(0.95, 0.45 + 0.2 * top)
        fired = [f"{lab}×{k}" for lab, k in hits.items() if k]
        return Classification(
            scores=scores,
            confidence=round(conf, 4),
            classifier=self.name,
            reasons=(f"rules: keywords matched {', '.join(fired)}",),
        )


def _compile(label: str, patterns: Sequence[str]) -> list[re.Pattern[str]]:
    if isinstance(patterns, str):
        patterns = [patterns]
    out = []
    for p in patterns:
        try:
            out.append(re.compile(str(p), re.IGNORECASE | re.MULTILINE))
        except re.error as exc:
            raise ConfigError(
                f"rules keyword pattern for label {label!r} is not a valid regex: {p!r} ({exc})",
                field=f"classifier.options.keywords.{label}",
                value=p,
            ) from None
    return out
