"""What the router tells operators about each call, beside the ledger.

* **Logs** (always on): a WARNING on the ``tier_router`` logger for every fallback and every
  escalation, so that traffic silently shifting to a pricier tier shows up in the logs, and
  for every one the budget, the per-request cap or the deadline refused (``event``
  ``fallback_refused`` / ``escalation_refused``, with ``refused_by`` and ``refusal``).
  Each record carries structured fields (``record.event``, ``tier``, ``model``,
  ``next_tier``, ``next_model``, ``fault``, ``error_type``, ``reason``, ``attempt_s``,
  ``elapsed_s``, ``call_id``) for log processors; the message says the same in words.
  Provider error texts are not logged (they can echo keys): only the fault kind and the
  exception's class name.
* **OpenTelemetry** (off unless turned on): a span per routed call and metrics, see
  :mod:`shared_core.otel`. The per-call engine (:mod:`shared_core.dispatch`) calls the hooks
  here; with OpenTelemetry off they cost one attribute test per call.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any

from .errors import redact

if TYPE_CHECKING:
    from .cooldown import Cooldown
    from .dispatch import Attempt, CallPlan

logger = logging.getLogger("tier_router")
"""The router's operational log (fallbacks, escalations, inner clients' retries)."""


Refusal = tuple[str, str, BaseException]
"""Why a move was not made: the kind of its ``errors`` entry (``budget``, ``cost_cap``,
``timeout`` for the deadline), what refused it in words, and its error."""


def fallback(
    plan: CallPlan, attempt: Attempt, fault: str, exc: BaseException, target: int, attempt_ms: float,
    refused: Refusal | None = None,
) -> None:
    """An attempt failed with a fault that falls back: the plan tries tier ``target`` next,
    or, ``refused``, could not (see :mod:`shared_core.moves`)."""
    nxt = plan.router.config.tiers[target]
    elapsed = time.monotonic() - plan._started
    fields = {
        "event": "fallback" if refused is None else "fallback_refused",
        "tier": attempt.tier.name,
        "model": attempt.tier.model,
        "next_tier": nxt.name,
        "next_model": nxt.model,
        "fault": fault,
        "error_type": type(exc).__name__,
        "reason": None,
        "attempt_s": attempt_ms / 1000.0,
        "elapsed_s": elapsed,
        "call_id": plan.decision.call_id,
    }
    logger.warning(
        "fallback from tier %r (%s) to %r (%s)%s: %s (%s) after %.2f s; %.2f s since the call "
        "began [call %s]",
        attempt.tier.name, attempt.tier.model, nxt.name, nxt.model, _refused(fields, refused),
        fault, type(exc).__name__, fields["attempt_s"], elapsed, plan.decision.call_id,
        extra=fields,
    )
    if plan.otel is not None:
        plan.otel.event(fields)


def escalation(
    plan: CallPlan, attempt: Attempt, reason: str, target: int, attempt_ms: float,
    refused: Refusal | None = None,
) -> None:
    """An answer failed a check: the plan asks tier ``target`` next, or, ``refused``, could
    not (the earlier answer is kept)."""
    nxt = plan.router.config.tiers[target]
    elapsed = time.monotonic() - plan._started
    why = redact(reason)[:500]  # the same text as the ledger's ``error``
    fields = {
        "event": "escalation" if refused is None else "escalation_refused",
        "tier": attempt.tier.name,
        "model": attempt.tier.model,
        "next_tier": nxt.name,
        "next_model": nxt.model,
        "fault": "quality",
        "error_type": None,
        "reason": why,
        "attempt_s": attempt_ms / 1000.0,
        "elapsed_s": elapsed,
        "call_id": plan.decision.call_id,
    }
    logger.warning(
        "escalation from tier %r (%s) to %r (%s)%s: the answer failed a check (%s) after %.2f s; "
        "%.2f s since the call began [call %s]",
        attempt.tier.name, attempt.tier.model, nxt.name, nxt.model, _refused(fields, refused),
        why, fields["attempt_s"], elapsed, plan.decision.call_id,
        extra=fields,
    )
    if plan.otel is not None:
        plan.otel.event(fields)


def _refused(fields: dict[str, Any], refused: Refusal | None) -> str:
    """The words a refused move's message adds after its target (its fields too)."""
    if refused is None:
        return ""
    kind, by, error = refused
    fields["refused_by"] = "deadline" if kind == "timeout" else kind
    fields["refusal"] = text = redact(str(error))[:300]
    return f" refused by {by} ({text}); the tier was not called"


COOLDOWN_LOG_EVERY_S = 10.0
"""How often, at most, a cool-down move between the same two tiers of one router is a WARNING:
the first at once, then one per this many seconds saying how many calls moved meanwhile (the
others are DEBUG, with the same fields). Every moved call is in its decision's reasons and its
ledger record (``metadata["cooldown_moved_from"]``)."""


def cooldown_move(plan: CallPlan) -> None:
    """The router moved this call off a tier cooling down (fallback on): say so, once per call,
    rate-limited per tier pair (:data:`COOLDOWN_LOG_EVERY_S`)."""
    d = plan.decision
    cfg = plan.router.config
    cooled, nxt = cfg.tier(d.cooled_from), cfg.tiers[d.index]  # type: ignore[arg-type]
    left = plan.router.cooldown.remaining(cooled.name)
    key = (cooled.name, nxt.name)
    now = time.monotonic()
    with _moves_lock:  # per router (its Cooldown), forgotten with it
        said = _moves.setdefault(plan.router.cooldown, {})
        last, unlogged = said.get(key, (None, 0))
        loud = last is None or now - last >= COOLDOWN_LOG_EVERY_S
        said[key] = (now, 0) if loud else (last, unlogged + 1)  # type: ignore[assignment]
    fields = {
        "event": "cooldown_move", "tier": cooled.name, "model": cooled.model, "next_tier": nxt.name,
        "next_model": nxt.model, "fault": None, "error_type": None, "reason": "cooling down",
        "cooldown_left_s": left, "moved_unlogged": unlogged if loud else 0, "call_id": d.call_id,
    }
    since = (
        f"; {unlogged} more call(s) moved from {cooled.name!r} to {nxt.name!r} since the last such WARNING"
        if loud and unlogged else ""
    )
    logger.log(
        logging.WARNING if loud else logging.DEBUG,
        "cool-down moved the call from tier %r (%s) to %r (%s): %r is cooling down for %.1f s more "
        "(after failures or the provider's Retry-After)%s [call %s]",
        cooled.name, cooled.model, nxt.name, nxt.model, cooled.name, left, since, d.call_id,
        extra=fields,
    )
    if plan.otel is not None:
        plan.otel.event(fields)


_moves: weakref.WeakKeyDictionary[Cooldown, dict[tuple[str, str], tuple[float, int]]] = (
    weakref.WeakKeyDictionary()
)
"""Per router's cool-down and tier pair: when a move was last a WARNING, and how many since."""
_moves_lock = threading.Lock()


def inner_retries(
    tier: str, inner: Any, retries: int, *, turned_off: bool,
    more: int | None = None, stream_more: int | None = None,
) -> None:
    """Log (once per inner model object) what an inner client's own retries do.

    ``turned_off``: the router calls a copy with retries off (DEBUG); otherwise the inner
    client keeps retrying a failing tier before the router falls back (WARNING). ``more``:
    how many requests beyond the first one failing call sends at most, when its client
    layers retries (``retries`` when not given); ``stream_more``: the same for a stream,
    when it differs.
    """
    key = (id(inner), tier, retries, turned_off)
    if key in _said:
        return
    if len(_said) >= 4096:
        _said.clear()
    _said.add(key)
    owner = type(inner).__name__
    if turned_off:
        logger.debug(
            "tier %r: %s retries failed requests itself by default (max_retries=%d); the router "
            "calls a copy with max_retries=0 so that fallback is the retry", tier, owner, retries,
        )
        return
    extra = retries if more is None else more
    count = f"{extra} more request(s)"
    if more is not None and more != retries:
        count = f"up to {count}"
    if stream_more is not None and stream_more != extra:
        count += f", {stream_more} for a stream,"
    logger.warning(
        "tier %r: %s(max_retries=%d) retries a failing request itself (%s and its back-off) "
        "before the router falls back; pass max_retries=0 to let the router's fallback be the "
        "retry", tier, owner, retries, count,
        extra={"event": "inner_retries", "tier": tier, "retries": retries, "more_requests": extra},
    )


_said: set[tuple[int, str, int, bool]] = set()
