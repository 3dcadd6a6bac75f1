"""A SQLite ledger written from an event loop never stalls that loop on the file's lock.

Before: ``record`` / ``release`` / ``record_feedback`` wrote at once, under the ledger's lock,
from whatever thread called them. An async call (``ainvoke``, ``astream``, LlamaIndex
``achat``) records on the event loop when it ends, so while another process held the file's
write lock the loop waited up to ``busy_timeout_s`` (2 s) and every other coroutine on it
stalled. Now a write requested from a thread running an event loop is queued and a background
writer thread writes it; reads, ``flush()``, ``close()``, exit and fork still see every item
exactly once.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from shared_core.ledger import CallRecord, SQLiteLedger

from ...ledger_workers import budget_config
from ...sqlite_files import rows as _rows
from ...sqlite_files import wait_for as _wait_for

ROOT = Path(__file__).resolve().parents[3]
GAP_S = 1.0
"""Longest pause a heartbeat on the loop may see while the file is locked: the old stall was
``busy_timeout_s`` (2.0 s); the margin is for a loaded machine (the loop ticks in ~0.01 s)."""


class _Locker:
    """Another connection holding ``BEGIN EXCLUSIVE`` on the ledger file (in WAL mode: no other
    writer, readers still read), from a thread, until :meth:`release` or ``hold_s``."""

    def __init__(self, path: Path | str, hold_s: float = 3.0) -> None:
        self.path, self.hold_s = str(path), hold_s
        self.locked, self.done = threading.Event(), threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        try:
            conn.execute("BEGIN EXCLUSIVE")
            self.locked.set()
            self._stop.wait(self.hold_s)
            conn.execute("ROLLBACK")
        finally:
            conn.close()
            self.done.set()

    def start(self) -> _Locker:
        self._thread.start()
        assert self.locked.wait(10)
        return self

    def release(self) -> None:
        self._stop.set()
        self._thread.join(10)


LOCKER = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
    conn.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("ROLLBACK")
    """
)


def _lock_in_another_process(path: Path | str, hold_s: float) -> subprocess.Popen[str]:
    """Another process holding the file's write lock for ``hold_s`` (a lock held by a thread of
    this process would be inherited by a forked child, as SQLite's bookkeeping of its locks)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path), str(hold_s)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


class _Heartbeat:
    """Ticks every 10 ms on the loop; the longest gap between two ticks."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            self.worst = max(self.worst, now - last)
            last = now

    def __enter__(self) -> _Heartbeat:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


def _rec(call_id: str, cost: float = 0.01) -> CallRecord:
    return CallRecord(call_id=call_id, tier="t", model="m", cost_usd=cost)


# -- the routed async call -------------------------------------------------------------------


def _slow_chat_model(started: threading.Event, go_on: threading.Event) -> Any:
    """A chat model whose answer waits (off the loop) until ``go_on``: the test locks the file
    after the call's reservation, while the provider 'answers'."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    class Slow(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "slow-fake"

        def _answer(self) -> ChatResult:
            msg = AIMessage("hi", usage_metadata={"input_tokens": 10, "output_tokens": 20, "total_tokens": 30})
            return ChatResult(generations=[ChatGeneration(message=msg)])

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> ChatResult:
            return self._answer()

        async def _agenerate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> ChatResult:
            started.set()
            await asyncio.to_thread(go_on.wait, 10)
            return self._answer()

    return Slow()


async def test_ainvoke_ending_while_another_process_holds_the_file_does_not_stall_the_loop(tmp_path):
    from langchain_router import RoutedChatModel

    path = tmp_path / "costs.sqlite"
    ledger = SQLiteLedger(path, busy_timeout_s=2.0, retry_after_s=0.5)
    started, go_on = threading.Event(), threading.Event()
    cfg = budget_config(limit_usd=10.0)
    cfg["classifier"] = {"type": "rules"}
    llm = RoutedChatModel(tiers={"t": _slow_chat_model(started, go_on)}, config=cfg, ledger=ledger)
    go_on.set()  # a first call, not timed: imports and first-run work off the heartbeat's watch
    assert (await llm.ainvoke("warm up")).content == "hi"
    assert await asyncio.to_thread(ledger.flush) == 0
    started.clear()
    go_on.clear()
    locker = _Locker(path, hold_s=3.0)
    with _Heartbeat() as beat:
        call = asyncio.ensure_future(llm.ainvoke("hello"))
        await asyncio.to_thread(started.wait, 10)  # reserved; the provider is answering
        assert _rows(path, "SELECT COUNT(*) FROM reservations") == 1
        await asyncio.to_thread(locker.start)
        go_on.set()
        answer = await call  # ends (records, releases its hold) while the file is locked
        assert answer.content == "hi"
        assert ledger.pending >= 1  # queued, and counted meanwhile
        assert {r.call_id for r in ledger.records()} and ledger.spend("global", 0) > 0
        await asyncio.sleep(0.5)  # the loop keeps running while the writer waits on the file
    assert beat.worst < GAP_S, f"the event loop stalled {beat.worst:.2f}s"
    await asyncio.to_thread(locker.done.wait, 10)
    # written by the background writer once the lock is gone, without a flush(): the records
    # and the release of the hold (in the same transaction)
    assert await asyncio.to_thread(
        _wait_for, lambda: _rows(path, "SELECT COUNT(*) FROM calls") == 2  # (the warm-up's too)
    )
    assert _rows(path, "SELECT COUNT(*) FROM reservations") == 0
    assert ledger.pending == 0
    ledger.close()
    recs = SQLiteLedger(path).records()
    assert len(recs) == 2
    assert all(rec.status == "ok" and rec.cost_usd and rec.cost_usd > 0 for rec in recs)


async def test_llamaindex_achat_while_the_file_is_locked_does_not_stall_the_loop(tmp_path):
    from llama_index.core.base.llms.types import ChatMessage

    from llamaindex_router import RoutedLLM

    from ..llamaindex_router.support import ScriptedLLM, classifier, make_config

    path = tmp_path / "costs.sqlite"
    ledger = SQLiteLedger(path, busy_timeout_s=2.0, retry_after_s=0.5)
    llm = RoutedLLM({"cheap": ScriptedLLM(name="c"), "strong": ScriptedLLM(name="s")},
                    make_config(), classifier=classifier(), ledger=ledger)
    # a first call, not timed: imports and first-run work off the heartbeat's watch (a fresh
    # clone's first run once saw a 0.3 s gap from them)
    assert (await llm.achat([ChatMessage(role="user", content="warm up")])).message.content
    assert await asyncio.to_thread(ledger.flush) == 0
    locker = _Locker(path, hold_s=2.5)
    await asyncio.to_thread(locker.start)
    with _Heartbeat() as beat:
        await asyncio.sleep(0.05)  # the heartbeat is ticking
        for i in range(3):
            out = await llm.achat([ChatMessage(role="user", content=f"hello {i}")])
            assert out.message.content
        await asyncio.sleep(0.3)
    assert beat.worst < GAP_S, f"the event loop stalled {beat.worst:.2f}s"
    await asyncio.to_thread(locker.release)
    assert await asyncio.to_thread(ledger.flush) == 0
    assert _rows(path, "SELECT COUNT(*) FROM calls") == 1 + 3
    ledger.close()


# -- the queue: reads, flush(), back-off -----------------------------------------------------


async def test_queued_items_are_read_and_flush_waits_for_them(tmp_path):
    path = tmp_path / "q.sqlite"
    ledger = SQLiteLedger(path, busy_timeout_s=2.0, retry_after_s=0.2)
    ledger.record(_rec("before", 1.0))
    assert await asyncio.to_thread(ledger.flush) == 0
    locker = await asyncio.to_thread(_Locker(path, hold_s=10).start)
    t0 = time.perf_counter()
    for i in range(20):
        ledger.record(_rec(f"c{i}"))
    ledger.record_feedback("c0", 1.0)
    assert time.perf_counter() - t0 < 0.1  # nothing waited on the lock
    assert ledger.pending == 21
    assert ledger.count() == 20 + 1  # the call records: 'before' and the 20 queued
    assert len(ledger.records()) == 21
    assert ledger.spend("global", 0) == pytest.approx(1.0 + 20 * 0.01)
    assert [f.call_id for f in ledger.feedback()] == ["c0"]
    assert ledger.knows_call("c7")
    await asyncio.sleep(2.5)  # the writer failed once (busy_timeout) and backs off
    assert ledger.pending == 21
    threading.Timer(0.3, locker.release).start()
    left = await asyncio.to_thread(ledger.flush)  # waits for the lock, writes everything
    assert left == 0 and ledger.pending == 0
    assert _rows(path, "SELECT COUNT(*) FROM calls") == 21  # exactly once
    assert _rows(path, "SELECT COUNT(*) FROM feedback") == 1
    assert ledger.spend("global", 0) == pytest.approx(1.0 + 20 * 0.01)
    ledger.close()


async def test_a_writer_that_keeps_failing_backs_off_instead_of_spinning(tmp_path):
    path = tmp_path / "b.sqlite"
    ledger = SQLiteLedger(path, busy_timeout_s=0.2, retry_after_s=0.5)
    locker = await asyncio.to_thread(_Locker(path, hold_s=10).start)
    tries: list[float] = []
    real = ledger._write_pending

    def counted(*a: Any, **k: Any) -> None:
        tries.append(time.monotonic())
        real(*a, **k)

    ledger._write_pending = counted  # type: ignore[method-assign]
    ledger.record(_rec("a"))
    await asyncio.sleep(2.0)
    assert 2 <= len(tries) <= 6  # about one try per retry_after_s, not a busy loop
    ledger.record(_rec("b"))  # a write during the back-off does not try the file again
    await asyncio.sleep(0.05)
    assert len(tries) <= 6
    await asyncio.to_thread(locker.release)
    assert await asyncio.to_thread(_wait_for, lambda: ledger.pending == 0, 5)
    assert _rows(path, "SELECT COUNT(*) FROM calls") == 2
    ledger.close()


def test_plain_threads_still_write_at_once(tmp_path):
    path = tmp_path / "s.sqlite"
    ledger = SQLiteLedger(path)
    ledger.record(_rec("a"))
    assert ledger.pending == 0 and _rows(path, "SELECT COUNT(*) FROM calls") == 1
    assert ledger._writer is None  # no thread until an event loop writes
    ledger.close()


async def test_a_hold_released_from_the_loop_is_never_uncounted(tmp_path):
    """The call's records and the release of its hold: while queued, the hold still counts and
    so does the queued spend (counted twice, never neither); then they commit together."""
    from shared_core.ledger import LimitCheck

    path = tmp_path / "h.sqlite"
    ledger = SQLiteLedger(path, busy_timeout_s=2.0, retry_after_s=0.2)
    day = [LimitCheck(scope="global", since=0.0, limit_usd=10.0)]
    assert ledger.reserve("call-1", 0.5, day, 60) is None
    locker = await asyncio.to_thread(_Locker(path, hold_s=10).start)
    ledger.record(CallRecord(call_id="call-1", tier="t", model="m", cost_usd=0.3))
    ledger.release("call-1")
    assert ledger.reserved("global") == pytest.approx(0.5)  # not released yet
    assert ledger.spend("global", 0) == pytest.approx(0.3)  # the queued record counts
    await asyncio.to_thread(locker.release)
    assert await asyncio.to_thread(ledger.flush) == 0
    assert ledger.reserved("global") == 0.0
    assert ledger.spend("global", 0) == pytest.approx(0.3)
    ledger.close()


# -- exit, close, fork -----------------------------------------------------------------------


CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from shared_core.ledger import CallRecord, SQLiteLedger

    ledger = SQLiteLedger(sys.argv[1], busy_timeout_s=float(sys.argv[2]))
    print("open", flush=True)
    sys.stdin.readline()  # the parent holds the lock now

    async def main():
        for i in range(30):
            ledger.record(CallRecord(call_id=f"c{i}", tier="t", model="m", cost_usd=0.001))
        ledger.record_feedback("c0", 1.0)
        print("pending", ledger.pending, flush=True)

    asyncio.run(main())
    # a normal exit with the items queued for the writer: no flush(), no close()
    """
)


@pytest.mark.parametrize(
    ("lock_s", "busy_s"), [(None, 0.2), (0.5, 2.0)], ids=["locked-past-exit", "freed-during-exit"]
)
def test_items_queued_from_a_loop_outlive_the_process(tmp_path, lock_s, busy_s):
    path = tmp_path / "costs.sqlite"
    SQLiteLedger(path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(busy_s)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == "open"
    locker = _Locker(path, hold_s=lock_s if lock_s is not None else 60).start()
    try:
        child.stdin.write("go\n")
        child.stdin.flush()
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert out.strip() == "pending 31"
    finally:
        locker.release()
    spill = Path(str(path) + ".pending.jsonl")
    if lock_s is None:
        assert spill.exists() and "written the next time this ledger is opened" in err
    else:
        assert not spill.exists(), err  # the exit hook waited for the lock and wrote them
    ledger = SQLiteLedger(path)
    assert sorted(r.call_id for r in ledger.records()) == sorted(f"c{i}" for i in range(30))
    assert [f.call_id for f in ledger.feedback()] == ["c0"]
    assert ledger.pending == 0
    ledger.close()
    assert _rows(path, "SELECT COUNT(*) FROM calls") == 30  # exactly once


async def test_close_writes_or_spills_what_the_loop_queued(tmp_path):
    path = tmp_path / "c.sqlite"
    ledger = SQLiteLedger(path, busy_timeout_s=0.2, retry_after_s=5)
    locker = await asyncio.to_thread(_Locker(path, hold_s=60).start)
    for i in range(5):
        ledger.record(_rec(f"c{i}"))
    await asyncio.to_thread(ledger.close)
    assert ledger.pending == 0
    assert Path(str(path) + ".pending.jsonl").exists()
    await asyncio.to_thread(locker.release)
    again = SQLiteLedger(path)
    assert len(again.records()) == 5 and again.pending == 0
    again.close()


def _forked_child(ledger: SQLiteLedger, out: Any) -> None:
    """In the forked child: none of the parent's queued items, no parent writer; its own
    writes from its own loop are written."""
    state = (ledger.pending, ledger._writer is None)

    async def main() -> None:
        for i in range(3):
            ledger.record(_rec(f"child{i}"))

    asyncio.run(main())
    assert _wait_for(lambda: ledger.flush() == 0)  # once the parent's lock is gone (1.5 s)
    out.put((*state, ledger.pending))


def _forked_child_that_just_ends(ledger: SQLiteLedger) -> None:
    """A multiprocessing child ends with os._exit(): no atexit; what its loop queued is still
    written or spilled (multiprocessing's own exit hook)."""

    async def main() -> None:
        for i in range(3):
            ledger.record(_rec(f"late{i}"))

    asyncio.run(main())


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="needs os.fork (POSIX)")
async def test_a_fork_after_async_writes_leaves_the_parent_s_queue_to_the_parent(tmp_path):
    path = tmp_path / "f.sqlite"
    ledger = SQLiteLedger(path, busy_timeout_s=0.3, retry_after_s=0.2)
    locker = await asyncio.to_thread(_lock_in_another_process, path, 1.5)
    for i in range(4):
        ledger.record(_rec(f"parent{i}"))
    assert ledger.pending == 4 and ledger._writer is not None
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=_forked_child, args=(ledger, out))
    proc.start()
    pending, no_writer, left = await asyncio.to_thread(out.get, True, 60)
    await asyncio.to_thread(proc.join, 60)
    assert proc.exitcode == 0
    assert (pending, no_writer, left) == (0, True, 0)
    await asyncio.to_thread(locker.wait, 30)
    assert await asyncio.to_thread(ledger.flush) == 0
    ids = sorted(r.call_id for r in ledger.records())
    assert ids == sorted([f"parent{i}" for i in range(4)] + [f"child{i}" for i in range(3)])
    assert _rows(path, "SELECT COUNT(*) FROM calls") == 7  # exactly once
    for hold_s in (0.0, 30.0):  # the file free at the child's exit, then locked past it
        locker = await asyncio.to_thread(_lock_in_another_process, path, hold_s)
        proc = ctx.Process(target=_forked_child_that_just_ends, args=(ledger,))
        proc.start()
        await asyncio.to_thread(proc.join, 60)
        assert proc.exitcode == 0
        locker.kill()
        locker.wait(10)
    again = SQLiteLedger(path)  # takes in the spill of the second child
    assert _rows(path, "SELECT COUNT(*) FROM calls") == 7 + 3 + 3
    assert len(again.records()) == 7 + 3 + 3
    again.close()
    ledger.close()
    assert os.getpid()  # (the parent goes on)


async def test_a_dropped_ledger_s_writer_ends_and_its_queue_is_spilled(tmp_path):
    import gc

    path = tmp_path / "d.sqlite"
    ledger = SQLiteLedger(path, busy_timeout_s=0.2, retry_after_s=60)
    locker = await asyncio.to_thread(_Locker(path, hold_s=60).start)
    ledger.record(_rec("dropped"))
    writer = ledger._writer
    assert writer is not None
    del ledger
    gc.collect()
    await asyncio.to_thread(writer.join, 5)
    assert not writer.is_alive()
    await asyncio.to_thread(locker.release)
    again = SQLiteLedger(path)
    assert [r.call_id for r in again.records()] == ["dropped"]
    again.close()


async def test_a_reservation_waiting_for_the_file_holds_up_no_read_on_the_loop(tmp_path):
    """An ``areserve`` waits for the file in a worker thread; it held the ledger's one lock
    meanwhile, so a budget read (``spend``) or a ``record()`` on the loop waited with it."""
    from shared_core.errors import LedgerUnavailableError
    from shared_core.ledger import LimitCheck

    path = tmp_path / "r.sqlite"
    ledger = SQLiteLedger(path, busy_timeout_s=2.0)
    day = [LimitCheck(scope="global", since=0.0, limit_usd=10.0)]
    assert await ledger.areserve("warm", 0.0, day, 60) is None
    locker = await asyncio.to_thread(_Locker(path, hold_s=10).start)
    with _Heartbeat() as beat:
        waiting = asyncio.ensure_future(ledger.areserve("call-1", 0.5, day, 60))
        await asyncio.sleep(0.1)  # the worker thread waits for the file
        for i in range(5):
            assert ledger.spend("global", 0) >= 0.0
            ledger.record(_rec(f"c{i}"))
            await asyncio.sleep(0.1)
    assert beat.worst < GAP_S, f"the event loop stalled {beat.worst:.2f}s"
    with pytest.raises(LedgerUnavailableError):
        await waiting
    await asyncio.to_thread(locker.release)
    assert await asyncio.to_thread(ledger.flush) == 0
    assert len(ledger.records()) == 5
    ledger.close()


RELEASING_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from shared_core.ledger import LimitCheck, SQLiteLedger

    ledger = SQLiteLedger(sys.argv[1], busy_timeout_s=2.0)
    day = [LimitCheck(scope="global", since=0.0, limit_usd=10.0)]
    assert ledger.reserve("call-1", 0.5, day, 3600) is None
    print("held", flush=True)
    sys.stdin.readline()  # the parent holds the lock now

    async def main():
        ledger.release("call-1")  # its records were written before: the release alone

    asyncio.run(main())
    """
)


def test_a_release_queued_alone_is_written_at_exit(tmp_path):
    path = tmp_path / "costs.sqlite"
    SQLiteLedger(path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", RELEASING_CHILD, str(path)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == "held"
    assert _rows(path, "SELECT COUNT(*) FROM reservations") == 1
    locker = _Locker(path, hold_s=0.5).start()
    try:
        child.stdin.write("go\n")
        child.stdin.flush()
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
    finally:
        locker.release()
    assert _rows(path, "SELECT COUNT(*) FROM reservations") == 0  # not left to its 1 h TTL
