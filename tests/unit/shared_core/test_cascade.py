"""Cascade: cheap stages first, fall through on low confidence."""

from __future__ import annotations

import pytest

from shared_core.classifiers import CascadeClassifier, Classification, RulesClassifier
from shared_core.classifiers.base import BaseClassifier
from shared_core.errors import ConfigError
from shared_core.request import Request

TIERS = ["simple", "medium", "complex", "frontier"]


class Stub(BaseClassifier):
    """Returns a fixed tier with a fixed confidence and counts its calls."""

    def __init__(self, name: str, tier: str, confidence: float, fail: bool = False) -> None:
        self.name = name
        self.tier = tier
        self.conf = confidence
        self.fail = fail
        self.calls = 0
        self.async_calls = 0
        self._labels = list(TIERS)

    def _classify(self, request: Request) -> Classification:
        self.calls += 1
        if self.fail:
            raise RuntimeError(f"{self.name} broke")
        k = self._labels.index(self.tier)
        return Classification(
            scores={lab: float(i >= k) for i, lab in enumerate(self._labels)},
            confidence=self.conf,
            classifier=self.name,
            reasons=(f"{self.name} says {self.tier}",),
        )

    async def aclassify(self, request: Request | str) -> Classification:
        self.async_calls += 1
        return self._classify(Request.coerce(request))


def test_confident_first_stage_is_accepted_and_later_stages_never_run() -> None:
    a, b = Stub("a", "simple", 0.9), Stub("b", "frontier", 0.5)
    c = CascadeClassifier([(a, 0.8), (b, None)]).classify("hi")
    assert c.best == "simple"
    assert (a.calls, b.calls) == (1, 0)
    assert c.classifier == "cascade/a" and c.extra["accepted"] == "a"
    assert c.reasons[0].startswith("cascade: accepted a") and "a says simple" in c.reasons


def test_low_confidence_falls_through_and_the_last_stage_is_always_accepted() -> None:
    a, b, last = Stub("a", "simple", 0.2), Stub("b", "medium", 0.6), Stub("c", "complex", 0.01)
    c = CascadeClassifier([(a, 0.8), (b, 0.7), (last, 0.99)]).classify("x")
    assert c.scores["medium"] == 0.0 and c.scores["complex"] == 1.0
    assert (a.calls, b.calls, last.calls) == (1, 1, 1)
    assert c.extra["stages"] == [
        "cascade: a confidence 0.20 < 0.80, next",
        "cascade: b confidence 0.60 < 0.70, next",
        "cascade: accepted c (confidence 0.01, last stage)",
    ]


def test_threshold_is_inclusive() -> None:
    a = Stub("a", "simple", 0.7)
    assert (
        CascadeClassifier([(a, 0.7), (Stub("b", "frontier", 1.0), None)])
        .classify("x")
        .extra["accepted"]
        == "a"
    )


async def test_async_matches_sync_and_awaits_stages() -> None:
    a, b = Stub("a", "simple", 0.3), Stub("b", "complex", 0.9)
    casc = CascadeClassifier([(a, 0.5), (b, None)])
    got = await casc.aclassify("x")
    assert got == casc.classify("x")
    assert (a.async_calls, b.async_calls) == (1, 1)


async def test_a_failing_middle_stage_is_skipped_but_a_failing_last_stage_raises() -> None:
    broken, ok = Stub("broken", "simple", 1.0, fail=True), Stub("ok", "medium", 0.4)
    c = CascadeClassifier([(broken, 0.5), (ok, None)]).classify("x")
    assert c.extra["accepted"] == "ok"
    assert any("broken failed (RuntimeError" in r for r in c.reasons)
    assert (await CascadeClassifier([(broken, 0.5), (ok, None)]).aclassify("x")).extra[
        "accepted"
    ] == "ok"
    with pytest.raises(RuntimeError):
        CascadeClassifier([(ok, 0.99), (Stub("last", "simple", 1, fail=True), None)]).classify("x")


def test_rules_then_fallback_accepts_rules_only_at_the_extremes() -> None:
    fallback = Stub("model", "medium", 0.5)
    casc = CascadeClassifier([(RulesClassifier(), 0.7), (fallback, None)])
    assert casc.classify("hello!").extra["accepted"] == "rules"
    assert casc.classify("Prove Fermat's little theorem.").extra["accepted"] == "rules"
    assert (
        casc.classify("Tell me about the history of tea in Britain.").extra["accepted"] == "model"
    )


def test_bind_labels_reaches_every_stage() -> None:
    rules = RulesClassifier()
    casc = CascadeClassifier([(rules, 0.7), (RulesClassifier(), None)]).bind_labels(["lo", "hi"])
    assert rules.labels == ["lo", "hi"] and casc.labels == ["lo", "hi"]
    assert list(casc.classify("hey").scores) == ["lo", "hi"]


def test_configuration_errors() -> None:
    with pytest.raises(ConfigError, match="at least one stage"):
        CascadeClassifier([])
    with pytest.raises(ConfigError) as e:
        CascadeClassifier([(Stub("a", "simple", 1), None), (Stub("b", "simple", 1), None)])
    assert e.value.field == "classifier.stages[0].accept_confidence"
    with pytest.raises(ConfigError, match=r"\[0, 1\]"):
        CascadeClassifier([(Stub("a", "simple", 1), 1.5), (Stub("b", "simple", 1), None)])
    with pytest.raises(ConfigError, match="pair"):
        CascadeClassifier([Stub("a", "simple", 1)])  # type: ignore[list-item]
