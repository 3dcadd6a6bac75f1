"""The window between a call's end and its record reaching the database, with real processes.

A worker's call is over: its record and the release of its hold wait in its writer's queue
(the database is slow to take them). Another process reserving meanwhile must still count the
money: it sees the hold, since the release commits with the record or after it, never before.
Reasoned in ``pg_writer`` / ``sqlite_writer``, untested until now: here a third connection
holds the records table (PostgreSQL) or the file (SQLite) while the first worker's call ends
and a second worker reserves.
"""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shared_core.errors import BudgetExceededError
from shared_core.ledger import open_ledger

from ...ledger_workers import RESERVATION, budget_router, one_call_then_wait


def _second_worker_refused(router: Any) -> None:
    with pytest.raises(BudgetExceededError):
        router.plan(router.decide("second"), router.request("second")).open()


def _run(target: str, lock: Callable[[], None], unlock: Callable[[], None]) -> None:
    second = budget_router(target, limit_usd=RESERVATION)
    second.ledger.reserved("global")  # open, its schema made, before the database is held
    ctx = mp.get_context("spawn")
    in_call, locked, go, out = ctx.Event(), ctx.Event(), ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=one_call_then_wait, args=(target, RESERVATION, in_call, locked, out, go))
    proc.start()
    try:
        assert in_call.wait(40)  # its hold is taken, the provider is answering
        lock()
        locked.set()
        # the call is over: its record and release are queued (generous: a loaded CI host once
        # took over 20 s here, with the worker's writes waiting out lock_timeout_s)
        assert out.get(timeout=60) > 0
        threading.Timer(0.5, unlock).start()
        _second_worker_refused(second)  # the first worker's hold (or, later, record) counts
        go.set()
        assert out.get(timeout=60) == "closed"
        proc.join(20)
    finally:
        locked.set()
        go.set()
        if proc.is_alive():  # a worker that hangs fails this test, not the whole run at exit
            proc.kill()
            proc.join(5)
    assert proc.exitcode == 0
    _second_worker_refused(second)  # its recorded spend counts
    second.ledger.close()
    led = open_ledger(target)
    try:
        assert led.reserved("global") == 0.0
        assert led.spend("global", 0.0) == pytest.approx(RESERVATION)
        assert [r.status for r in led.records()].count("ok") == 1
    finally:
        led.close()


@pytest.mark.timeout(180)
def test_postgres_a_record_queued_in_another_process_still_counts(pg_url: str) -> None:
    import psycopg

    blocker: Any = psycopg.connect(pg_url)

    def lock() -> None:  # inserts wait, reads do not
        blocker.execute("LOCK TABLE tier_router_calls IN EXCLUSIVE MODE")

    def unlock() -> None:
        blocker.rollback()

    try:
        _run(pg_url, lock, unlock)
    finally:
        blocker.close()


@pytest.mark.timeout(90)
def test_sqlite_a_record_queued_in_another_process_still_counts(tmp_path: Path) -> None:
    path = str(tmp_path / "window.db")
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        _run(path, lambda: blocker.execute("BEGIN IMMEDIATE") and None,
             lambda: blocker.execute("COMMIT") and None)
    finally:
        blocker.close()
