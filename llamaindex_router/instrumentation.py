"""Count each routed call once in LlamaIndex's instrumentation.

Every LlamaIndex LLM method (``chat``, ``stream_chat``, ``complete`` ...) is wrapped twice:
by ``llm_chat_callback`` / ``llm_completion_callback`` (callback-manager events such as
:class:`~llama_index.core.callbacks.TokenCountingHandler`'s, and dispatcher events such
as ``LLMChatStartEvent``) and by ``dispatcher.span``. ``RoutedLLM``'s own methods carry these
wrappers, so the routed call is reported once, with the router's answer and metadata; the
inner LLM's method is then called *without* them (the undecorated implementation is found
through ``__wrapped__`` and the callback wrapper's closure). If the implementation cannot be
found (an unusual LLM class), the public method is called and its events are reported too
(logged once at debug level).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from llama_index.core.llms import callbacks as _callbacks

logger = logging.getLogger(__name__)

_CALLBACKS_FILE = _callbacks.__file__
_MAX_DEPTH = 12


def _unwrap(fn: Any, name: str) -> Callable[..., Any] | None:
    for _ in range(_MAX_DEPTH):
        wrapped = getattr(fn, "__wrapped__", None)
        if callable(wrapped):  # wrapt (dispatcher.span) and functools.wraps
            fn = wrapped
            continue
        code = getattr(fn, "__code__", None)
        if code is None:
            return None
        if code.co_filename != _CALLBACKS_FILE:
            return fn  # type: ignore[no-any-return]
        inner = None
        for cell in fn.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # empty cell
                continue
            if inspect.isfunction(value) and value.__name__ == name:
                inner = value
                break
        if inner is None:
            return None
        fn = inner
    return None


@functools.lru_cache(maxsize=512)
def _raw_function(cls: type, name: str) -> Callable[..., Any] | None:
    fn = _unwrap(inspect.getattr_static(cls, name, None) or getattr(cls, name, None), name)
    if fn is None:
        logger.debug(
            "tier-router: no undecorated %s.%s; its events will be reported too", cls.__name__, name
        )
    return fn


def raw_method(llm: Any, name: str) -> Callable[..., Any]:
    """``llm.<name>`` without LlamaIndex's callback / event / span wrappers (bound to ``llm``)."""
    fn = _raw_function(type(llm), name)  # type: ignore[arg-type]
    if fn is None:
        return getattr(llm, name)  # type: ignore[no-any-return]
    return functools.partial(fn, llm)


def acquire_rate_limit(llm: Any) -> None:
    """The inner LLM's own rate limiter (normally applied by the callback wrapper we skip)."""
    limiter = getattr(llm, "rate_limiter", None)
    if limiter is not None:
        limiter.acquire()


async def aacquire_rate_limit(llm: Any) -> None:
    limiter = getattr(llm, "rate_limiter", None)
    if limiter is not None:
        await limiter.async_acquire()
