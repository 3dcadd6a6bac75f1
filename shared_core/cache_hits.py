"""Answers a framework served from its own cache (LangChain's ``llm_cache``): no provider
was called, so they cost nothing, on the routed side and on the baseline side.

The cached answer carries the ``router`` metadata of the call that filled the cache;
:func:`cache_hit` gives the metadata of this call instead (``cost_usd`` 0, ``cache_hit``
true, a new ``call_id``, ``cached_call_id`` naming the original) and records it in the
ledger, so a cache hit is neither lost nor billed twice.

Under an A/B or shadow :class:`~shared_core.variants.VariantRouter`, the hit belongs to the
variant that would have decided *this* request (its user / thread's side of the split; the
control in shadow mode), not to the variant of the call that filled the cache: its record
and metadata carry that ``variant``, so ``stats --by variant`` counts it there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .tags import user_tags

if TYPE_CHECKING:
    from .ledger.base import Framework
    from .router import Router
    from .variants import VariantRouter


def cache_hit(
    router: Router | VariantRouter,
    cached: Mapping[str, Any],
    *,
    framework: Framework,
    tags: Sequence[str] = (),
    user: str | None = None,
    thread_id: str | None = None,
) -> dict[str, Any]:
    """The ``router`` metadata of a cache hit whose cached answer carried ``cached``; records
    one ``ok`` attempt costing 0 in ``router.ledger``."""
    from .ledger import CallRecord
    from .router import new_call_id
    from .variants import VariantRouter

    call_id = new_call_id()
    variant = (
        router.variant_for(user=user, thread_id=thread_id)
        if isinstance(router, VariantRouter)
        else None
    )
    meta = {
        **cached,
        "call_id": call_id,
        "cached_call_id": cached.get("call_id"),
        "cache_hit": True,
        "escalated": False,
        "escalation_reason": None,
        "fallbacks_tried": [],
        "attempts": 0,
        "cost_usd": 0.0,
        "total_cost_usd": 0.0,
        "baseline_cost_usd": 0.0,
        "decision_latency_us": 0.0,
        "reasons": ["served from the framework's cache: no model was called"],
    }
    meta.pop("variant", None)  # the cached call's variant is not this request's
    if variant is not None:
        meta["variant"] = variant
    router.ledger.record(
        CallRecord(
            call_id=call_id,
            tier=str(cached.get("tier")),
            model=str(cached.get("model")),
            cost_usd=0.0,
            baseline_model=router.baseline_model,
            baseline_cost_usd=0.0,
            classifier="cache",
            tags=user_tags(tags),
            user=user,
            thread_id=thread_id,
            framework=framework,
            variant=variant,
            metadata={"cache_hit": True, "cached_call_id": cached.get("call_id")},
        )
    )
    return meta
