"""``tier-router stats``: what a SQLite ledger says about cost, savings, routing and quality.

tier-router stats ledger.db [--since 7d | --since 2026-11-01] [--until ...]
                  [--tag TAG] [--window day|hour|week] [--json]
"""

from __future__ import annotations

import argparse
import calendar
import re
import time
from typing import Any

from ..errors import InputError
from ..ledger.unknown_totals import baseline_text, cells, cost_text, savings_unknown
from ..storable import storable_text
from ._common import print_json_line, usd

_WINDOWS = {"hour": 3600.0, "day": 86400.0, "week": 7 * 86400.0}
_REL_RE = re.compile(r"^(\d+(?:\.\d+)?)([mhdw])$")
_UNITS = {"m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "stats",
        help="summarise a cost ledger, SQLite or PostgreSQL (cost, savings, tiers, latency, "
        "quality drift)",
        description="Cost and savings vs baseline by tier / model / tag / day, tier "
        "distribution, escalation / fallback / failure rates, latency p50/p95 by tier and "
        "per-tier mean feedback per time window (quality drift).",
    )
    p.add_argument("ledger", help="the SQLite ledger file, or a postgresql:// URL")
    p.add_argument(
        "--since",
        help="start: an ISO date/time (UTC), 'today', or a span back from now: 30m, 12h, 7d, 2w",
    )
    p.add_argument("--until", help="end (exclusive), same forms as --since")
    p.add_argument("--tag", help="only calls with this tag")
    p.add_argument(
        "--window",
        choices=sorted(_WINDOWS),
        default="day",
        help="time window of the quality-drift table (default: day)",
    )
    p.add_argument(
        "--by",
        choices=("variant",),
        help="compare A/B variants: cost per call, escalation and fallback rates and feedback, "
        "each with a 95%% interval, and each candidate's difference from the control",
    )
    p.add_argument(
        "--control",
        help="with --by variant: the control variant (default: the one named 'control', else "
        "the one with the most calls, and the output says so)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def parse_time(value: str | None, flag: str, now: float | None = None) -> float | None:
    """``7d`` / ``12h`` / ``30m`` / ``2w`` back from now, or an ISO date/time taken as UTC."""
    if value is None:
        return None
    v = value.strip()
    if v == "today":
        from ..budget import period_start

        return period_start("day", now)
    m = _REL_RE.match(v)
    if m:
        return (time.time() if now is None else now) - float(m.group(1)) * _UNITS[m.group(2)]
    from datetime import datetime, timezone

    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{flag} {value!r}: expected an ISO date/time (2026-11-01, 2026-11-01T12:00) "
            "or a span such as 30m, 12h, 7d, 2w"
        ) from None
    if dt.tzinfo is None:
        return float(calendar.timegm(dt.timetuple())) + dt.microsecond / 1e6
    return dt.astimezone(timezone.utc).timestamp()


def run(args: argparse.Namespace) -> int:
    from ._common import open_ledger_arg

    since = parse_time(args.since, "--since")
    until = parse_time(args.until, "--until")
    if since is not None and until is not None and since >= until:
        raise InputError(
            f"--since ({args.since}) is not before --until ({args.until}): the window holds no time"
        )
    ledger = open_ledger_arg(args.ledger)
    if getattr(args, "by", None) == "variant":
        try:
            return _by_variant(ledger, since, until, args.tag, args.json, args.control)
        finally:
            ledger.close()
    try:
        summary = ledger.summary(
            since=since, until=until, tag=args.tag, window_s=_WINDOWS[args.window]
        )
    finally:
        ledger.close()
    if args.json:
        print_json_line(summary.to_dict())
        return 0
    render(summary)
    return 0


def tier_order(s: Any, known: list[str] | None = None) -> list[str]:
    """Tiers in config order when known, else cheapest first by mean cost per attempt."""
    names = list(s.by_tier)
    if known:
        return sorted(names, key=lambda t: (known.index(t) if t in known else len(known), t))

    def mean_cost(t: str) -> float:
        g = s.by_tier[t]
        return g.cost_usd / g.records if g.records else 0.0

    return sorted(names, key=mean_cost)


def _refusals(s: Any) -> str:
    """``4 (budget 1, cost cap 2, cooldown 1)``: refused calls and what refused them."""
    causes = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in sorted(s.refused_by.items()))
    return f"{s.refused_calls} ({causes})" if causes else str(s.refused_calls)


def _uncertain_rows(s: Any) -> list[tuple[str, str]]:
    """Rows for the records whose cost is not the provider's word: kept at their worst case
    (upper bound) or estimated from the text; none when there are none."""
    rows = []
    for label, n, cost in (
        ("upper-bound records", s.upper_bound_records, s.upper_bound_cost_usd),
        ("estimated records", s.estimated_records, s.estimated_cost_usd),
    ):
        if n:
            share = f", {cost / s.cost_usd:.1%} of cost" if s.cost_usd > 0 else ""
            rows.append((label, f"{n} ({usd(cost)}{share})"))
    if s.lapsed_hold_records:  # a worker killed with calls under way: its holds kept as spend
        rows.append((
            "lapsed holds",
            f"{s.lapsed_hold_records} ({usd(s.lapsed_hold_cost_usd)}, counted as spend and as "
            "baseline: no saving or loss claimed)",
        ))
    return rows


def render(s: Any, console: Any = None, tier_names: list[str] | None = None) -> None:
    """Print a :class:`~shared_core.ledger.LedgerSummary` as rich tables.

    ``tier_names``: the config's tiers, to list them in ladder order.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console(highlight=False)
    if not s.records:
        console.print("the ledger holds no records for this selection")
        return
    span = ""
    if s.first_ts is not None and s.last_ts is not None:
        fmt = "%Y-%m-%d %H:%M"
        span = (
            f" ({time.strftime(fmt, time.gmtime(s.first_ts))} .. "
            f"{time.strftime(fmt, time.gmtime(s.last_ts))} UTC)"
        )
    head = Table(title=f"Ledger summary{span}", title_justify="left", show_header=False)
    head.add_column("")
    head.add_column("", justify="right")
    pct = s.savings_pct
    unpriced = s.unknown_cost_records or s.unknown_baseline_records
    savings = (
        "unknown (unpriced records)" if savings_unknown(s)
        else usd(s.savings_usd) + (f" ({pct:.1f}%)" if pct is not None else "")
        + (" (priced records only)" if unpriced else "")
    )
    for k, v in (
        ("calls", s.calls_text()),
        ("attempts sent / records", f"{s.attempts} / {s.records}"),
        ("cost", cost_text(s, usd)),
        ("baseline cost", baseline_text(s, usd)),
        ("savings", savings),
        # over the calls sent: a refused call could neither escalate, fall back nor fail
        ("escalation rate", _rate(s.escalation_rate, s.sent_calls)),
        ("fallback rate", _rate(s.fallback_rate, s.sent_calls)),
        ("failure rate", _rate(s.failure_rate, s.sent_calls)),
        ("refused calls", _refusals(s)),
        ("records with unknown price", str(s.unknown_cost_records)),
        *_uncertain_rows(s),
    ):
        head.add_row(k, v)
    console.print(head)
    if (line := s.negative_savings_note()) is not None:
        console.print(Text(line))
    elif s.upper_bound_records:
        console.print(Text(
            "upper-bound records: requests sent and never answered, or answered with a body that "
            "could not be read, recorded at their whole output budget; the provider may have "
            "billed less: spend is at most, and savings at least, what is shown"
        ))

    tiers = Table(title="By tier", title_justify="left")
    for col in ("tier", "calls", "share", "cost", "baseline", "savings", "p50 ms", "p95 ms"):
        tiers.add_column(col, justify="left" if col == "tier" else "right")
    order = tier_order(s, tier_names)
    for name in order:
        g = s.by_tier[name]
        lat = s.latency_ms.get(name, {})
        tiers.add_row(
            Text(name),  # names are data: no rich markup or :emoji: codes (map:key:raw)
            str(g.calls),
            f"{s.tier_distribution.get(name, 0.0):.1%}",
            *cells(g, usd),  # cost, baseline, savings: "unknown" where unpriced
            _ms(lat.get("p50")),
            _ms(lat.get("p95")),
        )
    console.print(tiers)
    for title, groups in (
        ("By model", s.by_model),
        ("By tag", s.by_tag),
        ("By day (UTC)", s.by_day),
    ):
        if not groups:
            continue
        t = Table(title=title, title_justify="left")
        for col in ("", "calls", "attempts", "cost", "baseline", "savings"):
            t.add_column(col, justify="left" if not col else "right")
        for name, g in groups.items():
            t.add_row(
                Text(storable_text(name)),  # a tag's lone surrogate: escaped, printable
                str(g.calls),
                str(g.attempts),  # sent to a provider: a refused call was never sent
                *cells(g, usd),
            )
        console.print(t)
    if s.quality:
        q = Table(title="Quality drift (mean feedback)", title_justify="left")
        windows = sorted({p.window_start for pts in s.quality.values() for p in pts})[-8:]
        q.add_column("tier")
        for w in windows:
            q.add_column(w, justify="right")
        for tier in sorted(s.quality, key=lambda t: order.index(t) if t in order else len(order)):
            pts = s.quality[tier]
            by_w = {p.window_start: p for p in pts}
            q.add_row(
                Text(tier),
                *(
                    f"{by_w[w].mean_score:.2f} (n={by_w[w].n})" if w in by_w else "-"
                    for w in windows
                ),
            )
        console.print(q)


def _rate(rate: float | None, sent: int) -> str:
    """``25.0% of 8 calls sent``; ``— (0 calls sent)`` when there is no rate (none sent)."""
    if rate is None:
        return f"— ({sent:,} calls sent)"
    return f"{rate:.1%} of {sent:,} calls sent"


def _ms(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}"


def _by_variant(
    ledger: Any, since: float | None, until: float | None, tag: str | None, as_json: bool,
    control: str | None = None,
) -> int:
    from ..variant_stats import METRICS, MIN_CALLS, compare_variants

    recs = ledger.records(since=since, until=until, tag=tag)
    from ..ledger.summary import call_key

    ids = {call_key(r) for r in recs}  # a RunnableRouter call's feedback names the routed call
    cmp = compare_variants(recs, [f for f in ledger.feedback() if f.call_id in ids], control)
    if as_json:
        print_json_line(cmp.to_dict())
        return 0
    if not cmp.variants:
        print("no calls in this range")
        return 0
    labels = {
        "cost_per_call": "cost per call (over the calls sent)",
        "refusal_rate": "refusal rate",
        "escalation_rate": "escalation rate (over the calls sent)",
        "fallback_rate": "fallback rate (over the calls sent)",
        "feedback": "feedback (mean score)",
    }
    counts = ", ".join(f"{v}: {n} calls" for v, n in cmp.calls.items())
    print(f"variants (control: {cmp.control}; {counts}); value [95% interval]")
    for v, n in cmp.refused.items():
        print(f"{v}: {n} calls refused (nothing sent), left out of its cost per call")
    for v, n in cmp.stopped.items():
        print(f"{v}: {n} calls stopped before any tier (nothing sent), left out of its cost per call")
    for v, n in cmp.unknown_cost.items():
        print(f"{v}: {n} calls of unknown cost, left out of its cost per call")
    if len(cmp.variants) == 1:
        print(f"only one variant ({cmp.control}) in this range: nothing to compare")
    elif cmp.assumed:
        print(
            f"no variant is named 'control': {cmp.control} (the most calls) is taken as the control; "
            "name it with --control"
        )
    for m in METRICS:
        print(f"{labels[m]}:")
        for v, ms in cmp.variants.items():
            e = ms[m]
            print(f"  {v:<14} {_est(e.mean, e.low, e.high, m) if e.n else '—'}")
        for v, ds in cmp.differences.items():
            d = ds[m]
            few = f", fewer than {MIN_CALLS} calls" if d.calls < MIN_CALLS else ""
            note = "" if d.significant else f" (not yet significant{few})"
            print(f"  {v} - {cmp.control}: {_est(d.diff, d.low, d.high, m, signed=True)}{note}")
    return 0


def _est(mean: float, low: float, high: float, metric: str, *, signed: bool = False) -> str:
    import math

    if not math.isfinite(mean):
        return "—"
    def fmt(v: float) -> str:
        sign = "+" if signed and v >= 0 else ""
        if metric == "cost_per_call":
            return f"-${-v:.6f}" if v < 0 else f"{sign}${v:.6f}"
        if metric == "feedback":
            return f"{sign}{v:.3f}"
        return f"{sign}{100 * v:.1f}%"

    if not math.isfinite(low):
        return fmt(mean)
    return f"{fmt(mean)} [{fmt(low)}, {fmt(high)}]"
