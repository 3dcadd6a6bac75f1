"""What the HTML report shows, computed from any :class:`~shared_core.ledger.CostLedger`.

Only the ledger's public API is used (``summary()``, ``records()``), so every ledger
backend can be reported on. Counting follows :mod:`shared_core.ledger.summary`: a call is
one ``call_id`` (a ``RunnableRouter`` call: the ``router_call_id`` its records name, its
judge's record being spend, no attempt); where it ended is the summary's
:func:`~shared_core.ledger.summary.final_record` (the attempt that answered, else the last
tier called; never a judge's record); cost sums every record; the baseline counts answered
attempts only.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..ledger.base import CallRecord, CostLedger
from ..ledger.summary import (
    LedgerSummary,
    call_key,
    final_record,
    is_judge_record,
    is_sent,
    record_baseline,
)
from ..tags import user_tags

HOUR = 3600.0
DAY = 86400.0
WEEK = 7 * DAY


@dataclass(frozen=True)
class Bucket:
    """One time bucket (UTC): spend, baseline and the tiers that answered its calls."""

    start: float
    label: str
    cost_usd: float
    baseline_cost_usd: float
    calls_by_tier: dict[str, int]


@dataclass(frozen=True)
class TierRates:
    """Per tier: how its attempts ended (escalated away = rejected by a quality check)."""

    tier: str
    attempts: int
    answered: int
    rejected: int
    """Answers that failed a quality check, so the call escalated to a higher tier."""
    failed: int
    """Provider errors (rate limit, timeout, 5xx...), so the call fell back to another tier."""

    @property
    def escalation_rate(self) -> float:
        return self.rejected / self.attempts if self.attempts else 0.0

    @property
    def fallback_rate(self) -> float:
        return self.failed / self.attempts if self.attempts else 0.0


@dataclass(frozen=True)
class Spend:
    """Cost and baseline of the calls of one tag or one user."""

    name: str
    calls: int
    cost_usd: float
    baseline_cost_usd: float


@dataclass(frozen=True)
class CallCost:
    """One call (all its attempts), for the table of the most expensive calls."""

    call_id: str
    ts: float
    path: tuple[str, ...]
    """The tiers tried, in order."""
    model: str
    status: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    baseline_cost_usd: float
    tags: tuple[str, ...]
    user: str | None


@dataclass
class ReportData:
    """Everything the report draws."""

    summary: LedgerSummary
    tiers: list[str]
    bucket_s: float
    buckets: list[Bucket] = field(default_factory=list)
    rates: list[TierRates] = field(default_factory=list)
    by_tag: list[Spend] = field(default_factory=list)
    by_user: list[Spend] = field(default_factory=list)
    top_calls: list[CallCost] = field(default_factory=list)
    baseline: str = "the baseline model"
    """The baseline model the records were priced against (the most common one)."""

    @property
    def bucket_name(self) -> str:
        return {HOUR: "hour", DAY: "day", WEEK: "week"}.get(self.bucket_s, f"{self.bucket_s:g} s")


def choose_bucket(first: float | None, last: float | None) -> float:
    """Hours for up to a day of data, days for up to 90 days, then weeks."""
    span = (last or 0.0) - (first or 0.0)
    if span <= DAY:
        return HOUR
    if span <= 90 * DAY:
        return DAY
    return WEEK


def _label(start: float, bucket_s: float) -> str:
    fmt = "%m-%d %H:00" if bucket_s < DAY else "%b %d"
    return time.strftime(fmt, time.gmtime(start))


def _bucket_start(ts: float, bucket_s: float) -> float:
    if bucket_s == WEEK:  # weeks start on Monday (the epoch was a Thursday)
        return ((ts - 4 * DAY) // WEEK) * WEEK + 4 * DAY
    return (ts // bucket_s) * bucket_s


def build(
    ledger: CostLedger,
    *,
    since: float | None = None,
    until: float | None = None,
    tag: str | None = None,
    tier_order: Sequence[str] | None = None,
    top: int = 15,
    bucket_s: float | None = None,
    hidden_tag: Callable[[str], bool] | None = None,
) -> ReportData:
    """Read ``ledger`` (any backend) and compute the report's series and tables.

    ``tier_order``: the config's tiers, cheapest first (default: by mean cost per attempt).
    Framework bookkeeping tags (LangChain's ``seq:step:1``...) are never the user's and are
    left out; ``hidden_tag``: a predicate for more tags to leave out of the per-tag chart.
    """
    summary = ledger.summary(since=since, until=until, tag=tag)
    records = ledger.records(since=since, until=until, tag=tag)
    tiers = _order_tiers(summary, tier_order)
    step = bucket_s or choose_bucket(summary.first_ts, summary.last_ts)
    data = ReportData(summary=summary, tiers=tiers, bucket_s=step)
    if not records:
        return data

    by_call: dict[str, list[CallRecord]] = defaultdict(list)
    for r in records:
        by_call[call_key(r)].append(r)

    cost: dict[float, float] = defaultdict(float)
    base: dict[float, float] = defaultdict(float)
    mix: dict[float, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in records:
        b = _bucket_start(r.ts, step)
        cost[b] += r.cost_usd or 0.0
        base[b] += record_baseline(r)  # a lapsed hold's: its own cost (no saving claimed)

    attempts_of: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    tags: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    users: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    calls: list[CallCost] = []
    for call_id, attempts in by_call.items():
        attempts.sort(key=lambda r: (r.attempt, r.ts))
        last = final_record(attempts)  # as the summary reads it (a judge's record: never)
        if last.status == "ok" and not is_judge_record(last):
            mix[_bucket_start(attempts[0].ts, step)][last.tier] += 1
        for r in attempts:
            if not is_sent(r):  # a refusal, a kept answer's marker, a lapsed hold: not sent
                continue
            counts = attempts_of[r.tier]
            counts[0] += 1
            counts[1] += r.status == "ok"
            counts[2] += r.status == "rejected"
            counts[3] += r.status == "failed"
        c = sum(r.cost_usd or 0.0 for r in attempts)
        bl = sum(record_baseline(r) for r in attempts)
        call_tags = user_tags(dict.fromkeys(t for r in attempts for t in r.tags))
        user = next((r.user for r in attempts if r.user), None)
        for name, acc in [(t, tags) for t in call_tags] + ([(user, users)] if user else []):
            entry = acc[name]
            entry[0] += 1
            entry[1] += c
            entry[2] += bl
        calls.append(
            CallCost(
                call_id=call_id,
                ts=attempts[0].ts,
                path=tuple(r.tier for r in attempts if is_sent(r)),
                model=last.model,
                status=last.status,
                input_tokens=sum(r.input_tokens for r in attempts),
                output_tokens=sum(r.output_tokens for r in attempts),
                cost_usd=c,
                baseline_cost_usd=bl,
                tags=call_tags,
                user=user,
            )
        )

    baselines = Counter(r.baseline_model for r in records if r.baseline_model)
    if baselines:
        data.baseline = baselines.most_common(1)[0][0]
    starts = sorted(set(cost) | set(mix))
    data.buckets = [
        Bucket(s, _label(s, step), cost[s], base[s], {t: mix[s].get(t, 0) for t in tiers})
        for s in starts
    ]
    data.rates = [
        TierRates(t, *attempts_of[t]) for t in tiers if t in attempts_of
    ]
    data.by_tag = _spend(tags, skip=hidden_tag)
    data.by_user = _spend(users)
    calls.sort(key=lambda c: (-c.cost_usd, c.ts))
    data.top_calls = calls[: max(0, top)]
    return data


def _spend(acc: dict[str, list[float]], skip: Callable[[str], bool] | None = None) -> list[Spend]:
    rows = [
        Spend(name, int(v[0]), v[1], v[2])
        for name, v in acc.items()
        if skip is None or not skip(name)
    ]
    rows.sort(key=lambda s: (-s.cost_usd, s.name))
    return rows


def _order_tiers(s: LedgerSummary, known: Sequence[str] | None) -> list[str]:
    names = list(s.by_tier)
    if known:
        known = list(known)
        return sorted(names, key=lambda t: (known.index(t) if t in known else len(known), t))

    def mean_cost(t: str) -> tuple[float, str]:
        g = s.by_tier[t]
        return (g.cost_usd / g.records if g.records else 0.0, t)

    return sorted(names, key=mean_cost)
