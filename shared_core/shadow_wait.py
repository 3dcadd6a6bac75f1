"""A shadow candidate's decision, waited for at most a bound: a live call is never held up
by the candidate it is measuring.

Sync: the candidate decides in a daemon worker thread while the caller waits up to the bound
(daemon, so a candidate stuck for ever never holds up the interpreter's exit). Threads are
started as calls need them, one per decision waited for, up to :data:`WORKERS` in the process;
an idle one ends after :data:`IDLE_S`. A forked child starts its own (threads do not survive a
fork). One that has not decided by the bound is given up on: :class:`ShadowTimeout` stands for
its decision. If it had not started yet (every thread busy) it is dropped, never run: nothing
would read it, and a judge would be paid for it. One that had started runs to its end in its
thread; if it then paid an LLM judge, its cost is recorded on the live call
(:mod:`shared_core.late_shadow`). Async: the candidate's decision is
cancelled at the bound (a judge request in flight is dropped).
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import logging
import math
import os
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from .errors import ConfigError

__all__ = ["ShadowTimeout", "abounded", "bounded", "check_timeout"]

logger = logging.getLogger("tier_router")

WORKERS = 64
"""The most worker threads the sync path runs at once (shared by every VariantRouter of the
process): above the usual number of sync calls a server has in flight (Starlette / FastAPI run
sync endpoints on 40 threads), so a call waits for no other call's shadow; a bound, so a
candidate stuck for ever ties up at most this many threads (later shadows then time out, and
are dropped, not queued to run)."""

IDLE_S = 10.0
"""An idle worker thread ends after this many seconds without a shadow decision to make."""


class ShadowTimeout(Exception):  # stands for a decision never made (never raised)
    """The shadow candidate had not decided within the bound."""


def check_timeout(value: Any) -> float | None:
    """``shadow_timeout_s`` as given: a positive number of seconds, or ``None`` (no bound)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value <= 0:
        raise ConfigError(
            f"shadow_timeout_s must be a positive number of seconds or None, got {value!r}",
            field="shadow_timeout_s", value=value,
        )
    return float(value)


class _Job:
    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn = fn
        self.done = threading.Event()
        self.result: Any = None
        self.late: Callable[[Any], None] | None = None
        self.lock = threading.Lock()

    def finish(self, result: Any) -> None:
        with self.lock:
            self.result = result
            self.done.set()
            late = self.late
        if late is not None:
            late(result)


class _Pool:
    """Jobs not yet started, and the threads that run them (started on demand, up to a bound)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.queued: collections.deque[_Job] = collections.deque()
        self.threads = 0
        self.idle = 0

    def put(self, job: _Job) -> None:
        with self.lock:
            self.queued.append(job)
            if len(self.queued) <= self.idle or self.threads >= WORKERS:
                self.wake.notify()  # an idle thread takes it (or the next one freed)
                return
            self.threads += 1
            try:
                threading.Thread(target=self._work, name=f"tier-router-shadow-{self.threads}",
                                 daemon=True).start()
            except RuntimeError as exc:  # no thread to be had: it waits for one, or is dropped
                self.threads -= 1
                logger.warning("shadow variant: could not start a worker thread (%s)", exc)

    def drop(self, job: _Job) -> bool:
        """Whether ``job`` was still waiting for a thread (it is then never run)."""
        with self.lock:
            try:
                self.queued.remove(job)
            except ValueError:
                return False
            return True

    def _next(self) -> _Job | None:
        with self.lock:
            while not self.queued:
                self.idle += 1
                woken = self.wake.wait(IDLE_S)
                self.idle -= 1
                if not woken and not self.queued:
                    self.threads -= 1
                    return None
            return self.queued.popleft()

    def _work(self) -> None:
        while (job := self._next()) is not None:
            try:
                result = job.fn()
            except BaseException as exc:  # handed to the caller, whatever it is
                result = exc
            try:
                job.finish(result)
            except Exception:
                logger.exception("shadow variant: could not report a late decision")
            del job, result  # an idle thread keeps no request alive


_pool = _Pool()


def _new_pool_in_child() -> None:
    """In a forked child: the parent's threads are gone, and its lock may be held for ever."""
    global _pool
    _pool = _Pool()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_pool_in_child)


def bounded(fn: Callable[[], Any], timeout: float, late: Callable[[Any], None]) -> Any:
    """``fn()``'s result or the exception it raised, or :class:`ShadowTimeout` after
    ``timeout`` s; then ``late(result)`` is called when it ends (``fn`` not yet started by
    then is never run)."""
    ctx = contextvars.copy_context()  # the caller's context (route_context, callbacks)
    job = _Job(lambda: ctx.run(fn))
    pool = _pool
    pool.put(job)
    if job.done.wait(timeout):
        return job.result
    if not pool.drop(job):
        with job.lock:
            if job.done.is_set():
                return job.result
            job.late = late
    return ShadowTimeout(f"no decision within {timeout:g} s")


async def abounded(coro: Coroutine[Any, Any, Any], timeout: float) -> Any:
    """The coroutine's result or the exception it raised, or :class:`ShadowTimeout` (it is
    cancelled) after ``timeout`` s. The caller's own cancellation goes through."""
    task = asyncio.ensure_future(coro)
    try:
        done, _ = await asyncio.wait({task}, timeout=timeout)
    except BaseException:
        task.cancel()
        raise
    if not done:
        task.cancel()
        return ShadowTimeout(f"no decision within {timeout:g} s")
    try:
        return task.result()
    except Exception as exc:
        return exc
