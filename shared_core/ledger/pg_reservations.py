"""Budget holds in a PostgreSQL ledger: reservations, held money and alert claims.

:class:`PostgresReservations` is the part of :class:`~shared_core.ledger.postgres.PostgresLedger`
that budgets use (see :mod:`shared_core.budget`): a reservation takes an advisory lock, reads
spend and holds in one snapshot and writes its hold in the same transaction, on the sync
and the async path alike.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import LedgerUnavailableError
from . import pg_sql as sql
from .base import CallRecord, CostLedger, LimitCheck, Refusal, day_start, fits
from .counters import pending_spend
from .lapsed import warn_lapsed
from .thread_reserve import areserve_in_thread, in_thread


class PostgresReservations(CostLedger):
    """Reservations and alert claims of :class:`~shared_core.ledger.postgres.PostgresLedger`
    (a mixin: the pools, locks and queue it uses are the ledger's own; ``held`` falls back
    on :class:`CostLedger`'s for periods that do not start at a UTC midnight)."""

    if TYPE_CHECKING:
        _pool: Any
        _psycopg: Any
        _pool_mod: Any
        _commit: threading.Lock
        _down_until: float

        def _queued(self) -> tuple[list[CallRecord], list[str]]: ...
        def _read(self, query: str, params: Sequence[Any]) -> list[Any]: ...
        def _unavailable(self, exc: BaseException, pool: Any = None) -> LedgerUnavailableError: ...

    # -- reservations -----------------------------------------------------------------
    def reserve(
        self, reservation_id: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
    ) -> Refusal | None:
        if time.monotonic() < self._down_until:
            raise LedgerUnavailableError(f"cost ledger {self}: server unreachable (retrying)")
        try:
            with self._commit, self._pool.connection() as conn, conn.transaction():
                queued, released = self._queued()
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (sql.BUDGET_LOCK,))
                # the tables in the schema's order before EXPIRE locks hold rows: its lapse
                # records then go into the calls table, and a worker creating or upgrading the
                # schema holds the calls table and waits for the reservations (deadlock)
                conn.execute(sql.LOCK_TABLES)
                lapsed, params = sql.lapsed_params(conn.execute(sql.EXPIRE).fetchall(), released)
                if params:
                    conn.cursor().executemany(sql.INSERT_RECORD, params)
                rows = conn.execute(*_sent(_held_query(limits, released))).fetchall()
                refusal = _judge(limits, rows, amount, queued)
                if refusal is None:
                    conn.execute(*_sent(_hold_query(reservation_id, amount, limits, ttl_s)))
        except (self._psycopg.Error, self._pool_mod.PoolTimeout) as exc:
            raise self._unavailable(exc, self._pool) from exc
        warn_lapsed(lapsed, self)  # committed (a refusal commits too: what lapsed stays spent)
        return refusal

    async def areserve(
        self, reservation_id: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
    ) -> Refusal | None:
        """:meth:`reserve` in a thread of its own (:func:`areserve_in_thread`: a hold taken
        after the caller was cancelled is released there)."""
        return await areserve_in_thread(self, reservation_id, amount, limits, ttl_s)

    def renew(self, reservation_ids: Sequence[str], ttl_s: float) -> None:
        """One ``UPDATE``, expiring by the server's clock as a hold does."""
        try:
            with self._pool.connection() as conn:
                conn.execute(sql.RENEW, (float(ttl_s), sql.pg_text(list(reservation_ids))))
        except (self._psycopg.Error, self._pool_mod.PoolTimeout) as exc:
            raise self._unavailable(exc, self._pool) from exc

    def reserved(self, scope: str) -> float:
        released = self._queued()[1]
        return float(self._read(sql.RESERVED, (scope, released))[0][0])

    async def areserved(self, scope: str) -> float:
        return await in_thread(self.reserved, scope)

    def held(self, scope: str, since: float) -> float:
        """Spend and live reservations in one round trip (aligned periods)."""
        if since != day_start(since):
            return super().held(scope, since)
        with self._commit:
            queued, released = self._queued()
            rows = self._read(*_held_query([LimitCheck(scope, since, 0.0)], released))
        return float(rows[0][1]) + float(rows[0][2]) + pending_spend(queued, scope, since)

    async def aheld(self, scope: str, since: float) -> float:
        return await in_thread(self.held, scope, since)

    def claim_alert(self, scope: str, period: str, since: float, fraction: float) -> bool:
        try:
            with self._pool.connection() as conn:
                cur = conn.execute(*_sent((sql.CLAIM_ALERT, (scope, period, since, fraction, time.time()))))
                return cur.rowcount == 1
        except (self._psycopg.Error, self._pool_mod.PoolTimeout) as exc:
            raise self._unavailable(exc, self._pool) from exc


def _sent(query: tuple[str, tuple[Any, ...]]) -> tuple[str, tuple[Any, ...]]:
    """A query with its text parameters as sent (:func:`pg_sql.pg_params`, applied once:
    ``_read`` and ``_aread`` apply it themselves)."""
    return query[0], sql.pg_params(query[1])


def _held_query(limits: Sequence[LimitCheck], released: list[str]) -> tuple[str, tuple[Any, ...]]:
    scopes = [lim.scope for lim in limits]
    return sql.HELD, (released, scopes, [day_start(lim.since) for lim in limits])


def _hold_query(
    rid: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
) -> tuple[str, tuple[Any, ...]]:
    """The hold, expiring ``ttl_s`` after the server's clock (:data:`pg_sql.DB_NOW`)."""
    scopes = list(dict.fromkeys(lim.scope for lim in limits))  # one row each
    return sql.HOLD, (rid, max(0.0, amount), float(ttl_s), scopes)


def _judge(
    limits: Sequence[LimitCheck], rows: list[Any], amount: float, queued: list[CallRecord]
) -> Refusal | None:
    """The first limit the reservation does not fit (rows: scope, spent, reserved)."""
    for lim, (_, spent, reserved) in zip(limits, rows):
        held = float(spent) + float(reserved) + pending_spend(queued, lim.scope, lim.since)
        if not fits(held, amount, lim.limit_usd):
            return Refusal(lim, held)
    return None
