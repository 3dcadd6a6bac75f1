"""A score stored before its call's record still counts for the call's A/B variant.

SQLite and PostgreSQL store each feedback entry with its call's variant, copied from the
call's record when the entry is written, so that the feedback loop reads one variant's
entries through an index (``recent_feedback(since, limit, variant)``). A score that reached
the database before its call's record (another worker's record still queued: an outage both
waited out, a SQLite backlog, a PostgreSQL queue flushed after the score's) found no record
to copy from, was stored with no variant, and was never read as that variant's: the
feedback loop of a VariantRouter missed it for good. The record now gives its variant to
the scores stored before it; on PostgreSQL, a record and a score of one call written at the
same moment by two workers wait for each other (neither saw the other's uncommitted row).
"""

from __future__ import annotations

import threading
import time

import pytest

from shared_core.ledger import CallRecord, InMemoryLedger, SQLiteLedger
from shared_core.variant_stats import compare_variants


def _pg(url: str):
    from shared_core.ledger.postgres import PostgresLedger

    return PostgresLedger(url)


def _rec(call_id: str, variant: str | None = "B") -> CallRecord:
    return CallRecord(call_id=call_id, tier="cheap", model="m", cost_usd=0.001, variant=variant)


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_score_stored_before_its_call_s_record_is_read_as_its_variant_s(backend, tmp_path, request):
    """Two workers on one ledger: the one that got the score wrote it first; the one that
    answered wrote the call's record after (its queue held it)."""
    if backend == "memory":
        scorer = answerer = reader = InMemoryLedger()
    elif backend == "sqlite":
        path = tmp_path / "l.sqlite"
        scorer, answerer = SQLiteLedger(path), SQLiteLedger(path)
        reader = None
    else:
        url = request.getfixturevalue("pg_url")
        scorer, answerer = _pg(url), _pg(url)
        reader = None
    answerer.record(_rec("before", "A"))  # a call of the other variant, scored in order
    answerer.flush()
    scorer.record_feedback("before", 0.5)
    scorer.record_feedback("late", 0.9)  # its record not written yet
    scorer.record_feedback("plain", 0.7)  # a call of no variant
    scorer.flush()
    answerer.record(_rec("late", "B"))
    answerer.record(_rec("plain", None))
    answerer.flush()
    if reader is None:
        scorer.close()
        answerer.close()
        reader = SQLiteLedger(tmp_path / "l.sqlite") if backend == "sqlite" else _pg(url)
    try:
        assert [(f.call_id, f.score) for f in reader.recent_feedback(0.0, -1, "B")] == [("late", 0.9)]
        assert [f.call_id for f in reader.recent_feedback(0.0, 10, "A")] == ["before"]
        assert len(reader.recent_feedback(0.0, -1)) == 3  # no variant asked: every entry
        # stats --by variant matches scores to calls by call id: it counts it either way
        cmp = compare_variants(reader.records(), reader.feedback())
        assert cmp.variants["B"]["feedback"].n == 1 and cmp.variants["B"]["feedback"].mean == 0.9
    finally:
        reader.close()


def test_a_sqlite_score_written_before_a_backlog_of_its_worker_s_records(tmp_path):
    """The answering worker's file writes failed for a while (its records queued in memory);
    the scores another worker wrote meanwhile get their calls' variant when the backlog lands."""
    import sqlite3

    path = tmp_path / "l.sqlite"
    answerer = SQLiteLedger(path, busy_timeout_s=0.05)
    answerer.record(_rec("first"))
    answerer.flush()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock: a backlog grows
    for i in range(50):
        answerer.record(_rec(f"c{i}"))
    blocker.execute("ROLLBACK")
    blocker.close()
    scorer = SQLiteLedger(path)
    for i in range(50):
        scorer.record_feedback(f"c{i}", 1.0)
    scorer.flush()
    scorer.close()
    answerer.flush()
    answerer.close()
    with SQLiteLedger(path) as reader:
        assert len(reader.recent_feedback(0.0, -1, "B")) == 50
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM feedback WHERE variant IS NULL").fetchone() == (0,)
    conn.close()


def _raw_score(url: str, call_id: str):
    """A second worker's transaction writing one score, left open: what its writer runs (the
    call-id lock, then the insert), paused before the commit."""
    import psycopg

    from shared_core.ledger import pg_sql as sql

    conn = psycopg.connect(url)
    lock = getattr(sql, "LOCK_CALLS", None)
    if lock is not None:
        conn.execute(lock, ([call_id],))
    conn.execute(sql.INSERT_FEEDBACK, (call_id, 0.9, "user", time.time(), call_id))
    return conn


def _raw_record(url: str, rec: CallRecord):
    import psycopg

    from shared_core.ledger import pg_sql as sql

    conn = psycopg.connect(url)
    lock = getattr(sql, "LOCK_CALLS", None)
    if lock is not None:
        conn.execute(lock, ([rec.call_id],))
    conn.execute(sql.INSERT_RECORD, sql.record_params(rec))
    return conn


@pytest.mark.parametrize("first", ["score", "record"])
def test_postgres_a_score_and_its_record_written_at_once_by_two_workers(first, pg_url):
    """Neither transaction sees the other's uncommitted row: the score's insert finds no record
    to copy from, the record's update finds no score to give its variant to. One now waits for
    the other (a lock on the call id), so the second to write sees the first's row."""
    writer = _pg(pg_url)
    writer.record(_rec("warm", "A"))  # the schema is created; the writer is idle
    writer.flush()
    other = _raw_score(pg_url, "c1") if first == "score" else _raw_record(pg_url, _rec("c1"))
    if first == "score":
        writer.record(_rec("c1"))
    else:
        writer.record_feedback("c1", 0.9)
    done = threading.Event()
    t = threading.Thread(target=lambda: (writer.flush(timeout_s=10), done.set()))
    t.start()
    time.sleep(0.5)  # the writer's transaction has begun (and waits, with the lock)
    other.commit()
    other.close()
    t.join(15)
    assert done.is_set()
    try:
        assert [(f.call_id, f.score) for f in writer.recent_feedback(0.0, -1, "B")] == [("c1", 0.9)]
    finally:
        writer.close()


def test_a_sqlite_file_of_schema_3_gets_the_variant_of_scores_stored_before_their_record(tmp_path):
    """A file the previous release wrote holds such scores with no variant: opened, they get it."""
    import sqlite3

    path = tmp_path / "old.sqlite"
    with SQLiteLedger(path) as ledger:
        ledger.record(_rec("c"))
        ledger.record_feedback("c", 0.4)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE feedback SET variant = NULL")  # as the previous release left it
    conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with SQLiteLedger(path) as ledger:
        assert [f.call_id for f in ledger.recent_feedback(0.0, -1, "B")] == ["c"]


def test_a_postgres_database_of_schema_4_gets_the_variant_of_scores_stored_before_their_record(pg_url):
    import psycopg

    ledger = _pg(pg_url)
    ledger.record(_rec("c"))
    ledger.record_feedback("c", 0.4)
    ledger.flush()
    ledger.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE tier_router_feedback SET variant = NULL")
        conn.execute("UPDATE tier_router_meta SET value = '4' WHERE key = 'schema_version'")
    ledger = _pg(pg_url)
    try:
        assert [f.call_id for f in ledger.recent_feedback(0.0, -1, "B")] == ["c"]
    finally:
        ledger.close()


def test_a_variant_s_feedback_loop_counts_the_scores_stored_before_their_records(tmp_path):
    """The loop of variant B reads B's scores (``recent_feedback(..., "B")``): a window of
    bad outcomes scored by one worker before the answering worker's records landed moves the
    knob up, as the same window scored after them does."""
    from shared_core.config import RouterConfig
    from shared_core.feedback_loop import KnobController

    config = RouterConfig.build({
        "tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}],
        "policy": {"threshold": 0.5},
        "feedback": {"auto_adjust": True, "window": 10, "bounds": [0.2, 0.8]},
    })
    path = tmp_path / "l.sqlite"
    scorer, answerer = SQLiteLedger(path), SQLiteLedger(path)
    loop = KnobController(config, answerer)
    loop.variant = "B"
    loop.knob()  # the knob in force since now
    for i in range(20):
        scorer.record_feedback(f"c{i}", 0.0)
    scorer.flush()
    for i in range(20):
        answerer.record(CallRecord(call_id=f"c{i}", tier="cheap", model="gpt-4o-mini", cost_usd=0.001,
                                   variant="B", ts=time.time() + 1))
    answerer.flush()
    try:
        moved = loop.check()
        assert moved is not None and moved.new > moved.old, moved  # was None: no outcome of B's
    finally:
        scorer.close()
        answerer.close()
