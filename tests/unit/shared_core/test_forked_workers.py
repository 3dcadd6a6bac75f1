"""Workers forked from a process that already built the router (gunicorn ``--preload``, Celery's
prefork pool, ``multiprocessing`` with fork) share one ledger correctly.

The model is often built at import time, before the server forks its workers. Every forked
worker then inherited the same call-id prefix and counter, so the workers' calls got the same
ids: on PostgreSQL (rows keyed by ``(call_id, attempt)``) the second worker's records were
dropped as duplicates and its spend never counted, and reservations of different calls merged
under one id. A forked ``PostgresLedger`` had no writer thread (threads do not survive a fork)
and shared its parent's sockets: nothing the worker recorded was written. A forked
``SQLiteLedger`` used its parent's connection, which SQLite forbids.
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path
from typing import Any

import pytest

from shared_core.dispatch import execute
from shared_core.ledger import open_ledger
from shared_core.testing import ScriptedModel

from ...ledger_workers import budget_router

pytestmark = pytest.mark.skipif(
    "fork" not in mp.get_all_start_methods(), reason="needs os.fork (POSIX)"
)

WORKERS, CALLS = 3, 15


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "forked.db")
    return str(request.getfixturevalue("pg_url"))


def _calls(router: Any, worker: int, out: Any) -> None:
    for i in range(CALLS):
        text = f"worker {worker} question {i}"
        execute(router.plan(router.decide(text), router.request(text)), ScriptedModel())
    out.put((worker, router.ledger.flush()))


def test_workers_forked_after_the_router_was_built_record_every_call_once(target: str) -> None:
    router = budget_router(target, limit_usd=1000.0)  # built before the fork, and used
    execute(router.plan(router.decide("warm up"), router.request("warm up")), ScriptedModel())
    router.ledger.flush()
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_calls, args=(router, w, out)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    left = sorted(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0

    assert left == [(w, 0) for w in range(WORKERS)]  # every worker's records were written
    led = open_ledger(target)
    recs = led.records()
    assert len({r.call_id for r in recs}) == len(recs) == 1 + WORKERS * CALLS
    assert led.spend("global", 0.0) == pytest.approx(sum(r.cost_usd or 0.0 for r in recs))
    assert led.reserved("global") == 0.0
    led.close()
    # the parent's own ledger still works after its children came and went
    execute(router.plan(router.decide("after"), router.request("after")), ScriptedModel())
    assert router.ledger.flush() == 0
    assert len(router.ledger.records()) == 2 + WORKERS * CALLS
    router.ledger.close()
