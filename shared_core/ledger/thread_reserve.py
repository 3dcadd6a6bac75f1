"""The async twins of a ledger whose driver blocks (SQLite, PostgreSQL): run in threads of
their own, never on the event loop and never as tasks of it.

A task of the loop that waits on the database can outlive the caller's ``main``:
``asyncio.run`` then cancels it and waits for it, and a driver that does not end on that
cancellation holds the program at exit (psycopg_pool's async pool catches the
``CancelledError`` of a connection attempt, schedules another and waits on, so a program that
ended while the server was slow to accept hung forever). A thread here is not the loop's:
``asyncio.run`` returns whatever it waits on, each of its waits is bounded by the ledger's
own timeouts, and the ledger's ``close`` (at exit) lets what is under way finish
(:func:`finish_reserving`). Sync and async run the same code: the sync method, in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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


_POOL: ThreadPoolExecutor | None = None
_PREFIX = "tier-router-reserve"
_POOL_LOCK = threading.Lock()


def _reserving() -> ThreadPoolExecutor:
    """The threads async reservations and reads run in (joined at exit, so a hold taken as
    the program ends is still released by :func:`_release_if_held`)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix=_PREFIX)
        return _POOL


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in one of these threads; a cancelled caller leaves it to finish."""
    return await asyncio.wrap_future(_reserving().submit(fn, *args))


async def areserve_in_thread(
    ledger: Reserving, reservation_id: str, amount: float, limits: Sequence[LimitCheck],
    ttl_s: float,
) -> Refusal | None:
    """``ledger.reserve`` in a worker thread. Its caller may be cancelled while the thread
    waits on the database (a deadline, or ``asyncio.run`` ending the program and cancelling
    every task left, the router's shielded one too): the thread then finishes on its own, and
    a hold it took is released there, not left to its TTL."""
    work = _reserving().submit(ledger.reserve, reservation_id, amount, limits, ttl_s)
    try:
        return await asyncio.wrap_future(work)
    except asyncio.CancelledError:
        work.add_done_callback(partial(_release_if_held, ledger, reservation_id))
        raise


def finish_reserving(end: float) -> None:
    """At exit: the reservations under way on the pool finish (a cancelled caller's hold is
    released by :func:`_release_if_held`), then its threads end, waiting until ``end``
    (``time.monotonic()``) at most. A later async reservation starts a new pool."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is None:
        return
    pool.shutdown(wait=False)  # idle threads end now, busy ones after their task
    for thread in threading.enumerate():
        if thread.name.startswith(_PREFIX):
            thread.join(max(0.0, end - time.monotonic()))


def _new_pool_in_child() -> None:
    """A forked child gets the parent's executor without its threads, but counting them (and
    their idle slots): work it submitted would never run. The child starts its own on first use."""
    global _POOL, _POOL_LOCK
    _POOL, _POOL_LOCK = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_pool_in_child)


def _release_if_held(ledger: Reserving, reservation_id: str, work: Future[Any]) -> None:
    """A reservation finished after its caller was cancelled: release what it took."""
    if work.cancelled() or work.exception() is not None or work.result() is not None:
        return  # nothing was held (a refusal holds nothing)
    try:
        ledger.release(reservation_id)
    except Exception:  # the hold lapses at its TTL
        logger.warning("cost ledger: could not release reservation %s of a cancelled call", reservation_id)
