"""What a forked worker does with the ledgers its parent opened.

Servers often build the model, and so open its ledger, before they fork their workers
(gunicorn ``--preload``, Celery's prefork pool, ``multiprocessing`` with fork). A child then
holds copies of its parent's ledger objects: the same SQLite connection (which SQLite forbids
using across a fork), the same PostgreSQL sockets (two processes speaking on one socket), and
no threads (a ``PostgresLedger`` has no writer left: nothing it records is written).

:func:`track` registers a ledger; in every forked child :func:`os.register_at_fork` runs its
``_after_fork()``, which gives the child connections of its own and drops the items its parent
had queued (they are the parent's to write). The parent's connection objects are kept
referenced in the child (:func:`keep`), never closed there: closing would end the parent's
session (PostgreSQL's terminate message goes down the shared socket).

A ``multiprocessing`` child (fork start method, ``Pool`` workers) ends with ``os._exit()``,
which skips ``atexit``: :func:`close_at_exit` also closes a ledger from ``multiprocessing``'s
own exit hook (a :class:`multiprocessing.util.Finalize`), registered again in each such child
since the child starts with an empty list of them; :func:`exit_flush_in_children` runs a
ledger's bounded exit flush there instead (weakly: a SQLite ledger may be built per request and
dropped).
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import os
import sys
import threading
import time
import weakref
from functools import partial
from multiprocessing import util as mp_util
from typing import Any, Protocol

EXIT_PRIORITY = 10
"""Of the ``multiprocessing`` finalizer that closes a ledger (higher runs earlier; >= 0 runs
in a child's exit before its non-daemon children are joined)."""


class Forkable(Protocol):
    def _after_fork(self) -> None: ...


class Closable(Protocol):
    def close(self) -> None: ...


def close_at_exit(ledger: Closable) -> None:
    """Close ``ledger`` when this process ends: from ``atexit``, and from ``multiprocessing``'s
    exit hook in this process and in every ``multiprocessing`` child forked from it (where
    ``atexit`` does not run). ``close()`` must do nothing the second time."""
    atexit.register(ledger.close)
    _close_from_multiprocessing(ledger)
    mp_util.register_after_fork(ledger, _close_from_multiprocessing)  # the child's own hook


def _close_from_multiprocessing(ledger: Closable) -> None:
    # weakly: the hook must not keep a dropped ledger alive
    mp_util.Finalize(ledger, _close, args=(weakref.ref(ledger),), exitpriority=EXIT_PRIORITY)


def _close(ref: weakref.ref[Any]) -> None:
    ledger = ref()
    if ledger is not None:
        ledger.close()


class ExitFlushable(Protocol):
    def exit_flush(self, wait_s: float) -> None: ...


def exit_flush_in_children(ledger: ExitFlushable, wait_s: float) -> None:
    """In this process if it is a ``multiprocessing`` child (a ``Pool`` initializer, or a router
    built on a worker's first task), and in every ``multiprocessing`` child forked from it (both
    end with ``os._exit()``, skipping the ``atexit`` hook of :mod:`.spill`), run
    ``ledger.exit_flush(wait_s)`` from ``multiprocessing``'s exit hook. Weakly: a dropped ledger
    is not kept alive (its own finalizer spills it)."""
    if mp.parent_process() is not None:
        _exit_flush_from_multiprocessing(ledger, wait_s)
    mp_util.register_after_fork(ledger, partial(_exit_flush_from_multiprocessing, wait_s=wait_s))


def _exit_flush_from_multiprocessing(ledger: ExitFlushable, wait_s: float) -> None:
    mp_util.Finalize(
        ledger, _exit_flush, args=(weakref.ref(ledger), wait_s), exitpriority=EXIT_PRIORITY
    )


def _exit_flush(ref: weakref.ref[Any], wait_s: float) -> None:
    ledger = ref()
    if ledger is not None:
        end = time.monotonic() + wait_s
        _join_non_daemon_threads(end)
        ledger.exit_flush(max(0.05, end - time.monotonic()))


def _join_non_daemon_threads(end: float) -> None:
    """``multiprocessing`` runs its exit hooks before the interpreter joins the child's
    non-daemon threads: what such a thread records after the target returned (a server's
    loop thread, or a task still running on an executor's worker) came after the exit flush,
    and was lost. They are waited for first, within the exit's wait (the child waits for them
    anyway before it ends). Not an idle ``concurrent.futures`` executor worker: it ends only in
    the interpreter's shutdown, after this hook, so waiting for it waited out the whole
    ``wait_s`` at every exit (the pool of async SQLite reservations, a caller's pool never shut
    down). Until no thread is left to wait for in one pass: a task may submit another."""
    me, main = threading.current_thread(), threading.main_thread()
    while time.monotonic() < end:
        waiting = [
            thread for thread in threading.enumerate()
            if thread is not me and thread is not main and not thread.daemon
            and thread.is_alive() and not _idle_executor_worker(thread)
        ]
        if not waiting:
            return
        waiting[0].join(min(_POLL_S, max(0.0, end - time.monotonic())))


_POLL_S = 0.02  # how often an executor's worker is looked at again while it runs a task


def _idle_executor_worker(thread: threading.Thread) -> bool:
    """Whether ``thread`` is a ``concurrent.futures.ThreadPoolExecutor`` worker with nothing to
    do: waiting in its work queue's ``get`` (no Python frame under the worker loop's own) while
    that queue is empty. A worker running a task, or with one queued, is not."""
    from concurrent.futures import thread as futures_thread

    if getattr(thread, "_target", None) is not futures_thread._worker:
        return False
    args: tuple[Any, ...] = getattr(thread, "_args", ())
    queue = args[1] if len(args) > 1 else None
    frame = sys._current_frames().get(thread.ident) if thread.ident is not None else None
    return (
        frame is not None and frame.f_code is futures_thread._worker.__code__
        and queue is not None and queue.empty()
    )


_tracked: weakref.WeakSet[Any] = weakref.WeakSet()
_kept: list[Any] = []
_lock = threading.Lock()
_hooked = False


_held = threading.local()  # the locks the forking thread took (two threads may fork at once)


def track(ledger: Forkable) -> None:
    """Run ``ledger._after_fork()`` in every child forked from this process from now on; and
    before each fork, take the locks ``ledger._fork_locks()`` names (if it has that method)."""
    global _hooked
    with _lock:
        _tracked.add(ledger)
        if not _hooked and hasattr(os, "register_at_fork"):
            os.register_at_fork(before=_before, after_in_parent=_in_parent, after_in_child=_in_child)
            _hooked = True


def _before() -> None:
    """Before a fork: take each tracked ledger's locks (``_fork_locks()``: for a SQLite ledger
    ``_writing`` then ``_lock``, its documented order), so no transaction or read is under way
    in the copied connections. A fork while the writer was inside its transaction left the child
    with SQLite's in-process lock state of that transaction (the file's write lock seen as held
    by the parent's connection, kept unclosed in the child): the child could never write, or
    hung opening a connection. Bounded: a ledger whose lock is not free within its
    ``busy_timeout_s`` (the longest of them in all) is forked as it is."""
    taken: list[Any] = []
    _held.locks = taken
    if not _lock.acquire(timeout=1.0):
        return
    taken.append(_lock)
    ledgers = sorted((led for led in list(_tracked) if hasattr(led, "_fork_locks")), key=id)
    wait_s = max((float(getattr(led, "busy_timeout_s", 0.0)) for led in ledgers), default=0.0)
    end = time.monotonic() + wait_s
    for led in ledgers:
        for lock in led._fork_locks():
            if not lock.acquire(timeout=max(0.0, end - time.monotonic())):
                break  # (and not the next one: the order)
            taken.append(lock)


def _in_parent() -> None:
    for lock in reversed(getattr(_held, "locks", ())):
        lock.release()
    _held.locks = []


def keep(obj: Any) -> None:
    """Hold ``obj`` (a parent's connection or pool) for the child's lifetime, unclosed."""
    if obj is not None:
        _kept.append(obj)


def _in_child() -> None:
    global _lock, _held
    _lock = threading.Lock()  # held by _before (or by another thread of the parent)
    _held = threading.local()  # the ledgers' locks it took are replaced by _after_fork()
    for ledger in list(_tracked):
        ledger._after_fork()
