"""LangChain's own response cache (``set_llm_cache`` / ``cache=``) in front of a routed model.

A hit returns the answer stored by an earlier call, with that call's ``router`` metadata
(its cost). :func:`mark_cached` flags the answers LangChain took from the cache (it calls
``_convert_cached_generations`` only on a hit); :func:`served_from_cache` then gives them the
metadata of this call, cost 0, and records the hit in the ledger
(:func:`shared_core.cache_hits.cache_hit`).
"""

from __future__ import annotations

from typing import Any

from langchain_core.outputs import ChatGeneration, ChatResult

from shared_core.cache_hits import cache_hit

from .context import THREAD_KWARG, scalar, thread_id_of, user_of

_HIT = "_tier_router_cache_hit"


def mark_cached(generations: list[ChatGeneration]) -> list[ChatGeneration]:
    """Flag generations LangChain read from its cache (the cached objects stay untouched)."""
    out = []
    for gen in generations:
        info = {**(gen.generation_info or {}), _HIT: True}
        out.append(gen.model_copy(update={"generation_info": info}))
    return out


def served_from_cache(
    router: Any, result: ChatResult, run_manager: Any, kwargs: dict[str, Any]
) -> ChatResult:
    """``result`` with cache-hit metadata (cost 0) when it came from the cache, else as is
    (``kwargs``: the call's, which may carry the thread id and the user from ``configurable``)."""
    gens = result.generations
    if not gens or not (gens[0].generation_info or {}).get(_HIT):
        return result
    tags = run_manager.tags if run_manager is not None else ()
    md = run_manager.metadata if run_manager is not None else {}
    meta: dict[str, Any] | None = None
    out = []
    for gen in gens:
        info = dict(gen.generation_info or {})
        info.pop(_HIT, None)
        rm = gen.message.response_metadata
        cached = rm.get("router")
        if isinstance(cached, dict):
            if meta is None:
                meta = cache_hit(
                    router, cached, framework="langchain", tags=tags,
                    user=user_of(md, kwargs),
                    thread_id=scalar(kwargs.get(THREAD_KWARG)) or thread_id_of(md, tags),
                )
            msg = gen.message.model_copy(update={"response_metadata": {**rm, "router": meta}})
        else:
            msg = gen.message
        out.append(ChatGeneration(message=msg, generation_info=info or None))
    return ChatResult(generations=out, llm_output=result.llm_output)


def cache_fingerprint(router: Any, tiers: dict[str, Any]) -> str:
    """What a routed model's answers depend on besides the prompt, for LangChain's cache key:
    each tier's inner model (class and model id) and the config(s) it routes with (tiers,
    system prompts, budgets; both variants of an A/B router), hashed."""
    import hashlib
    import json

    from shared_core.adapters_common import model_id

    configs = [r.config.to_dict() for r in getattr(router, "routers", (router,))]
    inner = {name: _inner_key(m, model_id) for name, m in tiers.items()}
    blob = json.dumps({"configs": configs, "inner": inner}, sort_keys=True, default=str)
    return "|tier-router:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def _inner_key(model: Any, model_id: Any) -> Any:
    """An inner model's own cache key (its class and parameters: model, temperature, base URL
    ...), else its class and model id."""
    try:
        return str(model._get_llm_string())
    except Exception:  # a model that cannot say: its class and id
        return [type(model).__name__, model_id(model)]
