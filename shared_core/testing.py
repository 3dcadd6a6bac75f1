"""Test doubles that ship: a fake classifier and scripted models for users' own tests.

    from shared_core.testing import FakeClassifier
    router = Router(config, classifier=FakeClassifier({"hello": "simple"}, default="complex"))
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .classifiers.base import BaseClassifier, Classification
from .dispatch import Attempt, AttemptResult
from .pricing import Usage
from .quality import Answer
from .request import Request


class FakeClassifier(BaseClassifier):
    """Picks a label by substring rules, a function, or a fixed default.

    For difficulty configs the chosen tier gets score 1.0 and every tier above it too
    (scores rise with the tier), so the default threshold picks exactly that tier.
    """

    name = "fake"

    def __init__(
        self,
        rules: Mapping[str, str] | Callable[[str], str] | None = None,
        *,
        default: str | None = None,
        labels: Iterable[str] | None = None,
        confidence: float = 1.0,
        ordered: bool = True,
    ) -> None:
        self.rules = rules
        self.default = default
        self.confidence = confidence
        self.ordered = ordered
        self._labels = list(labels or [])
        self.calls: list[str] = []

    def _pick(self, text: str) -> str:
        if callable(self.rules):
            return self.rules(text)
        for needle, label in (self.rules or {}).items():
            if needle.lower() in text.lower():
                return label
        if self.default is not None:
            return self.default
        return self._labels[0] if self._labels else "default"

    def _classify(self, request: Request) -> Classification:
        self.calls.append(request.text)
        label = self._pick(request.text)
        labels = self._labels or [label]
        if label not in labels:
            labels = [*labels, label]
        if self.ordered:
            pos = labels.index(label)
            scores = {lab: (1.0 if i >= pos else 0.0) for i, lab in enumerate(labels)}
        else:
            scores = {lab: (1.0 if lab == label else 0.0) for lab in labels}
        return Classification(scores=scores, confidence=self.confidence, classifier=self.name,
                              reasons=(f"fake: {label}",))


@dataclass
class ScriptedModel:
    """A call function for :func:`shared_core.dispatch.execute`.

    ``replies`` maps a tier name to a list of replies used in turn (the last one repeats);
    a reply that is an exception instance is raised. Usage is ``len(text)//4`` tokens.
    """

    replies: Mapping[str, list[str | BaseException]] = field(default_factory=dict)
    default: str = "ok"
    calls: list[Attempt] = field(default_factory=list)
    _iters: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, attempt: Attempt) -> AttemptResult:
        with self._lock:
            self.calls.append(attempt)
            seq = self.replies.get(attempt.tier.name)
            if seq:
                it = self._iters.setdefault(
                    attempt.tier.name, itertools.chain(seq, itertools.repeat(seq[-1]))
                )
                reply = next(it)
            else:
                reply = f"{self.default} from {attempt.tier.name}"
        if isinstance(reply, BaseException):
            raise reply
        usage = Usage(input_tokens=10, output_tokens=max(1, len(reply) // 4))
        return AttemptResult(value=reply, usage=usage, answer=Answer(reply))

    async def acall(self, attempt: Attempt) -> AttemptResult:
        return self(attempt)


class FakeRateLimitError(Exception):
    """Looks like a provider's 429 to :func:`shared_core.faults.classify_error`."""

    status_code = 429


class FakeServerError(Exception):
    """Looks like a provider's 500."""

    status_code = 500
