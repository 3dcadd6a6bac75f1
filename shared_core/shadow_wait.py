"""A shadow candidate's decision, waited for at most a bound: a live call is never held up
by the candidate it is measuring.

Sync: the candidate decides in a daemon worker thread (a small pool of them, started on
first use, and again in a forked child; daemon, so a candidate stuck for ever never holds up
the interpreter's exit)
while the caller waits up to the bound. One that has not decided by then is given up on:
:class:`ShadowTimeout` stands for its decision. It runs to its end in its thread; if it then
paid an LLM judge, a WARNING names the live call and what the judge cost (the live call's
records were written without it). Async: the candidate's decision is cancelled at the bound
(a judge request in flight is dropped).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import os
import queue
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from .errors import ConfigError

__all__ = ["ShadowTimeout", "abounded", "bounded", "check_timeout"]

logger = logging.getLogger("tier_router")

WORKERS = 4
"""Worker threads of the sync path (shared by every VariantRouter of the process)."""


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


_jobs: queue.SimpleQueue[tuple[Callable[[], Any], _Job]] = queue.SimpleQueue()
_started = 0
_start_lock = threading.Lock()


class _Job:
    def __init__(self) -> None:
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


def _worker() -> None:
    while True:
        fn, job = _jobs.get()
        try:
            result = fn()
        except BaseException as exc:  # handed to the caller, whatever it is
            result = exc
        try:
            job.finish(result)
        except Exception:
            logger.exception("shadow variant: could not report a late decision")


def _ensure_workers() -> None:
    global _started
    with _start_lock:
        while _started < WORKERS:
            threading.Thread(target=_worker, name=f"tier-router-shadow-{_started}", daemon=True).start()
            _started += 1


def _new_pool_in_child() -> None:
    """In a forked child: the parent's threads are gone (and its lock may be held for ever)."""
    global _jobs, _started, _start_lock
    _jobs, _started, _start_lock = queue.SimpleQueue(), 0, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_pool_in_child)


def bounded(fn: Callable[[], Any], timeout: float, late: Callable[[Any], None]) -> Any:
    """``fn()``'s result or the exception it raised, or :class:`ShadowTimeout` after
    ``timeout`` s; then ``late(result)`` is called when it ends."""
    _ensure_workers()
    job = _Job()
    ctx = contextvars.copy_context()  # the caller's context (route_context, callbacks)
    _jobs.put((lambda: ctx.run(fn), job))
    if job.done.wait(timeout):
        return job.result
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
