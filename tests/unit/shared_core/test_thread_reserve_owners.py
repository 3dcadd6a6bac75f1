"""The threads a ledger's async methods run in (:mod:`shared_core.ledger.thread_reserve`),
without a database: each ledger's own, daemon (interpreter exit does not join one stuck on a
frozen server), and closing one ledger waits for its own work only."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import textwrap
import threading
import time
import weakref

from shared_core.ledger.thread_reserve import finish_reserving, in_thread


class Slow:
    """A ledger stand-in whose ``spend`` blocks until released."""

    def __init__(self) -> None:
        self.go = threading.Event()

    def spend(self) -> float:
        self.go.wait(30)
        return 1.0


def test_finishing_one_owner_does_not_wait_for_another() -> None:
    a, b = Slow(), Slow()
    b.go.set()

    async def both() -> None:
        stuck = asyncio.ensure_future(in_thread(a.spend))
        assert await in_thread(b.spend) == 1.0
        t0 = time.monotonic()
        finish_reserving(b, time.monotonic() + 5)  # b's own work is done
        assert time.monotonic() - t0 < 0.5
        t0 = time.monotonic()
        finish_reserving(a, time.monotonic() + 0.3)  # a's is not: waits to the deadline
        assert 0.25 < time.monotonic() - t0 < 2
        a.go.set()
        assert await stuck == 1.0

    asyncio.run(both())


def test_the_workers_are_daemon_threads_and_keep_no_ledger_alive() -> None:
    s = Slow()
    s.go.set()
    assert asyncio.run(in_thread(s.spend)) == 1.0
    workers = [t for t in threading.enumerate() if t.name.startswith("tier-router-reserve")]
    assert workers and all(t.daemon for t in workers)
    ref = weakref.ref(s)
    del s
    gc.collect()
    assert ref() is None


def test_a_program_ends_while_a_worker_waits_forever() -> None:
    code = textwrap.dedent("""
        import asyncio, threading
        from shared_core.ledger.thread_reserve import in_thread

        class Frozen:
            def spend(self):
                threading.Event().wait()  # a query on a frozen server

        async def main():
            try:
                await asyncio.wait_for(in_thread(Frozen().spend), 0.2)
            except TimeoutError:
                pass

        asyncio.run(main())
        print("returned", flush=True)
    """)
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert out.stdout.strip() == "returned" and out.returncode == 0, out.stderr
    assert time.monotonic() - t0 < 15
