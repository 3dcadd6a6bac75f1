"""LangChain messages <-> the core's plain ``{role, content}`` dicts, and per-tier rewrites.

Nothing here decides anything: it converts messages for the classifier, applies a
tier's system prompt, and reads usage and answers back out of ``AIMessage`` objects.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.messages.ai import UsageMetadata, add_usage

from shared_core._construct import construct
from shared_core.bounds import MAX_PROVIDER_TOKENS
from shared_core.pricing import Usage, provider_usage
from shared_core.quality import Answer
from shared_core.tier import SystemPromptMode

_ROLES = {
    "human": "user",
    "ai": "assistant",
    "system": "system",
    "developer": "system",
    "tool": "tool",
    "function": "tool",
}


def to_core_messages(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """Plain ``{role, content}`` dicts for :meth:`shared_core.Router.decide`.

    Content is passed as is (a string or OpenAI/LangChain-style blocks); the core reads
    text from it and counts image/audio/file blocks as attachments.
    """
    out: list[dict[str, Any]] = []
    for m in messages:
        role = _ROLES.get(m.type)
        if role is None:  # ChatMessage carries its own role
            role = str(getattr(m, "role", None) or "user")
        out.append({"role": role, "content": m.content})
    return out


def apply_system_prompt(
    messages: Sequence[BaseMessage], text: str | None, mode: SystemPromptMode
) -> list[BaseMessage]:
    """The messages a tier sees, with its system prompt applied (never mutates the input).

    ``merge`` (default): the tier text first, then the caller's first system message, in
    one system message; ``prepend``: a separate system message before everything;
    ``replace``: the caller's system messages are dropped; ``off``: unchanged.
    """
    msgs = list(messages)
    if not text or mode == "off":
        return msgs
    if mode == "replace":
        return [_system(text), *(m for m in msgs if m.type != "system")]
    if mode == "prepend":
        return [_system(text), *msgs]
    for i, m in enumerate(msgs):
        if m.type == "system":
            msgs[i] = _merged(m, text)
            return msgs
    return [_system(text), *msgs]


_SHARED_MAX_CHARS = 4000
"""Merged system prompts up to this size are shared through :func:`_system`'s cache."""


def _merged(m: BaseMessage, text: str) -> BaseMessage:
    """The caller's system message ``m`` with the tier text merged in front of its content."""
    content = m.content
    if isinstance(content, str):
        merged: Any = f"{text}\n\n{content}" if content else text
        if len(merged) <= _SHARED_MAX_CHARS and _plain_system(m):
            return _system(merged)  # the same message model_copy would give, ~1.5 µs cheaper
    else:
        merged = [{"type": "text", "text": text}, *content]
    return m.model_copy(update={"content": merged})


def _plain_system(m: BaseMessage) -> bool:
    """A ``SystemMessage`` with nothing but its content set (no id, name or extra fields)."""
    return (
        type(m) is SystemMessage
        and m.id is None
        and m.name is None
        and not m.additional_kwargs
        and not m.response_metadata
        and not m.model_extra  # fields of the caller's own (messages allow extras)
    )


@functools.lru_cache(maxsize=256)
def _system(text: str) -> SystemMessage:
    """One shared ``SystemMessage`` per text: a tier's prompt, or a short merged prompt
    (messages are not mutated downstream)."""
    return SystemMessage(text)


def routed_tier_in_turn(messages: Sequence[BaseMessage]) -> str | None:
    """The tier that answered earlier in the current turn (an agent's tool loop), if any.

    Looks back from the end to the last human message for an ``AIMessage`` this router
    produced (``response_metadata["router"]["tier"]``).
    """
    for m in reversed(messages):
        if isinstance(m, HumanMessage):
            return None
        if isinstance(m, AIMessage):
            info = m.response_metadata.get("router") if m.response_metadata else None
            if isinstance(info, dict) and isinstance(info.get("tier"), str):
                return info["tier"]
    return None


def usage_of(message: BaseMessage) -> Usage | None:
    """The provider's token usage on an ``AIMessage`` (``None`` when it reported none)."""
    um = getattr(message, "usage_metadata", None)
    if not um:
        return None
    details = um.get("input_token_details")
    # (most usages have no details: ``isinstance(None, Mapping)`` is an ABC check)
    cached = details.get("cache_read") if details is not None and isinstance(details, Mapping) else None
    inp, out = um.get("input_tokens"), um.get("output_tokens")
    if (
        cached is None and inp.__class__ is int and out.__class__ is int
        and 0 <= inp <= MAX_PROVIDER_TOKENS and 0 <= out <= MAX_PROVIDER_TOKENS
    ):  # believable counts, nothing cached: what provider_usage gives, without its checks
        return Usage(inp, out, 0)
    return provider_usage(inp, out, cached, source=_model_name(message))


def _model_name(message: BaseMessage) -> str:
    meta = message.response_metadata or {}
    return str(meta.get("model_name") or meta.get("model") or "unknown model")


def answer_of(message: BaseMessage, generation_info: Mapping[str, Any] | None = None) -> Answer:
    """What the escalation checks look at: the text, the tool calls and the finish reason.

    The finish reason is read from ``response_metadata`` (``finish_reason``, or Anthropic's
    ``stop_reason``), else from the generation's ``generation_info`` (where ``ChatOpenAI``
    puts it when its private ``_generate`` / ``_stream`` is called directly).
    """
    content = message.content
    # ``message.text`` of a string content is that string (and costs ~0.3 µs to build)
    text = content if isinstance(content, str) else str(message.text)
    n_tools = len(getattr(message, "tool_calls", None) or [])
    chunks = None
    if isinstance(message, AIMessageChunk):
        # only chunks have tool_call_chunks (a missing attribute costs ~2 µs through pydantic)
        chunks = message.tool_call_chunks
        if not n_tools:
            n_tools = len(chunks or [])
    # tool calls LangChain could not parse (arguments not valid JSON): named by the check
    broken = () if n_tools or text else _invalid_tool_calls(message)
    return construct(Answer, {  # the frozen dataclass's __init__ in one step
        "text": text, "tool_calls": n_tools,
        "finish_reason": finish_reason_of(message, generation_info), "schema_error": None,
        "invalid_tool_calls": broken,
        "tool_text": _tool_text(message, chunks)
        if n_tools or chunks or getattr(message, "invalid_tool_calls", None) else "",
    })


def _invalid_tool_calls(message: BaseMessage) -> tuple[str, ...]:
    """The names of an ``AIMessage``'s ``invalid_tool_calls`` (``?`` for a nameless one)."""
    calls = getattr(message, "invalid_tool_calls", None) or ()
    return tuple(str(c.get("name") or "?") for c in calls)


def _tool_text(message: BaseMessage, chunks: Any) -> str:
    """The tool calls' names and arguments as the provider sent them: a chunk's raw
    ``tool_call_chunks``, else the parsed calls (arguments as JSON) and the invalid ones."""
    if chunks:
        return "".join((tc.get("name") or "") + (tc.get("args") or "") for tc in chunks)
    parts = []
    for tc in getattr(message, "tool_calls", None) or ():
        parts.append((tc.get("name") or "") + json.dumps(tc.get("args") or {}, ensure_ascii=False))
    for tc in getattr(message, "invalid_tool_calls", None) or ():
        parts.append((tc.get("name") or "") + str(tc.get("args") or ""))
    return "".join(parts)


def received_text(message: BaseMessage) -> str:
    """The text an answer (or a chunk of one) delivered, tool-call arguments included: what
    estimated output tokens are counted from when the provider's usage did not come."""
    return answer_of(message).received


class Received:
    """What a streamed answer delivered so far, one ``on_llm_new_token`` at a time: its text
    (the chunk's, tool-call arguments included, else the token) and the usage a chunk
    carried. What an answer that does not end is recorded from (a handler raised on it, its
    caller cancelled it): tokens generated are billed."""

    __slots__ = ("_text", "_usage", "tokens")

    def __init__(self) -> None:
        self.tokens = 0
        """How many token events were seen."""
        self._text: list[str] = []
        self._usage: UsageMetadata | None = None

    def add(self, token: Any = "", chunk: Any = None) -> None:
        """One ``on_llm_new_token`` (its ``token`` and ``chunk`` arguments)."""
        self.tokens += 1
        msg = getattr(chunk, "message", None)
        if msg is None:
            if isinstance(token, str):
                self._text.append(token)
            return
        content = msg.content
        if isinstance(content, str) and not getattr(msg, "tool_call_chunks", None):
            self._text.append(content)  # the usual chunk (received_text costs ~6 µs a token)
        else:
            self._text.append(received_text(msg))
        um = getattr(msg, "usage_metadata", None)
        if um:
            self._usage = um if self._usage is None else add_usage(self._usage, um)

    @property
    def text(self) -> str:
        """The text received so far."""
        return "".join(self._text)

    def usage(self) -> Usage | None:
        """The provider's usage if a chunk carried it (it usually comes last), else ``None``."""
        if self._usage is None:
            return None
        return usage_of(AIMessageChunk(content="", usage_metadata=self._usage))


FINISH_KEYS = ("finish_reason", "stop_reason", "stopReason", "done_reason")
"""Where providers put why an answer stopped (OpenAI, Anthropic, Bedrock Converse, Ollama)."""
_FINISH_SOURCES = frozenset((*FINISH_KEYS, "incomplete_details"))
"""The keys :func:`finish_reason_of` reads: a metadata dict with none of them has no reason."""


def finish_reason_of(
    message: BaseMessage, generation_info: Mapping[str, Any] | None = None
) -> str | None:
    """The provider's finish / stop reason for an answer, if it reported one: OpenAI's
    ``finish_reason`` (or the Responses API's ``incomplete_details.reason``), Anthropic's
    ``stop_reason``, Bedrock's ``stopReason``, Ollama's ``done_reason``."""
    for source in (message.response_metadata, generation_info):
        if source and not _FINISH_SOURCES.isdisjoint(source):  # (a fake's metadata has none)
            for key in FINISH_KEYS:
                value = source.get(key)
                if isinstance(value, str) and value:
                    return value
            incomplete = source.get("incomplete_details")
            if isinstance(incomplete, Mapping) and isinstance(incomplete.get("reason"), str):
                return str(incomplete["reason"])
    return None
