"""Inner LLMs' own retries, under the router's control.

The router's fallback is the retry. LlamaIndex's ``OpenAI`` retries a failed request with
tenacity on top of the openai SDK's own retries (defaults: 12 requests and ~11 s to a failing
tier before the router may try the next one). So a tier whose ``OpenAI`` LLM (or subclass:
``AzureOpenAI``, ``OpenAILike`` ...) keeps the library's default ``max_retries`` is called
through a copy with ``max_retries=0`` (the caller's object is left as it is). Any other value
is a choice: kept, with one WARNING on the ``tier_router`` logger; so are other LLM classes
that retry by themselves. ``OpenAI`` cannot tell an explicit ``max_retries=3`` from its
default: pass another value to keep retries.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from shared_core import telemetry


def without_retries(name: str, llm: Any) -> Any:
    """``llm``, or a copy of it whose own retries are off (see the module docstring)."""
    retries = getattr(llm, "max_retries", None)
    if not isinstance(retries, int) or isinstance(retries, bool) or retries <= 0:
        return llm
    off = _openai_without_retries(llm, retries)
    more = _more_requests(llm, retries)
    telemetry.inner_retries(
        name, llm, retries, turned_off=off is not None,
        more=more[0] if more else None, stream_more=more[1] if more else None,
    )
    return llm if off is None else off


def _more_requests(llm: Any, retries: int) -> tuple[int, int] | None:
    """How many requests beyond the first a failing call and a failing stream of ``llm``
    send at most (``None``: not known). llama-index's ``OpenAI`` (and its subclasses) wraps
    each non-streamed call in tenacity, ``max_retries`` tries (within 60 s), and each try is
    the openai SDK's request with its own ``max_retries`` retries: ``max_retries x
    (max_retries + 1)`` requests. A stream's retried call only opens it: the SDK's retries."""
    try:
        from llama_index.llms.openai import OpenAI
    except ImportError:  # pragma: no cover - optional extra
        return None
    if not isinstance(llm, OpenAI):
        return None
    return retries * (retries + 1) - 1, retries


def _openai_without_retries(llm: Any, retries: int) -> Any:
    try:
        from llama_index.llms.openai import OpenAI
    except ImportError:  # pragma: no cover - optional extra
        return None
    if not isinstance(llm, OpenAI) or retries != _default_retries(type(llm)):
        return None
    copy = llm.model_copy(update={"max_retries": 0})
    for attr in ("_client", "_aclient"):  # clients already built keep their own setting
        client = getattr(copy, attr, None)
        if client is not None:
            setattr(copy, attr, client.with_options(max_retries=0))
    return copy


@functools.cache
def _default_retries(cls: type) -> Any:
    try:
        return inspect.signature(cls).parameters["max_retries"].default
    except (KeyError, TypeError, ValueError):
        return None
