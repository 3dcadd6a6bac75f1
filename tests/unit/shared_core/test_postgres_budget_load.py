"""A hard budget on PostgreSQL under a burst of concurrent calls and across hosts whose clocks
disagree: spend never passes the limit while the server answers.

Found by a probe: a burst of 2,000 concurrent ``ainvoke`` calls in one process timed out on
the async pool's wait, which counted as "ledger unreachable", so ``on_ledger_error: open`` let
calls through unheld ($20 spent against $5); and each host expired reservations by its own
clock, so one whose clock ran ahead deleted the others' live holds.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from shared_core.dispatch import Attempt, AttemptResult, aexecute
from shared_core.errors import BudgetExceededError, BudgetUnavailableError
from shared_core.ledger import LimitCheck, PostgresLedger, open_ledger
from shared_core.ledger.limits import day_start
from shared_core.pricing import Usage
from shared_core.quality import Answer

from ...ledger_workers import MAX_TOKENS, RESERVATION, budget_router

pytestmark = pytest.mark.usefixtures("pg_server")


def test_a_host_whose_clock_runs_ahead_does_not_expire_the_others_holds(pg_url, monkeypatch) -> None:
    a, b = open_ledger(pg_url), open_ledger(pg_url)
    since = day_start(time.time())
    limit = [LimitCheck("global", since, 0.10)]
    assert a.reserve("a1", 0.05, limit, 60) is None
    assert a.reserve("a2", 0.05, limit, 60) is None
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 700)  # host B's clock, 700 s ahead
    assert b.reserve("b1", 0.05, limit, 60) is not None  # refused: A holds the whole limit
    assert b.reserved("global") == pytest.approx(0.10)
    monkeypatch.undo()
    assert a.reserved("global") == pytest.approx(0.10)
    a.close()
    b.close()


def test_holds_still_expire_by_the_server_clock(pg_url) -> None:
    led = open_ledger(pg_url)
    limit = [LimitCheck("global", day_start(time.time()), 0.10)]
    assert led.reserve("short", 0.10, limit, 0.3) is None
    assert led.reserve("next", 0.05, limit, 60) is not None
    time.sleep(0.5)
    assert led.reserved("global") == 0.0  # lapsed by the server's clock: kept as spend
    assert led.reserve("next", 0.05, limit, 60) is not None
    assert led.spend("global", day_start(time.time())) == pytest.approx(0.10)
    led.close()


@pytest.mark.parametrize("policy", ["open", "closed"])
def test_a_burst_of_concurrent_calls_never_passes_the_limit(pg_url, policy: str) -> None:
    """1,000 concurrent async calls each costing its whole $0.05 hold, 2 pooled connections
    waited on for 0.5 s, a $1 limit: every call is answered, refused for the budget, or
    refused because the ledger was busy; spend never passes the limit."""
    limit = 1.0
    led = PostgresLedger(pg_url, pool_size=2, connect_timeout_s=0.5)
    router = budget_router(led, limit_usd=limit, on_ledger_error=policy)

    async def costly(attempt: Attempt) -> AttemptResult:
        await asyncio.sleep(0.05)
        return AttemptResult(value="ok", usage=Usage(0, MAX_TOKENS), answer=Answer("an answer " * 4))

    async def one(i: int) -> str:
        text = f"question {i}"
        try:
            d = await router.adecide(text)
            await aexecute(router.plan(d, router.request(text)), costly)
            return "answered"
        except BudgetUnavailableError:
            return "busy"
        except BudgetExceededError:
            return "refused"

    async def burst() -> list[str]:
        out = await asyncio.gather(*(one(i) for i in range(1000)))
        await led.aclose()
        return out

    outcomes = asyncio.run(burst())
    led.flush()
    spent = led.spend("global", 0)
    assert spent <= limit + 1e-9, (spent, outcomes.count("answered"))
    assert outcomes.count("answered") >= int(limit / RESERVATION) - 1  # the budget was used, not refused wholesale
    assert outcomes.count("answered") == len(led.records(status="ok"))
    assert led.reserved("global") == 0.0
    led.close()
