"""Run each step of a lazy generator inside a context, and not in between.

A framework's stream is a generator the caller drives: state set around the call (the
call's run config in LangChain, a routing hint in LlamaIndex) must hold while the router's
code runs inside it, and not while the caller's own code runs between two items. Both
adapters wrap their streams with :func:`each_step_in` / :func:`aeach_step_in`; closing the
wrapper closes the generator.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, TypeVar

T = TypeVar("T")


def each_step_in(gen: Iterator[T], context: Callable[[], AbstractContextManager[Any]]) -> Iterator[T]:
    """``gen``'s items, each ``next`` run inside a fresh ``context()``."""
    try:
        while True:
            with context():
                try:
                    item = next(gen)
                except StopIteration:
                    return
            yield item
    finally:
        close = getattr(gen, "close", None)
        if close is not None:
            close()


async def aeach_step_in(
    agen: AsyncIterator[T], context: Callable[[], AbstractContextManager[Any]]
) -> AsyncIterator[T]:
    """Async twin of :func:`each_step_in`."""
    try:
        while True:
            with context():
                try:
                    item = await agen.__anext__()
                except StopAsyncIteration:
                    return
            yield item
    finally:
        aclose = getattr(agen, "aclose", None)
        if aclose is not None:
            await aclose()
