"""The report page: one self-contained HTML file (inline CSS and SVG, no script, no fetch)."""

from __future__ import annotations

import time

from .._version import __version__
from ..ledger.unknown_totals import baseline_text, cost_text, savings_unknown
from ..ledger.unknown_totals import cells as money_cells
from .data import ReportData
from .html_text import escape
from .svg import BarRow, Series, hbars, line_chart, stacked_columns

TIER_COLORS = ["#22c55e", "#3b82f6", "#f59e0b", "#a855f7", "#ef4444", "#14b8a6", "#64748b", "#ec4899"]
COST, BASELINE, SAVED = "#2563eb", "#94a3b8", "#16a34a"
ESCALATION, FALLBACK = "#f59e0b", "#ef4444"

CSS = """
:root{--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--card:#fff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:var(--fg);background:var(--bg);max-width:1400px;margin:0 auto}
header{padding:22px 32px 10px}
main>section{min-width:0}
h1{margin:0 0 2px;font-size:22px}
h2{margin:0 0 2px;font-size:16px}
.sub,.note{color:var(--muted);margin:0 0 10px;font-size:13px}
main{padding:0 32px 32px;display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:16px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px}
section.wide{grid-column:1/-1}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(128px,1fr));gap:12px;
padding:8px 32px 18px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.kpi b{display:block;font-size:22px;font-variant-numeric:tabular-nums}
.kpi span{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em;
display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.scroll{overflow-x:auto}
.kpi.good b{color:#15803d}
svg{width:100%;height:auto;display:block;overflow:visible}
svg .grid{stroke:var(--line);stroke-width:1}
svg text{font-size:11px;fill:var(--muted);font-family:inherit}
svg text.rowlabel{fill:var(--fg);font-size:12px}
svg text.value{fill:var(--fg);font-size:11px}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin:6px 0 8px;font-size:12px}
.legend i{display:inline-block;width:11px;height:11px;border-radius:3px;margin-right:5px;
vertical-align:-1px}
.legend i.dash{height:3px;border-radius:0;vertical-align:3px}
table{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{color:var(--muted);font-weight:600;font-size:12px}
th:first-child,td:first-child,td.l,th.l{text-align:left}
td.path{white-space:normal}
code{font-size:12px;background:#f1f5f9;padding:1px 4px;border-radius:4px}
.empty{color:var(--muted);font-style:italic;padding:24px 0}
footer{color:var(--muted);font-size:12px;padding:0 32px 24px}
@media (max-width:900px){main{grid-template-columns:1fr}}
"""


def usd(x: float) -> str:
    if abs(x) >= 100:
        return f"${x:,.0f}"
    if abs(x) >= 1:
        return f"${x:,.2f}"
    if abs(x) >= 0.01:
        return f"${x:.3f}"
    if x == 0:
        return "$0"
    return f"${x:.5f}"


def pct(x: float | None) -> str:
    """``25%``, ``2.5%``; ``—`` for no rate (``None``: nothing to take it over)."""
    if x is None:
        return "—"
    return f"{x:.1%}" if x < 0.1 and x else f"{x:.0%}"


def tier_colors(tiers: list[str]) -> dict[str, str]:
    return {t: TIER_COLORS[i % len(TIER_COLORS)] for i, t in enumerate(tiers)}


def _legend(items: list[tuple[str, str]], dashed: tuple[str, ...] = ()) -> str:
    parts = [
        f'<span><i class="{"dash" if n in dashed else ""}" style="background:{c}"></i>'
        f"{escape(n)}</span>"
        for n, c in items
    ]
    return '<div class="legend">' + "".join(parts) + "</div>"


def _section(title: str, note: str, body: str, wide: bool = False, key: str = "") -> str:
    cls = ' class="wide"' if wide else ""
    return (
        f'<section{cls} id="{escape(key)}"><h2>{escape(title)}</h2>'
        f'<p class="note">{escape(note)}</p>{body}</section>'
    )


def _empty(text: str) -> str:
    return f'<p class="empty">{escape(text)}</p>'


def _kpis(d: ReportData) -> str:
    s = d.summary
    saved = s.savings_pct
    unknown = savings_unknown(s)  # nothing priced on one side: no saving to show
    good = " good" if s.savings_usd > 0 and not unknown else ""
    cards = [
        ("spend", cost_text(s, usd), ""),
        (f"all on {d.baseline}", baseline_text(s, usd), ""),
        ("saved", "unknown" if unknown else usd(s.savings_usd), good),
        ("saved share", f"{saved:.0f}%" if saved is not None and not unknown else "-", good),
        ("calls", s.calls_text(), ""),
        # over the calls sent: a refused call could neither escalate, fall back nor fail
        (f"escalated (of {s.sent_calls:,} calls sent)", pct(s.escalation_rate), ""),
        (f"fell back (of {s.sent_calls:,} calls sent)", pct(s.fallback_rate), ""),
        (f"failed (of {s.sent_calls:,} calls sent)", pct(s.failure_rate), ""),
    ]
    if s.unknown_cost_records:  # their cost is not in spend, nor their baseline in the savings
        cards.insert(1, ("unpriced records", f"{s.unknown_cost_records:,} (not in spend)", ""))
    for label, n, cost, share in (
        ("upper-bound spend", s.upper_bound_records, s.upper_bound_cost_usd, s.upper_bound_share),
        ("estimated spend", s.estimated_records, s.estimated_cost_usd, s.estimated_share),
    ):
        if n:  # in spend, but not the provider's word: a worst case, or counted from the text
            of = f", {share:.0%}" if share is not None else ""
            cards.insert(1, (label, f"{usd(cost)} ({n:,} records{of})", ""))
    if s.lapsed_hold_records:  # holds of a killed worker, kept as spend at their held amount
        cards.insert(1, (
            "lapsed holds",
            f"{s.lapsed_hold_records:,} ({usd(s.lapsed_hold_cost_usd)}, counted as spend and as "
            "baseline: no saving or loss claimed)", "",
        ))
    line = s.negative_savings_note()
    return '<div class="kpis">' + "".join(
        f'<div class="kpi{cls}"><span>{escape(k)}</span><b>{escape(v)}</b></div>'
        for k, v, cls in cards
    ) + "</div>" + (f'<p class="note">{escape(line)}</p>' if line else "")


def spend_chart(d: ReportData) -> str:
    labels = [b.label for b in d.buckets]
    cost, base, c, b = [], [], 0.0, 0.0
    for bucket in d.buckets:
        c += bucket.cost_usd
        b += bucket.baseline_cost_usd
        cost.append(c)
        base.append(b)
    chart = line_chart(
        "spend",
        labels,
        [Series("spend (cumulative)", cost, COST), Series(f"baseline {d.baseline}", base, BASELINE)],
        usd,
        fill_between=(0, 1),
        fill_color=SAVED,
        label="cumulative spend against the baseline",
        width=1160,
    )
    legend = _legend(
        [("routed spend", COST), (f"all on {d.baseline}", BASELINE), ("saved", SAVED)]
    )
    return legend + chart


def mix_chart(d: ReportData, colors: dict[str, str]) -> str:
    labels = [b.label for b in d.buckets]
    stacks = [Series(t, [b.calls_by_tier.get(t, 0) for b in d.buckets], colors[t]) for t in d.tiers]
    legend = _legend([(t, colors[t]) for t in d.tiers])
    return legend + stacked_columns("tier-mix", labels, stacks, label="tier mix over time")


def rates_chart(d: ReportData) -> str:
    rows = [
        BarRow(r.tier, [r.escalation_rate, r.fallback_rate], f"of {r.attempts} attempts")
        for r in d.rates
    ]
    top = max((v for r in rows for v in r.values), default=0.0)
    legend = _legend([("escalated (answer rejected)", ESCALATION), ("fell back (provider error)", FALLBACK)])
    return legend + hbars(
        "rates", rows, [ESCALATION, FALLBACK], ["escalated", "fell back"], pct,
        vmax=max(top, 0.05), label="escalation and fallback rates per tier",
    )


def spend_bars(name: str, rows: list, what: str, limit: int = 10) -> str:
    if not rows:
        return _empty(f"no {what} recorded: pass tags= / user= when calling to see them here")
    shown = rows[:limit]
    more = len(rows) - len(shown)
    chart = hbars(
        name,
        [BarRow(r.name, [r.cost_usd, r.baseline_cost_usd], f"({r.calls} calls)") for r in shown],
        [COST, BASELINE],
        ["spend", "baseline"],
        usd,
        label=f"cost per {what}",
    )
    tail = f'<p class="note">{more} more not shown</p>' if more > 0 else ""
    return _legend([("spend", COST), ("baseline", BASELINE)]) + chart + tail


def tier_table(d: ReportData, colors: dict[str, str]) -> str:
    s = d.summary
    rates = {r.tier: r for r in d.rates}
    head = "".join(
        f"<th>{h}</th>"
        for h in ("tier", "calls", "share", "spend", "baseline", "saved", "escalated",
                  "fell back", "p50 ms", "p95 ms")
    )
    body = []
    for t in d.tiers:
        g = s.by_tier[t]
        r = rates.get(t)
        lat = s.latency_ms.get(t, {})
        cells = [
            f'<td><i style="display:inline-block;width:9px;height:9px;border-radius:2px;'
            f'background:{colors[t]};margin-right:6px"></i>{escape(t)}</td>',
            f"<td>{g.calls:,}</td>",
            f"<td>{pct(s.tier_distribution.get(t, 0.0))}</td>",
            *(f"<td>{escape(c)}</td>" for c in money_cells(g, usd)),  # "unknown" where unpriced
            f"<td>{pct(r.escalation_rate) if r else '-'}</td>",
            f"<td>{pct(r.fallback_rate) if r else '-'}</td>",
            f"<td>{_ms(lat.get('p50'))}</td>",
            f"<td>{_ms(lat.get('p95'))}</td>",
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="scroll"><table data-table="tiers"><thead><tr>{head}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table></div>'
    )


def calls_table(d: ReportData) -> str:
    if not d.top_calls:
        return _empty("no calls")
    head = "".join(
        f'<th class="{"l" if h in ("when (UTC)", "tiers tried", "model", "tags / user") else ""}">'
        f"{h}</th>"
        for h in ("when (UTC)", "tiers tried", "model", "tokens in / out", "spend", "baseline",
                  "tags / user")
    )
    rows = []
    for c in d.top_calls:
        who = ", ".join(c.tags) + (f" · {c.user}" if c.user else "")
        status = "" if c.status == "ok" else f" ({c.status})"
        rows.append(
            f'<tr title="call {escape(c.call_id)}">'
            f'<td>{time.strftime("%Y-%m-%d %H:%M", time.gmtime(c.ts))}</td>'
            f'<td class="l path">{escape(" → ".join(c.path))}{escape(status)}</td>'
            f'<td class="l"><code>{escape(c.model)}</code></td>'
            f"<td>{c.input_tokens:,} / {c.output_tokens:,}</td>"
            f"<td>{usd(c.cost_usd)}</td><td>{usd(c.baseline_cost_usd)}</td>"
            f'<td class="l">{escape(who) or "-"}</td></tr>'
        )
    return (
        f'<div class="scroll"><table data-table="top-calls"><thead><tr>{head}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>'
    )


def render(d: ReportData, title: str = "tier-router cost report", source: str = "") -> str:
    """The whole page as a string."""
    s = d.summary
    colors = tier_colors(d.tiers)
    if s.first_ts is not None and s.last_ts is not None:
        fmt = "%Y-%m-%d %H:%M"
        span = (
            f"{time.strftime(fmt, time.gmtime(s.first_ts))} to "
            f"{time.strftime(fmt, time.gmtime(s.last_ts))} UTC · {s.calls:,} calls, "
            f"{s.records:,} attempts · savings against {d.baseline}"
        )
    else:
        span = "the ledger holds no records for this selection"
    sections = []
    if s.records:
        per = d.bucket_name
        sections = [
            _section(
                "Spend against the baseline",
                f"Cumulative spend per {per}, against what the same calls would have cost on "
                f"{d.baseline}. The shaded gap is what routing saved.",
                spend_chart(d), wide=True, key="spend",
            ),
            _section(
                "Tier mix over time",
                f"Share of answered calls per tier, per {per}.",
                mix_chart(d, colors), key="tier-mix",
            ),
            _section(
                "Escalation and fallback per tier",
                "Share of each tier's attempts whose answer failed a quality check (escalated "
                "up) or whose provider failed (fell back).",
                rates_chart(d), key="rates",
            ),
            _section("Cost per tag", "Top tags by spend (a call counts once per tag).",
                     spend_bars("by-tag", d.by_tag, "tags"), key="by-tag"),
            _section("Cost per user", "Top users by spend.",
                     spend_bars("by-user", d.by_user, "users"), key="by-user"),
            _section("Tiers", "Calls that reached each tier (answered or failed there), spend and latency (cheapest first).",
                     tier_table(d, colors), wide=True, key="tiers"),
            _section(
                "Most expensive calls",
                "Every attempt of a call is counted (escalations and fallbacks cost too).",
                calls_table(d), wide=True, key="top-calls",
            ),
        ]
    src = f" · {escape(source)}" if source else ""
    generated = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p class=\"sub\">{escape(span)}</p></header>"
        + (_kpis(d) if s.records else "")
        + "<main>" + "".join(sections) + "</main>"
        + f"<footer>tier-router {escape(__version__)} · generated {generated}{src}</footer>"
        "</body></html>"
    )


def _ms(v: float | None) -> str:
    return "-" if v is None else f"{v:,.0f}"
