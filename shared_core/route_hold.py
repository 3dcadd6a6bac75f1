"""The budget hold of a call the router decides but does not make itself.

``RunnableRouter`` (LangChain) hands each input to a runnable of the chosen tier; the model
calls inside it are recorded by a cost handler, not by a :class:`~shared_core.dispatch.CallPlan`.
A hard limit that is only *checked* before such a call lets every concurrent call through
while spend is under the limit (eight concurrent calls at a $0.0003 limit spent $0.0010).
:class:`RouteHold` reserves what the route can cost at most, the same way a plan's
:class:`~shared_core.call_hold.CallHold` does (the same guard, the same atomic ledger step,
the same cancellation-safe async reservation), and releases it once the route's records are
in. It can do so only when that cost is bounded: the adapter says how many output tokens the
route may write (``max_tokens``); ``None`` leaves the call checked, not held.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .budget import estimate_cost, request_scopes
from .call_hold import areserve_kept

if TYPE_CHECKING:
    from .decision import RouteDecision
    from .ledger.base import Framework
    from .request import Request
    from .tier import Tier


class RouteHold:
    """The reservation of one routed call whose model calls the router does not make.

    Args:
        router: the :class:`~shared_core.Router` that decided the call.
        decision: its decision (the tier, and the reservation's id).
        request: the request decided (its input estimate, tags and user; needed only
            when ``max_tokens`` is given).
        max_tokens: the most output tokens the route may be sent to write; ``None``: not
            bounded, nothing is held.
        framework: what a refusal is recorded as.
        priced_as: the tier whose model and prices the route's call is recorded at
            (:func:`~shared_core.tier_models.route_pricing`; default: the decided tier).
    """

    __slots__ = ("_held", "amount", "decision", "framework", "request", "router")

    def __init__(
        self, router: Any, decision: RouteDecision, request: Request | None,
        max_tokens: int | None, framework: Framework, *, priced_as: Tier | None = None,
    ) -> None:
        self.router = router
        self.decision = decision
        self.request = request
        self.framework = framework
        self._held = False
        self.amount: float | None = None
        """USD held while the route runs (``None``: unbounded, or no hard limit applies)."""
        if router.budget is not None and max_tokens is not None and request is not None:
            tier = priced_as or router.config.tiers[decision.index]
            budgeted = tier.model_copy(update={"max_tokens": max_tokens})
            self.amount = estimate_cost(budgeted, request.input_tokens, router.prices)

    def _scopes(self) -> list[str]:
        assert self.request is not None
        return request_scopes(self.request.tags, self.request.user)

    def open(self) -> None:
        """Reserve :attr:`amount`; a refusal (:class:`BudgetExceededError`) is recorded
        against the decided call, then raised: the route never runs."""
        if self.amount is None:
            return
        with self._refusal_recorded():
            self._held = self.router.budget.reserve(
                self.decision.call_id, self.amount, self._scopes()
            )

    async def aopen(self) -> None:
        """Async twin of :meth:`open`: no blocking ledger round trip, and a reservation the
        ledger takes after the caller was cancelled is let go."""
        if self.amount is None:
            return
        with self._refusal_recorded():
            self._held = await areserve_kept(
                self.router.budget, self.decision.call_id, self.amount, self._scopes()
            )

    def close(self) -> None:
        """The route is over and its records are in (or it failed): release the hold."""
        if self._held:
            self._held = False
            self.router.budget.release(self.decision.call_id, self._scopes())

    @contextlib.contextmanager
    def _refusal_recorded(self) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            # the decided call's own plan writes the refusal (tier, classifier, context)
            plan = self.router.plan(self.decision, self.request, framework=self.framework)
            plan.refused_before_deciding(exc)
            raise
