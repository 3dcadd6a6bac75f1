"""A SQLite ledger in a child forked while its parent used it (gunicorn ``--preload``,
``multiprocessing`` with fork): the child's budgeted calls get their holds."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared_core.ledger import CallRecord, SQLiteLedger, sqlite_writer
from shared_core.ledger.limits import LimitCheck
from shared_core.ledger.sqlite_batch import insert_batch

from ...forked import run_forked
from ...sqlite_files import rows

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")

LIMITS = [LimitCheck("global", 0.0, 100.0)]


@pytest.mark.timeout(30)
def test_a_child_forked_after_async_reservations_gets_its_own(tmp_path):
    path = tmp_path / "fork.db"
    ledger = SQLiteLedger(path)

    async def parent() -> None:  # several reservation threads, idle when the parent forks
        held = await asyncio.gather(*(ledger.areserve(f"p{i}", 0.01, LIMITS, 60) for i in range(4)))
        assert held == [None] * 4

    asyncio.run(parent())
    time.sleep(0.2)

    def child() -> str:
        async def one() -> object:
            return await asyncio.wait_for(ledger.areserve("child", 0.01, LIMITS, 60), 3)

        try:
            return repr(asyncio.run(one()))
        except asyncio.TimeoutError:
            return "areserve never returned"

    assert run_forked(child, timeout_s=10) == "None"
    assert rows(path, "SELECT COUNT(*) FROM reservations WHERE id = 'child'") == 1
    ledger.close()


def _child_writes_and_reserves(ledger: SQLiteLedger) -> str:
    ledger.record(CallRecord(call_id=f"child-{os.getpid()}", tier="t", model="m", cost_usd=0.01))
    left = ledger.flush()
    try:
        held = "reserved" if ledger.reserve("child-hold", 0.01, [LimitCheck("global", 0.0, 1e9)], 60) is None else "refused"
    except Exception as exc:
        held = type(exc).__name__
    return f"{left} {held}"


@pytest.mark.timeout(60)
def test_a_child_forked_while_the_writer_commits_can_write(tmp_path, monkeypatch):
    path = tmp_path / "fork.db"
    ledger = SQLiteLedger(path, busy_timeout_s=1.0, retry_after_s=0.2)
    inside = threading.Event()

    def slow_batch(*args: object) -> object:  # the writer, inside its transaction, for 0.3 s
        inside.set()
        time.sleep(0.3)
        return insert_batch(*args)

    monkeypatch.setattr(sqlite_writer, "insert_batch", slow_batch)

    async def calls() -> None:
        for i in range(50):
            ledger.record(CallRecord(call_id=f"p{i}", tier="t", model="m", cost_usd=0.01, tags=("a",)))

    with ledger._writing:  # busy: the loop leaves the records to the writer thread
        asyncio.run(calls())
    assert inside.wait(5)
    assert ledger._wconn is not None and ledger._wconn.in_transaction
    # the fork comes while the parent's writer is inside its transaction
    assert run_forked(lambda: _child_writes_and_reserves(ledger), timeout_s=15) == "0 reserved"
    assert ledger.flush() == 0
    assert rows(path, "SELECT COUNT(*) FROM calls WHERE call_id LIKE 'child-%'") == 1
    assert rows(path, "SELECT COUNT(*) FROM calls") == 51
    ledger.close()


@pytest.mark.timeout(60)
def test_a_child_ending_with_os_exit_keeps_what_its_loop_recorded_while_the_file_was_free(tmp_path):
    path = tmp_path / "exit.db"
    ledger = SQLiteLedger(path)

    def child(k: int) -> str:
        async def calls() -> None:
            for i in range(10):
                ledger.record(CallRecord(call_id=f"c{k}-{i}", tier="t", model="m", cost_usd=0.01))
                ledger.release(f"h{k}-{i}")

        asyncio.run(calls())
        return "returned"  # and the child ends with os._exit(): no exit hook runs

    for k in range(5):
        assert run_forked(lambda k=k: child(k), timeout_s=10) == "returned"  # type: ignore[misc]
    assert rows(path, "SELECT COUNT(*) FROM calls") == 50
    ledger.close()


def _target_leaving_a_loop_thread(path: str) -> None:
    """A multiprocessing child whose target returns while a non-daemon thread's loop still
    records (a server's worker thread): the file is busy when it records."""
    ledger = SQLiteLedger(path)

    def serve() -> None:
        async def calls() -> None:
            await asyncio.sleep(0.2)  # after the target returned
            with ledger._writing:  # a write under way: the records are queued for the writer
                for i in range(10):
                    ledger.record(CallRecord(call_id=f"t{i}", tier="t", model="m", cost_usd=0.01))

        asyncio.run(calls())

    threading.Thread(target=serve).start()


@pytest.mark.timeout(60)
def test_a_multiprocessing_child_writes_what_its_non_daemon_threads_record_after_its_target(tmp_path):
    path = tmp_path / "mp.db"
    SQLiteLedger(path).close()
    proc = mp.get_context("fork").Process(target=_target_leaving_a_loop_thread, args=(str(path),))
    proc.start()
    proc.join(20)
    if proc.is_alive():
        proc.kill()
    assert proc.exitcode == 0
    assert rows(path, "SELECT COUNT(*) FROM calls") == 10


def _target_leaving_an_executor_worker(path: str) -> None:
    """As :func:`_target_leaving_a_loop_thread`, but the loop runs on a ``ThreadPoolExecutor``'s
    worker (a fire-and-forget ``submit``), which the exit hook had stopped waiting for."""
    ledger = SQLiteLedger(path)

    def serve() -> None:
        async def calls() -> None:
            await asyncio.sleep(0.2)  # after the target returned
            with ledger._writing:  # a write under way: the records are queued for the writer
                for i in range(10):
                    ledger.record(CallRecord(call_id=f"e{i}", tier="t", model="m", cost_usd=0.01))

        asyncio.run(calls())

    ThreadPoolExecutor(1).submit(serve)


@pytest.mark.timeout(60)
def test_a_multiprocessing_child_writes_what_its_executor_workers_record_after_its_target(tmp_path):
    path = tmp_path / "mp.db"
    SQLiteLedger(path).close()
    proc = mp.get_context("fork").Process(target=_target_leaving_an_executor_worker, args=(str(path),))
    proc.start()
    proc.join(20)
    if proc.is_alive():
        proc.kill()
    assert proc.exitcode == 0
    assert rows(path, "SELECT COUNT(*) FROM calls") == 10



_KEPT: list[SQLiteLedger] = []


def _async_reservation_then_return(path: str, close: bool, out: object) -> None:
    ledger = SQLiteLedger(path)
    _KEPT.append(ledger)  # alive at exit, as a router built at import time keeps it
    assert asyncio.run(ledger.areserve("r1", 0.01, LIMITS, 60.0)) is None  # on the reserving pool
    ledger.release("r1")
    if close:
        ledger.close()
    out.put(time.monotonic())  # type: ignore[attr-defined]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.parametrize("close", [True, False])
def test_a_multiprocessing_child_that_reserved_on_a_loop_ends_at_once(tmp_path, method, close):
    """A worker whose event loop reserved against a SQLite file ended 5 s (``spill.EXIT_WAIT_S``)
    after its target returned: the exit hook joined the idle threads of the pool async
    reservations run on, which only end in the interpreter's own shutdown, after the hook.
    Every ``multiprocessing`` worker of an async app with a hard budget paid it at exit."""
    path = tmp_path / "exit.db"
    SQLiteLedger(path).close()
    ctx = mp.get_context(method)
    out = ctx.Queue()
    proc = ctx.Process(target=_async_reservation_then_return, args=(str(path), close, out))
    proc.start()
    returned = out.get(timeout=40)
    proc.join(20)
    ended = time.monotonic()
    assert proc.exitcode == 0
    assert ended - returned < 2.0, f"the child took {ended - returned:.1f} s to end after its target"
    assert rows(path, "SELECT COUNT(*) FROM reservations") == 0  # the release was written


_POOLS: list[ThreadPoolExecutor] = []


def _target_leaving_an_idle_executor(path: str, out: object) -> None:
    ledger = SQLiteLedger(path)
    _KEPT.append(ledger)
    pool = ThreadPoolExecutor(2)  # the caller's own pool, kept, idle and never shut down
    _POOLS.append(pool)  # (a dropped one ends its workers: its weakref callback wakes them)
    ledger.record(pool.submit(CallRecord, call_id="i", tier="t", model="m", cost_usd=0.01).result())
    out.put(time.monotonic())  # type: ignore[attr-defined]


@pytest.mark.timeout(60)
def test_a_multiprocessing_child_leaving_an_idle_executor_ends_at_once(tmp_path):
    """The idle workers of an executor the child never shut down end only in the interpreter's
    shutdown, after the exit hook: waiting for them cost every such worker 5 s at exit."""
    path = tmp_path / "idle.db"
    SQLiteLedger(path).close()
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=_target_leaving_an_idle_executor, args=(str(path), out))
    proc.start()
    returned = out.get(timeout=40)
    proc.join(20)
    ended = time.monotonic()
    assert proc.exitcode == 0
    assert ended - returned < 2.0, f"the child took {ended - returned:.1f} s to end after its target"
    assert rows(path, "SELECT COUNT(*) FROM calls") == 1
