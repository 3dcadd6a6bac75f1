"""`LedgerSummary`: what the ledger says about cost, savings, routing and quality.

Counting rules: a *call* is one ``call_id`` (all its attempts); its *tier* is the tier of
the attempt that answered (``ok``), else of its last attempt. The LLM judge's cost, part of
its call's first record, counts under that record's tier and under the judge's own model. Cost sums every attempt
(failed and rejected attempts cost money too); the baseline counts ``ok`` attempts only
(see :class:`~shared_core.ledger.base.CallRecord`). Unknown costs (``None``: an unknown
price; a failure the provider did not bill costs ``0.0``) are counted in
``unknown_cost_records``, every one, never as zero silently. Costs that are not the
provider's word are counted apart too, by the note on their record: an upper bound
(``upper_bound_records`` / ``upper_bound_cost_usd``) or estimated from the text
(``estimated_records`` / ``estimated_cost_usd``). A call refused or stopped before any
tier was called (only attempt-0 records) is no call of any tier or model (its records and any
judge cost still count there), is in no tier's share of answered calls and is no failure
(refused calls are counted in ``refused_calls``); a day's and a tag's calls include it. The
escalation, fallback and failure rates are over the calls sent (``sent_calls``: answered +
failed): a refused call, a call stopped before any tier and a lapsed hold are in none of them
(counted in, refusals diluted them: a config refused half the time showed half its rates);
with no call sent they are ``None`` (no rate, not 0%).
A group's ``records`` counts every record; its ``attempts`` only those sent to a provider
(not refusals, not the marker of a kept answer, not a lapsed hold). ``calls`` is split into
``answered_calls`` + ``failed_calls`` + ``refused_calls`` + ``unsent_calls`` (stopped before
any tier was called) + ``lapsed_hold_calls`` (only a lapsed hold: a killed worker's call).

A ``RunnableRouter`` call is one call however many records it has: its routes' model calls
(each with a call id of its own) and its judge's record name it (``metadata["router_call_id"]``,
:func:`call_key`). A judge's own record (:func:`is_judge_record`: ``RunnableRouter``'s, or a
shadow candidate's judge that answered after its live call stopped waiting, :mod:`.late_judge`)
is what deciding cost, no attempt of the call: it counts as spend (its tier, its model), but it
neither answers nor sends the call (a call refused after its judge is refused; one with no
other record was stopped before any tier) and is never where the call ended.

A lapsed hold (:mod:`.lapsed`) is kept as spend at its held amount, and as much baseline: what
the killed worker's calls would have cost on the baseline model is unknown, so the summary
claims neither a saving nor a loss on them (with a $0 baseline a crash read as routing losing
money: ``savings -12.5%`` where every real call ran on the baseline model).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..tags import user_tags
from ..unanswered import is_upper_bound
from ..usage_belief import is_estimated
from .base import CallRecord, Feedback
from .call_reading import (  # re-exported: how one record counts in its call
    _before_any_tier,
    call_key,
    final_record,
    is_judge_record,
    is_sent,
    record_baseline,
)
from .lapsed import LAPSED_KIND, is_lapsed


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in [0, 100]); ``None`` for no values."""
    if not values:
        return None
    s = sorted(values)
    pos = (len(s) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


@dataclass
class Totals:
    """Calls, attempt records and cost against the baseline model."""

    calls: int = 0
    records: int = 0
    cost_usd: float = 0.0
    baseline_cost_usd: float = 0.0
    attempts: int = 0
    """Records of attempts sent to a provider (``records`` counts refusals and markers too)."""
    unknown_cost_records: int = 0
    """Records of unknown cost (``None``): not in ``cost_usd``, which is then a known part."""
    unknown_baseline_records: int = 0
    """Answers (``ok`` records) whose baseline cost is unknown (their cost, or the baseline
    model's price, is unknown): not in ``baseline_cost_usd``, which is then a known part only
    (:mod:`.unknown_totals` says so in ``stats`` and the report)."""

    @property
    def savings_usd(self) -> float:
        return self.baseline_cost_usd - self.cost_usd


@dataclass
class Group(Totals):
    """Totals for one tier / model / tag / day."""

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "savings_usd": self.savings_usd}


@dataclass
class QualityPoint:
    """Mean feedback score of one tier in one time window."""

    window_start: str
    mean_score: float
    n: int


@dataclass
class LedgerSummary(Totals):
    """Totals, breakdowns, rates, latency and quality drift over a set of records."""

    upper_bound_records: int = 0
    """Records kept at their worst case (a request sent and never answered, or answered with
    a body that could not be read: input estimate + whole output budget); their cost is in
    ``cost_usd`` and in ``upper_bound_cost_usd``: what the provider billed may be less."""
    upper_bound_cost_usd: float = 0.0
    estimated_records: int = 0
    """Records whose tokens were estimated from the text (no usage reported, or one not
    believed); their cost is in ``cost_usd`` and in ``estimated_cost_usd``."""
    estimated_cost_usd: float = 0.0
    lapsed_hold_records: int = 0
    """Budget holds that lapsed unreleased (a worker killed, or cut off from the ledger, with
    calls under way), each kept as spend at its held amount (``error_kind="lapsed_hold"``);
    their cost is in ``cost_usd`` and in ``lapsed_hold_cost_usd``."""
    lapsed_hold_cost_usd: float = 0.0
    by_tier: dict[str, Group] = field(default_factory=dict)
    by_model: dict[str, Group] = field(default_factory=dict)
    by_tag: dict[str, Group] = field(default_factory=dict)
    by_day: dict[str, Group] = field(default_factory=dict)
    tier_distribution: dict[str, float] = field(default_factory=dict)
    """Share of calls answered by each tier (sums to 1 over answered calls)."""
    escalation_rate: float | None = None
    """Share of the calls sent (:attr:`sent_calls`) with at least one escalated attempt
    (``None``: no call was sent, so there is no rate; ``null`` in JSON, ``—`` in text)."""
    fallback_rate: float | None = None
    """Share of the calls sent with at least one fallback attempt (``None``: none sent)."""
    failure_rate: float | None = None
    """Share of the calls sent with no ``ok`` attempt (``None``: none sent)."""
    refused_calls: int = 0
    answered_calls: int = 0
    """Calls a tier answered (a caller that left mid-stream was still answered)."""
    failed_calls: int = 0
    """Calls a tier was called for and none answered."""
    unsent_calls: int = 0
    """Calls stopped before any tier was called (not refusals: those are ``refused_calls``)."""
    lapsed_hold_calls: int = 0
    """Calls known only by a lapsed hold (their worker was killed before recording them)."""
    refused_by: dict[str, int] = field(default_factory=dict)
    """Refused calls by cause: the refusal's ``error_kind`` (``budget``, ``cost_cap``, ``cooldown``)."""
    latency_ms: dict[str, dict[str, float | None]] = field(default_factory=dict)
    """Per tier: ``{"p50": ..., "p95": ...}`` over ``ok`` attempts."""
    quality: dict[str, list[QualityPoint]] = field(default_factory=dict)
    """Per tier: mean feedback per time window, oldest first (quality drift)."""
    first_ts: float | None = None
    last_ts: float | None = None

    @property
    def sent_calls(self) -> int:
        """Calls a tier was called for (``answered_calls + failed_calls``): what the escalation,
        fallback and failure rates are over. Refused calls (nothing sent), calls stopped before
        any tier and lapsed holds could neither escalate, fall back nor fail."""
        return self.answered_calls + self.failed_calls

    @property
    def savings_pct(self) -> float | None:
        """Savings as a percentage of the baseline cost (``None`` without a baseline)."""
        if self.baseline_cost_usd <= 0:
            return None
        return 100.0 * self.savings_usd / self.baseline_cost_usd

    @property
    def upper_bound_share(self) -> float | None:
        """The share of ``cost_usd`` that is an upper bound (``None`` when nothing was spent)."""
        return self.upper_bound_cost_usd / self.cost_usd if self.cost_usd > 0 else None

    @property
    def estimated_share(self) -> float | None:
        """The share of ``cost_usd`` estimated from the text (``None`` when nothing was spent)."""
        return self.estimated_cost_usd / self.cost_usd if self.cost_usd > 0 else None

    def calls_text(self) -> str:
        """``19 (8 answered, 10 refused, 1 lapsed hold)``: the calls and what became of them
        (only the kinds there are; the bare count when every call was answered)."""
        parts = [
            (self.answered_calls, "answered", "answered"),
            (self.failed_calls, "failed", "failed"),
            (self.refused_calls, "refused", "refused"),
            (self.unsent_calls, "stopped before any tier", "stopped before any tier"),
            (self.lapsed_hold_calls, "lapsed hold", "lapsed holds"),
        ]
        shown = [f"{n:,} {one if n == 1 else many}" for n, one, many in parts if n]
        if not shown or shown == [f"{self.calls:,} answered"]:
            return f"{self.calls:,}"
        return f"{self.calls:,} ({', '.join(shown)})"

    def negative_savings_note(self) -> str | None:
        """What ``stats`` and ``report`` say when savings are negative while part of the cost
        is an upper bound: whether those records alone make it negative (``None`` otherwise)."""
        bound = self.upper_bound_cost_usd
        if self.savings_usd >= 0 or bound <= 0:
            return None
        without = self.savings_usd + bound
        head = (
            f"savings are negative, and {_usd(bound)} of the cost ({self.upper_bound_records} "
            "record(s)) is an upper bound: requests sent and never answered, or answered with a "
            "body that could not be read, recorded at their whole output budget; the provider "
            "may have billed less"
        )
        if without >= 0:
            return f"{head}. Without them savings would be {_usd(without)}: they alone make savings negative."
        return f"{head}. Without them savings would still be {_usd(without)}."

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("by_tier", "by_model", "by_tag", "by_day"):
            d[key] = {k: g.to_dict() for k, g in getattr(self, key).items()}
        d["savings_usd"] = self.savings_usd
        d["sent_calls"] = self.sent_calls
        d["savings_pct"] = self.savings_pct
        d["upper_bound_share"] = self.upper_bound_share
        d["estimated_share"] = self.estimated_share
        d["negative_savings_note"] = self.negative_savings_note()
        return d


def _usd(x: float) -> str:
    return f"${x:,.2f}" if abs(x) >= 100 else f"${x:.3f}" if abs(x) >= 1 else f"${x:.5f}"


def _judge_costs(r: CallRecord) -> list[tuple[str, float]]:
    """``(model, cost)`` of the classifier calls a record's ``cost_usd`` includes."""
    calls = r.metadata.get("classifier_calls") if r.metadata and r.cost_usd is not None else None
    if not isinstance(calls, list):
        return []
    return [
        (str(c["model"]), float(c["cost_usd"]))
        for c in calls
        if isinstance(c, dict) and c.get("model") and isinstance(c.get("cost_usd"), (int, float))
    ]


def summarize(
    records: Iterable[CallRecord], feedback: Iterable[Feedback] = (), *, window_s: float = 86400.0
) -> LedgerSummary:
    """Build a :class:`LedgerSummary`; ``window_s`` is the quality-drift window (default 1 day)."""
    if window_s <= 0:
        raise ValueError(f"window_s must be > 0, got {window_s!r}")
    recs = list(records)
    s = LedgerSummary(records=len(recs))
    if not recs:
        return s
    by_call: dict[str, list[CallRecord]] = defaultdict(list)
    for r in recs:
        by_call[call_key(r)].append(r)
    s.calls = len(by_call)
    s.first_ts = min(r.ts for r in recs)
    s.last_ts = max(r.ts for r in recs)

    groups: dict[str, dict[str, Group]] = {k: {} for k in ("tier", "model", "tag", "day")}

    def add(
        kind: str, key: str, cost: float, base: float, n_records: int, n_calls: int, sent: int,
        unknown: tuple[int, int] = (0, 0),
    ) -> None:
        g = groups[kind].setdefault(key, Group())
        g.unknown_cost_records += unknown[0]
        g.unknown_baseline_records += unknown[1]
        g.cost_usd += cost
        g.baseline_cost_usd += base
        g.records += n_records
        g.calls += n_calls
        g.attempts += sent

    final_tier: dict[str, str] = {}
    rejected_tiers: dict[str, list[str]] = {}
    answered: dict[str, int] = defaultdict(int)
    latencies: dict[str, list[float]] = defaultdict(list)
    escalated = fallback = failed = unsent = 0
    for call_id, call_recs in by_call.items():
        call_recs.sort(key=lambda r: (r.attempt, r.ts))
        last = final_record(call_recs)
        final_tier[call_id] = last.tier
        rejected = [r.tier for r in call_recs if r.status == "rejected"]
        if rejected:
            rejected_tiers[call_id] = rejected
        # what became of the call is its attempts': a judge's record (RunnableRouter's, a
        # shadow's late one) is spend, never where the call ended
        attempts = [r for r in call_recs if not is_judge_record(r)]
        reached = True  # a tier was called: the call is one of that tier's (and model's)
        if not attempts:  # a judge decided, and the call ended before any tier was called
            unsent += 1
            reached = False
        elif all(r.status == "refused" for r in attempts):
            s.refused_calls += 1
            cause = last.error_kind or "other"
            s.refused_by[cause] = s.refused_by.get(cause, 0) + 1
            reached = False
        elif all(is_lapsed(r) for r in attempts):  # a killed worker's call, never recorded
            s.lapsed_hold_calls += 1
            reached = False
        elif all(_before_any_tier(r) for r in attempts):  # stopped before any tier was called
            unsent += 1
            reached = False
        elif last.status not in ("ok", "abandoned"):  # a caller that left was still answered
            failed += 1
        else:
            answered[last.tier] += 1
        if reached:  # rates of what happened to calls sent: a refusal has a count of its own
            escalated += any(r.escalated for r in attempts)
            fallback += any(r.fallback for r in attempts)
        call_tags: set[str] = set()
        for r in call_recs:
            cost = r.cost_usd or 0.0
            if r.cost_usd is None:
                s.unknown_cost_records += 1
            elif r.error_kind == LAPSED_KIND:
                s.lapsed_hold_records += 1
                s.lapsed_hold_cost_usd += cost
            elif r.error is not None:  # the router's notes say how sure a cost is
                if is_upper_bound(r.error):
                    s.upper_bound_records += 1
                    s.upper_bound_cost_usd += cost
                elif is_estimated(r.error):
                    s.estimated_records += 1
                    s.estimated_cost_usd += cost
            base = record_baseline(r)
            unknown = (
                int(r.cost_usd is None),
                int(r.status == "ok" and not is_lapsed(r) and (r.cost_usd is None or r.baseline_cost_usd is None)),
            )
            s.unknown_baseline_records += unknown[1]
            sent = int(is_sent(r))
            s.cost_usd += cost
            s.baseline_cost_usd += base
            s.attempts += sent
            is_final = r is last
            add("tier", r.tier, cost, base, 1, int(is_final and reached), sent, unknown)
            judged = _judge_costs(r)  # the judge's part of the cost is its own model's
            add("model", r.model, cost - sum(c for _, c in judged), base, 1,
                int(is_final and reached), sent, unknown)
            for model, c in judged:
                add("model", model, c, 0.0, 0, 0, 0)
            add("day", r.day, cost, base, 1, int(is_final), sent, unknown)
            for t in user_tags(r.tags):
                add("tag", t, cost, base, 1, int(is_final and t not in call_tags), sent, unknown)
                if is_final:
                    call_tags.add(t)
            if r.status == "ok" and sent:  # (a judge's record: no tier's latency)
                latencies[r.tier].append(r.latency_ms)
    s.by_tier, s.by_model = groups["tier"], groups["model"]
    s.by_tag, s.by_day = groups["tag"], dict(sorted(groups["day"].items()))
    n_answered = sum(answered.values())
    s.answered_calls, s.failed_calls, s.unsent_calls = n_answered, failed, unsent
    s.tier_distribution = {t: n / n_answered for t, n in answered.items()} if n_answered else {}
    sent = s.sent_calls  # (= calls - refused - unsent - lapsed holds)
    if sent:  # none sent: no rate (None), not 0% (as stats --by variant says it)
        s.escalation_rate, s.fallback_rate, s.failure_rate = escalated / sent, fallback / sent, failed / sent
    s.latency_ms = {
        t: {"p50": percentile(v, 50), "p95": percentile(v, 95)} for t, v in latencies.items()
    }
    s.quality = _quality(feedback, final_tier, rejected_tiers, window_s)
    return s


def _quality(
    feedback: Iterable[Feedback],
    final_tier: dict[str, str],
    rejected_tiers: dict[str, list[str]],
    window_s: float,
) -> dict[str, list[QualityPoint]]:
    """Mean score per tier and window. A score is the answering tier's, except the 0 an
    escalation records: that belongs to the tier whose answer was rejected (the n-th
    escalation feedback of a call to its n-th rejected attempt)."""
    buckets: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    escalations_seen: dict[str, int] = defaultdict(int)
    for f in sorted(feedback, key=lambda f: f.ts):
        tier = final_tier.get(f.call_id)
        if f.source == "escalation":
            rejected = rejected_tiers.get(f.call_id, [])
            n = escalations_seen[f.call_id]
            escalations_seen[f.call_id] += 1
            if n < len(rejected):
                tier = rejected[n]
        if tier is None:
            continue
        buckets[tier][int(f.ts // window_s)].append(f.score)
    out: dict[str, list[QualityPoint]] = {}
    fmt = "%Y-%m-%d" if window_s >= 86400 and window_s % 86400 == 0 else "%Y-%m-%dT%H:%M"
    for tier, windows in buckets.items():
        out[tier] = [
            QualityPoint(time.strftime(fmt, time.gmtime(w * window_s)), sum(v) / len(v), len(v))
            for w, v in sorted(windows.items())
        ]
    return out
