"""Traces name the inner model that answered (``ls_model_name`` / ``ls_provider``).

LangChain computes a run's ``ls_*`` metadata from ``_get_ls_params`` before the model runs,
so a routed run starts as ``tier-router:<tiers>``. A model that learns which model served a
call only from the response (LangSmith's LLM gateway is the case LangChain built this for)
reports it on the generation's ``generation_info`` under langchain-core's gateway key; when
the run ends, every LangChain tracer (LangSmith's included) copies its ``model`` and
``provider`` onto the run's ``ls_model_name`` / ``ls_provider``, and LangChain keeps the key
off the message's ``response_metadata``. The router reports the answering tier's model that
way, from ``invoke``, ``batch``, ``stream`` and their async twins alike, and after
escalation or fallback.

An inner model that already reports gateway metadata (it went through a gateway) is left
alone: the gateway knows the resolved model better than the router does. A
langchain-core that predates the key gets nothing added (it would copy the entry into
``response_metadata``), and its traces keep ``tier-router:<tiers>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TRACE_KEY: str | None
try:  # private in langchain-core ("the contract consumed by the LangSmith tracer")
    from langchain_core.utils._gateway import GATEWAY_METADATA_RESPONSE_KEY as TRACE_KEY
except ImportError:  # pragma: no cover - an older langchain-core: nothing reads the key, and
    TRACE_KEY = None  # it would copy generation_info into response_metadata, so add nothing


def trace_info(inner: Any, tier: str) -> dict[str, str] | None:
    """What a trace should name for an answer from ``inner`` (the model of ``tier``):
    the model's own ``ls_model_name`` / ``ls_provider``, as tracing it directly shows.

    ``None`` when the inner model names no model, when its tracing hook fails (tracing must
    never fail the call it traces), or when this langchain-core has no gateway hook.
    """
    if TRACE_KEY is None:
        return None
    try:
        params = inner._get_ls_params()
        model, provider = params.get("ls_model_name"), params.get("ls_provider")
        if not isinstance(provider, str) or not provider:
            provider = inner._llm_type  # never the router's provider beside the inner's model
    except Exception:
        return None
    if not isinstance(model, str) or not model or not isinstance(provider, str):
        return None
    return {"model": model, "provider": provider, "tier": tier}


def with_trace_info(
    generation_info: dict[str, Any] | None, info: Mapping[str, str] | None
) -> dict[str, Any] | None:
    """``generation_info`` with ``info`` under the trace key, unless it has one already
    (a copy: the inner model's dict is not written into)."""
    if info is None or TRACE_KEY is None or (generation_info and TRACE_KEY in generation_info):
        return generation_info
    return {**(generation_info or {}), TRACE_KEY: dict(info)}
