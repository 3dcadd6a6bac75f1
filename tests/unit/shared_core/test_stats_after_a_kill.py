"""What ``stats`` and ``report`` say after a worker was SIGKILLed with a call under way.

The new-user trial (two processes on one SQLite ledger, a $0.10 daily limit, one killed):
8 calls answered on the baseline model, 10 refused by the budget, 1 budget hold that lapsed
unreleased and was kept as spend. ``stats`` said ``savings $-0.01029 (-12.5%)`` (the lapsed
hold had a $0 baseline: a crash read as routing losing money), ``calls / attempt records
19 / 19`` with nothing saying what the 19 were, and ``gpt-4o  8 calls  18 attempts``: the 10
refused calls, never sent, counted as attempts of gpt-4o.
"""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from shared_core.cli.main import main
from shared_core.cli.stats import render
from shared_core.ledger import CallRecord, open_ledger
from shared_core.ledger.lapsed import lapsed_records
from shared_core.ledger.summary import summarize
from shared_core.report import build
from shared_core.report import render as render_html

T0 = 1_764_950_000.0
COST = 0.01028
HELD = 0.01029


def _records() -> list[CallRecord]:
    recs = [
        CallRecord(
            call_id=f"ok-{i}", tier="strong", model="gpt-4o", ts=T0 + i, status="ok",
            input_tokens=10, output_tokens=1024, cost_usd=COST, baseline_model="gpt-4o",
            baseline_cost_usd=COST, latency_ms=1040.0,
        )
        for i in range(8)
    ]
    recs += [
        CallRecord(
            call_id=f"refused-{i}", tier="strong", model="gpt-4o", ts=T0 + 10 + i,
            status="refused", error_kind="budget", error="BudgetExceededError: not sent",
            cost_usd=0.0, baseline_model="gpt-4o",
        )
        for i in range(10)
    ]
    recs += lapsed_records([("killed-call", "global", HELD, T0 + 30)])
    return recs


def test_a_lapsed_hold_is_no_loss_of_routing() -> None:
    s = summarize(_records())
    assert s.cost_usd == pytest.approx(8 * COST + HELD)  # spend still counts the hold
    assert s.lapsed_hold_cost_usd == pytest.approx(HELD)
    # every real call ran on the baseline model: routing saved nothing and lost nothing
    assert s.savings_usd == pytest.approx(0.0, abs=1e-12)
    assert s.savings_pct == pytest.approx(0.0, abs=1e-9)
    for groups in (s.by_tier, s.by_model, s.by_day):
        for g in groups.values():
            assert g.savings_usd == pytest.approx(0.0, abs=1e-12)


def test_attempts_count_only_what_was_sent_and_calls_say_what_they_are() -> None:
    s = summarize(_records())
    gpt4o = s.by_model["gpt-4o"]
    assert (gpt4o.calls, gpt4o.attempts, gpt4o.records) == (8, 8, 18)  # records: as before
    assert s.by_model["(lapsed hold)"].attempts == 0
    assert s.by_day["2025-12-05"].attempts == 8
    assert (s.calls, s.records) == (19, 19)
    assert (s.answered_calls, s.refused_calls, s.lapsed_hold_calls) == (8, 10, 1)
    assert (s.failed_calls, s.unsent_calls) == (0, 0)
    d = s.to_dict()
    assert d["by_model"]["gpt-4o"]["attempts"] == 8 and d["by_model"]["gpt-4o"]["records"] == 18
    assert (d["answered_calls"], d["lapsed_hold_calls"]) == (8, 1)


def test_stats_table_headline() -> None:
    console = Console(record=True, width=160)
    render(summarize(_records()), console)
    text = console.export_text()
    assert "19 (8 answered, 10 refused, 1 lapsed hold)" in text
    assert "-12.5%" not in text and "$-0.01029" not in text
    gpt4o = next(line for line in text.splitlines() if "gpt-4o" in line)
    assert [c.strip() for c in gpt4o.split("│")[2:4]] == ["8", "8"]


def test_stats_json_and_report_from_a_ledger_file(tmp_path, capsys) -> None:
    db = tmp_path / "shared.sqlite"
    led = open_ledger(str(db))
    for r in _records():
        led.record(r)
    led.close()
    assert main(["stats", str(db), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["savings_usd"] == pytest.approx(0.0, abs=1e-12)
    assert d["by_model"]["gpt-4o"]["attempts"] == 8
    led = open_ledger(str(db))
    try:
        html = render_html(build(led))
    finally:
        led.close()
    assert "-13%" not in html and "$-0.01029" not in html
    assert "8 answered, 10 refused, 1 lapsed hold" in html
