"""A PostgresLedger opening a database (a worker starting) and the workers already running.

Every worker's start ran the schema's DDL: ``CREATE INDEX IF NOT EXISTS`` takes a SHARE lock
on ``tier_router_calls`` and then on ``tier_router_reservations``, ``ALTER TABLE ... ADD COLUMN
IF NOT EXISTS`` an ACCESS EXCLUSIVE lock on ``tier_router_feedback``, all held to its commit.

* A reservation that expires a lapsed hold deletes hold rows and then inserts the lapse's
  record into the calls table: the reverse order. The two deadlocked; a failed reservation marks
  the ledger down for ``retry_after_s``, and with ``on_ledger_error="open"`` calls then passed
  without a hold (the 16-process hard-limit test once spent $1.225 against a $1.00 limit while
  deadlocks were logged). A reservation now takes the writer's table locks, in the schema's
  order, before it expires holds.
* Each start also blocked every writer and reservation of the fleet while it ran. A start on a
  database whose schema is current now reads the version and the salt and runs no DDL.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from shared_core.ledger import CallRecord, LimitCheck, pg_schema, pg_sql
from shared_core.ledger.base import day_start

pytestmark = pytest.mark.usefixtures("pg_server")


def _pg(url: str, **kw: Any) -> Any:
    from shared_core.ledger.postgres import PostgresLedger

    return PostgresLedger(url, **kw)


class _PausingConn:
    """A connection that stops before the first statement on the reservations table (the point
    of the schema's DDL between the calls and the reservations tables) until ``go`` is set."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.paused = threading.Event()
        self.go = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def execute(self, query: Any, *args: Any, **kw: Any) -> Any:
        if "tier_router_reservations" in str(query) and not self.go.is_set():
            self.paused.set()
            self.go.wait(20)
        return self._conn.execute(query, *args, **kw)


def _until(cond: Any, timeout_s: float = 10.0) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


def _waits_for_a_lock(conn: Any) -> bool:
    return bool(conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
    ).fetchone()[0])


@pytest.mark.parametrize("stored", ["current", "older"])
def test_a_reservation_expiring_a_lapsed_hold_as_a_worker_starts_does_not_deadlock(
    pg_url: str, stored: str
) -> None:
    """The starting worker's schema setup (``stored``: on a current schema, or one it upgrades,
    which runs the DDL) is held between the calls and the reservations tables; a reservation
    expires a lapsed hold meanwhile; then the setup goes on. Both succeed, the lapse is spent
    and the ledger is not marked down (a deadlock failed one of the two: the reservation raised
    ``LedgerUnavailableError``, or the worker's start raised ``DeadlockDetected``)."""
    import psycopg

    ledger = _pg(pg_url, lock_timeout_s=15.0)
    today = day_start(time.time())
    limits = [LimitCheck("global", today, 10.0)]
    starting = None
    try:
        assert ledger.reserve("r1", 0.5, limits, ttl_s=0.01) is None
        time.sleep(0.1)  # r1 lapsed: the next reservation expires it and writes it as spend
        if stored == "older":
            with psycopg.connect(pg_url, autocommit=True) as c:
                c.execute("UPDATE tier_router_meta SET value = '4' WHERE key = 'schema_version'")
        starting = _PausingConn(psycopg.connect(pg_url, autocommit=True))
        errors: dict[str, Any] = {}

        def start() -> None:
            try:
                pg_schema.create_schema(starting)
            except BaseException as exc:  # reported by the test
                errors["start"] = exc

        def reserve() -> None:
            try:
                errors["refused"] = ledger.reserve("r2", 0.1, limits, ttl_s=60)
            except BaseException as exc:  # reported by the test
                errors["reserve"] = exc

        started = threading.Thread(target=start)
        started.start()
        assert _until(lambda: starting.paused.is_set() or not started.is_alive())
        reserving = threading.Thread(target=reserve)
        reserving.start()
        watch = psycopg.connect(pg_url, autocommit=True)
        try:
            # the reservation waits for the starting worker (a lock) or is through
            assert _until(lambda: _waits_for_a_lock(watch) or not reserving.is_alive())
        finally:
            watch.close()
        starting.go.set()
        started.join(30)
        reserving.join(30)
        assert not started.is_alive() and not reserving.is_alive()
        assert "start" not in errors, errors
        assert "reserve" not in errors, errors  # was LedgerUnavailableError: deadlock detected
        assert errors.get("refused") is None
        assert time.monotonic() >= ledger._down_until  # not marked down
        with psycopg.connect(pg_url) as c:
            spent = c.execute(
                "SELECT total FROM tier_router_spend WHERE scope = 'global' AND day = %s", (today,)
            ).fetchone()[0]
            holds = c.execute("SELECT id FROM tier_router_reservations").fetchall()
            version = c.execute(
                "SELECT value FROM tier_router_meta WHERE key = 'schema_version'"
            ).fetchone()[0]
        assert spent == pytest.approx(0.5)  # r1 lapsed: spend
        assert holds == [("r2",)]
        assert version == str(pg_sql.SCHEMA_VERSION)
    finally:
        if starting is not None:
            starting.go.set()
            starting.close()
        ledger.close()


def test_a_worker_starting_on_a_current_schema_blocks_no_writer_and_no_reservation(
    pg_url: str,
) -> None:
    """The starting worker's schema setup runs inside a transaction the test holds open (what
    it locks stays locked until then): it holds no lock on the ledger's tables stronger than
    ACCESS SHARE, and meanwhile another worker's records, score and release are written and a
    reservation is taken at once. (Each start took ACCESS EXCLUSIVE on the feedback table and
    SHARE on the calls and the reservations tables: the writer and the reservation waited for
    their ``lock_timeout``, then failed and marked the ledger down.)"""
    import psycopg

    running = _pg(pg_url, lock_timeout_s=10.0)
    today = day_start(time.time())
    limits = [LimitCheck("global", today, 10.0)]
    starting = psycopg.connect(pg_url, autocommit=True)
    try:
        assert running.reserve("c1", 0.2, limits, ttl_s=60) is None
        with starting.transaction():
            salt = pg_schema.create_schema(starting)
            assert salt == running.salt
            running.record(CallRecord(call_id="c1", tier="cheap", model="m", cost_usd=0.1))
            running.release("c1")
            running.record_feedback("c1", 0.9)
            assert running.flush(timeout_s=3.0) == 0  # was 3: the writer waited for the start
            done: list[Any] = []
            took = threading.Thread(
                target=lambda: done.append(running.reserve("c2", 0.1, limits, ttl_s=60))
            )
            took.start()
            took.join(3.0)
            assert done == [None]  # was []: the reservation waited for the start
            held = starting.execute(
                "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = pg_backend_pid() AND c.relname LIKE 'tier_router%%'"
            ).fetchall()
            # was ShareLock on calls and reservations, AccessExclusiveLock on feedback
            assert {mode for _, mode in held} <= {"AccessShareLock"}, sorted(held)
        assert len(running.feedback()) == 1
        assert running.reserved("global") == pytest.approx(0.1)
    finally:
        starting.close()
        running.close()


@pytest.mark.parametrize("stored", ["none", "older"])
def test_a_ledger_given_its_salt_creates_or_upgrades_the_schema(
    pg_url: str, stored: str, tmp_path: Any
) -> None:
    """``PostgresLedger(url, salt=...)`` skipped the schema setup altogether (``salt or
    create_schema(...)``): on a new database no table was made, every write failed and the
    records were left in a spill file; an older schema was not upgraded."""
    import psycopg

    if stored == "older":
        _pg(pg_url, spill_dir=tmp_path).close()
        with psycopg.connect(pg_url, autocommit=True) as c:
            c.execute("UPDATE tier_router_meta SET value = '4' WHERE key = 'schema_version'")
    ledger = _pg(pg_url, salt="my-salt", spill_dir=tmp_path)
    try:
        assert ledger.salt == "my-salt"
        ledger.record(CallRecord(call_id="a", tier="cheap", model="m", cost_usd=0.1))
        assert ledger.flush(timeout_s=5.0) == 0  # was 1: relation "tier_router_calls" does not exist
        assert ledger.count() == 1
    finally:
        ledger.close()
    with psycopg.connect(pg_url) as c:
        version = c.execute("SELECT value FROM tier_router_meta WHERE key = 'schema_version'").fetchone()
    assert version == (str(pg_sql.SCHEMA_VERSION),)


def test_a_worker_starts_on_a_read_only_database_whose_schema_is_current(
    pg_url: str, tmp_path: Any
) -> None:
    """A worker (re)started while the database is read-only (after a failover to a standby)
    opens the ledger and reads its spend: its start ran the DDL, which a read-only transaction
    refuses even when every table exists, so the ledger failed to open (``ConfigError``)."""
    import psycopg

    first = _pg(pg_url, spill_dir=tmp_path)
    first.record(CallRecord(call_id="a", tier="cheap", model="m", cost_usd=0.25))
    assert first.flush(timeout_s=5.0) == 0
    first.close()
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    try:
        again = _pg(pg_url, spill_dir=tmp_path)  # raised ConfigError: read-only transaction
        try:
            assert again.salt == first.salt
            assert again.spend("global", day_start(time.time())) == pytest.approx(0.25)
        finally:
            again.close()
    finally:
        with psycopg.connect(pg_url, autocommit=True) as c:
            c.execute("SET default_transaction_read_only = off")
            c.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
