"""``RunnableRouter`` records what its judge cost: the router's LLM calls made to decide.

An adapter's routed call pays its judge in its first record (``RouteDecision.classifier_calls``,
see :mod:`shared_core.attempt_records`). ``RunnableRouter`` calls no model of its own, so
with its recorder on (``record_routes=True``) it writes the judge's calls as one record of
their own: the decision's ``call_id``, the decided tier, the judge's model, their tokens and
cost (``None`` when a judge model has no price), ``baseline_cost_usd`` 0 (deciding saves
nothing), the call's variant and, in shadow mode, the candidate's judge too (the live call
pays it). The judge's run is then marked as the router's, so a ``CostCallbackHandler`` on
the chain leaves it alone. Never raises into the call: a ledger that refuses is logged.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from shared_core.decision import RouteDecision
from shared_core.ledger import CallRecord

logger = logging.getLogger("tier_router")

__all__ = ["judge_record"]


def judge_record(
    router: Any, decision: RouteDecision, messages: Any, ctx: dict[str, Any]
) -> CallRecord | None:
    """The record of the judge's calls behind ``decision``; ``None`` when it made none."""
    calls = decision.classifier_calls
    if not calls:
        return None
    request = router.request(messages, **ctx)
    unpriced = any(
        c.get("cost_usd") is None and (c.get("input_tokens") or c.get("output_tokens")) for c in calls
    )
    meta: dict[str, Any] = {**request.metadata, "router_call_id": decision.call_id,
                            "classifier_calls": [dict(c) for c in calls],
                            "classifier_cost_usd": None if unpriced else decision.classifier_cost_usd}
    if decision.shadow is not None:
        meta["shadow"] = dict(decision.shadow)
    return CallRecord(
        call_id=decision.call_id, attempt=0, ts=time.time(), tier=decision.tier,
        model=str(calls[0].get("model") or "unknown"), status="ok",
        input_tokens=sum(int(c.get("input_tokens") or 0) for c in calls),
        output_tokens=sum(int(c.get("output_tokens") or 0) for c in calls),
        cached_input_tokens=sum(int(c.get("cached_input_tokens") or 0) for c in calls),
        cost_usd=None if unpriced else decision.classifier_cost_usd,
        baseline_model=router.baseline_model, baseline_cost_usd=0.0,
        classifier=decision.classifier, confidence=decision.confidence,
        prompt_hash=router.ledger.hash_prompt(request.text), tags=tuple(request.tags),
        metadata=meta, user=request.user, thread_id=request.thread_id, framework="langchain",
        variant=decision.variant,
    )


def write(router: Any, rec: CallRecord | None) -> None:
    """Write ``rec`` (if any) to the router's ledger; a failure is logged, never raised."""
    if rec is None:
        return
    try:
        router.ledger.record(rec)
    except Exception:
        logger.exception("RunnableRouter: could not record the judge's calls of call %s", rec.call_id)


async def awrite(router: Any, rec: CallRecord | None) -> None:
    """Async twin of :func:`write` (the ledger's own async write)."""
    if rec is None:
        return
    try:
        await router.ledger.arecord(rec)
    except Exception:
        logger.exception("RunnableRouter: could not record the judge's calls of call %s", rec.call_id)
