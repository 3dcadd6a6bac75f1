"""A SQLite ledger in a child forked while its parent used it (gunicorn ``--preload``,
``multiprocessing`` with fork): the child's budgeted calls get their holds."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from shared_core.ledger import SQLiteLedger
from shared_core.ledger.limits import LimitCheck

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
