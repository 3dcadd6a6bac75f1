"""The locks a PostgresLedger's writer takes: how many, and in which order.

* A batch of a VariantRouter (every record has a variant) took one advisory lock per call id:
  1,000 in one transaction. PostgreSQL's shared lock table holds ``max_locks_per_transaction``
  (64 by default) times ``max_connections`` locks for every session of the server, so a fleet of
  writers flushing a backlog at once failed with ``out of shared memory`` (measured on the
  defaults: 16 writers, 2 failed; 24, 5), the ledger was marked down, and other sessions of the
  database failed too. Call ids now share :data:`pg_sql.CALL_LOCK_BUCKETS` locks.
* The writer locked spend rows (its records) and then hold rows (the releases); a reservation
  locks hold rows (``EXPIRE`` deletes the lapsed ones) and then spend rows (their lapse
  records). A hold lapsing as its release was written deadlocked the two. The writer now
  releases first.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest

from shared_core.ledger import CallRecord, LimitCheck, pg_sql
from shared_core.ledger.base import day_start


def _pg(url: str):
    from shared_core.ledger.postgres import PostgresLedger

    return PostgresLedger(url)


def _waiting_pid(conn, timeout_s: float = 10.0) -> int:
    """The pid of the other session of this database that waits for a lock."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        ).fetchone()
        if row:
            return int(row[0])
        time.sleep(0.02)
    raise AssertionError("the writer never waited for the lock the test holds")


def test_a_batch_of_1000_calls_with_a_variant_takes_a_bounded_number_of_locks(pg_url):
    """The writer's transaction is stopped on the ``global`` spend row (another session holds
    it) after it took its call locks; the locks it holds then are counted."""
    import psycopg

    ledger = _pg(pg_url)
    ledger.record(CallRecord(call_id="warm", tier="cheap", model="m", cost_usd=0.001))
    ledger.flush()
    blocker = psycopg.connect(pg_url)
    try:
        blocker.execute("SELECT 1 FROM tier_router_spend WHERE scope = 'global' FOR UPDATE")
        for i in range(1000):
            ledger.record(CallRecord(call_id=f"c{i}", tier="cheap", model="m", cost_usd=0.001,
                                     variant="AB"[i % 2]))
        ledger.record_feedback("c1", 0.5)
        flushed = threading.Thread(target=ledger.flush, kwargs={"timeout_s": 20})
        flushed.start()
        pid = _waiting_pid(blocker)
        held = blocker.execute(
            "SELECT count(*) FROM pg_locks WHERE pid = %s AND locktype = 'advisory' AND granted",
            (pid,),
        ).fetchone()[0]
        blocker.commit()
        flushed.join(20)
        assert 0 < held <= pg_sql.CALL_LOCK_BUCKETS, held  # was 1,000
        assert ledger.pending == 0
        assert len(ledger.records()) == 1001
        assert [f.call_id for f in ledger.recent_feedback(0.0, -1, "B")] == ["c1"]
    finally:
        blocker.close()
        ledger.close()


def test_a_hold_lapsing_as_its_release_is_written_does_not_deadlock_a_reservation(pg_url, caplog):
    """The reservation (another worker, its statements as ``reserve`` runs them) deletes the
    lapsed hold first and waits; the writer writes the call's record and the hold's release;
    the reservation then writes the lapse's record. Both commit: the lapse is taken back by
    the release, the call counts once at its real cost, and the writer's batch went in at once
    (a deadlock failed one of the two: the reservation raised, or the writer's batch failed and
    the ledger was marked down for ``retry_after_s``)."""
    import psycopg

    ledger = _pg(pg_url)
    ledger.record(CallRecord(call_id="warm", tier="cheap", model="m", cost_usd=0.001))
    ledger.flush()
    today = day_start(time.time())
    assert ledger.reserve("r1", 0.5, [LimitCheck("global", today, 10.0)], ttl_s=0.01) is None
    time.sleep(0.1)  # the hold lapsed: its worker is cut off, and comes back now
    other = psycopg.connect(pg_url)
    try:
        other.execute("SELECT pg_advisory_xact_lock(%s)", (pg_sql.BUDGET_LOCK,))
        gone = other.execute(pg_sql.EXPIRE).fetchall()
        assert [r[0] for r in gone] == ["r1"]
        with ledger._commit:  # one batch: the writer takes the queue once both are in
            ledger.record(CallRecord(call_id="r1", tier="cheap", model="m", cost_usd=0.1))
            ledger.release("r1")
        with caplog.at_level(logging.WARNING, logger="shared_core.ledger.postgres"):
            flushed = threading.Thread(target=ledger.flush, kwargs={"timeout_s": 20})
            flushed.start()
            _waiting_pid(other)  # the writer waits for the hold row the reservation deleted
            _, params = pg_sql.lapsed_params(gone, [])
            other.cursor().executemany(pg_sql.INSERT_RECORD, params)  # raised DeadlockDetected
            other.commit()
            flushed.join(20)
        assert ledger.pending == 0
        assert not [r for r in caplog.records if "write failed" in r.getMessage()]
        spent = other.execute(
            "SELECT total FROM tier_router_spend WHERE scope = 'global' AND day = %s", (today,)
        ).fetchone()[0]
        assert spent == pytest.approx(0.101)  # the warm call and r1's real cost; no lapse
        assert other.execute("SELECT count(*) FROM tier_router_reservations").fetchone() == (0,)
    finally:
        other.close()
        ledger.close()


@pytest.mark.parametrize("batch", ["record_and_release", "release_only"])
def test_a_release_written_as_a_worker_creates_the_schema_does_not_deadlock(batch, pg_url, caplog):
    """A worker starting up runs the schema's statements in one transaction (each ``CREATE
    INDEX IF NOT EXISTS`` takes a SHARE lock on its table, kept to the commit); here it is
    paused after the calls table's index, while the writer writes a release: the writer waits
    for it, and both go through (a release's take-back deleted from the calls table after the
    RELEASE had locked the holds table: the starting worker then waited for the writer and
    the writer for it, and the writer's batch failed)."""
    import psycopg

    ledger = _pg(pg_url)
    today = day_start(time.time())
    assert ledger.reserve("r1", 0.5, [LimitCheck("global", today, 10.0)], ttl_s=60) is None
    ledger.record(CallRecord(call_id="warm", tier="cheap", model="m", cost_usd=0.001))
    ledger.flush()
    starting = psycopg.connect(pg_url)
    try:
        calls_index = next(i for i, s in enumerate(pg_sql.SCHEMA) if "tier_router_calls_ts" in s)
        for stmt in pg_sql.SCHEMA[: calls_index + 1]:
            starting.execute(stmt)
        with ledger._commit:  # one batch: the writer takes the queue once both are in
            if batch == "record_and_release":
                ledger.record(CallRecord(call_id="r1", tier="cheap", model="m", cost_usd=0.1))
            ledger.release("r1")
        with caplog.at_level(logging.WARNING, logger="shared_core.ledger.postgres"):
            flushed = threading.Thread(target=ledger.flush, kwargs={"timeout_s": 20})
            flushed.start()
            _waiting_pid(starting)
            for stmt in pg_sql.SCHEMA[calls_index + 1:]:
                starting.execute(stmt)  # raised DeadlockDetected, or the writer did
            starting.commit()
            flushed.join(20)
        assert ledger.pending == 0
        assert not [r for r in caplog.records if "write failed" in r.getMessage()]
        assert ledger.reserved("global") == 0.0
    finally:
        starting.close()
        ledger.close()
