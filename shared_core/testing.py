"""Test doubles that ship: a fake classifier and scripted models for users' own tests.

    from shared_core.testing import FakeClassifier
    router = Router(config, classifier=FakeClassifier({"hello": "simple"}, default="complex"))
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .classifiers.fake import FakeClassifier
from .classifiers.llm_calls import JudgeReply
from .dispatch import Attempt, AttemptResult
from .faults import SimulatedRateLimitError
from .pricing import Usage
from .quality import Answer


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




@dataclass
class ScriptedJudge:
    """A judge model for tests: ``complete(prompt)`` answers ``reply`` as a
    :class:`~shared_core.classifiers.llm_calls.JudgeReply` that used ``usage`` on ``model``, so
    its cost reaches the ledger like a real judge's. ``Router(..., judge_complete=judge.pair())``.
    """

    reply: str = "simple"
    model: str = "gpt-4o-mini"
    usage: Usage | None = field(default_factory=lambda: Usage(input_tokens=100, output_tokens=2))
    prompts: list[str] = field(default_factory=list)

    @property
    def judge_model(self) -> str:
        """The model this judge says it asks (prices a call stopped in flight)."""
        return self.model

    def __call__(self, prompt: str) -> JudgeReply:
        self.prompts.append(prompt)
        return JudgeReply(self.reply, model=self.model, usage=self.usage)

    async def acomplete(self, prompt: str) -> JudgeReply:
        return self(prompt)

    def pair(self) -> tuple[Any, Any]:
        """``(complete, acomplete)`` for ``judge_complete=``."""
        return self, self.acomplete


class FakeRateLimitError(SimulatedRateLimitError):
    """Looks like a provider's 429 to :func:`shared_core.faults.classify_error`."""


class FakeServerError(Exception):
    """Looks like a provider's 500."""

    status_code = 500

__all__ = ["FakeClassifier", "FakeRateLimitError", "FakeServerError", "ScriptedJudge", "ScriptedModel"]
