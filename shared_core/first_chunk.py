"""Bounding a streamed attempt's wait for its first chunk (shared by both adapters).

A provider can accept a streamed request and then send nothing. The attempt's timeout
(``Tier.timeout_s`` / ``fallback.attempt_timeout_s``, i.e. :attr:`Attempt.timeout_s`)
bounds opening the stream plus its first chunk; past it a :class:`TimeoutError` (error
kind ``timeout``) is raised, so the plan falls back as for any timeout. Once the first
chunk arrived, the inner client's own timeouts apply: a stream cannot be abandoned halfway
without losing what the caller already received.

Sync streams pull the first chunk in a daemon worker thread (with the caller's context
variables, so tracing and callbacks see the same run); a stream abandoned on timeout is
closed as soon as its worker returns, releasing the connection (so is one whose caller was
interrupted while waiting: Ctrl-C). Async streams use
:func:`asyncio.wait_for`, which cancels the hung request.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import contextvars
import gc
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_END: Any = object()


def first_chunk_timeout(tier: str, timeout: float) -> TimeoutError:
    """The error raised when a stream on ``tier`` sent nothing within ``timeout`` seconds."""
    return TimeoutError(
        f"stream on tier {tier!r} sent no first chunk within {timeout}s "
        "(fallback.attempt_timeout_s / tier timeout_s)"
    )


def stream_within(
    open_stream: Callable[[], Iterator[T]], timeout: float | None, *, tier: str
) -> Iterator[T]:
    """The stream ``open_stream()`` returns; opening it and its first chunk take <= ``timeout``."""
    if timeout is None:
        opened = open_stream()
        try:
            for chunk in opened:  # not ``yield from``: that closes ``opened`` before we can look
                yield chunk
        finally:
            _close(opened)
        return
    state: dict[str, Any] = {}
    lock = threading.Lock()

    def first() -> T:
        it = open_stream()
        with lock:
            state["it"] = it
        return next(it, _END)

    future: cf.Future[T] = cf.Future()
    ctx = contextvars.copy_context()

    def work() -> None:
        try:
            future.set_result(ctx.run(first))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        with lock:
            late = state.get("abandoned") and state.get("it")
        if late:
            _close(late)  # the caller gave up: release the connection

    threading.Thread(target=work, name="tier-router-first-chunk", daemon=True).start()
    try:
        head = future.result(timeout=timeout)
    except BaseException as exc:  # a timeout, or Ctrl-C while waiting: nobody reads the stream
        with lock:
            state["abandoned"] = True
            late = future.done() and state.get("it")
        if late:  # the worker finished just now and did not see the flag
            _close(late)
        if isinstance(exc, cf.TimeoutError):
            raise first_chunk_timeout(tier, timeout) from None
        raise
    it = state["it"]
    try:
        if head is _END:
            return
        yield head
        for chunk in it:  # not ``yield from``: see above
            yield chunk
    finally:
        _close(it)


async def astream_within(
    open_stream: Callable[[], Awaitable[AsyncIterator[T]]], timeout: float | None, *, tier: str
) -> AsyncIterator[T]:
    """Async twin of :func:`stream_within` (a hung first chunk is cancelled)."""
    opened: list[AsyncIterator[T]] = []

    async def first() -> T:
        it = await open_stream()
        opened.append(it)
        return await anext(it, _END)  # type: ignore[arg-type]

    try:
        if timeout is None:
            head = await first()
        else:
            try:
                head = await asyncio.wait_for(first(), timeout)
            except asyncio.TimeoutError:
                raise first_chunk_timeout(tier, timeout) from None
        if head is _END:
            return
        yield head
        async for chunk in opened[0]:
            yield chunk
    finally:
        if opened:
            await _aclose(opened[0])


def _close(it: Any) -> None:
    close = getattr(it, "close", None)
    if close is None:
        return
    held = _held_responses(it)
    with contextlib.suppress(Exception):  # a broken stream must not mask the real error
        close()
    for stream in held:
        with contextlib.suppress(Exception):
            stream.close()


def _held_responses(it: Any, depth: int = 4) -> list[Any]:
    """HTTP streams that a suspended generator chain ``it`` is reading, to be closed with it.

    A generator closed mid-way drops the iterators its ``for`` loops hold without closing them.
    openai's ``Stream`` (what llama-index's ``OpenAI`` iterates without a ``with``) refers to
    itself through its own iterator, so once dropped it is cyclic garbage, closed whenever the
    collector next runs. If that happens while httpcore holds its connection pool's lock in the
    same thread (a later request), closing the stream takes that non-reentrant lock again and
    the thread hangs for good. Closing such streams now, when the caller walks away, leaves
    the collector nothing to close. Walks only the suspended frames' own references (µs).
    """
    found: dict[int, Any] = {}
    todo = [it] if getattr(it, "gi_frame", None) is not None else []
    while todo and depth > 0:
        depth -= 1
        # a generator's referents are what its suspended frame holds: locals and the iterators
        # its loops are reading
        todo = [g for g in gc.get_referents(*todo) if getattr(g, "gi_frame", None) is not None]
        for g in todo:
            owner = g.gi_frame.f_locals.get("self")
            if hasattr(owner, "response") and callable(getattr(owner, "close", None)):
                found[id(owner)] = owner
    return list(found.values())


async def _aclose(it: Any) -> None:
    aclose = getattr(it, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(Exception):  # a broken stream must not mask the real error
            await aclose()
