"""The hot path's ``construct`` gives exactly what the normal constructors give.

Every call site is exercised (a decision, a request, attempts, ledger records of an
answer, a rejection and a failure) with ``construct`` wrapped: each value must name every
field of its class and equal the object the class's own ``__init__`` (with its checks)
builds from the same values. A field added to one of these classes without a value at the
call site fails here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import shared_core._construct as construct_module
from shared_core import Router
from shared_core.dispatch import execute
from shared_core.testing import FakeClassifier, FakeRateLimitError, ScriptedModel

CONFIG = {
    "tiers": [
        {"name": "cheap", "model": "gpt-4o-mini"},
        {"name": "mid", "model": "gpt-4o"},
        {"name": "strong", "model": "o1"},
    ],
    "escalation": {"refusal_check": True, "max_escalations": 2},
}


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[tuple[type, dict[str, Any], Any]]:
    seen: list[tuple[type, dict[str, Any], Any]] = []
    real = construct_module.construct

    def checked(cls: type, values: dict[str, Any], check: Any = None) -> Any:
        obj = real(cls, values, check)
        seen.append((cls, dict(values), obj))
        return obj

    import shared_core.attempt_records
    import shared_core.dispatch
    import shared_core.request
    import shared_core.tier_choice

    modules = (
        shared_core.attempt_records, shared_core.dispatch, shared_core.request, shared_core.tier_choice
    )
    for module in modules:
        monkeypatch.setattr(module, "construct", checked)
    return seen


def test_every_hot_path_value_equals_its_normal_construction(built: list[Any]) -> None:
    router = Router(CONFIG, classifier=FakeClassifier(default="cheap"))
    model = ScriptedModel(
        replies={
            "cheap": ["I'm sorry, but I can't help with that."],  # rejected: escalates
            "mid": [FakeRateLimitError("429")],  # fails: falls back
        }
    )
    decision = router.decide(
        [{"role": "system", "content": "be nice"}, {"role": "user", "content": "hello"}],
        tags=["feature:faq"],
        user="u1",
        thread_id="t1",
        metadata={"team": "a"},
    )
    request = router.request("hello", tags=["feature:faq"])
    out = execute(router.plan(decision, request, framework="core"), model)
    assert out.value == "ok from strong"

    kinds = [cls.__name__ for cls, _, _ in built]
    for name in ("Request", "RouteDecision", "Attempt", "CallRecord"):
        assert name in kinds, f"{name} was not built through construct()"
    statuses = [obj.status for cls, _, obj in built if cls.__name__ == "CallRecord"]
    assert statuses == ["rejected", "failed", "ok"]
    for cls, values, obj in built:
        names = {f.name for f in dataclasses.fields(cls)}
        assert set(values) == names, f"{cls.__name__}: missing {names - set(values)}"
        normal = cls(**values)
        assert obj == normal and repr(obj) == repr(normal)
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.tier = "changed"  # still frozen


def test_records_match_the_ledger_view(built: list[Any]) -> None:
    router = Router(CONFIG, classifier=FakeClassifier(default="cheap"))
    decision = router.decide("hello")
    execute(router.plan(decision, router.request("hello")), ScriptedModel())
    (rec,) = router.ledger.records()
    assert rec.to_dict()["tier"] == "cheap" and rec.tags == ()
    assert type(rec).from_dict(rec.to_dict()) == rec


def test_construct_runs_the_class_checks() -> None:
    """construct() skips only the per-field setattr: __post_init__ checks still apply."""
    from shared_core._construct import construct
    from shared_core.errors import InputError
    from shared_core.ledger.base import CallRecord

    values = {f.name: getattr(CallRecord("c", "t", "m"), f.name) for f in dataclasses.fields(CallRecord)}
    with pytest.raises(InputError, match="status"):
        construct(CallRecord, {**values, "status": "bogus"})
    with pytest.raises(InputError, match="cost_usd"):
        construct(CallRecord, {**values, "cost_usd": float("nan")})
    assert construct(CallRecord, {**values, "tags": ["a", 1]}).tags == ("a", "1")
