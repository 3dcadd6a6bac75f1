"""A PostgreSQL server that freezes (SIGSTOP: connections stay open, nothing is answered) while
a ledger's async work waits on it.

* The program still exits. The async methods run the sync ones in worker threads; those
  were a ``ThreadPoolExecutor``'s, which interpreter exit joins before ``atexit`` runs, and a
  query on a frozen server never returns: the process never ended. They are daemon threads
  now; the ledger's own ``close`` (at exit) waits for them until its deadline.
* Closing one ledger does not wait for another's work (the pool was module-wide: closing B
  took 2.01 s waiting on A's reservation).
* Each connection has a ``statement_timeout`` above its ``lock_timeout``; creating the schema
  lifts both for its own transaction (workers queue there while one creates the tables).

The freeze is a :class:`~tests.stall_proxy.StallProxy` that stops forwarding.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import queue
import threading
import time
from typing import Any

import pytest

from shared_core.ledger import pg_process
from shared_core.ledger.base import LimitCheck

from ...stall_proxy import StallProxy

LIMITS = [LimitCheck(scope="global", since=0.0, limit_usd=1.0)]


async def _stuck_reserve(ledger: Any, rid: str) -> None:
    """An async reservation whose caller gives up after 0.3 s (its thread waits on)."""
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ledger.areserve(rid, 0.01, LIMITS, 60.0), 0.3)


def reserve_on_frozen_then_exit(url: str, opened: Any, frozen: Any, out: Any) -> None:
    """A program whose ``asyncio.run(main())`` gives up on a reservation the frozen server
    never answers, then ends (its ledger closed at exit, as a program that never calls
    ``close`` has it)."""
    from shared_core.ledger.postgres import PostgresLedger

    ledger = PostgresLedger(url, lock_timeout_s=1.0)
    opened.set()
    frozen.wait(30)

    async def main() -> None:
        try:
            await asyncio.wait_for(ledger.areserve("r-exit", 0.01, LIMITS, 60.0), 0.3)
        except TimeoutError:
            pass

    asyncio.run(main())
    out.put("returned")


@pytest.mark.timeout(120)
def test_the_program_exits_while_a_reservation_waits_on_a_frozen_server(pg_url: str) -> None:
    proxy = StallProxy(pg_url)
    ctx = mp.get_context("spawn")
    opened, frozen, out = ctx.Event(), ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=reserve_on_frozen_then_exit, args=(proxy.url, opened, frozen, out))
    proc.start()
    try:
        assert opened.wait(60)
        proxy.freeze()
        frozen.set()
        t0 = time.monotonic()
        try:
            assert out.get(timeout=30) == "returned"
        except queue.Empty:
            pytest.fail("asyncio.run(main()) did not return")
        proc.join(40)  # the ledger's close at exit: its 10 s wait for the reservation, then out
        took = time.monotonic() - t0
        assert not proc.is_alive(), f"the process did not exit {took:.0f} s after main returned"
        assert proc.exitcode == 0 and took < 35, (proc.exitcode, took)
    finally:
        if proc.is_alive():
            proc.kill()
            proc.join(5)
        proxy.close()


@pytest.mark.timeout(60)
def test_closing_one_ledger_does_not_wait_for_anothers_reservation(pg_url: str) -> None:
    from shared_core.ledger.postgres import PostgresLedger

    proxy = StallProxy(pg_url)
    a = PostgresLedger(proxy.url)
    b = PostgresLedger(pg_url)
    try:
        proxy.freeze()
        t = threading.Thread(target=asyncio.run, args=(_stuck_reserve(a, "r-a"),))
        t.start()
        t.join(10)
        asyncio.run(b.aspend("global", 0.0))  # B's own async work: done, nothing left
        t0 = time.monotonic()
        b.close(timeout_s=5.0)
        took = time.monotonic() - t0
        assert took < 1.0, f"closing B waited {took:.2f} s on A's reservation"
    finally:
        proxy.close()  # A's statement fails now: its thread ends
        a.close(timeout_s=5.0)
        b.close()


def test_statements_have_a_timeout_above_the_lock_timeout(pg_url: str) -> None:
    from shared_core.ledger.postgres import PostgresLedger

    ledger = PostgresLedger(pg_url, lock_timeout_s=2.0)
    try:
        with ledger._pool.connection() as conn:
            lock, stmt = (conn.execute(f"SHOW {s}").fetchone()[0] for s in ("lock_timeout", "statement_timeout"))
        assert lock == "2s"
        assert stmt == f"{2 + int(pg_process.STATEMENT_SLACK_S)}s"
    finally:
        ledger.close()


def test_a_url_keeps_its_own_keepalive_settings() -> None:
    import psycopg

    kw = pg_process.connection_kwargs(
        "postgresql://u@h/db?keepalives_idle=5", psycopg.conninfo.conninfo_to_dict, 3.0
    )
    assert "keepalives_idle" not in kw  # the URL's own 5 applies
    assert kw["tcp_user_timeout"] == 60_000 and kw["keepalives"] == 1 and kw["connect_timeout"] == 3


@pytest.mark.timeout(60)
def test_creating_the_schema_waits_past_the_statement_timeout(pg_url: str, monkeypatch: Any) -> None:
    """A worker that opens the ledger while another holds the schema lock waits for it, however
    long: ``statement_timeout`` (here 0.3 + 0.2 s) does not cut the wait."""
    import psycopg

    from shared_core.ledger import pg_sql
    from shared_core.ledger.postgres import PostgresLedger

    monkeypatch.setattr(pg_process, "STATEMENT_SLACK_S", 0.2)
    with psycopg.connect(pg_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (pg_sql.SCHEMA_LOCK,))
        threading.Timer(1.5, holder.execute, args=("SELECT pg_advisory_unlock_all()",)).start()
        t0 = time.monotonic()
        ledger = PostgresLedger(pg_url, lock_timeout_s=0.3)
        took = time.monotonic() - t0
        try:
            assert took >= 1.4, took  # it waited for the lock, then created the tables
            with ledger._pool.connection() as conn:
                assert conn.execute("SHOW statement_timeout").fetchone()[0] == "500ms"
        finally:
            ledger.close()
