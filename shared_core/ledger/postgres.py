"""`PostgresLedger`: one ledger and one budget for many workers on many hosts.

Needs the ``postgres`` extra (psycopg 3 and psycopg_pool): one driver, the same SQL for
the sync and the async path. Chosen by a ``postgresql://`` or ``postgres://`` URL wherever
a ledger is named.

* **Records never wait for the database.** :meth:`record` queues the record; one writer
  thread writes queued records, feedback and reservation releases in batches, each batch
  one transaction (a call's records and the release of its hold commit together).
* **Outages lose nothing.** While the server is unreachable the queue is kept in memory
  and retried; each record is keyed by ``(call_id, attempt)`` and inserted with
  ``ON CONFLICT DO NOTHING``, so a batch retried after a lost acknowledgement is not
  written twice. Reads include the queued records. A ledger closed while the server is
  down (the process exits) keeps what is unwritten in a local spill file that the next
  ledger opened on that database (any spelling of its URL) writes
  (:func:`spill.server_spill_base`).
* **Budgets.** Spend is kept in per-scope, per-UTC-day counters updated in the record's
  own statement; a reservation takes an advisory lock, reads spend and holds in one
  snapshot and writes its hold in the same transaction.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import time
from collections.abc import Callable, Collection, Sequence
from typing import Any

from ..errors import ConfigError, LedgerUnavailableError
from . import forking, spill
from . import pg_sql as sql
from .base import (
    CallRecord,
    CostLedger,
    Feedback,
    RecordFilter,
    StateChange,
    validate_feedback,
)
from .counters import pending_spend
from .pg_identity import database_identity
from .pg_process import PostgresProcess, connection_kwargs
from .pg_reservations import PostgresReservations
from .pg_schema import create_schema
from .pg_writer import RELEASES, PostgresWriter
from .queued import feedback_with_queued, records_with_queued, unstored
from .thread_reserve import finish_reserving, in_thread

logger = logging.getLogger(__name__)


def _drivers() -> tuple[Any, Any]:
    try:
        import psycopg
        import psycopg_pool
    except ImportError:  # pragma: no cover - exercised without the extra
        raise ConfigError(
            "a postgresql:// ledger needs the postgres extra: pip install 'tier-router[postgres]'",
            field="ledger", value="postgresql://...",
        ) from None
    return psycopg, psycopg_pool


def _redacted(url: str) -> str:
    """The URL without its password (for messages and ``repr``)."""
    head, sep, tail = url.partition("://")
    if "@" not in tail:
        return url
    creds, at, rest = tail.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{head}{sep}{user}{':***' if ':' in creds else ''}{at}{rest}"


class PostgresLedger(PostgresWriter, PostgresProcess, PostgresReservations, CostLedger):
    """A ledger in a PostgreSQL database, shared by every worker that names its URL.

    Its SQL is in :mod:`~shared_core.ledger.pg_sql`, its writer queue in
    :mod:`~shared_core.ledger.pg_writer`, its reservations and alert claims in
    :mod:`~shared_core.ledger.pg_reservations`.

    Args:
        url: ``postgresql://user:password@host:5432/db`` (libpq URL or key=value string).
        salt: salt of prompt hashes; default: one stored in the database on first use.
        pool_size: most connections this process opens (sync path; async has its own).
        connect_timeout_s: how long opening a connection may take.
        retry_after_s: after a failed write or reservation, the database is treated as
            down for this long (calls do not wait on it) before the next try.
        spill_dir: where records still unwritten when the ledger closes (the database down at
            exit) are kept for the next ``PostgresLedger`` on this URL to write; default
            ``~/.cache/tier-router`` (``$XDG_CACHE_HOME``), else the temporary folder.
        lock_timeout_s: longest a statement of the ledger waits for a lock (PostgreSQL's
            ``lock_timeout`` on its connections): a session stuck in a transaction that holds
            the budget lock or a spend row makes the ledger count as unreachable after this
            (``budget.on_ledger_error`` decides) instead of stalling every call.
    """

    def __init__(
        self,
        url: str,
        *,
        salt: str | None = None,
        pool_size: int = 4,
        connect_timeout_s: float = 3.0,
        retry_after_s: float = 1.0,
        spill_dir: str | os.PathLike[str] | None = None,
        lock_timeout_s: float = 5.0,
    ) -> None:
        psycopg, pool_mod = _drivers()
        self.url = url
        self.retry_after_s = retry_after_s
        self._psycopg = psycopg
        self._pool_mod = pool_mod
        self._timeout = connect_timeout_s
        self._kwargs = connection_kwargs(url, psycopg.conninfo.conninfo_to_dict, connect_timeout_s)
        self._pool_size = pool_size
        if not (isinstance(lock_timeout_s, (int, float)) and 0 < lock_timeout_s <= 86400):
            raise ConfigError(
                f"lock_timeout_s must be a number of seconds in (0, 86400], got {lock_timeout_s!r}",
                field="ledger.lock_timeout_s", value=lock_timeout_s,
            )
        self._lock_ms = max(1, int(lock_timeout_s * 1000))
        self._fresh_state()
        self._closed = False
        try:
            self._pool.open(wait=True, timeout=connect_timeout_s)
            with self._pool.connection() as conn:
                stored = create_schema(conn)  # with a salt given too: the tables
                self.salt = salt or stored
        except Exception as exc:
            self._pool.close()
            raise ConfigError(
                f"cannot open the PostgreSQL ledger {_redacted(url)}: {type(exc).__name__}: "
                f"{exc}; check the URL and that the server accepts connections",
                field="ledger.url", value=_redacted(url),
            ) from None
        self._spill = spill.server_spill_base(url, spill_dir)
        rel: list[str] = []
        recs, fb = spill.claim(self._spill, rel)  # what a worker could not write before its exit
        old = spill.legacy_spill_base(url, spill_dir)  # (spilled by a version keyed by the URL)
        if old != self._spill:
            old_recs, old_fb = spill.claim(old, rel)
            recs, fb = recs + old_recs, fb + old_fb
        # the releases after the records: written with them, they drop what a lapse of their
        # holds made spend meanwhile (pg_sql.drop_lapsed), so each call counts once
        self._queue.extend(
            [("record", r) for r in recs] + [("feedback", f) for f in fb]
            + [("release", str(x)) for x in dict.fromkeys(rel)]
        )
        self._start_writer()
        forking.track(self)
        # also in a multiprocessing child, which ends with os._exit() (no atexit): the writer
        # is a daemon thread, and what it had not written yet would vanish, unspilled
        forking.close_at_exit(self)

    # -- writes: queued, written by one thread in batches --------------------------------
    def record(self, rec: CallRecord) -> None:
        self._put("record", rec)

    def record_feedback(self, call_id: str, score: float, source: str = "user") -> None:
        validate_feedback(call_id, score, source)
        self._put("feedback", Feedback(call_id, float(score), source))  # type: ignore[arg-type]

    def release(self, reservation_id: str) -> None:
        self._put("release", reservation_id)

    # -- reads ----------------------------------------------------------------------
    def _read(self, query: str, params: Sequence[Any]) -> list[Any]:
        if time.monotonic() < self._down_until:
            raise LedgerUnavailableError(f"cost ledger {self}: server unreachable (retrying)")
        try:
            with self._pool.connection() as conn:
                return conn.execute(query, sql.pg_params(params)).fetchall()
        except (self._psycopg.Error, self._pool_mod.PoolTimeout) as exc:
            raise self._unavailable(exc, self._pool) from exc

    def select(self, where: RecordFilter) -> list[CallRecord]:
        clauses = (
            ("ts >= %s", where.since), ("ts < %s", where.until), ("tier = %s", where.tier),
            ("status = %s", where.status), ("%s = ANY(tags)", where.tag),
        )
        conds = [c for c, v in clauses if v is not None]
        return self._select(conds, [v for _, v in clauses if v is not None], where.matches)

    def records_of(self, call_ids: Collection[str]) -> list[CallRecord]:
        ids = list(dict.fromkeys(call_ids))
        wanted = set(ids)
        return self._select(["call_id = ANY(%s)"], [ids], lambda r: r.call_id in wanted)

    # Reads do not wait for the queue to be written (a database that takes no writes made
    # every read wait out flush's 10 s): they answer with the stored rows plus what is queued,
    # both read under ``_commit``, so no batch commits and leaves the queue in between (a
    # record is in one of the two, or in both after a write whose acknowledgement was lost:
    # the table keeps one row per (call_id, attempt), and so does the read).
    def _select(
        self, conds: list[str], params: list[Any], matches: Callable[[CallRecord], bool]
    ) -> list[CallRecord]:
        text = "SELECT * FROM tier_router_calls"
        if conds:
            text += " WHERE " + " AND ".join(conds)
        psycopg = self._psycopg
        with self._commit:
            queued = self._pending_records()
            try:
                with self._pool.connection() as conn:
                    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
                    rows = cur.execute(text + " ORDER BY ts, id", sql.pg_params(params)).fetchall()
            except (psycopg.Error, self._pool_mod.PoolTimeout) as exc:
                logger.warning("cost ledger %s: read failed (%s); showing queued only", self, exc)
                rows = []
        stored = [sql.from_row(r) for r in rows]
        return records_with_queued(stored, unstored(queued, stored), matches)

    def feedback(self) -> list[Feedback]:
        return self.recent_feedback(float("-inf"), -1)

    def recent_feedback(
        self, since: float, limit: int, variant: str | None = None
    ) -> list[Feedback]:
        most = None if limit < 0 else limit
        with self._commit:  # (see _select)
            if variant is None:
                rows = self._read(sql.RECENT_FEEDBACK, (since, most))[::-1]
            else:
                rows = self._read(sql.RECENT_FEEDBACK_IN_VARIANT, (variant, since, most))[::-1]
            with self._lock:
                queued = [f for k, f in self._queue if k == "feedback" and f.ts >= since]
        if variant is not None:  # queued entries: their calls' variant, stored or queued
            queued = self.feedback_in_variant(queued, variant)
        stored = (Feedback(sql.text_from_pg(c), s, sql.text_from_pg(src), t) for c, s, src, t in rows)
        return feedback_with_queued(stored, queued, since, limit)

    def knows_call(self, call_id: str) -> bool:
        # the queue first: the writer dequeues a record only after its batch committed
        if any(r.call_id == call_id for r in self._pending_records()):
            return True
        return bool(self._read(sql.KNOWS_CALL, (call_id,)))

    def spend(self, scope: str, since: float) -> float:
        """Known costs in ``scope`` since ``since``: day counters plus queued records."""
        text, params = sql.spend_query(scope, since)
        with self._commit:
            queued = self._pending_records()
            total = sum(float(r[0]) for r in self._read(text, params))
        return total + pending_spend(queued, scope, since)

    async def aspend(self, scope: str, since: float) -> float:
        return await in_thread(self.spend, scope, since)

    def count(self) -> int:
        """Call records stored, plus those still queued to be written (what
        ``len(records())`` says; queued feedback and releases are no records)."""
        with self._commit:  # no batch commits between the count and the queue's (see _select)
            queued = self._pending_records()
            stored = int(self._read("SELECT count(*) FROM tier_router_calls", ())[0][0])
            if queued:  # a queued record already stored (a lost acknowledgement) is one record
                rows = self._read(sql.STORED_KEYS, ([r.call_id for r in queued],))
                queued = unstored(queued, [(sql.text_from_pg(c), a) for c, a in rows])
            return stored + len(queued)

    # -- shared state (the feedback loop's knob), one value for every worker -------------
    def get_state(self, key: str) -> tuple[dict[str, Any] | None, int]:
        rows = self._read(
            "SELECT value, version FROM tier_router_state WHERE key = %s "
            "ORDER BY version DESC LIMIT 1", (key,),
        )
        return (dict(json.loads(sql.text_from_pg(rows[0][0]))), int(rows[0][1])) if rows else (None, 0)

    def put_state(self, key: str, value: dict[str, Any], expected_version: int) -> bool:
        try:
            with self._pool.connection() as conn:
                cur = conn.execute(sql.PUT_STATE, sql.pg_params({
                    "k": key, "v": expected_version, "val": json.dumps(value), "ts": time.time(),
                }))
                return cur.rowcount == 1
        except (self._psycopg.Error, self._pool_mod.PoolTimeout) as exc:
            logger.warning("cost ledger %s: state write failed (%s)", self, exc)
            return False

    def state_history(self, key: str) -> list[StateChange]:
        rows = self._read(
            "SELECT value, version, ts FROM tier_router_state WHERE key = %s ORDER BY version",
            (key,),
        )
        return [StateChange(key, json.loads(sql.text_from_pg(v)), int(n), float(t)) for v, n, t in rows]

    # -- async: the sync methods in threads of their own (:mod:`.thread_reserve`) ---------
    async def aclose(self) -> None:
        """Nothing to close: the async methods use the ledger's one pool, from threads of
        their own (a pool per event loop once outlived ``asyncio.run``). Kept for callers
        written against earlier versions; :meth:`close` closes the ledger."""

    def close(self, timeout_s: float = 10.0) -> None:
        """Write what is queued (waiting up to ``timeout_s``), then keep what the database did
        not take in the spill file that the next ``PostgresLedger`` on this URL writes."""
        if self._closed:
            return
        end = time.monotonic() + timeout_s
        # async reservations under way finish first: a cancelled caller's hold is released
        finish_reserving(self, end)
        self.flush(timeout_s)
        # no batch in flight: the queue is what is unwritten. A statement still waiting on a
        # frozen server holds _commit forever: then the queue is spilled all the same (a
        # record written twice is one record: its key is (call_id, attempt))
        idle = self._commit.acquire(timeout=max(0.1, end - time.monotonic()))
        try:
            with self._lock:
                left, self._queue = self._queue, []
                self._closed = True
                self._wake.notify_all()
        finally:
            if idle:
                self._commit.release()
        if not idle:
            logger.warning(
                "cost ledger %s: closed while a statement still waits on the server; the %d "
                "items queued are kept in the spill file", self, len(left),
            )
        self._writer.join(timeout=5)
        if left:  # releases too: replayed, they release their holds or undo their lapse
            spill.write(
                self._spill,
                [x for k, x in left if k == "record"],
                [x for k, x in left if k == "feedback"],
                releases=[x for k, x in left if k in RELEASES],
            )
        self._pool.close()
        atexit.unregister(self.close)

    @property
    def identity(self) -> tuple[Any, ...]:
        """The database the URL names (:func:`database_identity`): every ledger object on it,
        whatever its password or connection options, is one store."""
        return database_identity(self.url)

    def __repr__(self) -> str:
        return f"PostgresLedger({_redacted(self.url)!r})"

