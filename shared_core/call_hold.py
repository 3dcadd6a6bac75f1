"""A call's budget reservation: held before its first attempt, extended, released at its end.

:class:`CallHold` is the part of :class:`~shared_core.dispatch.CallPlan` that talks to
the :class:`~shared_core.budget.BudgetGuard` (see :mod:`shared_core.budget` for why
reservations make hard limits hard). The sync and async twins share every step but the
ledger round trip itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING

from .budget import request_scopes
from .errors import TierAttemptError

if TYPE_CHECKING:
    from .budget import BudgetGuard
    from .decision import RouteDecision
    from .dispatch import Attempt
    from .ledger.base import Status
    from .request import Request
    from .route_hold import RouteShare
    from .router import Router
    from .tier import Tier


class CallHold:
    """The reservation half of :class:`~shared_core.dispatch.CallPlan` (a mixin: the state
    it reads and writes is the plan's own)."""

    if TYPE_CHECKING:
        router: Router
        decision: RouteDecision
        request: Request
        attempts: list[Attempt]
        errors: list[TierAttemptError]
        spent_usd: float
        _opened: bool
        _closed: bool
        _hold: float | None
        route_share: RouteShare | None
        choices: int | None
        tier_choices: Mapping[str, int] | None

        def _max_tokens(self, tier: Tier) -> int | None: ...
        def _cooling_at_start(self) -> None: ...
        def _record_refusal(
            self, exc: BaseException, status: Status = "refused", *, reason: str | None = None,
            unpriced: bool = False, attempt: int = 0,
        ) -> None: ...

    # -- the reservation: opened before the first attempt, released when the call ends --
    def open(self) -> None:
        """Reserve the call's most likely-maximal cost against every applicable hard
        limit (``Router.plan`` does this); raises :class:`BudgetExceededError`, recorded
        as a refusal, when it does not fit."""
        if (opening := self._opening()) is not None:
            guard, amount = opening
            with self._refusal_recorded():
                held = guard.reserve(self.decision.call_id, amount, self._scopes(), owner=self)
            self._hold = amount if held else None

    async def aopen(self) -> None:
        """Async twin of :meth:`open` (``Router.aplan``): no blocking ledger round trip."""
        if (opening := self._opening()) is not None:
            guard, amount = opening
            with self._refusal_recorded():
                held = await self._areserve(guard, amount)
            self._hold = amount if held else None

    def _opening(self) -> tuple[BudgetGuard, float] | None:
        """What :meth:`open` / :meth:`aopen` reserve: the guard and the amount, or ``None``
        when the plan is already open or no budget applies (the plan is open after this)."""
        if self._opened:
            return None
        self._opened = True
        self._cooling_at_start()  # a call on a tier cooling down with fallback off: refused
        guard = self.router.budget
        if guard is None:
            return None
        return guard, self._opening_amount()

    @contextlib.contextmanager
    def _refusal_recorded(self) -> Iterator[None]:
        """A reservation that fails (refused, or the ledger unreachable) is recorded as a
        refusal, then its error goes on to the caller."""
        try:
            yield
        except Exception as exc:
            self._record_refusal(exc)
            raise

    def _scopes(self) -> list[str]:
        # imported at module load: a call closed during interpreter shutdown cannot import
        return request_scopes(self.request.tags, self.request.user)

    def _opening_amount(self) -> float:
        cap = self.router.config.budget.per_request_cap_usd
        if cap is not None:
            return cap
        return self._estimate(self.router.config.tiers[self.decision.index]) or 0.0

    def _estimate(self, tier: Tier) -> float | None:
        """The most an attempt on ``tier`` may cost: its input once, and the output budget
        once per answer the request asks for (``n``: each is billed)."""
        from .budget import estimate_cost

        budget = self._max_tokens(tier)
        if budget is not None:
            budget *= self._answers(tier)
        budgeted = tier.model_copy(update={"max_tokens": budget})
        return estimate_cost(budgeted, self.request.input_tokens, self.router.prices)

    def _answers(self, tier: Tier) -> int:
        """How many answers an attempt on ``tier`` is asked for (``n``; each is billed)."""
        if not (self.choices or self.tier_choices):
            return 1
        own = self.tier_choices.get(tier.name, 1) if self.tier_choices else 1
        return max(self.choices or 1, own)

    def _extension(self, tier: Tier) -> float:
        """How much more than is held the next attempt may cost (0: it fits). The ledger
        counts this call's records beside its hold while it runs (the hold is released once
        the call is over), so the hold must cover the next attempt's worst case alone: asking
        for what was spent again counted a timed-out attempt's worst case twice."""
        if self._hold is None or not self.attempts:
            return 0.0
        need = (self._estimate(tier) or 0.0) - self._hold
        return need if need > 1e-15 else 0.0

    async def _areserve(self, guard: BudgetGuard, amount: float) -> bool:
        """:func:`areserve_kept` for this call."""
        return await areserve_kept(guard, self.decision.call_id, amount, self._scopes(), owner=self)

    def _extended(self, tier: Tier, need: float, exc: BaseException | None) -> bool:
        if exc is not None:
            self.errors.append(TierAttemptError(tier.name, exc, "budget", attempted=False))
            return False
        self._hold = (self._hold or 0.0) + need
        return True

    def close(self) -> None:
        """The call is over: its records are in, so its reservation is released."""
        if self._closed:
            return
        self._closed = True
        if self.route_share is not None:  # what the route's cap account counts: all recorded
            self.route_share.settle(self.spent_usd)
        if self._hold is not None:
            guard = self.router.budget
            assert guard is not None
            guard.release(self.decision.call_id, self._scopes())


async def areserve_kept(
    guard: BudgetGuard, reservation_id: str, amount: float, scopes: list[str], *,
    owner: object | None = None,
) -> bool:
    """``guard.areserve``, carried to its end even when the caller is cancelled meanwhile:
    the ledger may have taken the reservation already (a database round trip, a worker
    thread), so once it answers the hold is let go instead of lingering until its TTL."""
    task = asyncio.ensure_future(guard.areserve(reservation_id, amount, scopes, owner=owner))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(partial(_let_go, guard, reservation_id, scopes))
        raise


def _let_go(guard: BudgetGuard, call_id: str, scopes: list[str], task: asyncio.Future[bool]) -> None:
    """A reservation that answered after its caller was cancelled: release what it took."""
    if task.cancelled() or task.exception() is not None:  # nothing was held
        return
    if task.result():
        guard.release(call_id, scopes)
