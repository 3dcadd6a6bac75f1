"""The classifier protocol: text (or a request) in, a score per label out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..request import Request


@dataclass(frozen=True)
class Classification:
    """Scores per label in [0, 1] and a confidence in [0, 1].

    For difficulty configs the labels are tier names and ``scores[tier]`` is the
    predicted chance (or quality) that the tier answers well; it rises with the tier.
    For task configs the labels are routes (``coding``, ``creative`` ...).
    """

    scores: Mapping[str, float]
    confidence: float
    classifier: str
    reasons: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def best(self) -> str:
        return max(self.scores, key=lambda k: self.scores[k])

    def gap(self) -> float:
        """Best score minus the second best (1.0 with a single label)."""
        vals = sorted(self.scores.values(), reverse=True)
        return vals[0] - vals[1] if len(vals) > 1 else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "scores": dict(self.scores),
            "confidence": self.confidence,
            "classifier": self.classifier,
            "reasons": list(self.reasons),
        }


@runtime_checkable
class Classifier(Protocol):
    """Anything with ``classify`` / ``aclassify`` and a ``labels`` list."""

    name: str

    @property
    def labels(self) -> list[str]: ...

    def classify(self, request: Request | str) -> Classification: ...

    async def aclassify(self, request: Request | str) -> Classification: ...


class BaseClassifier:
    """Convenience base: implement ``_classify``; async runs it inline (it is CPU-cheap).

    Classifiers that do I/O (the LLM judge, remote encoders) override ``aclassify``.
    """

    name: str = "base"
    _labels: list[str]

    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    def classify(self, request: Request | str) -> Classification:
        return self._classify(Request.coerce(request))

    async def aclassify(self, request: Request | str) -> Classification:
        return self._classify(Request.coerce(request))

    def _classify(self, request: Request) -> Classification:  # pragma: no cover - abstract
        raise NotImplementedError

    def bind_labels(self, labels: list[str]) -> BaseClassifier:
        """Return a classifier scoring these labels (difficulty: tier names, cheapest first)."""
        self._labels = list(labels)
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}(labels={self._labels!r})"


async def run_in_thread(fn: Any, *args: Any) -> Any:
    import asyncio

    return await asyncio.to_thread(fn, *args)
