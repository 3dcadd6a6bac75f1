"""The per-call engine shared by both adapters: attempts, fallback, escalation, ledger.

A :class:`CallPlan` is a small state machine. An adapter asks it for the next
:class:`Attempt`, calls the inner model of that tier, and reports back with
:meth:`CallPlan.failed` or :meth:`CallPlan.succeeded`. Sync and async adapters run the
same plan, so fallback, escalation, cooldown, cost caps and recording exist once::

    plan = router.plan(decision, request, framework="langchain")
    while (attempt := plan.next_attempt()) is not None:
        try:
            result = call_inner_model(attempt)
        except Exception as exc:
            plan.failed(attempt, exc)          # re-raises when no fallback applies
            continue
        if plan.succeeded(attempt, usage=..., answer=Answer(text, n_tool_calls)):
            return result
    raise plan.failure()

:func:`execute` / :func:`aexecute` run that loop for a plain callable
(:mod:`shared_core.executors`, re-exported here); a callable ends the call with its caller's
own error by raising :class:`StopCall` (:mod:`shared_core.call_stop`, re-exported here).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from . import telemetry
from ._construct import construct
from .attempt_records import AttemptRecords, logger
from .call_hold import CallHold
from .call_stop import CallStop, StopCall
from .cap_bounds import cap_refusal
from .errors import (
    AllTiersFailedError,
    TierAttemptError,
    scrub_exception,
)
from .executors import AttemptResult, aexecute, execute
from .ledger.base import Framework
from .moves import Moves
from .next_tier import NextTier
from .quality import TRUNCATED, Answer, failed_check
from .request import Request
from .tier import Tier

if TYPE_CHECKING:
    from .decision import RouteDecision
    from .pricing import Usage
    from .route_hold import RouteShare
    from .router import Router

__all__ = ["Attempt", "AttemptKind", "AttemptResult", "CallPlan", "StopCall", "aexecute", "execute"]

AttemptKind = Literal["primary", "fallback", "escalation"]


@dataclass(frozen=True)
class Attempt:
    """One try of one tier within a call."""

    tier: Tier
    index: int
    number: int
    kind: AttemptKind
    max_tokens: int | None
    """The tier's budget unless the caller set ``max_tokens`` (then the caller's)."""
    timeout_s: float | None
    """Per-attempt timeout, already bounded by the overall deadline."""

    @property
    def system_prompt(self) -> str | None:
        return self.tier.system_prompt


@dataclass
class CallPlan(CallHold, CallStop, AttemptRecords, NextTier, Moves):
    """State of one routed call. Create with :meth:`Router.plan`.

    Its budget reservation is :class:`~shared_core.call_hold.CallHold`'s job, its ledger
    records :class:`~shared_core.attempt_records.AttemptRecords`', a call the caller stops
    half-way :class:`~shared_core.call_stop.CallStop`'s, what became of a fallback or an
    escalation :class:`~shared_core.moves.Moves`'; the loop is here."""

    router: Router
    decision: RouteDecision
    request: Request
    framework: Framework = "core"
    caller_max_tokens: int | None = None
    choices: int | None = None
    """Answers the caller asked each request for (``n``: :mod:`shared_core.output_budget`)."""
    tier_choices: Mapping[str, int] | None = None
    """Tier name -> answers its model asks each request for by itself (absent: one)."""
    streaming: bool = False
    route_share: RouteShare | None = None
    """What is left of the per-request cap of the route this call is made in (a routed chat
    model inside a ``RunnableRouter`` route): a cap on its attempts beside the config's own,
    told what the call spent when it ends (:class:`~shared_core.route_hold.RouteShare`)."""
    prompt_text: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    errors: list[TierAttemptError] = field(default_factory=list)
    spent_usd: float = 0.0
    escalations: int = 0
    final: Attempt | None = None
    final_cost: float | None = None
    final_baseline_cost: float | None = None
    _pending: tuple[int, AttemptKind] | None = None
    _tried: set[int] = field(default_factory=set)
    _started: float = field(default_factory=time.monotonic)
    _attempt_started: float = 0.0
    _last_reason: str | None = None
    _rejected: Attempt | None = None
    _rejected_record: Any = None
    """The ledger record of :attr:`kept` (``CallRecord``)."""
    otel: Any = None
    """This call's OpenTelemetry span and metrics (:class:`shared_core.otel.CallSpan`), when on."""
    failure_type: Callable[[list[TierAttemptError]], AllTiersFailedError] = AllTiersFailedError
    """What :meth:`failure` builds (an adapter's subclass, e.g. one its framework's users catch)."""
    _step_kind: tuple[int, AttemptKind, float | None] | None = None
    _opened: bool = False
    _closed: bool = False
    _hold: float | None = None
    """USD reserved for this call (``None``: no hard limit applies, or none was held)."""
    _live: Attempt | None = None
    """The attempt begun and not reported yet (what an interruption leaves half-done)."""

    def __post_init__(self) -> None:
        self._pending = (self.decision.index, "primary")
        tel = self.router.telemetry
        if tel is not None:
            self.otel = tel.start(self)

    # -- the loop -------------------------------------------------------------
    def next_attempt(self) -> Attempt | None:
        """The next attempt to make, or ``None`` when the call has failed for good."""
        if not self._opened:
            self.open()
        pending = self._pending
        tier = self._step()
        if tier is not None and (need := self._extension(tier)):
            err = None
            try:
                self.router.budget.reserve(self.decision.call_id, need, self._scopes(), owner=self)  # type: ignore[union-attr]
            except Exception as exc:
                err = exc
            if not self._extended(tier, need, err):
                tier = None
        self._settle(pending, tier is not None)
        return self._begin(tier)

    async def anext_attempt(self) -> Attempt | None:
        """Async twin of :meth:`next_attempt` (an extension awaits the ledger)."""
        if not self._opened:
            await self.aopen()
        pending = self._pending
        tier = self._step()
        if tier is not None and (need := self._extension(tier)):
            err = None
            try:
                await self._areserve(self.router.budget, need)  # type: ignore[arg-type]
            except Exception as exc:
                err = exc
            if not self._extended(tier, need, err):
                tier = None
        self._settle(pending, tier is not None)
        return self._begin(tier)

    def _begin(self, tier: Tier | None) -> Attempt | None:
        if tier is None:
            self._pending = None
            self.close()
            return None
        assert self._step_kind is not None
        idx, kind, timeout = self._step_kind
        caller_max = self.caller_max_tokens  # (what _max_tokens says, without the call)
        attempt = construct(Attempt, {
            "tier": tier, "index": idx, "number": len(self.attempts) + self._refused_moves, "kind": kind,
            "max_tokens": caller_max if caller_max is not None else tier.max_tokens,
            "timeout_s": timeout,
        })
        self.attempts.append(attempt)
        self._live = attempt
        self._tried.add(idx)
        self._attempt_started = time.perf_counter()
        return attempt

    def _step(self) -> Tier | None:
        """The next tier to try (deadline and per-request cap applied), or ``None``."""
        cfg = self.router.config
        if self._pending is None:
            return None
        idx, kind = self._pending
        self._pending = None
        deadline = cfg.fallback.deadline_s
        remaining = None
        if deadline is not None:
            remaining = deadline - (time.monotonic() - self._started)
            if remaining <= 0:
                self.errors.append(TierAttemptError(
                    cfg.tiers[idx].name, TimeoutError(f"deadline of {deadline}s passed"), "timeout", attempted=False,
                ))
                return None
        tier = cfg.tiers[idx]
        cap = cfg.budget.per_request_cap_usd
        share = self.route_share  # what a route held at its cap left this call (see RouteShare)
        if cap is not None or share is not None:
            est = self._estimate(tier)
            # the judge's call is paid for already, if not yet counted (by the first record)
            judge = 0.0 if self._classifier_charged else self.decision.classifier_cost_usd or 0.0
            spent = self.spent_usd + judge
            err = share.refusal(tier.name, est, spent) if share is not None else None
            if err is None and cap is not None:
                err = cap_refusal(cap, tier, est, spent, judge)
            if err is not None:
                self.errors.append(TierAttemptError(tier.name, err, "cost_cap", attempted=False))
                if not self.attempts:
                    self._record_refusal(err)
                    self.close()
                    raise err
                return None
        per = tier.timeout_s or cfg.fallback.attempt_timeout_s
        timeout = min(x for x in (per, remaining) if x is not None) if (per or remaining) else None
        self._step_kind = (idx, kind, timeout)
        return tier

    def failed(
        self, attempt: Attempt, exc: BaseException, *, after_first_token: bool = False,
        usage: Usage | None = None, received_text: str | None = None,
    ) -> None:
        """Report a provider error. Re-raises ``exc`` when no fallback applies.

        What the attempt's record carries (its tokens and cost) is
        :meth:`~shared_core.attempt_records.AttemptRecords._record_failure`'s to say: the
        usage the provider reported, tokens estimated from what was sent and received, the
        worst case of a request sent and never answered, or nothing for one never sent
        (:func:`~shared_core.error_usage.failure_usage` holds the common rule;
        ``CostCallbackHandler`` records a failed call by it too)."""
        from .faults import classify_error, is_retryable_kind, requested_pause

        self._live = None
        kind = classify_error(exc)
        cfg = self.router.config
        latency = self._elapsed_ms()
        if kind != "context_length":  # the tier is healthy: this prompt is too long for it
            self.router.cooldown.failure(attempt.tier.name, requested_pause(exc))
        self.errors.append(TierAttemptError(attempt.tier.name, exc, kind))
        self._record_failure(
            attempt, exc, kind, latency, after_first_token=after_first_token, usage=usage,
            received_text=received_text,
        )
        retryable = cfg.fallback.enabled and is_retryable_kind(kind, cfg.fallback.on) and not after_first_token
        kept = self._rejected
        if not retryable:
            if kept is not None and not after_first_token:
                # an escalation failed for good: the caller returns the earlier answer
                self._pending = None
                return
            if self.otel is not None:
                self.otel.end(self, exc)
            self.close()
            raise scrub_exception(exc)  # e.g. a 401 that echoes the key
        # after a rejected answer only stronger tiers are worth trying
        nxt = self._fallback_target(
            attempt.index, above=kept.index if kept is not None else -1,
            wider=attempt.tier.context_window if kind == "context_length" else None,
        )
        self._pending = (nxt, "fallback") if nxt is not None else None
        if nxt is not None:  # logged once the plan knows whether the budget lets it be tried
            self._announce(telemetry.fallback, self, attempt, kind, exc, nxt, latency)

    def succeeded(
        self,
        attempt: Attempt,
        *,
        usage: Usage | None,
        answer: Answer | None = None,
        check: bool = True,
    ) -> bool:
        """Report an answer; returns ``True`` when it is accepted, ``False`` to escalate."""
        self._live = None
        latency = (time.perf_counter() - self._attempt_started) * 1000.0  # (_elapsed_ms)
        router = self.router
        cfg = router.config
        router.cooldown.success(attempt.tier.name)
        reason = None
        up = None
        if (
            check
            and answer is not None
            and cfg.escalation.enabled
            and self.escalations < cfg.escalation.max_escalations
        ):
            reason = failed_check(
                answer, cfg.escalation,
                tool_choice_required=self.request.tool_choice_required,
                user_checks=self.router.checks,
            )
            if reason is not None:
                up = self._escalation_target(attempt.index)
                if up is None or (reason.startswith(TRUNCATED) and not self._larger_budget(attempt, up)):
                    reason = None  # nowhere to escalate (or the next tier would be cut alike)
        cost, base = self._record(
            attempt, status="rejected" if reason else "ok", usage=usage, latency_ms=latency,
            error_kind="quality" if reason else None, error=reason,
            received_text=answer.received if answer is not None else "",
        )
        if reason is not None:
            self._last_reason = reason
            self._rejected = attempt
            self._rejected_record = self._last_record
            self.escalations += 1
            try:
                self.router.ledger.record_feedback(self.decision.call_id, 0.0, source="escalation")
            except Exception:  # a ledger that raises (a custom backend): logged, never the call's
                logger.exception("cost ledger could not record the escalation of call %s", self.decision.call_id)
            self.router.note_thread(self.request.thread_id, up)  # type: ignore[arg-type]
            self._pending = (up, "escalation")  # type: ignore[assignment]
            self._announce(telemetry.escalation, self, attempt, reason, up, latency)
            return False
        self.final, self.final_cost, self.final_baseline_cost = attempt, cost, base
        if attempt.index != self.decision.index:
            self.router.note_thread(self.request.thread_id, attempt.index)
        if self.otel is not None:
            self.otel.end(self)
        self.close()
        return True

    @property
    def kept(self) -> Attempt | None:
        """An answer that failed a check, kept in case every escalation after it fails."""
        return self._rejected

    def accept_rejected(self, attempt: Attempt) -> None:
        """Return the kept answer after its escalation failed (adapters call this).

        The ledger gets an ``ok`` record for the answer returned (see
        :meth:`~shared_core.attempt_records.AttemptRecords._record_kept_answer`), so the call
        counts as answered by that tier, with that answer's baseline cost."""
        self.final = attempt
        kept = self._rejected_record
        if kept is not None and kept.attempt == attempt.number:
            self.final_cost, self.final_baseline_cost = kept.cost_usd, kept.baseline_cost_usd
            self._record_kept_answer(kept)
        why = self._refused_why or "escalation failed"
        self._last_reason = f"{self._last_reason or ''}; {why}, kept the earlier answer"
        if self.otel is not None:
            self.otel.end(self)

    def failure(self) -> AllTiersFailedError:
        """The error to raise when :meth:`next_attempt` returned ``None``."""
        err = self._failure_error()
        if self.otel is not None:
            self.otel.end(self, err)
        return err

    # -- results --------------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        """The ``router`` metadata both adapters attach to the answer."""
        att = self.final or (self.attempts[-1] if self.attempts else None)
        d = self.decision
        meta = {
            "tier": att.tier.name if att else d.tier,
            "model": att.tier.model if att else d.model,
            "decided_tier": d.tier,
            "confidence": d.confidence,
            "classifier": d.classifier,
            "scores": dict(d.scores),
            # an escalation attempt follows a rejected answer, so none without one
            "escalated": self.escalations > 0
            and any(a.kind == "escalation" for a in self.attempts),
            "escalation_reason": self._last_reason,
            "fallbacks_tried": [e.tier for e in errors] if (errors := self.errors) else [],
            "attempts": len(self.attempts),
            "cost_usd": self.final_cost,
            # every attempt's cost and the judge's: unknown if any of them is
            "total_cost_usd": None if self.cost_unknown else self.spent_usd,
            "baseline_cost_usd": self.final_baseline_cost,
            "call_id": d.call_id,
            "decision_latency_us": d.latency_us,
            "reasons": list(d.reasons),
        }
        if d.variant is not None:  # an A/B or shadow call (shared_core.variants)
            meta["variant"] = d.variant
        if d.classifier_calls:  # the judge's own call, part of cost_usd / total_cost_usd
            meta["classifier_cost_usd"] = d.classifier_cost_usd
        return meta

    # -- internals ------------------------------------------------------------
    def _max_tokens(self, tier: Tier) -> int | None:
        return self.caller_max_tokens if self.caller_max_tokens is not None else tier.max_tokens

    def _elapsed_ms(self) -> float:
        return (time.perf_counter() - self._attempt_started) * 1000.0
