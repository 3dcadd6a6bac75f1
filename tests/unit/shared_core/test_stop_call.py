"""``StopCall``: a call function ends the call with its caller's own error.

An adapter whose caller's code raised while an answer came (a LangChain callback handler)
must neither report a provider failure (``plan.failed`` could fall back and pay another
tier) nor an answer: the executors record the attempt ``abandoned`` and raise the caller's
error itself.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from shared_core import Router
from shared_core.dispatch import AttemptResult, StopCall, aexecute, execute
from shared_core.ledger import InMemoryLedger
from shared_core.pricing import Usage
from shared_core.testing import FakeClassifier


class Boom(Exception):
    """The caller's own error."""


def _router(ledger: InMemoryLedger) -> Router:
    return Router(
        {
            "tiers": [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 64},
                      {"name": "strong", "model": "gpt-4o", "max_tokens": 64}],
            "fallback": {"on": ["other", "timeout", "server"]},
            "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 5.0}]},
        },
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]),
        ledger=ledger,
    )


def _run(router: Router, stop: StopCall, use_async: bool, seen: list[str]) -> None:
    def call(attempt: Any) -> AttemptResult:
        seen.append(attempt.tier.name)
        raise stop

    async def acall(attempt: Any) -> AttemptResult:
        return call(attempt)

    req = router.request("please explain the borrow checker")
    plan = router.plan(router.decide_request(req), req)
    if use_async:
        asyncio.run(aexecute(plan, acall))
    else:
        execute(plan, call)


@pytest.mark.parametrize("use_async", [False, True])
def test_the_caller_s_error_ends_the_call_as_raised(use_async: bool) -> None:
    ledger = InMemoryLedger()
    router = _router(ledger)
    boom = Boom("stop")
    stop = StopCall(boom, received_text="x" * 40, reason="a hook raised Boom while the answer came")
    seen: list[str] = []

    with pytest.raises(Boom) as info:
        _run(router, stop, use_async, seen)

    assert info.value is boom  # unwrapped, and not chained to the wrapper
    assert boom.__context__ is None and boom.__cause__ is None
    assert seen == ["cheap"]  # 'other' errors fall back, the caller's own do not
    [rec] = ledger.records()
    assert (rec.tier, rec.status, rec.error_kind) == ("cheap", "abandoned", "abandoned")
    assert rec.input_tokens > 0 and rec.output_tokens == 10  # 40 characters received
    assert (rec.cost_usd or 0.0) > 0.0
    assert rec.error is not None and rec.error.startswith("a hook raised Boom while the answer came")
    assert "estimated" in rec.error
    assert ledger.reserved("global") == 0.0  # the call's hold is released
    assert router.cooldown.available("cheap")  # no provider failed


@pytest.mark.parametrize("use_async", [False, True])
def test_no_fallback_and_the_provider_s_usage_when_it_came(use_async: bool) -> None:
    ledger = InMemoryLedger()
    router = _router(ledger)
    calls: list[str] = []

    with pytest.raises(Boom):
        _run(router, StopCall(Boom(), usage=Usage(120, 7), received_text="ignored"), use_async, calls)

    assert calls == ["cheap"]  # 'other' errors fall back, the caller's own do not
    [rec] = ledger.records()
    assert (rec.status, rec.input_tokens, rec.output_tokens) == ("abandoned", 120, 7)
    assert rec.error is not None and "estimated" not in rec.error
    assert ledger.reserved("global") == 0.0
