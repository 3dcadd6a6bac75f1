"""Escalation and fallback rates are over the calls that were sent, not over every call.

A call refused before it was sent (a budget or cost-cap refusal: nothing sent), a call stopped
before any tier was called and a lapsed hold (a killed worker's call, never recorded) cannot
escalate nor fall back. Counted in the denominators, they diluted both rates: a config that
refused half its calls showed half the escalation rate it really had (``stats``, ``stats --json``,
``stats --by variant``, the HTML report). Refusals have a rate of their own.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from shared_core.cli import stats as cli_stats
from shared_core.ledger import CallRecord, SQLiteLedger
from shared_core.ledger.lapsed import lapsed_records
from shared_core.ledger.summary import summarize
from shared_core.report import build, render
from shared_core.variant_stats import compare_variants

T0 = 1_767_225_600.0  # 2026-01-01 00:00 UTC


def _sent_calls(variant: str, prefix: str) -> list[CallRecord]:
    """Four calls sent: one escalated, one fell back, two answered at once."""
    kw = {"model": "m", "cost_usd": 0.001, "baseline_cost_usd": 0.01, "variant": variant}
    return [
        CallRecord(call_id=f"{prefix}e", tier="cheap", status="rejected", ts=T0, **kw),
        CallRecord(call_id=f"{prefix}e", tier="strong", attempt=1, escalated=True, ts=T0 + 1, **kw),
        CallRecord(call_id=f"{prefix}f", tier="cheap", status="failed", error_kind="server",
                   ts=T0 + 2, **{**kw, "cost_usd": 0.0}),
        CallRecord(call_id=f"{prefix}f", tier="strong", attempt=1, fallback=True, ts=T0 + 3, **kw),
        CallRecord(call_id=f"{prefix}a", tier="cheap", ts=T0 + 4, **kw),
        CallRecord(call_id=f"{prefix}b", tier="cheap", ts=T0 + 5, **kw),
    ]


def _refused(variant: str, prefix: str, n: int) -> list[CallRecord]:
    return [
        CallRecord(call_id=f"{prefix}r{i}", tier="cheap", model="m", status="refused",
                   error_kind="budget" if i % 2 else "cost_cap", cost_usd=0.0, ts=T0 + 10 + i,
                   variant=variant)
        for i in range(n)
    ]


def _unsent(prefix: str) -> CallRecord:
    """Stopped while it was being decided: no tier called (no tokens, no latency)."""
    return CallRecord(call_id=f"{prefix}u", tier="cheap", model="m", status="abandoned",
                      error_kind="abandoned", cost_usd=0.0, ts=T0 + 30)


def _records() -> list[CallRecord]:
    """4 calls sent (1 escalated, 1 fallback), 4 refused, 1 stopped before any tier, 1 lapsed hold."""
    lapsed = lapsed_records([("hold-1", "global", 0.05, T0 + 40)])
    return [*_sent_calls("control", "s"), *_refused("control", "s", 4), _unsent("s"), *lapsed]


def test_summary_rates_are_over_the_calls_sent() -> None:
    s = summarize(_records())
    assert s.calls == 10 and s.refused_calls == 4 and s.unsent_calls == 1 and s.lapsed_hold_calls == 1
    assert s.sent_calls == 4  # answered + failed: the calls a tier was called for
    assert s.escalation_rate == pytest.approx(1 / 4)  # was 1/10
    assert s.fallback_rate == pytest.approx(1 / 4)
    assert s.failure_rate == 0.0  # (already over the calls sent)
    assert s.to_dict()["sent_calls"] == 4


def test_a_ledger_of_refusals_only_has_no_rate_to_show() -> None:
    s = summarize(_refused("control", "x", 3))
    assert (s.sent_calls, s.escalation_rate, s.fallback_rate, s.failure_rate) == (0, None, None, None)


def test_variant_rates_are_over_the_calls_sent_and_refusal_rate_over_every_call() -> None:
    """Two variants that escalate and fall back alike on the calls they send; the candidate is
    refused as often as it sends. Its rates must equal the control's, not read half of them."""
    recs = _sent_calls("control", "a") + _sent_calls("candidate", "b") + _refused("candidate", "b", 4)
    recs.append(CallRecord(**{**_unsent("b").__dict__, "variant": "candidate"}))
    cmp = compare_variants(recs, [])
    cand, ctrl = cmp.variants["candidate"], cmp.variants["control"]
    assert cand["escalation_rate"].mean == ctrl["escalation_rate"].mean == 0.25  # was 4/9 -> 1/9
    assert cand["fallback_rate"].mean == 0.25 and cand["escalation_rate"].n == 4
    assert cmp.differences["candidate"]["escalation_rate"].diff == 0.0
    assert cand["refusal_rate"].n == 9 and cand["refusal_rate"].mean == pytest.approx(4 / 9)
    assert cmp.calls == {"candidate": 9, "control": 4}


def _stats(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli_stats.register(parser.add_subparsers())
    args = parser.parse_args(["stats", *argv])
    return int(args.func(args))


@pytest.fixture
def ledger_file(tmp_path: Path) -> Path:
    db = tmp_path / "l.sqlite"
    with SQLiteLedger(db) as ledger:
        for r in _sent_calls("control", "a") + _refused("control", "a", 4) + [_unsent("a")]:
            ledger.record(r)
        for r in _sent_calls("candidate", "b") + _refused("candidate", "b", 12):
            ledger.record(r)
    return db


def test_stats_text_and_json_show_rates_over_the_calls_sent(ledger_file: Path, capsys) -> None:
    assert _stats(str(ledger_file), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["calls"], data["sent_calls"], data["refused_calls"]) == (25, 8, 16)
    assert data["escalation_rate"] == 0.25 and data["fallback_rate"] == 0.25  # were 2/25
    assert _stats(str(ledger_file)) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "escalation rate" in line)
    assert "25.0%" in row and "8 calls sent" in row, row
    row = next(line for line in out.splitlines() if "fallback rate" in line)
    assert "25.0%" in row, row


def test_stats_by_variant_rates_are_over_the_calls_sent(ledger_file: Path, capsys) -> None:
    assert _stats(str(ledger_file), "--by", "variant", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    for v in ("control", "candidate"):
        assert data["variants"][v]["escalation_rate"]["mean"] == 0.25, v  # were 1/9 and 1/16
        assert data["variants"][v]["fallback_rate"]["n"] == 4
    assert data["differences"]["candidate"]["escalation_rate"]["diff"] == 0.0
    assert _stats(str(ledger_file), "--by", "variant") == 0
    out = capsys.readouterr().out
    assert "escalation rate (over the calls sent):" in out


def test_the_html_report_shows_rates_over_the_calls_sent(ledger_file: Path) -> None:
    ledger = SQLiteLedger(ledger_file)
    try:
        data = build(ledger)
    finally:
        ledger.close()
    assert data.summary.escalation_rate == 0.25
    page = render(data)
    kpis = page.split('class="kpis"')[1].split("</div></div>")[0]
    assert ">escalated (of 8 calls sent)</span><b>25%</b>" in kpis, kpis
    assert ">fell back (of 8 calls sent)</span><b>25%</b>" in kpis
