"""The writer of a :class:`~shared_core.ledger.postgres.PostgresLedger`: its queue and thread.

:meth:`~PostgresWriter._put` queues a record, a feedback score or a reservation release; one
thread writes the queue in batches, each batch one transaction (a call's records and the
release of its hold commit together). A batch that fails because the server cannot be
reached stays queued and is retried every ``retry_after_s``. A batch that fails because of
what one item holds (a value a column refuses) is written again item by item: the items the
database takes are written, the one it refuses is dropped with an ERROR, so it cannot hold
every later item back (a ledger that writes nothing stops enforcing budgets).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from . import pg_sql as sql
from .base import CallRecord

logger = logging.getLogger("shared_core.ledger.postgres")

BATCH = 1000
"""Most items written in one transaction."""

RELEASES = ("release",)
"""Queued kinds that release a hold (this process's, or one a spill file kept); written, each
also drops the lapsed records of its hold (:func:`pg_sql.drop_lapsed`)."""


class PostgresWriter:
    """The queue half of ``PostgresLedger`` (a mixin: its pool, locks and settings are the
    ledger's own, built by :class:`~shared_core.ledger.pg_process.PostgresProcess`)."""

    if TYPE_CHECKING:
        _psycopg: Any
        _pool_mod: Any
        _pool: Any
        _lock: threading.Lock
        _commit: threading.Lock
        _wake: threading.Condition
        _queue: list[tuple[str, Any]]
        _down_until: float
        _write_after: float
        _warned: bool
        _closed: bool
        _writer: threading.Thread
        retry_after_s: float

        def _outage(self, exc: BaseException) -> bool: ...

    def _put(self, kind: str, item: Any) -> None:
        with self._lock:
            self._queue.append((kind, item))
            self._wake.notify()

    def _write_loop(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    self._wake.wait()
                if not self._queue and self._closed:
                    return
                wait = max(self._down_until, self._write_after) - time.monotonic()
            if wait > 0:
                with self._lock:
                    self._wake.wait(wait)
                continue
            with self._commit:
                with self._lock:
                    batch = self._queue[:BATCH]
                done = self._write_batch(batch)
                with self._lock:
                    del self._queue[:done]
                    recovered = self._warned and done == len(batch)
                    if recovered:
                        self._warned = False
                    self._wake.notify_all()
            if recovered:
                logger.warning("cost ledger %s: reachable again; queued items written", self)

    def _write_batch(self, batch: list[tuple[str, Any]]) -> int:
        """Write ``batch`` in one transaction, else item by item when an item is at fault;
        how many of its items (from the front) are done with: written or dropped."""
        try:
            self._write(batch)
            return len(batch)
        except Exception as exc:
            if not self._item_at_fault(exc):
                self._failed(exc, len(batch))
                return 0
        for n, item in enumerate(batch):
            try:
                self._write([item])
            except Exception as exc:
                if not self._item_at_fault(exc):
                    self._failed(exc, len(batch) - n)
                    return n
                logger.error(
                    "cost ledger %s: the database refused a queued %s (%s: %s); it is dropped, "
                    "the items around it are written: %.500r", self, item[0],
                    type(exc).__name__, exc, item[1],
                )
        return len(batch)

    def _item_at_fault(self, exc: BaseException) -> bool:
        """Whether a failed write is down to what an item holds, so that writing the items one
        at a time finds it: a value a column refuses (``DataError``, ``IntegrityError``, a type
        mismatch), a value psycopg cannot send, an error building its parameters. Anything
        else (no connection, a read-only server after a failover, a missing permission or
        table) is waited out with every item kept."""
        p = self._psycopg
        if isinstance(exc, self._pool_mod.PoolTimeout):
            return False
        if not isinstance(exc, p.Error):
            return True
        if isinstance(exc, (p.DataError, p.IntegrityError)):
            return True
        # raised by psycopg before sending (no SQLSTATE), or 42804 datatype_mismatch
        return isinstance(exc, p.ProgrammingError) and exc.sqlstate in (None, "42804")

    def _write(self, batch: list[tuple[str, Any]]) -> None:
        recs = [sql.record_params(x) for k, x in batch if k == "record"]
        fb = [
            sql.pg_params((f.call_id, f.score, f.source, f.ts, f.call_id))
            for k, f in batch if k == "feedback"
        ]
        released = [x for k, x in batch if k in RELEASES]
        rel = sql.pg_text(released)
        # scores another worker stored before these records get their calls' variant
        named = list(dict.fromkeys(x.call_id for k, x in batch if k == "record" and x.variant is not None))
        locked = sorted({*named, *(f.call_id for k, f in batch if k == "feedback")})
        with self._pool.connection() as conn, conn.transaction():
            cur = conn.cursor()
            if locked:  # first: a score and its record written at once wait for each other
                cur.execute(sql.LOCK_CALLS, (sql.pg_text(locked),))
            # then hold rows before spend rows, the order of a reservation (EXPIRE deletes the
            # holds that lapsed, then their records add to the spend rows): releases written
            # after the records deadlocked with it on a hold lapsing as it was released. The
            # tables, though, in the order of a worker creating the schema (its CREATE INDEX
            # takes a SHARE lock on each and holds them): the take-back's DELETE on the calls
            # after the RELEASE deadlocked with a worker starting up
            if rel:
                cur.execute(sql.LOCK_TABLES)
                cur.execute(sql.RELEASE, (rel,))
                sql.drop_lapsed(cur, released)  # a lapse of these holds stood in for their records
            if recs:
                cur.executemany(sql.INSERT_RECORD, recs)
            if named:
                cur.executemany(sql.GIVE_VARIANT, [sql.pg_params((c, c)) for c in named])
            if fb:
                cur.executemany(sql.INSERT_FEEDBACK, fb)

    def _failed(self, exc: BaseException, n: int) -> None:
        """A batch the database did not take: retried after ``retry_after_s``. Only an outage
        (:meth:`_outage`) marks the server down for reads and holds too: a server that refuses
        writes but answers reads (read-only after a failover) still tells budgets the spend."""
        with self._lock:
            self._write_after = time.monotonic() + self.retry_after_s
            if self._outage(exc):
                self._down_until = self._write_after
            first = not self._warned
            self._warned = True
        if first:
            logger.warning(
                "cost ledger %s: write failed (%s: %s); %d item(s) kept in memory and retried "
                "every %.1fs until the server is back", self, type(exc).__name__, exc, n,
                self.retry_after_s,
            )

    def flush(self, timeout_s: float = 10.0) -> int:
        """Wait (up to ``timeout_s``) for queued items to be written; returns how many remain."""
        end = time.monotonic() + timeout_s
        with self._lock:
            self._down_until = self._write_after = 0.0
            self._wake.notify_all()
            while self._queue and self._writer.is_alive():
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._wake.wait(min(left, 0.05))
            return len(self._queue)

    @property
    def pending(self) -> int:
        """Records, feedback and releases queued for the database."""
        with self._lock:
            return len(self._queue)

    def _pending_records(self) -> list[CallRecord]:
        with self._lock:
            return [x for k, x in self._queue if k == "record"]

    def _queued(self) -> tuple[list[CallRecord], list[str]]:
        """Queued records and queued releases (their holds no longer count)."""
        with self._lock:
            return (
                [x for k, x in self._queue if k == "record"],
                [x for k, x in self._queue if k in RELEASES],
            )
