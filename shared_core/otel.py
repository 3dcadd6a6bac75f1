"""OpenTelemetry spans and metrics for routed calls (the ``otel`` extra; off unless turned on).

Turn it on with ``telemetry: {opentelemetry: true}`` in the config (the global tracer and
meter providers) or ``Router(..., telemetry=OpenTelemetry(tracer_provider=...,
meter_provider=...))``. Names follow the OpenTelemetry GenAI semantic conventions where they
exist; cost, which they lack, has project-owned names under ``tier_router.``.

**One span per routed call** (kind ``INTERNAL``; the provider's own HTTP instrumentation makes
the ``CLIENT`` spans), named ``chat {gen_ai.request.model}``, from the routing decision to the
accepted answer or the error. While a non-streamed attempt runs (:func:`~shared_core.dispatch.execute`
/ ``aexecute``) it is the current span, so those provider spans are its children:

=====================================  =========================================================
attribute                              value
=====================================  =========================================================
``gen_ai.operation.name``              ``chat``
``gen_ai.provider.name``               ``tier_router`` (the routed call may span providers)
``gen_ai.request.model``               the model of the tier the router chose
``gen_ai.response.model``              the model of the tier that answered
``gen_ai.request.max_tokens``          the answering attempt's output budget
``gen_ai.usage.input_tokens`` /        tokens the provider reported, over every attempt of
``gen_ai.usage.output_tokens``         the call (never an estimate: see the two rows below)
``tier_router.usage.upper_bound`` /    ``true``, with the tokens, when an attempt was kept at
``.upper_bound.input_tokens`` /        its worst case (sent and never answered, or answered
``.upper_bound.output_tokens``         unreadably: input estimate + whole output budget)
``tier_router.usage.estimated`` /      ``true``, with the tokens, when an attempt's tokens were
``.estimated.input_tokens`` /          estimated from the text (no usage came, e.g. a call
``.estimated.output_tokens``           stopped by its caller); both are in the cost, not in
                                       ``gen_ai.usage.*``
``gen_ai.conversation.id``             the request's thread id, when it has one
``error.type``                         the exception's class name, when the call failed
``tier_router.call_id``                the ledger's call id
``tier_router.tier`` /                 the tier that answered (or last tried) / the one chosen
``tier_router.decided_tier``
``tier_router.outcome``                ``ok``, ``fallback``, ``escalated``, ``kept`` (an
                                       escalation failed, the earlier answer was returned),
                                       ``abandoned`` (the caller closed the stream early),
                                       ``failed``, ``refused`` (budget or cost cap)
``tier_router.cost.usd``               the call's cost over all attempts (when priced)
``tier_router.attempts``               attempts made
``tier_router.classifier`` /           the decision's classifier and confidence
``tier_router.confidence``
``tier_router.decision.duration_s``    time the routing decision took
``tier_router.framework`` /            ``langchain`` / ``llamaindex`` / ``core``; streamed or not
``tier_router.streamed``
=====================================  =========================================================

Span events: ``tier_router.fallback`` and ``tier_router.escalation``, one per fallback or
escalation, with the same fields as the ``tier_router`` log line (``tier_router.tier``,
``.model``, ``.next_tier``, ``.next_model``, ``.fault``, ``.error_type``, ``.reason``,
``.attempt_s``, ``.elapsed_s``). A failed call's status is ``ERROR`` with the (redacted)
message.

**Metrics** (meter ``tier_router``):

=====================================  =========  ==========  ==============================
instrument                             kind       unit        recorded
=====================================  =========  ==========  ==============================
``gen_ai.client.operation.duration``   histogram  ``s``       per routed call
``gen_ai.client.token.usage``          histogram  ``{token}`` per attempt with reported usage, one
                                                              value per ``gen_ai.token.type``
                                                              (``input`` / ``output``)
``tier_router.cost``                   counter    ``USD``     per priced attempt, and a
                                                              refused call's judge cost
``tier_router.calls``                  counter    ``{call}``  per routed call, by
                                                              ``tier_router.tier`` and
                                                              ``tier_router.outcome``
``tier_router.decision.duration``      histogram  ``s``       per routed call
=====================================  =========  ==========  ==============================
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import ConfigError, redact
from .storable import storable_text

if TYPE_CHECKING:
    from .config import Tier
    from .dispatch import Attempt, CallPlan
    from .pricing import Usage

OPERATION = "chat"
PROVIDER = "tier_router"
# the GenAI conventions' advised buckets
_TOKEN_BUCKETS = [4.0 ** i for i in range(14)]  # 1, 4, 16, ... 67108864
_DURATION_BUCKETS = [0.01 * 2.0 ** i for i in range(14)]  # 0.01, 0.02, ... 81.92
_DECISION_BUCKETS = [1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.1, 1.0]


class OpenTelemetry:
    """Where a router's spans and metrics go.

    Args:
        tracer_provider: an OpenTelemetry SDK tracer provider; ``None`` = the global one
            (``opentelemetry.trace.set_tracer_provider``), looked up when first used.
        meter_provider: likewise for metrics (``opentelemetry.metrics.set_meter_provider``).

    Raises:
        ConfigError: the ``opentelemetry-api`` package is not installed
            (``pip install 'tier-router[otel]'``).
    """

    def __init__(self, *, tracer_provider: Any = None, meter_provider: Any = None) -> None:
        try:
            from opentelemetry import metrics, trace
        except ImportError as exc:
            raise ConfigError(
                "telemetry.opentelemetry is on but the opentelemetry-api package is missing: "
                "pip install 'tier-router[otel]' (and an SDK / exporter of your choice)",
                field="telemetry.opentelemetry", value=True,
            ) from exc
        self._trace = trace
        self.tracer = trace.get_tracer("tier_router", __version__, tracer_provider=tracer_provider)
        meter = metrics.get_meter("tier_router", __version__, meter_provider=meter_provider)
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration", unit="s",
            description="Duration of a routed call, from the routing decision to its end",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )
        self.tokens = meter.create_histogram(
            "gen_ai.client.token.usage", unit="{token}",
            description="Input and output tokens of each attempt (as billed by the provider)",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
        )
        self.cost = meter.create_counter(
            "tier_router.cost", unit="USD", description="What the providers charged, per attempt"
        )
        self.calls = meter.create_counter(
            "tier_router.calls", unit="{call}", description="Routed calls by tier and outcome"
        )
        self.decision = meter.create_histogram(
            "tier_router.decision.duration", unit="s",
            description="Time the router took to choose a tier",
            explicit_bucket_boundaries_advisory=_DECISION_BUCKETS,
        )

    def start(self, plan: CallPlan) -> CallSpan:
        """The span and metrics of one routed call (the plan calls this)."""
        return CallSpan(self, plan)

    def __repr__(self) -> str:
        return "OpenTelemetry()"


class CallSpan:
    """One routed call's span; ended once, whichever way the call ends."""

    __slots__ = (
        "_done", "_lock", "_owner", "_t0", "input_tokens", "output_tokens", "span", "unpriced", "unsure",
    )

    def __init__(self, owner: OpenTelemetry, plan: CallPlan) -> None:
        d = plan.decision
        decision_ns = int(d.latency_us * 1000.0)
        self._owner = owner
        self._t0 = time.perf_counter() - decision_ns / 1e9
        self._done = False
        self._lock = threading.Lock()
        self.input_tokens = self.output_tokens = 0
        self.unpriced = False  # an attempt the provider answered had no known cost
        # tokens that are not the provider's word, by how: "upper_bound" / "estimated"
        self.unsure: dict[str, list[int]] = {}
        attrs: dict[str, Any] = {
            "gen_ai.operation.name": OPERATION,
            "gen_ai.provider.name": PROVIDER,
            "gen_ai.request.model": _bare(d.model),
            "tier_router.call_id": d.call_id,
            "tier_router.decided_tier": d.tier,
            "tier_router.classifier": d.classifier,
            "tier_router.confidence": float(d.confidence),
            "tier_router.decision.duration_s": decision_ns / 1e9,
            "tier_router.framework": plan.framework,
            "tier_router.streamed": plan.streaming,
        }
        if plan.request.thread_id:
            attrs["gen_ai.conversation.id"] = storable_text(plan.request.thread_id)  # UTF-8 only
        self.span = owner.tracer.start_span(
            f"{OPERATION} {_bare(d.model)}",
            kind=owner._trace.SpanKind.INTERNAL,
            attributes=attrs,
            start_time=time.time_ns() - decision_ns,
        )
        owner.decision.record(decision_ns / 1e9, {"tier_router.classifier": d.classifier})

    def attempt(
        self, attempt: Attempt, status: str, usage: Usage | None, cost: float | None,
        *, unsure: tuple[str, Usage] | None = None,
    ) -> None:
        """One attempt recorded in the ledger: its tokens and cost. ``usage`` is what the
        provider reported; ``unsure`` the tokens recorded instead, when they are not the
        provider's word (``("upper_bound", usage)`` or ``("estimated", usage)``): the OTel
        GenAI conventions report usage only when it is known (an instrumentation that cannot
        obtain it "MUST NOT report" it), so those go to ``tier_router.usage.<how>.*``."""
        model = attempt.tier.bare_model
        owner = self._owner
        if unsure is not None:
            how, tokens = unsure
            counts = self.unsure.setdefault(how, [0, 0])
            counts[0] += tokens.input_tokens
            counts[1] += tokens.output_tokens
        if usage is not None:
            self.input_tokens += usage.input_tokens
            self.output_tokens += usage.output_tokens
            base = {
                "gen_ai.operation.name": OPERATION,
                "gen_ai.provider.name": PROVIDER,
                "gen_ai.request.model": model,
                "gen_ai.response.model": model,
                "tier_router.tier": attempt.tier.name,
            }
            owner.tokens.record(usage.input_tokens, {**base, "gen_ai.token.type": "input"})
            owner.tokens.record(usage.output_tokens, {**base, "gen_ai.token.type": "output"})
        if cost is None and (usage is not None or status in ("ok", "rejected")):
            self.unpriced = True  # an answer (tokens reported or estimated) with no known price
        if cost is not None:
            self.charge(attempt.tier, status, cost)

    def charge(self, tier: Tier, status: str, cost: float) -> None:
        """Add a recorded cost to the ``tier_router.cost`` counter: an attempt's, or what a
        call refused or stopped before any attempt paid its LLM judge."""
        self._owner.cost.add(cost, {
            "tier_router.tier": tier.name,
            "gen_ai.response.model": tier.bare_model,
            "tier_router.status": status,
        })

    def current(self) -> Any:
        """A context manager making this span the current one (for one attempt's call)."""
        return self._owner._trace.use_span(
            self.span, end_on_exit=False, record_exception=False, set_status_on_exception=False
        )

    def event(self, fields: dict[str, Any]) -> None:
        """A fallback or escalation (the fields of its log line)."""
        name = f"tier_router.{fields['event']}"
        attrs = {f"tier_router.{k}": v for k, v in fields.items() if k != "event" and v is not None}
        self.span.add_event(name, attrs)

    def end(
        self, plan: CallPlan, error: BaseException | None = None, *, outcome: str | None = None
    ) -> None:
        """End the span and record the call's metrics (only the first call counts).

        ``outcome``: ``refused`` or ``abandoned`` (the caller closed the stream); otherwise it
        follows from the plan and ``error``."""
        with self._lock:
            if self._done:
                return
            self._done = True
        owner = self._owner
        span = self.span
        last = plan.final or (plan.attempts[-1] if plan.attempts else None)
        # an abandoned stream's attempt answered, in part
        final = last if outcome == "abandoned" else plan.final
        tier = last.tier.name if last is not None else plan.decision.tier
        outcome = outcome or _outcome(plan, error)
        attrs: dict[str, Any] = {
            "tier_router.tier": tier,
            "tier_router.outcome": outcome,
            "tier_router.attempts": len(plan.attempts),
        }
        if final is not None:
            attrs["gen_ai.response.model"] = final.tier.bare_model
            if final.max_tokens is not None:
                attrs["gen_ai.request.max_tokens"] = final.max_tokens
        if self.input_tokens or self.output_tokens:
            attrs["gen_ai.usage.input_tokens"] = self.input_tokens
            attrs["gen_ai.usage.output_tokens"] = self.output_tokens
        for how, (n_in, n_out) in self.unsure.items():
            attrs[f"tier_router.usage.{how}"] = True
            attrs[f"tier_router.usage.{how}.input_tokens"] = n_in
            attrs[f"tier_router.usage.{how}.output_tokens"] = n_out
        if (plan.spent_usd or plan.final_cost is not None) and not self.unpriced:
            attrs["tier_router.cost.usd"] = plan.spent_usd  # (a partial sum is no call's cost)
        if error is not None:
            attrs["error.type"] = type(error).__name__
            span.set_status(owner._trace.Status(
                owner._trace.StatusCode.ERROR, f"{type(error).__name__}: {redact(str(error))[:500]}"
            ))
        span.set_attributes(attrs)
        span.end()
        metric = {
            "gen_ai.operation.name": OPERATION,
            "gen_ai.provider.name": PROVIDER,
            "gen_ai.request.model": _bare(plan.decision.model),
            "tier_router.tier": tier,
            "tier_router.outcome": outcome,
        }
        if final is not None:
            metric["gen_ai.response.model"] = final.tier.bare_model
        if error is not None:
            metric["error.type"] = type(error).__name__
        owner.duration.record(time.perf_counter() - self._t0, metric)
        owner.calls.add(1, {"tier_router.tier": tier, "tier_router.outcome": outcome})


def _outcome(plan: CallPlan, error: BaseException | None) -> str:
    if error is not None or plan.final is None:
        return "failed"
    if plan.final is plan.kept:
        return "kept"
    kinds = {a.kind for a in plan.attempts}
    if "escalation" in kinds:
        return "escalated"
    if "fallback" in kinds:
        return "fallback"
    return "ok"


def _bare(model: str) -> str:
    from .pricing import split_provider

    return split_provider(model)[1]
