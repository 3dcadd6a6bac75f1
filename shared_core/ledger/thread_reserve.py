"""The async twins of a ledger whose driver blocks (SQLite, PostgreSQL): run in threads of
their own, never on the event loop and never as tasks of it.

A task of the loop that waits on the database can outlive the caller's ``main``:
``asyncio.run`` then cancels it and waits for it, and a driver that does not end on that
cancellation holds the program at exit (psycopg_pool's async pool catches the
``CancelledError`` of a connection attempt, schedules another and waits on, so a program that
ended while the server was slow to accept hung forever). A thread here is not the loop's:
``asyncio.run`` returns whatever it waits on, and the ledger's ``close`` (at exit) lets what
is under way finish, until its deadline (:func:`finish_reserving`). A wait no timeout bounds
(a query on a frozen server: its host still acknowledges, the server never answers) holds only
its thread: the threads are daemon threads, which interpreter exit does not join. Each ledger
has threads of its own, so closing one does not wait for another's work. Sync and async run
the same code: the sync method, in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from functools import partial
from typing import Any, Protocol, TypeVar

from .base import LimitCheck, Refusal

logger = logging.getLogger("tier_router")

T = TypeVar("T")


class Reserving(Protocol):
    """What :func:`areserve_in_thread` calls: a ledger's blocking ``reserve`` and ``release``."""

    def reserve(
        self, reservation_id: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
    ) -> Refusal | None: ...

    def release(self, reservation_id: str) -> None: ...


_PREFIX = "tier-router-reserve"
_WORKERS = 4
_IDLE_S = 30.0
"""A worker idle this long ends (a ledger that is never closed leaves no threads behind)."""


class _Pool:
    """One ledger's worker threads: daemon threads (interpreter exit does not join them: one
    waiting on a frozen server would hold the program forever; the ledger's own ``close``
    waits for them up to its deadline, :func:`finish_reserving`), at most :data:`_WORKERS`,
    each ending after :data:`_IDLE_S` idle. ``busy`` counts work submitted and not finished
    (its done-callbacks included: a cancelled caller's release is part of it)."""

    def __init__(self) -> None:
        self.pid = os.getpid()  # a forked child gets a pool of its own (these threads are not there)
        self.cond = threading.Condition()
        self.work: deque[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = deque()
        self.threads = 0
        self.idle = 0
        self.busy = 0

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        fut: Future[T] = Future()
        with self.cond:
            self.work.append((fut, fn, args))
            self.busy += 1
            if self.idle == 0 and self.threads < _WORKERS:
                self.threads += 1
                threading.Thread(target=self._run, name=f"{_PREFIX}-{self.threads}", daemon=True).start()
            else:
                self.cond.notify()
        return fut

    def _run(self) -> None:
        while True:
            with self.cond:
                while not self.work:
                    self.idle += 1
                    woke = self.cond.wait(_IDLE_S)
                    self.idle -= 1
                    if not woke and not self.work:
                        self.threads -= 1
                        return
                fut, fn, args = self.work.popleft()
            try:
                if fut.set_running_or_notify_cancel():
                    try:
                        result = fn(*args)
                    except BaseException as exc:  # the caller's to see
                        fut.set_exception(exc)
                    else:
                        fut.set_result(result)  # runs its done-callbacks, here
                        del result
            finally:
                # an idle worker keeps no reference to the ledger: one dropped is collected
                del fut, fn, args
                with self.cond:
                    self.busy -= 1
                    self.cond.notify_all()

    def wait_idle(self, end: float) -> None:
        """Until nothing submitted is under way, or ``end`` (``time.monotonic()``)."""
        with self.cond:
            while self.busy and (left := end - time.monotonic()) > 0:
                self.cond.wait(left)


_POOLS: dict[int, _Pool] = {}
_POOLS_LOCK = threading.Lock()


def _pool(owner: object, *, make: bool = True) -> _Pool | None:
    """``owner``'s pool (a ledger's own: closing one waits for its work, not another's)."""
    key = id(owner)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if (pool is None or pool.pid != os.getpid()) and make:
            pool = _POOLS[key] = _Pool()
            weakref.finalize(owner, _POOLS.pop, key, None)
        return pool if pool is not None and pool.pid == os.getpid() else None


def _new_pools_in_child() -> None:
    """A forked child has none of the parent's workers, and the lock may have been held by a
    thread that is not there: each ledger starts its own pool on first use."""
    global _POOLS_LOCK
    _POOLS.clear()
    _POOLS_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_pools_in_child)


def _submit(fn: Callable[..., T], *args: Any) -> Future[T]:
    """``fn(*args)`` on the pool of the ledger ``fn`` is a method of."""
    owner = getattr(fn, "__self__", fn)
    pool = _pool(owner)
    assert pool is not None
    return pool.submit(fn, *args)


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` (a ledger's method) in one of that ledger's threads; a cancelled caller
    leaves it to finish."""
    return await asyncio.wrap_future(_submit(fn, *args))


async def areserve_in_thread(
    ledger: Reserving, reservation_id: str, amount: float, limits: Sequence[LimitCheck],
    ttl_s: float,
) -> Refusal | None:
    """``ledger.reserve`` in a worker thread. Its caller may be cancelled while the thread
    waits on the database (a deadline, or ``asyncio.run`` ending the program and cancelling
    every task left, the router's shielded one too): the thread then finishes on its own, and
    a hold it took is released there, not left to its TTL."""
    work = _submit(ledger.reserve, reservation_id, amount, limits, ttl_s)
    try:
        return await asyncio.wrap_future(work)
    except asyncio.CancelledError:
        work.add_done_callback(partial(_release_if_held, ledger, reservation_id))
        raise


def finish_reserving(owner: object, end: float) -> None:
    """At close or exit: ``owner``'s work under way (its reservations and reads) finishes (a
    cancelled caller's hold is released by :func:`_release_if_held`), waiting until ``end``
    (``time.monotonic()``) at most. Other ledgers' work is not waited for."""
    pool = _pool(owner, make=False)
    if pool is not None:
        pool.wait_idle(end)


def _release_if_held(ledger: Reserving, reservation_id: str, work: Future[Any]) -> None:
    """A reservation finished after its caller was cancelled: release what it took."""
    if work.cancelled() or work.exception() is not None or work.result() is not None:
        return  # nothing was held (a refusal holds nothing)
    try:
        ledger.release(reservation_id)
    except Exception:  # the hold lapses at its TTL
        logger.warning("cost ledger: could not release reservation %s of a cancelled call", reservation_id)
