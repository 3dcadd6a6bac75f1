"""Compare A/B variants from the ledger: cost, escalation, fallback, feedback quality, with intervals.

Per variant (the ``variant`` of each record; ``None`` reads as ``"control"``), per *call*
(all attempts of one ``call_id`` together): mean cost per call, escalation rate (a call
with an escalated attempt), fallback rate, mean feedback score (user feedback only; calls
without feedback are left out of that mean). Each with a 95% normal-approximation
interval; each candidate is compared with the control (given, else the variant named
``control``, else the largest, and then :attr:`VariantComparison.assumed` says so) as a
difference with its interval. A difference whose interval holds 0, or with fewer than
:data:`MIN_CALLS` calls on either side, is reported as *not yet significant*.

A refused call (every attempt of it ``refused``: a budget, cost-cap or cooldown refusal,
nothing sent) has its own rate, ``refusal_rate`` (over every call). Cost per call is over the
calls *sent* (at least one attempt sent to a provider), of known cost: a refused call, and one
stopped before any tier was called (only an ``abandoned`` record: the caller cancelled before
anything was sent, mostly $0), are left out of it and counted
(:attr:`VariantComparison.refused`, :attr:`VariantComparison.stopped`); counted at $0 they made
a variant refused or cancelled more often look cheaper. Escalation and fallback rates are over
the same calls sent (counted in, a variant refused half the time showed half its escalation
rate). Feedback is over the calls that have some. A ``RunnableRouter`` call is the one
``router_call_id`` its records name; its judge's record
(:func:`~shared_core.ledger.summary.is_judge_record`) is in its cost but is no attempt: a
call refused after its judge is refused, not sent.

A call sent of unknown cost (a record's ``cost_usd`` None: an unpriced model) is left out of
its variant's cost per call, never read as $0, and counted
(:attr:`VariantComparison.unknown_cost`); the other metrics count it.

Rates and feedback scores lie in [0, 1]; their standard errors are computed with one 0 and
one 1 added to each sample (as Agresti and Caffo do for proportions), so a rate of 0 or 1
over a few calls still has an interval of some width instead of none.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .ledger.lapsed import LAPSED_KIND
from .ledger.summary import call_key, is_judge_record, is_sent

__all__ = ["MetricEstimate", "VariantComparison", "compare_variants"]

Z = 1.959964
MIN_CALLS = 10
"""Fewer calls than this on either side: no difference is called significant (a normal
interval over a handful of calls says little)."""
METRICS = ("cost_per_call", "refusal_rate", "escalation_rate", "fallback_rate", "feedback")
RANGES = {"cost_per_call": (0.0, math.inf), "refusal_rate": (0.0, 1.0), "escalation_rate": (0.0, 1.0),
          "fallback_rate": (0.0, 1.0), "feedback": (0.0, 1.0)}


@dataclass(frozen=True)
class MetricEstimate:
    """A mean with its standard error and 95% interval over ``n`` calls."""

    mean: float
    se: float
    n: int
    floor: float = -math.inf
    """The least value the metric can take (0 for a cost or a rate): the interval stops there."""
    ceiling: float = math.inf
    """The greatest (1 for a rate or a feedback score)."""

    @property
    def low(self) -> float:
        """NaN when there is no interval (``se`` NaN: one value, or none)."""
        return self.se if math.isnan(self.se) else max(self.floor, self.mean - Z * self.se)

    @property
    def high(self) -> float:
        return self.se if math.isnan(self.se) else min(self.ceiling, self.mean + Z * self.se)

    @classmethod
    def of(
        cls, values: Sequence[float], floor: float = -math.inf, ceiling: float = math.inf
    ) -> MetricEstimate:
        n = len(values)
        if n == 0:
            return cls(float("nan"), float("nan"), 0, floor, ceiling)
        mean = math.fsum(values) / n
        if floor == 0.0 and ceiling == 1.0:  # a rate or a score: one 0 and one 1 added
            padded = [*values, 0.0, 1.0]
            m = math.fsum(padded) / (n + 2)
            var = math.fsum((v - m) ** 2 for v in padded) / (n + 1)
            return cls(mean, math.sqrt(var / (n + 2)), n, floor, ceiling)
        if n == 1:  # one value: no spread to measure
            return cls(mean, float("nan"), n, floor, ceiling)
        var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
        return cls(mean, math.sqrt(var / n), n, floor, ceiling)

    def to_dict(self) -> dict[str, Any]:
        def clean(v: float) -> float | None:
            return round(v, 8) if math.isfinite(v) else None

        return {"mean": clean(self.mean), "low": clean(self.low), "high": clean(self.high), "n": self.n}


@dataclass(frozen=True)
class Difference:
    """``candidate - control`` for one metric, with its interval."""

    metric: str
    diff: float
    low: float
    high: float
    calls: int = MIN_CALLS
    """The fewer calls of the two sides."""

    @property
    def significant(self) -> bool:
        return self.calls >= MIN_CALLS and math.isfinite(self.low) and (self.low > 0 or self.high < 0)

    def to_dict(self) -> dict[str, Any]:
        def clean(v: float) -> float | None:
            return round(v, 8) if math.isfinite(v) else None

        return {
            "diff": clean(self.diff),
            "low": clean(self.low),
            "high": clean(self.high),
            "significant": self.significant,
            "calls": self.calls,
        }


@dataclass(frozen=True)
class VariantComparison:
    """Per-variant estimates and each candidate's differences from the control."""

    control: str
    variants: dict[str, dict[str, MetricEstimate]]
    differences: dict[str, dict[str, Difference]]
    assumed: bool = False
    """No control was named and no variant is called ``control``: the busiest was taken."""
    calls: dict[str, int] = field(default_factory=dict)
    """Calls per variant (every one, whatever its cost)."""
    unknown_cost: dict[str, int] = field(default_factory=dict)
    """Per variant, its calls of unknown cost, left out of ``cost_per_call`` (none: absent)."""
    refused: dict[str, int] = field(default_factory=dict)
    """Per variant, its refused calls (nothing sent), left out of ``cost_per_call`` (none: absent)."""
    stopped: dict[str, int] = field(default_factory=dict)
    """Per variant, its calls stopped before any tier was called (not refused: the caller
    cancelled, or the call ended after its judge), left out of ``cost_per_call`` (none: absent)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "control": self.control,
            "control_assumed": self.assumed,
            "calls": dict(self.calls),
            "unknown_cost_calls": dict(self.unknown_cost),
            "refused_calls": dict(self.refused),
            "stopped_calls": dict(self.stopped),
            "variants": {
                v: {m: e.to_dict() for m, e in ms.items()} for v, ms in self.variants.items()
            },
            "differences": {
                v: {m: d.to_dict() for m, d in ds.items()} for v, ds in self.differences.items()
            },
        }


def compare_variants(
    records: Sequence[Any], feedback: Sequence[Any], control: str | None = None
) -> VariantComparison:
    """Group ``records`` by variant and compare every variant with the control (``control``,
    else the variant named ``control``, else the one with the most calls).

    Raises :class:`~shared_core.errors.InputError` when ``control`` names no variant present.
    """
    calls: dict[str, list[Any]] = defaultdict(list)
    for r in records:
        if getattr(r, "error_kind", None) == LAPSED_KIND:  # a killed worker's hold: no variant's call
            continue
        # a RunnableRouter route's model calls have call ids of their own; all name the routed call
        calls[call_key(r)].append(r)
    user_fb: dict[str, list[float]] = defaultdict(list)
    for f in feedback:
        if getattr(f, "source", "user") == "user":
            user_fb[f.call_id].append(float(f.score))
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: {m: [] for m in METRICS})
    counted: dict[str, int] = defaultdict(int)
    unknown: dict[str, int] = defaultdict(int)
    refusals: dict[str, int] = defaultdict(int)
    stops: dict[str, int] = defaultdict(int)
    for cid, recs in calls.items():
        variant = next((r.variant for r in recs if getattr(r, "variant", None)), None) or "control"
        vals = per[variant]
        counted[variant] += 1
        attempts = [r for r in recs if not is_judge_record(r)]  # a judge's record decided, no more
        # nothing sent: not a $0 call
        refused = bool(attempts) and all(r.status == "refused" for r in attempts)
        sent = any(is_sent(r) for r in recs)
        vals["refusal_rate"].append(float(refused))
        if refused:
            refusals[variant] += 1
        elif not sent:  # stopped before any tier (cancelled, or ended after its judge): no $0 call
            stops[variant] += 1
        elif any(r.cost_usd is None for r in recs):  # unknown, not free
            unknown[variant] += 1
        else:
            vals["cost_per_call"].append(math.fsum(r.cost_usd for r in recs))
        if sent:  # what became of calls sent: a refusal sent nothing
            vals["escalation_rate"].append(float(any(r.escalated for r in recs)))
            vals["fallback_rate"].append(float(any(r.fallback for r in recs)))
        if user_fb.get(cid):
            vals["feedback"].append(sum(user_fb[cid]) / len(user_fb[cid]))
    est = {v: {m: MetricEstimate.of(vals[m], *RANGES[m]) for m in METRICS} for v, vals in per.items()}
    if not est:
        return VariantComparison(control or "control", {}, {})
    assumed = False
    if control is not None and control not in est:
        from .errors import InputError

        raise InputError(f"no calls of the control variant {control!r} here; variants: {sorted(est)}")
    if control is None:
        assumed = "control" not in est
        control = "control" if not assumed else max(est, key=lambda v: counted[v])
    diffs: dict[str, dict[str, Difference]] = {}
    for v, ms in sorted(est.items()):
        if v == control:
            continue
        diffs[v] = {}
        for m in METRICS:
            a, b = est[control][m], ms[m]
            # equal means up to float rounding are no difference (else a zero-variance pair
            # would show a rounding error as a "significant" one)
            d = 0.0 if math.isclose(b.mean, a.mean, rel_tol=1e-9, abs_tol=1e-15) else b.mean - a.mean
            se = math.sqrt(a.se**2 + b.se**2) if a.n and b.n else float("nan")
            diffs[v][m] = Difference(m, d, d - Z * se, d + Z * se, min(a.n, b.n))
    return VariantComparison(
        control, dict(sorted(est.items())), diffs, assumed, dict(sorted(counted.items())),
        dict(sorted(unknown.items())), dict(sorted(refusals.items())), dict(sorted(stops.items())),
    )
