"""What the router reads from an inner LLM's response (usage, answer) and what it adds (metadata).

Usage comes from the provider's response (``raw.usage`` / ``raw["usage"]`` with OpenAI or
Anthropic key names, else the ``prompt_tokens`` / ``completion_tokens`` LlamaIndex copies into
``additional_kwargs``); it is never guessed here: with no usage the core estimates the tokens from
the text sent and received (:meth:`CallPlan.succeeded`), and the record says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llama_index.core.base.llms.types import ChatResponse, CompletionResponse, ToolCallBlock

from shared_core.pricing import Usage, provider_usage
from shared_core.quality import Answer

ROUTER_KEY = "router"
_IN = ("prompt_tokens", "input_tokens", "prompt_token_count")
_OUT = ("completion_tokens", "output_tokens", "candidates_token_count")


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def _first(obj: Any, keys: tuple[str, ...]) -> Any:
    for k in keys:
        v = _get(obj, k)
        if v is not None:
            return v
    return None


def _cached(usage: Any) -> Any:
    details = _get(usage, "prompt_tokens_details") or _get(usage, "input_tokens_details")
    for v in (_get(details, "cached_tokens"), _get(usage, "cache_read_input_tokens")):
        if v:
            return v
    return 0


def usage_of(response: ChatResponse | CompletionResponse) -> Usage | None:
    """The provider-reported usage of a response (or streamed chunk), or ``None``.

    Counts that are not believable (negative, huge, not ints) make it ``None`` with a
    WARNING (:func:`shared_core.pricing.provider_usage`)."""
    raw = response.raw
    usage = _get(raw, "usage") or _get(raw, "usage_metadata")
    if usage is None:
        usage = response.additional_kwargs or None
    if usage is None:
        return None
    inp, out = _first(usage, _IN), _first(usage, _OUT)
    if inp is None and out is None:
        return None
    cached = _cached(usage)
    if _get(usage, "input_tokens") is not None and type(inp) is int:
        # Anthropic reports cache reads and cache writes apart from input_tokens; count
        # both as input (writes at the input price), as LangChain's usage_metadata does
        if _get(usage, "cache_read_input_tokens") and type(cached) is int:
            inp += cached
        written = _get(usage, "cache_creation_input_tokens")
        if type(written) is int and written > 0:
            inp += written
    return provider_usage(inp, out, cached, source=str(_get(raw, "model") or "unknown model"))


def tool_text(response: ChatResponse) -> str:
    """The tool calls' names and arguments as text (content blocks or OpenAI-style kwargs):
    what their output tokens are estimated from when the provider's usage is missing or not
    believable."""
    msg = response.message
    parts = []
    for b in msg.blocks:
        if isinstance(b, ToolCallBlock):
            kwargs = b.tool_kwargs
            parts.append(b.tool_name + (kwargs if isinstance(kwargs, str) else _json(kwargs)))
    if parts:
        return "".join(parts)
    calls = msg.additional_kwargs.get("tool_calls") if msg.additional_kwargs else None
    for call in calls if isinstance(calls, list) else ():
        fn = _get(call, "function")
        name, args = _get(fn, "name"), _get(fn, "arguments")
        parts.append((name if isinstance(name, str) else "") + (args if isinstance(args, str) else _json(args)))
    return "".join(parts)


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str) if value is not None else ""
    except (TypeError, ValueError):
        return str(value)


def tool_call_count(response: ChatResponse) -> int:
    """How many tool calls the answer makes (content blocks or OpenAI-style kwargs)."""
    msg = response.message
    n = sum(1 for b in msg.blocks if isinstance(b, ToolCallBlock))
    if n:
        return n
    calls = msg.additional_kwargs.get("tool_calls") if msg.additional_kwargs else None
    return len(calls) if isinstance(calls, list) else 0


def finish_reason_of(response: ChatResponse | CompletionResponse) -> str | None:
    """The provider's finish / stop reason, if the response carries one.

    Read from ``raw.choices[0].finish_reason`` (OpenAI-compatible), ``raw["finish_reason"]`` /
    ``raw["stop_reason"]`` (Anthropic and others), else ``additional_kwargs``.
    """
    raw = response.raw
    choices = _get(raw, "choices")
    if isinstance(choices, (list, tuple)) and choices:
        value = _get(choices[0], "finish_reason")
        if isinstance(value, str) and value:
            return value
    for source in (raw, response.additional_kwargs):
        for key in ("finish_reason", "stop_reason", "stopReason", "done_reason"):
            value = _get(source, key)
            if isinstance(value, str) and value:
                return value
        value = _get(_get(source, "incomplete_details"), "reason")  # OpenAI's Responses API
        if isinstance(value, str) and value:
            return value
    return None


def answer_of(
    response: ChatResponse | CompletionResponse, finish_reason: str | None = None
) -> Answer:
    """What the escalation checks look at (``finish_reason`` wins over the response's own)."""
    reason = finish_reason or finish_reason_of(response)
    if isinstance(response, CompletionResponse):
        return Answer(response.text or "", finish_reason=reason)
    text = response.message.content or ""
    n_tools = tool_call_count(response)
    return Answer(
        text, tool_calls=n_tools, finish_reason=reason,
        tool_text=tool_text(response) if n_tools else "",
    )


def annotate(response: Any, meta: Mapping[str, Any]) -> Any:
    """Attach the router metadata: ``response.additional_kwargs["router"]`` (and ``raw`` if a dict)."""
    kwargs = dict(response.additional_kwargs or {})
    kwargs[ROUTER_KEY] = dict(meta)
    response.additional_kwargs = kwargs
    if isinstance(response.raw, dict):
        response.raw[ROUTER_KEY] = kwargs[ROUTER_KEY]
    return response


def tier_of(response: Any) -> str | None:
    """The tier that produced a routed response, if it carries router metadata."""
    meta = (getattr(response, "additional_kwargs", None) or {}).get(ROUTER_KEY)
    return meta.get("tier") if isinstance(meta, Mapping) else None


def to_completion(response: ChatResponse) -> CompletionResponse:
    """A chat answer as a completion answer (same raw, usage and metadata)."""
    return CompletionResponse(
        text=response.message.content or "",
        delta=response.delta,
        raw=response.raw,
        logprobs=None,
        additional_kwargs=dict(response.additional_kwargs or {}),
    )
