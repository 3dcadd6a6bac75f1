"""A call cancelled before its first attempt still records what it paid: the judge's call.

The LLM judge is asked (and paid) while deciding, before the reservation; a caller cancelled
while the ledger reserves never reaches a tier, but the judge's cost must still reach the
ledger, as for a call the budget refuses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from shared_core import Router
from shared_core.dispatch import aexecute
from shared_core.ledger import InMemoryLedger
from shared_core.ledger.base import LimitCheck, Refusal
from shared_core.pricing import Usage
from shared_core.testing import ScriptedJudge, ScriptedModel

JUDGE_COST = (200 * 0.15 + 3 * 0.60) / 1e6  # gpt-4o-mini: 200 tokens in, 3 out


class SlowReplyLedger(InMemoryLedger):
    """Takes the reservation at once, answers late (a database round trip in flight)."""

    async def areserve(
        self, reservation_id: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
    ) -> Refusal | None:
        out = self.reserve(reservation_id, amount, limits, ttl_s)
        await asyncio.sleep(30)
        return out


async def test_a_call_cancelled_before_its_first_attempt_still_pays_its_judge() -> None:
    ledger = SlowReplyLedger()
    judge = ScriptedJudge("strong", model="gpt-4o-mini", usage=Usage(200, 3))
    router = Router(
        {
            "tiers": [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 64},
                      {"name": "strong", "model": "gpt-4o", "max_tokens": 64}],
            "classifier": {"type": "judge", "options": {"clamp": None}},
            "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 5.0}]},
        },
        judge_complete=judge.pair(), ledger=ledger,
    )
    model = ScriptedModel()
    d = await router.adecide("hello")
    task = asyncio.ensure_future(aexecute(router.plan(d, router.request("hello")), model.acall))
    while ledger.reserved("global") == 0.0:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    [rec] = ledger.records()
    assert (rec.status, rec.attempt, rec.error_kind) == ("abandoned", 0, "abandoned")
    assert rec.cost_usd == pytest.approx(JUDGE_COST, rel=1e-12)
    assert [c["model"] for c in rec.metadata["classifier_calls"]] == ["gpt-4o-mini"]
    assert model.calls == []
