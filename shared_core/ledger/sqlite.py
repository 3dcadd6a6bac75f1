"""`SQLiteLedger`: the embedded persistent ledger, safe across threads and processes.

WAL mode lets readers run beside one writer; a busy timeout makes concurrent writers
(threads or processes) wait their turn instead of failing. SQL is parameterised only;
tags and metadata are stored as JSON text, verbatim.

Called from a plain thread, a write is made at once (the caller waits its turn for the
file); called from a thread running an event loop (an async call ending), it is queued and
a writer thread of the ledger writes it, so the loop never waits on another process's lock
(see :mod:`shared_core.ledger.sqlite_writer`).

If a write fails anyway (locked past the timeout, disk full, the folder removed), the
record stays in an in-memory buffer, one warning is logged, and the buffer is written
on the next successful write or :meth:`flush`. Reads and :meth:`spend` include buffered
and queued records, so budgets keep counting. Recording never raises into the caller's
request. If the database file itself is removed while open, the next write re-creates it.

Nothing pending dies with the process: an ``atexit`` hook flushes (waiting a bounded time),
and what still cannot be written at exit or :meth:`SQLiteLedger.close` is appended to a spill
file beside the database (``<file>.pending.jsonl``) that the next ledger opened on the file
writes (see :mod:`shared_core.ledger.spill`); a ``multiprocessing`` child, which exits
without ``atexit``, does the same from ``multiprocessing``'s exit hook.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Collection
from pathlib import Path
from typing import Any

from ..errors import LedgerUnavailableError
from . import forking, spill
from .base import (
    CallRecord,
    CostLedger,
    Feedback,
    RecordFilter,
    validate_feedback,
)
from .key_text import sqlite_key
from .queued import feedback_with_queued, records_with_queued
from .queued_spend import QueuedRecords
from .sqlite_connection import SQLiteConnection
from .sqlite_reservations import HELD_SQL, SQLiteReservations
from .sqlite_sql import (  # the row SQL (_COUNT, _INSERT, _row_values) is still found here
    _COUNT,  # noqa: F401
    _INSERT,  # noqa: F401
    KNOWS_CALL,
    RECENT_FEEDBACK,
    RECENT_FEEDBACK_IN_VARIANT,
    SCHEMA_VERSION,
    _from_row,
    _row_values,  # noqa: F401
    _spend_sql,
    _tag_key,
    records_of_sql,
)
from .sqlite_state import SQLiteState
from .sqlite_writer import SQLiteWriter

__all__ = ["SCHEMA_VERSION", "SQLiteLedger"]

logger = logging.getLogger(__name__)


class SQLiteLedger(SQLiteConnection, SQLiteWriter, SQLiteReservations, SQLiteState, CostLedger):
    """A ledger in one SQLite file; many threads and several processes may share it.

    Its SQL is in :mod:`~shared_core.ledger.sqlite_sql`, opening the file and its connection
    in :mod:`~shared_core.ledger.sqlite_connection`, its reservations and alert claims in
    :mod:`~shared_core.ledger.sqlite_reservations`, its shared state in
    :mod:`~shared_core.ledger.sqlite_state`, how it writes (at once from a plain thread, by a
    writer thread for an event loop) in :mod:`~shared_core.ledger.sqlite_writer`.

    Args:
        path: the database file (created with its folder if missing), or ``":memory:"``.
        salt: salt for prompt hashes; default: a random salt stored in the file on first use,
            so every process sharing the file hashes alike.
        busy_timeout_s: how long a write waits for another writer before it is buffered.
        retry_after_s: after a failed write, records go straight to the in-memory buffer
            for this long, and the next try waits at most 50 ms: a locked or broken
            database never stalls every call by ``busy_timeout_s``.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        salt: str | None = None,
        busy_timeout_s: float = 2.0,
        retry_after_s: float = 2.0,
    ) -> None:
        self._init_state(path, busy_timeout_s, retry_after_s)
        stored = self._open_file()
        self.salt = salt or str(stored)
        if self.path != ":memory:":
            # records a previous process could not write before it exited
            releases: list[str] = []
            records, feedback = spill.claim(self.path, releases)
            if records or feedback or releases:
                self._pending.extend(records)
                self._pending_feedback.extend(feedback)
                self._pending_release.extend(releases)
                self.flush()
            spill.register(self)
            self._collected = spill.spill_when_collected(
                self, self.path, self._pending, self._pending_feedback, self._pending_release
            )
            forking.track(self)  # a ":memory:" one is the child's own copy already
            # a multiprocessing child ends with os._exit(): no atexit, and what an event loop
            # queued in it must not vanish with it (a ledger built in the child, or before it)
            forking.exit_flush_in_children(self, spill.EXIT_WAIT_S)

    def _init_state(self, path: str | Path, busy_timeout_s: float, retry_after_s: float) -> None:
        """The in-memory state every ledger on a file starts with (the read-only one too)."""
        self.path = str(path)
        if self.path not in ("", ":memory:"):  # the same file after a chdir (a daemonizing server)
            self.path = os.path.abspath(self.path)
        self.busy_timeout_s = busy_timeout_s
        self.retry_after_s = retry_after_s
        self._retry_at = 0.0
        self._lock = threading.RLock()
        self._pending: QueuedRecords = QueuedRecords()  # with running totals per budget scope
        self._pending_feedback: list[Feedback] = []
        self._pending_release: list[str] = []
        self._warned = False
        self._read_warned = False
        self._conn: sqlite3.Connection | None = None
        self._inode: tuple[int, int] | None = None
        self._init_writer()

    def _fork_locks(self) -> tuple[Any, ...]:
        """What :mod:`~shared_core.ledger.forking` holds across a fork, in the ledger's lock
        order: no write transaction (``_writing``) and no read (``_lock``) is under way in the
        connections the child copies."""
        return (self._writing, self._lock)

    def _after_fork(self) -> None:
        """In a forked child (:mod:`~shared_core.ledger.forking`): connections of its own
        (the parent's stay open, unused), none of the parent's queued items, and no writer
        thread until one of its event loops writes (the parent's is the parent's)."""
        forking.keep(self._conn)
        forking.keep(self._wconn)
        self._conn = self._wconn = None
        self._inode = self._winode = None
        self._lock = threading.RLock()
        self._init_writer()  # the parent's writer may have held these locks at the fork
        self._pending, self._pending_feedback, self._pending_release = QueuedRecords(), [], []
        self._collected.detach()  # the parent's queues are the parent's to spill
        self._collected = spill.spill_when_collected(
            self, self.path, self._pending, self._pending_feedback, self._pending_release
        )

    # -- writes: queued, then written at once (a plain thread) or by the writer (a loop's) ----
    def record(self, rec: CallRecord) -> None:
        with self._lock:
            self._pending.append(rec)
            now = self._queued_locked()
        if now:
            self._write_now()

    async def arecord(self, rec: CallRecord) -> None:
        await self._to_thread(self.record, rec)

    def record_feedback(self, call_id: str, score: float, source: str = "user") -> None:
        validate_feedback(call_id, score, source)
        with self._lock:
            self._pending_feedback.append(Feedback(call_id, float(score), source))  # type: ignore[arg-type]
            now = self._queued_locked()
        if now:
            self._write_now()

    def release(self, reservation_id: str) -> None:
        """Queued behind the call's records: written in the same transaction as them, or after."""
        with self._lock:
            self._pending_release.append(reservation_id)
            now = self._queued_locked()
        if now:
            self._write_now()

    # -- reads ----------------------------------------------------------------------
    def _query(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        with self._lock:
            try:
                rows = list(self._live_connection().execute(sql, params).fetchall())
            except sqlite3.Error as exc:
                self._read_failed(exc)
                return []
            self._read_warned = False
            return rows

    def _read_failed(self, exc: sqlite3.Error) -> None:
        """(``_lock`` held) One WARNING until a read succeeds again: a call reads the file more
        than once (pressure, spend, a hold), and a folder removed under a service logged each."""
        if not self._read_warned:
            self._read_warned = True
            logger.warning(
                "cost ledger %s: read failed (%s); reads show what is buffered in this process only "
                "until the file can be read again", self.path, exc,
            )
        self._drop_connection()

    def select(self, where: RecordFilter) -> list[CallRecord]:
        tag = None if where.tag is None else _tag_key(where.tag)
        clauses = (
            ("ts >= ?", where.since),
            ("ts < ?", where.until),
            ("tier = ?", where.tier),
            ("status = ?", where.status),
            ("id IN (SELECT call_row FROM call_tags WHERE tag = ?)", tag),
        )
        sql_where = [clause for clause, value in clauses if value is not None]
        params = [value for _, value in clauses if value is not None]
        sql = (
            f"SELECT * FROM calls {'WHERE ' + ' AND '.join(sql_where) if sql_where else ''}"
            " ORDER BY ts, id"
        )
        with self._lock:  # the rows and the queue as one: the writer commits under _lock
            rows = self._query(sql, tuple(params))
            pending = list(self._pending)
        return records_with_queued(map(_from_row, rows), pending, where.matches)

    def feedback(self) -> list[Feedback]:
        return self.recent_feedback(float("-inf"), -1)

    def recent_feedback(
        self, since: float, limit: int, variant: str | None = None
    ) -> list[Feedback]:
        with self._lock:  # the rows and the queue as one (see select)
            if variant is None:
                rows = self._query(RECENT_FEEDBACK, (since, limit))  # limit -1: all of them
            else:
                rows = self._query(RECENT_FEEDBACK_IN_VARIANT, (variant, since, limit))
            queued = [f for f in self._pending_feedback if f.ts >= since]
        stored = [Feedback(r["call_id"], r["score"], r["source"], r["ts"]) for r in rows[::-1]]
        if variant is not None:  # queued entries: their calls' variant, stored or queued
            queued = self.feedback_in_variant(queued, variant)
        return feedback_with_queued(stored, queued, since, limit)

    def records_of(self, call_ids: Collection[str]) -> list[CallRecord]:
        ids = list(dict.fromkeys(call_ids))
        wanted = set(ids)
        with self._lock:  # the rows and the queue as one (see select)
            stored = [
                _from_row(r)
                for i in range(0, len(ids), 500)
                for r in self._query(records_of_sql(len(ids[i : i + 500])), tuple(ids[i : i + 500]))
            ]
            pending = list(self._pending)
        return records_with_queued(stored, pending, lambda r: r.call_id in wanted)

    def knows_call(self, call_id: str) -> bool:
        with self._lock:
            if any(r.call_id == call_id for r in self._pending):
                return True
            try:
                conn = self._live_connection()
                row = conn.execute(KNOWS_CALL, (call_id,)).fetchone()
            except sqlite3.Error as exc:
                self._drop_connection()
                raise LedgerUnavailableError(f"cost ledger {self.path}: read failed ({exc})") from exc
        return row is not None

    def spend(self, scope: str, since: float) -> float:
        """Known costs in ``scope`` since ``since``, buffered records included.

        A sum over per-day counters (at most a period's days), plus the first day's rows
        when ``since`` is not a UTC midnight.
        """
        with self._lock:
            try:
                total = _spend_sql(self._live_connection(), scope, since)
                self._read_warned = False
            except sqlite3.Error as exc:
                self._read_failed(exc)
                total = 0.0
            return total + self._pending.spend(scope, since)  # running totals: no walk

    def held(self, scope: str, since: float) -> float:
        """What the budget reads: spend (buffered records included) plus holds (a lapsed one
        too, as it becomes spend: :mod:`.lapsed`). Raises
        :class:`LedgerUnavailableError` when the file cannot be read (its folder removed): the
        spend is not known, and the buffered records alone read as $0 spent, so a call the
        ledger could not hold was checked against that instead of let through with a WARNING."""
        with self._lock:
            try:
                conn = self._live_connection()
                stored = _spend_sql(conn, scope, since)
                # every hold row, a lapsed one too: the next reservation makes it spend
                holds = conn.execute(HELD_SQL, (sqlite_key(scope),)).fetchone()[0]
            except sqlite3.Error as exc:
                self._read_failed(exc)
                raise LedgerUnavailableError(f"cost ledger {self.path}: cannot be read ({exc})") from exc
            self._read_warned = False
            return stored + float(holds or 0.0) + self._pending.spend(scope, since)

    def count(self) -> int:
        """Call records stored, plus those still buffered or queued to be written (what
        ``len(records())`` says; queued feedback scores are no records)."""
        with self._lock:  # the rows and the queue as one (see select)
            rows = self._query("SELECT COUNT(*) FROM calls", ())
            return (int(rows[0][0]) if rows else 0) + len(self._pending)

    @property
    def identity(self) -> tuple[Any, ...]:
        """The file's real path (links resolved): every ledger object on one file is one store.
        A ``:memory:`` or temporary database is private to its object."""
        if self.path in ("", ":memory:"):
            return super().identity
        return ("sqlite", os.path.realpath(self.path))

    def __repr__(self) -> str:
        return f"SQLiteLedger({self.path!r})"
