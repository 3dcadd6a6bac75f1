"""With no call sent there is no escalation, fallback or failure rate, and every view says so alike.

A ledger of refusals only (0 calls sent) showed ``escalation rate 0.0% of 0 calls sent`` in
``stats`` and ``0.0`` in ``stats --json`` (and the HTML report's KPIs 0%), while
``stats --by variant`` showed ``—`` / ``null`` for the same rates: a rate over no calls read as
"never escalates". Now the summary's three rates are ``None`` with no call sent: ``null`` in
JSON, ``—`` in the text and the HTML report. And each of the three rows names what it is over
(the calls sent), not the escalation row alone.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from shared_core.cli import stats as cli_stats
from shared_core.ledger import CallRecord, SQLiteLedger
from shared_core.ledger.summary import summarize
from shared_core.report import build, render

RATES = ("escalation_rate", "fallback_rate", "failure_rate")


def _refused(n: int) -> list[CallRecord]:
    return [CallRecord(call_id=f"r{i}", tier="cheap", model="m", status="refused",
                       error_kind="budget", cost_usd=0.0, ts=1_767_225_600.0 + i, variant="control")
            for i in range(n)]


def _sent() -> list[CallRecord]:
    """Two calls sent: one failed (strong, after cheap failed: a fallback), one answered."""
    kw = {"model": "m", "cost_usd": 0.001, "baseline_cost_usd": 0.01, "ts": 1_767_225_700.0}
    return [
        CallRecord(call_id="f", tier="cheap", status="failed", error_kind="server", **kw),
        CallRecord(call_id="f", tier="strong", attempt=1, status="failed", error_kind="server",
                   fallback=True, **kw),
        CallRecord(call_id="a", tier="cheap", **kw),
    ]


def _stats(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli_stats.register(parser.add_subparsers())
    args = parser.parse_args(["stats", *argv])
    return int(args.func(args))


def _ledger(tmp_path: Path, records: list[CallRecord]) -> Path:
    db = tmp_path / "l.sqlite"
    with SQLiteLedger(db) as ledger:
        for r in records:
            ledger.record(r)
    return db


def _row(out: str, name: str) -> str:
    return next(line for line in out.splitlines() if name in line)


def test_the_summary_has_no_rate_over_no_call_sent() -> None:
    s = summarize(_refused(3))
    assert s.sent_calls == 0
    assert [getattr(s, r) for r in RATES] == [None, None, None]
    assert [s.to_dict()[r] for r in RATES] == [None, None, None]


def test_stats_json_and_by_variant_say_null_alike(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(_ledger(tmp_path, _refused(3)))
    assert _stats(db, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert [data[r] for r in RATES] == [None, None, None]
    assert _stats(db, "--by", "variant", "--json") == 0
    by = json.loads(capsys.readouterr().out)["variants"]["control"]
    assert by["escalation_rate"]["mean"] is None and by["fallback_rate"]["mean"] is None


def test_stats_text_says_dash_and_names_the_denominator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _stats(str(_ledger(tmp_path, _refused(3)))) == 0
    out = capsys.readouterr().out
    for name in ("escalation rate", "fallback rate", "failure rate"):
        row = _row(out, name)
        assert "—" in row and "0 calls sent" in row and "%" not in row, row


def test_stats_text_names_the_calls_sent_on_every_rate_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _stats(str(_ledger(tmp_path, _sent() + _refused(2)))) == 0
    out = capsys.readouterr().out
    assert "0.0% of 2 calls sent" in _row(out, "escalation rate")
    assert "50.0% of 2 calls sent" in _row(out, "fallback rate")
    assert "50.0% of 2 calls sent" in _row(out, "failure rate")


def test_the_html_kpis_say_dash_and_name_the_calls_sent(tmp_path: Path) -> None:
    for records, value, sent in ((_refused(3), "—", 0), (_sent(), "50%", 2)):
        (tmp_path / str(sent)).mkdir()
        ledger = SQLiteLedger(_ledger(tmp_path / str(sent), records))
        try:
            page = render(build(ledger))
        finally:
            ledger.close()
        kpis = page.split('class="kpis"')[1].split("</div></div>")[0]
        assert f">failed (of {sent} calls sent)</span><b>{value}</b>" in kpis, kpis
        if not sent:
            assert ">escalated (of 0 calls sent)</span><b>—</b>" in kpis
            assert ">fell back (of 0 calls sent)</span><b>—</b>" in kpis
