"""What each process using a :class:`~shared_core.ledger.postgres.PostgresLedger` owns alone.

Its connection pool, its locks, its queue of items to write and the writer thread draining it
cannot be shared with another process. :class:`PostgresProcess` builds them when the ledger
is opened, and again in a forked child (:mod:`~shared_core.ledger.forking`), where the copies
inherited from the parent would speak on the parent's sockets and have no writer thread.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from ..errors import LedgerBusyError, LedgerUnavailableError
from . import forking

STATEMENT_SLACK_S = 60.0
"""How much longer than ``lock_timeout_s`` a statement of the ledger may run (PostgreSQL's
``statement_timeout``): its statements are small (one batch, one reservation); a lock wait
is bounded by ``lock_timeout`` already."""

TCP_SETTINGS = {
    "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3,
    "tcp_user_timeout": 60_000,
}
"""libpq settings that end a connection whose host stopped answering on the network (a
dropped route, a powered-off host: sent data unacknowledged for 60 s, or an idle connection
unanswered after 30 + 3 x 10 s) instead of waiting forever. A server process that is frozen
(SIGSTOP) while its host's kernel still acknowledges is not detected this way: the ledger's
threads are daemon threads and its ``close`` waits for them only until its deadline."""


def statement_ms(lock_ms: int) -> int:
    """The ``statement_timeout`` of a ledger whose ``lock_timeout`` is ``lock_ms``."""
    return lock_ms + int(STATEMENT_SLACK_S * 1000)


def connection_kwargs(url: str, conninfo_to_dict: Any, connect_timeout_s: float) -> dict[str, Any]:
    """The connection settings of a ledger on ``url``: :data:`TCP_SETTINGS` where the URL does
    not set them itself (its own word wins), autocommit and the connect timeout."""
    try:
        given = conninfo_to_dict(url)
    except Exception:  # an unreadable URL fails on connect, with the driver's message
        given = {}
    out: dict[str, Any] = {k: v for k, v in TCP_SETTINGS.items() if k not in given}
    out.update({"autocommit": True, "connect_timeout": max(1, int(connect_timeout_s))})
    return out


class PostgresProcess:
    """The per-process half of ``PostgresLedger`` (a mixin: the settings it reads are the
    ledger's own)."""

    url: str
    _psycopg: Any
    _pool_mod: Any
    _pool_size: int
    _kwargs: dict[str, Any]
    _timeout: float
    _lock_ms: int
    _closed: bool
    _writer: threading.Thread
    retry_after_s: float

    def _write_loop(self) -> None:  # pragma: no cover - the ledger's own
        raise NotImplementedError

    def _fresh_state(self) -> None:
        """The pool (not open yet), the locks and an empty queue: what each process needs."""
        self._pool = self._pool_mod.ConnectionPool(
            self.url, min_size=1, max_size=self._pool_size, kwargs=self._kwargs, open=False,
            timeout=self._timeout, name="tier-router-ledger", configure=self._configure,
        )
        self._lock = threading.Lock()
        # held while a batch is written and dequeued, so a sync read of database + queue
        # sees each record exactly once (the async reads are the sync ones, in threads)
        self._commit = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queue: list[tuple[str, Any]] = []
        self._down_until = 0.0
        self._write_after = 0.0  # the writer's own back-off after a failed batch
        self._warned = False

    def _unavailable(self, exc: BaseException, pool: Any = None) -> LedgerUnavailableError:
        """The error for ``exc``; an outage (:meth:`_outage`: no connection, a lock timeout)
        marks the server down for ``retry_after_s``, a refused statement does not. A pool
        wait that timed out while every connection was open and in use is
        :class:`LedgerBusyError` instead, and marks nothing."""
        if pool is not None and isinstance(exc, self._pool_mod.PoolTimeout) and _all_in_use(pool):
            return LedgerBusyError(
                f"cost ledger {self}: all {self._pool_size} connections stayed in use for "
                f"{self._timeout:g}s (a burst of concurrent calls; the server answers)"
            )
        if not self._outage(exc):  # one statement refused: the next call is checked as usual
            return LedgerUnavailableError(
                f"cost ledger {self}: query refused ({type(exc).__name__}: {exc})"
            )
        self._down_until = time.monotonic() + self.retry_after_s
        return LedgerUnavailableError(f"cost ledger {self}: {type(exc).__name__}: {exc}")

    def _outage(self, exc: BaseException) -> bool:
        """Whether ``exc`` means the server cannot serve the ledger now (no connection, a lock
        or statement timeout, a shutdown: psycopg's ``OperationalError``, ``InterfaceError``,
        a pool timeout), not that it refused one statement or item (``DataError``,
        ``ProgrammingError``, ...), which waiting would not change."""
        p = self._psycopg
        return isinstance(exc, (p.OperationalError, p.InterfaceError, self._pool_mod.PoolTimeout))

    def _configure(self, conn: Any) -> None:
        """Every connection of the ledger waits at most ``lock_timeout_s`` for a lock, and a
        statement runs at most :data:`STATEMENT_SLACK_S` longer than that (a server that is
        slow but alive ends it; the schema's creation lifts both for its own transaction)."""
        conn.execute(f"SET lock_timeout = {self._lock_ms}")
        conn.execute(f"SET statement_timeout = {statement_ms(self._lock_ms)}")

    def _start_writer(self) -> None:
        self._writer = threading.Thread(target=self._write_loop, name="tier-router-pg", daemon=True)
        self._writer.start()

    def _after_fork(self) -> None:
        """In a forked child: connections and a writer thread of its own (the parent's pools
        stay open and unused there), and none of the parent's queued items."""
        if self._closed:
            return
        forking.keep(self._pool)
        self._fresh_state()
        self._pool.open(wait=False)
        self._start_writer()

def _all_in_use(pool: Any) -> bool:
    """Whether ``pool`` holds its full size of open connections, none of them free."""
    stats = pool.get_stats()
    return bool(stats.get("pool_size", 0) >= stats.get("pool_max", 1) and not stats.get("pool_available"))
