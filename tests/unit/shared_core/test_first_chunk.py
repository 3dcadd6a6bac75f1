"""The first-chunk timeout both adapters put on streamed attempts."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from shared_core.faults import classify_error
from shared_core.first_chunk import astream_within, stream_within

VAR: contextvars.ContextVar[str] = contextvars.ContextVar("VAR", default="unset")


def _gen(first_delay: float, items: list[str], log: list[str]) -> Iterator[str]:
    try:
        time.sleep(first_delay)
        log.append(f"first in {VAR.get()}")
        yield from items
    finally:
        log.append("closed")


def test_sync_stream_passes_through_in_order_and_sees_the_callers_context() -> None:
    log: list[str] = []
    VAR.set("caller")
    out = list(stream_within(lambda: _gen(0.0, ["a", "b", "c"], log), 1.0, tier="cheap"))
    assert out == ["a", "b", "c"]
    assert log == ["first in caller", "closed"]


def test_sync_hung_first_chunk_times_out_and_the_stream_is_closed_later() -> None:
    log: list[str] = []
    t0 = time.perf_counter()
    with pytest.raises(
        TimeoutError, match=r"tier 'cheap' sent no first chunk within 0\.1s"
    ) as info:
        list(stream_within(lambda: _gen(0.5, ["a"], log), 0.1, tier="cheap"))
    assert time.perf_counter() - t0 < 0.4
    assert classify_error(info.value) == "timeout"  # so the plan falls back
    deadline = time.monotonic() + 3
    while "closed" not in log and time.monotonic() < deadline:
        time.sleep(0.02)
    assert log[-1] == "closed", "the abandoned stream released its resources"


def test_sync_errors_and_empty_streams() -> None:
    def broken() -> Iterator[str]:
        raise ConnectionError("reset")
        yield "never"

    with pytest.raises(ConnectionError):
        list(stream_within(broken, 1.0, tier="t"))
    assert list(stream_within(lambda: iter(()), 1.0, tier="t")) == []
    assert list(stream_within(lambda: iter("xy"), None, tier="t")) == ["x", "y"]


def test_sync_caller_stopping_early_closes_the_stream() -> None:
    log: list[str] = []
    it = stream_within(lambda: _gen(0.0, ["a", "b"], log), 1.0, tier="t")
    assert next(it) == "a"
    it.close()
    assert log[-1] == "closed"


def test_sync_no_thread_left_running_after_a_normal_stream() -> None:
    before = {t.name for t in threading.enumerate()}
    list(stream_within(lambda: iter("ab"), 1.0, tier="t"))
    time.sleep(0.05)
    extra = {t.name for t in threading.enumerate()} - before
    assert "tier-router-first-chunk" not in extra


async def _agen(first_delay: float, items: list[str], log: list[str]) -> AsyncIterator[str]:
    try:
        await asyncio.sleep(first_delay)
        for x in items:
            yield x
    except asyncio.CancelledError:
        log.append("cancelled")
        raise
    finally:
        log.append("closed")


async def test_async_stream_passes_through_and_hung_first_chunk_is_cancelled() -> None:
    log: list[str] = []

    async def opener(delay: float) -> AsyncIterator[str]:
        return _agen(delay, ["a", "b"], log)

    out = [x async for x in astream_within(lambda: opener(0.0), 1.0, tier="t")]
    assert out == ["a", "b"] and log == ["closed"]

    log.clear()
    t0 = time.perf_counter()
    with pytest.raises(TimeoutError, match="tier 'cheap'"):
        [x async for x in astream_within(lambda: opener(5.0), 0.1, tier="cheap")]
    assert time.perf_counter() - t0 < 1.0
    assert log == ["cancelled", "closed"]

    assert [x async for x in astream_within(lambda: opener(0.0), None, tier="t")] == ["a", "b"]


def test_ctrl_c_while_waiting_for_the_first_chunk_closes_the_stream() -> None:
    """Ctrl-C (any ``BaseException``) while the caller waits on the worker for the first
    chunk: only a timeout marked the stream abandoned, so the worker kept it open and the
    provider sent (and billed) the whole answer to a connection nobody read. It is closed
    as soon as its worker gets the chunk, as a timed-out one is."""
    import os
    import signal

    started, release, closed = threading.Event(), threading.Event(), threading.Event()
    kept = []  # the client keeps its stream alive (openai's refers to itself)

    def stream():
        try:
            started.set()
            release.wait(5)
            yield "a"
            yield "b"
        finally:
            closed.set()

    def interrupt() -> None:
        started.wait(5)
        time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)  # interrupts the caller's wait, as Ctrl-C does

    def open_stream():
        kept.append(stream())
        return kept[-1]

    threading.Thread(target=interrupt, daemon=True).start()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        next(stream_within(open_stream, 30.0, tier="cheap"))
    assert time.perf_counter() - t0 < 2
    release.set()
    assert closed.wait(5), "the abandoned stream was left open"
