"""A shadow candidate's judge that answered after the live call stopped waiting: recorded.

``VariantRouter(mode="shadow", shadow_timeout_s=...)`` waits for the candidate's decision at
most the bound (:mod:`shared_core.shadow_wait`). A sync candidate that had started keeps running
in its thread, and a judge it asks is paid; that cost was only logged, in no ledger record, so
spend, budgets and ``stats`` left it out. :class:`LateShadow` writes it, once the candidate has
decided, as a record of the live call (:mod:`shared_core.ledger.late_judge`): its call id, its
variant (the control's, whose call pays the shadow's judge as an on-time one does), the judge's
calls tagged with the candidate's variant in ``metadata["classifier_calls"]``. The decision and
the live call's id meet here in either order: a candidate may end before the control has
decided. A call stopped while the control decided has no id known here; the judge is then
recorded under the candidate decision's own id. Never raises: a ledger that refuses is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from .ledger.base import CallRecord
from .ledger.late_judge import LATE_JUDGE_ATTEMPT, LATE_JUDGE_KIND

if TYPE_CHECKING:
    from .decision import RouteDecision
    from .ledger.base import Framework
    from .request import Request
    from .router import Router

logger = logging.getLogger("tier_router")

__all__ = ["LateShadow"]


class LateShadow:
    """One shadowed call's late decision, written once both it and the live call's id are known."""

    def __init__(
        self, control: Router, request: Request, names: tuple[str, str], timeout_s: float,
        record_as: Framework | None,
    ) -> None:
        self.control, self.request, self.names = control, request, names
        self.timeout_s, self.record_as = timeout_s, record_as
        self._lock = threading.Lock()
        self._seen: Any = None
        self._live: tuple[str, str, str] | None = None  # call id, tier, model
        self._named = False

    def decided(self, seen: Any) -> None:
        """The candidate's late result (a decision or an error), from its thread."""
        if not getattr(seen, "classifier_calls", ()):
            return  # no judge was paid (or the candidate failed): nothing to record
        with self._lock:
            if not self._named:
                self._seen = seen  # the live call has no id yet: written by named()
                return
            live = self._live
        self._write(seen, live)

    def named(self, decision: RouteDecision | None) -> None:
        """The live call's decision (``None``: the call was stopped while it was decided)."""
        with self._lock:
            self._named = True
            if decision is not None:
                self._live = (decision.call_id, decision.tier, decision.model)
            seen, self._seen = self._seen, None
            live = self._live
        if seen is not None:
            self._write(seen, live)

    def _write(self, seen: RouteDecision, live: tuple[str, str, str] | None) -> None:
        try:
            rec = self._record(seen, live)
            self.control.ledger.record(rec)
            self._charge(rec)
        except Exception:
            logger.exception("shadow variant %r: could not record the cost of its late judge calls",
                             self.names[1])
            return
        logger.info("shadow variant %r decided after the bound (%g s); its judge calls ($%s) are "
                    "recorded on the live call %s", self.names[1], self.timeout_s, rec.cost_usd,
                    rec.call_id)

    def _charge(self, rec: CallRecord) -> None:
        """The ``tier_router.cost`` counter sums what the ledger holds: this record too."""
        tel = self.control.telemetry
        if tel is None or not rec.cost_usd:
            return
        tier = next((t for t in self.control.config.tiers if t.name == rec.tier), None)
        tel.cost.add(rec.cost_usd, {
            "tier_router.tier": rec.tier,
            "gen_ai.response.model": tier.bare_model if tier is not None else rec.model,
            "tier_router.status": rec.status,
        })

    def _record(self, seen: RouteDecision, live: tuple[str, str, str] | None) -> CallRecord:
        calls = [{**c, "variant": self.names[1], "shadow": True} for c in seen.classifier_calls]
        unpriced = any(
            c.get("cost_usd") is None and (c.get("input_tokens") or c.get("output_tokens")) for c in calls
        )
        cost = None if unpriced else seen.classifier_cost_usd
        call_id, tier, model = live or (seen.call_id, seen.tier, seen.model)
        request, control = self.request, self.control
        return CallRecord(
            call_id=call_id, attempt=LATE_JUDGE_ATTEMPT, ts=time.time(), tier=tier, model=model,
            status="abandoned", error_kind=LATE_JUDGE_KIND,
            error=f"shadow variant {self.names[1]!r} decided after the live call stopped waiting "
            f"({self.timeout_s:g} s): the LLM judge calls it made for this call, paid, are this "
            "record's cost",
            input_tokens=0, output_tokens=0, cached_input_tokens=0, cost_usd=cost,
            baseline_model=control.baseline_model, baseline_cost_usd=None, latency_ms=0.0,
            escalated=False, fallback=False, classifier=seen.classifier, confidence=seen.confidence,
            prompt_hash=control.ledger.hash_prompt(request.text), tags=tuple(request.tags),
            metadata={
                **request.metadata, "classifier_calls": calls, "classifier_cost_usd": cost,
                "shadow": {"variant": self.names[1], "tier": seen.tier, "model": seen.model, "late": True},
            },
            user=request.user, thread_id=request.thread_id, framework=self.record_as or "core",
            variant=self.names[0],
        )
