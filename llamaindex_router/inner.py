"""Calling one tier's inner LLM: its token budget, streamed usage, and no duplicate events.

* Token budget: LlamaIndex LLMs take the output budget from their ``max_tokens`` field (the
  OpenAI LLM even lets the field win over a ``max_tokens`` keyword), so an attempt whose
  budget differs from the inner LLM's gets a cached shallow copy with ``max_tokens`` set
  (and any budget in its ``additional_kwargs`` set to the same: one budget per request).
  Inner LLMs with no budget field and none in ``additional_kwargs`` keep their own budget
  (documented limitation).
* Streamed usage: OpenAI-compatible LLMs are asked for ``stream_options={"include_usage":
  True}`` so streamed calls are priced from real usage.
* Events: see :mod:`llamaindex_router.instrumentation`; ``CustomLLM`` subclasses implement
  ``chat`` through their decorated ``complete``, so their chat is rebuilt here over the
  undecorated ``complete``.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

from llama_index.core.base.llms.generic_utils import (
    completion_response_to_chat_response,
    stream_completion_response_to_chat_response,
)
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, CompletionResponse
from llama_index.core.llms import LLM
from llama_index.core.llms.custom import CustomLLM

from shared_core.output_budget import has_budget, set_budget

from .instrumentation import _raw_function, aacquire_rate_limit, acquire_rate_limit, raw_method

_MAX_COPIES = 64
_BUDGET_FIELDS = ("max_tokens", "max_new_tokens", "max_output_tokens", "num_predict")
"""Output-budget fields of LlamaIndex LLMs (OpenAI, Anthropic, Gemini ...: ``max_tokens``;
Hugging Face, llama.cpp: ``max_new_tokens``)."""


def _is_openai(llm: Any) -> bool:
    try:
        from llama_index.llms.openai import OpenAI
    except ImportError:  # pragma: no cover - optional extra
        return False
    return isinstance(llm, OpenAI)


class InnerLLM:
    """One tier's LLM, called without LlamaIndex's wrappers (the router reports the call)."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.streams_usage = _is_openai(llm)
        cls = type(llm)
        self._custom_chat = isinstance(llm, CustomLLM) and _raw_function(
            cls, "chat"
        ) is _raw_function(CustomLLM, "chat")
        try:
            self.is_chat = bool(llm.metadata.is_chat_model)
        except Exception:  # e.g. OpenAI with a model name it does not know
            self.is_chat = True
        self._copies: dict[int, LLM] = {}
        self.budget_field = next((f for f in _BUDGET_FIELDS if f in cls.model_fields), None)
        """The LLM's output-budget field (``None``: it has none; its own budget stays)."""
        self._lock = threading.Lock()

    # -- budget ---------------------------------------------------------------
    def with_budget(self, max_tokens: int | None) -> LLM:
        """The inner LLM with ``max_tokens`` as its only output budget (cached copies): set
        in its budget field, and in its ``additional_kwargs`` wherever they carry one of
        their own (OpenAI sends ``additional_kwargs`` after the field, so a
        ``max_completion_tokens`` there would be what the provider obeys)."""
        llm = self.llm
        field = self.budget_field
        own = getattr(llm, "additional_kwargs", None)
        own_has = isinstance(own, Mapping) and has_budget(own)
        if max_tokens is None or (field is None and not own_has):
            return llm
        if not own_has and getattr(llm, field, None) == max_tokens:  # type: ignore[arg-type]
            return llm
        with self._lock:
            copy = self._copies.get(max_tokens)
            if copy is None:
                if len(self._copies) >= _MAX_COPIES:
                    self._copies.clear()
                update: dict[str, Any] = {} if field is None else {field: max_tokens}
                if own_has:
                    update["additional_kwargs"] = set_budget(own, max_tokens, top=field is None)  # type: ignore[arg-type]
                copy = llm.model_copy(update=update)
                self._copies[max_tokens] = copy
        return copy

    def stream_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Ask OpenAI-compatible servers for usage in streams unless the caller chose otherwise."""
        if self.streams_usage and "stream_options" not in kwargs:
            if "stream_options" not in (getattr(self.llm, "additional_kwargs", None) or {}):
                kwargs = {**kwargs, "stream_options": {"include_usage": True}}
        return kwargs

    # -- chat -----------------------------------------------------------------
    def chat(self, llm: LLM, messages: Sequence[ChatMessage], **kw: Any) -> ChatResponse:
        acquire_rate_limit(llm)
        if self._custom_chat:
            return _chat_by_complete(llm, messages, kw)
        return raw_method(llm, "chat")(messages, **kw)  # type: ignore[no-any-return]

    async def achat(self, llm: LLM, messages: Sequence[ChatMessage], **kw: Any) -> ChatResponse:
        await aacquire_rate_limit(llm)
        if self._custom_chat:
            return _chat_by_complete(llm, messages, kw)
        return await raw_method(llm, "achat")(messages, **kw)  # type: ignore[no-any-return]

    def stream_chat(
        self, llm: LLM, messages: Sequence[ChatMessage], **kw: Any
    ) -> Iterator[ChatResponse]:
        acquire_rate_limit(llm)
        kw = self.stream_kwargs(kw)
        if self._custom_chat:
            prompt = llm.messages_to_prompt(messages)  # type: ignore[misc]
            gen = raw_method(llm, "stream_complete")(prompt, formatted=True, **kw)
            return stream_completion_response_to_chat_response(gen)  # type: ignore[no-any-return]
        return raw_method(llm, "stream_chat")(messages, **kw)  # type: ignore[no-any-return]

    async def astream_chat(
        self, llm: LLM, messages: Sequence[ChatMessage], **kw: Any
    ) -> AsyncIterator[ChatResponse]:
        await aacquire_rate_limit(llm)
        if self._custom_chat:
            return _aiter(self.stream_chat(llm, messages, **kw))
        kw = self.stream_kwargs(kw)
        return await raw_method(llm, "astream_chat")(messages, **kw)  # type: ignore[no-any-return]

    # -- completion (models that are not chat models) -------------------------
    def complete(self, llm: LLM, prompt: str, formatted: bool, **kw: Any) -> CompletionResponse:
        acquire_rate_limit(llm)
        return raw_method(llm, "complete")(prompt, formatted=formatted, **kw)  # type: ignore[no-any-return]

    async def acomplete(
        self, llm: LLM, prompt: str, formatted: bool, **kw: Any
    ) -> CompletionResponse:
        await aacquire_rate_limit(llm)
        if isinstance(llm, CustomLLM) and _raw_function(type(llm), "acomplete") is _raw_function(
            CustomLLM, "acomplete"
        ):
            return raw_method(llm, "complete")(prompt, formatted=formatted, **kw)  # type: ignore[no-any-return]
        return await raw_method(llm, "acomplete")(prompt, formatted=formatted, **kw)  # type: ignore[no-any-return]

    def stream_complete(
        self, llm: LLM, prompt: str, formatted: bool, **kw: Any
    ) -> Iterator[CompletionResponse]:
        acquire_rate_limit(llm)
        return raw_method(llm, "stream_complete")(
            prompt, formatted=formatted, **self.stream_kwargs(kw)
        )  # type: ignore[no-any-return]

    async def astream_complete(
        self, llm: LLM, prompt: str, formatted: bool, **kw: Any
    ) -> AsyncIterator[CompletionResponse]:
        await aacquire_rate_limit(llm)
        if isinstance(llm, CustomLLM) and _raw_function(
            type(llm), "astream_complete"
        ) is _raw_function(CustomLLM, "astream_complete"):
            return _aiter(raw_method(llm, "stream_complete")(prompt, formatted=formatted, **kw))
        return await raw_method(llm, "astream_complete")(
            prompt, formatted=formatted, **self.stream_kwargs(kw)
        )  # type: ignore[no-any-return]


def _chat_by_complete(
    llm: LLM, messages: Sequence[ChatMessage], kw: dict[str, Any]
) -> ChatResponse:
    """A ``CustomLLM``'s chat: its own ``complete`` on the formatted prompt (as LlamaIndex does)."""
    prompt = llm.messages_to_prompt(messages)  # type: ignore[misc]
    return completion_response_to_chat_response(
        raw_method(llm, "complete")(prompt, formatted=True, **kw)
    )


async def _aiter(it: Iterator[Any]) -> AsyncIterator[Any]:
    for x in it:
        yield x
