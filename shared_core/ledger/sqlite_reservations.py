"""Budget holds in a SQLite ledger file: reservations and alert claims.

:class:`SQLiteReservations` is the part of :class:`~shared_core.ledger.sqlite.SQLiteLedger`
that budgets use (see :mod:`shared_core.budget`): a reservation checks spend, buffered
records and live holds and writes its own hold in one ``BEGIN IMMEDIATE`` transaction,
so every process sharing the file takes its turn.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import LedgerUnavailableError
from .base import CallRecord, LimitCheck, Refusal, fits
from .counters import pending_spend
from .sqlite_sql import _reserved_sql, _spend_sql


class SQLiteReservations:
    """Reservations and alert claims of :class:`~shared_core.ledger.sqlite.SQLiteLedger` (a
    mixin: the connection, lock and buffer it uses are the ledger's own)."""

    if TYPE_CHECKING:
        path: str
        _lock: threading.RLock
        _pending: list[CallRecord]
        _retry_at: float

        def _live_connection(self) -> sqlite3.Connection: ...
        def _drop_connection(self) -> None: ...
        def _query(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]: ...
        def _flush_locked(self, *, patient: bool = False) -> None: ...
        async def _to_thread(self, fn: Any, *args: Any) -> Any: ...

    # -- reservations -----------------------------------------------------------------
    def reserve(
        self, reservation_id: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
    ) -> Refusal | None:
        """One ``BEGIN IMMEDIATE`` transaction: every process sharing the file waits its turn."""
        with self._lock:
            if self._pending and time.monotonic() >= self._retry_at:
                self._flush_locked()
            now = time.time()
            try:
                conn = self._live_connection()
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute("DELETE FROM reservations WHERE expires <= ?", (now,))
                    for lim in limits:
                        held = (
                            _spend_sql(conn, lim.scope, lim.since)
                            + pending_spend(self._pending, lim.scope, lim.since)
                            + _reserved_sql(conn, lim.scope, now)
                        )
                        if not fits(held, amount, lim.limit_usd):
                            conn.execute("ROLLBACK")
                            return Refusal(lim, held)
                    conn.executemany(
                        "INSERT INTO reservations (id, scope, amount, expires) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (id, scope) DO UPDATE SET "
                        "amount = amount + excluded.amount, expires = excluded.expires",
                        [
                            (reservation_id, sc, max(0.0, amount), now + ttl_s)
                            for sc in dict.fromkeys(lim.scope for lim in limits)
                        ],
                    )
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                self._drop_connection()
                raise LedgerUnavailableError(
                    f"cost ledger {self.path}: cannot reserve ({type(exc).__name__}: {exc})"
                ) from exc
        return None

    async def areserve(
        self, reservation_id: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
    ) -> Refusal | None:
        return await self._to_thread(self.reserve, reservation_id, amount, limits, ttl_s)

    def reserved(self, scope: str) -> float:
        rows = self._query(
            "SELECT TOTAL(amount) FROM reservations WHERE scope = ? AND expires > ?",
            (scope, time.time()),
        )
        return float(rows[0][0]) if rows else 0.0

    def claim_alert(self, scope: str, period: str, since: float, fraction: float) -> bool:
        with self._lock:
            try:
                cur = self._live_connection().execute(
                    "INSERT OR IGNORE INTO alerts (scope, period, since, fraction, ts) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (scope, period, since, fraction, time.time()),
                )
            except sqlite3.Error as exc:
                self._drop_connection()
                raise LedgerUnavailableError(f"cost ledger {self.path}: {exc}") from exc
            return cur.rowcount == 1
