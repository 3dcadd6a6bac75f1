"""`FakeClassifier`: picks a label by substring rules, a function or a default.

The ``fake`` classifier type of a config; also re-exported by :mod:`shared_core.testing`
for users' own tests. It lives here so that building a config's classifier never imports
the test doubles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from ..request import Request
from .base import BaseClassifier, Classification


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
