"""A call that runs longer than ``budget.reservation_ttl_s`` keeps its hold while it runs.

A hold lapsed at its TTL whether or not its call was still under way (the TTL is there for a
worker that died), so another worker could take the same money while the provider was still
generating: six processes of calls lasting 2.5 s under a 1 s TTL spent $0.80 of a $0.30 limit
through ``RoutedChatModel`` (``benchmarks/workers_budget.py --scenario long``). With the default
TTL (600 s) a call longer than 10 minutes (a long generation, a client timeout of 600 s and its
retries) did the same. Now the process renews the holds of its calls under way every third of
the TTL; a process that dies stops renewing, so its holds still lapse at the TTL.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from shared_core.errors import BudgetExceededError
from shared_core.ledger import InMemoryLedger, open_ledger

from ...ledger_workers import RESERVATION, budget_router, long_calls

CALLS, TTL_S, CALL_S = 2, 2.0, 5.0


def _other_worker(target: object) -> Any:
    return budget_router(target, limit_usd=CALLS * RESERVATION, reservation_ttl_s=TTL_S)  # type: ignore[arg-type]


def _other_worker_is_refused(router: Any) -> None:
    """Past the TTL, while the long calls still run, another worker asks for a call."""
    with pytest.raises(BudgetExceededError):
        router.plan(router.decide("late"), router.request("late")).open()


def _spent(target: object) -> float:
    led = target if isinstance(target, InMemoryLedger) else open_ledger(str(target))
    try:
        return led.spend("global", 0.0)
    finally:
        if not isinstance(target, InMemoryLedger):
            led.close()


@pytest.mark.timeout(60)
def test_threads_in_memory_keep_their_holds_past_the_ttl() -> None:
    ledger = InMemoryLedger()
    inside, out = threading.Event(), __import__("queue").Queue()
    worker = threading.Thread(target=long_calls, args=(ledger, CALLS, TTL_S, CALL_S, inside, out))
    worker.start()
    other = _other_worker(ledger)
    assert inside.wait(20)
    time.sleep(TTL_S * 1.5)
    _other_worker_is_refused(other)
    worker.join()
    assert out.get() == (CALLS, 0)
    assert ledger.spend("global", 0.0) <= CALLS * RESERVATION + 1e-12
    assert ledger.reserved("global") == 0.0


@pytest.mark.timeout(90)
@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_worker_process_keeps_its_holds_past_the_ttl(kind: str, tmp_path: Path, request) -> None:
    target = str(tmp_path / "long.db") if kind == "sqlite" else request.getfixturevalue("pg_url")
    ctx = mp.get_context("spawn")
    inside, out = ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=long_calls, args=(target, CALLS, TTL_S, CALL_S, inside, out))
    proc.start()
    other = _other_worker(target)
    other.ledger  # noqa: B018 - open it before the clock starts
    assert inside.wait(40)
    time.sleep(TTL_S * 1.5)
    _other_worker_is_refused(other)
    assert out.get(timeout=40) == (CALLS, 0)
    proc.join(20)
    assert _spent(target) <= CALLS * RESERVATION + 1e-12
    led = open_ledger(target)
    try:
        assert led.reserved("global") == 0.0
    finally:
        led.close()


def test_a_ledger_that_cannot_renew_is_retried_calmly(caplog) -> None:
    """A renewal that fails (the ledger unreachable, or closed under a live hold) is tried
    again within a second, warned about once: not in a loop as fast as the thread can spin."""
    from shared_core.errors import LedgerUnavailableError
    from shared_core.hold_keeper import HoldKeeper

    class Down(InMemoryLedger):
        tries = 0

        def renew(self, reservation_ids: Any, ttl_s: float) -> None:
            Down.tries += 1
            raise LedgerUnavailableError("down")

    keeper = HoldKeeper(Down(), ttl_s=0.3)  # renewed after 0.1 s, retried every 0.025 s
    keeper.add("r")
    time.sleep(0.6)
    keeper.discard("r")
    assert 2 <= Down.tries <= 40
    assert sum("could not renew" in r.getMessage() for r in caplog.records) == 1
