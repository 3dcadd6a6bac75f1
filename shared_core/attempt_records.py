"""How a call's attempts become ledger records: one :class:`CallRecord` per attempt.

:class:`AttemptRecords` is the part of :class:`~shared_core.dispatch.CallPlan` that prices an
attempt (cost and baseline cost from the provider's usage), adds it to what the call has
spent, and writes it to the ledger; a call refused before any attempt is recorded too, as
``refused`` (nothing is silently lost). The call's first record also pays for the LLM calls
its classifier made to decide (the judge's; ``RouteDecision.classifier_calls``): their cost
is added to its ``cost_usd`` and named in ``metadata["classifier_cost_usd"]`` /
``metadata["classifier_calls"]``.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from typing import TYPE_CHECKING, Any

from ._construct import construct
from .decision import KNOB_VERSION
from .errors import redact
from .fault_types import refusal_kind
from .ledger.base import CallRecord, Framework, Status, check_record_fields
from .pricing import Usage, estimate_tokens, estimated_usage
from .storable import is_flat_storable
from .unanswered import is_upper_bound
from .usage_belief import ESTIMATED, believed_usage, is_estimated

__all__ = ["ESTIMATED", "KEPT_ANSWER", "AttemptRecords", "is_attempt"]

if TYPE_CHECKING:
    from .decision import RouteDecision
    from .dispatch import Attempt
    from .request import Request
    from .router import Router

# the logger the plan has always warned on (callers filter by its name)
logger = logging.getLogger("shared_core.dispatch")

KEPT_ANSWER = "every escalation failed: "
"""How the ``ok`` record of a kept answer (no attempt of its own) begins its ``error`` note."""


def is_attempt(rec: CallRecord) -> bool:
    """Whether a record is a provider attempt: not a refusal (no tier was called) nor the
    ``ok`` marker of a kept answer (its tokens and cost are on the rejected attempt's record)."""
    if rec.status == "refused":
        return False
    return not (rec.status == "ok" and (rec.error or "").startswith(KEPT_ANSWER))


def estimated_note(error: BaseException | str | None) -> str:
    """A record's note when its tokens were estimated: the error, then :data:`ESTIMATED`."""
    if isinstance(error, BaseException):
        error = f"{type(error).__name__}: {error}"
    return f"{error}; {ESTIMATED}" if error else ESTIMATED


_CUT = " [...] "


def error_text(error: BaseException | str) -> str:
    """A record's ``error``: an exception as ``Type: message``, secrets redacted, at most
    500 characters (the router's records and ``CostCallbackHandler``'s). A longer one keeps
    its beginning and its end, where the router's notes are (an upper bound, an estimate:
    what ``stats`` counts them by), and loses its middle."""
    text = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else error
    text = redact(text)
    if len(text) <= 500:
        return text
    return text[:160] + _CUT + text[-(500 - 160 - len(_CUT)):]


class AttemptRecords:
    """The recording half of :class:`~shared_core.dispatch.CallPlan` (a mixin: the state it
    reads and writes is the plan's own)."""

    _classifier_charged = False
    """Set once the call's first record has paid for the classifier's LLM calls."""
    cost_unknown = False
    """Set once an attempt (or the judge) used tokens at an unknown price: what the call
    spent in all is then unknown (``spent_usd`` holds its known part, for budgets)."""
    _last_record: CallRecord | None = None
    """The record written last (:meth:`_record`)."""
    _refused_moves = 0
    """``refused`` records of moves a budget refused mid-call (:mod:`shared_core.moves`):
    each takes an attempt number, so the records after it are numbered past it."""

    if TYPE_CHECKING:
        router: Router
        decision: RouteDecision
        request: Request
        framework: Framework
        streaming: bool
        prompt_text: str | None
        spent_usd: float
        otel: Any
        attempts: list[Attempt]

    def _record_metadata(
        self, attempt: Attempt, paid: dict[str, Any] | None
    ) -> tuple[dict[str, Any], bool]:
        """The request's metadata, plus on a call's first attempt the classifier's tier scores
        (``router_scores``: what ``calibrate --from-ledger`` re-fits the knob from) and what
        the classifier's own LLM calls cost (``paid``); and whether it is storable as it is
        (:func:`~shared_core.storable.is_flat_storable`: a fresh copy of plain values, which
        the record then keeps without rebuilding it)."""
        meta = dict(self.request.metadata)
        storable = not meta or is_flat_storable(meta)  # the copy the record keeps is what is checked
        if paid:
            meta.update(paid)
            storable = False  # a list of the judge's calls: storable_meta copies it
        scores = self.decision.scores
        if attempt.number == 0 and scores:  # numbered from 0
            meta["router_scores"] = fresh = dict(scores)
            storable = storable and is_flat_storable(fresh)
        if attempt.number == 0 and self.decision.cooled_from is not None:  # why this tier
            meta["cooldown_moved_from"] = self.decision.cooled_from
        if attempt.number == 0 and self.decision.knob_version is not None:  # the loop's evidence
            meta[KNOB_VERSION] = self.decision.knob_version
        return meta, storable

    def _sent_tokens(self, attempt: Attempt) -> int:
        """The attempt's estimated input: the request's plus the tier's system prompt."""
        return self.request.input_tokens + estimate_tokens(attempt.system_prompt or "")

    def _estimated_usage(self, attempt: Attempt, received_text: str) -> Usage:
        """Tokens of an attempt whose provider reported none: the request's estimated input
        plus the tier's system prompt, and ``received_text`` (characters / 4)."""
        return estimated_usage(self._sent_tokens(attempt), received_text)

    def _believed(
        self, attempt: Attempt, usage: Usage | None, received_text: str
    ) -> tuple[Usage, str | None]:
        """:func:`~shared_core.usage_belief.believed_usage` for this attempt."""
        return believed_usage(
            usage, self._sent_tokens(attempt), received_text, source=attempt.tier.model
        )

    def _record(
        self, attempt: Attempt, *, status: Status, usage: Usage | None, latency_ms: float,
        error_kind: str | None = None, error: BaseException | str | None = None,
        received_text: str | None = None,
    ) -> tuple[float | None, float | None]:
        """Write the attempt's record; its cost and baseline cost.

        ``received_text`` (an answer, accepted or rejected, tool calls included): when the
        provider reported no usable usage, or one impossible for what was sent and received
        (:mod:`shared_core.usage_belief`), the tokens are estimated from the text sent and
        this text, so the money the provider bills still reaches spend and budgets (the
        record says so)."""
        reported = usage  # what the provider said (telemetry reports only that)
        if received_text is not None and (usage is None or not usage.input_tokens or not usage.output_tokens):
            usage, note = self._believed(attempt, usage, received_text)
            if note is not None:
                if isinstance(error, BaseException):
                    error = f"{type(error).__name__}: {error}"
                error = f"{error}; {note}" if error else note
        router = self.router
        request = self.request
        decision = self.decision
        tier = attempt.tier
        baseline_model = router.baseline_model
        cost = base = None
        if usage is not None:
            prices = router.prices
            try:
                cost = prices.cost(tier.model, usage, tier=tier)
                base = prices.cost(baseline_model, usage, tier=router._baseline_tier)
            except OverflowError:  # a Usage built by hand with counts no provider sends
                cost = base = math.inf
            if not (cost is None or math.isfinite(cost)) or not (base is None or math.isfinite(base)):
                logger.warning(
                    "token counts on tier %r too large to price: cost recorded as unknown", tier.name
                )
                cost = base = None
            if cost is not None:
                self.spent_usd += cost
        if cost is None and (usage is not None or status in ("ok", "rejected")):
            self.cost_unknown = True  # an answer (tokens reported or estimated) with no known price
        paid = None
        if not self._classifier_charged:
            if decision.classifier_calls:
                paid = self._classifier_paid()
            else:  # (what _classifier_paid does for a classifier that made no LLM call)
                self._classifier_charged = True
        if paid is not None and (cost is not None or usage is None):
            # unknown price stays unknown: the tier's, or a judge call's on an unpriced model
            cost = None if _unpriced(paid) else (cost or 0.0) + paid["classifier_cost_usd"]
        ledger = router.ledger
        prompt = self.prompt_text or request.text
        if error is not None:
            error = error_text(error)
        meta, storable = self._record_metadata(attempt, paid)
        # construct(): the frozen __init__'s work in one step, CallRecord's own checks included
        # (all but rebuilding a metadata that is storable as it is: see _record_metadata)
        rec = construct(CallRecord, {
            "call_id": decision.call_id,
            "tier": tier.name,
            "model": tier.model,
            "attempt": attempt.number,
            "ts": time.time(),
            "status": status,
            "error_kind": error_kind,
            "error": error,
            "input_tokens": usage.input_tokens if usage else 0,
            "output_tokens": usage.output_tokens if usage else 0,
            "cached_input_tokens": usage.cached_input_tokens if usage else 0,
            "cost_usd": cost,
            "baseline_model": baseline_model,
            "baseline_cost_usd": base,
            "latency_ms": latency_ms,
            "escalated": attempt.kind == "escalation",
            "fallback": attempt.kind == "fallback",
            "classifier": decision.classifier,
            "confidence": decision.confidence,
            "prompt_hash": ledger.hash_prompt(prompt),
            "prompt": prompt if router.config.ledger.store_prompts else None,
            "tags": request.tags,  # CallRecord makes a tuple of any other sequence
            "metadata": meta,
            "user": request.user,
            "thread_id": request.thread_id,
            "framework": self.framework,
            "streamed": self.streaming,
            "variant": decision.variant,
        }, check_record_fields if storable else None)
        cost, base = rec.cost_usd, rec.baseline_cost_usd  # (a failure not billed: 0.0, not None)
        self._write(rec)
        self._last_record = rec
        if self.otel is not None:
            unsure = None  # tokens recorded that are not the provider's word (the record's note says)
            if usage is not None and is_upper_bound(error):
                unsure, reported = ("upper_bound", usage), None
            elif usage is not None and reported is usage and is_estimated(error):
                unsure, reported = ("estimated", usage), None
            elif usage is not None and reported is None:  # estimated here (believed_usage)
                unsure = ("estimated", usage)
            self.otel.attempt(attempt, status, reported, cost, unsure=unsure)
        return cost, base

    def _record_failure(
        self, attempt: Attempt, exc: BaseException, kind: str, latency_ms: float, *,
        after_first_token: bool, usage: Usage | None, received_text: str | None,
    ) -> None:
        """Write the record of an attempt that failed with ``exc`` (of fault ``kind``).

        A stream cut after its first token (``after_first_token``) was generated, and so
        billed: its record carries ``usage`` if the provider sent any, else tokens estimated
        from the text sent and ``received_text``. An error that carries the provider's answer
        (the OpenAI SDK's ``LengthFinishReasonError``), or the usage of an answer that held no
        choices, gives that usage, or the answer's text to estimate from
        (:mod:`shared_core.error_usage`). A non-streamed request sent and never answered (a
        read timeout, a connection reset after it was written), or answered with a body that
        could not be read (``bad_response``: invalid JSON, an answer that fails its schema), is
        recorded at its worst case, the input estimate plus its whole output budget
        (:mod:`shared_core.unanswered`). A streamed request that timed out was sent, and one
        whose answer broke off while it was read had begun: their input is estimated (plus
        what a stream received). Other failures (a request never sent, 4xx, 5xx) cost 0.0."""
        from .error_usage import failure_usage, unanswered_usage
        from .unanswered import upper_bound_note

        usage, received_text = failure_usage(
            exc, kind, after_first_token=after_first_token, usage=usage, received_text=received_text
        )
        error: BaseException | str = exc
        budget = attempt.max_tokens
        if budget is not None:  # each answer asked for (n) may be billed
            budget *= self._answers(attempt.tier)  # type: ignore[attr-defined]
        worst = unanswered_usage(
            exc, kind, usage=usage, received_text=received_text, budget=budget,
            streamed=self.streaming or after_first_token, sent_tokens=self._sent_tokens(attempt),
        )
        if worst is not None:  # nothing came back: the provider may still finish and bill it all
            usage, received_text = worst, None
            error = f"{type(exc).__name__}: {exc}; {upper_bound_note(worst.output_tokens, kind)}"
        self._record(
            attempt, status="failed", usage=usage, latency_ms=latency_ms, error_kind=kind,
            error=error, received_text=received_text,
        )

    def _write(self, rec: CallRecord) -> None:
        """Hand ``rec`` to the ledger; a ledger that raises (a custom backend) is logged, never
        raised into the call: the provider has answered, and the caller gets the answer."""
        try:
            self.router.ledger.record(rec)
        except Exception:
            logger.exception("cost ledger %r could not record call %s attempt %d (%s)",
                             type(self.router.ledger).__name__, rec.call_id, rec.attempt, rec.status)

    def _record_kept_answer(self, kept: CallRecord) -> None:
        """The caller gets an answer that failed a check, because every escalation after it
        failed: an ``ok`` record says so (the answering tier, the baseline cost of that
        answer), at no cost and no tokens of its own (they are on ``kept``'s record)."""
        n = kept.attempt
        self._write(dataclasses.replace(
            kept, attempt=len(self.attempts) + self._refused_moves, ts=time.time(), status="ok", error_kind=None,
            error=f"{KEPT_ANSWER}the answer of attempt {n} (rejected: {kept.error}) was "
            f"returned; its tokens and cost are on attempt {n}'s record",
            input_tokens=0, output_tokens=0, cached_input_tokens=0, cost_usd=0.0, escalated=False,
            fallback=False, metadata=dict(self.request.metadata),  # the judge's cost stays on attempt n
        ))

    def _classifier_paid(self) -> dict[str, Any] | None:
        """Once per call, for its first record: the classifier's LLM calls (the judge's)
        and their known cost, also added to what the call has spent; ``None`` for none."""
        self._classifier_charged = True
        calls = self.decision.classifier_calls
        if not calls:
            return None
        cost = self.decision.classifier_cost_usd
        self.spent_usd += cost
        paid = {"classifier_cost_usd": cost, "classifier_calls": [dict(c) for c in calls]}
        if _unpriced(paid):  # a judge on a model with no price: what deciding cost is unknown
            paid["classifier_cost_usd"] = None
            self.cost_unknown = True
        return paid

    def _record_refusal(
        self, exc: BaseException, status: Status = "refused", *, reason: str | None = None,
        unpriced: bool = False, attempt: int = 0,
    ) -> None:
        """A call that ends before any attempt: refused (a budget, a cost cap), or
        ``abandoned`` (its caller stopped it); it carries the judge's cost, if any.
        ``reason`` replaces the exception's text; ``unpriced``: what the call spent is
        unknown (``cost_usd`` None) unless the judge's cost is known; ``attempt``: the
        record's (0 unless another record of the call already has it)."""
        paid = self._classifier_paid() if not self._classifier_charged else None
        tier = self.router.config.tiers[self.decision.index]
        cost = (None if _unpriced(paid) else paid["classifier_cost_usd"]) if paid else (None if unpriced else 0.0)
        self._write(
            CallRecord(
                call_id=self.decision.call_id, attempt=attempt, ts=time.time(), tier=tier.name,
                model=tier.model, status=status,
                error_kind="abandoned" if status == "abandoned" else refusal_kind(exc),
                error=redact(reason or str(exc))[:500], input_tokens=0, output_tokens=0,
                cached_input_tokens=0, cost_usd=cost,
                baseline_model=self.router.baseline_model,
                baseline_cost_usd=None, latency_ms=0.0, escalated=False, fallback=False,
                classifier=self.decision.classifier, confidence=self.decision.confidence,
                prompt_hash=self.router.ledger.hash_prompt(self.prompt_text or self.request.text),
                prompt=None, tags=tuple(self.request.tags),
                metadata={**self.request.metadata, **paid} if paid else dict(self.request.metadata),
                user=self.request.user, thread_id=self.request.thread_id,
                framework=self.framework, streamed=self.streaming, variant=self.decision.variant,
            )
        )
        if self.otel is not None:
            if cost:  # what the judge was paid: the cost metric sums what the ledger holds
                self.otel.charge(tier, status, cost)
            self.otel.end(self, exc, outcome=status)


def _unpriced(paid: dict[str, Any]) -> bool:
    """Whether a judge call that used tokens has no known cost (its model has no price): the
    record's cost is then unknown, not the priced part alone."""
    return any(
        c.get("cost_usd") is None and (c.get("input_tokens") or c.get("output_tokens"))
        for c in paid["classifier_calls"]
    )
