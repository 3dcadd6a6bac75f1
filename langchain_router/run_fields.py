"""What a LangChain run's events say about its request: the model asked for, the output budget
sent, the usage an ``LLMResult`` carries, and whether a failed request was a stream's
(read by :class:`~langchain_router.callbacks.CostCallbackHandler`)."""

from __future__ import annotations

import json
from typing import Any

from shared_core.output_budget import read_choices, read_output_budget
from shared_core.pricing import Usage, provider_usage

_MODEL_KEYS = ("model_name", "model", "model_id", "deployment_name")

def _sent_budget(kwargs: dict[str, Any]) -> int | None:
    """The most output tokens a run's request may be billed for: its output budget once per
    answer asked for (``None``: no budget sent, or one that cannot be read)."""
    params = kwargs.get("invocation_params") or {}
    try:
        budget = read_output_budget(params)
        return None if budget is None else budget * (read_choices(params) or 1)
    except Exception:  # an unreadable budget is the model's to refuse, not the handler's
        return None


def run_model(kwargs: dict[str, Any]) -> str | None:
    """The model a chat-model or LLM run asks for, from its start event's keywords."""
    params = kwargs.get("invocation_params") or {}
    model = next((params[k] for k in _MODEL_KEYS if isinstance(params.get(k), str)), None)
    return model or (kwargs.get("metadata") or {}).get("ls_model_name")


def _usage_from_llm_output(llm_output: dict[str, Any] | None) -> Usage | None:
    tu = (llm_output or {}).get("token_usage") or (llm_output or {}).get("usage")
    if not isinstance(tu, dict):
        return None
    inp = tu.get("prompt_tokens", tu.get("input_tokens"))
    out = tu.get("completion_tokens", tu.get("output_tokens"))
    return provider_usage(inp, out, source=str((llm_output or {}).get("model_name") or "unknown"))


def _asked_to_stream(error: BaseException) -> bool:
    """Whether the request ``error`` failed was a stream's (its body says ``"stream": true``,
    or it was raised inside the chat model's ``_stream`` / ``_astream``, LangChain's streaming
    method): what tells a stream that failed before its first chunk from an ``invoke``
    (LangChain's callbacks are the same for both). The openai SDK's and httpx's errors carry
    the request; an answer that was no JSON (``bad_response``) carries none."""
    tb, depth = error.__traceback__, 0
    while tb is not None and depth < 64:
        if tb.tb_frame.f_code.co_name in ("_stream", "_astream"):
            return True
        tb, depth = tb.tb_next, depth + 1
    seen = 0
    err: BaseException | None = error
    while err is not None and seen < 4:
        try:
            body = getattr(getattr(err, "request", None), "content", None)
        except Exception:  # httpx: no request attached, or a streamed body not read
            body = None
        if isinstance(body, bytes):
            return b'"stream":true' in body or b'"stream": true' in body
        err, seen = err.__cause__ or err.__context__, seen + 1
    return False


def routed_variant(md: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """A run's record metadata and A/B variant: a ``RunnableRouter`` route's run of a
    ``VariantRouter`` names its variant (``router_variant``) and, in shadow mode, the
    candidate's decision as JSON text (``router_shadow``: run metadata keeps scalars), kept
    as the record's ``metadata["shadow"]``, where the adapters' records have it."""
    meta = dict(md)
    if not md.get("router_call_id"):
        return meta, None
    shadow = meta.pop("router_shadow", None)
    if isinstance(shadow, str):
        try:
            meta["shadow"] = json.loads(shadow)
        except ValueError:
            meta["router_shadow"] = shadow  # not ours: kept as it came
    variant = meta.pop("router_variant", None)
    return meta, variant if isinstance(variant, str) and variant else None
