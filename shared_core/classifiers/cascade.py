"""Cascade: cheap classifiers first; fall through only when they are not sure.

Stages run in order; the first whose confidence reaches its ``accept_confidence`` is
the answer, and the last stage is always accepted. A stage that raises (other than
the last) is recorded and skipped. ``reasons`` say which stages ran and why each was
passed over; ``extra["stages"]`` lists them. The async twin awaits each stage's
``aclassify`` and shares every decision with the sync path. ``extra["llm_calls"]`` holds
the LLM calls of every stage that ran (a judge passed over was asked, and paid, all the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ConfigError, redact
from ..request import Request
from .base import BaseClassifier, Classification
from .llm_calls import llm_calls

__all__ = ["CascadeClassifier"]


class CascadeClassifier(BaseClassifier):
    """``CascadeClassifier([(rules, 0.8), (embedded, None)])``.

    Args:
        stages: ``(classifier, accept_confidence)`` pairs; ``accept_confidence`` may be
            ``None`` only for the last stage (always accepted).
        labels: labels to bind every stage to; default: the first stage's labels.
    """

    name = "cascade"

    def __init__(
        self, stages: Sequence[tuple[Any, float | None]], *, labels: Sequence[str] | None = None
    ) -> None:
        if not stages:
            raise ConfigError(
                "a cascade needs at least one stage", field="classifier.stages", value=[]
            )
        checked: list[tuple[Any, float | None]] = []
        for i, item in enumerate(stages):
            try:
                clf, thr = item
            except (TypeError, ValueError):
                raise ConfigError(
                    f"cascade stage {i} must be a (classifier, accept_confidence) pair, got {item!r:.80}",
                    field=f"classifier.stages[{i}]",
                    value=item,
                ) from None
            last = i == len(stages) - 1
            if thr is None and not last:
                raise ConfigError(
                    f"cascade stage {i} ({getattr(clf, 'name', clf)!r}) needs accept_confidence in [0, 1]; "
                    "only the last stage may omit it",
                    field=f"classifier.stages[{i}].accept_confidence",
                    value=thr,
                )
            if thr is not None and not 0.0 <= float(thr) <= 1.0:
                raise ConfigError(
                    f"cascade stage {i} accept_confidence must be in [0, 1], got {thr!r}",
                    field=f"classifier.stages[{i}].accept_confidence",
                    value=thr,
                )
            checked.append((clf, None if thr is None else float(thr)))
        self.stages = checked
        self.bind_labels(list(labels) if labels is not None else list(checked[0][0].labels))

    def bind_labels(self, labels: list[str]) -> CascadeClassifier:
        self._labels = list(labels)
        for clf, _ in self.stages:
            if hasattr(clf, "bind_labels"):
                clf.bind_labels(list(labels))
        return self

    def __repr__(self) -> str:
        inner = ", ".join(f"({getattr(c, 'name', type(c).__name__)}, {t})" for c, t in self.stages)
        return f"CascadeClassifier([{inner}])"

    def _classify(self, request: Request) -> Classification:
        trail: list[str] = []
        spent: list[dict[str, Any]] = []
        for i, (clf, thr) in enumerate(self.stages):
            try:
                result = clf.classify(request)
            except Exception as exc:
                if self._is_last(i):
                    raise
                trail.append(self._failed(clf, exc))
                continue
            spent.extend(llm_calls(result))
            if self._accept(i, thr, result, trail):
                return self._wrap(result, trail, spent)
        raise AssertionError("unreachable: the last stage is always accepted")  # pragma: no cover

    async def aclassify(self, request: Request | str) -> Classification:
        req = Request.coerce(request)
        trail: list[str] = []
        spent: list[dict[str, Any]] = []
        for i, (clf, thr) in enumerate(self.stages):
            try:
                result = await clf.aclassify(req)
            except Exception as exc:
                if self._is_last(i):
                    raise
                trail.append(self._failed(clf, exc))
                continue
            spent.extend(llm_calls(result))
            if self._accept(i, thr, result, trail):
                return self._wrap(result, trail, spent)
        raise AssertionError("unreachable: the last stage is always accepted")  # pragma: no cover

    # -- shared logic ------------------------------------------------------------------------
    def _is_last(self, i: int) -> bool:
        return i == len(self.stages) - 1

    @staticmethod
    def _failed(clf: Any, exc: Exception) -> str:
        return f"cascade: {getattr(clf, 'name', type(clf).__name__)} failed ({type(exc).__name__}: {redact(str(exc))[:120]}), next"

    def _accept(self, i: int, thr: float | None, result: Classification, trail: list[str]) -> bool:
        name = result.classifier
        if self._is_last(i):
            trail.append(
                f"cascade: accepted {name} (confidence {result.confidence:.2f}, last stage)"
            )
            return True
        if thr is not None and result.confidence >= thr:
            trail.append(
                f"cascade: accepted {name} (confidence {result.confidence:.2f} >= {thr:.2f})"
            )
            return True
        trail.append(f"cascade: {name} confidence {result.confidence:.2f} < {thr:.2f}, next")
        return False

    def _wrap(
        self, result: Classification, trail: list[str], spent: list[dict[str, Any]]
    ) -> Classification:
        stages = [t for t in trail]
        extra = {**dict(result.extra), "stages": stages, "accepted": result.classifier}
        extra.pop("llm_calls", None)
        if spent:  # every stage's LLM calls, the passed-over ones too (they were paid)
            extra["llm_calls"] = spent
        return Classification(
            scores=dict(result.scores),
            confidence=result.confidence,
            classifier=f"cascade/{result.classifier}",
            reasons=(*trail, *result.reasons),
            extra=extra,
        )
