"""Hard limits are hard: reservations, on every ledger, against real concurrent workers."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from shared_core import Router
from shared_core.dispatch import aexecute, execute
from shared_core.errors import (
    AllTiersFailedError,
    BudgetExceededError,
    BudgetUnavailableError,
    LedgerUnavailableError,
)
from shared_core.ledger import CallRecord, InMemoryLedger, LimitCheck, SQLiteLedger, open_ledger
from shared_core.testing import FakeClassifier, FakeServerError, ScriptedModel

from ...ledger_workers import (
    RESERVATION,
    budget_process,
    budget_router,
    fire_at_budget,
    hang_after_reserving,
)

DAY = [LimitCheck("global", 0.0, 1.0)]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def ledger(request, tmp_path: Path):
    # "memory" is open_ledger(None): a mapping to None fell through to Postgres
    if request.param == "memory":
        led = open_ledger(None)
    elif request.param == "sqlite":
        led = open_ledger(str(tmp_path / "r.db"))
    else:
        led = open_ledger(request.getfixturevalue("pg_url"))
    yield led
    led.close()


def test_a_postgres_url_is_never_taken_for_a_sqlite_path(tmp_path, monkeypatch):
    """Old code made a folder named ``postgresql:`` and kept its own books in it."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Exception) as info:
        Router(ledger="postgresql://nobody@127.0.0.1:1/none?connect_timeout=1")
    assert not (tmp_path / "postgresql:").exists()
    assert type(info.value).__name__ in ("ConfigError", "ImportError", "ModuleNotFoundError")
    assert list(tmp_path.iterdir()) == []


def test_reserve_holds_all_or_nothing_and_release_frees(ledger) -> None:
    checks = [LimitCheck("global", 0.0, 1.0), LimitCheck("user:u", 0.0, 0.5)]
    assert ledger.reserve("a", 0.4, checks, 60) is None
    assert ledger.reserved("global") == pytest.approx(0.4)
    refusal = ledger.reserve("b", 0.2, checks, 60)  # fits global, not user:u
    assert refusal is not None and refusal.limit.scope == "user:u"
    assert refusal.held_usd == pytest.approx(0.4)
    assert ledger.reserved("global") == pytest.approx(0.4)  # b held nothing anywhere
    assert ledger.reserve("a", 0.1, checks, 60) is None  # extends a
    assert ledger.reserved("user:u") == pytest.approx(0.5)
    ledger.record(CallRecord(call_id="a", tier="t", model="m", cost_usd=0.3, user="u"))
    ledger.release("a")
    assert ledger.reserved("global") == 0.0
    assert ledger.spend("user:u", 0) == pytest.approx(0.3)
    assert ledger.reserve("c", 0.2, checks, 60) is None
    assert ledger.reserve("d", 0.01, checks, 60) is not None  # 0.3 spent + 0.2 held = 0.5


def test_reservations_expire_after_their_ttl_into_spend(ledger) -> None:
    """A hold that lapses unreleased is no longer held, but kept as spend on a shared ledger
    (see test_lapsed_holds.py): its worker may have sent its calls. The in-memory ledger's
    holds belong to a living process: dropped (test_memory_holds_lapse.py)."""
    assert ledger.reserve("a", 0.9, DAY, 0.2) is None
    assert ledger.reserve("b", 0.2, DAY, 60) is not None
    time.sleep(0.25)
    assert ledger.reserved("global") == 0.0
    if isinstance(ledger, InMemoryLedger):
        assert ledger.reserve("b", 0.2, DAY, 60) is None
        return
    assert ledger.reserve("b", 0.2, DAY, 60) is not None
    assert ledger.reserve("b", 0.1, DAY, 60) is None


def test_soft_pressure_counts_reserved_money_as_spent() -> None:
    router = budget_router(InMemoryLedger())
    guard = router.budget
    assert guard is not None
    assert guard.pressure(["global"]) == 0.0
    router.ledger.reserve("x", 0.9, DAY, 60)
    assert guard.pressure(["global"]) == pytest.approx(0.5)  # soft 0.8: (0.9-0.8)/0.2


def test_every_outcome_releases_the_reservation() -> None:
    router = budget_router(InMemoryLedger())
    led = router.ledger
    d = router.decide("hi")
    execute(router.plan(d, router.request("hi")), ScriptedModel())
    assert led.reserved("global") == 0.0
    d = router.decide("hi")
    with pytest.raises(AllTiersFailedError):
        execute(router.plan(d, router.request("hi")), ScriptedModel({"t": [FakeServerError("x")]}))
    assert led.reserved("global") == 0.0
    assert [r.status for r in led.records()] == ["ok", "failed"]


def test_an_escalation_extends_the_reservation_or_keeps_the_earlier_answer() -> None:
    config = {
        "tiers": [
            {"name": "a", "model": "ma", "max_tokens": 100, "input_price": 0, "output_price": 1000},
            {"name": "b", "model": "mb", "max_tokens": 100, "input_price": 0, "output_price": 9000},
        ],
        "budget": {"limits": [{"scope": "global", "limit_usd": 0.5}]},
    }
    router = Router(config, classifier=FakeClassifier(default="a"), ledger=InMemoryLedger())
    model = ScriptedModel({"a": ["I'm sorry, but I can't help with that."], "b": ["fine"]})
    d = router.decide("q")
    out = execute(router.plan(d, router.request("q")), model)  # a: $0.1 held, b needs $0.9
    assert out.value == "I'm sorry, but I can't help with that."
    plan_tiers = [a.tier.name for a in model.calls]
    assert plan_tiers == ["a"]
    assert router.ledger.reserved("global") == 0.0
    config["budget"] = {"limits": [{"scope": "global", "limit_usd": 5.0}]}
    router = Router(config, classifier=FakeClassifier(default="a"), ledger=InMemoryLedger())
    d = router.decide("q")
    out = execute(router.plan(d, router.request("q")), model)
    assert out.value == "fine"
    assert router.ledger.reserved("global") == 0.0


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_call_ended_during_interpreter_shutdown_still_releases_its_hold(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stream still open when the interpreter exits is closed during shutdown, when
    ``import`` fails (``sys.meta_path`` is None). ``close()`` imported its scope helper
    lazily: it raised ImportError and the hold stayed in the shared ledger for its TTL
    (600 s), counted against the limit by every worker. Ending a call imports nothing."""
    import builtins

    router = budget_router(InMemoryLedger() if kind == "memory" else str(tmp_path / "b.db"))
    plan = router.plan(router.decide("hi"), router.request("hi", tags=["team:a"], user="u1"))
    assert plan.next_attempt() is not None
    assert router.ledger.reserved("global") > 0

    def no_imports(*a, **k):
        raise ImportError("sys.meta_path is None, Python is likely shutting down")

    monkeypatch.setattr(builtins, "__import__", no_imports)
    try:
        plan.close()
    finally:
        monkeypatch.undo()
    assert router.ledger.reserved("global") == 0.0


def test_a_locked_sqlite_file_stalls_one_reservation_then_they_fail_at_once(tmp_path: Path) -> None:
    """Another process held the file's write lock: every reservation waited the whole
    ``busy_timeout_s`` while holding the ledger's lock, so all threads queued behind it (16
    threads, a 6 s lock: 1 call finished). As for writes, after one failure the ledger backs
    off for ``retry_after_s`` (reservations fail at once, and the budget's
    ``on_ledger_error`` decides), then probes with a short wait."""
    import sqlite3

    led = SQLiteLedger(str(tmp_path / "r.db"), busy_timeout_s=2.0, retry_after_s=1.0)
    led.reserve("warm", 0.0, DAY, 60)
    other = sqlite3.connect(str(tmp_path / "r.db"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        t0 = time.perf_counter()
        with pytest.raises(LedgerUnavailableError):
            led.reserve("a", 0.1, DAY, 60)
        assert time.perf_counter() - t0 >= 1.9  # the first one waits for the lock
        t0 = time.perf_counter()
        for i in range(5):
            with pytest.raises(LedgerUnavailableError, match="last try failed"):
                led.reserve(f"b{i}", 0.1, DAY, 60)
        assert time.perf_counter() - t0 < 0.9  # then they fail at once (5 would take 10 s)
        time.sleep(1.1)
        t0 = time.perf_counter()
        with pytest.raises(LedgerUnavailableError):
            led.reserve("c", 0.1, DAY, 60)  # past the back-off: a short probe, still locked
        assert time.perf_counter() - t0 < 1.5
    finally:
        other.execute("ROLLBACK")
        other.close()
    time.sleep(1.1)
    assert led.reserve("d", 0.1, DAY, 60) is None  # unlocked: reservations work again
    assert led.reserved("global") == pytest.approx(0.1)
    led.close()


def test_the_probe_after_a_back_off_waits_out_another_worker_s_ordinary_transaction(tmp_path: Path) -> None:
    """Review: past the back-off the ledger probed with a 50 ms wait, and each failed probe
    failed everything for another ``retry_after_s``, so another worker's ordinary transactions
    kept reservations failing long after a long lock (99 failures in 10 s against 1). The
    probe now waits out a 150 ms transaction."""
    import sqlite3

    path = str(tmp_path / "r.db")
    led = SQLiteLedger(path, busy_timeout_s=2.0, retry_after_s=2.0)
    led.reserve("warm", 0.0, DAY, 60)
    led._hold_failed, led._hold_retry_at = True, 0.0  # a long lock failed one, its back-off is over
    locked = threading.Event()

    def other() -> None:
        c = sqlite3.connect(path, isolation_level=None, timeout=10)
        c.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(0.15)
        c.execute("ROLLBACK")
        c.close()

    threading.Thread(target=other, daemon=True).start()
    locked.wait(5)
    assert led.reserve("probe", 0.1, DAY, 60) is None
    assert not led._hold_failed  # and the patient wait is back
    led.close()


def test_a_write_that_fails_does_not_block_reservations(tmp_path: Path) -> None:
    """Review: reservations backed off after any failed write too, so one record the file
    refused made every reservation fail (280 of 285)."""
    led = SQLiteLedger(str(tmp_path / "r.db"))
    led.reserve("warm", 0.0, DAY, 60)
    led._warned, led._retry_at = True, time.monotonic() + 60  # a write failed a moment ago
    assert led.reserve("a", 0.1, DAY, 60) is None
    led.close()


async def test_async_path_reserves_and_releases() -> None:
    router = budget_router(InMemoryLedger(), limit_usd=0.06)
    model = ScriptedModel()
    d = await router.adecide("hi")
    out = await aexecute(await router.aplan(d, router.request("hi")), model.acall)
    assert out.value == "ok from t"
    assert router.ledger.reserved("global") == 0.0
    router.ledger.record(CallRecord(call_id="z", tier="t", model="m", cost_usd=0.02))
    d = await router.adecide("hi")
    with pytest.raises(BudgetExceededError):
        await aexecute(router.plan(d, router.request("hi")), model.acall)
    assert len(model.calls) == 1


class _DownLedger(InMemoryLedger):
    def reserve(self, *a, **k):
        raise LedgerUnavailableError("database down")


def test_on_ledger_error_open_lets_calls_through_with_a_warning(caplog) -> None:
    router = budget_router(_DownLedger())
    d = router.decide("hi")
    with caplog.at_level("WARNING", logger="tier_router"):
        execute(router.plan(d, router.request("hi")), ScriptedModel())
    assert "on_ledger_error=open" in caplog.text
    assert [r.status for r in router.ledger.records()] == ["ok"]


def test_on_ledger_error_closed_refuses_before_any_call() -> None:
    router = budget_router(_DownLedger(), on_ledger_error="closed")
    model = ScriptedModel()
    d = router.decide("hi")
    with pytest.raises(BudgetUnavailableError, match="on_ledger_error is 'closed'"):
        execute(router.plan(d, router.request("hi")), model)
    assert model.calls == []
    assert [r.status for r in router.ledger.records()] == ["refused"]


def test_16_threads_never_pass_an_in_memory_hard_limit() -> None:
    router = budget_router(InMemoryLedger())
    results: list[tuple[int, int]] = []
    threads = [
        threading.Thread(target=lambda s=s: results.append(fire_at_budget(router, 12, s)))
        for s in range(16)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spent = router.ledger.spend("global", 0)
    assert 1.0 - RESERVATION <= spent <= 1.0
    assert sum(r for _, r in results) > 0
    assert router.ledger.reserved("global") == 0.0


def run_processes(target: str, n: int = 16, calls: int = 10) -> list[tuple[int, int]]:
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=budget_process, args=(target, calls, s, start, out)) for s in range(n)]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return results


@pytest.mark.slow
def test_16_processes_never_pass_a_sqlite_hard_limit(tmp_path: Path) -> None:
    path = str(tmp_path / "budget.db")
    SQLiteLedger(path).close()
    results = run_processes(path)
    led = SQLiteLedger(path)
    spent = led.spend("global", 0)
    assert 1.0 - RESERVATION <= spent <= 1.0
    assert sum(r for _, r in results) > 0
    assert sum(a for a, _ in results) == len(led.records(status="ok"))
    assert led.reserved("global") == 0.0


def kill_mid_call(target: str, ttl_s: float) -> None:
    ctx = mp.get_context("spawn")
    proc = ctx.Process(target=hang_after_reserving, args=(target, ttl_s))
    proc.start()
    led = open_ledger(target)
    try:
        end = time.monotonic() + 60
        while led.reserved("global") == 0.0 and time.monotonic() < end:
            time.sleep(0.05)
        assert led.reserved("global") == pytest.approx(RESERVATION)
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(timeout=10)
        assert proc.exitcode == -signal.SIGKILL
        assert led.reserved("global") == pytest.approx(RESERVATION)  # held until its TTL
        time.sleep(ttl_s + 0.2)
        assert led.reserved("global") == 0.0
        # the killed worker may have sent its call: after the TTL its hold is spend, not free
        # money (it was: another worker could spend the whole budget again, past the limit)
        assert led.reserve("after", 1.0, DAY, 60) is not None
        assert led.spend("global", 0) == pytest.approx(RESERVATION)
        lapsed = led.records()
        assert [(r.status, r.error_kind, r.cost_usd) for r in lapsed] == [
            ("abandoned", "lapsed_hold", pytest.approx(RESERVATION))
        ]
        # another worker gets what is left of the budget, and no more
        other = budget_router(target, reservation_ttl_s=60)
        try:
            served, refused = fire_at_budget(other, 400, seed=7)
            other.ledger.flush()
        finally:
            other.ledger.close()
        assert served > 0 and refused > 0
        spent_by_others = sum(r.cost_usd or 0.0 for r in led.records(status="ok"))
        assert 0.0 < spent_by_others <= 1.0 - RESERVATION + 1e-9  # the killed call's money kept
        assert led.spend("global", 0) <= 1.0 + 1e-9
    finally:
        led.close()


@pytest.mark.slow
def test_a_worker_killed_mid_call_leaks_no_reservation_past_its_ttl(tmp_path: Path) -> None:
    path = str(tmp_path / "kill.db")
    SQLiteLedger(path).close()
    kill_mid_call(path, ttl_s=2.0)
