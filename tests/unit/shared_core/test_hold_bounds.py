"""Where the renewing of live holds meets the holds kept in-process and the ledger that fails.

* A hold whose release is never reached (a code path that takes a hold and raises before its
  context) was renewed by the :class:`~shared_core.hold_keeper.HoldKeeper` for the life of the
  process: money never spent stayed held, ending in wrong refusals. It now lapses at the TTL
  again once the hold's owner (the call's plan, a route's hold) is gone.
* A hold kept in-process (the ledger can be read but not written) lapsed at the TTL while its
  call was still running: a third call was let through past the limit ($1.20 against $1.00).
* A child forked while a parent thread held ``local_holds``' module lock hung on its first one.
* A SQLite ledger that can be neither read nor written read as $0 spent, and the budget warned
  that it checks calls "against the spend it still reads".
"""

from __future__ import annotations

import gc
import logging
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from shared_core import local_holds as lh
from shared_core.budget import BudgetGuard
from shared_core.config import BudgetLimit
from shared_core.errors import BudgetExceededError, LedgerUnavailableError
from shared_core.ledger import CallRecord, InMemoryLedger, SQLiteLedger

from ...forked import run_forked
from ...ledger_workers import RESERVATION, budget_router

TTL_S = 0.6


def _limit(usd: float = 1.0) -> list[BudgetLimit]:
    return [BudgetLimit(scope="global", limit_usd=usd, period="total")]


@pytest.mark.timeout(30)
def test_a_hold_whose_plan_is_dropped_unreleased_is_released_not_kept_as_spend() -> None:
    """No call of a plan dropped unreleased is under way: its hold is released by the keeper.
    Left to lapse, it would be kept as spend (see test_lapsed_holds.py), money never spent."""
    ledger = InMemoryLedger()
    router = budget_router(ledger, limit_usd=2 * RESERVATION, reservation_ttl_s=TTL_S)
    plan = router.plan(router.decide("q"), router.request("q"))
    plan.open()  # held, and then never closed (the call raised before its context)
    assert ledger.reserved("global") == pytest.approx(RESERVATION)
    del plan
    gc.collect()
    time.sleep(TTL_S * 2.5)  # the keeper ran several times meanwhile
    assert ledger.reserved("global") == 0.0
    assert ledger.spend("global", 0.0) == 0.0 and ledger.records() == []
    for q in ("a", "b"):  # the money was never spent: both fit again
        router.plan(router.decide(q), router.request(q)).open()


@pytest.mark.timeout(30)
def test_a_live_plan_still_keeps_its_hold_past_the_ttl() -> None:
    ledger = InMemoryLedger()
    router = budget_router(ledger, limit_usd=RESERVATION, reservation_ttl_s=TTL_S)
    plan = router.plan(router.decide("q"), router.request("q"))
    plan.open()
    time.sleep(TTL_S * 2.5)
    with pytest.raises(BudgetExceededError):
        router.plan(router.decide("late"), router.request("late")).open()
    plan.close()
    assert ledger.reserved("global") == 0.0


class _CannotWrite(InMemoryLedger):
    """Reads answer, holds cannot be written (a full disk)."""

    def reserve(self, *a: Any, **k: Any) -> Any:
        raise LedgerUnavailableError("disk full")


@pytest.mark.timeout(30)
def test_a_local_hold_lives_while_its_call_runs_past_the_ttl() -> None:
    guard = BudgetGuard(_limit(1.0), _CannotWrite(), ttl_s=TTL_S)
    assert guard.reserve("A", 0.6, ["global"])  # call A runs longer than the TTL
    with pytest.raises(BudgetExceededError):
        guard.reserve("B", 0.6, ["global"])
    time.sleep(TTL_S * 1.5)
    with pytest.raises(BudgetExceededError):  # was let through: $1.20 against $1.00
        guard.reserve("C", 0.6, ["global"])
    guard.release("A", ["global"])
    assert guard.reserve("D", 0.6, ["global"])


@pytest.mark.timeout(30)
def test_a_local_hold_whose_owner_is_dropped_unreleased_goes() -> None:
    guard = BudgetGuard(_limit(1.0), _CannotWrite(), ttl_s=TTL_S)

    class Call:
        pass

    call = Call()
    assert guard.reserve("A", 0.6, ["global"], owner=call)
    with pytest.raises(BudgetExceededError):
        guard.reserve("B", 0.6, ["global"])
    del call
    gc.collect()
    assert guard.reserve("C", 0.6, ["global"])


@pytest.mark.timeout(30)
def test_a_child_forked_while_the_local_holds_lock_is_held_makes_its_own() -> None:
    entered, go = threading.Event(), threading.Event()

    def parent_thread() -> None:  # another thread making a ledger's first local hold at the fork
        with lh._LOCK:
            entered.set()
            go.wait()

    t = threading.Thread(target=parent_thread)
    t.start()
    try:
        assert entered.wait(5)

        class Ledger:
            pass

        def child() -> str:
            lh.local_holds(Ledger())
            return "made"

        assert run_forked(child, timeout_s=5) == "made"
    finally:
        go.set()
        t.join()


@pytest.mark.timeout(30)
def test_a_sqlite_ledger_that_cannot_be_read_lets_calls_through_with_the_true_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "led"
    ledger = SQLiteLedger(folder / "l.db")
    ledger.record(CallRecord(call_id="old", tier="t", model="m", cost_usd=0.9))
    ledger.flush()
    guard = BudgetGuard(_limit(1.0), ledger, ttl_s=60)
    ledger.close()
    shutil.rmtree(folder)
    with pytest.raises(LedgerUnavailableError):  # not $0: the spend is not known
        ledger.held("global", 0.0)
    with caplog.at_level(logging.WARNING):
        assert guard.reserve("c0", 0.3, ["global"]) is False  # let through unreserved
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "lets calls through unreserved" in said
    assert "spend it still reads" not in said
