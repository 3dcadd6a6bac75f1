"""Calling one inner chat model for the router: per-call overrides and streaming shims.

* :func:`with_overrides` — a per-call copy with the tier's budget / temperature set (the
  shared inner model is never mutated);
* :func:`inner_stream` / :func:`inner_astream` — the inner model's own ``_stream`` /
  ``_astream`` (asking for usage where the provider supports it, e.g. ``ChatOpenAI``), or
  its ``_generate`` as one chunk when it cannot stream;
* :func:`inner_generate` / :func:`inner_agenerate` — one whole answer: ``_generate``, or, for a
  model built with ``streaming=True`` (whose ``_generate`` expects LangChain to have streamed
  for it), its stream merged into one result, as ``BaseChatModel`` does.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.chat_models import agenerate_from_stream, generate_from_stream
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import BaseModel

from shared_core.output_budget import has_budget, set_budget

from .streaming import result_to_chunk

_BUDGET_FIELDS = ("max_tokens", "max_output_tokens", "max_tokens_to_sample", "num_predict")
_stream_usage_cache: dict[type, bool] = {}
_COPIES_MAX = 256
_copies_lock = threading.Lock()
# (id of the inner model, budget, temperature, the inner's own budget and temperature) ->
# (the inner model, its per-call copy or itself, extra call kwargs)
_copies: dict[
    tuple[int, int | None, float | None, Any, Any],
    tuple[BaseChatModel, BaseChatModel, Mapping[str, Any]],
] = {}


def with_overrides(
    inner: BaseChatModel, max_tokens: int | None, temperature: float | None
) -> tuple[BaseChatModel, Mapping[str, Any]]:
    """A per-call copy of ``inner`` with the budget / temperature set (shared state untouched),
    and the call kwargs that carry what the model has no field for (read-only, shared).

    Copies are cached: one dict lookup per call. The inner's own current budget and
    temperature are part of the key, so a model changed after its first call is not answered
    from a stale entry (other fields changed later are not seen by an existing copy).
    """
    budget_field, has_temperature = _override_fields(type(inner))
    own_budget = getattr(inner, budget_field, None) if budget_field else None
    own_temperature = getattr(inner, "temperature", None) if has_temperature else None
    key = (id(inner), max_tokens, temperature, own_budget, own_temperature)
    hit = _copies.get(key)
    if hit is not None and hit[0] is inner:  # the entry holds inner: its id is not reused
        return hit[1], hit[2]
    update: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if max_tokens is not None:
        if budget_field is None:
            extra["max_tokens"] = max_tokens
        elif own_budget != max_tokens:
            update[budget_field] = max_tokens
        # the model's own extra request keys may carry a budget of their own (another
        # spelling): the request carries the attempt's budget only, the one reserved for
        own_extra = getattr(inner, "model_kwargs", None)
        if isinstance(own_extra, Mapping) and has_budget(own_extra):
            update["model_kwargs"] = set_budget(own_extra, max_tokens, top=budget_field is None)
    if temperature is not None and has_temperature and own_temperature != temperature:
        update["temperature"] = temperature
    model = inner.model_copy(update=update) if update else inner
    out = (model, MappingProxyType(extra))
    with _copies_lock:
        while len(_copies) >= _COPIES_MAX:
            _copies.pop(next(iter(_copies)))
        _copies[key] = (inner, *out)
    return out


@functools.cache
def _override_fields(cls: type[BaseChatModel]) -> tuple[str | None, bool]:
    """A model class's budget field (``None`` if it has none) and whether it has a
    ``temperature`` field: fixed per class, and ``cls.model_fields`` costs ~0.7 µs a call."""
    fields = cls.model_fields
    return next((f for f in _BUDGET_FIELDS if f in fields), None), "temperature" in fields


@functools.cache
def _may_stream(cls: type[BaseChatModel]) -> bool:
    """Whether a model of this class can have a ``streaming`` attribute (a field, a class
    attribute, a pydantic extra or its own ``__getattr__``): one the class cannot have needs no ``getattr``, which for
    a missing name goes through pydantic's ``__getattr__`` and a caught ``AttributeError``."""
    return (
        "streaming" in cls.model_fields
        or hasattr(cls, "streaming")
        or cls.model_config.get("extra") == "allow"
        # a wrapper that supplies attributes of its own
        or getattr(cls, "__getattr__", None) is not getattr(BaseModel, "__getattr__", None)
    )


def can_stream(inner: BaseChatModel, *, async_api: bool) -> bool:
    cls = type(inner)
    sync = cls._stream is not BaseChatModel._stream
    if not async_api:
        return sync
    return sync or cls._astream is not BaseChatModel._astream


def stream_kwargs(inner: BaseChatModel, kw: dict[str, Any]) -> dict[str, Any]:
    """Ask for usage in streams where the provider supports it (e.g. ``ChatOpenAI``)."""
    cls = type(inner)
    accepts = _stream_usage_cache.get(cls)
    if accepts is None:
        accepts = "stream_usage" in cls.model_fields
        for klass in cls.__mro__:
            fn = klass.__dict__.get("_stream")
            if accepts or fn is None:
                continue
            try:
                accepts = "stream_usage" in inspect.signature(fn).parameters
            except (TypeError, ValueError):
                pass
        _stream_usage_cache[cls] = accepts
    if accepts and "stream_usage" not in kw:
        return {**kw, "stream_usage": True}
    return kw


def inner_stream(
    inner: BaseChatModel,
    msgs: list[BaseMessage],
    stop: list[str] | None,
    run_manager: Any,
    kw: dict[str, Any],
) -> Iterator[ChatGenerationChunk]:
    if not can_stream(inner, async_api=False):
        yield result_to_chunk(inner._generate(msgs, stop=stop, run_manager=run_manager, **kw))
        return
    yield from inner._stream(msgs, stop=stop, run_manager=run_manager, **stream_kwargs(inner, kw))


async def inner_astream(
    inner: BaseChatModel,
    msgs: list[BaseMessage],
    stop: list[str] | None,
    run_manager: Any,
    kw: dict[str, Any],
) -> AsyncIterator[ChatGenerationChunk]:
    if not can_stream(inner, async_api=True):
        yield result_to_chunk(
            await inner._agenerate(msgs, stop=stop, run_manager=run_manager, **kw)
        )
        return
    async for chunk in inner._astream(
        msgs, stop=stop, run_manager=run_manager, **stream_kwargs(inner, kw)
    ):
        yield chunk


def inner_generate(
    inner: BaseChatModel, msgs: list[BaseMessage], stop: list[str] | None, run_manager: Any,
    kw: dict[str, Any],
) -> ChatResult:
    """One answer of ``inner``. LangChain's own ``_generate_with_cache`` streams for a model
    whose ``streaming`` is on (``ChatOpenAI(streaming=True)``: its ``_generate`` then gets a
    stream back and fails); the router calls ``_generate`` directly, so it does the same."""
    if _may_stream(type(inner)) and getattr(inner, "streaming", False) is True and inner._should_stream(
        async_api=False, run_manager=run_manager, **kw
    ):
        return generate_from_stream(inner_stream(inner, msgs, stop, run_manager, kw))
    return inner._generate(msgs, stop=stop, run_manager=run_manager, **kw)


async def inner_agenerate(
    inner: BaseChatModel, msgs: list[BaseMessage], stop: list[str] | None, run_manager: Any,
    kw: dict[str, Any],
) -> ChatResult:
    """Async twin of :func:`inner_generate`."""
    if _may_stream(type(inner)) and getattr(inner, "streaming", False) is True and inner._should_stream(
        async_api=True, run_manager=run_manager, **kw
    ):
        return await agenerate_from_stream(inner_astream(inner, msgs, stop, run_manager, kw))
    return await inner._agenerate(msgs, stop=stop, run_manager=run_manager, **kw)
