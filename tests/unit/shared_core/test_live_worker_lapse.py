"""A live worker whose hold lapsed records its call once: the release takes the lapse back.

A hold whose worker stops renewing it (paused past the TTL, or its renewals failing while the
database is unreachable) lapses into a ``lapsed_hold`` record at the held amount. When that
worker was alive and then records its call and releases the hold, both the lapse and the real
record counted: a $0.01 call showed as $0.31 of spend in every scope and as two calls in
``stats`` (one answered, one lapsed hold). Only a spilled-and-replayed release took the lapse
back. Now every release deletes the lapse records of its hold and takes their cost off the day
counters, in the transaction that writes it (and the call's records queued before it), on
SQLite and PostgreSQL, whichever ledger object or process made the hold spend.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from shared_core.cli.main import main
from shared_core.errors import LedgerUnavailableError
from shared_core.ledger import CallRecord, LimitCheck, open_ledger
from shared_core.ledger.summary import summarize

from ...forked import run_forked
from ...ledger_workers import RESERVATION, budget_router

CHECKS = [
    LimitCheck("global", 0.0, 1.0),
    LimitCheck("user:alice", 0.0, 1.0),
    LimitCheck("tag:checkout", 0.0, 1.0),
]
SCOPES = ("global", "user:alice", "tag:checkout")


@pytest.fixture(params=["sqlite", "postgres"])
def target(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "lapse.db")
    return str(request.getfixturevalue("pg_url"))


def _expire_now(led: Any) -> None:
    """A reservation of any worker makes what lapsed spend (here one that holds nothing)."""
    assert led.reserve("probe", 0.0, [LimitCheck("user:nobody", 0.0, 1.0)], 60) is None
    led.release("probe")
    led.flush()


def _real(cost: float = 0.01) -> CallRecord:
    return CallRecord(call_id="call-1", tier="t", model="m", cost_usd=cost, user="alice",
                      tags=("checkout",))


def _counted_once(led: Any, cost: float = 0.01) -> None:
    assert led.flush() == 0
    assert [(r.call_id, r.error_kind, r.cost_usd) for r in led.records()] == [("call-1", None, cost)]
    for scope in SCOPES:
        assert led.spend(scope, 0.0) == pytest.approx(cost), scope
        assert led.held(scope, 0.0) == pytest.approx(cost), scope
    assert led.records(tag="checkout")[0].cost_usd == cost
    s = summarize(led.records())
    assert (s.calls, s.lapsed_hold_calls) == (1, 0)
    assert s.cost_usd == pytest.approx(cost)


def test_another_ledger_object_made_it_spend(target: str) -> None:
    worker, other = open_ledger(target), open_ledger(target)
    try:
        assert worker.reserve("call-1", 0.30, CHECKS, 0.2) is None
        time.sleep(0.3)  # the worker is paused past the TTL
        _expire_now(other)
        assert other.spend("global", 0.0) == pytest.approx(0.30)  # the lapse, made spend
        worker.record(_real())  # the worker resumes: its call answered, $0.01
        worker.release("call-1")
        _counted_once(worker)
        _counted_once(other)
    finally:
        worker.close()
        other.close()


def test_its_own_next_reservation_made_it_spend_and_the_release_comes_later(target: str) -> None:
    """The records written in one transaction, the release in a later one: the lapse is taken
    back by the release alone."""
    led = open_ledger(target)
    try:
        assert led.reserve("call-1", 0.30, CHECKS, 0.2) is None
        time.sleep(0.3)
        _expire_now(led)
        led.record(_real())
        assert led.flush() == 0
        led.release("call-1")
        _counted_once(led)
    finally:
        led.close()


def test_a_hold_that_lapsed_twice_is_taken_back_whole(target: str) -> None:
    """Cut off, back (the call extends its hold), cut off again: two lapse records, both go."""
    led = open_ledger(target)
    try:
        assert led.reserve("call-1", 0.30, CHECKS, 0.2) is None
        time.sleep(0.3)
        _expire_now(led)
        assert led.reserve("call-1", 0.10, CHECKS, 0.2) is None
        time.sleep(0.3)
        _expire_now(led)
        assert led.spend("global", 0.0) == pytest.approx(0.40)
        led.record(_real(0.02))
        led.release("call-1")
        _counted_once(led, 0.02)
    finally:
        led.close()


def test_a_forked_worker_made_it_spend(target: str) -> None:
    led = open_ledger(target)
    try:
        assert led.reserve("call-1", 0.30, CHECKS, 0.2) is None
        time.sleep(0.3)

        def child() -> str:  # a forked worker's reservation, on its copy of the ledger
            _expire_now(led)
            led.close()
            return "ok"

        assert run_forked(child, timeout_s=30) == "ok"
        assert led.spend("global", 0.0) == pytest.approx(0.30)
        led.record(_real())
        led.release("call-1")
        _counted_once(led)
    finally:
        led.close()


def test_a_release_with_no_lapse_leaves_other_calls_alone(target: str) -> None:
    """The take-back is the released hold's own: another call's lapse stays spend."""
    led = open_ledger(target)
    try:
        assert led.reserve("dead", 0.30, CHECKS, 0.2) is None  # a killed worker's hold
        assert led.reserve("call-1", 0.05, CHECKS, 60) is None
        time.sleep(0.3)
        _expire_now(led)
        led.record(_real())
        led.release("call-1")
        assert led.flush() == 0
        kinds = sorted((r.call_id, r.error_kind or "") for r in led.records())
        assert kinds == [("call-1", ""), ("dead", "lapsed_hold")]
        for scope in SCOPES:
            assert led.spend(scope, 0.0) == pytest.approx(0.31), scope
    finally:
        led.close()


def test_a_routed_call_whose_renewals_failed_counts_once(tmp_path: Path, monkeypatch) -> None:
    """End to end: a router's call outlives its TTL while renewals fail (the database briefly
    unreachable); another worker's reservation makes the hold spend; the call then answers.
    ``stats`` and the budget see one call at its real cost."""
    from shared_core.dispatch import Attempt, AttemptResult, execute
    from shared_core.pricing import Usage
    from shared_core.quality import Answer

    db = tmp_path / "routed.db"
    router = budget_router(str(db), reservation_ttl_s=0.3)
    other = budget_router(str(db))

    def down(reservation_ids: Any, ttl_s: float) -> None:
        raise LedgerUnavailableError("the database is briefly unreachable")

    monkeypatch.setattr(router.ledger, "renew", down)

    def call(attempt: Attempt) -> AttemptResult:
        time.sleep(0.5)  # past the TTL, renewals failing
        plan = other.plan(other.decide("other"), other.request("other"))
        plan.open()  # another worker's reservation: the hold is made spend
        plan.close()
        return AttemptResult(value="ok", usage=Usage(0, 200), answer=Answer("x" * 40))

    d = router.decide("slow")
    execute(router.plan(d, router.request("slow")), call)
    router.ledger.flush()
    led = open_ledger(str(db))
    try:
        recs = [r for r in led.records() if r.call_id == d.call_id]
        assert [(r.status, r.error_kind) for r in recs] == [("ok", None)]
        assert led.spend("global", 0.0) == pytest.approx(200 * 50.0 / 1e6)  # not + RESERVATION
        assert led.spend("global", 0.0) < RESERVATION
    finally:
        led.close()
    other.ledger.close()
    router.ledger.close()


def test_stats_count_the_call_once(tmp_path: Path, capsys) -> None:
    path = str(tmp_path / "stats.db")
    worker, other = open_ledger(path), open_ledger(path)
    assert worker.reserve("call-1", 0.30, CHECKS, 0.2) is None
    time.sleep(0.3)
    _expire_now(other)
    worker.record(_real())
    worker.release("call-1")
    worker.close()
    other.close()
    capsys.readouterr()
    assert main(["stats", path, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["calls"] == 1 and out["lapsed_hold_calls"] == 0
    assert out["cost_usd"] == pytest.approx(0.01)
