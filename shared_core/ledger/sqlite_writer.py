"""How a :class:`~shared_core.ledger.sqlite.SQLiteLedger` writes what it queued.

Every record, feedback score and reservation release goes to the ledger's queues first. From a
plain thread they are written at once, as they always were: the caller waits (at most
``busy_timeout_s``) for another process's write lock. From a thread that runs an ``asyncio``
event loop (an ``ainvoke``, an ``astream``, a LlamaIndex ``achat`` ending) they are written at
once when the file is free at that moment (a try that does not wait: a process ending with
``os._exit()`` or SIGTERM once its calls returned keeps them); when it is busy (another
process's lock, the ledger's own write under way, a back-off, a backlog) the caller only queues
them and wakes the ledger's writer thread, started on first use: the loop never waits on the
file, and the writer waits for it, backing off after a failure as any write does. A process
that ends with ``os._exit()`` or a signal while its writer still waits for the file loses what
it queued (``flush()`` before such an exit keeps it). The
exception: a daemonic ``multiprocessing`` child (a ``Pool`` worker) writes at once from its
loops too, since ``Pool.terminate()`` (``with Pool() as pool:``) ends it with SIGTERM, which
runs no exit hook: anything queued would be lost.

One transaction writes everything queued when it starts: usually a call's records and the
release of its hold together, but the writer may commit between the two (the release, queued
after the records, then follows in the next transaction). Never the release first: for that
moment the call's cost is counted twice (its record and its hold), a brief over-count, never
an under-count. Its wait for the file's write lock (``BEGIN IMMEDIATE``, on the write connection,
under the ``_writing`` lock) holds no lock a read or an enqueue needs, nor does the insert of the
rows (no other connection sees them before the commit); the rows are committed and taken off
the queues under ``_lock``, so a read (the stored rows plus the queues, under the same lock)
counts each item exactly once. This rests on one rule: only a write transaction (``_writing``
held) takes items off the front of the queues; anything else only appends, or spills them all
under ``_writing`` (the exit hook, which cannot get it, marks the ledger exited instead). Every write transaction of the
ledger takes the locks in that order: ``_writing``, the file, then ``_lock`` briefly; nothing
holding ``_lock`` waits for the file.

:meth:`flush`, :meth:`close` and the exit hook (:mod:`.spill`) take ``_writing`` too, so what
they spill is exactly what no transaction is committing. A ledger with items a loop queued is
kept alive until its writer has written them (:data:`_busy`): one built per request and dropped
right after its call still writes the call's records and the release of its hold. Otherwise the
writer thread holds the ledger weakly: a ledger dropped while its writes back off is spilled by
its finalizer (its holds lapse at their TTL), and its thread ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing as mp
import sqlite3
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any

from . import spill
from .base import CallRecord, Feedback
from .sqlite_batch import Rejected, busy_file, insert_batch, set_aside
from .sqlite_write_loop import _busy, _notify, _write_loop
from .thread_reserve import finish_reserving

# the logger the ledger has always warned on (callers filter by its name)
logger = logging.getLogger("shared_core.ledger.sqlite")


_on_loop = asyncio._get_running_loop
"""The running event loop of this thread, or ``None`` (~40 ns; ``get_running_loop()`` raising
``RuntimeError`` off a loop costs ~8 times that)."""


def _ended_by_sigterm() -> bool:
    """A daemonic ``multiprocessing`` child (``Pool`` workers): ``multiprocessing`` ends it with
    SIGTERM (``Pool.terminate()``, which ``with Pool() as pool`` runs; its parent's exit),
    which runs no exit hook, so its loops write at once, as before the writer thread (~150 ns).
    A non-daemonic one (uvicorn's workers) ends through ``multiprocessing``'s exit hook."""
    return bool(mp.current_process().daemon)


CLOSE_ROUNDS = 20  # most rounds of writes close() makes before it spills what is left
BATCH_MAX = 500  # most records (and scores, and releases) one write transaction takes
INLINE_MAX = 64  # most items queued for an event loop's write to be tried at once


class _Exited(Exception):
    """The exit hook spilled the queues while this transaction waited for the file."""


class SQLiteWriter:
    """The write half of ``SQLiteLedger`` (a mixin: its connections, locks, queues and
    settings are the ledger's own; :meth:`_init_writer` makes the writer's state)."""

    if TYPE_CHECKING:
        path: str
        busy_timeout_s: float
        retry_after_s: float
        _retry_at: float
        _warned: bool
        _hold_failed: bool
        _lock: threading.RLock
        _pending: list[CallRecord]
        _pending_feedback: list[Feedback]
        _pending_release: list[str]
        _wconn: sqlite3.Connection | None

        def _live_connection(self, write: bool = False) -> sqlite3.Connection: ...
        def _drop_connection(self, write: bool = False) -> None: ...

    def _init_writer(self) -> None:
        """The writer's locks and state (again in a forked child: none of the parent's)."""
        self._writing = threading.Lock()  # one write transaction at a time, and its connection
        self._wake = threading.Condition(self._lock)
        self._writer: threading.Thread | None = None
        self._exited = False
        _busy.pop(id(self), None)  # (a forked child's copy: the parent's writer holds it there)

    # -- queueing ---------------------------------------------------------------------------
    def _queued_locked(self) -> bool:
        """Called with ``_lock`` held after queueing an item: ``True`` when the caller must
        write now (a plain thread, not backing off; on an event loop, a try that does not wait:
        :meth:`_write_now`); else, on an event loop, the writer is woken."""
        if _on_loop() is None or self.path == ":memory:" or _ended_by_sigterm():
            return time.monotonic() >= self._retry_at  # (nothing else can lock ":memory:")
        if time.monotonic() >= self._retry_at and (
            len(self._pending) + len(self._pending_feedback) + len(self._pending_release) <= INLINE_MAX
        ):
            return True
        self._to_writer_locked()
        return False

    def _to_writer_locked(self) -> None:
        if self._writer is None or not self._writer.is_alive():
            self._start_writer_locked()
        _busy[id(self)] = self  # alive until the writer has written it (see _write_loop)
        self._wake.notify()

    def _shared_connection(self) -> contextlib.AbstractContextManager[Any]:
        """Held around a write transaction: ``_lock`` for ``":memory:"`` (one connection for
        reads and writes, and no other process to wait for), else nothing."""
        return self._lock if self.path == ":memory:" else contextlib.nullcontext()

    def _write_now(self) -> None:
        if _on_loop() is None or self.path == ":memory:" or _ended_by_sigterm():
            with self._writing:
                self._write_pending()
            return
        # an event loop: written now if the file is free now (a process that ends with
        # os._exit() or SIGTERM once its calls returned keeps them), else by the writer thread;
        # the loop never waits for the file (nor for the writer, waiting for it)
        if self._writing.acquire(blocking=False):
            try:
                if self._write_pending(at_once=True):
                    return
            finally:
                self._writing.release()
        with self._lock:
            self._to_writer_locked()

    def _start_writer_locked(self) -> None:
        wake = self._wake
        thread = threading.Thread(
            target=_write_loop, args=(weakref.ref(self), wake), name="tier-router-sqlite", daemon=True
        )
        self._writer = thread
        # a dropped ledger's thread wakes up and ends (not at exit: the thread is a daemon)
        weakref.finalize(self, _notify, wake).atexit = False
        thread.start()

    def _writer_due_locked(self) -> float | None:
        """For the writer (``_lock`` held): ``None`` when nothing is queued, else how long to
        wait before the next try (0: now)."""
        if self._exited or not (self._pending or self._pending_feedback or self._pending_release):
            return None
        return max(0.0, self._retry_at - time.monotonic())

    # -- the transaction ----------------------------------------------------------------------
    def _write_pending(self, *, patient: bool = False, at_once: bool = False) -> bool:
        """What is queued now, in transactions of at most :data:`BATCH_MAX` items of each kind
        (see :meth:`_write_batch`): a backlog holds ``_lock`` (every read and enqueue, the
        loop's too) one batch at a time, not all at once."""
        with self._lock:
            total = len(self._pending) + len(self._pending_feedback) + len(self._pending_release)
        for _ in range(total // BATCH_MAX + 2):  # what came later is the next write's
            if not self._write_batch(patient=patient, at_once=at_once):
                return False
            with self._lock:
                if not (self._pending or self._pending_feedback or self._pending_release):
                    break
        return True

    def _write_batch(self, *, patient: bool = False, at_once: bool = False) -> bool:
        """Write everything queued in one transaction (``_writing`` held); an item the database
        refuses is set aside with a warning (:mod:`.sqlite_batch`). A failure of the file keeps
        it all queued, warns once and backs off for ``retry_after_s``; the next try waits 50 ms at
        most (``patient``: the whole ``busy_timeout_s``; ``at_once``: none, and a busy file is
        no failure). ``True`` when what was queued is written. Never raises an ``Exception``."""
        with self._lock:
            if not (self._pending or self._pending_feedback or self._pending_release):
                return True
            degraded = (self._warned or self._hold_failed) and not patient  # a write or a hold failed
        # a retry does not hold the writer (or a caller) on a locked database
        wait_ms = 0 if at_once else 50 if degraded else None
        conn = None
        try:
            with self._shared_connection():
                conn = self._live_connection(write=True)
                if wait_ms is not None:
                    conn.execute(f"PRAGMA busy_timeout = {wait_ms}")
                todo = [0, 0, 0]  # what the transaction writes, until taken off the queues
                committing = False
                rejected: Rejected | None = None
                try:
                    conn.execute("BEGIN IMMEDIATE")  # the wait for other processes: no _lock held
                    with self._lock:  # what this transaction writes: the queues' first items
                        if self._exited:
                            raise _Exited
                        n_rec = min(len(self._pending), BATCH_MAX)
                        # never a release or a score before its call's record (a score takes
                        # its call's variant from it): they go with the last records
                        last = n_rec == len(self._pending)
                        n_fb = min(len(self._pending_feedback), BATCH_MAX) if last else 0
                        n_rel = min(len(self._pending_release), BATCH_MAX) if last else 0
                        todo[:] = n_rec, n_fb, n_rel
                        batch = self._pending[:n_rec], self._pending_release[:n_rel], self._pending_feedback[:n_fb]
                    # inserted holding no _lock (a read waits for the commit only): no other
                    # connection sees these rows before the commit, and the items stay queued
                    # (only this transaction, under _writing, takes items off the front).
                    # An item the database refuses is set aside (sqlite_batch), not kept
                    rejected = insert_batch(conn, *batch)
                    with self._lock:  # committed and taken off the queues at once: each item once
                        if self._exited:  # the exit hook spilled the queues meanwhile
                            raise _Exited
                        committing = True
                        conn.execute("COMMIT")
                        self._trim_locked(todo)
                        self._retry_at = 0.0
                        recovered, self._warned = self._warned, False
                except BaseException as exc:
                    # a Ctrl-C raised just after COMMIT returned: the batch is written, and must
                    # not be written again; otherwise (even right after BEGIN) roll back, or
                    # the file stays write-locked for every other process
                    if committing and not conn.in_transaction and not isinstance(exc, sqlite3.Error):
                        with self._lock:
                            self._trim_locked(todo)
                    elif conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
        except _Exited:
            return True
        except Exception as exc:  # never into the caller's request
            if not (at_once and busy_file(exc)):
                self._failed(exc)
            return False
        finally:
            if wait_ms is not None and conn is not None and conn is self._wconn:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
        if rejected:
            set_aside(self.path, rejected)
        if recovered:
            logger.warning(
                "cost ledger %s: writable again; %d buffered item(s) written", self.path, n_rec + n_fb
            )
        return True

    def _trim_locked(self, todo: list[int]) -> None:
        """Take what a transaction committed (``todo``: how many of each queue) off the queues,
        once (a count is zeroed as soon as its items are gone)."""
        queues: tuple[list[Any], ...] = (self._pending, self._pending_feedback, self._pending_release)
        for i, queue in enumerate(queues):
            if todo[i]:
                del queue[: todo[i]]
                todo[i] = 0

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + self.retry_after_s
            first, self._warned = not self._warned, True
            n = len(self._pending) + len(self._pending_feedback)
        if first:
            logger.warning(
                "cost ledger %s: write failed (%s: %s); %d record(s) kept in memory and "
                "written on the next successful write or flush()",
                self.path,
                type(exc).__name__,
                str(exc),  # not the exception: a kept log record would keep its frames, and this ledger
                n,
            )
        if isinstance(exc, (sqlite3.OperationalError, sqlite3.DatabaseError)):
            self._drop_connection(write=True)

    # -- flush, close, exit -------------------------------------------------------------------
    def flush(self) -> int:
        """Write what is queued now, waiting up to ``busy_timeout_s`` for the file (a blocking
        call, on an event loop too); returns how many records, scores and releases of holds
        are still pending."""
        with self._writing:
            self._write_pending(patient=True)
        return self.pending

    @property
    def pending(self) -> int:
        """Records, feedback and releases of holds waiting in memory for the database."""
        with self._lock:
            return len(self._pending) + len(self._pending_feedback) + len(self._pending_release)

    def close(self) -> None:
        """Flush, keep what still cannot be written in the spill file, release the file.

        Items queued while it writes (a call ending on a loop) are written too, in further
        transactions, while the file takes them (a few rounds at most): only what a failed write
        left goes to the spill file, where no budget of a running process sees it."""
        with self._writing:
            for _ in range(CLOSE_ROUNDS):
                self._write_pending(patient=True)
                with self._lock:
                    if self._writer_due_locked() != 0.0:  # all written, or the write failed
                        break
            with self._lock:
                self._spill_locked()
                self._drop_connection()
                self._drop_connection(write=True)
                self._writer = None  # it ends (nothing left); a later write starts another
                _busy.pop(id(self), None)
                self._wake.notify_all()

    def exit_flush(self, wait_s: float) -> None:
        """At interpreter exit: write what is pending, waiting at most ``wait_s`` for a lock;
        what is still pending then goes to the spill file (see :mod:`.spill`)."""
        end = time.monotonic() + wait_s
        finish_reserving(self, end)  # a reservation under way ends first: its release is written too
        with self._lock:  # (a release alone is written too: else its hold lasts to its TTL)
            if not (self._pending or self._pending_feedback or self._pending_release):
                return
        # the writer may be waiting for the file in a transaction: at most busy_timeout_s
        if not self._writing.acquire(timeout=max(0.0, wait_s)):
            with self._lock:  # it has not committed (that needs _lock): it rolls back
                self._exited = True
                self._spill_locked()
            return
        try:
            saved = self.busy_timeout_s
            self.busy_timeout_s = max(0.05, min(saved, end - time.monotonic()))
            try:
                self._drop_connection(write=True)  # a fresh connection with the shorter wait
                self._warned = False  # not "degraded": use the whole wait
                self._write_pending(patient=True)
            finally:
                self.busy_timeout_s = saved
            with self._lock:
                self._spill_locked()
            self._drop_connection(write=True)
        finally:
            self._writing.release()

    def _spill_locked(self) -> None:
        """(``_writing`` and ``_lock`` held) What is still queued goes to the spill file."""
        if not (self._pending or self._pending_feedback or self._pending_release):
            return
        if self.path != ":memory:" and spill.write(
            self.path, list(self._pending), list(self._pending_feedback),
            releases=list(self._pending_release),  # else the hold counts until its TTL
        ):
            self._pending.clear()
            self._pending_feedback.clear()
            self._pending_release.clear()
        elif self.path == ":memory:":
            logger.error(
                "cost ledger %s: closing with %d unwritten item(s); they are lost",
                self.path,
                len(self._pending) + len(self._pending_feedback) + len(self._pending_release),
            )
