"""A session stuck inside a transaction that holds the budget lock does not stall every call.

A reservation takes a transaction-level advisory lock. A session that took it and then hung
(a client frozen mid-transaction, an administrator's open ``BEGIN``) made every later
reservation wait for as long as it lasted: every routed call of every worker hung, whatever
``budget.on_ledger_error`` said. The wait is now bounded (``PostgresLedger(lock_timeout_s=5)``):
past it the ledger counts as unreachable, so ``open`` lets the call through with a WARNING
and ``closed`` refuses it with ``BudgetUnavailableError``.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from shared_core.dispatch import aexecute, execute
from shared_core.errors import BudgetUnavailableError
from shared_core.testing import ScriptedModel

from ...ledger_workers import budget_router

LOCK_S = 0.5


def _stuck_session(url: str, release: threading.Event, held: threading.Event) -> None:
    import psycopg

    from shared_core.ledger import pg_sql

    with psycopg.connect(url) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (pg_sql.BUDGET_LOCK,))
        held.set()
        release.wait(60)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("on_error", ["open", "closed"])
def test_a_stuck_budget_lock_bounds_the_wait(pg_url: str, mode: str, on_error: str) -> None:
    from shared_core.ledger import PostgresLedger

    router = budget_router(
        PostgresLedger(pg_url, lock_timeout_s=LOCK_S), limit_usd=1000.0, on_ledger_error=on_error
    )
    release, held = threading.Event(), threading.Event()
    stuck = threading.Thread(target=_stuck_session, args=(pg_url, release, held), daemon=True)
    stuck.start()
    try:
        assert held.wait(30)
        t0 = time.perf_counter()

        def call() -> None:
            d = router.decide("hello")
            if mode == "sync":
                execute(router.plan(d, router.request("hello")), ScriptedModel())
            else:
                plan = router.plan(d, router.request("hello"))
                asyncio.run(aexecute(plan, ScriptedModel().acall))

        if on_error == "closed":
            with pytest.raises(BudgetUnavailableError):
                call()
        else:
            call()
        elapsed = time.perf_counter() - t0
    finally:
        release.set()
        stuck.join(30)
    assert elapsed < LOCK_S + 3.0, f"the call waited {elapsed:.1f} s on a stuck lock"
    assert router.ledger.flush(timeout_s=30) == 0
    assert [r.status for r in router.ledger.records()] == (["ok"] if on_error == "open" else ["refused"])
    router.ledger.close()
