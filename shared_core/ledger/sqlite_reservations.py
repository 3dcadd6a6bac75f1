"""Budget holds in a SQLite ledger file: reservations and alert claims.

:class:`SQLiteReservations` is the part of :class:`~shared_core.ledger.sqlite.SQLiteLedger`
that budgets use (see :mod:`shared_core.budget`): a reservation checks spend, buffered
records and live holds and writes its own hold in one ``BEGIN IMMEDIATE`` transaction,
so every process sharing the file takes its turn. Like every write of the ledger it runs on
the write connection under ``_writing`` (see :mod:`~shared_core.ledger.sqlite_writer`), and
takes ``_lock`` only to read the queued records: it never holds up a read or an enqueue
while it waits for the file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import LedgerUnavailableError
from . import spill
from .base import CallRecord, Feedback, LimitCheck, Refusal, fits
from .key_text import sqlite_key, sqlite_key_back
from .lapsed import lapsed_records, warn_lapsed
from .queued_spend import QueuedRecords
from .sqlite_batch import insert
from .sqlite_sql import _reserved_sql, _spend_sql
from .thread_reserve import areserve_in_thread

logger = logging.getLogger("tier_router")

PROBE_S = 0.25
"""How long a reservation waits for the file after a failed one's back-off: past another
worker's ordinary transaction, far short of a locked file's ``busy_timeout_s``."""


class SQLiteReservations:
    """Reservations and alert claims of :class:`~shared_core.ledger.sqlite.SQLiteLedger` (a
    mixin: the connection, lock and buffer it uses are the ledger's own)."""

    _hold_failed = False  # the last reservation failed on the database: back off
    _hold_retry_at = 0.0
    _hold_error = ""
    _spill_files: tuple[str, ...] | None = None  # where spill files of the ledger's file appear

    if TYPE_CHECKING:
        path: str
        busy_timeout_s: float
        retry_after_s: float
        _lock: threading.RLock
        _writing: threading.Lock
        _pending: QueuedRecords
        _pending_feedback: list[Feedback]
        _pending_release: list[str]
        _retry_at: float

        def _live_connection(self, write: bool = False) -> sqlite3.Connection: ...
        def _drop_connection(self, write: bool = False) -> None: ...
        def release(self, reservation_id: str) -> None: ...
        def _shared_connection(self) -> contextlib.AbstractContextManager[Any]: ...
        def _query(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]: ...
        def _write_pending(self, *, patient: bool = False, at_once: bool = False) -> bool: ...
        async def _to_thread(self, fn: Any, *args: Any) -> Any: ...

    # -- reservations -----------------------------------------------------------------
    def reserve(
        self, reservation_id: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
    ) -> Refusal | None:
        """One ``BEGIN IMMEDIATE`` transaction: every process sharing the file waits its turn.

        After a reservation the database could not take (the file locked by another process
        past ``busy_timeout_s``), the next ones fail at once for ``retry_after_s`` (the budget's
        ``on_ledger_error`` decides what a call does then), and the one after that waits
        :data:`PROBE_S` at most: a locked file stalls one call, not every thread behind the
        ledger's lock. Records written meanwhile wait in memory for the same time."""
        self._claim_spilled()
        with self._lock:
            degraded = self._hold_failed  # the last reservation could not get the file
            if degraded and time.monotonic() < self._hold_retry_at:
                raise LedgerUnavailableError(
                    f"cost ledger {self.path}: cannot reserve (the last try failed: "
                    f"{self._hold_error}; retrying within {self.retry_after_s:g} s)"
                )
            due = bool(self._pending) and time.monotonic() >= self._retry_at
        # the file's lock is waited for holding _writing only (sqlite_writer: the lock order)
        with self._writing, self._shared_connection():
            if due:
                self._write_pending()
            conn = None
            try:
                conn = self._live_connection(write=True)
                if degraded:  # a probe: long enough for another worker's ordinary transaction
                    conn.execute(f"PRAGMA busy_timeout = {int(min(self.busy_timeout_s, PROBE_S) * 1000)}")
                refusal = self._reserve_in(conn, reservation_id, amount, limits, ttl_s)
            except sqlite3.Error as exc:
                self._drop_connection(write=True)
                conn = None
                with self._lock:
                    self._hold_failed, self._hold_error = True, f"{type(exc).__name__}: {exc}"
                    self._hold_retry_at = time.monotonic() + self.retry_after_s
                    self._retry_at = max(self._retry_at, self._hold_retry_at)  # writes back off too
                raise LedgerUnavailableError(
                    f"cost ledger {self.path}: cannot reserve ({self._hold_error})"
                ) from exc
            finally:
                if degraded and conn is not None:  # back to the patient wait (even on Ctrl-C)
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
        with self._lock:
            self._hold_failed = False  # the file answered
        return refusal

    def _claim_spilled(self) -> None:
        """What another process spilled since this ledger opened (it ended while the file was
        locked) is counted before a hold is granted, and written: only a ledger opened on the
        file used to claim it, so a running worker admitted calls past a hard limit. A stat of
        each place a spill file can be (a few microseconds) when there is none."""
        if self._spill_files is None:
            self._spill_files = () if self.path == ":memory:" else tuple(map(str, spill.places(self.path)))
        if not any(map(os.path.exists, self._spill_files)):
            return
        releases: list[str] = []
        records, feedback = spill.claim(self.path, releases)
        with self._lock:
            self._pending.extend(records)
            self._pending_feedback.extend(feedback)
            self._pending_release.extend(releases)

    def _reserve_in(
        self, conn: sqlite3.Connection, reservation_id: str, amount: float,
        limits: Sequence[LimitCheck], ttl_s: float,
    ) -> Refusal | None:
        """The reservation's transaction: the first limit it does not fit, or ``None`` (held)."""
        now = time.time()
        try:  # BEGIN inside: a Ctrl-C right after it must not leave the file write-locked
            conn.execute("BEGIN IMMEDIATE")
            with self._lock:  # no write commits meanwhile (_writing is held): each record once
                queued = [self._pending.spend(lim.scope, lim.since) for lim in limits]
                released = set(self._pending_release)
            lapsed = _expire(conn, now, released)
            for lim, pending in zip(limits, queued):
                held = _spend_sql(conn, lim.scope, lim.since) + pending + _reserved_sql(conn, lim.scope, now)
                if not fits(held, amount, lim.limit_usd):
                    conn.execute("COMMIT" if lapsed else "ROLLBACK")  # what lapsed stays spent
                    warn_lapsed(lapsed, self.path)
                    return Refusal(lim, held)
            conn.executemany(
                "INSERT INTO reservations (id, scope, amount, expires) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id, scope) DO UPDATE SET "
                "amount = amount + excluded.amount, expires = excluded.expires",
                [
                    (reservation_id, sqlite_key(sc), max(0.0, amount), now + ttl_s)
                    for sc in dict.fromkeys(lim.scope for lim in limits)
                ],
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        warn_lapsed(lapsed, self.path)
        return None

    async def areserve(
        self, reservation_id: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
    ) -> Refusal | None:
        """:meth:`reserve` in a worker thread. Its caller may be cancelled while the thread
        waits on the file's lock (a deadline, or ``asyncio.run`` ending the program and
        cancelling every task left, the router's shielded one too): the thread then finishes
        on its own, and a hold it took is released there, not left to its TTL."""
        return await areserve_in_thread(self, reservation_id, amount, limits, ttl_s)

    def renew(self, reservation_ids: Sequence[str], ttl_s: float) -> None:
        """One ``UPDATE`` on the write connection (the lock order of every write). A hold of
        this process that expired while it was paused and that no reservation has made spend
        yet is renewed too: its call is live, and counts once."""
        now = time.time()
        ids = list(reservation_ids)
        with self._writing, self._shared_connection():
            try:
                self._live_connection(write=True).execute(
                    f"UPDATE reservations SET expires = ? WHERE id IN ({', '.join('?' * len(ids))})",
                    (now + ttl_s, *ids),
                )
            except sqlite3.Error as exc:
                self._drop_connection(write=True)
                raise LedgerUnavailableError(f"cost ledger {self.path}: cannot renew holds ({exc})") from exc

    def reserved(self, scope: str) -> float:
        rows = self._query(RESERVED_SQL, (sqlite_key(scope), time.time()))
        return float(rows[0][0]) if rows else 0.0

    def claim_alert(self, scope: str, period: str, since: float, fraction: float) -> bool:
        with self._writing, self._shared_connection():
            try:
                cur = self._live_connection(write=True).execute(
                    "INSERT OR IGNORE INTO alerts (scope, period, since, fraction, ts) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (sqlite_key(scope), period, since, fraction, time.time()),
                )
            except sqlite3.Error as exc:
                self._drop_connection(write=True)
                raise LedgerUnavailableError(f"cost ledger {self.path}: {exc}") from exc
            return cur.rowcount == 1


RESERVED_SQL = "SELECT TOTAL(amount) FROM reservations WHERE scope = ? AND expires > ?"
HELD_SQL = "SELECT TOTAL(amount) FROM reservations WHERE scope = ?"
"""Every hold of a scope, lapsed ones too (they are spend once the next reservation expires them)."""


def _expire(conn: sqlite3.Connection, now: float, released: set[str]) -> list[CallRecord]:
    """Delete the holds that lapsed and write each as spend (:mod:`.lapsed`), in the caller's
    transaction; a hold whose release is queued in this process (its records are queued before
    it) is only deleted."""
    # (no RETURNING: SQLite before 3.35 lacks it; BEGIN IMMEDIATE keeps the two in step)
    rows = conn.execute(
        "SELECT id, scope, amount, expires FROM reservations WHERE expires <= ?", (now,)
    ).fetchall()
    if not rows:
        return []
    conn.execute("DELETE FROM reservations WHERE expires <= ?", (now,))
    lapsed = lapsed_records(
        (rid, sqlite_key_back(scope), amount, expires)
        for rid, scope, amount, expires in rows
        if rid not in released
    )
    if lapsed:
        insert(conn, lapsed, [], [])
    return lapsed
