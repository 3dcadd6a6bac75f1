"""A PostgreSQL ledger that can be read but not written keeps a hard limit.

A database switched to read-only (``default_transaction_read_only``, as a failover to a standby
or a DBA freezing writes does) answers every read and refuses every write with
``ReadOnlySqlTransaction``: a refused statement, not an outage. Before, with ``on_ledger_error:
open`` (the default), each call's refused reservation let it through unheld and unchecked: 40
calls of ~$0.0204 were sent against a $0.50 limit that 3 calls had already used $0.06 of. Now
the call is checked against the spend the ledger reads plus this process's calls let through
meanwhile (their records wait in memory), and refused when it does not fit; once the database
takes writes again every record is stored exactly once.

Real ``ChatOpenAI`` at the loopback server, a real PostgreSQL server (the project's fixtures).
"""

from __future__ import annotations

from typing import Any

import pytest

from shared_core.errors import BudgetExceededError
from tests.fake_openai_server import FakeOpenAIServer
from tests.integration.test_ledger_write_faults import COST, LIMIT, LONG, _model

psycopg = pytest.importorskip("psycopg")


def _admin(url: str, sql: str) -> Any:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET default_transaction_read_only = off")  # (the database's may be on)
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else None


def _read_only(url: str, on: bool) -> None:
    name = url.rsplit("/", 1)[1]
    value = "on" if on else "off"
    _admin(url, f'ALTER DATABASE "{name}" SET default_transaction_read_only = {value}')
    # the ledger's pooled connections pick it up when they connect again
    _admin(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")


def test_a_read_only_database_keeps_the_hard_limit(openai_server: FakeOpenAIServer, pg_url: str) -> None:
    from shared_core.ledger import PostgresLedger

    openai_server.script(None, LONG)
    ledger = PostgresLedger(pg_url, retry_after_s=0.05)
    model = _model(openai_server, ledger)
    for i in range(3):
        model.invoke(f"before {i}")
    assert ledger.flush() == 0
    _read_only(pg_url, True)
    ok = refused = 0
    for i in range(40):
        try:
            model.invoke(f"during {i}")
            ok += 1
        except BudgetExceededError:
            refused += 1
    served = len(openai_server.chat_requests)
    assert served * COST <= LIMIT + COST, f"{served} calls sent against a ${LIMIT} limit"
    assert refused > 0
    assert ledger.pending > 0  # the records wait in memory: the database takes no writes
    spent = ledger.spend("global", 0)  # read: the server answers reads
    assert spent <= LIMIT, f"{served} calls sent, ${spent:.4f} spent against a ${LIMIT} limit"

    _read_only(pg_url, False)
    assert ledger.flush(timeout_s=8.0) == 0
    rows = dict(_admin(pg_url, "SELECT status, count(*) FROM tier_router_calls GROUP BY status"))
    dups = _admin(pg_url, "SELECT count(*) FROM (SELECT call_id, attempt FROM tier_router_calls "
                          "GROUP BY 1, 2 HAVING count(*) > 1) d")[0][0]
    assert rows == {"ok": served, "refused": refused} and dups == 0
    ledger.close()


def test_reads_of_a_read_only_database_answer_at_once_with_what_is_queued(pg_url: str) -> None:
    """``records()`` / ``count()`` / ``feedback()`` waited for the queue to be written first
    (``flush``, up to 10 s): a database that takes no writes made every read take 10 s. Now a
    read answers with the stored rows plus what is queued, at once (a queued record already
    stored is read once, as the table keeps it once), and the queue is still written, each
    record once, when the database takes writes again."""
    import time

    from shared_core.ledger import CallRecord, PostgresLedger

    def rec(call_id: str) -> CallRecord:
        return CallRecord(call_id=call_id, tier="t", model="m", cost_usd=0.01)

    ledger = PostgresLedger(pg_url, retry_after_s=0.05)
    ledger.record(rec("stored"))
    assert ledger.flush() == 0
    _read_only(pg_url, True)
    ledger.record(rec("queued-1"))
    ledger.record(rec("queued-2"))
    ledger.record_feedback("stored", 1.0)
    ledger.record(rec("stored"))  # queued again (a spill written twice): one row, one record
    time.sleep(0.3)  # the writer tries, and the database refuses the batch
    took = {}
    for name, read in (("records", ledger.records), ("count", ledger.count),
                       ("feedback", ledger.feedback), ("of", lambda: ledger.records_of(["queued-1"]))):
        start = time.monotonic()
        took[name] = (read(), time.monotonic() - start)
    assert all(t < 2.0 for _, t in took.values()), {k: round(t, 2) for k, (_, t) in took.items()}
    assert sorted(r.call_id for r in took["records"][0]) == ["queued-1", "queued-2", "stored"]
    assert took["count"][0] == 3
    assert [(f.call_id, f.score) for f in took["feedback"][0]] == [("stored", 1.0)]
    assert [r.call_id for r in took["of"][0]] == ["queued-1"]
    assert ledger.pending == 4  # still queued: nothing is lost

    _read_only(pg_url, False)
    assert ledger.flush(timeout_s=8.0) == 0
    assert sorted(r.call_id for r in ledger.records()) == ["queued-1", "queued-2", "stored"]
    assert ledger.count() == 3
    rows = _admin(pg_url, "SELECT call_id, count(*) FROM tier_router_calls GROUP BY 1 ORDER BY 1")
    assert rows == [("queued-1", 1), ("queued-2", 1), ("stored", 1)]
    ledger.close()
