"""A program routing async calls through a PostgreSQL ledger ends when its ``main`` ends,
whatever the database is doing then.

CI once hung for 15+ minutes after ``asyncio.run(main())`` had returned from ``main``: the
ledger's per-loop ``psycopg_pool.AsyncConnectionPool`` was still making a connection when
``asyncio.run`` cancelled the tasks left, and the pool's worker task catches that
``CancelledError`` ("error connecting in 'tier-router-ledger-async': " with an empty message),
schedules another attempt and waits on its queue again, so ``asyncio.run`` waited for it
forever. Here the server stops answering (a proxy in front of it stalls) after the ledger
opened and before the call: the reservation gives up after the pool's timeout, the call is
answered, the record is queued, and ``asyncio.run`` returns; the worker is a subprocess with
a deadline, so a hang fails the test instead of hanging CI.
"""

from __future__ import annotations

import multiprocessing as mp
import queue

import pytest

from ...ledger_workers import async_call_then_exit
from ...stall_proxy import StallProxy

CALL_S = 2.0  # the provider answers 2 s after the reservation gave up: on the old code the
# pool was then in its second connection attempt (3 s each, 1 s apart), which the end of
# asyncio.run cancelled


@pytest.mark.timeout(120)
@pytest.mark.parametrize("cut", [False, True], ids=["new-connections-stall", "all-connections-cut"])
def test_asyncio_run_returns_when_the_database_stops_answering(pg_url: str, cut: bool) -> None:
    proxy = StallProxy(pg_url)
    ctx = mp.get_context("spawn")
    opened, stalled, out = ctx.Event(), ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=async_call_then_exit, args=(proxy.url, CALL_S, opened, stalled, out))
    proc.start()
    try:
        assert opened.wait(60)
        proxy.stall(cut=cut)
        stalled.set()
        try:
            what, took, after_answer, pending = out.get(timeout=45)
        except queue.Empty:
            pytest.fail("asyncio.run(main()) did not return within 45 s of the call (hung at exit)")
        # the pool's 3 s wait (or less: a cut connection fails at once), the 2 s call, slack
        assert what == "returned" and took < 20, took
        assert after_answer < 2.0, after_answer  # nothing waits on the database after the call
        assert pending >= 1  # the call's record, queued (then spilled by close), not lost
        assert out.get(timeout=30) == "closed"
        proc.join(15)
        assert proc.exitcode == 0
    finally:
        if proc.is_alive():
            proc.kill()
            proc.join(5)
        proxy.close()
