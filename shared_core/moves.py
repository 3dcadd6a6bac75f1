"""A call's moves to another tier (fallbacks, escalations): logged when they are made, and
said so when the budget, the per-request cap or the deadline refuses them.

:class:`Moves` is the part of :class:`~shared_core.dispatch.CallPlan` that tells operators
and the ledger what became of a move. A failed attempt (or an answer that failed a check)
*announces* the tier it moves to; the WARNING is written once the plan knows whether that
tier can be tried (its cost fits the cap, its extra reservation the budget, the deadline has
not passed). A move that is made logs ``fallback`` / ``escalation`` as before; one that is
refused logs ``fallback_refused`` / ``escalation_refused`` with the reason, writes a
``refused`` record for the tier that was not called (cost 0, ``fallback`` / ``escalated``
set as the attempt would have had them), and a fallback refused by a budget ends the call
with :class:`~shared_core.errors.FallbackOverBudgetError` /
:class:`~shared_core.errors.FallbackOverCapError`: the budget's own error type and an
:class:`~shared_core.errors.AllTiersFailedError` at once, caused by the provider's failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._construct import construct
from .cooldown import fallback_off
from .errors import (
    AllTiersFailedError,
    BudgetExceededError,
    FallbackOverBudgetError,
    FallbackOverCapError,
    RequestCostCapError,
    TierAttemptError,
    TierCoolingDownError,
)
from .fault_types import refusal_kind
from .pricing import Usage

if TYPE_CHECKING:
    from .decision import RouteDecision
    from .dispatch import Attempt, AttemptKind
    from .ledger.base import Status
    from .router import Router

REFUSED_BY = {"budget": "the budget", "cost_cap": "the per-request cap", "timeout": "the deadline"}
"""What refused a move, by the kind of the entry :class:`~shared_core.dispatch.CallPlan` adds
to ``errors`` for it (``timeout``: ``fallback.deadline_s`` had passed)."""


class Moves:
    """The move-telling half of :class:`~shared_core.dispatch.CallPlan` (a mixin: the state
    it reads and writes is the plan's own)."""

    _announced: tuple[Callable[..., None], tuple[Any, ...]] | None = None
    _refused_why: str | None = None
    """Why the last move was refused (``"the escalation to 'strong' was refused by ..."``)."""

    if TYPE_CHECKING:
        router: Router
        decision: RouteDecision
        attempts: list[Attempt]
        errors: list[TierAttemptError]
        failure_type: Callable[[list[TierAttemptError]], AllTiersFailedError]
        otel: Any
        _refused_moves: int

        def _record(
            self, attempt: Attempt, *, status: Status, usage: Usage | None, latency_ms: float,
            error_kind: str | None = None, error: BaseException | str | None = None,
            received_text: str | None = None,
        ) -> tuple[float | None, float | None]: ...
        def _record_refusal(
            self, exc: BaseException, status: Status = "refused", *, reason: str | None = None,
            unpriced: bool = False, attempt: int = 0,
        ) -> None: ...
        def close(self) -> None: ...

    def _cooling_at_start(self) -> None:
        """Before the call's first attempt (and its reservation): a call the router moved off
        a tier cooling down logs that move (:func:`~shared_core.telemetry.cooldown_move`); with
        fallback off, a call whose tier is cooling down is refused, recorded ``refused``
        (:class:`~shared_core.errors.TierCoolingDownError`), not sent anywhere."""
        if self.decision.cooled_from is not None:
            from . import telemetry  # (imported here: the common call has nothing to log)

            telemetry.cooldown_move(self)  # type: ignore[arg-type]  # (self is the CallPlan)
        cool = self.router.cooldown
        if cool.idle:
            return
        tier = self.router.config.tiers[self.decision.index]
        if cool.available(tier.name) or not fallback_off(self.router.config.fallback):
            return
        err = TierCoolingDownError(tier.name, tier.model, cool.remaining(tier.name))
        self.errors.extend(err.errors)
        self._record_refusal(err)
        self.close()
        raise err

    def _announce(self, log: Callable[..., None], *args: Any) -> None:
        """A move is pending: ``log(*args)`` (:func:`shared_core.telemetry.fallback` /
        ``escalation``) once :meth:`_settle` knows whether it is made."""
        self._announced = (log, args)

    def _settle(self, pending: tuple[int, AttemptKind] | None, made: bool) -> None:
        """The next attempt is known: ``made`` (the move's tier is tried) or not. Logs the
        announced move, or its refusal (then a ``refused`` record for a budget's)."""
        announced, self._announced = self._announced, None
        if announced is None or pending is None:
            return
        log, args = announced
        if made or not self.errors or self.errors[-1].attempted:
            log(*args)
            return
        block = self.errors[-1]
        by = REFUSED_BY.get(block.kind, block.kind)
        idx, kind = pending
        log(*args, refused=(block.kind, by, block.error))
        self._refused_why = f"the {kind} to {block.tier!r} was refused by {by}"
        if block.kind in ("budget", "cost_cap"):
            self._record_refused_move(idx, kind, block.error)

    def _record_refused_move(self, idx: int, kind: AttemptKind, exc: BaseException) -> None:
        """A ``refused`` record for the tier a budget kept the call from (never called: no
        tokens, cost 0), numbered after the attempts made."""
        from .dispatch import Attempt

        tier = self.router.config.tiers[idx]
        attempt = construct(Attempt, {
            "tier": tier, "index": idx, "number": len(self.attempts) + self._refused_moves,
            "kind": kind, "max_tokens": None, "timeout_s": None,
        })
        self._refused_moves += 1
        otel, self.otel = self.otel, None  # no tokens of a model never called reach the metrics
        try:
            self._record(
                attempt, status="refused", usage=Usage(0, 0, 0), latency_ms=0.0,
                error_kind=refusal_kind(exc), error=str(exc),
            )
        finally:
            self.otel = otel

    def _failure_error(self) -> AllTiersFailedError:
        """What :meth:`~shared_core.dispatch.CallPlan.failure` raises: a fallback a budget
        refused ends in the budget's own error (an ``AllTiersFailedError`` too), caused by
        the provider's last failure; otherwise :attr:`failure_type`'s."""
        errors = self.errors
        block = errors[-1] if errors and not errors[-1].attempted else None
        err: AllTiersFailedError
        if block is not None and isinstance(block.error, BudgetExceededError):
            err = FallbackOverBudgetError(errors, block.error)
        elif block is not None and isinstance(block.error, RequestCostCapError):
            err = FallbackOverCapError(errors, block.error)
        else:
            return self.failure_type(errors)
        err.__cause__ = next((e.error for e in reversed(errors) if e.attempted), None)
        return err
