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


def _rec(call_id: str, cost: float = 0.01) -> CallRecord:
    return CallRecord(call_id=call_id, tier="t", model="m", cost_usd=cost)


def _rows(path: Path | str, sql: str) -> int:
    conn = sqlite3.connect(str(path), timeout=10)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def _wait_for(check: Any, timeout_s: float = 5.0) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.02)
    return bool(check())


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
    if read == "count":  # (count() has always added the queued feedback too)
        assert seen == 2
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
        ledger.record(_rec(f"r{i}", 0.001))  # the call ends on the loop: both queued
        ledger.release(f"r{i}")
        writers.append(ledger._writer)
        del ledger
        gc.collect()
    assert await asyncio.to_thread(_wait_for, lambda: _rows(path, "SELECT COUNT(*) FROM reservations") == 0)
    # and the ledgers went, with their writer threads, once written
    assert await asyncio.to_thread(_wait_for, lambda: not any(w.is_alive() for w in writers))
    again = SQLiteLedger(path)
    assert sorted(r.call_id for r in again.records()) == [f"r{i}" for i in range(5)]
    assert again.reserve("next", 0.9, _LIMITS, 600) is None  # $0.005 spent, nothing held
    again.close()
