"""A worker forked by ``multiprocessing`` writes every record before it ends.

``multiprocessing`` children (fork start method, ``Pool`` workers) end with ``os._exit()``,
which skips ``atexit``; a ``PostgresLedger`` closed itself only from an ``atexit`` hook and its
writer is a daemon thread, so what was still queued when the worker returned vanished,
neither written nor spilled (probe: 8 workers x 50 calls answered, 389-392 rows, $0.40-0.45
left reserved until the 600 s TTL). The ledger now also closes from ``multiprocessing``'s
own exit hook in the child, whether it was opened there or before the fork.
"""

from __future__ import annotations

import multiprocessing as mp
import random
from pathlib import Path
from typing import Any

import pytest

from shared_core.dispatch import execute
from shared_core.ledger import open_ledger

from ...ledger_workers import budget_router, priced_call

pytestmark = [
    pytest.mark.usefixtures("pg_server"),
    pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="needs os.fork (POSIX)"),
]

WORKERS, CALLS = 6, 40


def _calls(router: Any, worker: int) -> None:
    call = priced_call(random.Random(worker), pause_s=0.0)
    for i in range(CALLS):
        text = f"worker {worker} question {i}"
        execute(router.plan(router.decide(text), router.request(text)), call)
    # returns with the last records and releases still queued; no close()


def _built_in_worker(url: str, worker: int) -> None:
    _calls(budget_router(url, limit_usd=1000.0), worker)


@pytest.mark.parametrize("built", ["in the worker", "before the fork"])
def test_a_forked_worker_that_returns_writes_every_record_and_release(
    built: str, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # any spill file lands here
    ctx = mp.get_context("fork")
    if built == "in the worker":
        procs = [ctx.Process(target=_built_in_worker, args=(pg_url, w)) for w in range(WORKERS)]
    else:
        parent = budget_router(pg_url, limit_usd=1000.0)
        parent.ledger  # noqa: B018 - opened before the fork
        procs = [ctx.Process(target=_calls, args=(parent, w)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0

    led = open_ledger(pg_url)
    recs = led.records()
    assert led.pending == 0
    assert len(recs) == len({r.call_id for r in recs}) == WORKERS * CALLS
    assert led.spend("global", 0.0) == pytest.approx(sum(r.cost_usd or 0.0 for r in recs))
    assert led.reserved("global") == 0.0  # every hold released, none left for the TTL
    led.close()
    assert list((tmp_path / "tier-router").glob("*")) == []  # written, not spilled
    if built == "before the fork":
        parent.ledger.close()
