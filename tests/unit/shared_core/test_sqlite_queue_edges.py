"""Edges of a SQLite ledger's write queue (see :mod:`shared_core.ledger.sqlite_writer`).

* a read (the stored rows plus the queues) sees an item exactly once even when the writer
  commits it between the two steps;
* a ledger dropped with a hold release queued (built per request) still releases the hold;
* a ``multiprocessing`` worker that builds its own ledger writes what its loops queued before
  it exits (it ends with ``os._exit()``: no ``atexit``).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing as mp
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from shared_core.ledger import CallRecord, SQLiteLedger
from shared_core.ledger.limits import LimitCheck

from ...sqlite_files import rows as _rows
from ...sqlite_files import wait_for


def _wait_for_soon(check: Any) -> bool:
    return wait_for(check, timeout_s=5.0, step_s=0.02)


def _rec(call_id: str, cost: float = 0.01) -> CallRecord:
    return CallRecord(call_id=call_id, tier="t", model="m", cost_usd=cost)


# -- reads: the stored rows and the queues, read as one ---------------------------------------

_READS = {
    "records": lambda led: {r.call_id for r in led.records()},
    "records_of": lambda led: {r.call_id for r in led.records_of(["queued"])},
    "count": lambda led: led.count(),
    "feedback": lambda led: {f.call_id for f in led.feedback()},
    "recent_feedback": lambda led: {f.call_id for f in led.recent_feedback(0.0, 10)},
}


@pytest.mark.parametrize("read", sorted(_READS))
def test_a_read_sees_an_item_the_writer_commits_while_it_reads(tmp_path, read):
    """The writer commits (and dequeues) the item right after the read's query: the read must
    not miss it (before: the query missed it, and the queue copied after had lost it)."""
    ledger = SQLiteLedger(tmp_path / "r.sqlite")
    ledger._retry_at = time.monotonic() + 60  # a plain thread queues (backing off), no write
    ledger.record(_rec("queued"))
    ledger.record_feedback("queued", 1.0)
    assert ledger.pending == 2
    query = ledger._query
    writers: list[threading.Thread] = []

    def query_then_commit(sql: str, params: tuple[Any, ...]) -> Any:
        rows = query(sql, params)
        if not writers:  # the writer's turn, between the query and the copy of the queue
            writers.append(threading.Thread(target=ledger._write_now))
            writers[0].start()
            writers[0].join(0.3)  # it commits, unless the read holds the lock it commits under
        return rows

    ledger._query = query_then_commit  # type: ignore[method-assign]
    try:
        seen = _READS[read](ledger)
    finally:
        del ledger._query
        for w in writers:
            w.join(5)
    assert writers, "the read did not query"
    assert ledger.pending == 0  # the writer did commit
    if read == "count":  # the one call record (its queued score is no record)
        assert seen == 1
    else:
        assert seen == {"queued"}
    ledger.close()


# -- a ledger built per request and dropped ---------------------------------------------------

_LIMITS = [LimitCheck("global", 0.0, 1.0)]


async def test_a_ledger_dropped_with_a_release_queued_still_releases_the_hold(tmp_path):
    """A router built per request: its call's record and the release of its hold are queued on
    the loop, then the ledger is dropped. The hold must go (before: the finalizer spilled the
    record only, and the hold stayed until its TTL, refusing later calls)."""
    path = tmp_path / "p.sqlite"
    SQLiteLedger(path).close()
    writers = []
    for i in range(5):
        ledger = SQLiteLedger(path)
        assert await ledger.areserve(f"r{i}", 0.05, _LIMITS, 600) is None
        with ledger._writing:  # busy (a write under way): the call ends on the loop, both queued
            ledger.record(_rec(f"r{i}", 0.001))
            ledger.release(f"r{i}")
        writers.append(ledger._writer)
        del ledger
        gc.collect()
    assert await asyncio.to_thread(_wait_for_soon, lambda: _rows(path, "SELECT COUNT(*) FROM reservations") == 0)
    # and the ledgers went, with their writer threads, once written
    assert await asyncio.to_thread(_wait_for_soon, lambda: not any(w.is_alive() for w in writers))
    again = SQLiteLedger(path)
    assert sorted(r.call_id for r in again.records()) == [f"r{i}" for i in range(5)]
    assert again.reserve("next", 0.9, _LIMITS, 600) is None  # $0.005 spent, nothing held
    again.close()


# -- a multiprocessing worker that builds its own ledger --------------------------------------

_WORKER_LEDGER: SQLiteLedger | None = None


def _build_ledger(path: str) -> None:  # a Pool initializer (or a router cached on first use)
    global _WORKER_LEDGER
    _WORKER_LEDGER = SQLiteLedger(path)


def _record_on_a_loop(i: int) -> int:
    async def call_ends() -> None:
        assert _WORKER_LEDGER is not None
        _WORKER_LEDGER.record(_rec(f"c{i}"))  # as ainvoke does: queued for the writer

    asyncio.run(call_ends())
    return i


def _hold_the_file(path: Path, hold_s: float) -> threading.Thread:
    """Another connection holds the file's write lock for ``hold_s`` (a thread of this process:
    the workers are forked before it takes the lock)."""
    locked = threading.Event()

    def run() -> None:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=10)
        conn.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(hold_s)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert locked.wait(10)
    return thread


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="needs the fork start method")
def test_a_worker_that_builds_its_own_ledger_writes_what_its_loops_queued_before_it_exits(tmp_path):
    """The worker's writer waits for the file while the worker ends (``pool.close()``): its
    exit must wait (boundedly) and write, as ``atexit`` does elsewhere (before: only ledgers
    that existed before the fork got the exit hook; 0 of 8 written)."""
    path = tmp_path / "w.sqlite"
    SQLiteLedger(path).close()
    pool = mp.get_context("fork").Pool(2, initializer=_build_ledger, initargs=(str(path),))
    try:
        assert sorted(pool.map(abs, range(4))) == [0, 1, 2, 3]  # the workers are up
        locker = _hold_the_file(path, 0.8)
        assert sorted(pool.map(_record_on_a_loop, range(8))) == list(range(8))
    finally:
        pool.close()
        pool.join()
    locker.join(10)
    again = SQLiteLedger(path)
    assert sorted(r.call_id for r in again.records()) == sorted(f"c{i}" for i in range(8))
    again.close()


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="needs the fork start method")
def test_a_pool_worker_writes_a_loop_s_items_before_its_task_returns(tmp_path):
    """``with Pool() as pool: pool.map(...)`` ends its workers with SIGTERM (``terminate()``):
    no exit hook runs, so a daemonic worker writes at once from its loops too, as a plain
    thread does (before: what the loops queued while the file was locked was lost, 0 of 8)."""
    path = tmp_path / "t.sqlite"
    SQLiteLedger(path).close()
    with mp.get_context("fork").Pool(2, initializer=_build_ledger, initargs=(str(path),)) as pool:
        assert sorted(pool.map(abs, range(4))) == [0, 1, 2, 3]  # the workers are up
        locker = _hold_the_file(path, 0.5)  # shorter than busy_timeout_s: a write waits for it
        assert sorted(pool.map(_record_on_a_loop, range(8))) == list(range(8))
    locker.join(10)
    again = SQLiteLedger(path)
    assert sorted(r.call_id for r in again.records()) == sorted(f"c{i}" for i in range(8))
    again.close()


# -- Ctrl-C in a write transaction -------------------------------------------------------------


class _CtrlCAfter:
    """The write connection, with a KeyboardInterrupt raised once, right after a statement
    starting with ``sql`` returned (where a Ctrl-C during that statement is raised)."""

    def __init__(self, conn: sqlite3.Connection, sql: str) -> None:
        self._conn, self._sql, self.fired = conn, sql, False

    def execute(self, sql: str, *args: Any) -> Any:
        cur = self._conn.execute(sql, *args)
        if not self.fired and sql.lstrip().upper().startswith(self._sql):
            self.fired = True
            raise KeyboardInterrupt
        return cur

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _interrupt_after(ledger: SQLiteLedger, sql: str) -> tuple[sqlite3.Connection, _CtrlCAfter]:
    ledger.record(_rec("first"))  # opens the write connection
    real = ledger._wconn
    assert real is not None
    ledger._wconn = _CtrlCAfter(real, sql)  # type: ignore[assignment]
    return real, ledger._wconn  # type: ignore[return-value]


def test_ctrl_c_right_after_commit_does_not_write_the_batch_twice(tmp_path):
    path = tmp_path / "k.sqlite"
    ledger = SQLiteLedger(path)
    _, conn = _interrupt_after(ledger, "COMMIT")
    with pytest.raises(KeyboardInterrupt):
        ledger.record(_rec("once"))
    assert conn.fired
    assert ledger.pending == 0  # committed: not queued again
    ledger.flush()
    ledger.close()
    assert _rows(path, "SELECT COUNT(*) FROM calls WHERE call_id = 'once'") == 1


def test_ctrl_c_right_after_begin_leaves_no_transaction_open(tmp_path):
    path = tmp_path / "b.sqlite"
    ledger = SQLiteLedger(path)
    real, conn = _interrupt_after(ledger, "BEGIN")
    with pytest.raises(KeyboardInterrupt):
        ledger.record(_rec("later"))
    assert conn.fired
    assert not real.in_transaction  # else the file stays write-locked for every other process
    assert ledger.pending == 1  # not written: still queued
    ledger.flush()
    ledger.close()
    assert _rows(path, "SELECT COUNT(*) FROM calls WHERE call_id = 'later'") == 1


def test_ctrl_c_right_after_a_reservation_s_begin_leaves_no_transaction_open(tmp_path):
    ledger = SQLiteLedger(tmp_path / "h.sqlite")
    real, conn = _interrupt_after(ledger, "BEGIN")
    with pytest.raises(KeyboardInterrupt):
        ledger.reserve("r", 0.01, _LIMITS, 60)
    assert conn.fired
    assert not real.in_transaction
    assert ledger.reserve("r", 0.01, _LIMITS, 60) is None
    ledger.close()
