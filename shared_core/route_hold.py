"""The budget hold of a call the router decides but does not make itself.

``RunnableRouter`` (LangChain) hands each input to a runnable of the chosen tier; the model
calls inside it are recorded by a cost handler, not by a :class:`~shared_core.dispatch.CallPlan`.
A hard limit that is only *checked* before such a call lets every concurrent call through
while spend is under the limit (eight concurrent calls at a $0.0003 limit spent $0.0010).
:class:`RouteHold` reserves what the route can cost at most, the same way a plan's
:class:`~shared_core.call_hold.CallHold` does (the same guard, the same atomic ledger step,
the same cancellation-safe async reservation), and releases it once the route's records are
in. What the route can cost at most is known when it is one model call whose output budget
the adapter knows (``max_tokens``: its worst case is held, and refused up front when it
passes ``per_request_cap_usd``), or when ``per_request_cap_usd`` is set: then the cap is held
(as a plan holds it) and :class:`RouteSpend` keeps the route's model calls under it, each
admitted before it is sent only if its worst case fits in what the request has left. A route
with neither is checked, not held. A route whose model reserves for itself (a routed chat
model) holds nothing here, but under a cap its calls are kept under what the cap leaves after
the router's judge all the same (its ``RouteShare``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Hashable, Iterator
from typing import TYPE_CHECKING, Any

from .budget import estimate_cost, request_scopes
from .call_hold import areserve_kept
from .errors import RequestCostCapError

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
        request: the request decided (its input estimate, tags and user; needed when
            ``max_tokens`` is given or the config has a hard limit or a per-request cap).
        max_tokens: the most output tokens the route's one model call may be sent to write;
            ``None``: not bounded (held at the per-request cap, if one is set).
        framework: what a refusal is recorded as.
        priced_as: the tier whose model and prices the route's call is recorded at
            (:func:`~shared_core.tier_models.route_pricing`; default: the decided tier).
        holds_itself: the route's model reserves for its own calls (a routed chat model):
            nothing is held for it here, but under a per-request cap its calls are still kept
            under what the cap leaves after the router's judge (:meth:`spend`, then its
            :class:`RouteShare`). Otherwise an unbounded route is held at the cap, and the
            adapter keeps its calls under it with :meth:`spend`.
    """

    __slots__ = (  # (weakly referenced: the owner of its hold, see BudgetGuard.reserve)
        "__weakref__", "_held", "amount", "cap", "decision", "framework", "request", "router", "worst",
    )

    def __init__(
        self, router: Any, decision: RouteDecision, request: Request | None,
        max_tokens: int | None, framework: Framework, *, priced_as: Tier | None = None,
        holds_itself: bool = False,
    ) -> None:
        self.router = router
        self.decision = decision
        self.request = request
        self.framework = framework
        self._held = False
        self.worst: float | None = None
        """The route's worst case when it is one bounded model call (``None``: not bounded)."""
        if max_tokens is not None and request is not None:
            tier = priced_as or router.config.tiers[decision.index]
            budgeted = tier.model_copy(update={"max_tokens": max_tokens})
            self.worst = estimate_cost(budgeted, request.input_tokens, router.prices)
        cap = router.config.budget.per_request_cap_usd
        self.cap: float | None = cap if self.worst is None and request is not None else None
        """The per-request cap the adapter must keep the route's calls under (``None``: the
        route is one bounded call, or no cap is set)."""
        self.amount: float | None = self.worst if self.worst is not None else (
            None if holds_itself else self.cap
        )
        """USD held while the route runs (``None``: nothing is held, the limit is checked; or
        the route's model holds for itself)."""

    def _scopes(self) -> list[str]:
        assert self.request is not None
        return request_scopes(self.request.tags, self.request.user)

    def open(self) -> None:
        """Reserve :attr:`amount`; a refusal (:class:`BudgetExceededError`, or
        :class:`RequestCostCapError` for a bounded route over the per-request cap) is
        recorded against the decided call, then raised: the route never runs."""
        with self._refusal_recorded():
            self._check_cap()
            if self.amount is not None and self.router.budget is not None:
                self._held = self.router.budget.reserve(
                    self.decision.call_id, self.amount, self._scopes(), owner=self
                )

    async def aopen(self) -> None:
        """Async twin of :meth:`open`: no blocking ledger round trip, and a reservation the
        ledger takes after the caller was cancelled is let go."""
        with self._refusal_recorded():
            self._check_cap()
            if self.amount is not None and self.router.budget is not None:
                self._held = await areserve_kept(
                    self.router.budget, self.decision.call_id, self.amount, self._scopes(), owner=self
                )

    @property
    def judge_usd(self) -> float:
        """What the router's judge was paid to decide this call (spent before the route runs,
        so it counts against the per-request cap as a plan counts it; 0: no paid judge)."""
        return self.decision.classifier_cost_usd or 0.0

    def _check_cap(self) -> None:
        """A bounded route whose worst case, on top of what its judge spent, passes the
        per-request cap is not run (as a plan's first attempt that would pass it is not made)."""
        cap = self.router.config.budget.per_request_cap_usd
        judge = self.judge_usd
        if cap is not None and self.worst is not None and judge + self.worst > cap:
            of = f" after the judge's ${judge:.6f} already spent" if judge else ""
            raise RequestCostCapError(
                f"per-request cap ${cap:.6f}: route {self.decision.tier!r} would cost about "
                f"${self.worst:.6f}{of}"
            )

    def spend(self) -> RouteSpend | None:
        """The account that keeps an unbounded route's model calls under the cap, the judge's
        cost counted as spent (``None``: nothing to keep, see :attr:`cap`)."""
        if self.cap is None:
            return None
        return RouteSpend(self.cap, self.decision.tier, spent=self.judge_usd)

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
            # the judge's calls have a record of their own (the adapter's judge record, or the
            # caller's cost handler on the chain): the refusal does not pay them a second time,
            # and follows that record (attempt 0) rather than sharing its key, which PostgreSQL
            # keeps one row for (the refusal was dropped there)
            plan._classifier_charged = True
            plan.refused_before_deciding(exc, attempt=1 if self.decision.classifier_calls else 0)
            raise


class RouteSpend:
    """What the model calls inside one routed call may still spend under the per-request
    cap: spent (their recorded costs) plus the worst case of the calls under way. Thread-safe:
    a route may run calls in parallel.

    The adapter calls :meth:`admit` before each call is sent and :meth:`settle` with its
    recorded cost when it is over (the first settle counts; later ones are ignored). A call
    that keeps the cap itself (a routed chat model, ``rest``) is given what is left as its
    :class:`RouteShare`: its plan caps its attempts at that and settles what it recorded,
    failed attempts included.
    """

    __slots__ = ("_lock", "_open", "_rest", "cap", "judge", "spent", "tier")

    def __init__(self, cap: float, tier: str, *, spent: float = 0.0) -> None:
        self.cap = cap
        self.tier = tier
        self.judge = spent
        """What the router's judge spent deciding the call, before the route ran."""
        self.spent = spent
        self._open: dict[Hashable, float] = {}
        self._rest: list[Hashable] = []
        """The calls under way that were given all that was left (at most one is: the next
        admission finds nothing left until it settles)."""
        self._lock = threading.Lock()

    def admit(
        self, call: Hashable, model: str, worst: float | None, *, unknown: str = "",
        rest: bool = False,
    ) -> None:
        """Count ``call`` (to ``model``, at most ``worst`` USD) as under way, or raise
        :class:`RequestCostCapError` before it is sent: its worst case does not fit in what
        is left, or is unknown (``worst`` ``None``: ``unknown`` says why). ``rest``: the call
        keeps the cap itself (a routed chat model): it is given all that is left."""
        with self._lock:
            committed = self.spent + sum(self._open.values())
            left = self.cap - committed
            if rest:
                if left <= 1e-15:
                    raise RequestCostCapError(
                        f"per-request cap ${self.cap:.6f}: nothing is left for a call to {model!r} "
                        f"in route {self.tier!r} after ${committed:.6f}{self._of_judge()}; it was not sent"
                    )
                worst = left
                self._rest.append(call)
            if worst is None:
                raise RequestCostCapError(
                    f"per-request cap ${self.cap:.6f}: route {self.tier!r} calls {model!r} {unknown}, "
                    "so the call's worst case is unknown and the cap could not be kept; it was "
                    "not sent"
                )
            if worst > left + 1e-15:
                raise RequestCostCapError(
                    f"per-request cap ${self.cap:.6f}: a call to {model!r} in route {self.tier!r} "
                    f"may cost ${worst:.6f} after ${self.spent:.6f} spent{self._of_judge()} and "
                    f"${committed - self.spent:.6f} in calls under way; it was not sent"
                )
            self._open[call] = worst

    def _of_judge(self) -> str:
        return f" (the judge's ${self.judge:.6f} included)" if self.judge else ""

    def settle(self, call: Hashable, cost: float | None) -> None:
        """``call`` is over and recorded at ``cost`` (``None``: nothing known to be billed)."""
        with self._lock:
            if self._open.pop(call, None) is not None:
                self.spent += cost or 0.0
                if call in self._rest:
                    self._rest.remove(call)

    def share(self, call: Hashable | None) -> RouteShare | None:
        """What ``call``, admitted with ``rest``, may spend (``None``: it is not such a call
        under way). ``call`` ``None``: the one such call under way, if there is exactly one
        (an adapter that cannot tell its call's id: LangChain's ``stream()``)."""
        with self._lock:
            if call is None:
                if len(self._rest) != 1:
                    return None
                call = self._rest[0]
            elif call not in self._rest:
                return None
            return RouteShare(self, call, self._open[call])


class RouteShare:
    """The part of a route's per-request cap one call that keeps the cap itself (a routed
    chat model in the route) may spend: its plan refuses an attempt whose worst case passes
    :attr:`usd` (as it does at its own ``per_request_cap_usd``) and, once over, settles what
    it recorded (:meth:`settle`), a failed attempt's worst case included."""

    __slots__ = ("account", "call", "usd")

    def __init__(self, account: RouteSpend, call: Hashable, usd: float) -> None:
        self.account = account
        self.call = call
        self.usd = usd

    @property
    def cap(self) -> float:
        """The route's per-request cap."""
        return self.account.cap

    @property
    def tier(self) -> str:
        """The route's tier."""
        return self.account.tier

    def settle(self, cost: float) -> None:
        self.account.settle(self.call, cost)

    def admit_judge(self, model: str, worst: float | None, unknown: str = "") -> None:
        """The call's judge (one call to ``model``, at most ``worst`` USD, made before its
        first attempt and paid by it) fits in the share, else :class:`RequestCostCapError`
        before it is sent (``worst`` ``None``: ``unknown`` says why)."""
        if worst is not None and worst <= self.usd + 1e-15:
            return
        cost = f"{unknown}, so its worst case is unknown" if worst is None else f"may cost ${worst:.6f}"
        raise RequestCostCapError(
            f"per-request cap ${self.cap:.6f} of route {self.tier!r} (${self.usd:.6f} of it left "
            f"for a routed call{self._after_judge()}): its judge's call to {model!r} {cost}; it was "
            "not sent"
        )

    def _after_judge(self) -> str:
        """What the route's own judge took of the cap before this call, said in a refusal."""
        judge = self.account.judge
        return f", after the route's judge's ${judge:.6f}" if judge else ""

    def refusal(self, tier: str, worst: float | None, spent: float) -> RequestCostCapError | None:
        """The error that refuses an attempt on ``tier`` costing at most ``worst`` (``None``:
        unknown) after the call spent ``spent``; ``None`` when it fits."""
        if worst is not None and spent + worst <= self.usd + 1e-15:
            return None
        head = (f"per-request cap ${self.cap:.6f} of route {self.tier!r} (${self.usd:.6f} of it "
                f"left for this call{self._after_judge()})")
        if worst is None:
            return RequestCostCapError(
                f"{head}: tier {tier!r} has no max_tokens or no known price, so the worst case of "
                "an attempt on it is unknown and the cap could not be kept; it was not sent (set "
                "max_tokens, and input_price / output_price for a model with no known price)"
            )
        return RequestCostCapError(
            f"{head}: attempt on {tier!r} would cost about ${worst:.6f} after ${spent:.6f} "
            "already spent; it was not sent"
        )
