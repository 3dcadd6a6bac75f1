"""The feedback loop's read of one A/B variant's feedback (``recent_feedback(..., variant)``):
the newest entries about that variant's calls, on every backend, written and still queued,
and on SQLite an indexed walk back from the newest entry (not a scan of the whole ledger)."""

from __future__ import annotations

import sqlite3
import time

import pytest

from shared_core.ledger import CallRecord, InMemoryLedger, SQLiteLedger
from shared_core.ledger.sqlite_sql import RECENT_FEEDBACK_IN_VARIANT, SCHEMA_VERSION


def _pg(url):
    from shared_core.ledger.postgres import PostgresLedger

    return PostgresLedger(url)


def _fill(ledger, n=40, every=10):
    """``n`` calls, one in ``every`` in variant B (the rest A, and two of no variant), each
    with a feedback entry; returns B's entries oldest first as (call_id, score)."""
    b = []
    for i in range(n):
        variant = "B" if i % every == 0 else (None if i in (3, 7) else "A")
        ledger.record(CallRecord(call_id=f"c{i}", tier="cheap", model="m", variant=variant, ts=1000.0 + i))
        ledger.record_feedback(f"c{i}", i / 100)
        if variant == "B":
            b.append((f"c{i}", i / 100))
        time.sleep(0.001)  # distinct feedback times
    return b


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
@pytest.mark.parametrize("flushed", [False, True])
def test_a_variant_reads_its_own_newest_feedback(backend, flushed, tmp_path, request):
    if backend == "postgres":
        ledger = _pg(request.getfixturevalue("pg_url"))
    else:
        ledger = InMemoryLedger() if backend == "memory" else SQLiteLedger(tmp_path / "l.sqlite")
    b = _fill(ledger)
    if flushed:
        ledger.flush()
    got = [(f.call_id, f.score) for f in ledger.recent_feedback(0.0, 3, "B")]
    assert got == b[-3:]  # a tenth of the entries: the ledger's newest 3 hold none of them
    assert [(f.call_id, f.score) for f in ledger.recent_feedback(0.0, -1, "B")] == b
    since = ledger.recent_feedback(0.0, 2, "B")[0].ts
    assert [f.call_id for f in ledger.recent_feedback(since, 10, "B")] == [c for c, _ in b[-2:]]
    assert ledger.recent_feedback(0.0, 5, "nobody") == []
    assert len(ledger.recent_feedback(0.0, -1)) == 40  # no variant: every entry, as before
    ledger.close()


def test_sqlite_reads_one_variant_s_newest_entries_through_an_index(tmp_path):
    """The query's plan: feedback_variant_ts from the variant's newest entry back, no sort; so
    a check reads its ``limit`` entries whatever the share and however many calls the file holds."""
    ledger = SQLiteLedger(tmp_path / "l.sqlite")
    ledger.record(CallRecord(call_id="c", tier="cheap", model="m", variant="B"))
    ledger.close()
    conn = sqlite3.connect(tmp_path / "l.sqlite")
    plan = " | ".join(
        row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + RECENT_FEEDBACK_IN_VARIANT, (0.0, "B", 5))
    )
    conn.close()
    assert "feedback_variant_ts" in plan, plan
    assert "TEMP B-TREE" not in plan and "SCAN" not in plan, plan  # no sort, no walk of others


def test_a_sqlite_file_of_schema_2_gets_its_feedback_s_variants_when_opened(tmp_path):
    """A file an earlier release wrote (feedback with no variant column, schema_version 2)
    is migrated when a ledger opens it: each entry takes its call's variant."""
    path = tmp_path / "old.sqlite"
    ledger = SQLiteLedger(path)
    b = _fill(ledger, n=20, every=5)
    ledger.close()
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX feedback_variant_ts")
    conn.execute("ALTER TABLE feedback DROP COLUMN variant")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    spend = conn.execute("SELECT scope, day, total FROM spend_days ORDER BY 1, 2").fetchall()
    conn.commit()
    conn.close()
    ledger = SQLiteLedger(path)
    assert [(f.call_id, f.score) for f in ledger.recent_feedback(0.0, -1, "B")] == b
    ledger.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    assert conn.execute("SELECT scope, day, total FROM spend_days ORDER BY 1, 2").fetchall() == spend
    conn.close()


def test_a_postgres_database_of_an_earlier_schema_gets_its_feedback_s_variants(pg_url, tmp_path):
    """A database version 1 created (feedback with no variant column) is upgraded in place:
    each entry takes its call's variant, and the variant's read finds it."""
    import psycopg

    from tests.pg_schema_v1 import create_v1, insert_v1_call

    create_v1(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for i in range(6):
            insert_v1_call(conn, call_id=f"c{i}", ts=1000.0 + i, variant="B" if i % 3 == 0 else "A")
            conn.execute(
                "INSERT INTO tier_router_feedback (call_id, score, source, ts) VALUES (%s, %s, 'user', %s)",
                (f"c{i}", i / 10, 2000.0 + i),
            )
    ledger = _pg(pg_url)
    assert [(f.call_id, f.score) for f in ledger.recent_feedback(0.0, 5, "B")] == [("c0", 0.0), ("c3", 0.3)]
    ledger.close()


def test_a_score_queued_behind_a_backlog_of_records_still_gets_its_call_s_variant(tmp_path):
    """SQLite writes at most 500 records and 500 scores a transaction, from separate queues: a
    score written in a transaction before its call's record would find no variant to copy.
    Scores now go with the last records, as releases of holds do."""
    path = tmp_path / "l.sqlite"
    ledger = SQLiteLedger(path, busy_timeout_s=0.05)
    ledger.record(CallRecord(call_id="first", tier="cheap", model="m"))
    ledger.flush()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process writing: this one's queue grows
    for i in range(1200):
        ledger.record(CallRecord(call_id=f"c{i}", tier="cheap", model="m", variant="B", ts=1000.0 + i))
    for i in range(1100, 1200):  # scores of the newest calls: their records are 1,100 deep
        ledger.record_feedback(f"c{i}", 1.0)
    blocker.execute("ROLLBACK")
    blocker.close()
    ledger.flush()
    ledger.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM feedback WHERE variant IS NULL").fetchone() == (0,)
    assert conn.execute("SELECT COUNT(*) FROM feedback WHERE variant = 'B'").fetchone() == (100,)
    conn.close()
