"""``tier-router stats`` / ``report`` say how much of the spend is an upper bound.

A request sent and never answered (a read timeout) is recorded at its worst case: its input
estimate plus its whole output budget. A few of those on a tier with a large budget can
outweigh what routing saved, and ``stats`` showed negative savings with nothing saying that
part of the spend is a worst case. The summary now counts upper-bound and estimated records
and their cost (text, JSON, report), and says when savings are negative because of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared_core.cli.main import main
from shared_core.dispatch import execute
from shared_core.ledger import SQLiteLedger
from shared_core.testing import ScriptedModel

from .helpers import router_with, three_tiers


class _ReadTimeout(TimeoutError):
    """A client read timeout: the request was sent, no answer came."""


def _ledger(path: Path, timeouts: int) -> SQLiteLedger:
    """Calls answered by the cheap tier (big is the baseline), then ``timeouts`` calls whose
    cheap attempt timed out before the mid tier answered (each kept at its worst case: 20 000
    output tokens on the cheap tier)."""
    cfg = three_tiers(tiers=[
        {"name": "cheap", "model": "cheap-model", "max_tokens": 20_000, "input_price": 0.1, "output_price": 0.4},
        {"name": "mid", "model": "mid-model", "max_tokens": 400, "input_price": 1.0, "output_price": 4.0},
        {"name": "big", "model": "big-model", "max_tokens": 1000, "input_price": 10.0, "output_price": 40.0},
    ], fallback={"cooldown_s": 0})
    led = SQLiteLedger(path)
    router = router_with(config=cfg, ledger=led)
    for _ in range(3):
        execute(router.plan(router.decide("hi"), router.request("hi")), ScriptedModel())
    failing = ScriptedModel(replies={"cheap": [_ReadTimeout("read timed out")]})
    for _ in range(timeouts):
        execute(router.plan(router.decide("hi"), router.request("hi")), failing)
    led.flush()
    return led


def test_the_summary_counts_upper_bound_records_and_their_cost(tmp_path: Path) -> None:
    led = _ledger(tmp_path / "c.sqlite", timeouts=2)
    recs = led.records()
    bound = [r for r in recs if r.status == "failed"]
    assert len(bound) == 2 and all("upper bound" in (r.error or "") for r in bound)
    s = led.summary()
    assert s.upper_bound_records == 2
    assert s.upper_bound_cost_usd == pytest.approx(sum(r.cost_usd for r in bound))
    assert s.upper_bound_share == pytest.approx(s.upper_bound_cost_usd / s.cost_usd)
    assert s.savings_usd < 0 <= s.savings_usd + s.upper_bound_cost_usd  # they alone make it negative
    note = s.negative_savings_note()
    assert note is not None and "they alone make savings negative" in note
    led.close()


def test_stats_text_and_json_show_the_upper_bound_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "c.sqlite"
    _ledger(db, timeouts=2).close()
    assert main(["stats", str(db), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["upper_bound_records"] == 2
    assert d["upper_bound_cost_usd"] > 0 and 0 < d["upper_bound_share"] <= 1
    assert d["savings_usd"] < 0 and "upper bound" in d["negative_savings_note"]
    assert main(["stats", str(db)]) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "upper-bound records" in out
    assert "savings are negative" in out and "they alone make savings negative" in out


def test_the_report_shows_the_upper_bound_spend(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite"
    _ledger(db, timeouts=2).close()
    out = tmp_path / "r.html"
    assert main(["report", str(db), "-o", str(out)]) == 0
    html = out.read_text()
    assert "upper-bound spend" in html and "savings are negative" in html


def test_no_line_when_savings_are_positive(tmp_path: Path) -> None:
    led = _ledger(tmp_path / "c.sqlite", timeouts=0)
    s = led.summary()
    assert (s.upper_bound_records, s.savings_usd > 0, s.negative_savings_note()) == (0, True, None)
    led.close()


def test_a_long_error_keeps_its_upper_bound_note(tmp_path: Path) -> None:
    """The note is what the summary counts by: a long provider message must not cut it off."""
    router = router_with(config=three_tiers(fallback={"cooldown_s": 0}))
    failing = ScriptedModel(replies={"cheap": [_ReadTimeout("x" * 2000)]})
    execute(router.plan(router.decide("hi"), router.request("hi")), failing)
    [failed] = [r for r in router.ledger.records() if r.status == "failed"]
    assert len(failed.error or "") <= 500 and failed.error.startswith("_ReadTimeout: xxx")
    assert router.ledger.summary().upper_bound_records == 1


def test_estimated_records_are_counted_apart() -> None:
    from shared_core.ledger import CallRecord, summarize
    from shared_core.usage_belief import ESTIMATED

    recs = [
        CallRecord(call_id="a", tier="t", model="m", input_tokens=10, output_tokens=4, cost_usd=0.03,
                   error=ESTIMATED),
        CallRecord(call_id="b", tier="t", model="m", input_tokens=10, output_tokens=4, cost_usd=0.01),
    ]
    s = summarize(recs)
    assert (s.estimated_records, s.upper_bound_records) == (1, 0)
    assert s.estimated_cost_usd == pytest.approx(0.03) and s.estimated_share == pytest.approx(0.75)


def test_stats_says_what_an_upper_bound_is_when_savings_are_positive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With savings positive the upper-bound row stood unexplained (59% of the cost, a new
    user's trial): a line says what it is and that savings are then at least the figure."""
    from shared_core.ledger import CallRecord
    from shared_core.unanswered import UPPER_BOUND

    db = tmp_path / "c.sqlite"
    with SQLiteLedger(db) as led:
        led.record(CallRecord(call_id="a", tier="t", model="m", input_tokens=9, output_tokens=99,
                              cost_usd=0.002, status="failed", error_kind="timeout",
                              error=f"read timeout: {UPPER_BOUND}"))
        led.record(CallRecord(call_id="a", tier="t", model="m", attempt=2, input_tokens=9,
                              output_tokens=9, cost_usd=0.001, baseline_cost_usd=0.05))
    assert main(["stats", str(db)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "upper-bound records" in out and "savings are negative" not in out
    assert "the provider may have billed less: spend is at most, and savings at least" in out
